#include "function_table.h"

static bool fits_32(uint64_t address) { return address <= 0xFFFFFFFFu; }

PVOID function_table_lookup(const struct function_table *table, uint64_t address, void *entry,
                            size_t size)
{
    PVOID found = NULL;

    if (table->entry_for)
        found = table->entry_for(table->process, address);
    else if (table->entry_for32)
        found = fits_32(address) ? table->entry_for32(table->process, (DWORD)address) : NULL;
    else {
        /* our own services; a miss is not an error of the walk's */
        DWORD saved = GetLastError();
        found = SymFunctionTableAccess64AccessRoutines(table->process, address, table->read, NULL);
        SetLastError(saved);
    }
    if (found)
        memcpy(entry, found, size);
    return found;
}

uint64_t function_table_module_base(const struct function_table *table, uint64_t address)
{
    if (table->module_base_for)
        return table->module_base_for(table->process, address);
    if (table->module_base_for32)
        return fits_32(address) ? table->module_base_for32(table->process, (DWORD)address) : 0;
    DWORD saved = GetLastError();
    uint64_t base = SymGetModuleBase64(table->process, address);
    SetLastError(saved);
    return base;
}
