/*
 * One function per stream of a minidump, each appending its data to the
 * output and recording it in the directory (layouts: minidumpapiset.h, as
 * Microsoft documents them; mingw-w64's dbghelp.h declares them).
 */
#ifdef _WIN32
#include "dump_writer.h"

#include <string.h>
#if defined(__i386__) || defined(__x86_64__)
#include <cpuid.h>
#endif

#define THREAD_NAMES_STREAM 24 /* ThreadNamesStream, newer than mingw-w64's enum */
#define MAX_MEMORY_INFO (1u << 20)

static uint64_t filetime_seconds_since_1970(FILETIME t)
{
    uint64_t ticks = (uint64_t)t.dwHighDateTime << 32 | t.dwLowDateTime;
    const uint64_t epoch = 116444736000000000ull; /* 1601 to 1970 in 100 ns */
    return ticks > epoch ? (ticks - epoch) / 10000000u : 0;
}

static uint64_t filetime_ticks(FILETIME t) { return (uint64_t)t.dwHighDateTime << 32 | t.dwLowDateTime; }

/* ---- system and process ---- */

void dump_write_system_info(struct dump_job *job)
{
    typedef LONG(NTAPI * get_version_fn)(OSVERSIONINFOEXW *);
    get_version_fn get_version = (get_version_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "RtlGetVersion");
    OSVERSIONINFOEXW version = {.dwOSVersionInfoSize = sizeof(version)};
    MINIDUMP_SYSTEM_INFO info;
    SYSTEM_INFO system;
    uint64_t rva;

    memset(&info, 0, sizeof(info));
    GetNativeSystemInfo(&system);
    if (get_version)
        get_version(&version);
    info.ProcessorArchitecture = system.wProcessorArchitecture;
    info.ProcessorLevel = system.wProcessorLevel;
    info.ProcessorRevision = system.wProcessorRevision;
    info.NumberOfProcessors = (UCHAR)system.dwNumberOfProcessors;
    info.ProductType = version.wProductType;
    info.MajorVersion = version.dwMajorVersion;
    info.MinorVersion = version.dwMinorVersion;
    info.BuildNumber = version.dwBuildNumber;
    info.PlatformId = version.dwPlatformId;
    info.SuiteMask = version.wSuiteMask;
#if defined(__i386__) || defined(__x86_64__)
    {
        unsigned a, b, c, d;
        if (__get_cpuid(0, &a, &b, &c, &d)) {
            info.Cpu.X86CpuInfo.VendorId[0] = b;
            info.Cpu.X86CpuInfo.VendorId[1] = d;
            info.Cpu.X86CpuInfo.VendorId[2] = c;
        }
        if (__get_cpuid(1, &a, &b, &c, &d)) {
            info.Cpu.X86CpuInfo.VersionInformation = a;
            info.Cpu.X86CpuInfo.FeatureInformation = d;
        }
        if (__get_cpuid(0x80000001u, &a, &b, &c, &d))
            info.Cpu.X86CpuInfo.AMDExtendedCpuFeatures = d;
    }
#endif
    info.CSDVersionRva = dump_file_string(&job->out, version.szCSDVersion);
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &info, sizeof(info));
    dump_stream(job, SystemInfoStream, rva, sizeof(info));
}

void dump_write_misc_info(struct dump_job *job)
{
    MINIDUMP_MISC_INFO info = {.SizeOfInfo = sizeof(info), .ProcessId = job->target.pid};
    FILETIME created, exited, kernel, user;
    uint64_t rva;

    info.Flags1 = MINIDUMP_MISC1_PROCESS_ID;
    if (GetProcessTimes(job->target.process, &created, &exited, &kernel, &user)) {
        info.Flags1 |= MINIDUMP_MISC1_PROCESS_TIMES;
        info.ProcessCreateTime = (ULONG32)filetime_seconds_since_1970(created);
        info.ProcessUserTime = (ULONG32)(filetime_ticks(user) / 10000000u);
        info.ProcessKernelTime = (ULONG32)(filetime_ticks(kernel) / 10000000u);
    }
    dump_file_align(&job->out, 4);
    rva = dump_file_append(&job->out, &info, sizeof(info));
    dump_stream(job, MiscInfoStream, rva, sizeof(info));
}

