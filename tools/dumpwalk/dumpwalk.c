/*
 * dumpwalk: walks every thread of a Windows minidump with StackWalk64.
 *
 *   dumpwalk [-i IMAGE_DIR] [-y SYMPATH] file.dmp...
 *
 * The dump is the target: its SystemInfo stream gives the machine, its
 * thread list the contexts, its Memory and Memory64 lists the memory (served
 * by a ReadProcessMemory-like routine), its module list the modules, which
 * are registered with SymLoadModuleEx so that SymFunctionTableAccess64 and
 * SymGetModuleBase64 can serve the walk. Minidumps carry no images: with
 * -i DIR, DIR/<module file name> is loaded where it exists, and its .pdata
 * (x64, ARM64) drives the unwind; without it only what the dump's memory
 * holds is available. With -y SYMPATH each module's PDB is looked for in
 * SYMPATH from the CodeView record the dump stores (no image needed), and
 * frames are printed as module!function+0xoffset [file @ line].
 *
 * A malformed dump is reported and skipped (exit status 1).
 *
 * This file holds the walks (main.c the command line); dumpwalk.h lists the
 * other files and what each does.
 */
#include "dumpwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registers the walk starts from and the frame's seed. */
static void context_registers(const struct dump *d, const union context *c, uint64_t *pc,
                              uint64_t *sp, uint64_t *fp)
{
    switch (d->machine) {
    case IMAGE_FILE_MACHINE_I386:
        *pc = c->x86.Eip, *sp = c->x86.Esp, *fp = c->x86.Ebp;
        break;
    case IMAGE_FILE_MACHINE_AMD64:
        *pc = c->x64.Rip, *sp = c->x64.Rsp, *fp = c->x64.Rbp;
        break;
    default:
        *pc = c->arm64.Pc, *sp = c->arm64.Sp, *fp = c->arm64.Fp;
        break;
    }
}

static uint32_t context_flags(const struct dump *d, const union context *c)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? c->x86.ContextFlags
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? c->x64.ContextFlags
                                                    : c->arm64.ContextFlags;
}

/* The smallest dumped context that holds PC, SP and the frame pointer. */
static size_t context_minimum(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? offsetof(WOW64_CONTEXT, SegSs)
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? offsetof(CONTEXT, Rip) + 8
                                                    : offsetof(ARM64_NT_CONTEXT, Pc) + 8;
}

static uint32_t context_architecture_flag(const struct dump *d)
{
    return d->machine == IMAGE_FILE_MACHINE_I386    ? WOW64_CONTEXT_i386
           : d->machine == IMAGE_FILE_MACHINE_AMD64 ? CONTEXT_AMD64
                                                    : CONTEXT_ARM64;
}

/* With -y: module!function+0xoffset [file @ line] from SymFromAddr and
 * SymGetLineFromAddr64, as WinDbg prints a frame; 0 without a symbol. */
static int describe_symbol(const struct dump *d, uint64_t address, const char *module,
                           char *out, size_t out_size)
{
    union {
        SYMBOL_INFO info;
        char bytes[sizeof(SYMBOL_INFO) + 256];
    } symbol;
    IMAGEHLP_LINE64 line;
    DWORD64 displacement = 0;
    DWORD line_displacement = 0;
    int n;

    memset(&symbol, 0, sizeof(symbol));
    symbol.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol.info.MaxNameLen = 256;
    if (!dumpwalk_symbol_path ||
        !SymFromAddr((HANDLE)d, address, &displacement, &symbol.info))
        return 0;
    n = snprintf(out, out_size, "%s!%s+0x%llx", module, symbol.info.Name,
                 (unsigned long long)displacement);
    memset(&line, 0, sizeof(line));
    line.SizeOfStruct = sizeof(line);
    if (n > 0 && (size_t)n < out_size &&
        SymGetLineFromAddr64((HANDLE)d, address, &line_displacement, &line) && line.FileName)
        snprintf(out + n, out_size - (size_t)n, " [%s @ %u]", line.FileName,
                 (unsigned)line.LineNumber);
    return 1;
}

/* The module name of an address: the symbol handler's, else the dump's. */
static void describe_address(const struct dump *d, uint64_t address, char *out, size_t out_size)
{
    IMAGEHLP_MODULE64 info;
    const struct module *m = module_at(d, address);

    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (SymGetModuleInfo64((HANDLE)d, address, &info) && info.ModuleName[0] &&
        describe_symbol(d, address, info.ModuleName, out, out_size))
        return;
    if (info.ModuleName[0])
        snprintf(out, out_size, "%s+0x%llx", info.ModuleName,
                 (unsigned long long)(address - info.BaseOfImage));
    else if (m)
        snprintf(out, out_size, "%s+0x%llx", m->name, (unsigned long long)(address - m->base));
    else
        snprintf(out, out_size, "?");
}

