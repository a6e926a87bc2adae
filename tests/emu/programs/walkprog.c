/* The emulator proof's test program: freestanding C, no CRT, no imports.
 *
 * Every function below is here for a shape of code the stack walker must
 * handle at every instruction: deep and mutual recursion, callee-saved
 * integer and XMM registers live across calls, VLAs/alloca (frame pointer),
 * frames of ~9 KB, ~70 KB and ~600 KB (stack probes, both large-allocation
 * encodings), several returns, sibling/tail calls, calls through pointers,
 * variadic functions, leaves, and a noreturn call ending a function.  The
 * architecture-specific pieces (machine frames, far saves, chained unwind
 * data, the stack probe, setjmp/longjmp) are in <arch>_special.S.
 *
 * Results are checked against independent computations where that is easy;
 * the entry returns EMU_OK in the low 16 bits when they all agree, and a
 * checksum of everything in the high 32 bits.  Inputs come from volatile
 * globals so that no optimisation level can fold the calls away. */

typedef unsigned long long u64;
typedef __SIZE_TYPE__ size_t;

#define EMU_OK 0x600Du
#define EMU_BAD 0x0BADu

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noipa))
#endif
#define NORETURN __attribute__((noreturn))

/* The MSVC target references this when floating point is used. */
int _fltused = 0;

/* Compilers may emit calls to these for copies and clears. */
void *memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const volatile unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

volatile u64 g_in[16] = {
    0x0123456789ABCDEFull, 3, 0x55AA55AA55AA55AAull, 17, 0xFEDCBA9876543210ull, 41,
    0x1111111111111111ull, 7, 0x8000000000000001ull, 99, 5, 6, 7, 8, 9, 10,
};
volatile double g_fin[12] = {1.5, 2.25, -3.125, 4.0, 0.5, 6.75, -7.5, 8.125, 9.0, -10.5, 11.25, 0.75};
volatile u64 g_out;

/* ---- set by the special assembly file ---- */
struct emu_jmp {
    u64 gpr[10];  /* rbx rbp rsi rdi r12-r15 rsp rip */
    u64 xmm[20];  /* xmm6-xmm15 */
};
__attribute__((returns_twice)) int emu_setjmp(struct emu_jmp *jb);
NORETURN void emu_longjmp(struct emu_jmp *jb, int value);
NORETURN void asm_die(struct emu_jmp *jb, int value);
u64 emu_fake_interrupt(u64 arg);
u64 emu_fake_exception(u64 arg);
u64 big_frame_asm(u64 x);
u64 fp_offset_asm(u64 x);
u64 fp_first_asm(u64 x);
u64 chained_asm(u64 x);

/* ---- leaves and a simple non-leaf ---- */
NOINLINE u64 leaf_mix(u64 x)
{
    x ^= x >> 29;
    x *= 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 32);
}

NOINLINE u64 opaque(u64 x)
{
    return leaf_mix(x + g_in[1]) + 1;
}

/* ---- deep recursion (not a tail call: work after the call) ---- */
NOINLINE u64 deep(u64 n)
{
    volatile u64 local[3];
    u64 r;

    local[0] = n;
    local[2] = n * 3;
    if (n == 0)
        return leaf_mix(g_in[0]);
    r = deep(n - 1);
    return (r ^ (r >> 3)) + local[0] + local[2];
}

static u64 deep_ref(u64 n)
{
    u64 r = leaf_mix(g_in[0]);
    for (u64 i = 1; i <= n; i++)
        r = (r ^ (r >> 3)) + i + i * 3;
    return r;
}

/* ---- mutual recursion with different frame shapes ---- */
NOINLINE u64 pong(u64 n, u64 acc);

NOINLINE u64 ping(u64 n, u64 acc)
{
    volatile unsigned char pad[40];
    u64 r;

    if (n == 0)
        return acc;
    pad[n % 40] = (unsigned char)n;
    r = pong(n - 1, acc * 31 + n);
    return r + pad[n % 40];
}

NOINLINE u64 pong(u64 n, u64 acc)
{
    u64 a, b, r;

    if (n == 0)
        return acc ^ 0x55;
    a = g_in[2] + n;
    b = g_in[3] ^ acc;
    r = ping(n - 1, a + b);
    return r ^ a ^ (b << 1);
}

