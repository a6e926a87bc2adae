/*
 * The x86 unwinder: FPO records (every prolog, body and epilog position of a
 * frame-pointer-omitted function, pushed call arguments, saved EBP), NONFPO
 * records, trap and TSS frames, EBP chains (good, broken, cyclic, pointing
 * down, unaligned), frame-0 prolog and epilog instructions, a NULL context,
 * FORCE_FRAMEPTR, the frame fields, and the 32-bit StackWalk above 2 GB.
 */
#include "fake_target.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#define IMAGE 0x80400000u
#define STACK_TOP 0x90010000u
#define E (STACK_TOP - 0x800) /* F's entry ESP in the FPO tests */
#define CALLER_EBP (STACK_TOP - 0x100)
#define JUNK 0xDBDBDBDBu

static struct fake_target t;
static FPO_DATA fpo[8];
static unsigned fpo_count;

static PVOID WINAPI fpo_table(HANDLE process, DWORD64 address)
{
    (void)process;
    for (unsigned i = 0; i < fpo_count; i++)
        if (address >= IMAGE + fpo[i].ulOffStart &&
            address < IMAGE + fpo[i].ulOffStart + fpo[i].cbProcSize)
            return &fpo[i];
    return NULL;
}

static void put32(uint32_t address, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                    (uint8_t)(value >> 24)};
    ft_write(&t, address, b, 4);
}

static void code(uint32_t rva, const char *bytes, size_t n)
{
    ft_write(&t, IMAGE + rva, bytes, n);
}

static FPO_DATA *add_fpo(uint32_t start, uint32_t size, uint32_t locals, uint16_t params,
                         uint8_t prolog, uint8_t regs, bool uses_bp, uint8_t frame)
{
    FPO_DATA *f = &fpo[fpo_count++];
    memset(f, 0, sizeof(*f));
    f->ulOffStart = start;
    f->cbProcSize = size;
    f->cdwLocals = locals;
    f->cdwParams = params;
    f->cbProlog = prolog;
    f->cbRegs = regs;
    f->fUseBP = uses_bp;
    f->cbFrame = frame;
    return f;
}