/* ---- threads ---- */

static bool thread_written(const struct dump_thread *th)
{
    return (th->write_flags & ThreadWriteThread) != 0;
}

/* The context each thread is saved with: the exception's for the thread
 * that raised it (its live context is inside the exception filter). */
static const CONTEXT *saved_context(const struct dump_job *job, const struct dump_thread *th)
{
    if (job->exception.present && th->id == job->exception.thread_id)
        return &job->exception.context;
    return th->context_valid ? &th->context : NULL;
}

void dump_write_thread_contexts(struct dump_job *job)
{
    for (size_t i = 0; i < job->target.thread_count; i++) {
        struct dump_thread *th = &job->target.threads[i];
        const CONTEXT *context = saved_context(job, th);
        if (!thread_written(th) || !(th->write_flags & ThreadWriteContext) || !context)
            continue;
        dump_file_align(&job->out, 16);
        th->context_rva = dump_file_append(&job->out, context, sizeof(*context));
    }
}

void dump_write_thread_list(struct dump_job *job)
{
    ULONG32 count = 0;
    uint64_t rva;

    for (size_t i = 0; i < job->target.thread_count; i++)
        count += thread_written(&job->target.threads[i]);
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &count, sizeof(count));
    for (size_t i = 0; i < job->target.thread_count; i++) {
        const struct dump_thread *th = &job->target.threads[i];
        MINIDUMP_THREAD entry;
        if (!thread_written(th))
            continue;
        memset(&entry, 0, sizeof(entry));
        entry.ThreadId = th->id;
        entry.SuspendCount = th->suspend_count;
        entry.Priority = (ULONG32)th->priority;
        entry.Teb = th->teb;
        if (th->write_flags & ThreadWriteStack) {
            entry.Stack.StartOfMemoryRange = th->stack_start;
            entry.Stack.Memory.DataSize = (ULONG32)th->stack_size;
            entry.Stack.Memory.Rva = (RVA)dump_memory_rva_of(&job->memory, th->stack_start);
            if (!entry.Stack.Memory.Rva) /* the stack could not be read */
                entry.Stack.Memory.DataSize = 0;
        }
        if (th->context_rva) {
            entry.ThreadContext.DataSize = sizeof(CONTEXT);
            entry.ThreadContext.Rva = (RVA)th->context_rva;
        }
        dump_file_append(&job->out, &entry, sizeof(entry));
    }
    dump_stream(job, ThreadListStream, rva, sizeof(count) + (uint64_t)count * sizeof(MINIDUMP_THREAD));
}

void dump_write_thread_info(struct dump_job *job)
{
    MINIDUMP_THREAD_INFO_LIST header = {sizeof(header), sizeof(MINIDUMP_THREAD_INFO), 0};
    uint64_t rva;

    for (size_t i = 0; i < job->target.thread_count; i++)
        header.NumberOfEntries += thread_written(&job->target.threads[i]);
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &header, sizeof(header));
    for (size_t i = 0; i < job->target.thread_count; i++) {
        const struct dump_thread *th = &job->target.threads[i];
        MINIDUMP_THREAD_INFO info;
        if (!thread_written(th))
            continue;
        memset(&info, 0, sizeof(info));
        info.ThreadId = th->id;
        if (th->id == job->target.self_thread)
            info.DumpFlags |= MINIDUMP_THREAD_INFO_WRITING_THREAD;
        if (th->exit_status != STILL_ACTIVE) {
            info.DumpFlags |= MINIDUMP_THREAD_INFO_EXITED_THREAD;
            info.ExitStatus = th->exit_status;
        }
        if (!th->context_valid)
            info.DumpFlags |= MINIDUMP_THREAD_INFO_INVALID_CONTEXT;
        if (!th->teb)
            info.DumpFlags |= MINIDUMP_THREAD_INFO_INVALID_TEB;
        info.CreateTime = filetime_ticks(th->create_time);
        info.ExitTime = filetime_ticks(th->exit_time);
        info.KernelTime = filetime_ticks(th->kernel_time);
        info.UserTime = filetime_ticks(th->user_time);
        info.StartAddress = th->start_address;
        info.Affinity = th->affinity;
        dump_file_append(&job->out, &info, sizeof(info));
    }
    dump_stream(job, ThreadInfoListStream, rva,
                sizeof(header) + (uint64_t)header.NumberOfEntries * sizeof(MINIDUMP_THREAD_INFO));
}

