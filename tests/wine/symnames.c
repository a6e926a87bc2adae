/*
 * The symbol API on the program's own PDB, run once with our dbghelp.dll and
 * once with Wine's builtin (run-symname-tests.sh compares the two): what
 * SymFromAddr and SymGetLineFromAddr64 say at addresses inside its own
 * functions, what SymFromName says of their names (bare and module!name),
 * and every symbol SymEnumSymbols lists for the module ("*") and for
 * "symnames!sn_*". One line per answer, "FAIL <error>" where a call failed.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>

#include "loaded_dbghelp.h"

volatile int sn_sink;

__declspec(noinline) int sn_leaf(int x)
{
    sn_sink += x;
    return sn_sink * 3;
}

__declspec(noinline) static int sn_static_helper(int x)
{
    int r = sn_leaf(x + 1);
    sn_sink ^= r;
    return r + 7;
}

__declspec(noinline) int sn_middle(int x)
{
    int total = 0;
    for (int i = 0; i < x; i++)
        total += sn_static_helper(i);
    return total;
}

static const struct {
    const char *name;
    void *address;
} functions[] = {
    {"sn_leaf", (void *)sn_leaf},
    {"sn_static_helper", (void *)sn_static_helper},
    {"sn_middle", (void *)sn_middle},
    {"main", NULL}, /* filled in main */
};

static union {
    SYMBOL_INFO info;
    char bytes[sizeof(SYMBOL_INFO) + MAX_SYM_NAME];
} buffer;

static SYMBOL_INFO *fresh_symbol(void)
{
    memset(&buffer, 0, sizeof(buffer));
    buffer.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    buffer.info.MaxNameLen = MAX_SYM_NAME;
    return &buffer.info;
}

static BOOL CALLBACK print_enum(PSYMBOL_INFO symbol, ULONG size, PVOID context)
{
    printf("%s %s 0x%llx size=%lu tag=%lu\n", (const char *)context, symbol->Name,
           (unsigned long long)symbol->Address, (unsigned long)size,
           (unsigned long)symbol->Tag);
    return TRUE;
}

static BOOL CALLBACK print_enum_wide(PSYMBOL_INFOW symbol, ULONG size, PVOID context)
{
    char name[MAX_SYM_NAME];

    WideCharToMultiByte(CP_ACP, 0, symbol->Name, -1, name, sizeof name, NULL, NULL);
    printf("%s %s 0x%llx size=%lu tag=%lu\n", (const char *)context, name,
           (unsigned long long)symbol->Address, (unsigned long)size,
           (unsigned long)symbol->Tag);
    return TRUE;
}

static BOOL CALLBACK stop_at_first(PSYMBOL_INFO symbol, ULONG size, PVOID context)
{
    (void)symbol;
    (void)size;
    (*(int *)context)++;
    return FALSE;
}