/* ---- many integer values live across calls: every callee-saved register ---- */
NOINLINE u64 many_live(u64 a)
{
    u64 v0 = g_in[0] * a, v1 = g_in[1] + a, v2 = g_in[2] ^ a, v3 = g_in[3] * (a + 1);
    u64 v4 = g_in[4] - a, v5 = g_in[5] | a, v6 = g_in[6] & ~a, v7 = g_in[7] * 3 + a;
    u64 v8 = g_in[8] + 7 * a, v9 = g_in[9] ^ (a << 2), v10 = g_in[10] * v0;
    u64 r = opaque(a);

    r += v0;
    r ^= v1;
    r += v2 * v3;
    r ^= v4 + v5;
    r = opaque(r + v6);
    r += v7 ^ v8;
    r ^= v9 + v10;
    r = opaque(r) + v0 * v1 + v2 * v3 + v4 * v5 + v6 * v7 + v8 * v9 + v10;
    return r;
}

/* ---- floating-point values live across calls: XMM6-XMM15 ---- */
NOINLINE double fp_leaf(double x)
{
    return x * 1.5 + 0.25;
}

NOINLINE u64 fp_live(u64 a)
{
    double s = (double)(a & 0xFF);
    double d0 = g_fin[0] * s, d1 = g_fin[1] + s, d2 = g_fin[2] - s, d3 = g_fin[3] * s;
    double d4 = g_fin[4] + s, d5 = g_fin[5] * 0.5, d6 = g_fin[6] + 1.0, d7 = g_fin[7] - s;
    double d8 = g_fin[8] * 2.0, d9 = g_fin[9] + s, d10 = g_fin[10] * s, d11 = g_fin[11] + s;
    double r = fp_leaf(d0 + d11);

    r += d0 * d1 + d2 * d3 + d4 * d5 + d6 * d7 + d8 * d9 + d10 * d11;
    r += fp_leaf(r * 0.125);
    r += d0 - d1 + d2 - d3 + d4 - d5 + d6 - d7 + d8 - d9 + d10 - d11;
    return (u64)(long long)r;
}

/* ---- VLA and alloca: a frame pointer and dynamic probes ---- */
NOINLINE u64 touch_bytes(volatile unsigned char *p, u64 n)
{
    p[0] += 1;
    p[n - 1] += 2;
    return leaf_mix(p[0] + p[n - 1] + n);
}

NOINLINE u64 vla_fn(u64 n)
{
    volatile unsigned char buf[n];
    u64 r;

    buf[0] = 1;
    buf[n - 1] = 2;
    buf[n / 2] = 3;
    r = touch_bytes(buf, n);
    return r + buf[n / 2] + buf[0];
}

NOINLINE u64 alloca_fn(u64 n)
{
    volatile unsigned char *a = __builtin_alloca(n);
    volatile unsigned char *b;
    u64 r;

    a[0] = 5;
    a[n - 1] = 6;
    r = touch_bytes(a, n);
    b = __builtin_alloca(n * 2 + 8);
    b[0] = 7;
    b[n * 2 + 7] = 8;
    r += touch_bytes(b, n * 2 + 8);
    return r + a[0];
}

/* ---- big fixed frames: probes and the large-allocation encodings ---- */
NOINLINE u64 frame_9k(u64 x)
{
    volatile unsigned char buf[9000];
    buf[0] = (unsigned char)x;
    buf[x % 9000] = 9;
    buf[8999] = 1;
    return opaque(buf[x % 9000] + buf[0] + buf[8999]);
}

NOINLINE u64 frame_70k(u64 x)
{
    volatile unsigned char buf[70000];
    buf[0] = (unsigned char)x;
    buf[x % 70000] = 70;
    buf[69999] = 2;
    return opaque(buf[x % 70000] + buf[0] + buf[69999]) + frame_9k(x + 1);
}

