/*
 * FrameData program evaluation. A program is a whitespace-separated postfix
 * sequence: numbers and variables are pushed, `+ - * / %` combine the top
 * two, `@` aligns down (a b @ = a & ~(b-1)), `^` replaces the top with the
 * 32-bit word at that address, and `=` assigns the top value to the variable
 * below it. Compilers emit an `=` glued to the next token ("=$eip") and
 * doubled spaces, so both are accepted. Each bad program fails with a status;
 * the caller then falls back to the FPO and EBP rules.
 */
#include "x86_framedata.h"

#include <string.h>

/* Variable slots: $T0..$T9, then the registers, then .raSearchStart. */
enum {
    V_T0 = 0,
    V_EIP = 10, V_ESP, V_EBP, V_EBX, V_ESI, V_EDI,
    V_RA_SEARCH_START,
    V_COUNT,
    /* Read-only values computed from the record. */
    V_RA_SEARCH = 100, V_CB_PARAMS, V_CB_SAVED, V_CB_LOCALS, V_CB_CALLEE,
};

struct operand {
    bool is_var;
    int var;
    uint32_t value;
};

struct machine {
    uint32_t vars[V_COUNT];
    bool assigned[V_COUNT];
    const struct x86_fd_sizes *sizes;
    x86_fd_ra_search search;
    void *ctx;
    struct operand stack[X86_FD_MAX_STACK];
    unsigned depth;
};

