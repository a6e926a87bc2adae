#include "arm64_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"

void a64_init(struct a64_target *t)
{
    memset(t, 0, sizeof(*t));
    ft_init(&t->ft);
    ft_map_image(&t->ft, A64_IMAGE_BASE, A64_IMAGE_SIZE);
    memset(ft_map(&t->ft, A64_STACK_TOP - A64_STACK_SIZE, A64_STACK_SIZE), 0xDB, A64_STACK_SIZE);
}

void a64_free(struct a64_target *t)
{
    ft_free(&t->ft);
    memset(t, 0, sizeof(*t));
}

static void add_entry(struct a64_target *t, uint32_t begin, uint32_t end, uint32_t unwind)
{
    if (t->fn_count == A64_MAX_FUNCTIONS)
        abort();
    t->fn[t->fn_count].BeginAddress = begin;
    t->fn[t->fn_count].UnwindData = unwind;
    t->fn_end[t->fn_count] = end;
    t->fn_count++;
}

void a64_add_packed(struct a64_target *t, uint32_t begin, uint32_t unwind_data)
{
    add_entry(t, begin, begin + 4u * ((unwind_data >> 2) & 0x7FF), unwind_data);
}

void a64_add_xdata(struct a64_target *t, uint32_t begin, uint32_t length_insns, uint32_t xdata_rva)
{
    add_entry(t, begin, begin + 4u * length_insns, xdata_rva);
}

uint32_t a64_packed(unsigned flag, unsigned length_insns, unsigned reg_f, unsigned reg_i,
                    unsigned h, unsigned cr, unsigned frame_size_16)
{
    return (uint32_t)flag | (uint32_t)length_insns << 2 | (uint32_t)reg_f << 13 |
           (uint32_t)reg_i << 16 | (uint32_t)h << 20 | (uint32_t)cr << 21 |
           (uint32_t)frame_size_16 << 23;
}

PVOID WINAPI a64_function_table(HANDLE process, DWORD64 address)
{
    struct a64_target *t = process;
    uint64_t rva;

    t->ft.table_calls++;
    if (address < A64_IMAGE_BASE || address - A64_IMAGE_BASE >= A64_IMAGE_SIZE)
        return NULL;
    rva = address - A64_IMAGE_BASE;
    for (unsigned i = 0; i < t->fn_count; i++)
        if (rva >= t->fn[i].BeginAddress && rva < t->fn_end[i])
            return &t->fn[i];
    return NULL;
}

BOOL WINAPI a64_target_attribute(HANDLE process, DWORD attribute, DWORD64 data, DWORD64 *value)
{
    struct a64_target *t = process;

    t->pac_calls++;
    t->pac_last_address = data;
    if (attribute != TARGET_ATTRIBUTE_PACMASK || !t->pac_ok)
        return FALSE;
    *value = t->pac_mask;
    return TRUE;
}

enum unwind_result a64_unwind(struct a64_target *t, ARM64_NT_CONTEXT *context, bool pc_exact,
                              struct unwind_step *step, bool with_attribute_callback)
{
    struct memory_reader reader;
    struct walk_services services;
    enum unwind_result r;

    memset(&services, 0, sizeof(services));
    memory_reader_open(&reader, t, ft_read_memory, NULL, memory_new_walk_id());
    services.process = t;
    services.memory = &reader;
    services.table.process = t;
    services.table.entry_for = a64_function_table;
    services.table.module_base_for = ft_module_base;
    services.target_attribute = with_attribute_callback ? a64_target_attribute : NULL;
    memset(step, 0, sizeof(*step));
    r = arch_arm64.unwind(&services, context, pc_exact, step);
    memory_reader_close(&reader);
    return r;
}

/* ---- machine ---- */

