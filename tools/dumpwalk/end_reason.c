/*
 * Why a walk ended. StackWalk64 itself only says FALSE, so the reason is
 * worked out from the dump: the last frame's module, whether that module has
 * an image and unwind data, the leaf-rule word at RSP (x64), [ebp]/[ebp+4]
 * (x86), or whether the UNWIND_INFO is in the dump.
 */
#include "dumpwalk.h"

#include <stdio.h>

#include <stdarg.h>

/* The explanation, built piece by piece into the caller's buffer. */
struct text {
    char *out;
    size_t size, used;
};

static void say(struct text *t, const char *format, ...)
{
    va_list args;
    int n;

    if (t->used + 1 >= t->size)
        return;
    va_start(args, format);
    n = vsnprintf(t->out + t->used, t->size - t->used, format, args);
    va_end(args);
    if (n > 0)
        t->used = t->used + (size_t)n < t->size ? t->used + (size_t)n : t->size - 1;
}

static void say_word(struct text *t, struct dump *d, const char *name, uint64_t address,
                     unsigned size)
{
    uint64_t value;

    if (peek_pointer(d, address, size, &value))
        say(t, "%s = 0x%llx", name, (unsigned long long)value);
    else
        say(t, "%s not in the dump", name);
}

/* The last frame got no return address: what the dump shows about the
 * registers and unwind data the walker had to go on. */
static void explain_missing_caller(struct text *t, struct dump *d, const STACKFRAME64 *last,
                                   const union context *c)
{
    uint64_t pc = last->AddrPC.Offset, sp = last->AddrStack.Offset;
    const struct module *m = module_at(d, pc);

    say(t, "no caller for pc 0x%llx (", (unsigned long long)pc);
    if (!m)
        say(t, "in no module");
    else
        say(t, "%s, %s, %s unwind data", m->name, m->image[0] ? "image loaded" : "no image",
               last->FuncTableEntry ? "with" : "without");
    say(t, "): ");
    if (d->machine == IMAGE_FILE_MACHINE_I386) {
        uint32_t ebp = c->x86.Ebp;
        say(t, "ebp 0x%x", ebp);
        if (ebp < (uint32_t)sp) {
            say(t, " is below esp 0x%llx", (unsigned long long)sp);
        } else {
            say(t, ", ");
            say_word(t, d, "[ebp]", ebp, 4);
            say(t, ", ");
            say_word(t, d, "[ebp+4]", (uint64_t)ebp + 4, 4);
        }
    } else if (!last->FuncTableEntry) {
        if (d->machine == IMAGE_FILE_MACHINE_AMD64)
            say_word(t, d, "leaf rule: [rsp]", sp, 8);
        else
            say(t, "leaf rule: lr = 0x%llx", (unsigned long long)c->arm64.Lr);
    } else if (d->machine == IMAGE_FILE_MACHINE_AMD64 && m) {
        /* the entry stays valid until the module is unloaded */
        uint32_t unwind = le32((const uint8_t *)last->FuncTableEntry + 8) & ~1u;
        uint64_t at = m->base + unwind, header, slot;
        int whole = peek_pointer(d, at, 4, &header);
        /* the header, then its CountOfCodes 2-byte slots */
        for (uint64_t i = 0; whole && i < ((header >> 16) & 0xFF); i += 2)
            whole = peek_pointer(d, at + 4 + 2 * i, 4, &slot);
        say(t, "its UNWIND_INFO at 0x%llx is %s", (unsigned long long)at,
               whole ? "readable: the unwind stopped there"
                     : "not (wholly) in the dump: the image's bytes are needed");
    } else {
        say(t, "its unwind data did not give a caller");
    }
}

/* The checks run from the certain (the frame limit, StackWalk64's own error)
 * to the inferred. */
void describe_end_reason(struct dump *d, unsigned frames, DWORD error, const STACKFRAME64 *last,
                         const union context *c, char *out, size_t out_size)
{
    struct text text = {out, out_size, 0}, *t = &text;

    if (out_size)
        out[0] = 0;
    if (frames == FRAME_LIMIT)
        say(t, "stopped at the limit of %u frames", FRAME_LIMIT);
    else if (error)
        say(t, "StackWalk64 failed, error %u", (unsigned)error);
    else if (frames == 0)
        say(t, "StackWalk64 reported no frame");
    else if (last->AddrReturn.Offset == 0)
        explain_missing_caller(t, d, last, c);
    else
        say(t, "the caller at 0x%llx was rejected (its stack pointer did not move up)",
               (unsigned long long)last->AddrReturn.Offset);
}
