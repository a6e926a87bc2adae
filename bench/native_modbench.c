/*
 * native_modbench: the cost of DbgHelp's own lookups as a walk uses them,
 * against the number of modules registered (libdbghelp.so).
 *
 * One synthetic x64 image (PE headers, FUNCS functions with a real prolog
 * "push rbx; sub rsp, 0x20", a call and an epilog, one UNWIND_INFO, a .pdata
 * table of FUNCS entries) is "mapped" at every module base: the read
 * routine serves the same bytes at MODULE_LO + k * STRIDE. Modules are
 * registered with SymLoadModuleEx (no file: headers and table are read
 * lazily through the read routine), then:
 *   - SymFunctionTableAccess64 and SymGetModuleBase64 are called directly
 *     on addresses spread over every function of HOT modules (spread over
 *     the range registered), and of every module: ns per call;
 *   - a DEPTH-frame stack whose frames lie in the HOT modules is walked
 *     with StackWalk64 and the Sym routines, and with NULL routines (the
 *     library's own lookups): ns per frame.
 * Each walk is checked frame by frame (PC, RSP, the table entry) once. The
 * figures are printed for 1 module and for MANY modules, with their ratio;
 * nothing is asserted about time.
 *
 *   native_modbench [seconds per figure, default 0.3] [modules, default 1000]
 */
#define _POSIX_C_SOURCE 200809L
#include <dbgwalk.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/unit/pe_builder.h"

#define IMAGE_SIZE 0x8000u
#define TEXT_RVA 0x1000u
#define FUNC_SIZE 0x20u
#define FUNCS 512u
#define XDATA_RVA 0x5000u
#define PDATA_RVA 0x6000u
#define RETURN_OFFSET 10u /* push rbx (1), sub rsp, 0x20 (4), call rel32 (5) */

#define MODULE_LO 0x10000000ull
#define STRIDE 0x10000ull
#define MANY 1000u /* the default; at most 4096 (STRIDE apart below the stack) */

#define STACK_LO 0x7FF000000000ull
#define DEPTH 40u
#define FRAME_SIZE 0x30u
#define STACK_SIZE (DEPTH * FRAME_SIZE + 0x100u)

#define ADDRESSES 4096u

static uint8_t image[IMAGE_SIZE];
static uint8_t stack[STACK_SIZE];
static unsigned mapped_modules; /* how many bases serve the image */
static HANDLE const process = (HANDLE)(uintptr_t)0x5EED;


static void build_image(void)
{
    static const uint8_t code[] = {
        0x53,                         /* push rbx */
        0x48, 0x83, 0xEC, 0x20,       /* sub rsp, 0x20 */
        0xE8, 0x00, 0x00, 0x00, 0x00, /* call (anywhere) */
        0x90,                         /* nop: where the return address lands */
        0x48, 0x83, 0xC4, 0x20,       /* add rsp, 0x20 */
        0x5B,                         /* pop rbx */
        0xC3,                         /* ret */
    };
    /* UNWIND_INFO v1, prolog 5 bytes, 2 codes: ALLOC_SMALL 0x20 at 5,
     * PUSH_NONVOL rbx at 1 (descending offsets). */
    static const uint8_t unwind[] = {0x01, 0x05, 0x02, 0x00, 0x05, 0x32, 0x01, 0x30};
    uint32_t(*entries)[3] = malloc(FUNCS * sizeof(*entries));

    if (!entries)
        exit(2);
    memset(image, 0xCC, sizeof(image));
    pe_build_headers(image, IMAGE_SIZE, 0x8664, MODULE_LO, PDATA_RVA, FUNCS * 12, 0, 0);
    memcpy(image + XDATA_RVA, unwind, sizeof(unwind));
    for (uint32_t i = 0; i < FUNCS; i++) {
        uint32_t begin = TEXT_RVA + i * FUNC_SIZE;
        memcpy(image + begin, code, sizeof(code));
        entries[i][0] = begin;
        entries[i][1] = begin + (uint32_t)sizeof(code);
        entries[i][2] = XDATA_RVA;
    }
    pe_write_pdata(image, PDATA_RVA, (const uint32_t(*)[3])entries, FUNCS);
    free(entries);
}

static BOOL WINAPI read_memory(HANDLE hProcess, DWORD64 address, PVOID buffer, DWORD size,
                               LPDWORD read)
{
    DWORD n = 0;

    (void)hProcess;
    if (address >= MODULE_LO && address < MODULE_LO + mapped_modules * STRIDE) {
        uint64_t offset = (address - MODULE_LO) % STRIDE;
        if (offset < IMAGE_SIZE) {
            uint64_t avail = IMAGE_SIZE - offset;
            n = avail < size ? (DWORD)avail : size;
            memcpy(buffer, image + offset, n);
        }
    } else if (address >= STACK_LO && address < STACK_LO + STACK_SIZE) {
        uint64_t avail = STACK_LO + STACK_SIZE - address;
        n = avail < size ? (DWORD)avail : size;
        memcpy(buffer, stack + (address - STACK_LO), n);
    }
    if (read)
        *read = n;
    return n == size;
}