/* One walk from `thread`'s context; returns the frame count. */
static unsigned walk(struct dump *d, const struct thread *thread, const char *title)
{
    union context context;
    STACKFRAME64 frame, last;
    uint64_t pc, sp, fp;
    unsigned frames = 0;
    size_t copy = thread->context_size;
    const uint8_t *bytes = span(d, thread->context_rva, copy);
    DWORD error = 0;
    int digits = (int)d->pointer_digits;

    printf("%s\n", title);
    if (!bytes || copy < context_minimum(d)) {
        printf("  context of %u bytes: too small for a %s context, not walked\n",
               thread->context_size, d->machine_name);
        return 0;
    }
    /* An x64 context may be shorter than CONTEXT (older writers) or longer
     * (CONTEXT_EX and the XSAVE area follow it): the CONTEXT part, zero-filled. */
    memset(&context, 0, sizeof(context));
    if (copy > d->context_size)
        copy = d->context_size;
    memcpy(&context, bytes, copy);
    if ((context_flags(d, &context) & context_architecture_flag(d)) == 0)
        printf("  warning: ContextFlags 0x%x lack the %s flag 0x%x\n",
               context_flags(d, &context), d->machine_name, context_architecture_flag(d));

    context_registers(d, &context, &pc, &sp, &fp);
    memset(&frame, 0, sizeof(frame));
    memset(&last, 0, sizeof(last));
    frame.AddrPC.Offset = pc;
    frame.AddrStack.Offset = sp;
    frame.AddrFrame.Offset = fp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    d->reads = 0;
    d->image_bytes = 0;

    while (frames < FRAME_LIMIT) {
        char where[1024];
        SetLastError(0);
        if (!StackWalk64(d->machine, (HANDLE)d, NULL, &frame, &context, read_memory,
                         SymFunctionTableAccess64, SymGetModuleBase64, NULL)) {
            error = GetLastError();
            break;
        }
        describe_address(d, frame.AddrPC.Offset, where, sizeof(where));
        printf("  #%-4u pc %0*llx  sp %0*llx  %s\n", frames, digits,
               (unsigned long long)frame.AddrPC.Offset, digits,
               (unsigned long long)frame.AddrStack.Offset, where);
        last = frame;
        frames++;
    }
    printf("  %u frame%s, %llu read callbacks", frames, frames == 1 ? "" : "s", d->reads);
    if (d->image_bytes)
        printf(" (%llu bytes from images)", d->image_bytes);
    printf("; end: ");
    print_end_reason(d, frames, error, &last, &context);
    printf("\n");
    return frames;
}

static const char *exception_name(uint32_t code)
{
    switch (code) {
    case 0x80000003: return "breakpoint";
    case 0xC0000005: return "access violation";
    case 0xC000000D: return "invalid parameter";
    case 0xC00000FD: return "stack overflow";
    case 0xC0000409: return "fast fail / stack buffer overrun";
    case 0xC0000374: return "heap corruption";
    case 0xE06D7363: return "C++ exception";
    default: return "";
    }
}

int walk_dump(struct dump *d, const char *image_dir)
{
    uint64_t memory = 0;
    int ok = 1;

    for (size_t i = 0; i < d->region_count; i++)
        memory += d->regions[i].size;
    printf("%s: %s (machine 0x%x), %zu threads, %zu modules, %zu memory ranges (%llu bytes)\n",
           d->path, d->machine_name, (unsigned)d->machine, d->thread_count, d->module_count,
           d->region_count, (unsigned long long)memory);
    if (!SymInitialize((HANDLE)d, dumpwalk_symbol_path, FALSE)) {
        fprintf(stderr, "dumpwalk: %s: SymInitialize failed (error %u)\n", d->path,
                (unsigned)GetLastError());
        return 0;
    }
    register_modules(d, image_dir);

    for (size_t i = 0; i < d->thread_count; i++) {
        char title[160];
        const struct thread *t = &d->threads[i];
        snprintf(title, sizeof(title), "thread %zu (id 0x%x%s%s%s)", i, t->id,
                 t->name[0] ? ", \"" : "", t->name, t->name[0] ? "\"" : "");
        if (walk(d, t, title) == 0)
            ok = 0;
    }
    if (d->has_exception) {
        char title[160];
        const char *name = exception_name(d->exception_code);
        snprintf(title, sizeof(title), "exception (thread id 0x%x, code 0x%08x%s%s, at 0x%llx)",
                 d->exception_thread, d->exception_code, name[0] ? " " : "", name,
                 (unsigned long long)d->exception_address);
        if (walk(d, &d->exception_context, title) == 0)
            ok = 0;
    }
    SymCleanup((HANDLE)d);
    return ok;
}

uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long length;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)length + 1)) != NULL &&
        fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    if (data)
        *size = (size_t)length;
    fclose(f);
    return data;
}

void free_dump(struct dump *d)
{
    for (size_t m = 0; m < d->module_count; m++)
        free(d->modules[m].file_bytes);
    free(d->regions);
    free(d->modules);
    free(d->threads);
}
