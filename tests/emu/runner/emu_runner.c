/* emu_runner: runs a test image under libunicorn and walks the stack with
 * StackWalk64 at every new state, comparing each frame with a shadow call
 * stack kept from the calls and returns actually executed.
 *
 *   emu_runner [--mode partial|cap16|exact|all] [--negative]
 *              [--snapshot FILE --snapshot-depth N] <image.exe>
 *
 * --negative is the control that shows the comparison can fail: the
 * function-table routine hides every other function, and the run passes
 * only if wrong states are found.
 *
 * A state is new when its key (PC, SP and the hash of the shadow stack's
 * frames) has not been walked yet, so loops and repeated calls cost one walk
 * per distinct state. Exit status 0 only if every checked state matched, at
 * least one was checked, and the program ran to its end with EMU_OK. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_SIZE (4u << 20)
#define STACK_TOP 0x10000000ull /* the stack mapping ends here */
#define SENTINEL 0xDEAD0000ull  /* unmapped: the entry "returns" here */
/* The bytes before the sentinel with --framedata: nops, `call rel32`. */
static const uint8_t SENTINEL_CALL_SITE[8] = {0x90, 0x90, 0x90, 0xE8, 0, 0, 0, 0};
#define SENTINEL_MODULE_SIZE 0x10000u /* a module around the sentinel's call site */
#define INSTRUCTION_LIMIT 20000000ull
#define SNAPSHOT_MAX_STACK 0x20000u /* keep sample snapshots small */

/* --snapshot: the first checked state at least this deep (frames under
 * frame 0) that walked right, with little stack in use, is written. */
static const char *snapshot_path;
static unsigned snapshot_depth;
static bool snapshot_written;

static const struct emu_arch *const arches[] = {
    &emu_arch_x64,
    &emu_arch_arm64,
    &emu_arch_x86,
};

/* ---- callbacks ---- */

static uint64_t readable_prefix(const struct emu *e, uint64_t address, uint64_t size)
{
    uint64_t end;

    if (address >= e->img.base && address - e->img.base < e->map_size)
        end = e->img.base + e->map_size;
    else if (address >= e->stack_lo && address < e->stack_hi)
        end = e->stack_hi;
    else
        return 0;
    return end - address < size ? end - address : size;
}

BOOL WINAPI emu_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                            LPDWORD bytes_read)
{
    struct emu *e = process;
    uint64_t give, prefix;
    BOOL ok;

    e->read_calls++;
    e->walk_read_calls++;
    if (bytes_read)
        *bytes_read = 0;
    if (address + size < address)
        return FALSE;
    /* --framedata: the sentinel is a return address the way a loader's call
     * of the entry point leaves one (a call right before it, in a module),
     * so that `.raSearch` can find it; the page stays unmapped for the
     * emulator, which stops there. */
    if (e->framedata && address >= e->sentinel - sizeof(SENTINEL_CALL_SITE) &&
        address + size <= e->sentinel) {
        memcpy(buffer, SENTINEL_CALL_SITE + (address - (e->sentinel - sizeof(SENTINEL_CALL_SITE))),
               size);
        if (bytes_read)
            *bytes_read = size;
        return TRUE;
    }
    prefix = readable_prefix(e, address, size);
    if (e->read_mode == EMU_READ_CAPPED16) {
        give = prefix < 16 ? prefix : 16;
        ok = give == size || give == 16;
    } else if (e->read_mode == EMU_READ_EXACT) {
        give = prefix == size ? size : 0;
        ok = give == size;
    } else {
        give = prefix;
        ok = give == size;
    }
    if (give && uc_mem_read(e->uc, address, buffer, give) != UC_ERR_OK)
        return FALSE;
    if (bytes_read)
        *bytes_read = (DWORD)give;
    return ok;
}

