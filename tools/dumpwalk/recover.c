/*
 * Frames the unwind rules cannot give, found two ways:
 *
 * - the CET shadow stack: with user-mode shadow stacks on (Windows 11's
 *   "hardware-enforced stack protection"), every call also pushes its return
 *   address on a second stack the program cannot write. The thread context
 *   a dump holds carries the shadow-stack pointer in its XSAVE area (CET_U,
 *   component 11); where the dump also holds that memory, the true return
 *   addresses are known, innermost first. They check every frame, and with
 *   --scan give the callers the unwind rules could not reach, exactly.
 * - the stack scan (--scan only), with Breakpad's safeguards: a candidate
 *   word must point into a module just after a call instruction, and the
 *   instruction's bytes must be in the dump or an image; only a bounded
 *   number of words are looked at.
 */
#include "dumpwalk.h"

#include <string.h>

/* CONTEXT_EX, right after the x64 CONTEXT: offsets from itself. */
#define CONTEXT_EX_AT 0x4d0u
#define XSTATE_HEADER_SIZE 64u
#define XSTATE_CET_U 11u
#define XSTATE_COMPACTED (1ull << 63)

/* Bytes of the user XSAVE components that may precede CET_U in the compacted
 * layout (Intel SDM vol. 1, 13.4.3): AVX, the two MPX ones, the three
 * AVX-512 ones, PT (supervisor, never in a user context), PKRU, PASID. */
static const unsigned xstate_sizes[XSTATE_CET_U] = {0, 0, 256, 64, 64, 64, 512, 1024, 0, 8, 8};

int read_shadow_stack(struct dump *d, const uint8_t *bytes, size_t size, struct shadow_stack *s)
{
    int32_t xstate_offset;
    uint32_t xstate_length;
    uint64_t mask, compaction, at, u_cet;
    size_t header, component;

    memset(s, 0, sizeof(*s));
    if (d->machine != IMAGE_FILE_MACHINE_AMD64 || size < CONTEXT_EX_AT + 24)
        return 0;
    xstate_offset = (int32_t)le32(bytes + CONTEXT_EX_AT + 16);
    xstate_length = le32(bytes + CONTEXT_EX_AT + 20);
    if (xstate_offset < 0 || xstate_length < XSTATE_HEADER_SIZE ||
        (size_t)xstate_offset > size - CONTEXT_EX_AT ||
        xstate_length > size - CONTEXT_EX_AT - (size_t)xstate_offset)
        return 0;
    header = CONTEXT_EX_AT + (size_t)xstate_offset;
    mask = le64(bytes + header);
    compaction = le64(bytes + header + 8);
    /* only the compacted form (what Windows saves) places components without
     * the CPU's CPUID table */
    if (!(mask & (1ull << XSTATE_CET_U)) || !(compaction & XSTATE_COMPACTED))
        return 0;
    component = header + XSTATE_HEADER_SIZE;
    for (unsigned i = 2; i < XSTATE_CET_U; i++)
        if (compaction & (1ull << i))
            component += xstate_sizes[i];
    if (component + 16 > header + xstate_length)
        return 0;
    u_cet = le64(bytes + component);
    s->ssp = le64(bytes + component + 8);
    if (!(u_cet & 1) || !s->ssp) /* SH_STK_EN off: no shadow stack */
        return 0;
    for (at = s->ssp; s->count < SHADOW_STACK_MAX && at >= s->ssp; at += 8) {
        uint64_t value;
        if (!peek_pointer(d, at, 8, &value))
            break;
        s->entries[s->count++] = value;
    }
    return s->count > 0;
}

int find_stack_word(struct dump *d, uint64_t from, unsigned words, uint64_t value,
                    uint64_t *slot)
{
    unsigned size = d->machine == IMAGE_FILE_MACHINE_I386 ? 4 : 8;
    uint64_t word;

    for (unsigned i = 0; i < words; i++) {
        uint64_t at = from + (uint64_t)i * size;
        if (at < from || !peek_pointer(d, at, size, &word))
            return 0;
        if (word == value) {
            *slot = at;
            return 1;
        }
    }
    return 0;
}

/* x86 and x64 calls: E8 rel32, and FF /2 in the forms compilers emit
 * (register, [reg], [reg+disp8], [reg+disp32], [rip+disp32], with SIB or a
 * REX prefix); the bytes before `return_address` must be in the dump. */
static int follows_x86_call(struct dump *d, uint64_t return_address)
{
    uint8_t code[8];

    if (return_address < sizeof(code) ||
        !peek_memory(d, return_address - sizeof(code), code, sizeof(code)))
        return 0;
    /* code[8 - n] is the byte n before the return address */
    if (code[3] == 0xE8)
        return 1;
    for (unsigned length = 2; length <= 7; length++) {
        const uint8_t *op = &code[8 - length];
        uint8_t modrm = op[1], mod = modrm >> 6, rm = modrm & 7;
        unsigned need;
        if (op[0] != 0xFF || ((modrm >> 3) & 7) != 2)
            continue;
        need = 2 + (rm == 4 && mod != 3) + (mod == 1 ? 1 : mod == 2 ? 4 : 0) +
               (mod == 0 && rm == 5 ? 4 : 0);
        if (need == length)
            return 1;
    }
    return 0;
}

/* ARM64: BL imm26, BLR Xn, and the pointer-authenticating BLRAA/BLRAB(Z). */
static int follows_arm64_call(struct dump *d, uint64_t return_address)
{
    uint8_t code[4];
    uint32_t insn;

    if (return_address < 4 || (return_address & 3) || !peek_memory(d, return_address - 4, code, 4))
        return 0;
    insn = le32(code);
    return (insn & 0xFC000000u) == 0x94000000u || (insn & 0xFFFFFC1Fu) == 0xD63F0000u ||
           (insn & 0xFEFFF800u) == 0xD63F0800u;
}

int scan_for_return_address(struct dump *d, uint64_t from, unsigned words, uint64_t *slot,
                            uint64_t *return_address)
{
    unsigned size = d->machine == IMAGE_FILE_MACHINE_I386 ? 4 : 8;

    for (unsigned i = 0; i < words; i++) {
        uint64_t at = from + (uint64_t)i * size, word;
        if (at < from || !peek_pointer(d, at, size, &word))
            return 0;
        if (!module_at(d, word))
            continue;
        if (d->machine == IMAGE_FILE_MACHINE_ARM64 ? follows_arm64_call(d, word)
                                                   : follows_x86_call(d, word)) {
            *slot = at;
            *return_address = word;
            return 1;
        }
    }
    return 0;
}
