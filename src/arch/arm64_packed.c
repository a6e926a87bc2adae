/*
 * Packed ARM64 .pdata (flag 1, and flag 2 fragments): the canonical prolog
 * that RegI, RegF, H, CR and FrameSize describe, written out as the unwind
 * codes an .xdata record would hold, so one interpreter serves both.
 *
 * The prolog follows spec/unwind-rules.md "Packed .pdata", i.e. what the
 * Windows unwinder does, including its two departures from the documented
 * step table (RegI = 1 with CR = 1 takes two instructions; with no register
 * saves the whole frame is allocated first and the homing stores follow).
 */
#include "arm64.h"

enum { CR_UNCHAINED = 0, CR_SAVED_LR = 1, CR_CHAINED_PAC = 2, CR_CHAINED = 3 };

/* One prolog instruction's unwind code. */
struct prolog_code {
    uint8_t bytes[4];
    uint8_t length;
    bool epilog_too; /* homing stores and pacibsp have no epilog twin */
};

struct prolog {
    struct prolog_code code[32];
    unsigned count;
};

static void add(struct prolog *p, bool epilog_too, unsigned length, uint8_t b0, uint8_t b1)
{
    struct prolog_code *c = &p->code[p->count++];
    c->bytes[0] = b0;
    c->bytes[1] = b1;
    c->length = (uint8_t)length;
    c->epilog_too = epilog_too;
}