static int setup(void **state)
{
    (void)state;
    ft_init(&t);
    ft_map_image(&t, IMAGE, 0x10000);
    memset(ft_map(&t, STACK_TOP - 0x10000, 0x10000), 0xDB, 0x10000);
    fpo_count = 0;
    /* C at 0x2000: "call F" whose return address 0x2005 ends C's part in
     * the walk; C has no FPO record, so its frame follows EBP. */
    code(0x2000, "\xE8\x00\x00\x00\x00\x90", 6);
    put32(CALLER_EBP, 0);
    put32(CALLER_EBP + 4, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ft_free(&t);
    return 0;
}

struct walked {
    STACKFRAME64 frame;
    WOW64_CONTEXT context;
};

static unsigned walk(WOW64_CONTEXT *seed, struct walked *out, unsigned max, DWORD flags)
{
    STACKFRAME_EX f;
    WOW64_CONTEXT c = *seed;
    unsigned n = 0;

    memset(&f, 0, sizeof(f));
    f.StackFrameSize = sizeof(f);
    f.AddrPC.Offset = c.Eip;
    f.AddrStack.Offset = c.Esp;
    f.AddrFrame.Offset = c.Ebp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    while (n < max && StackWalkEx(IMAGE_FILE_MACHINE_I386, &t, NULL, &f, &c, ft_read_memory,
                                  fpo_table, ft_module_base, NULL, flags)) {
        memcpy(&out[n].frame, &f, sizeof(out[n].frame));
        out[n].context = c;
        n++;
    }
    return n;
}

static WOW64_CONTEXT regs(uint32_t eip, uint32_t esp, uint32_t ebp)
{
    WOW64_CONTEXT c;
    memset(&c, 0, sizeof(c));
    c.ContextFlags = WOW64_CONTEXT_FULL;
    c.Eip = eip;
    c.Esp = esp;
    c.Ebp = ebp;
    c.Ebx = 0xB0B0;
    c.Esi = 0x5151;
    c.Edi = 0xD1D1;
    return c;
}

/* ---- FPO: F at 0x1000, every position ---- */

static const char f_code[] = "\x83\xEC\x10"         /* 00 sub esp, 0x10 */
                             "\x53\x56\x57"         /* 03 push ebx; push esi; push edi */
                             "\x8B\x44\x24\x20"     /* 06 mov eax, [esp+0x20] */
                             "\x6A\x05"             /* 0A push 5 */
                             "\xE8\x00\x00\x00\x00" /* 0C call G */
                             "\x83\xC4\x04"         /* 11 add esp, 4 */
                             "\x5F\x5E\x5B"         /* 14 pop edi; pop esi; pop ebx */
                             "\x83\xC4\x10"         /* 17 add esp, 0x10 */
                             "\xC2\x08\x00";        /* 1A ret 8 */

static const struct {
    uint8_t offset;
    uint32_t below_entry; /* E - ESP */
    uint8_t saved;        /* registers pushed and not yet popped: 0..3 */
    bool clobbered;       /* registers hold the function's own values */
} f_positions[] = {
    {0x00, 0, 0, false},  {0x03, 16, 0, false}, {0x04, 20, 1, false}, {0x05, 24, 2, false},
    {0x06, 28, 3, false}, {0x0A, 28, 3, true},  {0x0C, 32, 3, true},  {0x11, 32, 3, true},
    {0x14, 28, 3, true},  {0x15, 24, 2, true},  {0x16, 20, 1, true},  {0x17, 16, 0, false},
    {0x1A, 0, 0, false},
};

static void fpo_function(void)
{
    code(0x1000, f_code, sizeof(f_code) - 1);
    add_fpo(0x1000, sizeof(f_code) - 1, 4, 2, 6, 3, false, 0 /* FRAME_FPO */);
}

static void fpo_every_position(void **state)
{
    (void)state;
    fpo_function();
    for (unsigned p = 0; p < sizeof(f_positions) / sizeof(f_positions[0]); p++) {
        uint32_t esp = E - f_positions[p].below_entry;
        WOW64_CONTEXT c = regs(IMAGE + 0x1000 + f_positions[p].offset, esp, CALLER_EBP);
        struct walked w[4];
        unsigned n;

        for (uint32_t a = E - 32; a < E; a += 4)
            put32(a, JUNK);
        put32(E, IMAGE + 0x2005); /* return address, after C's call */
        put32(E + 4, 0xA1);       /* the two arguments F pops */
        put32(E + 8, 0xA2);
        put32(E - 20, 0xB0B0);    /* saved ebx, esi, edi */
        put32(E - 24, 0x5151);
        put32(E - 28, 0xD1D1);
        if (f_positions[p].below_entry == 32)
            put32(E - 32, 5); /* the pushed argument */
        if (f_positions[p].clobbered) {
            c.Ebx = f_positions[p].saved >= 1 ? 0xBAD1 : c.Ebx;
            c.Esi = f_positions[p].saved >= 2 ? 0xBAD2 : c.Esi;
            c.Edi = f_positions[p].saved >= 3 ? 0xBAD3 : c.Edi;
        }
        n = walk(&c, w, 4, 0);
        if (n != 2)
            fail_msg("offset %#x: %u frames", f_positions[p].offset, n);
        if (w[1].context.Eip != IMAGE + 0x2005 || w[1].context.Esp != E + 12 ||
            w[1].context.Ebx != 0xB0B0 || w[1].context.Esi != 0x5151 ||
            w[1].context.Edi != 0xD1D1 || w[1].context.Ebp != CALLER_EBP)
            fail_msg("offset %#x: eip %#x esp %#x ebx %#x esi %#x edi %#x ebp %#x",
                     f_positions[p].offset, w[1].context.Eip, w[1].context.Esp,
                     w[1].context.Ebx, w[1].context.Esi, w[1].context.Edi, w[1].context.Ebp);
        assert_int_equal(w[1].frame.AddrReturn.Offset, 0);
    }
}

static void fpo_as_a_caller_frame(void **state)
{
    (void)state;
    struct walked w[4];
    WOW64_CONTEXT c;

    /* G (no FPO data, EBP frame) called by F at 0x0C with one argument */
    fpo_function();
    code(0x3000, "\x55\x8B\xEC\x90\x5D\xC3", 6);
    for (uint32_t a = E - 32; a < E; a += 4)
        put32(a, JUNK);
    put32(E, IMAGE + 0x2005);
    put32(E - 20, 0xB0B0);
    put32(E - 24, 0x5151);
    put32(E - 28, 0xD1D1);
    put32(E - 32, 5);
    put32(E - 36, IMAGE + 0x1011); /* G's return address */
    put32(E - 40, CALLER_EBP);     /* G's push ebp: F never touched EBP */
    c = regs(IMAGE + 0x3003, E - 40, E - 40);
    c.Ebx = 0xBAD1;
    assert_int_equal(walk(&c, w, 4, 0), 3);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x1011);
    assert_int_equal(w[1].context.Esp, E - 32);
    assert_int_equal(w[2].frame.AddrPC.Offset, IMAGE + 0x2005);
    assert_int_equal(w[2].context.Esp, E + 12);
    assert_int_equal(w[2].context.Ebx, 0xB0B0);
    assert_int_equal(w[2].context.Edi, 0xD1D1);
    /* F's FPO frame base: [AddrFrame + 4] is its return address */
    assert_int_equal(w[1].frame.AddrFrame.Offset, E - 4);
    assert_int_equal(w[1].frame.Params[0], 0xDBDBDBDBu); /* F's caller's arguments */
    assert_non_null(w[1].frame.FuncTableEntry);
}

