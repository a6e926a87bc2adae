/*
 * What a dump needs from the target process: its threads (each suspended,
 * unless it is the thread calling us, while the dump is written, and resumed
 * after, whatever happens), their contexts, TEBs and stacks; its modules with
 * the identity records a symbol server needs (timestamp, size, CodeView);
 * its readable regions; the modules it unloaded. Everything is read through
 * ReadProcessMemory, so the same code serves our own process and another.
 */
#ifdef _WIN32
#include "dump_writer.h"

#include <string.h>
#include <tlhelp32.h>
#include <wchar.h>

typedef LONG(NTAPI *query_thread_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);
typedef LONG(NTAPI *query_process_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);
typedef void(NTAPI *unload_trace_fn)(PULONG *element_size, PULONG *element_count,
                                      PVOID *event_trace);
typedef HRESULT(WINAPI *thread_description_fn)(HANDLE, PWSTR *);

#define THREAD_BASIC_INFORMATION_CLASS 0
#define THREAD_START_ADDRESS_CLASS 9
#define PROCESS_BASIC_INFORMATION_CLASS 0
#define MAX_THREADS 65536
#define MAX_MODULES 16384

static FARPROC ntdll_function(const char *name)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll ? GetProcAddress(ntdll, name) : NULL;
}

bool dump_target_read(const struct dump_target *t, uint64_t address, void *buffer, size_t size)
{
    SIZE_T got = 0;
    return ReadProcessMemory(t->process, (LPCVOID)(uintptr_t)address, buffer, size, &got) &&
           got == size;
}

uint64_t dump_target_readable(const struct dump_target *t, uint64_t address, uint64_t size)
{
    uint64_t done = 0;

    while (done < size) {
        MEMORY_BASIC_INFORMATION info;
        uint64_t at = address + done, region_end;
        if (!VirtualQueryEx(t->process, (LPCVOID)(uintptr_t)at, &info, sizeof(info)) ||
            info.State != MEM_COMMIT || (info.Protect & (PAGE_NOACCESS | PAGE_GUARD)) ||
            info.Protect == 0)
            break;
        region_end = (uint64_t)(uintptr_t)info.BaseAddress + info.RegionSize;
        if (region_end <= at)
            break;
        done = region_end - address >= size ? size : region_end - address;
    }
    return done;
}

/* ---- threads ---- */

static void thread_facts(struct dump_target *t, struct dump_thread *th)
{
    query_thread_fn query = (query_thread_fn)(void (*)(void))ntdll_function(
        "NtQueryInformationThread");
    thread_description_fn describe = (thread_description_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"kernel32.dll"), "GetThreadDescription");
    struct {
        LONG exit_status;
        PVOID teb;
        PVOID client_id[2];
        ULONG_PTR affinity;
        LONG priority, base_priority;
    } basic;
    PVOID start = NULL;
    PWSTR name = NULL;
    uint8_t tib[3 * sizeof(void *)];

    th->priority = GetThreadPriority(th->handle);
    if (query && query(th->handle, THREAD_BASIC_INFORMATION_CLASS, &basic, sizeof(basic), NULL) >= 0) {
        th->teb = (uint64_t)(uintptr_t)basic.teb;
        th->affinity = basic.affinity;
    }
    if (query && query(th->handle, THREAD_START_ADDRESS_CLASS, &start, sizeof(start), NULL) >= 0)
        th->start_address = (uint64_t)(uintptr_t)start;
    /* NT_TIB: ExceptionList, StackBase, StackLimit */
    if (th->teb && dump_target_read(t, th->teb, tib, sizeof(tib))) {
        void *base, *limit;
        memcpy(&base, tib + sizeof(void *), sizeof(base));
        memcpy(&limit, tib + 2 * sizeof(void *), sizeof(limit));
        th->stack_base = (uint64_t)(uintptr_t)base;
        th->stack_limit = (uint64_t)(uintptr_t)limit;
    }
    GetThreadTimes(th->handle, &th->create_time, &th->exit_time, &th->kernel_time,
                   &th->user_time);
    GetExitCodeThread(th->handle, &th->exit_status);
    if (describe && SUCCEEDED(describe(th->handle, &name)) && name) {
        wcsncpy(th->name, name, sizeof(th->name) / sizeof(WCHAR) - 1);
        LocalFree(name);
    }
}