/* The last function that begins at or before rva, or NULL. */
static const struct emu_function *function_before(const struct emu *e, uint64_t rva)
{
    unsigned lo = 0, hi = e->function_count;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (e->functions[mid].begin <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? NULL : &e->functions[lo - 1];
}

const struct emu_function *emu_function_at(const struct emu *e, uint64_t address)
{
    const struct emu_function *f;
    uint64_t rva;

    if (address < e->img.base || address - e->img.base >= e->img.size)
        return NULL;
    rva = address - e->img.base;
    f = function_before(e, rva);
    return f && rva < f->end ? f : NULL;
}

PVOID WINAPI emu_function_table(HANDLE process, DWORD64 address)
{
    struct emu *e = process;
    const struct emu_function *f;

    e->table_calls++;
    f = emu_function_at(e, address);
    if (!f || (e->negative && (f - e->functions) % 2 == 1))
        return NULL;
    return (PVOID)f->entry;
}

DWORD64 WINAPI emu_module_base(HANDLE process, DWORD64 address)
{
    struct emu *e = process;

    e->base_calls++;
    return address >= e->img.base && address - e->img.base < e->img.size ? e->img.base : 0;
}

bool emu_read_u64(struct emu *e, uint64_t address, uint64_t *value)
{
    uint8_t b[8];

    if (uc_mem_read(e->uc, address, b, 8) != UC_ERR_OK)
        return false;
    *value = 0;
    for (int i = 7; i >= 0; i--)
        *value = *value << 8 | b[i];
    return true;
}

void emu_describe_pc(const struct emu *e, uint64_t pc, char *out, size_t out_size)
{
    char name[96] = "?";
    uint64_t rva;
    const struct emu_function *f;

    if (pc < e->img.base || pc - e->img.base >= e->img.size) {
        snprintf(out, out_size, "%#llx (outside the image)", (unsigned long long)pc);
        return;
    }
    rva = pc - e->img.base;
    pe_symbolize(&e->img, (uint32_t)rva, name, sizeof(name));
    f = function_before(e, rva);
    if (!f)
        snprintf(out, out_size, "%#llx %s (no .pdata before it)", (unsigned long long)pc, name);
    else
        snprintf(out, out_size, "%#llx %s (.pdata %#x+%#llx%s)", (unsigned long long)pc, name,
                 f->begin, (unsigned long long)(rva - f->begin),
                 rva < f->end ? "" : ", past its end");
}

/* ---- for the architectures ---- */

bool emu_alloc_functions(struct emu *e, uint32_t rva, unsigned n, size_t entry_size, char *err,
                         size_t err_size)
{
    void *entries = calloc(n, entry_size);

    e->functions = calloc(n, sizeof(*e->functions));
    if (!entries || !e->functions) {
        free(entries);
        snprintf(err, err_size, "out of memory");
        return false;
    }
    e->function_entries = entries;
    /* Read once at load: the table routine then only searches. */
    memcpy(entries, e->img.bytes + rva, (size_t)n * entry_size);
    return true;
}

size_t emu_x86_prefixes(const uint8_t *code, size_t size)
{
    size_t i = 0;

    while (i < size && (code[i] == 0x66 || code[i] == 0x67 || code[i] == 0xF2 || code[i] == 0xF3 ||
                        code[i] == 0x2E || code[i] == 0x3E || code[i] == 0x26 || code[i] == 0x36 ||
                        code[i] == 0x64 || code[i] == 0x65 || code[i] == 0xF0))
        i++;
    return i;
}

unsigned emu_walk_compare(struct emu *e, void *ctx, uint64_t pc, uint64_t sp, uint64_t fp,
                          const struct emu_frame *expected, unsigned count,
                          emu_frame_compare compare, char *why, size_t why_size)
{
    STACKFRAME64 frame;

    memset(&frame, 0, sizeof(frame));
    frame.AddrPC.Offset = pc;
    frame.AddrPC.Mode = AddrModeFlat;
    frame.AddrStack.Offset = sp;
    frame.AddrStack.Mode = AddrModeFlat;
    frame.AddrFrame.Offset = fp;
    frame.AddrFrame.Mode = AddrModeFlat;
    for (unsigned i = 0;; i++) {
        const struct emu_frame *want = &expected[i];
        char detail[240], where[160];
        enum emu_frame_check check;

        if (!StackWalk64(e->arch->machine, e, NULL, &frame, ctx, emu_read_memory,
                         e->framedata ? NULL : emu_function_table,
                         e->framedata ? NULL : emu_module_base, NULL)) {
            if (i == count)
                return count + 1;
            emu_describe_pc(e, i > 0 ? expected[i - 1].pc : 0, where, sizeof(where));
            snprintf(why, why_size, "the walk ended after %u frames (last %s), expected %u", i,
                     where, count);
            return i;
        }
        e->frames++;
        if (i == count) {
            snprintf(why, why_size, "an extra frame %u: pc %#llx sp %#llx", i,
                     (unsigned long long)frame.AddrPC.Offset,
                     (unsigned long long)frame.AddrStack.Offset);
            return count;
        }
        detail[0] = 0;
        check = compare(e, expected, count, i, &frame, ctx, detail, sizeof(detail));
        if (check != EMU_FRAME_RIGHT) {
            emu_describe_pc(e, want->pc, where, sizeof(where));
            snprintf(why, why_size, "frame %u (%s%s): %s", i, where,
                     want->kind == EMU_FRAME_MACHINE ? ", from a machine frame" : "", detail);
            /* A wrong step still walked frame i right. */
            return check == EMU_STEP_WRONG ? i + 1 : i;
        }
    }
}

/* ---- the shadow stack and the state set ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 33);
}

static bool seen_insert(struct emu *e, uint64_t key)
{
    size_t i;

    if (key == 0)
        key = 1;
    if (e->seen_count * 2 >= e->seen_cap) {
        size_t cap = e->seen_cap ? e->seen_cap * 2 : 1 << 16;
        uint64_t *table = calloc(cap, sizeof(*table));
        if (!table)
            abort();
        for (size_t k = 0; k < e->seen_cap; k++) {
            if (!e->seen[k])
                continue;
            for (i = e->seen[k] & (cap - 1); table[i]; i = (i + 1) & (cap - 1))
                ;
            table[i] = e->seen[k];
        }
        free(e->seen);
        e->seen = table;
        e->seen_cap = cap;
    }
    for (i = key & (e->seen_cap - 1); e->seen[i]; i = (i + 1) & (e->seen_cap - 1))
        if (e->seen[i] == key)
            return false;
    e->seen[i] = key;
    e->seen_count++;
    return true;
}

static void stop(struct emu *e, const char *what)
{
    if (!e->failed) {
        e->failed = true;
        snprintf(e->failure, sizeof(e->failure), "%s", what);
    }
    uc_emu_stop(e->uc);
}

static void push_frame(struct emu *e, enum emu_frame_kind kind, uint64_t pc, uint64_t sp)
{
    struct emu_frame *f;

    if (e->depth == EMU_SHADOW_MAX) {
        stop(e, "shadow stack overflow");
        return;
    }
    f = &e->shadow[e->depth];
    f->kind = kind;
    f->pc = pc;
    f->sp = sp;
    f->hash = mix(mix(e->shadow[e->depth - 1].hash, pc), sp);
    e->arch->capture(e, f->regs);
    e->depth++;
    if (e->depth > e->max_depth)
        e->max_depth = e->depth;
}

static const struct emu_mark *mark_at(const struct emu *e, uint64_t pc, bool range)
{
    uint64_t rva = pc - e->img.base;

    for (unsigned i = 0; i < e->img.mark_count; i++) {
        const struct emu_mark *m = &e->img.marks[i];
        if (range ? m->kind == EMU_MARK_UNCHECKED && rva >= m->begin && rva < m->end
                  : m->kind != EMU_MARK_UNCHECKED && rva == m->begin)
            return m;
    }
    return NULL;
}

static void check_state(struct emu *e, uint64_t pc, uint64_t sp)
{
    char why[400];
    unsigned n = 0;

    e->expected[n].kind = EMU_FRAME_CURRENT;
    e->expected[n].pc = pc;
    e->expected[n].sp = sp;
    e->arch->capture(e, e->expected[n].regs);
    n++;
    for (unsigned i = e->depth; i-- > 0;)
        e->expected[n++] = e->shadow[i];

    e->checked++;
    e->walks++;
    e->walk_read_calls = 0;
    if (e->arch->walk_and_compare(e, e->expected, n, why, sizeof(why))) {
        if (snapshot_path && !snapshot_written && n - 1 >= snapshot_depth &&
            e->stack_hi - sp <= SNAPSHOT_MAX_STACK) {
            snapshot_written = emu_write_snapshot(e, snapshot_path, e->expected, n);
            printf("snapshot of a %u-frame state written to %s%s\n", n, snapshot_path,
                   snapshot_written ? "" : " FAILED");
        }
    } else {
        if (e->wrong < EMU_WRONG_KEEP) {
            char where[160];
            emu_describe_pc(e, pc, where, sizeof(where));
            snprintf(e->wrong_text[e->wrong], sizeof(e->wrong_text[0]),
                     "at %s, depth %u: %s", where, n, why);
        }
        e->wrong++;
    }
}

static void hook_code(uc_engine *uc, uint64_t pc, uint32_t size, void *user)
{
    struct emu *e = user;
    uint8_t code[16];
    uint64_t sp;
    const struct emu_mark *m;
    (void)uc;

    if (++e->instructions > INSTRUCTION_LIMIT) {
        stop(e, "instruction limit reached");
        return;
    }
    sp = e->arch->read_sp(e);
    /* A frame is gone once SP is back at (or above) where its caller's SP
     * was: a return, a tail jump's target returning, a longjmp. */
    while (e->depth > 1 && (e->shadow[e->depth - 1].sp < sp ||
                            (e->shadow[e->depth - 1].sp == sp &&
                             (!e->arch->is_return || e->returned))))
        e->depth--;
    if ((m = mark_at(e, pc, false)) != NULL) {
        uint64_t ipc, isp;
        if (!e->arch->machine_frame(e, sp, m->kind == EMU_MARK_MACHINE_FRAME_CODE, &ipc, &isp)) {
            stop(e, "cannot read a machine frame");
            return;
        }
        push_frame(e, EMU_FRAME_MACHINE, ipc, isp);
        e->machine_frames++;
    }
    if (seen_insert(e, mix(mix(e->shadow[e->depth - 1].hash, pc), sp))) {
        if (mark_at(e, pc, true))
            e->unchecked++;
        else
            check_state(e, pc, sp);
    }
    if (size > sizeof(code) || uc_mem_read(e->uc, pc, code, size) != UC_ERR_OK) {
        stop(e, "cannot read the instruction");
        return;
    }
    if (e->arch->is_call(code, size))
        push_frame(e, EMU_FRAME_CALL, pc + size, sp);
    e->returned = e->arch->is_return && e->arch->is_return(code, size);
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                          int64_t value, void *user)
{
    struct emu *e = user;
    char what[160];
    (void)uc;
    (void)value;

    snprintf(what, sizeof(what), "unmapped %s of %d bytes at %#llx",
             type == UC_MEM_FETCH_UNMAPPED ? "fetch" : type == UC_MEM_WRITE_UNMAPPED ? "write" : "read",
             size, (unsigned long long)address);
    if (!(type == UC_MEM_FETCH_UNMAPPED && address == e->sentinel))
        stop(e, what);
    return false;
}