void a64_entry_state(struct a64_machine *m)
{
    memset(m, 0, sizeof(*m));
    for (unsigned i = 0; i < 31; i++)
        m->x[i] = 0x1000000000ull + 0x1111ull * i;
    m->x[29] = A64_ENTRY_SP + 0x200; /* the caller's frame record */
    m->x[30] = A64_RETURN;
    m->sp = A64_ENTRY_SP;
    for (unsigned i = 0; i < 32; i++) {
        m->vlo[i] = 0xD0D0000000000000ull + 0x101ull * i;
        m->vhi[i] = 0xE0E0000000000000ull + 0x101ull * i;
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void a64_to_context(const struct a64_machine *m, ARM64_NT_CONTEXT *c)
{
    memset(c, 0, sizeof(*c));
    c->ContextFlags = CONTEXT_ARM64_FULL;
    for (unsigned i = 0; i < 31; i++)
        c->X[i] = m->x[i];
    c->Sp = m->sp;
    c->Pc = m->pc;
    for (unsigned i = 0; i < 32; i++) {
        put64(c->V[i].B, m->vlo[i]);
        put64(c->V[i].B + 8, m->vhi[i]);
    }
}

void a64_from_context(struct a64_machine *m, const ARM64_NT_CONTEXT *c)
{
    for (unsigned i = 0; i < 31; i++)
        m->x[i] = c->X[i];
    m->sp = c->Sp;
    m->pc = c->Pc;
    for (unsigned i = 0; i < 32; i++) {
        m->vlo[i] = get64(c->V[i].B);
        m->vhi[i] = get64(c->V[i].B + 8);
    }
}

/* ---- instructions and their codes ---- */

static struct a64_insn insn(enum a64_kind kind, unsigned length, unsigned b0, unsigned b1,
                            unsigned b2, unsigned b3)
{
    struct a64_insn i;
    memset(&i, 0, sizeof(i));
    i.kind = kind;
    i.code_length = (uint8_t)length;
    i.code[0] = (uint8_t)b0;
    i.code[1] = (uint8_t)b1;
    i.code[2] = (uint8_t)b2;
    i.code[3] = (uint8_t)b3;
    return i;
}

static struct a64_insn save(struct a64_insn i, enum a64_class cls, unsigned r0, unsigned r1,
                            unsigned count, bool pre, unsigned amount)
{
    i.kind = K_SAVE;
    i.cls = cls;
    i.reg[0] = (uint8_t)r0;
    i.reg[1] = (uint8_t)r1;
    i.count = (uint8_t)count;
    i.pre = pre;
    i.amount = amount;
    return i;
}

/* 2-byte codes: prefix bits, X, Z at 6 bits */
static struct a64_insn code2(unsigned prefix, unsigned x, unsigned z)
{
    unsigned word = prefix | x << 6 | z;
    return insn(K_SAVE, 2, word >> 8, word & 0xFF, 0, 0);
}

struct a64_insn a64_alloc_s(unsigned bytes)
{
    struct a64_insn i = insn(K_ALLOC, 1, bytes / 16, 0, 0, 0);
    i.amount = bytes;
    return i;
}

struct a64_insn a64_alloc_m(unsigned bytes)
{
    unsigned u = bytes / 16;
    struct a64_insn i = insn(K_ALLOC, 2, 0xC0 | u >> 8, u & 0xFF, 0, 0);
    i.amount = bytes;
    return i;
}

struct a64_insn a64_alloc_l(unsigned bytes)
{
    unsigned u = bytes / 16;
    struct a64_insn i = insn(K_ALLOC, 4, 0xE0, (u >> 16) & 0xFF, (u >> 8) & 0xFF, u & 0xFF);
    i.amount = bytes;
    return i;
}

struct a64_insn a64_save_r19r20_x(unsigned bytes) /* stp x19,x20,[sp,#-bytes]!  Z*8 */
{
    return save(insn(K_SAVE, 1, 0x20 | bytes / 8, 0, 0, 0), R_X, 19, 20, 2, true, bytes);
}

struct a64_insn a64_save_fplr(unsigned offset)
{
    return save(insn(K_SAVE, 1, 0x40 | offset / 8, 0, 0, 0), R_X, 29, 30, 2, false, offset);
}

struct a64_insn a64_save_fplr_x(unsigned bytes)
{
    return save(insn(K_SAVE, 1, 0x80 | (bytes / 8 - 1), 0, 0, 0), R_X, 29, 30, 2, true, bytes);
}

struct a64_insn a64_save_regp(unsigned reg, unsigned offset)
{
    return save(code2(0xC800, reg - 19, offset / 8), R_X, reg, reg + 1, 2, false, offset);
}

struct a64_insn a64_save_regp_x(unsigned reg, unsigned bytes)
{
    return save(code2(0xCC00, reg - 19, bytes / 8 - 1), R_X, reg, reg + 1, 2, true, bytes);
}

struct a64_insn a64_save_reg(unsigned reg, unsigned offset)
{
    return save(code2(0xD000, reg - 19, offset / 8), R_X, reg, 0, 1, false, offset);
}

struct a64_insn a64_save_reg_x(unsigned reg, unsigned bytes) /* 1101010x xxxzzzzz */
{
    unsigned word = 0xD400 | (reg - 19) << 5 | (bytes / 8 - 1);
    return save(insn(K_SAVE, 2, word >> 8, word & 0xFF, 0, 0), R_X, reg, 0, 1, true, bytes);
}

struct a64_insn a64_save_lrpair(unsigned reg, unsigned offset) /* stp x(19+2X), lr */
{
    return save(code2(0xD600, (reg - 19) / 2, offset / 8), R_X, reg, 30, 2, false, offset);
}

struct a64_insn a64_save_fregp(unsigned d, unsigned offset)
{
    return save(code2(0xD800, d - 8, offset / 8), R_D, d, d + 1, 2, false, offset);
}

struct a64_insn a64_save_fregp_x(unsigned d, unsigned bytes)
{
    return save(code2(0xDA00, d - 8, bytes / 8 - 1), R_D, d, d + 1, 2, true, bytes);
}

struct a64_insn a64_save_freg(unsigned d, unsigned offset)
{
    return save(code2(0xDC00, d - 8, offset / 8), R_D, d, 0, 1, false, offset);
}

struct a64_insn a64_save_freg_x(unsigned d, unsigned bytes) /* 11011110 xxxzzzzz */
{
    return save(insn(K_SAVE, 2, 0xDE, (d - 8) << 5 | (bytes / 8 - 1), 0, 0), R_D, d, 0, 1, true,
                bytes);
}

struct a64_insn a64_set_fp(void)
{
    return insn(K_SET_FP, 1, 0xE1, 0, 0, 0);
}

struct a64_insn a64_add_fp(unsigned bytes) /* add x29, sp, #bytes: x 8 */
{
    struct a64_insn i = insn(K_ADD_FP, 2, 0xE2, bytes / 8, 0, 0);
    i.amount = bytes;
    return i;
}

struct a64_insn a64_nop(void)
{
    return insn(K_NOP, 1, 0xE3, 0, 0, 0);
}

struct a64_insn a64_pac(void)
{
    return insn(K_PAC, 1, 0xFC, 0, 0, 0);
}

struct a64_insn a64_save_next(enum a64_class cls, unsigned reg, unsigned offset)
{
    return save(insn(K_SAVE, 1, 0xE6, 0, 0, 0), cls, reg, reg + 1, 2, false, offset);
}

struct a64_insn a64_save_any(enum a64_class cls, unsigned reg, bool pair, bool writeback,
                             unsigned amount)
{
    unsigned unit = (pair || writeback || cls == R_Q) ? 16 : 8;
    unsigned r = reg | (writeback ? 0x20u : 0u) | (pair ? 0x40u : 0u);
    /* pre-indexed: SP moves by 16 x (offset + 1) */
    unsigned o = (unsigned)cls << 6 | (writeback ? amount / 16 - 1 : amount / unit);
    return save(insn(K_SAVE, 3, 0xE7, r, o, 0), cls, reg, reg + 1, pair ? 2 : 1, writeback,
                amount);
}

/* ---- simulation ---- */

static unsigned reg_size(enum a64_class cls)
{
    return cls == R_Q ? 16 : 8;
}

static uint64_t clobber_value(unsigned reg)
{
    return 0xBAD0BAD000000000ull + reg;
}

void a64_exec(struct a64_target *t, struct a64_machine *m, const struct a64_insn *in)
{
    switch (in->kind) {
    case K_ALLOC:
        m->sp -= in->amount;
        break;
    case K_SAVE: {
        uint64_t address;
        if (in->pre) {
            m->sp -= in->amount;
            address = m->sp;
        } else {
            address = m->sp + in->amount;
        }
        for (unsigned i = 0; i < in->count; i++) {
            unsigned r = in->reg[i];
            uint64_t a = address + (uint64_t)reg_size(in->cls) * i;
            if (in->cls == R_X) {
                ft_write64(&t->ft, a, m->x[r]);
                m->x[r] = clobber_value(r);
            } else {
                ft_write64(&t->ft, a, m->vlo[r]);
                m->vlo[r] = clobber_value(r);
                if (in->cls == R_Q) {
                    ft_write64(&t->ft, a + 8, m->vhi[r]);
                    m->vhi[r] = clobber_value(r + 100);
                }
            }
        }
        break;
    }
    case K_SET_FP:
        m->x[29] = m->sp;
        break;
    case K_ADD_FP:
        m->x[29] = m->sp + in->amount;
        break;
    case K_PAC:
        m->x[30] |= A64_PAC_BITS;
        break;
    case K_NOP:
    case K_CUSTOM:
        break;
    }
}

void a64_unexec(struct a64_target *t, struct a64_machine *m, const struct a64_insn *in)
{
    switch (in->kind) {
    case K_ALLOC:
        m->sp += in->amount;
        break;
    case K_SAVE: {
        uint64_t address = in->pre ? m->sp : m->sp + in->amount;
        for (unsigned i = 0; i < in->count; i++) {
            unsigned r = in->reg[i];
            uint64_t a = address + (uint64_t)reg_size(in->cls) * i;
            if (in->cls == R_X) {
                m->x[r] = ft_read64(&t->ft, a);
            } else {
                m->vlo[r] = ft_read64(&t->ft, a);
                if (in->cls == R_Q)
                    m->vhi[r] = ft_read64(&t->ft, a + 8);
            }
        }
        if (in->pre)
            m->sp += in->amount;
        break;
    }
    case K_SET_FP: /* mov sp, x29 */
        m->sp = m->x[29];
        break;
    case K_ADD_FP: /* sub sp, x29, #amount */
        m->sp = m->x[29] - in->amount;
        break;
    case K_PAC: /* autibsp */
        m->x[30] &= (1ull << 48) - 1;
        break;
    case K_NOP:
    case K_CUSTOM:
        break;
    }
}

void a64_fn_add(struct a64_fn *fn, struct a64_insn in)
{
    if (fn->prolog_count == DW_ARRAY_SIZE(fn->prolog))
        abort();
    fn->prolog[fn->prolog_count++] = in;
}

void a64_fn_mirror(struct a64_fn *fn)
{
    fn->epilog_count = 0;
    for (unsigned i = fn->prolog_count; i-- > 0;) {
        if (fn->prolog[i].kind == K_NOP)
            continue; /* homing stores have no epilog twin; pacibsp's is autibsp */
        fn->epilog[fn->epilog_count++] = fn->prolog[i];
    }
}

unsigned a64_fn_length(const struct a64_fn *fn)
{
    return fn->prolog_count + fn->body + fn->epilog_count + 1;
}

void a64_state_at(struct a64_target *t, const struct a64_fn *fn, uint64_t address, unsigned k,
                  struct a64_machine *m)
{
    a64_entry_state(m);
    for (unsigned i = 0; i < fn->prolog_count && i < k; i++)
        a64_exec(t, m, &fn->prolog[i]);
    if (k >= fn->prolog_count) {
        m->sp -= fn->alloca_size;
        /* the body calls: LR no longer holds the return address (if saved) */
        for (unsigned i = 0; i < fn->epilog_count && fn->prolog_count + fn->body + i < k; i++)
            a64_unexec(t, m, &fn->epilog[i]);
    }
    m->pc = address + 4ull * k;
}

/* ---- .xdata ---- */

size_t a64_write_raw_xdata(struct a64_target *t, uint32_t rva, uint32_t function_length, bool x,
                           bool e, uint32_t epilog_count, bool extended, const uint32_t *scopes,
                           unsigned scope_count, const uint8_t *codes, unsigned code_bytes,
                           unsigned code_words)
{
    uint8_t buffer[4096];
    size_t n = 0;
    uint32_t word;

    memset(buffer, 0, sizeof(buffer));
    if (extended) {
        word = function_length | (uint32_t)x << 20 | (uint32_t)e << 21;
        put64(buffer, word);
        word = (epilog_count & 0xFFFF) | (code_words & 0xFF) << 16;
        buffer[4] = (uint8_t)word;
        buffer[5] = (uint8_t)(word >> 8);
        buffer[6] = (uint8_t)(word >> 16);
        buffer[7] = (uint8_t)(word >> 24);
        n = 8;
    } else {
        word = function_length | (uint32_t)x << 20 | (uint32_t)e << 21 | epilog_count << 22 |
               code_words << 27;
        for (unsigned i = 0; i < 4; i++)
            buffer[i] = (uint8_t)(word >> (8 * i));
        n = 4;
    }
    for (unsigned s = 0; s < scope_count; s++, n += 4)
        for (unsigned i = 0; i < 4; i++)
            buffer[n + i] = (uint8_t)(scopes[s] >> (8 * i));
    memcpy(buffer + n, codes, code_bytes);
    n += 4u * code_words;
    if (x) { /* handler RVA and some language data */
        buffer[n] = 0x40;
        buffer[n + 1] = 0x12;
        n += 4;
        memset(buffer + n, 0xEE, 16);
        n += 16;
    }
    ft_write(&t->ft, A64_IMAGE_BASE + rva, buffer, n);
    return n;
}

static unsigned append_codes(uint8_t *out, unsigned n, const struct a64_insn *list, unsigned count,
                             bool reverse)
{
    for (unsigned j = 0; j < count; j++) {
        const struct a64_insn *in = &list[reverse ? count - 1 - j : j];
        memcpy(out + n, in->code, in->code_length);
        n += in->code_length;
    }
    out[n++] = 0xE4; /* end */
    return n;
}

size_t a64_write_xdata(struct a64_target *t, uint32_t rva, const struct a64_fn *fn,
                       enum a64_xdata_form form, bool separate_epilog)
{
    uint8_t codes[1024], epilog_codes[512];
    unsigned n = append_codes(codes, 0, fn->prolog, fn->prolog_count, true);
    unsigned prolog_bytes = n, epilog_bytes;
    unsigned index = 0;
    uint32_t scope;
    unsigned length = a64_fn_length(fn);

    epilog_bytes = append_codes(epilog_codes, 0, fn->epilog, fn->epilog_count, false);
    if (separate_epilog || epilog_bytes != prolog_bytes ||
        memcmp(epilog_codes, codes, prolog_bytes) != 0) {
        index = n;
        memcpy(codes + n, epilog_codes, epilog_bytes);
        n += epilog_bytes;
    }
    while (n % 4)
        codes[n++] = 0xE4; /* padding: end */
    scope = (fn->prolog_count + fn->body) | (uint32_t)index << 22;
    switch (form) {
    case XD_SCOPES:
        return a64_write_raw_xdata(t, rva, length, false, false, 1, false, &scope, 1, codes, n,
                                   n / 4);
    case XD_SINGLE:
        return a64_write_raw_xdata(t, rva, length, false, true, index, false, NULL, 0, codes, n,
                                   n / 4);
    case XD_EXTENDED:
        return a64_write_raw_xdata(t, rva, length, false, false, 1, true, &scope, 1, codes, n,
                                   n / 4);
    case XD_SCOPES_HANDLER:
        return a64_write_raw_xdata(t, rva, length, true, false, 1, false, &scope, 1, codes, n,
                                   n / 4);
    }
    return 0;
}

/* ---- checking ---- */

void a64_assert_state(const ARM64_NT_CONTEXT *c, const struct a64_machine *m, const char *what,
                      unsigned position)
{
    struct a64_machine got;
    char name[16];
    bool ok = true;

    a64_from_context(&got, c);
    for (unsigned i = 0; i < 31; i++)
        if (got.x[i] != m->x[i]) {
            snprintf(name, sizeof(name), "x%u", i);
            print_error("%s @%u: %s = %#llx, expected %#llx\n", what, position, name,
                        (unsigned long long)got.x[i], (unsigned long long)m->x[i]);
            ok = false;
        }
    if (got.sp != m->sp) {
        print_error("%s @%u: sp = %#llx, expected %#llx\n", what, position,
                    (unsigned long long)got.sp, (unsigned long long)m->sp);
        ok = false;
    }
    if (got.pc != m->pc) {
        print_error("%s @%u: pc = %#llx, expected %#llx\n", what, position,
                    (unsigned long long)got.pc, (unsigned long long)m->pc);
        ok = false;
    }
    for (unsigned i = 0; i < 32; i++)
        if (got.vlo[i] != m->vlo[i] || got.vhi[i] != m->vhi[i]) {
            print_error("%s @%u: v%u = %#llx:%#llx, expected %#llx:%#llx\n", what, position, i,
                        (unsigned long long)got.vhi[i], (unsigned long long)got.vlo[i],
                        (unsigned long long)m->vhi[i], (unsigned long long)m->vlo[i]);
            ok = false;
        }
    if (!ok)
        fail_msg("%s: wrong registers at instruction %u", what, position);
}

void a64_check_every_position(struct a64_target *t, const struct a64_fn *fn, uint32_t begin,
                              const char *what)
{
    unsigned length = a64_fn_length(fn);
    uint64_t address = A64_IMAGE_BASE + begin;
    struct a64_machine m, expected;
    ARM64_NT_CONTEXT c;
    struct unwind_step step;
    enum unwind_result r;

    a64_entry_state(&expected);
    expected.pc = A64_RETURN;
    for (unsigned k = 0; k < length; k++) {
        a64_state_at(t, fn, address, k, &m);
        a64_to_context(&m, &c);
        r = a64_unwind(t, &c, true, &step, false);
        if (r != UNWIND_OK)
            fail_msg("%s: unwind at instruction %u returned %d", what, k, (int)r);
        assert_non_null(step.function_entry);
        assert_false(step.caller_pc_exact);
        a64_assert_state(&c, &expected, what, k);

        /* a return address in the body: looked up at PC - 4 */
        if (k >= fn->prolog_count && k < fn->prolog_count + fn->body) {
            a64_to_context(&m, &c);
            c.Pc = address + 4ull * (k + 1);
            r = a64_unwind(t, &c, false, &step, false);
            if (r != UNWIND_OK)
                fail_msg("%s: unwind from return address after %u returned %d", what, k, (int)r);
            a64_assert_state(&c, &expected, what, k + 1000);
        }
    }
}