static void thread_context(struct dump_target *t, struct dump_thread *th)
{
    th->context.ContextFlags = CONTEXT_ALL;
    if (th->id == t->self_thread) {
        /* our own thread: where it is now, inside MiniDumpWriteDump (the
         * exception's context, when there is one, replaces it) */
        RtlCaptureContext(&th->context);
        th->context_valid = true;
    } else {
        th->context_valid = GetThreadContext(th->handle, &th->context) != 0;
    }
}

static bool add_thread(struct dump_target *t, DWORD id)
{
    struct dump_thread *th;
    HANDLE handle = OpenThread(THREAD_GET_CONTEXT | THREAD_SUSPEND_RESUME |
                                   THREAD_QUERY_INFORMATION,
                               FALSE, id);

    if (!handle)
        return true; /* it exited meanwhile */
    if (t->thread_count % 64 == 0) {
        struct dump_thread *grown =
            dump_realloc(t->threads, (t->thread_count + 64) * sizeof(*grown));
        if (!grown) {
            CloseHandle(handle);
            return false;
        }
        t->threads = grown;
    }
    th = &t->threads[t->thread_count++];
    memset(th, 0, sizeof(*th));
    th->id = id;
    th->handle = handle;
    thread_facts(t, th);
    return true;
}

/* Every thread but ours stops here until dump_target_close; from now on
 * the writer allocates only from its private heap. */
static void suspend_threads(struct dump_target *t)
{
    for (size_t i = 0; i < t->thread_count; i++) {
        struct dump_thread *th = &t->threads[i];
        if (th->id != t->self_thread) {
            DWORD previous = SuspendThread(th->handle);
            th->suspended = previous != (DWORD)-1;
            th->suspend_count = th->suspended ? previous : 0;
        }
        thread_context(t, th);
    }
}

static bool enumerate_threads(struct dump_target *t)
{
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 entry = {.dwSize = sizeof(entry)};
    bool ok = true;

    if (snapshot == INVALID_HANDLE_VALUE)
        return false;
    for (BOOL more = Thread32First(snapshot, &entry); more && ok;
         more = Thread32Next(snapshot, &entry)) {
        if (entry.th32OwnerProcessID == t->pid && t->thread_count < MAX_THREADS)
            ok = add_thread(t, entry.th32ThreadID);
        entry.dwSize = sizeof(entry);
    }
    CloseHandle(snapshot);
    return ok;
}

/* ---- modules ---- */

/* The VS_FIXEDFILEINFO of the image's RT_VERSION resource, from memory. */
static void module_version(struct dump_target *t, struct dump_module *m, uint32_t resource_rva)
{
    uint32_t directory = resource_rva, offset = 0;
    uint8_t header[16], entry[8], data[8], info[40 + sizeof(VS_FIXEDFILEINFO)];

    /* three levels: type (RT_VERSION = 16), name (the first), language (the first) */
    for (int level = 0; level < 3; level++) {
        unsigned named, ids, chosen = 0;
        bool found = false;
        if (!dump_target_read(t, m->base + directory, header, sizeof(header)))
            return;
        named = header[12] | header[13] << 8;
        ids = header[14] | header[15] << 8;
        for (unsigned i = 0; i < named + ids && i < 4096; i++) {
            uint32_t name;
            if (!dump_target_read(t, m->base + directory + 16 + 8 * i, entry, sizeof(entry)))
                return;
            memcpy(&name, entry, 4);
            if (level > 0 || (i >= named && name == 16)) {
                chosen = i;
                found = true;
                break;
            }
        }
        if (!found)
            return;
        (void)chosen;
        memcpy(&offset, entry + 4, 4);
        if (level < 2) {
            if (!(offset & 0x80000000u))
                return;
            directory = resource_rva + (offset & 0x7FFFFFFFu);
        }
    }
    if ((offset & 0x80000000u) ||
        !dump_target_read(t, m->base + resource_rva + offset, data, sizeof(data)))
        return;
    uint32_t version_rva;
    memcpy(&version_rva, data, 4);
    /* VS_VERSIONINFO: three WORDs, L"VS_VERSION_INFO", padding, then the value */
    if (version_rva >= m->size || !dump_target_read(t, m->base + version_rva, info, sizeof(info)))
        return;
    VS_FIXEDFILEINFO fixed;
    memcpy(&fixed, info + 40, sizeof(fixed));
    if (fixed.dwSignature == 0xFEEF04BDu)
        m->version = fixed;
}

