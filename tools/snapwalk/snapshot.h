/*
 * Reading a stack snapshot (.dwsnap, snapshot.md) and serving it to a walk:
 * its memory, modules and function tables through DbgHelp-style callbacks.
 * Shared by snapwalk and the walk fuzzer (tests/fuzz), which both walk
 * snapshots; the callbacks take the snapshot as hProcess.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#ifdef _WIN32
#include <windows.h>
#include <dbghelp.h>
#else
#include <dbgwalk.h>
#endif

#include <stdint.h>

struct snapshot_region {
    uint64_t base;
    uint32_t size;
    const uint8_t *bytes; /* inside the buffer parsed */
};

struct snapshot_module {
    uint64_t base;
    uint32_t size;
    char name[33];
};

struct snapshot_entry {
    uint32_t module;
    uint8_t bytes[16];
};

struct snapshot {
    uint32_t machine, context_size;
    uint8_t *context; /* 0x1000 bytes, the first context_size from the file */
    uint32_t region_count, module_count, entry_size, entry_count, frame_count;
    struct snapshot_region *regions;
    struct snapshot_module *modules;
    struct snapshot_entry *entries;
    uint64_t (*frames)[2];
    unsigned long long reads; /* read_memory callbacks so far */
};

#define SNAPSHOT_CONTEXT_BYTES 0x1000u

/* Parses `size` bytes at `data` (which must outlive the snapshot: regions
 * point into it). 0 when malformed; snapshot_free() either way. */
int snapshot_parse(const uint8_t *data, size_t size, struct snapshot *s);
void snapshot_free(struct snapshot *s);

/* Copies the snapshot's bytes at [address, address + size) into buffer, up
 * to the first byte no region holds; returns how many were copied. */
DWORD snapshot_copy_memory(const struct snapshot *s, uint64_t address, void *buffer, DWORD size);

const struct snapshot_module *snapshot_module_at(const struct snapshot *s, uint64_t address);

/* The entry covering `address`: x64 by [begin, end), x86 FPO by
 * [start, start + size), ARM64 by the length its packed form or .xdata
 * header gives. NULL for none. */
const uint8_t *snapshot_entry_at(const struct snapshot *s, uint64_t address);

/* PC or SP from the snapshot's context, wherever its machine keeps them. */
uint64_t snapshot_context_register(const struct snapshot *s, int want_sp);

/* The callbacks (hProcess = the snapshot). read_memory behaves like
 * ReadProcessMemory: FALSE with what could be read. */
BOOL WINAPI snapshot_read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                 LPDWORD got);
PVOID WINAPI snapshot_function_table(HANDLE process, DWORD64 address);
DWORD64 WINAPI snapshot_module_base(HANDLE process, DWORD64 address);

#endif
