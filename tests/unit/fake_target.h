/*
 * A fake target process for the unit tests: mapped regions of bytes in this
 * process, served through DbgHelp-style callbacks that behave like the read
 * routines real callers pass (exact, ReadProcessMemory-like partial reads,
 * capped reads, short reads with TRUE, page-bounded reads), plus a function
 * table over an image's .pdata.
 *
 * The HANDLE passed to the walk is the fake_target itself, so callbacks need
 * no global state and several targets can be walked at once.
 */
#ifndef FAKE_TARGET_H
#define FAKE_TARGET_H

#include <dbgwalk.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_MAX_REGIONS 8
#define FT_MAX_FUNCTIONS 256

enum ft_read_mode {
    FT_READ_EXACT,       /* all asked bytes, or FALSE with 0 */
    FT_READ_PARTIAL,     /* ReadProcessMemory: the readable prefix, FALSE if short */
    FT_READ_CAPPED16,    /* at most 16 bytes per call, TRUE */
    FT_READ_SHORT_TRUE,  /* about half of what was asked, TRUE */
    FT_READ_PAGE_BOUND,  /* a request crossing a 4 KB page fails outright */
    FT_READ_MODE_COUNT
};

struct ft_region {
    uint64_t base;
    size_t size;
    uint8_t *bytes;
};

struct fake_target {
    struct ft_region regions[FT_MAX_REGIONS];
    unsigned region_count;

    /* The image: one region, and its function table (RVAs, sorted on use). */
    uint64_t image_base;
    uint8_t *image;
    size_t image_size;
    IMAGE_RUNTIME_FUNCTION_ENTRY functions[FT_MAX_FUNCTIONS];
    unsigned function_count;
    uint64_t module_base_answer; /* what the module-base routine says (image_base) */

    enum ft_read_mode mode;
    uint64_t callbacks, bytes_delivered, table_calls;
};

void ft_init(struct fake_target *t);
void ft_free(struct fake_target *t);

/* Maps `size` zero bytes at `base`; returns them. */
uint8_t *ft_map(struct fake_target *t, uint64_t base, size_t size);
/* Maps the image region and makes it the one the function table covers. */
uint8_t *ft_map_image(struct fake_target *t, uint64_t base, size_t size);

/* Host pointer to target bytes [address, address + size), or NULL. */
uint8_t *ft_at(struct fake_target *t, uint64_t address, size_t size);
void ft_write(struct fake_target *t, uint64_t address, const void *bytes, size_t size);
void ft_write64(struct fake_target *t, uint64_t address, uint64_t value);
uint64_t ft_read64(struct fake_target *t, uint64_t address);

/* Adds a .pdata entry (RVAs) in sorted place; entries may be added in any
 * order, and earlier pointers move. */
IMAGE_RUNTIME_FUNCTION_ENTRY *ft_add_function(struct fake_target *t, uint32_t begin, uint32_t end,
                                              uint32_t unwind);

/* The callbacks, by the DbgHelp typedefs. hProcess is the fake_target. */
BOOL WINAPI ft_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                           LPDWORD bytes_read);
PVOID WINAPI ft_function_table(HANDLE process, DWORD64 address);
DWORD64 WINAPI ft_module_base(HANDLE process, DWORD64 address);
/* 32-bit forms for StackWalk */
BOOL WINAPI ft_read_memory32(HANDLE process, DWORD address, PVOID buffer, DWORD size,
                             LPDWORD bytes_read);
PVOID WINAPI ft_function_table32(HANDLE process, DWORD address);
DWORD WINAPI ft_module_base32(HANDLE process, DWORD address);

const char *ft_mode_name(enum ft_read_mode mode);

#endif
