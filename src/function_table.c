#include "function_table.h"

static bool fits_32(uint64_t address) { return address <= 0xFFFFFFFFu; }

PVOID function_table_lookup(const struct function_table *table, uint64_t address, void *entry,
                            size_t size)
{
    PVOID found = NULL;

    if (table->entry_for)
        found = table->entry_for(table->process, address);
    else if (table->entry_for32 && fits_32(address))
        found = table->entry_for32(table->process, (DWORD)address);
    if (found)
        memcpy(entry, found, size);
    return found;
}

uint64_t function_table_module_base(const struct function_table *table, uint64_t address)
{
    if (table->module_base_for)
        return table->module_base_for(table->process, address);
    if (table->module_base_for32 && fits_32(address))
        return table->module_base_for32(table->process, (DWORD)address);
    return 0;
}