void dump_write_thread_names(struct dump_job *job)
{
#pragma pack(push, 4)
    struct thread_name {
        ULONG32 thread_id;
        ULONG64 name_rva;
    };
#pragma pack(pop)
    struct thread_name *names = dump_alloc((job->target.thread_count + 1) * sizeof(*names));
    ULONG32 count = 0;
    uint64_t rva;

    if (!names)
        return;
    for (size_t i = 0; i < job->target.thread_count; i++) {
        const struct dump_thread *th = &job->target.threads[i];
        if (!thread_written(th) || !th->name[0])
            continue;
        names[count].thread_id = th->id;
        names[count].name_rva = dump_file_string(&job->out, th->name);
        count++;
    }
    dump_file_align(&job->out, 4);
    rva = dump_file_append(&job->out, &count, sizeof(count));
    dump_file_append(&job->out, names, count * sizeof(*names));
    dump_free(names);
    dump_stream(job, THREAD_NAMES_STREAM, rva, sizeof(count) + (uint64_t)count * sizeof(*names));
}

/* ---- modules ---- */

void dump_write_module_list(struct dump_job *job)
{
    struct dump_target *t = &job->target;
    MINIDUMP_MODULE *entries = dump_alloc((t->module_count + 1) * sizeof(*entries));
    ULONG32 count = 0;
    uint64_t rva;

    if (!entries) {
        job->out.failed = true;
        job->out.error = ERROR_NOT_ENOUGH_MEMORY;
        return;
    }
    for (size_t i = 0; i < t->module_count; i++) {
        const struct dump_module *m = &t->modules[i];
        MINIDUMP_MODULE *e = &entries[count];
        if (!(m->write_flags & ModuleWriteModule))
            continue;
        e->BaseOfImage = m->base;
        e->SizeOfImage = m->size;
        e->CheckSum = m->checksum;
        e->TimeDateStamp = m->timestamp;
        e->VersionInfo = m->version;
        e->ModuleNameRva = dump_file_string(&job->out, m->path);
        if (m->cv_record && (m->write_flags & ModuleWriteCvRecord)) {
            dump_file_align(&job->out, 4);
            e->CvRecord.Rva = (RVA)dump_file_append(&job->out, m->cv_record, m->cv_size);
            e->CvRecord.DataSize = m->cv_size;
        }
        if (m->misc_record && (m->write_flags & ModuleWriteMiscRecord)) {
            dump_file_align(&job->out, 4);
            e->MiscRecord.Rva = (RVA)dump_file_append(&job->out, m->misc_record, m->misc_size);
            e->MiscRecord.DataSize = m->misc_size;
        }
        count++;
    }
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &count, sizeof(count));
    dump_file_append(&job->out, entries, count * sizeof(*entries));
    dump_free(entries);
    dump_stream(job, ModuleListStream, rva, sizeof(count) + (uint64_t)count * sizeof(MINIDUMP_MODULE));
}

