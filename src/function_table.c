#include "function_table.h"

#include "sym/function_entry.h"

static bool fits_32(uint64_t address) { return address <= 0xFFFFFFFFu; }

/* A miss in our own services is not an error of the walk's: the caller's
 * last error survives it. */
static DWORD save_error(const struct function_table *table)
{
    return table->last_error ? *table->last_error : GetLastError();
}

static void restore_error(const struct function_table *table, DWORD saved)
{
    if (table->last_error)
        *table->last_error = saved;
    else
        SetLastError(saved);
}

static bool ours(const struct function_table *table)
{
    return table->entry_for == SymFunctionTableAccess64 ||
           (!table->entry_for && !table->entry_for32);
}

PVOID function_table_lookup(const struct function_table *table, uint64_t address, void *entry,
                            size_t size)
{
    PVOID found = NULL;

    if (ours(table)) {
        /* our own services, passed in or by NULL: they know each module's
         * machine, and answer only with the walk's; a miss is not an error
         * of the walk's */
        DWORD saved = save_error(table);
        found = sym_function_entry_for_walk(table->process, address, table->read, table->machine);
        restore_error(table, saved);
    } else if (table->entry_for) {
        found = table->entry_for(table->process, address);
    } else {
        found = fits_32(address) ? table->entry_for32(table->process, (DWORD)address) : NULL;
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
    DWORD saved = save_error(table);
    uint64_t base = SymGetModuleBase64(table->process, address);
    restore_error(table, saved);
    return base;
}

bool function_table_frame_data(const struct function_table *table, uint64_t address,
                               struct sym_walk_frame_data *out)
{
    DWORD saved;
    bool found;

    if (!ours(table) || !fits_32(address))
        return false;
    saved = save_error(table);
    found = sym_frame_data_for_walk(table->process, address, table->read, table->machine, out);
    restore_error(table, saved);
    return found;
}
