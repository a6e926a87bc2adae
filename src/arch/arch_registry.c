/* The table of unwinders: one line per architecture. */
#include "arch.h"

static const struct arch_unwinder *const unwinders[] = {
    &arch_x64,
    &arch_arm64,
    &arch_x86,
};

const struct arch_unwinder *arch_for_machine(DWORD machine)
{
    for (size_t i = 0; i < DW_ARRAY_SIZE(unwinders); i++)
        if (unwinders[i]->machine == machine)
            return unwinders[i];
    return NULL;
}
