/*
 * x86_dump_walk SYMPATH DUMP: walks the exception context of an x86
 * minidump with StackWalk64 and our own symbol services, with each module's
 * PDB found on SYMPATH from the CodeView record the dump stores (passed as
 * SymLoadModuleEx's MODLOAD_DATA, as debuggers do for modules whose image
 * is absent). Prints, per frame, "frame N MODULE+0xOFF", first with NULL
 * table routines, then with SymFunctionTableAccess64 passed in, and for
 * frame 0 the FPO_DATA SymFunctionTableAccess64 returns ("fpo START SIZE
 * LOCALS PARAMS REGS FRAME"), for run-x86-dump-test.sh to check.
 *
 * The dump is parsed by tools/dumpwalk's minidump.c and served by its
 * dump_memory.c; only the CodeView records are read here.
 */
#include "../../tools/dumpwalk/dumpwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DBHHEADER_CVMISC
#define DBHHEADER_CVMISC 0x2
#endif

#define MODULE_LIST_STREAM 4u
#define MODULE_RECORD 108u
#define MODULE_CV_RECORD 76u /* MINIDUMP_MODULE.CvRecord: DataSize, Rva */

static uint8_t *slurp(const char *path, size_t *size)
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

/* Module i's CodeView record inside the dump, or NULL. */
static const uint8_t *codeview_record(const struct dump *d, size_t i, uint32_t *size)
{
    const uint8_t *header = span(d, 0, 32), *directory;
    uint32_t count;

    if (!header)
        return NULL;
    count = le32(header + 8);
    directory = span(d, le32(header + 12), (uint64_t)count * 12);
    for (uint32_t s = 0; directory && s < count; s++) {
        const uint8_t *e = directory + (size_t)s * 12, *list, *module;
        if (le32(e) != MODULE_LIST_STREAM)
            continue;
        list = span(d, le32(e + 8), 4);
        if (!list || i >= le32(list))
            return NULL;
        module = span(d, le32(e + 8) + 4 + (uint64_t)i * MODULE_RECORD, MODULE_RECORD);
        if (!module)
            return NULL;
        *size = le32(module + MODULE_CV_RECORD);
        return *size ? span(d, le32(module + MODULE_CV_RECORD + 4), *size) : NULL;
    }
    return NULL;
}

static void where(struct dump *d, uint64_t address, char *out, size_t size)
{
    IMAGEHLP_MODULE64 info;

    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (SymGetModuleInfo64((HANDLE)d, address, &info) && info.ModuleName[0])
        snprintf(out, size, "%s+0x%llx", info.ModuleName,
                 (unsigned long long)(address - info.BaseOfImage));
    else
        snprintf(out, size, "?+0x%llx", (unsigned long long)address);
}

static void walk(struct dump *d, const char *label, PFUNCTION_TABLE_ACCESS_ROUTINE64 table)
{
    const uint8_t *bytes = span(d, d->exception_context.context_rva, sizeof(WOW64_CONTEXT));
    WOW64_CONTEXT context;
    STACKFRAME64 frame;

    if (!bytes) {
        printf("%s: no exception context\n", label);
        return;
    }
    memcpy(&context, bytes, sizeof(context));
    memset(&frame, 0, sizeof(frame));
    frame.AddrPC.Offset = context.Eip;
    frame.AddrStack.Offset = context.Esp;
    frame.AddrFrame.Offset = context.Ebp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    for (unsigned n = 0; n < 64; n++) {
        char at[128];
        if (!StackWalk64(IMAGE_FILE_MACHINE_I386, (HANDLE)d, NULL, &frame, &context, read_memory,
                         table, NULL, NULL))
            break;
        where(d, frame.AddrPC.Offset, at, sizeof(at));
        printf("%s frame %u %s\n", label, n, at);
    }
}

int main(int argc, char **argv)
{
    struct dump d;
    uint8_t *data;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SYMPATH DUMP\n", argv[0]);
        return 2;
    }
    memset(&d, 0, sizeof(d));
    d.path = argv[2];
    data = slurp(argv[2], &d.size);
    if (!data) {
        fprintf(stderr, "%s: cannot read\n", argv[2]);
        return 1;
    }
    d.data = data;
    if (!parse_minidump(&d) || d.machine != IMAGE_FILE_MACHINE_I386 || !d.has_exception) {
        fprintf(stderr, "%s: not an x86 dump with an exception\n", argv[2]);
        return 1;
    }
    if (!SymInitialize((HANDLE)&d, argv[1], FALSE)) {
        fprintf(stderr, "SymInitialize failed (%u)\n", (unsigned)GetLastError());
        return 1;
    }
    for (size_t i = 0; i < d.module_count; i++) {
        struct module *m = &d.modules[i];
        uint32_t cv_size = 0;
        const uint8_t *cv = codeview_record(&d, i, &cv_size);
        MODLOAD_DATA load = {sizeof(load), DBHHEADER_CVMISC, (PVOID)cv, cv_size, 0};
        IMAGEHLP_MODULE64 info;
        if (!SymLoadModuleEx((HANDLE)&d, NULL, NULL, m->name, m->base, m->size,
                             cv ? &load : NULL, 0)) {
            fprintf(stderr, "module %s not loaded (%u)\n", m->name, (unsigned)GetLastError());
            continue;
        }
        memset(&info, 0, sizeof(info));
        info.SizeOfStruct = sizeof(info);
        if (SymGetModuleInfo64((HANDLE)&d, m->base, &info))
            printf("module %s symtype %u pdb \"%s\"\n", m->name, (unsigned)info.SymType,
                   info.LoadedPdbName);
    }

    walk(&d, "null", NULL);
    walk(&d, "ours", SymFunctionTableAccess64);

    /* The FPO_DATA for the faulting PC, twice: the same pointer both times. */
    {
        const uint8_t *bytes = span(&d, d.exception_context.context_rva, sizeof(WOW64_CONTEXT));
        WOW64_CONTEXT context;
        PFPO_DATA fpo, again;
        memcpy(&context, bytes, sizeof(context));
        fpo = SymFunctionTableAccess64((HANDLE)&d, context.Eip);
        again = SymFunctionTableAccess64((HANDLE)&d, context.Eip);
        if (fpo)
            printf("fpo %lx %lx %lx %u %u %u %s\n", (unsigned long)fpo->ulOffStart,
                   (unsigned long)fpo->cbProcSize, (unsigned long)fpo->cdwLocals,
                   (unsigned)fpo->cdwParams, (unsigned)fpo->cbRegs, (unsigned)fpo->cbFrame,
                   fpo == again ? "stable" : "moved");
        else
            printf("fpo none (%u)\n", (unsigned)GetLastError());
    }
    SymCleanup((HANDLE)&d);
    free(d.regions);
    free(d.modules);
    free(d.threads);
    free(data);
    return 0;
}
