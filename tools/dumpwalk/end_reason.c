/*
 * Why a walk ended. StackWalk64 itself only says FALSE, so the reason is
 * worked out from the dump: the last frame's module, whether that module has
 * an image and unwind data, the leaf-rule word at RSP (x64), [ebp]/[ebp+4]
 * (x86), or whether the UNWIND_INFO is in the dump.
 */
#include "dumpwalk.h"

#include <stdio.h>

/* A word of the dump's memory, looked at for the explanation: it is not
 * counted among the walk's read callbacks. */
static int read_pointer(struct dump *d, uint64_t address, unsigned size, uint64_t *value)
{
    uint8_t bytes[8];
    DWORD got = 0;
    unsigned long long reads = d->reads, from_images = d->image_bytes;
    BOOL ok = read_memory(d, address, bytes, size, &got);

    d->reads = reads;
    d->image_bytes = from_images;
    *value = ok ? (size == 4 ? le32(bytes) : le64(bytes)) : 0;
    return ok;
}

static void print_word(struct dump *d, const char *name, uint64_t address, unsigned size)
{
    uint64_t value;

    if (read_pointer(d, address, size, &value))
        printf("%s = 0x%llx", name, (unsigned long long)value);
    else
        printf("%s not in the dump", name);
}

/* The last frame got no return address: what the dump shows about the
 * registers and unwind data the walker had to go on. */
static void explain_missing_caller(struct dump *d, const STACKFRAME64 *last,
                                   const union context *c)
{
    uint64_t pc = last->AddrPC.Offset, sp = last->AddrStack.Offset;
    const struct module *m = module_at(d, pc);

    printf("no caller for pc 0x%llx (", (unsigned long long)pc);
    if (!m)
        printf("in no module");
    else
        printf("%s, %s, %s unwind data", m->name, m->image[0] ? "image loaded" : "no image",
               last->FuncTableEntry ? "with" : "without");
    printf("): ");
    if (d->machine == IMAGE_FILE_MACHINE_I386) {
        uint32_t ebp = c->x86.Ebp;
        printf("ebp 0x%x", ebp);
        if (ebp < (uint32_t)sp) {
            printf(" is below esp 0x%llx", (unsigned long long)sp);
        } else {
            printf(", ");
            print_word(d, "[ebp]", ebp, 4);
            printf(", ");
            print_word(d, "[ebp+4]", (uint64_t)ebp + 4, 4);
        }
    } else if (!last->FuncTableEntry) {
        if (d->machine == IMAGE_FILE_MACHINE_AMD64)
            print_word(d, "leaf rule: [rsp]", sp, 8);
        else
            printf("leaf rule: lr = 0x%llx", (unsigned long long)c->arm64.Lr);
    } else if (d->machine == IMAGE_FILE_MACHINE_AMD64 && m) {
        /* the entry stays valid until the module is unloaded */
        uint32_t unwind = le32((const uint8_t *)last->FuncTableEntry + 8) & ~1u;
        uint64_t at = m->base + unwind, header, slot;
        int whole = read_pointer(d, at, 4, &header);
        /* the header, then its CountOfCodes 2-byte slots */
        for (uint64_t i = 0; whole && i < ((header >> 16) & 0xFF); i += 2)
            whole = read_pointer(d, at + 4 + 2 * i, 4, &slot);
        printf("its UNWIND_INFO at 0x%llx is %s", (unsigned long long)at,
               whole ? "readable: the unwind stopped there"
                     : "not (wholly) in the dump: the image's bytes are needed");
    } else {
        printf("its unwind data did not give a caller");
    }
}

/* The checks run from the certain (the frame limit, StackWalk64's own error)
 * to the inferred. */
void print_end_reason(struct dump *d, unsigned frames, DWORD error, const STACKFRAME64 *last,
                      const union context *c)
{
    if (frames == FRAME_LIMIT)
        printf("stopped at the limit of %u frames", FRAME_LIMIT);
    else if (error)
        printf("StackWalk64 failed, error %u", (unsigned)error);
    else if (frames == 0)
        printf("StackWalk64 reported no frame");
    else if (last->AddrReturn.Offset == 0)
        explain_missing_caller(d, last, c);
    else
        printf("the caller at 0x%llx was rejected (its stack pointer did not move up)",
               (unsigned long long)last->AddrReturn.Offset);
}