static uint64_t module_base(unsigned k) { return MODULE_LO + k * STRIDE; }

/* The i-th of up to HOT modules spread over the range registered (the
 * middle one when HOT is 1): the walk is the same whatever the number of
 * modules registered, so only that number differs between the figures. */
#define HOT 1u
static unsigned hot_module(unsigned i, unsigned modules)
{
    unsigned hot = modules < HOT ? modules : HOT;
    return (i % hot) * (modules / hot) + (modules / hot) / 2;
}

/* Frame k's function: in the hot modules, functions spread over each. */
static uint64_t frame_pc(unsigned k, unsigned modules)
{
    unsigned module = hot_module(k * 3u, modules), function = (k * 97u + 5u) % FUNCS;
    return module_base(module) + TEXT_RVA + function * FUNC_SIZE + RETURN_OFFSET;
}

static CONTEXT seed_context;
static uint64_t expected_pc[DEPTH], expected_rsp[DEPTH];

static void build_stack(unsigned modules)
{
    memset(stack, 0, sizeof(stack));
    for (unsigned k = 0; k < DEPTH; k++) {
        uint64_t rsp = STACK_LO + k * FRAME_SIZE, ret = k + 1 < DEPTH ? frame_pc(k + 1, modules) : 0;
        uint8_t *at = stack + (rsp - STACK_LO);
        uint64_t rbx = 0xB0B0000000000000ull | k;
        memcpy(at + 0x20, &rbx, 8);
        memcpy(at + 0x28, &ret, 8);
        expected_pc[k] = frame_pc(k, modules);
        expected_rsp[k] = rsp;
    }
    memset(&seed_context, 0, sizeof(seed_context));
    seed_context.ContextFlags = CONTEXT_FULL;
    seed_context.Rip = expected_pc[0];
    seed_context.Rsp = expected_rsp[0];
}

static void seed(STACKFRAME64 *frame, CONTEXT *context)
{
    *context = seed_context;
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = context->Rip;
    frame->AddrPC.Mode = AddrModeFlat;
    frame->AddrStack.Offset = context->Rsp;
    frame->AddrStack.Mode = AddrModeFlat;
    frame->AddrFrame.Offset = context->Rbp;
    frame->AddrFrame.Mode = AddrModeFlat;
}

/* One walk; with `check`, frame by frame. Returns the frames, or -1. */
static int walk(bool sym_routines, bool check)
{
    STACKFRAME64 frame;
    CONTEXT context;
    unsigned k = 0;

    seed(&frame, &context);
    while (StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, NULL, &frame, &context, read_memory,
                       sym_routines ? SymFunctionTableAccess64 : NULL,
                       sym_routines ? SymGetModuleBase64 : NULL, NULL)) {
        if (check) {
            uint64_t pc = frame.AddrPC.Offset;
            const IMAGE_RUNTIME_FUNCTION_ENTRY *entry = frame.FuncTableEntry;
            uint32_t rva = (uint32_t)((pc - MODULE_LO) % STRIDE);
            if (k >= DEPTH || pc != expected_pc[k] || frame.AddrStack.Offset != expected_rsp[k] ||
                !entry || entry->BeginAddress != rva - RETURN_OFFSET) {
                printf("FAIL: frame %u: PC 0x%llx RSP 0x%llx entry %p (expected PC 0x%llx RSP "
                       "0x%llx)\n",
                       k, (unsigned long long)pc, (unsigned long long)frame.AddrStack.Offset,
                       (const void *)entry, k < DEPTH ? (unsigned long long)expected_pc[k] : 0ull,
                       k < DEPTH ? (unsigned long long)expected_rsp[k] : 0ull);
                return -1;
            }
        }
        k++;
    }
    if (check && k != DEPTH) {
        printf("FAIL: the walk ended after %u frames, expected %u (last error %u)\n", k, DEPTH,
               (unsigned)GetLastError());
        return -1;
    }
    return (int)k;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    /* the thread's CPU time: the machine may be shared, and time spent
     * descheduled is not the library's */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* [0]: in the hot modules; [1]: in every module (each lookup misses the
 * caches: 1,000 tables of 6 KB) */
static uint64_t addresses[2][ADDRESSES];
static volatile uintptr_t sink;

/* ns per call of `which` (0: SymFunctionTableAccess64, 1: SymGetModuleBase64)
 * over the address set `set`. */
static double time_calls(int which, int set, double seconds)
{
    uint64_t start = now_ns(), elapsed, calls = 0, budget = (uint64_t)(seconds * 1e9);

    do {
        uintptr_t acc = 0;
        for (unsigned i = 0; i < ADDRESSES; i++)
            acc += which == 0 ? (uintptr_t)SymFunctionTableAccess64(process, addresses[set][i])
                              : (uintptr_t)SymGetModuleBase64(process, addresses[set][i]);
        sink = acc;
        calls += ADDRESSES;
        elapsed = now_ns() - start;
    } while (elapsed < budget);
    return (double)elapsed / (double)calls;
}