/* ---- one run ---- */

static int compare_functions(const void *a, const void *b)
{
    const struct emu_function *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static const char *framedata_path;

static bool run_image(const char *path, enum emu_read_mode mode, bool negative)
{
    struct emu *e = calloc(1, sizeof(*e));
    const char *mode_name = mode == EMU_READ_PARTIAL ? "partial"
                            : mode == EMU_READ_EXACT ? "exact" : "cap16";
    char err[256];
    uc_err uerr;
    uc_hook code_hook, mem_hook;
    bool ok = false, unsorted = false, sym_session = false;

    if (!e)
        abort();
    e->read_mode = mode;
    e->negative = negative;
    e->framedata = framedata_path;
    e->sentinel = SENTINEL;
    if (!pe_load(path, &e->img, err, sizeof(err))) {
        printf("%s: %s\n", path, err);
        free(e);
        return false;
    }
    for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
        if (arches[i]->machine == e->img.machine)
            e->arch = arches[i];
    if (!e->arch) {
        printf("%s: machine %#x has no runner support yet\n", path, e->img.machine);
        goto out;
    }
    if (!e->arch->load_functions(e, err, sizeof(err))) {
        printf("%s: %s\n", path, err);
        goto out;
    }
    for (unsigned i = 1; i < e->function_count; i++)
        if (e->functions[i].begin < e->functions[i - 1].begin)
            unsorted = true;
    qsort(e->functions, e->function_count, sizeof(*e->functions), compare_functions);
    /* --framedata: our own symbol services, with the PDB found from the
     * image's CodeView record */
    if (e->framedata) {
        if (!SymInitialize((HANDLE)e, NULL, FALSE) ||
            !SymLoadModuleEx((HANDLE)e, NULL, path, NULL, e->img.base, (DWORD)e->img.size, NULL,
                             0)) {
            printf("%s: SymInitialize/SymLoadModuleEx failed (%u)\n", path,
                   (unsigned)GetLastError());
            goto out;
        }
        sym_session = true;
        /* the "loader" module holding the sentinel's call site */
        if (!SymLoadModuleEx((HANDLE)e, NULL, NULL, "emu_loader",
                             e->sentinel - SENTINEL_MODULE_SIZE / 2, SENTINEL_MODULE_SIZE, NULL,
                             0)) {
            printf("%s: SymLoadModuleEx (the sentinel's module) failed (%u)\n", path,
                   (unsigned)GetLastError());
            goto out;
        }
    }

    e->shadow = calloc(EMU_SHADOW_MAX, sizeof(*e->shadow));
    e->expected = calloc(EMU_SHADOW_MAX + 1, sizeof(*e->expected));
    if (!e->shadow || !e->expected)
        abort();
    e->map_size = (e->img.size + 0xFFFull) & ~0xFFFull;
    e->stack_hi = STACK_TOP;
    e->stack_lo = STACK_TOP - STACK_SIZE;
    if ((uerr = uc_open(e->arch->uc_arch, e->arch->uc_mode, &e->uc)) != UC_ERR_OK ||
        (uerr = uc_mem_map(e->uc, e->img.base, e->map_size, UC_PROT_ALL)) != UC_ERR_OK ||
        (uerr = uc_mem_write(e->uc, e->img.base, e->img.bytes, e->img.size)) != UC_ERR_OK ||
        (uerr = uc_mem_map(e->uc, e->stack_lo, STACK_SIZE, UC_PROT_READ | UC_PROT_WRITE)) != UC_ERR_OK) {
        printf("%s: unicorn: %s\n", path, uc_strerror(uerr));
        goto out;
    }
    if (!e->arch->start(e, e->stack_hi, e->sentinel)) {
        printf("%s: cannot set up the entry state\n", path);
        goto out;
    }
    /* The sentinel frame: what the entry point must return to. */
    e->shadow[0].kind = EMU_FRAME_SENTINEL;
    e->shadow[0].pc = e->sentinel;
    memcpy(e->shadow[0].regs, e->start_regs, sizeof(e->start_regs));
    e->depth = 1;

    uc_hook_add(e->uc, &code_hook, UC_HOOK_CODE, (void *)hook_code, e, 1, 0);
    uc_hook_add(e->uc, &mem_hook, UC_HOOK_MEM_UNMAPPED, (void *)hook_unmapped, e, 1, 0);
    uerr = uc_emu_start(e->uc, e->img.base + e->img.entry, e->sentinel, 0, 0);
    if (uerr != UC_ERR_OK && !e->failed) {
        uint64_t pc = 0;
        char where[160];
        uc_reg_read(e->uc, e->arch->uc_arch == UC_ARCH_X86 ? UC_X86_REG_RIP : UC_ARM64_REG_PC, &pc);
        emu_describe_pc(e, pc, where, sizeof(where));
        snprintf(e->failure, sizeof(e->failure), "unicorn: %s at %s", uc_strerror(uerr), where);
        e->failed = true;
    }
    if (!e->failed && !e->arch->finish(e, err, sizeof(err))) {
        e->failed = true;
        snprintf(e->failure, sizeof(e->failure), "%s", err);
    }

    printf("%s [%s] reads=%s: %llu instructions, %llu states checked, %llu wrong, "
           "%llu not checked (marked ranges), %llu machine frames, max depth %llu\n",
           path, e->arch->name, mode_name, (unsigned long long)e->instructions,
           (unsigned long long)e->checked, (unsigned long long)e->wrong,
           (unsigned long long)e->unchecked, (unsigned long long)e->machine_frames,
           (unsigned long long)e->max_depth);
    printf("  %llu frames in %llu walks (%.1f frames/walk); read callbacks %.2f/walk, %.3f/frame; "
           "function-table calls %.2f/frame; module-base calls %.2f/frame\n",
           (unsigned long long)e->frames, (unsigned long long)e->walks,
           e->walks ? (double)e->frames / e->walks : 0.0,
           e->walks ? (double)e->read_calls / e->walks : 0.0,
           e->frames ? (double)e->read_calls / e->frames : 0.0,
           e->frames ? (double)e->table_calls / e->frames : 0.0,
           e->frames ? (double)e->base_calls / e->frames : 0.0);
    if (unsorted)
        printf("  note: the image's .pdata is not sorted (Windows requires it); the runner sorted its copy\n");
    for (uint64_t i = 0; i < e->wrong && i < EMU_WRONG_KEEP; i++)
        printf("  WRONG %s\n", e->wrong_text[i]);
    if (e->failed)
        printf("  FAILED: %s\n", e->failure);
    if (e->checked == 0)
        printf("  FAILED: no state was checked\n");
    if (negative) {
        /* Hidden unwind data may derail the program itself; only a clean
         * run without a single wrong state would mean the check is blind. */
        ok = e->wrong > 0;
        printf("  negative control: %s\n", ok ? "wrong states found, as they must be"
                                                : "NO wrong state found: the comparison is blind");
    } else {
        ok = !e->failed && e->wrong == 0 && e->checked > 0;
    }
out:
    if (sym_session)
        SymCleanup((HANDLE)e);
    if (e->uc)
        uc_close(e->uc);
    pe_free(&e->img);
    free(e->functions);
    free(e->function_entries);
    free(e->shadow);
    free(e->expected);
    free(e->seen);
    free(e);
    return ok;
}

int main(int argc, char **argv)
{
    const char *mode = "all", *path = NULL;
    bool ok = true, negative = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "--negative") == 0)
            negative = true;
        else if (strcmp(argv[i], "--framedata") == 0 && i + 1 < argc)
            framedata_path = argv[++i];
        else if (strcmp(argv[i], "--snapshot") == 0 && i + 1 < argc)
            snapshot_path = argv[++i];
        else if (strcmp(argv[i], "--snapshot-depth") == 0 && i + 1 < argc)
            snapshot_depth = (unsigned)strtoul(argv[++i], NULL, 0);
        else
            path = argv[i];
    }
    if (!path || (strcmp(mode, "all") && strcmp(mode, "partial") && strcmp(mode, "cap16") &&
                  strcmp(mode, "exact"))) {
        fprintf(stderr,
                "usage: %s [--mode partial|cap16|exact|all] [--negative] [--framedata FILE]\n"
                "          [--snapshot FILE --snapshot-depth N] <image.exe>\n",
                argv[0]);
        return 2;
    }
    if (!strcmp(mode, "all") || !strcmp(mode, "partial"))
        ok &= run_image(path, EMU_READ_PARTIAL, negative);
    if (!strcmp(mode, "all") || !strcmp(mode, "cap16"))
        ok &= run_image(path, EMU_READ_CAPPED16, negative);
    if (!strcmp(mode, "all") || !strcmp(mode, "exact"))
        ok &= run_image(path, EMU_READ_EXACT, negative);
    printf("%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
