#include "function_table.h"

#include "memory.h"
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

void function_table_bind_cache(struct function_table *table, struct entry_cache *cache,
                               uint64_t walk_id)
{
    table->cache = cache;
    if (cache->walk_id == walk_id && cache->epoch != 0 && cache->process == table->process &&
        cache->entry_for == table->entry_for && cache->module_base_for == table->module_base_for &&
        cache->entry_for32 == table->entry_for32 &&
        cache->module_base_for32 == table->module_base_for32) {
        table->cache_epoch = cache->epoch;
        return;
    }
    cache->walk_id = walk_id;
    cache->process = table->process;
    cache->entry_for = table->entry_for;
    cache->module_base_for = table->module_base_for;
    cache->entry_for32 = table->entry_for32;
    cache->module_base_for32 = table->module_base_for32;
    /* a process-unique number: no slot filled before matches it */
    cache->epoch = memory_new_walk_id();
    table->cache_epoch = cache->epoch;
}

/* The slot for `address`: its own when valid, else the one to fill. */
static struct entry_cache_slot *cache_slot(const struct function_table *table, uint64_t address)
{
    uint64_t h = address * 0x9E3779B97F4A7C15ull;
    struct entry_cache_slot *slot = &table->cache->slots[h >> 58]; /* 64 slots */

    _Static_assert(ENTRY_CACHE_SLOTS == 64, "the hash takes the top 6 bits");
    if (slot->epoch != table->cache_epoch || slot->address != address) {
        slot->epoch = table->cache_epoch;
        slot->address = address;
        slot->has_entry = slot->has_base = false;
    }
    return slot;
}

static PVOID lookup_uncached(const struct function_table *table, uint64_t address);

PVOID function_table_lookup(const struct function_table *table, uint64_t address, void *entry,
                            size_t size)
{
    struct entry_cache_slot *slot;
    PVOID found;

    if (!table->cache || size > ENTRY_CACHE_ENTRY_MAX) {
        found = lookup_uncached(table, address);
        if (found)
            memcpy(entry, found, size);
        return found;
    }
    slot = cache_slot(table, address);
    if (!slot->has_entry || (slot->found && slot->entry_size < size)) {
        slot->found = lookup_uncached(table, address);
        /* the bytes now: the routine's buffer may be reused by its next answer */
        if (slot->found)
            memcpy(slot->entry, slot->found, size);
        slot->entry_size = (uint8_t)size;
        slot->has_entry = true;
    }
    if (slot->found) {
        /* the sizes the unwinders ask for, as fixed-size copies */
        if (size == 12)
            memcpy(entry, slot->entry, 12);
        else if (size == 8)
            memcpy(entry, slot->entry, 8);
        else
            memcpy(entry, slot->entry, size);
    }
    return slot->found;
}

static PVOID lookup_uncached(const struct function_table *table, uint64_t address)
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
    return found;
}

static uint64_t module_base_uncached(const struct function_table *table, uint64_t address);

uint64_t function_table_module_base(const struct function_table *table, uint64_t address)
{
    struct entry_cache_slot *slot;

    if (!table->cache)
        return module_base_uncached(table, address);
    slot = cache_slot(table, address);
    if (!slot->has_base) {
        slot->base = module_base_uncached(table, address);
        slot->has_base = true;
    }
    return slot->base;
}

static uint64_t module_base_uncached(const struct function_table *table, uint64_t address)
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