int main(void)
{
    HANDLE process = GetCurrentProcess();
    HMODULE self = GetModuleHandleA(NULL);
    DWORD64 base = (DWORD64)(ULONG_PTR)self;
    char path[MAX_PATH], dll[MAX_PATH];
    int calls = 0;

    print_loaded("symnames", loaded_dbghelp(dll, sizeof dll), dll);
    sn_middle(3);
    GetModuleFileNameA(self, path, sizeof path);
    SymSetOptions(SYMOPT_UNDNAME | SYMOPT_LOAD_LINES | SYMOPT_DEFERRED_LOADS);
    if (!SymInitialize(process, NULL, FALSE) ||
        !SymLoadModuleEx(process, NULL, path, NULL, base, 0, NULL, 0)) {
        printf("SETUP FAIL %lu\n", GetLastError());
        return 1;
    }
    for (unsigned i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        char *start = functions[i].address ? functions[i].address : (char *)(void *)main;
        char query[300];
        for (unsigned offset = 0; offset < 24; offset += 5) {
            DWORD64 address = (DWORD64)(ULONG_PTR)(start + offset), displacement = 0;
            SYMBOL_INFO *s = fresh_symbol();
            IMAGEHLP_LINE64 line = {sizeof(line), 0, 0, 0, 0};
            DWORD line_displacement = 0;

            if (SymFromAddr(process, address, &displacement, s))
                printf("FROMADDR %s+%u %s+0x%llx size=%lu tag=%lu modbase=%d\n", functions[i].name,
                       offset, s->Name, (unsigned long long)displacement,
                       (unsigned long)s->Size, (unsigned long)s->Tag, s->ModBase == base);
            else
                printf("FROMADDR %s+%u FAIL %lu\n", functions[i].name, offset, GetLastError());
            if (SymGetLineFromAddr64(process, address, &line_displacement, &line))
                printf("LINE %s+%u %s:%lu disp=%lu\n", functions[i].name, offset,
                       line.FileName, (unsigned long)line.LineNumber,
                       (unsigned long)line_displacement);
            else
                printf("LINE %s+%u FAIL %lu\n", functions[i].name, offset, GetLastError());
        }
        for (int qualified = 0; qualified < 2; qualified++) {
            SYMBOL_INFO *s = fresh_symbol();
            snprintf(query, sizeof query, "%s%s", qualified ? "symnames!" : "", functions[i].name);
            if (SymFromName(process, query, s))
                printf("FROMNAME %s %s at+0x%llx size=%lu tag=%lu modbase=%d\n", query, s->Name,
                       (unsigned long long)((char *)(ULONG_PTR)s->Address - start),
                       (unsigned long)s->Size, (unsigned long)s->Tag, s->ModBase == base);
            else
                printf("FROMNAME %s FAIL %lu\n", query, GetLastError());
        }
        {
            union {
                SYMBOL_INFOW info;
                char bytes[sizeof(SYMBOL_INFOW) + MAX_SYM_NAME * sizeof(WCHAR)];
            } w;
            WCHAR wide_query[300];
            char name[MAX_SYM_NAME];

            memset(&w, 0, sizeof w);
            w.info.SizeOfStruct = sizeof(SYMBOL_INFOW);
            w.info.MaxNameLen = MAX_SYM_NAME;
            MultiByteToWideChar(CP_ACP, 0, functions[i].name, -1, wide_query, 300);
            if (SymFromNameW(process, wide_query, &w.info)) {
                WideCharToMultiByte(CP_ACP, 0, w.info.Name, -1, name, sizeof name, NULL, NULL);
                printf("FROMNAMEW %s %s at+0x%llx size=%lu tag=%lu namelen=%lu\n",
                       functions[i].name, name,
                       (unsigned long long)((char *)(ULONG_PTR)w.info.Address - start),
                       (unsigned long)w.info.Size, (unsigned long)w.info.Tag,
                       (unsigned long)w.info.NameLen);
            } else {
                printf("FROMNAMEW %s FAIL %lu\n", functions[i].name, GetLastError());
            }
        }
    }
    {
        SYMBOL_INFO *s = fresh_symbol();
        if (SymFromName(process, "sn_no_such_function", s))
            printf("FROMNAME sn_no_such_function %s\n", s->Name);
        else
            printf("FROMNAME sn_no_such_function FAIL\n");
    }
    if (!SymEnumSymbols(process, base, "*", print_enum, "ENUM"))
        printf("ENUM FAIL %lu\n", GetLastError());
    if (!SymEnumSymbols(process, 0, "symnames!sn_*", print_enum, "ENUMMASK"))
        printf("ENUMMASK FAIL %lu\n", GetLastError());
    if (!SymEnumSymbolsW(process, base, L"sn_*", print_enum_wide, "ENUMW"))
        printf("ENUMW FAIL %lu\n", GetLastError());
    if (SymEnumSymbols(process, base, "sn_*", stop_at_first, &calls))
        printf("ENUMSTOP calls=%d\n", calls);
    else
        printf("ENUMSTOP FAIL %lu\n", GetLastError());
    SymCleanup(process);
    return 0;
}
