// StackWalker as its users call it: a subclass that prints to stdout, asked
// for the current thread's call stack from a few nested functions. The frame
// functions are C names so that every build (PDB or DWARF) names them alike.
#include <stdio.h>
#include <windows.h>

#include "StackWalker.h"

class PrintWalker : public StackWalker
{
public:
  PrintWalker() : StackWalker(RetrieveVerbose | SymBuildPath) {}

protected:
  void OnOutput(LPCSTR text) override { fputs(text, stdout); }

  // A line the test script can parse — the PC, the module name, the
  // (undecorated) name and file:line as StackWalker got them — then
  // StackWalker's own line (printed last: it fills in placeholders).
  void OnCallstackEntry(CallstackEntryType type, CallstackEntry &entry) override
  {
    if (type != lastEntry && entry.offset != 0)
      PrintFrame(entry);
    StackWalker::OnCallstackEntry(type, entry);
  }

private:
  static void PrintFrame(const CallstackEntry &entry)
  {
    const char *name = entry.undFullName[0] ? entry.undFullName
                       : entry.undName[0]   ? entry.undName
                       : entry.name[0]      ? entry.name
                                            : "-";
    printf("FRAME\t%016llx\t%s\t%s\t%s\t%lu\n", (unsigned long long)entry.offset,
           entry.moduleName[0] ? entry.moduleName : "-", name,
           entry.lineFileName[0] ? entry.lineFileName : "-", (unsigned long)entry.lineNumber);
  }
};

static PrintWalker *walker;

extern "C" __attribute__((noinline)) int sw_level3(int x)
{
  walker->ShowCallstack();
  return x + 1;
}

extern "C" __attribute__((noinline)) int sw_level2(int x)
{
  return sw_level3(x * 2) + 1;
}

extern "C" __attribute__((noinline)) int sw_level1(int x)
{
  return sw_level2(x + 3) + 1;
}

int main()
{
  PrintWalker w;
  walker = &w;
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("RESULT %d\n", sw_level1(1));
  return 0;
}