NOINLINE u64 frame_600k(u64 x)
{
    volatile unsigned char buf[600000];
    buf[0] = (unsigned char)x;
    buf[x % 600000] = 60;
    buf[599999] = 3;
    return opaque(buf[x % 600000] + buf[0] + buf[599999]) ^ frame_70k(x);
}

/* ---- several early returns: several epilogs ---- */
NOINLINE u64 multi_exit(u64 k)
{
    u64 a = g_in[k & 7], b = g_in[(k + 1) & 7], c = g_in[(k + 2) & 7];
    u64 r, t;

    if (k == 0)
        return opaque(a) + b;
    r = opaque(a ^ c);
    if (k == 1)
        return r + a + b + c;
    if (r & 1) {
        u64 s = opaque(r + b);
        if (k == 2)
            return s ^ a;
        r += s * c;
    }
    if (k == 3)
        return r - b;
    if (k == 4) {
        t = many_live(r);
        return t * a + c;
    }
    t = opaque(r * a);
    return t + b + c;
}

/* ---- sibling and tail calls ---- */
NOINLINE u64 tail_target(u64 x, u64 y)
{
    return leaf_mix(x) ^ y;
}

NOINLINE u64 tail_simple(u64 x)
{
    return tail_target(x + 1, x);
}

NOINLINE u64 tail_with_frame(u64 x)
{
    u64 a = g_in[4] + x;
    u64 b = opaque(a);
    return tail_target(a, b);
}

/* ---- calls through function pointers (and a tail call through one) ---- */
typedef u64 (*fn_t)(u64);
NOINLINE u64 via_deep(u64 x)
{
    return deep(x & 7) + 1;
}
fn_t const g_fns[4] = {leaf_mix, opaque, via_deep, tail_simple};
fn_t volatile g_fnp = opaque;

NOINLINE u64 via_pointers(u64 x)
{
    u64 r = 0;
    for (u64 i = 0; i < 4; i++)
        r += g_fns[(x + i) & 3](x + i);
    r += g_fnp(r);
    return g_fns[x & 3](r);
}

/* ---- variadic functions ---- */
NOINLINE u64 vsum(int n, ...)
{
    __builtin_va_list ap;
    u64 s = 0;

    __builtin_va_start(ap, n);
    for (int i = 0; i < n; i++)
        s = s * 3 + __builtin_va_arg(ap, u64);
    __builtin_va_end(ap);
    return opaque(s);
}

NOINLINE double vfsum(int n, ...)
{
    __builtin_va_list ap;
    double s = 0;

    __builtin_va_start(ap, n);
    for (int i = 0; i < n; i++)
        s = s * 0.5 + __builtin_va_arg(ap, double);
    __builtin_va_end(ap);
    return fp_leaf(s);
}

/* ---- a noreturn call as the last instruction of a function ---- */
static struct emu_jmp g_jb;

NORETURN NOINLINE void die(u64 why)
{
    g_out = why;
    emu_longjmp(&g_jb, (int)(why & 0xFF) | 1);
}

NOINLINE u64 throw_deep(u64 n)
{
    volatile u64 keep = n * 5;
    if (n == 0)
        die(g_in[5]);
    return throw_deep(n - 1) + keep;
}

NOINLINE u64 catcher(u64 n)
{
    volatile u64 keep = n;
    int got = emu_setjmp(&g_jb);
    if (got == 0)
        return throw_deep(n) + 1000; /* never returns normally */
    return keep * 100 + (u64)got + g_out;
}

NOINLINE u64 asm_catcher(u64 n)
{
    volatile u64 keep = n;
    int got = emu_setjmp(&g_jb);
    if (got == 0) {
        opaque(n);
        asm_die(&g_jb, (int)n);
    }
    return keep + (u64)got;
}

/* ---- called from the hand-written machine-frame handlers ---- */
NOINLINE u64 interrupt_work(u64 arg)
{
    return deep(arg & 3) + many_live(arg);
}

NOINLINE u64 exception_work(u64 arg)
{
    return fp_live(arg) + vsum(3, arg, arg + 1, arg + 2);
}

#if defined(__i386__)
/* ---- x86 only: a stdcall C function (the callee pops its arguments) and
 * the hand-written functions of x86_special.S that have FPO_DATA ---- */