static void fpo_with_saved_ebp(void **state)
{
    (void)state;
    /* push ebp; push ebx; sub esp, 8: EBP is a general register here */
    static const char h[] = "\x55\x53\x83\xEC\x08\x8B\xE8\x90\x83\xC4\x08\x5B\x5D\xC3";
    struct walked w[4];
    WOW64_CONTEXT c;

    code(0x1400, h, sizeof(h) - 1);
    add_fpo(0x1400, sizeof(h) - 1, 2, 0, 5, 2, true, 0);
    put32(E, IMAGE + 0x2005);
    put32(E - 4, CALLER_EBP);
    put32(E - 8, 0xB0B0);
    c = regs(IMAGE + 0x1407, E - 16, 0x1234); /* after mov ebp, eax */
    c.Ebx = 0xBAD1;
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    assert_int_equal(w[1].context.Ebx, 0xB0B0);
    assert_int_equal(w[1].context.Esp, E + 4);
}

static void fpo_cdecl_leaves_arguments_to_the_caller(void **state)
{
    (void)state;
    /* sub esp, 8; push esi; nop; pop esi; add esp, 8; ret: cdecl, one
     * parameter in the record, which the caller pops */
    static const char g[] = "\x83\xEC\x08\x56\x90\x5E\x83\xC4\x08\xC3";
    struct walked w[4];
    WOW64_CONTEXT c;

    code(0x1600, g, sizeof(g) - 1);
    add_fpo(0x1600, sizeof(g) - 1, 2, 1, 4, 1, false, 0);
    put32(E, IMAGE + 0x2005);
    put32(E + 4, 0xA1);
    put32(E - 12, 0x5151);
    c = regs(IMAGE + 0x1604, E - 12, CALLER_EBP);
    c.Esi = 0xBAD2;
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Esp, E + 4); /* not E + 8: the argument stays */
    assert_int_equal(w[1].context.Esi, 0x5151);
}