static double time_walks(bool sym_routines, double seconds)
{
    uint64_t start = now_ns(), elapsed, frames = 0, budget = (uint64_t)(seconds * 1e9);

    do {
        for (int i = 0; i < 16; i++) {
            int n = walk(sym_routines, false);
            if (n != (int)DEPTH) {
                printf("FAIL: a timed walk gave %d frames\n", n);
                exit(1);
            }
            frames += (uint64_t)n;
        }
        elapsed = now_ns() - start;
    } while (elapsed < budget);
    return (double)elapsed / (double)frames;
}

struct figures {
    double table_ns, base_ns, table_spread_ns, base_spread_ns, walk_sym_ns, walk_null_ns;
};

static int measure(unsigned modules, double seconds, struct figures *out)
{
    char name[32];

    mapped_modules = modules;
    if (!SymInitialize(process, NULL, FALSE)) {
        printf("FAIL: SymInitialize: %u\n", (unsigned)GetLastError());
        return 1;
    }
    for (unsigned k = 0; k < modules; k++) {
        snprintf(name, sizeof(name), "mod%u", k);
        if (SymLoadModuleEx(process, NULL, NULL, name, module_base(k), IMAGE_SIZE, NULL, 0) !=
            module_base(k)) {
            printf("FAIL: SymLoadModuleEx(%s): %u\n", name, (unsigned)GetLastError());
            return 1;
        }
        /* Each module's table is read once, lazily, through the routine. */
        if (!SymFunctionTableAccess64AccessRoutines(process, module_base(k) + TEXT_RVA,
                                                    read_memory, NULL)) {
            printf("FAIL: no table entry in %s: %u\n", name, (unsigned)GetLastError());
            return 1;
        }
    }
    for (unsigned i = 0; i < ADDRESSES; i++) {
        uint32_t rva = TEXT_RVA + ((i * 31u) % FUNCS) * FUNC_SIZE + (i % FUNC_SIZE) % 17u;
        addresses[0][i] = module_base(hot_module(i, modules)) + rva;
        addresses[1][i] = module_base((i * 7919u) % modules) + rva;
    }
    for (unsigned i = 0; i < 2 * ADDRESSES; i++) {
        uint64_t address = addresses[i / ADDRESSES][i % ADDRESSES];
        const IMAGE_RUNTIME_FUNCTION_ENTRY *e = SymFunctionTableAccess64(process, address);
        uint64_t base = SymGetModuleBase64(process, address);
        if (!e || base != address - (address - MODULE_LO) % STRIDE ||
            e->BeginAddress + base > address || e->EndAddress + base <= address) {
            printf("FAIL: lookup of 0x%llx: entry %p base 0x%llx\n", (unsigned long long)address,
                   (const void *)e, (unsigned long long)base);
            return 1;
        }
    }
    build_stack(modules);
    if (walk(true, true) < 0 || walk(false, true) < 0)
        return 1;
    out->table_ns = time_calls(0, 0, seconds);
    out->base_ns = time_calls(1, 0, seconds);
    out->table_spread_ns = time_calls(0, 1, seconds);
    out->base_spread_ns = time_calls(1, 1, seconds);
    out->walk_sym_ns = time_walks(true, seconds);
    out->walk_null_ns = time_walks(false, seconds);
    printf("%4u module%s: SymFunctionTableAccess64 %6.1f ns/call, SymGetModuleBase64 %6.1f "
           "ns/call (hot modules; every module: %6.1f, %6.1f)\n"
           "              %u-frame walk: Sym routines %6.1f ns/frame, NULL routines %6.1f "
           "ns/frame\n",
           modules, modules == 1 ? " " : "s", out->table_ns, out->base_ns, out->table_spread_ns,
           out->base_spread_ns, DEPTH, out->walk_sym_ns, out->walk_null_ns);
    SymCleanup(process);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    unsigned modules = argc > 2 ? (unsigned)atoi(argv[2]) : MANY;
    struct figures one, many;

    if (seconds <= 0)
        seconds = 0.3;
    if (modules < 1 || modules > 4096)
        modules = MANY;
    SymSetOptions(SYMOPT_DEFERRED_LOADS);
    build_image();
    printf("native_modbench: Sym lookups and StackWalk64 (libdbghelp.so) against modules "
           "registered\n  image: %u functions, %u table entries; modules 0x%llx + k * 0x%llx; "
           "the stack's frames in %u modules spread over those registered; ns of thread CPU "
           "time\n",
           FUNCS, FUNCS, (unsigned long long)MODULE_LO, (unsigned long long)STRIDE, HOT);
    if (measure(1, seconds, &one) || (modules > 1 && measure(modules, seconds, &many)))
        return 1;
    if (modules == 1) {
        printf("OK\n");
        return 0;
    }
    printf("%u modules / 1 (hot modules): SymFunctionTableAccess64 %.2fx, SymGetModuleBase64 "
           "%.2fx, walk (Sym routines) %.2fx, walk (NULL routines) %.2fx\n",
           modules, many.table_ns / one.table_ns, many.base_ns / one.base_ns,
           many.walk_sym_ns / one.walk_sym_ns, many.walk_null_ns / one.walk_null_ns);
    printf("OK\n");
    return 0;
}
