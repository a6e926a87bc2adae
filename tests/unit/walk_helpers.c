#include "walk_helpers.h"

#include <stdio.h>
#include <string.h>

const struct x64_spec spec_caller = {
    .prolog = {{OP_PUSH, RBX, 0}, {OP_ALLOC, 0, 0x20}},
    .prolog_count = 2,
    .calls = 1,
};

void test_target_init(struct fake_target *t)
{
    ft_init(t);
    ft_map_image(t, TEST_IMAGE_BASE, TEST_IMAGE_SIZE);
    memset(ft_map(t, TEST_STACK_TOP - TEST_STACK_SIZE, TEST_STACK_SIZE), 0xDB, TEST_STACK_SIZE);
}

void seed_frame(STACKFRAME64 *frame, const CONTEXT *context)
{
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = context->Rip;
    frame->AddrPC.Mode = AddrModeFlat;
    frame->AddrStack.Offset = context->Rsp;
    frame->AddrStack.Mode = AddrModeFlat;
    frame->AddrFrame.Offset = context->Rbp;
    frame->AddrFrame.Mode = AddrModeFlat;
}

unsigned walk_all(struct fake_target *t, const CONTEXT *seed, struct walk_record *out,
                  unsigned max)
{
    STACKFRAME64 frame;
    CONTEXT context = *seed;
    unsigned n = 0;

    seed_frame(&frame, seed);
    while (n < max && StackWalk64(IMAGE_FILE_MACHINE_AMD64, t, NULL, &frame, &context,
                                  ft_read_memory, ft_function_table, ft_module_base, NULL)) {
        out[n].frame = frame;
        out[n].context = context;
        n++;
    }
    return n;
}

bool check_chain_walk(struct fake_target *t, const struct x64_chain *chain, char *why,
                      size_t why_size)
{
    static _Thread_local struct walk_record records[300];
    CONTEXT seed;
    unsigned n;

    x64_state_to_context(&chain->expected[0], &seed);
    n = walk_all(t, &seed, records, 300);
    if (n != chain->depth) {
        snprintf(why, why_size, "%u frames, expected %u", n, chain->depth);
        if (n < chain->depth && n > 0) {
            char more[160];
            if (!x64_nonvolatile_equal(&chain->expected[n - 1], &records[n - 1].context, more,
                                       sizeof(more)))
                snprintf(why, why_size, "%u frames, expected %u; frame %u: %s", n,
                         chain->depth, n - 1, more);
        }
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        char detail[160];
        const STACKFRAME64 *f = &records[i].frame;
        uint64_t ret = i + 1 < chain->depth ? chain->expected[i + 1].rip : 0;
        if (!x64_nonvolatile_equal(&chain->expected[i], &records[i].context, detail,
                                   sizeof(detail))) {
            snprintf(why, why_size, "frame %u: %s", i, detail);
            return false;
        }
        if (f->AddrPC.Offset != chain->expected[i].rip ||
            f->AddrStack.Offset != chain->expected[i].gpr[RSP] || f->AddrReturn.Offset != ret) {
            snprintf(why, why_size, "frame %u: AddrPC %#llx AddrStack %#llx AddrReturn %#llx",
                     i, (unsigned long long)f->AddrPC.Offset,
                     (unsigned long long)f->AddrStack.Offset,
                     (unsigned long long)f->AddrReturn.Offset);
            return false;
        }
    }
    return true;
}

unsigned walk_state(struct fake_target *t, const struct x64_state *s, struct walk_record *out,
                    unsigned max)
{
    CONTEXT seed;

    x64_state_to_context(s, &seed);
    return walk_all(t, &seed, out, max);
}
