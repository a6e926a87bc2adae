/*
 * Writing one checked state as a stack snapshot (tools/snapwalk/snapshot.md):
 * the registers, the image and the used part of the stack, the function
 * table, and the frames the walk had to produce. snapwalk then walks the same
 * state from any build of the library, the Windows DLL under Wine included.
 */
#include "emu.h"

#include <stdio.h>
#include <string.h>

static void put(FILE *f, uint64_t value, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        fputc((int)((value >> (8 * i)) & 0xFF), f);
}

static bool put_memory(FILE *f, struct emu *e, uint64_t base, uint64_t size)
{
    uint8_t chunk[4096];

    put(f, base, 8);
    put(f, size, 4);
    for (uint64_t done = 0; done < size;) {
        size_t n = size - done < sizeof(chunk) ? (size_t)(size - done) : sizeof(chunk);
        if (uc_mem_read(e->uc, base + done, chunk, n) != UC_ERR_OK ||
            fwrite(chunk, 1, n, f) != n)
            return false;
        done += n;
    }
    return true;
}

bool emu_write_snapshot(struct emu *e, const char *path, const struct emu_frame *expected,
                        unsigned count)
{
    _Alignas(16) uint8_t context[0x1000];
    size_t context_size = e->arch->seed_context(e, context);
    uint64_t stack_from = (expected[0].sp & ~0xFFFull) - 0x1000;
    char name[32] = "walkprog";
    FILE *f = fopen(path, "wb");
    bool ok;

    if (!f)
        return false;
    if (stack_from < e->stack_lo)
        stack_from = e->stack_lo;
    fwrite("DWSNAP1\n", 1, 8, f);
    put(f, e->arch->machine, 4);
    put(f, context_size, 4);
    fwrite(context, 1, context_size, f);
    put(f, 2, 4); /* regions: the image, the used stack */
    ok = put_memory(f, e, e->img.base, e->map_size) &&
         put_memory(f, e, stack_from, e->stack_hi - stack_from);
    put(f, 1, 4); /* one module */
    put(f, e->img.base, 8);
    put(f, e->map_size, 4);
    fwrite(name, 1, sizeof(name), f);
    put(f, e->arch->entry_size, 4);
    put(f, e->function_count, 4);
    for (unsigned i = 0; i < e->function_count; i++) {
        put(f, 0, 4);
        fwrite(e->functions[i].entry, 1, e->arch->entry_size, f);
    }
    put(f, count, 4);
    for (unsigned i = 0; i < count; i++) {
        put(f, expected[i].pc, 8);
        /* x86 callers' ESP depends on what the callee popped: not compared */
        put(f, i == 0 || e->arch->machine != IMAGE_FILE_MACHINE_I386 ? expected[i].sp : 0, 8);
    }
    ok = ok && !ferror(f);
    return fclose(f) == 0 && ok;
}