typedef unsigned int u32;
u32 __attribute__((stdcall)) emu_fpo_std(u32 a, u32 b);
u32 fpo_ebp_asm(u32 x);
u32 nonfpo_asm(u32 x);

NOINLINE u64 __attribute__((stdcall)) std_fn(u64 a, u64 b)
{
    u64 r = opaque(a) ^ b;
    return r + a * 3;
}

/* Called from the assembly: C frames above and below FPO frames. */
NOINLINE u32 fpo_callee(u32 a, u32 b)
{
    return (u32)opaque(a ^ ((u64)b << 7)) + a;
}

static u32 fpo_ebp_ref(u32 x)
{
    return fpo_callee(x + 0x1234, x) + (x + 0x1234) + x;
}

NOINLINE u64 x86_asm_checks(u64 round, u64 *ok)
{
    u32 a = (u32)round + 0x1001, b = 0x77, f, v, w;

    v = emu_fpo_std(a, b);
    f = fpo_callee(a, b);
    *ok &= v == f + fpo_ebp_ref(f ^ b) + a + b;
    w = nonfpo_asm(a);
    *ok &= w == fpo_callee(a, 7) + a * 5;
    return (u64)v << 32 | w;
}
#endif

/* ---- the entry ---- */
static u64 fold(u64 sum, u64 v)
{
    return (sum ^ v) * 0x100000001B3ull;
}

NOINLINE u64 run_all(u64 round)
{
    u64 ok = 1, sum = 0x1234 + round, v;

    v = deep(24);
    ok &= v == deep_ref(24);
    sum = fold(sum, v);
    if (round == 0) {
        v = deep(150); /* a deep stack, once: each of its states is a 150-frame walk */
        ok &= v == deep_ref(150);
        sum = fold(sum, v);
    }
    sum = fold(sum, ping(13, round));
    sum = fold(sum, many_live(round + 5));
    v = fp_live(round + 9);
    ok &= v == fp_live(round + 9);
    sum = fold(sum, v);
    sum = fold(sum, vla_fn(40 + round));
    sum = fold(sum, vla_fn(5000));
    sum = fold(sum, alloca_fn(24 + round));
    sum = fold(sum, frame_600k(round + 123456));
    for (u64 k = 0; k < 6; k++)
        sum = fold(sum, multi_exit(k));
    v = tail_simple(round);
    ok &= v == (leaf_mix(round + 1) ^ round);
    sum = fold(sum, v);
    sum = fold(sum, tail_with_frame(round));
    sum = fold(sum, via_pointers(round + 2));
    v = vsum(5, (u64)1, (u64)2, (u64)3, (u64)4, (u64)5 + round);
    ok &= v == opaque(((((1 * 3 + 2) * 3 + 3) * 3 + 4) * 3) + 5 + round);
    sum = fold(sum, v);
    sum = fold(sum, (u64)(long long)vfsum(4, 1.0, 2.0, 3.0, (double)round));
    v = catcher(6);
    ok &= v == 600 + ((g_in[5] & 0xFF) | 1) + g_in[5];
    sum = fold(sum, v);
    v = asm_catcher(9);
    ok &= v == 9 + 9;
    sum = fold(sum, v);
#if defined(__i386__)
    v = std_fn(round + 11, round * 7);
    ok &= v == ((opaque(round + 11) ^ (round * 7)) + (round + 11) * 3);
    sum = fold(sum, v);
    sum = fold(sum, x86_asm_checks(round, &ok));
#else
    sum = fold(sum, emu_fake_interrupt(round + 3));
    sum = fold(sum, emu_fake_exception(round + 4));
    sum = fold(sum, big_frame_asm(round + 5));
    sum = fold(sum, fp_offset_asm(round + 6));
    sum = fold(sum, fp_first_asm(round + 7));
    sum = fold(sum, chained_asm(round + 8));
    sum = fold(sum, chained_asm(round + 9));
#endif
    g_out = sum;
    return ok;
}

u64 emu_entry(void)
{
    u64 ok = run_all(0);
    ok &= run_all(1);
    return (ok ? EMU_OK : EMU_BAD) | ((g_out ^ (g_out >> 32)) << 32);
}