void dump_write_unloaded_modules(struct dump_job *job)
{
    struct dump_target *t = &job->target;
    MINIDUMP_UNLOADED_MODULE_LIST header = {sizeof(header), sizeof(MINIDUMP_UNLOADED_MODULE),
                                            (ULONG32)t->unloaded_count};
    MINIDUMP_UNLOADED_MODULE *entries = dump_alloc((t->unloaded_count + 1) * sizeof(*entries));
    uint64_t rva;

    if (!entries)
        return;
    for (size_t i = 0; i < t->unloaded_count; i++) {
        entries[i].BaseOfImage = t->unloaded[i].base;
        entries[i].SizeOfImage = t->unloaded[i].size;
        entries[i].CheckSum = t->unloaded[i].checksum;
        entries[i].TimeDateStamp = t->unloaded[i].timestamp;
        entries[i].ModuleNameRva = dump_file_string(&job->out, t->unloaded[i].name);
    }
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &header, sizeof(header));
    dump_file_append(&job->out, entries, t->unloaded_count * sizeof(*entries));
    dump_free(entries);
    dump_stream(job, UnloadedModuleListStream, rva,
                sizeof(header) + (uint64_t)t->unloaded_count * sizeof(MINIDUMP_UNLOADED_MODULE));
}

/* ---- the exception ---- */

void dump_write_exception(struct dump_job *job)
{
    MINIDUMP_EXCEPTION_STREAM stream;
    const EXCEPTION_RECORD *r = &job->exception.record;
    uint64_t context_rva, rva;

    memset(&stream, 0, sizeof(stream));
    dump_file_align(&job->out, 16);
    context_rva = dump_file_append(&job->out, &job->exception.context, sizeof(CONTEXT));
    stream.ThreadId = job->exception.thread_id;
    stream.ExceptionRecord.ExceptionCode = r->ExceptionCode;
    stream.ExceptionRecord.ExceptionFlags = r->ExceptionFlags;
    stream.ExceptionRecord.ExceptionRecord = (ULONG64)(uintptr_t)r->ExceptionRecord;
    stream.ExceptionRecord.ExceptionAddress = (ULONG64)(uintptr_t)r->ExceptionAddress;
    stream.ExceptionRecord.NumberParameters =
        r->NumberParameters > EXCEPTION_MAXIMUM_PARAMETERS ? EXCEPTION_MAXIMUM_PARAMETERS
                                                           : r->NumberParameters;
    for (ULONG i = 0; i < stream.ExceptionRecord.NumberParameters; i++)
        stream.ExceptionRecord.ExceptionInformation[i] = r->ExceptionInformation[i];
    stream.ThreadContext.DataSize = sizeof(CONTEXT);
    stream.ThreadContext.Rva = (RVA)context_rva;
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &stream, sizeof(stream));
    dump_stream(job, ExceptionStream, rva, sizeof(stream));
}

/* ---- handles: each value the target may hold, duplicated into our
 * process to learn whether it is live, its type, name and counts ---- */

typedef LONG(NTAPI *query_object_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);

/* An object's type (class 2) or name (class 1) as text; false if none. */
static bool object_text(query_object_fn query, HANDLE h, ULONG cls, WCHAR *out, size_t count)
{
    union {
        struct {
            USHORT length, maximum;
            PWSTR buffer;
        } name;
        uint8_t bytes[2048];
    } u;
    size_t n;

    if (query(h, cls, &u, sizeof(u), NULL) < 0 || !u.name.buffer || !u.name.length)
        return false;
    n = u.name.length / sizeof(WCHAR);
    if (n >= count)
        n = count - 1;
    memcpy(out, u.name.buffer, n * sizeof(WCHAR));
    out[n] = 0;
    return true;
}