static void nonfpo_record(void **state)
{
    (void)state;
    /* push ebp; mov ebp, esp; sub esp, 8; push esi; ... ; pop esi; leave; ret */
    static const char n_code[] = "\x55\x8B\xEC\x83\xEC\x08\x56\x90\x5E\xC9\xC3";
    static const struct {
        uint8_t offset;
        uint32_t below_entry;
        uint32_t ebp;
    } pos[] = {{0, 0, CALLER_EBP}, {1, 4, CALLER_EBP}, {3, 4, E - 4}, {6, 12, E - 4},
               {7, 16, E - 4},     {8, 16, E - 4},     {9, 12, E - 4}, {10, 0, CALLER_EBP}};

    code(0x1800, n_code, sizeof(n_code) - 1);
    add_fpo(0x1800, sizeof(n_code) - 1, 2, 0, 7, 1, false, 3 /* FRAME_NONFPO */);
    put32(E, IMAGE + 0x2005);
    put32(E - 4, CALLER_EBP);
    put32(E - 16, 0x5151);
    for (unsigned p = 0; p < sizeof(pos) / sizeof(pos[0]); p++) {
        struct walked w[4];
        WOW64_CONTEXT c = regs(IMAGE + 0x1800 + pos[p].offset, E - pos[p].below_entry, pos[p].ebp);
        if (pos[p].offset == 8)
            c.Esi = 0xBAD2;
        if (walk(&c, w, 4, 0) != 2 || w[1].context.Eip != IMAGE + 0x2005 ||
            w[1].context.Esp != E + 4 || w[1].context.Ebp != CALLER_EBP ||
            w[1].context.Esi != 0x5151)
            fail_msg("offset %u: eip %#x esp %#x ebp %#x esi %#x", pos[p].offset,
                     w[1].context.Eip, w[1].context.Esp, w[1].context.Ebp, w[1].context.Esi);
    }
}

static void trap_frame(void **state)
{
    (void)state;
    struct walked w[4];
    uint32_t tf = E - 0x100;
    WOW64_CONTEXT c;

    code(0x1C00, "\x90\x90\x90\x90", 4);
    add_fpo(0x1C00, 4, 0, 0, 0, 0, false, 1 /* FRAME_TRAP */);
    put32(tf + 0x68, IMAGE + 0x1000);  /* the trapped EIP: F's first byte */
    put32(tf + 0x60, CALLER_EBP);
    put32(tf + 0x5C, 0xB0B0);
    put32(tf + 0x6C, 0x1B);            /* user-mode CS */
    put32(tf + 0x70, 0x202);
    put32(tf + 0x74, E);               /* the user stack */
    fpo_function();
    put32(E, IMAGE + 0x2005);
    c = regs(IMAGE + 0x1C02, tf - 0x20, tf);
    assert_int_equal(walk(&c, w, 4, 0), 3);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x1000);
    assert_int_equal(w[1].context.Esp, E);
    assert_int_equal(w[1].context.Ebx, 0xB0B0);
    assert_int_equal(w[2].frame.AddrPC.Offset, IMAGE + 0x2005);
}

static void tss_frame_ends(void **state)
{
    (void)state;
    struct walked w[4];
    WOW64_CONTEXT c;

    code(0x1C00, "\x90\x90\x90\x90", 4);
    add_fpo(0x1C00, 4, 0, 0, 0, 0, false, 2 /* FRAME_TSS */);
    c = regs(IMAGE + 0x1C02, E, E + 0x10);
    put32(E + 0x10, CALLER_EBP);
    put32(E + 0x14, IMAGE + 0x2005);
    assert_int_equal(walk(&c, w, 4, 0), 1);
    assert_int_equal(w[0].frame.AddrReturn.Offset, 0);
}

static void module_base_zero_with_fpo(void **state)
{
    (void)state;
    struct walked w[4];
    WOW64_CONTEXT c;

    fpo_function();
    t.module_base_answer = 0;
    c = regs(IMAGE + 0x1006, E - 28, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 1);
}

/* ---- EBP chains ---- */

/* Three EBP frames: H0 (frame 0, body) -> H1 -> H2 -> 0. */
static WOW64_CONTEXT ebp_chain(uint32_t *ebp)
{
    ebp[0] = STACK_TOP - 0x600;
    ebp[1] = STACK_TOP - 0x500;
    ebp[2] = STACK_TOP - 0x400;
    code(0x2100, "\x90\x90\x90\x90", 4);
    put32(ebp[0], ebp[1]);
    put32(ebp[0] + 4, IMAGE + 0x2005);
    put32(ebp[1], ebp[2]);
    put32(ebp[1] + 4, IMAGE + 0x2005);
    put32(ebp[2], 0);
    put32(ebp[2] + 4, 0);
    for (unsigned i = 0; i < 4; i++)
        put32(ebp[0] + 8 + 4 * i, 0xAA00 + i);
    return regs(IMAGE + 0x2101, ebp[0] - 0x20, ebp[0]);
}

