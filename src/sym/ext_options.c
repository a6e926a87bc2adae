/*
 * SymSetExtendedOption / SymGetExtendedOption: DbgHelp 10's boolean
 * options beside the SYMOPT_* mask, process-wide like that mask (winedbg
 * sets Wine's own extended options at start and aborts when the call does
 * not exist). Set returns the previous value; an option out of range is
 * FALSE and changes nothing.
 */
#include "../platform.h"

#include <stdatomic.h>

/* Room for options newer than SYMOPT_EX_MAX (Wine adds its own at 1000+). */
#define EXT_OPTION_SLOTS 16

static _Atomic int ext_options[EXT_OPTION_SLOTS];

static bool slot_of(IMAGEHLP_EXTENDED_OPTIONS option, unsigned *slot)
{
    unsigned o = (unsigned)option;

    if (o < (unsigned)SYMOPT_EX_MAX) {
        *slot = o;
        return true;
    }
    /* Wine's private options (1000 and on): accepted and remembered, so a
     * Wine client such as winedbg runs unchanged. */
    if (o >= 1000 && o < 1000 + (EXT_OPTION_SLOTS - (unsigned)SYMOPT_EX_MAX)) {
        *slot = (unsigned)SYMOPT_EX_MAX + (o - 1000);
        return true;
    }
    return false;
}

DW_EXPORT BOOL IMAGEAPI SymSetExtendedOption(IMAGEHLP_EXTENDED_OPTIONS option, BOOL value)
{
    unsigned slot;

    if (!slot_of(option, &slot))
        return FALSE;
    return atomic_exchange(&ext_options[slot], value ? 1 : 0) ? TRUE : FALSE;
}

DW_EXPORT BOOL IMAGEAPI SymGetExtendedOption(IMAGEHLP_EXTENDED_OPTIONS option)
{
    unsigned slot;

    if (!slot_of(option, &slot))
        return FALSE;
    return atomic_load(&ext_options[slot]) ? TRUE : FALSE;
}