void dump_write_handle_data(struct dump_job *job)
{
    query_object_fn query = (query_object_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "NtQueryObject");
    MINIDUMP_HANDLE_DESCRIPTOR *handles = NULL;
    MINIDUMP_HANDLE_DATA_STREAM header = {sizeof(header), sizeof(MINIDUMP_HANDLE_DESCRIPTOR), 0, 0};
    DWORD expected = 0;
    ULONG capacity = 0;
    uint64_t rva;

    if (!GetProcessHandleCount(job->target.process, &expected) || expected > 65536)
        expected = 4096;
    /* handle values are multiples of 4; stop once every handle was seen */
    for (uintptr_t value = 4; value < (1u << 20) && header.NumberOfDescriptors < expected;
         value += 4) {
        HANDLE copy = NULL;
        MINIDUMP_HANDLE_DESCRIPTOR d;
        struct {
            ULONG attributes, granted_access, handle_count, pointer_count, reserved[10];
        } basic;
        WCHAR text[512];

        if (!DuplicateHandle(job->target.process, (HANDLE)value, GetCurrentProcess(), &copy, 0,
                             FALSE, DUPLICATE_SAME_ACCESS))
            continue;
        memset(&d, 0, sizeof(d));
        d.Handle = value;
        if (query && query(copy, 0 /* ObjectBasicInformation */, &basic, sizeof(basic), NULL) >= 0) {
            d.Attributes = basic.attributes;
            d.GrantedAccess = basic.granted_access;
            d.HandleCount = basic.handle_count ? basic.handle_count - 1 : 0; /* less our copy */
            d.PointerCount = basic.pointer_count;
        }
        if (query && object_text(query, copy, 2 /* ObjectTypeInformation */, text, 512)) {
            d.TypeNameRva = dump_file_string(&job->out, text);
            /* a File's name query can block on a synchronous pipe: only
             * other objects are named */
            if (wcscmp(text, L"File") != 0 &&
                object_text(query, copy, 1 /* ObjectNameInformation */, text, 512))
                d.ObjectNameRva = dump_file_string(&job->out, text);
        }
        CloseHandle(copy);
        if (header.NumberOfDescriptors == capacity) {
            ULONG grown_capacity = capacity ? capacity * 2 : 64;
            MINIDUMP_HANDLE_DESCRIPTOR *grown =
                dump_realloc(handles, grown_capacity * sizeof(*grown));
            if (!grown)
                break;
            handles = grown;
            capacity = grown_capacity;
        }
        handles[header.NumberOfDescriptors++] = d;
    }
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &header, sizeof(header));
    if (handles)
        dump_file_append(&job->out, handles, header.NumberOfDescriptors * sizeof(*handles));
    dump_free(handles);
    dump_stream(job, HandleDataStream, rva,
                sizeof(header) + (uint64_t)header.NumberOfDescriptors * sizeof(MINIDUMP_HANDLE_DESCRIPTOR));
}

/* ---- memory ---- */

void dump_write_memory_info(struct dump_job *job)
{
    MINIDUMP_MEMORY_INFO_LIST header = {sizeof(header), sizeof(MINIDUMP_MEMORY_INFO), 0};
    uint64_t address = 0, rva;

    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &header, sizeof(header));
    while (header.NumberOfEntries < MAX_MEMORY_INFO) {
        MEMORY_BASIC_INFORMATION m;
        MINIDUMP_MEMORY_INFO info;
        uint64_t next;
        if (!VirtualQueryEx(job->target.process, (LPCVOID)(uintptr_t)address, &m, sizeof(m)))
            break;
        memset(&info, 0, sizeof(info));
        info.BaseAddress = (uint64_t)(uintptr_t)m.BaseAddress;
        info.AllocationBase = (uint64_t)(uintptr_t)m.AllocationBase;
        info.AllocationProtect = m.AllocationProtect;
        info.RegionSize = m.RegionSize;
        info.State = m.State;
        info.Protect = m.Protect;
        info.Type = m.Type;
        dump_file_append(&job->out, &info, sizeof(info));
        header.NumberOfEntries++;
        next = info.BaseAddress + info.RegionSize;
        if (next <= address)
            break;
        address = next;
    }
    dump_file_patch(&job->out, rva, &header, sizeof(header));
    dump_stream(job, MemoryInfoListStream, rva,
                sizeof(header) + header.NumberOfEntries * sizeof(MINIDUMP_MEMORY_INFO));
}