static void ebp_chain_good(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    struct walked w[8];

    assert_int_equal(walk(&c, w, 8, 0), 3);
    assert_int_equal(w[0].frame.AddrFrame.Offset, ebp[0]);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(w[0].frame.Params[i], 0xAA00 + i);
    assert_int_equal(w[0].frame.AddrReturn.Offset, IMAGE + 0x2005);
    assert_int_equal(w[1].context.Ebp, ebp[1]);
    assert_int_equal(w[1].context.Esp, ebp[0] + 8);
    assert_int_equal(w[2].context.Ebp, ebp[2]);
    assert_int_equal(w[2].frame.AddrReturn.Offset, 0);
    assert_false(w[0].frame.Far);
    assert_true(w[0].frame.Virtual);
}

static void ebp_chain_null_context(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    STACKFRAME64 f;
    unsigned n = 0;

    memset(&f, 0, sizeof(f));
    f.AddrPC.Offset = c.Eip;
    f.AddrStack.Offset = c.Esp;
    f.AddrFrame.Offset = c.Ebp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    while (StackWalk64(IMAGE_FILE_MACHINE_I386, &t, NULL, &f, NULL, ft_read_memory, fpo_table,
                       ft_module_base, NULL)) {
        assert_true(n < 3);
        assert_int_equal(f.AddrFrame.Offset, ebp[n]);
        n++;
    }
    assert_int_equal(n, 3);
}

static void ebp_chain_broken(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    struct walked w[8];

    /* frame 2 is reached with a bad EBP, reported, and is the last */
    put32(ebp[1], 0x10); /* points to unmapped memory */
    assert_int_equal(walk(&c, w, 8, 0), 3);
    assert_int_equal(w[2].frame.AddrReturn.Offset, 0);
}

static void ebp_chain_cyclic(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    struct walked w[8];

    put32(ebp[1], ebp[0]); /* back down to the first frame */
    assert_int_equal(walk(&c, w, 8, 0), 3);
    assert_int_equal(w[2].frame.AddrReturn.Offset, 0);
    put32(ebp[1], ebp[1]); /* to itself */
    assert_int_equal(walk(&c, w, 8, 0), 3);
    assert_int_equal(w[2].frame.AddrReturn.Offset, 0);
}

static void ebp_chain_unaligned(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    struct walked w[8];

    put32(ebp[1], ebp[2] + 2);
    assert_int_equal(walk(&c, w, 8, 0), 3);
    assert_int_equal(w[2].frame.AddrReturn.Offset, 0);
}

/* ---- frame 0 at prolog and epilog instructions ---- */

static void frame0_prolog_and_epilog(void **state)
{
    (void)state;
    /* K: push ebp; mov ebp, esp; push ebx; ...; pop ebx; leave; ret 4 */
    static const char k[] = "\x55\x8B\xEC\x53\x90\x5B\xC9\xC2\x04\x00";
    struct walked w[4];
    WOW64_CONTEXT c;

    code(0x2200, k, sizeof(k) - 1);
    put32(E, IMAGE + 0x2005);
    put32(E - 4, CALLER_EBP);
    put32(E - 8, 0xB0B0);
    /* at push ebp */
    c = regs(IMAGE + 0x2200, E, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Esp, E + 4);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    /* at mov ebp, esp: EBP not yet set */
    c = regs(IMAGE + 0x2201, E - 4, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Esp, E + 4);
    /* at pop ebx */
    c = regs(IMAGE + 0x2205, E - 8, E - 4);
    c.Ebx = 0xBAD1;
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Ebx, 0xB0B0);
    assert_int_equal(w[1].context.Esp, E + 8);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    /* at leave */
    c = regs(IMAGE + 0x2206, E - 4, E - 4);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    assert_int_equal(w[1].context.Esp, E + 8);
    /* at ret 4 */
    c = regs(IMAGE + 0x2207, E, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].context.Esp, E + 8);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x2005);
}

/* gcc schedules instructions into prologs and after leave: register-only
 * instructions are stepped over (found by the x86 emulator proof). */