static uint8_t *copy_record(struct dump_target *t, uint64_t address, uint32_t size)
{
    uint8_t *record;
    if (size == 0 || size > 0x10000 || !(record = dump_alloc(size)))
        return NULL;
    if (!dump_target_read(t, address, record, size)) {
        dump_free(record);
        return NULL;
    }
    return record;
}

static void module_headers(struct dump_target *t, struct dump_module *m)
{
    uint8_t dos[64], nt[24 + 240];
    uint32_t nt_offset, directories_at, count;
    uint16_t magic, optional_size;

    if (!dump_target_read(t, m->base, dos, sizeof(dos)) || dos[0] != 'M' || dos[1] != 'Z')
        return;
    memcpy(&nt_offset, dos + 0x3C, 4);
    if (nt_offset > m->size || !dump_target_read(t, m->base + nt_offset, nt, 24 + 2) ||
        memcmp(nt, "PE\0\0", 4) != 0)
        return;
    memcpy(&m->timestamp, nt + 8, 4);
    memcpy(&optional_size, nt + 20, 2);
    if (optional_size > 240 ||
        !dump_target_read(t, m->base + nt_offset + 24, nt + 24, optional_size))
        return;
    memcpy(&magic, nt + 24, 2);
    memcpy(&m->checksum, nt + 24 + 64, 4);
    directories_at = 24 + (magic == 0x20B ? 112 : 96);
    if (directories_at + 8 * 7 > 24u + optional_size)
        return;
    memcpy(&count, nt + directories_at - 4, 4);

    uint32_t resource_rva, debug_rva, debug_size;
    memcpy(&resource_rva, nt + directories_at + 8 * 2, 4);
    memcpy(&debug_rva, nt + directories_at + 8 * 6, 4);
    memcpy(&debug_size, nt + directories_at + 8 * 6 + 4, 4);
    if (count > 2 && resource_rva && resource_rva < m->size)
        module_version(t, m, resource_rva);
    if (count <= 6 || !debug_rva || debug_rva >= m->size)
        return;
    for (uint32_t i = 0; i < debug_size / 28 && i < 64; i++) {
        uint8_t entry[28];
        uint32_t type, size, rva;
        if (!dump_target_read(t, m->base + debug_rva + 28 * i, entry, sizeof(entry)))
            return;
        memcpy(&type, entry + 12, 4);
        memcpy(&size, entry + 16, 4);
        memcpy(&rva, entry + 20, 4);
        if (!rva || rva >= m->size)
            continue;
        if (type == IMAGE_DEBUG_TYPE_CODEVIEW && !m->cv_record) {
            m->cv_record = copy_record(t, m->base + rva, size);
            m->cv_size = m->cv_record ? size : 0;
        } else if (type == IMAGE_DEBUG_TYPE_MISC && !m->misc_record) {
            m->misc_record = copy_record(t, m->base + rva, size);
            m->misc_size = m->misc_record ? size : 0;
        }
    }
}

static bool enumerate_modules(struct dump_target *t)
{
    HANDLE snapshot;
    MODULEENTRY32W entry = {.dwSize = sizeof(entry)};

    /* the snapshot can fail with ERROR_BAD_LENGTH while the loader runs */
    for (int tries = 0;; tries++) {
        snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, t->pid);
        if (snapshot != INVALID_HANDLE_VALUE || GetLastError() != ERROR_BAD_LENGTH || tries > 8)
            break;
    }
    if (snapshot == INVALID_HANDLE_VALUE)
        return false;
    for (BOOL more = Module32FirstW(snapshot, &entry); more && t->module_count < MAX_MODULES;
         more = Module32NextW(snapshot, &entry)) {
        struct dump_module *m;
        if (t->module_count % 64 == 0) {
            struct dump_module *grown =
                dump_realloc(t->modules, (t->module_count + 64) * sizeof(*grown));
            if (!grown) {
                CloseHandle(snapshot);
                return false;
            }
            t->modules = grown;
        }
        m = &t->modules[t->module_count++];
        memset(m, 0, sizeof(*m));
        m->base = (uint64_t)(uintptr_t)entry.modBaseAddr;
        m->size = entry.modBaseSize;
        wcsncpy(m->path, entry.szExePath, MAX_PATH - 1);
        module_headers(t, m);
        entry.dwSize = sizeof(entry);
    }
    CloseHandle(snapshot);
    return true;
}