/* 2-byte codes of the form  prefix(6..8 bits) reg offset(6 bits)  */
static void add_regp(struct prolog *p, bool pre_indexed, unsigned x, unsigned z)
{
    unsigned word = ((pre_indexed ? 0xCCu : 0xC8u) << 8) | (x << 6) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_reg(struct prolog *p, unsigned x, unsigned z) /* str x(19+x),[sp,#8z] */
{
    unsigned word = (0xD0u << 8) | (x << 6) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_reg_x(struct prolog *p, unsigned x, unsigned z) /* str x(19+x),[sp,#-8(z+1)]! */
{
    unsigned word = (0xD4u << 8) | (x << 5) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_lrpair(struct prolog *p, unsigned x, unsigned z) /* stp x(19+2x),lr,[sp,#8z] */
{
    unsigned word = (0xD6u << 8) | (x << 6) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_fregp(struct prolog *p, bool pre_indexed, unsigned x, unsigned z)
{
    unsigned word = ((pre_indexed ? 0xDAu : 0xD8u) << 8) | (x << 6) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_freg(struct prolog *p, unsigned x, unsigned z) /* str d(8+x),[sp,#8z] */
{
    unsigned word = (0xDCu << 8) | (x << 6) | z;
    add(p, true, 2, (uint8_t)(word >> 8), (uint8_t)word);
}

static void add_alloc(struct prolog *p, unsigned bytes) /* sub sp, sp, #bytes (alloc_m) */
{
    unsigned units = bytes / 16;
    add(p, true, 2, (uint8_t)(0xC0 | (units >> 8)), (uint8_t)units);
}

/* sub sp, split as the step table splits it: 4080 first, then the rest. */
static void add_allocation(struct prolog *p, unsigned bytes)
{
    if (bytes > 4080) {
        add_alloc(p, 4080);
        add_alloc(p, bytes - 4080);
    } else if (bytes != 0) {
        add_alloc(p, bytes);
    }
}

static void add_homing(struct prolog *p)
{
    for (unsigned i = 0; i < 4; i++)
        add(p, false, 1, 0xE3, 0); /* stp x(2i), x(2i+1): nop */
}

static void build_prolog(uint32_t unwind_data, struct prolog *p)
{
    unsigned reg_f = (unwind_data >> 13) & 7, reg_i = (unwind_data >> 16) & 0xF;
    unsigned h = (unwind_data >> 20) & 1, cr = (unwind_data >> 21) & 3;
    unsigned frame_size = 16u * ((unwind_data >> 23) & 0x1FF);
    unsigned int_size = 8u * reg_i + (cr == CR_SAVED_LR ? 8u : 0u);
    unsigned fp_size = reg_f ? 8u * (reg_f + 1u) : 0u;
    unsigned save_size = (int_size + fp_size + 64u * h + 15u) & ~15u;
    bool saves = reg_i > 0 || reg_f > 0 || cr == CR_SAVED_LR;
    unsigned local_size = saves ? frame_size - save_size : frame_size;

    p->count = 0;
    if (cr == CR_CHAINED_PAC)
        add(p, false, 1, 0xFC, 0); /* pacibsp */

    if (saves) {
        if (reg_i == 1 && cr == CR_SAVED_LR) {
            add_alloc(p, save_size);
            add_lrpair(p, 0, 0);
        } else {
            for (unsigned k = 0; k + 1 < reg_i; k += 2) {
                if (k == 0)
                    add_regp(p, true, 0, save_size / 8 - 1);
                else
                    add_regp(p, false, k, k);
            }
            if (reg_i % 2) {
                unsigned last = reg_i - 1; /* x(18 + RegI) is x(19 + last) */
                if (reg_i == 1)
                    add_reg_x(p, 0, save_size / 8 - 1);
                else if (cr == CR_SAVED_LR)
                    add_lrpair(p, last / 2, last);
                else
                    add_reg(p, last, last);
            } else if (cr == CR_SAVED_LR) {
                if (reg_i == 0)
                    add_reg_x(p, 11, save_size / 8 - 1); /* str lr, [sp, #-regsave]! */
                else
                    add_reg(p, 11, (int_size - 8) / 8);
            }
        }
        if (reg_f) {
            unsigned count = reg_f + 1;
            for (unsigned k = 0; k + 1 < count; k += 2) {
                if (k == 0 && int_size == 0)
                    add_fregp(p, true, 0, save_size / 8 - 1);
                else
                    add_fregp(p, false, k, (int_size + 8 * k) / 8);
            }
            if (count % 2)
                add_freg(p, reg_f, (int_size + fp_size - 8) / 8);
        }
        if (h)
            add_homing(p);
    }

    if (cr == CR_CHAINED || cr == CR_CHAINED_PAC) {
        if (local_size <= 512) {
            add(p, true, 1, (uint8_t)(0x80 | (local_size / 8 - 1)), 0); /* stp x29,lr,[sp,#-n]! */
        } else {
            add_allocation(p, local_size);
            add(p, true, 1, 0x40, 0); /* stp x29, lr, [sp] */
        }
        add(p, true, 1, 0xE1, 0); /* mov x29, sp */
    } else {
        add_allocation(p, local_size);
    }

    if (!saves && h)
        add_homing(p);
}

/* The codes of the prolog in unwind order (last instruction first), then
 * end; when `epilog` is set only those the epilog mirrors. Every code here
 * is one or two bytes: both are stored, the next code or the end overwrites
 * the second of a one-byte code. */
static void write_codes(const struct prolog *p, bool epilog, struct arm64_codes *codes)
{
    unsigned size = 0;

    for (unsigned i = p->count; i-- > 0;) {
        const struct prolog_code *c = &p->code[i];
        if (epilog && !c->epilog_too)
            continue;
        codes->bytes[size] = c->bytes[0];
        codes->bytes[size + 1] = c->bytes[1];
        size += c->length;
    }
    codes->bytes[size++] = 0xE4; /* end */
    codes->size = size;
}

/* How many instructions the epilog has: the prolog's mirrored ones. */
static unsigned epilog_codes(const struct prolog *p)
{
    unsigned count = 0;

    for (unsigned i = 0; i < p->count; i++)
        count += p->code[i].epilog_too;
    return count;
}

enum unwind_result arm64_packed_plan(uint32_t unwind_data, uint64_t k, struct arm64_codes *codes,
                                     struct arm64_plan *plan, bool *signs_lr)
{
    struct prolog p;
    unsigned function_length = (unwind_data >> 2) & 0x7FF;
    unsigned prolog_length, epilog_length;
    unsigned flag = unwind_data & 3;
    unsigned frame_size = 16u * ((unwind_data >> 23) & 0x1FF);
    unsigned reg_f = (unwind_data >> 13) & 7, reg_i = (unwind_data >> 16) & 0xF;
    unsigned h = (unwind_data >> 20) & 1, cr = (unwind_data >> 21) & 3;
    unsigned save_size = (8u * reg_i + (cr == CR_SAVED_LR ? 8u : 0u) +
                          (reg_f ? 8u * (reg_f + 1u) : 0u) + 64u * h + 15u) & ~15u;

    bool saves = reg_i > 0 || reg_f > 0 || cr == CR_SAVED_LR;
    unsigned local_size = saves ? frame_size - save_size : frame_size;
    bool in_epilog = false;

    /* RegI 11-15 names no registers; a frame must hold its own saves, and a
     * chained one its x29/lr pair. */
    if (reg_i > 10 || (saves && save_size > frame_size) ||
        ((cr == CR_CHAINED || cr == CR_CHAINED_PAC) && (local_size < 16 || (saves && save_size > frame_size))))
        return UNWIND_BAD_DATA;
    build_prolog(unwind_data, &p);
    *signs_lr = cr == CR_CHAINED_PAC;

    /* Only the sequence that runs is written: the prolog's codes (in the
     * prolog and the body) or the epilog's. */
    prolog_length = p.count;
    plan->start = 0;
    plan->skip = 0;
    if (flag != 2) { /* a fragment has no prolog or epilog of its own */
        epilog_length = epilog_codes(&p) + 1; /* + the ret */
        if (k < prolog_length) {
            plan->skip = (unsigned)(prolog_length - k);
        } else if (function_length >= epilog_length && k >= function_length - epilog_length) {
            in_epilog = true;
            plan->skip = (unsigned)(k - (function_length - epilog_length));
        }
    }
    write_codes(&p, in_epilog, codes);
    return UNWIND_OK;
}
