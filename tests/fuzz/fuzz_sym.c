/*
 * Fuzz target: the symbol services over a hostile PE image.
 *
 * Input: 8 knob bytes, then the bytes of a PE image. The knobs choose how the
 * module arrives (from an image file on disk, or from target memory through
 * the session's CBA_READ_MEMORY callback or through a read routine passed to
 * SymFunctionTableAccess64AccessRoutines), where it is loaded, and which
 * addresses are looked up. Every lookup a walk or a client makes is asked:
 * function-table entries, module bases, names, lines, module information,
 * enumeration, and the function-entry callback for code no module holds.
 * SymCleanup must leave nothing allocated (LeakSanitizer checks).
 */
#include "fuzz_common.h"

#include <string.h>
#include <unistd.h>

struct image_target {
    const uint8_t *image;
    size_t size;
    uint64_t base;
    unsigned reads;
};

static BOOL WINAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD got)
{
    struct image_target *t = process;
    uint64_t offset = address - t->base;
    DWORD n = 0;

    FUZZ_CHECK(size > 0 && size <= MEMORY_MAX_REQUEST);
    t->reads++;
    if (address >= t->base && offset < t->size) {
        n = (DWORD)(t->size - offset < size ? t->size - offset : size);
        memcpy(buffer, t->image + offset, n);
    }
    if (got)
        *got = n;
    return n == size;
}

static BOOL CALLBACK session_callback(HANDLE process, ULONG action, ULONG64 data,
                                      ULONG64 context)
{
    (void)context;
    if (action == CBA_READ_MEMORY) {
        IMAGEHLP_CBA_READ_MEMORY *request = (IMAGEHLP_CBA_READ_MEMORY *)(uintptr_t)data;
        return read_memory(process, request->addr, request->buf, request->bytes,
                           request->bytesread);
    }
    return FALSE;
}

/* Code outside every module: an entry of our own, as a JIT would register. */
static IMAGE_RUNTIME_FUNCTION_ENTRY jit_entry = {0x10, 0x20, {0x30}};

static PVOID CALLBACK function_entry_callback(HANDLE process, ULONG64 address, ULONG64 context)
{
    (void)process;
    (void)context;
    return (address & 1) ? &jit_entry : NULL;
}

/* The image as a file: one per fuzzing process, rewritten for each input. */
static const char *write_image_file(const uint8_t *image, size_t size)
{
    static char path[64];
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/dbgwalk-fuzz-sym-%ld.dll", (long)getpid());
    f = fopen(path, "wb");
    if (!f)
        return NULL;
    if (size && fwrite(image, 1, size, f) != size) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    return path;
}

static BOOL CALLBACK count_module(PCSTR name, DWORD64 base, PVOID context)
{
    (void)name;
    (void)base;
    ++*(unsigned *)context;
    return TRUE;
}

static uint64_t knob64(const uint8_t *k) { return (uint64_t)k[0] | ((uint64_t)k[1] << 8); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t bases[] = {0, 0x140000000ull, 0x10000000ull, 0x7FFE0000ull,
                                     0xFFFFFFFFFFFF0000ull};
    struct image_target t;
    unsigned mode, modules = 0;
    uint64_t loaded;

    if (size < FUZZ_KNOBS)
        return 0;
    memset(&t, 0, sizeof(t));
    t.image = data + FUZZ_KNOBS;
    t.size = size - FUZZ_KNOBS;
    mode = data[0] % 3;
    t.base = bases[data[1] % DW_FUZZ_ARRAY_SIZE(bases)];

    if (!SymInitialize(&t, NULL, FALSE))
        return 0;
    SymSetOptions(data[2] & 1 ? SYMOPT_DEFERRED_LOADS | SYMOPT_UNDNAME : SYMOPT_UNDNAME);
    SymRegisterFunctionEntryCallback64(&t, function_entry_callback, 0);
    if (mode == 0) {
        const char *path = write_image_file(t.image, t.size);
        loaded = path ? SymLoadModuleEx(&t, NULL, path, NULL, t.base, 0, NULL, 0) : 0;
    } else {
        if (mode == 1)
            SymRegisterCallback64(&t, session_callback, 0);
        if (t.base == 0)
            t.base = 0x140000000ull;
        loaded = SymLoadModuleEx(&t, NULL, NULL, "fuzzed", t.base,
                                 data[3] & 1 ? (DWORD)t.size : 0, NULL, 0);
    }
    if (loaded)
        t.base = loaded;

    /* lookups at the knobs' offsets, at the edges and past the end */
    for (unsigned i = 0; i < 8; i++) {
        uint64_t offsets[] = {knob64(data + 4) * 4 + i, i * 0x1000u + data[3], t.size - 1 + i,
                              0x1000u * data[2] + i * 4};
        uint64_t address = t.base + offsets[i % 4];
        struct {
            SYMBOL_INFO info;
            char more[256];
        } symbol;
        IMAGEHLP_LINE64 line;
        IMAGEHLP_MODULE64 info;
        DWORD64 displacement = 0;
        DWORD line_displacement = 0;

        memset(&symbol, 0, sizeof(symbol));
        symbol.info.SizeOfStruct = sizeof(symbol.info);
        symbol.info.MaxNameLen = (ULONG)(i * 37 % 257);
        memset(&line, 0, sizeof(line));
        line.SizeOfStruct = sizeof(line);
        memset(&info, 0, sizeof(info));
        info.SizeOfStruct = sizeof(info);

        if (mode == 2)
            SymFunctionTableAccess64AccessRoutines(&t, address, read_memory, NULL);
        else
            SymFunctionTableAccess64(&t, address);
        SymGetModuleBase64(&t, address);
        SymFromAddr(&t, address, &displacement, &symbol.info);
        SymGetLineFromAddr64(&t, address, &line_displacement, &line);
        SymGetModuleInfo64(&t, address, &info);
    }
    SymEnumerateModules64(&t, count_module, &modules);
    FUZZ_CHECK(modules <= 1);
    if (loaded && (data[2] & 2))
        FUZZ_CHECK(SymUnloadModule64(&t, loaded));
    FUZZ_CHECK(SymCleanup(&t));
    return 0;
}