static bool token_is(const char *tok, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/* The slot a `$name` or `.name` token names, or -1. */
static int variable(const char *tok, size_t len)
{
    static const struct { const char *name; int var; } names[] = {
        {"$eip", V_EIP}, {"$esp", V_ESP}, {"$ebp", V_EBP}, {"$ebx", V_EBX},
        {"$esi", V_ESI}, {"$edi", V_EDI},
        /* CodeView register numbers (cvinfo.h CV_REG_*) for the same registers. */
        {"$20", V_EBX}, {"$21", V_ESP}, {"$22", V_EBP}, {"$23", V_ESI}, {"$24", V_EDI},
        {"$33", V_EIP},
        {".raSearchStart", V_RA_SEARCH_START}, {".raSearch", V_RA_SEARCH},
        {".cbParams", V_CB_PARAMS}, {".cbSavedRegs", V_CB_SAVED},
        {".cbLocals", V_CB_LOCALS}, {".cbCalleeParams", V_CB_CALLEE},
    };
    if (len == 3 && tok[0] == '$' && tok[1] == 'T' && tok[2] >= '0' && tok[2] <= '9')
        return V_T0 + (tok[2] - '0');
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (token_is(tok, len, names[i].name))
            return names[i].var;
    return -1;
}

static bool number(const char *tok, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    unsigned base = 10;

    if (len > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= len)
        return false;
    for (; i < len; i++) {
        unsigned d;
        char c = tok[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v * base + d;
        if (v > 0xFFFFFFFFu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* The value of an operand: a number, or a variable that has a value. */
static enum x86_fd_status value_of(const struct machine *m, const struct operand *o,
                                   uint32_t *out)
{
    if (!o->is_var) {
        *out = o->value;
        return X86_FD_OK;
    }
    switch (o->var) {
    case V_CB_PARAMS: *out = m->sizes->params; return X86_FD_OK;
    case V_CB_SAVED: *out = m->sizes->saved_regs; return X86_FD_OK;
    case V_CB_LOCALS: *out = m->sizes->locals; return X86_FD_OK;
    case V_CB_CALLEE: *out = m->sizes->callee_params; return X86_FD_OK;
    case V_RA_SEARCH:
        /* Where the return address lies: searched for from the search start
         * when the program set one, else from above the locals and saved
         * registers (the stack pointer may be lower still, by arguments
         * pushed for a call, so the search goes upwards). */
        *out = m->assigned[V_RA_SEARCH_START]
                   ? m->vars[V_RA_SEARCH_START]
                   : m->vars[V_ESP] + m->sizes->locals + m->sizes->saved_regs;
        if (m->search)
            *out = m->search(m->ctx, *out);
        return X86_FD_OK;
    default:
        if (o->var < V_EIP && !m->assigned[o->var])
            return X86_FD_UNASSIGNED;
        if (o->var == V_RA_SEARCH_START && !m->assigned[o->var])
            return X86_FD_UNASSIGNED;
        *out = m->vars[o->var];
        return X86_FD_OK;
    }
}

static enum x86_fd_status push(struct machine *m, struct operand o)
{
    if (m->depth >= X86_FD_MAX_STACK)
        return X86_FD_OVERFLOW;
    m->stack[m->depth++] = o;
    return X86_FD_OK;
}

static enum x86_fd_status binary(struct machine *m, char op)
{
    uint32_t a, b, r;
    enum x86_fd_status s;

    if (m->depth < 2)
        return X86_FD_UNDERFLOW;
    if ((s = value_of(m, &m->stack[m->depth - 2], &a)) != X86_FD_OK ||
        (s = value_of(m, &m->stack[m->depth - 1], &b)) != X86_FD_OK)
        return s;
    switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/':
        if (b == 0)
            return X86_FD_DIVIDE_BY_ZERO;
        r = a / b;
        break;
    case '%':
        if (b == 0)
            return X86_FD_DIVIDE_BY_ZERO;
        r = a % b;
        break;
    default: /* '@': align down to a power of two (b == 0 leaves a) */
        r = b ? a & ~(b - 1) : a;
        break;
    }
    m->depth--;
    m->stack[m->depth - 1] = (struct operand){.value = r};
    return X86_FD_OK;
}

static enum x86_fd_status apply(struct machine *m, const char *tok, size_t len,
                                x86_fd_read32 read, void *ctx)
{
    enum x86_fd_status s;
    uint32_t v;
    int var;

    if (len == 1 && strchr("+-*/%@", tok[0]))
        return binary(m, tok[0]);
    if (len == 1 && tok[0] == '^') {
        if (m->depth < 1)
            return X86_FD_UNDERFLOW;
        if ((s = value_of(m, &m->stack[m->depth - 1], &v)) != X86_FD_OK)
            return s;
        if (!read(ctx, v, &v))
            return X86_FD_READ_FAILED;
        m->stack[m->depth - 1] = (struct operand){.value = v};
        return X86_FD_OK;
    }
    if (len == 1 && tok[0] == '=') {
        struct operand *target;
        if (m->depth < 2)
            return X86_FD_UNDERFLOW;
        target = &m->stack[m->depth - 2];
        if (!target->is_var || target->var >= V_COUNT)
            return X86_FD_SYNTAX; /* only $T, registers and .raSearchStart take a value */
        if ((s = value_of(m, &m->stack[m->depth - 1], &v)) != X86_FD_OK)
            return s;
        m->vars[target->var] = v;
        m->assigned[target->var] = true;
        m->depth -= 2;
        return X86_FD_OK;
    }
    if ((var = variable(tok, len)) >= 0)
        return push(m, (struct operand){.is_var = true, .var = var});
    if (number(tok, len, &v))
        return push(m, (struct operand){.value = v});
    return X86_FD_SYNTAX;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum x86_fd_status x86_framedata_eval(const char *program, const struct x86_fd_regs *callee,
                                      const struct x86_fd_sizes *sizes, x86_fd_read32 read,
                                      void *ctx, struct x86_fd_regs *caller)
{
    return x86_framedata_eval_search(program, callee, sizes, read, NULL, ctx, caller);
}

enum x86_fd_status x86_framedata_eval_search(const char *program, const struct x86_fd_regs *callee,
                                             const struct x86_fd_sizes *sizes, x86_fd_read32 read,
                                             x86_fd_ra_search search, void *ctx,
                                             struct x86_fd_regs *caller)
{
    struct machine m;
    enum x86_fd_status s;
    size_t length;
    const char *p;

    if (!program || !callee || !sizes || !read || !caller)
        return X86_FD_SYNTAX;
    /* strnlen is POSIX, not C11: count at most one past the cap. */
    for (length = 0; length <= X86_FD_MAX_PROGRAM && program[length]; length++)
        ;
    if (length > X86_FD_MAX_PROGRAM)
        return X86_FD_TOO_LONG;

    memset(&m, 0, sizeof m);
    m.sizes = sizes;
    m.search = search;
    m.ctx = ctx;
    m.vars[V_EIP] = callee->eip;
    m.vars[V_ESP] = callee->esp;
    m.vars[V_EBP] = callee->ebp;
    m.vars[V_EBX] = callee->ebx;
    m.vars[V_ESI] = callee->esi;
    m.vars[V_EDI] = callee->edi;

    for (p = program; p < program + length;) {
        const char *start;
        if (is_space(*p)) {
            p++;
            continue;
        }
        start = p;
        if (*p == '=') {
            p++; /* `=` ends a token even when glued to the next one */
        } else {
            while (p < program + length && !is_space(*p) && *p != '=')
                p++;
        }
        if ((s = apply(&m, start, (size_t)(p - start), read, ctx)) != X86_FD_OK)
            return s;
    }
    /* The registers were known on entry, so "assigned" means the program set them. */
    if (!m.assigned[V_EIP] || !m.assigned[V_ESP])
        return X86_FD_NO_RESULT;
    caller->eip = m.vars[V_EIP];
    caller->esp = m.vars[V_ESP];
    caller->ebp = m.vars[V_EBP];
    caller->ebx = m.vars[V_EBX];
    caller->esi = m.vars[V_ESI];
    caller->edi = m.vars[V_EDI];
    return X86_FD_OK;
}