const struct dump_module *dump_target_module_at(const struct dump_target *t, uint64_t address)
{
    for (size_t i = 0; i < t->module_count; i++)
        if (address - t->modules[i].base < t->modules[i].size)
            return &t->modules[i];
    return NULL;
}

bool dump_target_in_stack(const struct dump_target *t, uint64_t address)
{
    for (size_t i = 0; i < t->thread_count; i++)
        if (address >= t->threads[i].stack_limit && address < t->threads[i].stack_base)
            return true;
    return false;
}

/* ---- unloaded modules: ntdll's unload event trace, read from the target
 * (ntdll lies at the same address in every process of a session) ---- */

void dump_target_unloaded_modules(struct dump_target *t)
{
    unload_trace_fn trace = (unload_trace_fn)(void (*)(void))ntdll_function(
        "RtlGetUnloadEventTraceEx");
    PULONG size_at = NULL, count_at = NULL;
    PVOID events_at = NULL;
    ULONG element_size = 0, count = 0;
    void *events = NULL;

    if (!trace)
        return;
    trace(&size_at, &count_at, &events_at);
    if (!size_at || !count_at || !events_at ||
        !dump_target_read(t, (uintptr_t)size_at, &element_size, sizeof(element_size)) ||
        !dump_target_read(t, (uintptr_t)count_at, &count, sizeof(count)) ||
        !dump_target_read(t, (uintptr_t)events_at, &events, sizeof(events)) || !events)
        return;
    /* RTL_UNLOAD_EVENT_TRACE: BaseAddress, SizeOfImage (pointer-sized),
     * Sequence, TimeDateStamp, CheckSum, ImageName[32], Version[2] */
    if (element_size < 2 * sizeof(void *) + 12 + 64 || element_size > 1024 || count > 4096)
        return;
    t->unloaded = dump_alloc((count ? count : 1) * sizeof(*t->unloaded));
    if (!t->unloaded)
        return;
    for (ULONG i = 0; i < count; i++) {
        uint8_t e[1024];
        void *base;
        SIZE_T size;
        struct dump_unloaded *u = &t->unloaded[t->unloaded_count];
        if (!dump_target_read(t, (uintptr_t)events + (uint64_t)i * element_size, e, element_size))
            break;
        memcpy(&base, e, sizeof(base));
        if (!base)
            continue; /* an unused slot of the ring */
        memcpy(&size, e + sizeof(void *), sizeof(size));
        u->base = (uint64_t)(uintptr_t)base;
        u->size = (uint32_t)size;
        memcpy(&u->timestamp, e + 2 * sizeof(void *) + 4, 4);
        memcpy(&u->checksum, e + 2 * sizeof(void *) + 8, 4);
        memcpy(u->name, e + 2 * sizeof(void *) + 12, 64);
        u->name[31] = 0;
        t->unloaded_count++;
    }
}

/* ---- the whole target ---- */

bool dump_target_open(struct dump_target *t, HANDLE process, DWORD pid)
{
    query_process_fn query = (query_process_fn)(void (*)(void))ntdll_function(
        "NtQueryInformationProcess");
    struct {
        LONG exit_status;
        PVOID peb;
        ULONG_PTR rest[4];
    } basic;

    memset(t, 0, sizeof(*t));
    t->process = process;
    t->pid = pid;
    t->is_self = pid == GetCurrentProcessId();
    t->self_thread = t->is_self ? GetCurrentThreadId() : 0;
    if (query && query(process, PROCESS_BASIC_INFORMATION_CLASS, &basic, sizeof(basic), NULL) >= 0)
        t->peb = (uint64_t)(uintptr_t)basic.peb;
    /* Everything that may use the process heap (the snapshots, thread
     * descriptions) happens before the threads are suspended. */
    if (!enumerate_threads(t) || !enumerate_modules(t)) {
        DWORD error = GetLastError();
        dump_target_close(t);
        SetLastError(error ? error : ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    suspend_threads(t);
    return true;
}

void dump_target_close(struct dump_target *t)
{
    for (size_t i = 0; i < t->thread_count; i++) {
        if (t->threads[i].suspended)
            ResumeThread(t->threads[i].handle);
        CloseHandle(t->threads[i].handle);
    }
    for (size_t i = 0; i < t->module_count; i++) {
        dump_free(t->modules[i].cv_record);
        dump_free(t->modules[i].misc_record);
    }
    dump_free(t->threads);
    dump_free(t->modules);
    dump_free(t->unloaded);
    memset(t, 0, sizeof(*t));
}
#endif