static void frame0_scheduled_prolog_and_epilog(void **state)
{
    (void)state;
    /* push ebp; mov eax, 3; mov ebp, esp; nop; leave; add eax, 1; adc edx, 0; ret 4 */
    static const char k[] = "\x55\xB8\x03\x00\x00\x00\x89\xE5\x90\xC9\x83\xC0\x01\x83\xD2\x00"
                            "\xC2\x04\x00";
    struct walked w[4];
    WOW64_CONTEXT c;

    code(0x2300, k, sizeof(k) - 1);
    put32(E, IMAGE + 0x2005);
    put32(E - 4, CALLER_EBP);
    /* at push ebp, with mov eax, 3 before mov ebp, esp */
    c = regs(IMAGE + 0x2300, E, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x2005);
    assert_int_equal(w[1].context.Esp, E + 4);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    /* at mov eax, 3: pushed, EBP not yet set ([ESP] = EBP) */
    c = regs(IMAGE + 0x2301, E - 4, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x2005);
    assert_int_equal(w[1].context.Esp, E + 4);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    /* at add eax, 1 after leave: the frame is gone, ret 4 ahead */
    c = regs(IMAGE + 0x230A, E, CALLER_EBP);
    assert_int_equal(walk(&c, w, 4, 0), 2);
    assert_int_equal(w[1].frame.AddrPC.Offset, IMAGE + 0x2005);
    assert_int_equal(w[1].context.Esp, E + 8);
    assert_int_equal(w[1].context.Ebp, CALLER_EBP);
    /* a write to ESP is not stepped over: mov esp, eax then ret */
    code(0x2400, "\x89\xC4\xC3", 3);
    put32(E, IMAGE + 0x2005);
    c = regs(IMAGE + 0x2400, E, CALLER_EBP);
    /* not simulated: the EBP chain from CALLER_EBP, whose [EBP + 4] is 0 */
    assert_int_equal(walk(&c, w, 4, 0), 1);
}

static void force_frameptr_ignores_fpo(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    struct walked w[8];

    /* an FPO record that would send the walk elsewhere */
    add_fpo(0x2100, 4, 0, 0, 0, 0, false, 2 /* TSS: would end the walk */);
    assert_int_equal(walk(&c, w, 8, 0), 1);
    assert_int_equal(walk(&c, w, 8, SYM_STKWALK_FORCE_FRAMEPTR), 3);
}

static void stackwalk32_above_2gb(void **state)
{
    (void)state;
    uint32_t ebp[3];
    WOW64_CONTEXT c = ebp_chain(ebp);
    STACKFRAME32 f;
    unsigned n = 0;

    memset(&f, 0, sizeof(f));
    f.AddrPC.Offset = c.Eip;
    f.AddrStack.Offset = c.Esp;
    f.AddrFrame.Offset = c.Ebp;
    f.AddrPC.Mode = f.AddrStack.Mode = f.AddrFrame.Mode = AddrModeFlat;
    while (StackWalk(IMAGE_FILE_MACHINE_I386, &t, NULL, &f, &c, ft_read_memory32, NULL,
                     ft_module_base32, NULL)) {
        assert_true(n < 3);
        assert_int_equal(f.AddrFrame.Offset, ebp[n]);
        if (n < 2)
            assert_int_equal(f.AddrReturn.Offset, IMAGE + 0x2005);
        n++;
    }
    assert_int_equal(n, 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(fpo_every_position),
        T(fpo_as_a_caller_frame),
        T(fpo_with_saved_ebp),
        T(fpo_cdecl_leaves_arguments_to_the_caller),
        T(nonfpo_record),
        T(trap_frame),
        T(tss_frame_ends),
        T(module_base_zero_with_fpo),
        T(ebp_chain_good),
        T(ebp_chain_null_context),
        T(ebp_chain_broken),
        T(ebp_chain_cyclic),
        T(ebp_chain_unaligned),
        T(frame0_prolog_and_epilog),
        T(frame0_scheduled_prolog_and_epilog),
        T(force_frameptr_ignores_fpo),
        T(stackwalk32_above_2gb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