/* Whether a stack word is kept by MiniDumpFilterMemory: a pointer into a
 * module or into a stack — what a stack walk can need. */
static bool word_kept(const struct dump_job *job, uint64_t value)
{
    return dump_target_module_at(&job->target, value) ||
           dump_target_in_stack(&job->target, value);
}

static bool in_a_stack(const struct dump_job *job, uint64_t address)
{
    for (size_t i = 0; i < job->target.thread_count; i++) {
        const struct dump_thread *th = &job->target.threads[i];
        if (address >= th->stack_start && address - th->stack_start < th->stack_size)
            return true;
    }
    return false;
}

/* Appends a range's bytes, read from the target in chunks; unreadable
 * chunks (memory that went away meanwhile) are written as zeros. */
static void append_range(struct dump_job *job, struct dump_range *r)
{
    static const size_t chunk = 64 * 1024;
    uint8_t *buffer = dump_alloc(chunk);
    bool filter = (job->type & MiniDumpFilterMemory) != 0;

    r->rva = job->out.size;
    for (uint64_t done = 0; done < r->size;) {
        size_t n = r->size - done < chunk ? (size_t)(r->size - done) : chunk;
        if (!buffer || !dump_target_read(&job->target, r->start + done, buffer, n)) {
            dump_file_append(&job->out, NULL, n);
        } else {
            if (filter) {
                for (size_t w = 0; w + sizeof(void *) <= n; w += sizeof(void *)) {
                    uintptr_t value;
                    if (!in_a_stack(job, r->start + done + w))
                        continue;
                    memcpy(&value, buffer + w, sizeof(value));
                    if (!word_kept(job, value))
                        memset(buffer + w, 0, sizeof(value));
                }
            }
            dump_file_append(&job->out, buffer, n);
        }
        done += n;
    }
    dump_free(buffer);
}

void dump_write_memory_list(struct dump_job *job)
{
    ULONG32 count = (ULONG32)job->memory.count;
    uint64_t rva, descriptors;

    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &count, sizeof(count));
    descriptors = dump_file_append(&job->out, NULL, count * sizeof(MINIDUMP_MEMORY_DESCRIPTOR));
    for (size_t i = 0; i < job->memory.count; i++) {
        struct dump_range *r = &job->memory.ranges[i];
        MINIDUMP_MEMORY_DESCRIPTOR d;
        append_range(job, r);
        d.StartOfMemoryRange = r->start;
        d.Memory.DataSize = (ULONG32)r->size;
        d.Memory.Rva = (RVA)r->rva;
        dump_file_patch(&job->out, descriptors + i * sizeof(d), &d, sizeof(d));
    }
    dump_stream(job, MemoryListStream, rva,
                sizeof(count) + (uint64_t)count * sizeof(MINIDUMP_MEMORY_DESCRIPTOR));
}

void dump_write_memory64_list(struct dump_job *job)
{
    MINIDUMP_MEMORY64_LIST header;
    uint64_t rva;

    memset(&header, 0, sizeof(header));
    header.NumberOfMemoryRanges = job->memory.count;
    dump_file_align(&job->out, 8);
    rva = dump_file_append(&job->out, &header, sizeof(header));
    for (size_t i = 0; i < job->memory.count; i++) {
        MINIDUMP_MEMORY_DESCRIPTOR64 d = {job->memory.ranges[i].start, job->memory.ranges[i].size};
        dump_file_append(&job->out, &d, sizeof(d));
    }
    header.BaseRva = job->out.size; /* the ranges' bytes follow, back to back */
    dump_file_patch(&job->out, rva, &header, sizeof(header));
    for (size_t i = 0; i < job->memory.count; i++)
        append_range(job, &job->memory.ranges[i]);
    dump_stream(job, Memory64ListStream, rva,
                sizeof(header) + job->memory.count * sizeof(MINIDUMP_MEMORY_DESCRIPTOR64));
}
#endif
