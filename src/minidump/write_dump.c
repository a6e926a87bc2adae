/*
 * MiniDumpWriteDump: what each MINIDUMP_TYPE flag adds, the caller's
 * callbacks (IncludeThread, Thread, IncludeModule, Module, Memory,
 * RemoveMemory, Cancel), and the order the dump is written in. The target's
 * other threads are suspended while it is read and always resumed.
 *
 * Failures set an HRESULT as the last error, as DbgHelp documents.
 */
#ifdef _WIN32
#include "../platform.h"
#include "dump_writer.h"

#include <string.h>
#include <time.h>

#define INSTRUCTION_WINDOW 256   /* bytes each side of the exception's PC */
#define INDIRECT_WINDOW 128      /* bytes each side of a pointer found on a stack */
#define MAX_INDIRECT 4096        /* pointers followed per dump */
#define MAX_CALLBACK_RANGES (1u << 20)
#define MAX_STREAMS 24
#define MAX_STACK (256u << 20)

/* ---- the private heap ---- */

static INIT_ONCE heap_once = INIT_ONCE_STATIC_INIT;
static HANDLE heap;

static BOOL CALLBACK create_heap(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once, (void)param, (void)context;
    heap = HeapCreate(0, 1 << 20, 0);
    return heap != NULL;
}

void *dump_alloc(size_t size)
{
    if (!InitOnceExecuteOnce(&heap_once, create_heap, NULL, NULL))
        return NULL;
    return HeapAlloc(heap, HEAP_ZERO_MEMORY, size ? size : 1);
}

void *dump_realloc(void *block, size_t size)
{
    if (!block)
        return dump_alloc(size);
    return HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, size ? size : 1);
}

void dump_free(void *block)
{
    if (block)
        HeapFree(heap, 0, block);
}

/* ---- callbacks and the directory ---- */

BOOL dump_callback(struct dump_job *job, ULONG type, MINIDUMP_CALLBACK_INPUT *input,
                   MINIDUMP_CALLBACK_OUTPUT *output)
{
    if (!job->callback)
        return FALSE;
    input->ProcessId = job->target.pid;
    input->ProcessHandle = job->target.process;
    input->CallbackType = type;
    return job->callback(job->callback_param, input, output);
}

void dump_stream(struct dump_job *job, ULONG type, uint64_t rva, uint64_t size)
{
    MINIDUMP_DIRECTORY *d;

    if (job->directory_count == job->directory_capacity || rva > 0xFFFFFFFFu ||
        size > 0xFFFFFFFFu) {
        /* a stream past 4 GB cannot be addressed by a 32-bit RVA */
        job->out.failed = true;
        job->out.error = ERROR_ARITHMETIC_OVERFLOW;
        return;
    }
    d = &job->directory[job->directory_count++];
    d->StreamType = type;
    d->Location.Rva = (RVA)rva;
    d->Location.DataSize = (ULONG32)size;
}

/* False when the caller cancelled. */
static bool not_cancelled(struct dump_job *job)
{
    MINIDUMP_CALLBACK_INPUT input;
    MINIDUMP_CALLBACK_OUTPUT output;

    if (!job->callback || !job->cancel_checks)
        return true;
    memset(&input, 0, sizeof(input));
    memset(&output, 0, sizeof(output));
    if (!dump_callback(job, CancelCallback, &input, &output) || !output.CheckCancel) {
        job->cancel_checks = false;
        return true;
    }
    return !output.Cancel;
}

/* ---- the exception ---- */

static bool read_exception(struct dump_job *job, const MINIDUMP_EXCEPTION_INFORMATION *info)
{
    EXCEPTION_POINTERS pointers;

    job->exception.thread_id = info->ThreadId;
    if (!info->ExceptionPointers)
        return true;
    if (info->ClientPointers) {
        /* the pointers are the target's */
        if (!dump_target_read(&job->target, (uintptr_t)info->ExceptionPointers, &pointers,
                              sizeof(pointers)) ||
            !pointers.ExceptionRecord || !pointers.ContextRecord ||
            !dump_target_read(&job->target, (uintptr_t)pointers.ExceptionRecord,
                              &job->exception.record, sizeof(EXCEPTION_RECORD)) ||
            !dump_target_read(&job->target, (uintptr_t)pointers.ContextRecord,
                              &job->exception.context, sizeof(CONTEXT)))
            return false;
    } else {
        pointers = *info->ExceptionPointers;
        if (!pointers.ExceptionRecord || !pointers.ContextRecord)
            return false;
        job->exception.record = *pointers.ExceptionRecord;
        job->exception.context = *pointers.ContextRecord;
    }
    job->exception.record_address = (uintptr_t)pointers.ExceptionRecord;
    job->exception.present = true;
    return true;
}

static uint64_t context_pc(const CONTEXT *c)
{
#if defined(__x86_64__) || defined(_M_X64)
    return c->Rip;
#elif defined(__i386__) || defined(_M_IX86)
    return c->Eip;
#else
    return c->Pc;
#endif
}

static uint64_t context_sp(const CONTEXT *c)
{
#if defined(__x86_64__) || defined(_M_X64)
    return c->Rsp;
#elif defined(__i386__) || defined(_M_IX86)
    return c->Esp;
#else
    return c->Sp;
#endif
}

/* Adds what can be read of [start, start + size). */
static void add_readable(struct dump_job *job, uint64_t start, uint64_t size)
{
    uint64_t readable = dump_target_readable(&job->target, start, size);
    if (readable)
        dump_memory_add(&job->memory, start, readable);
}

/* ---- threads ---- */

static void choose_threads(struct dump_job *job)
{
    for (size_t i = 0; i < job->target.thread_count; i++) {
        struct dump_thread *th = &job->target.threads[i];
        bool crashed = job->exception.present && th->id == job->exception.thread_id;
        const CONTEXT *context = crashed ? &job->exception.context : &th->context;
        MINIDUMP_CALLBACK_INPUT input;
        MINIDUMP_CALLBACK_OUTPUT output;
        uint64_t sp = context_sp(context);

        th->write_flags = ThreadWriteThread | ThreadWriteStack | ThreadWriteContext;
        if (crashed)
            th->write_flags |= ThreadWriteInstructionWindow;
        if (job->type & MiniDumpWithProcessThreadData)
            th->write_flags |= ThreadWriteThreadData;
        if (job->type & MiniDumpWithThreadInfo)
            th->write_flags |= ThreadWriteThreadInfo;

        memset(&input, 0, sizeof(input));
        memset(&output, 0, sizeof(output));
        input.IncludeThread.ThreadId = th->id;
        output.ThreadWriteFlags = th->write_flags;
        if (job->callback) {
            if (!dump_callback(job, IncludeThreadCallback, &input, &output)) {
                th->write_flags = 0;
                continue;
            }
            th->write_flags = output.ThreadWriteFlags;
        }

        /* the stack from the saved SP to the stack's base */
        if (th->stack_base && sp < th->stack_base && sp + MAX_STACK > th->stack_base)
            th->stack_start = sp;
        else
            th->stack_start = th->stack_limit;
        th->stack_size = th->stack_base > th->stack_start ? th->stack_base - th->stack_start : 0;

        if (job->callback) {
            memset(&input, 0, sizeof(input));
            memset(&output, 0, sizeof(output));
            input.Thread.ThreadId = th->id;
            input.Thread.ThreadHandle = th->handle;
            input.Thread.Context = *context;
            input.Thread.SizeOfContext = sizeof(CONTEXT);
            input.Thread.StackBase = th->stack_start;
            input.Thread.StackEnd = th->stack_base;
            output.ThreadWriteFlags = th->write_flags;
            if (!dump_callback(job, ThreadCallback, &input, &output)) {
                th->write_flags = 0;
                continue;
            }
            th->write_flags = output.ThreadWriteFlags;
        }
        if (!(th->write_flags & ThreadWriteThread))
            continue;
        if ((th->write_flags & ThreadWriteStack) && th->stack_size) {
            th->stack_size = dump_target_readable(&job->target, th->stack_start, th->stack_size);
            if (th->stack_size)
                dump_memory_add(&job->memory, th->stack_start, th->stack_size);
        }
        if (th->write_flags & ThreadWriteInstructionWindow) {
            uint64_t pc = context_pc(context);
            add_readable(job, pc > INSTRUCTION_WINDOW ? pc - INSTRUCTION_WINDOW : 0,
                         2 * INSTRUCTION_WINDOW);
        }
        if ((th->write_flags & ThreadWriteThreadData) && th->teb)
            add_readable(job, th->teb, 0x2000);
    }
}

/* ---- modules ---- */

/* Calls `visit` with each pointer-sized word of every saved stack, until it
 * returns false. */
static void for_each_stack_word(struct dump_job *job, bool (*visit)(struct dump_job *, uintptr_t, void *),
                                void *context)
{
    for (size_t i = 0; i < job->target.thread_count; i++) {
        const struct dump_thread *th = &job->target.threads[i];
        uint64_t end = th->stack_start + th->stack_size;
        uint8_t words[4096];
        if (!(th->write_flags & ThreadWriteStack))
            continue;
        for (uint64_t at = th->stack_start; at < end; at += sizeof(words)) {
            size_t n = end - at < sizeof(words) ? (size_t)(end - at) : sizeof(words);
            if (!dump_target_read(&job->target, at, words, n))
                continue;
            for (size_t w = 0; w + sizeof(void *) <= n; w += sizeof(void *)) {
                uintptr_t value;
                memcpy(&value, words + w, sizeof(value));
                if (!visit(job, value, context))
                    return;
            }
        }
    }
}

static bool mark_module(struct dump_job *job, uintptr_t value, void *context)
{
    (void)context;
    for (size_t i = 0; i < job->target.module_count; i++)
        if (value - job->target.modules[i].base < job->target.modules[i].size)
            job->target.modules[i].referenced = true;
    return true;
}

/* Sections of the image in memory whose characteristics have `flag`. */
static void add_sections(struct dump_job *job, const struct dump_module *m, uint32_t flag)
{
    uint8_t dos[64], nt[24];
    uint32_t nt_offset;
    uint16_t count, optional_size;

    if (!dump_target_read(&job->target, m->base, dos, sizeof(dos)))
        return;
    memcpy(&nt_offset, dos + 0x3C, 4);
    if (nt_offset > m->size || !dump_target_read(&job->target, m->base + nt_offset, nt, sizeof(nt)))
        return;
    memcpy(&count, nt + 6, 2);
    memcpy(&optional_size, nt + 20, 2);
    for (unsigned i = 0; i < count && i < 96; i++) {
        uint8_t section[40];
        uint32_t virtual_size, rva, characteristics;
        if (!dump_target_read(&job->target,
                              m->base + nt_offset + 24 + optional_size + 40u * i, section,
                              sizeof(section)))
            return;
        memcpy(&virtual_size, section + 8, 4);
        memcpy(&rva, section + 12, 4);
        memcpy(&characteristics, section + 36, 4);
        if ((characteristics & flag) && rva < m->size && virtual_size)
            add_readable(job, m->base + rva,
                         virtual_size < m->size - rva ? virtual_size : m->size - rva);
    }
}

static void choose_modules(struct dump_job *job)
{
    /* MiniDumpScanMemory: one pass over the stacks marks what they point into */
    if (job->type & MiniDumpScanMemory)
        for_each_stack_word(job, mark_module, NULL);
    for (size_t i = 0; i < job->target.module_count; i++) {
        struct dump_module *m = &job->target.modules[i];
        MINIDUMP_CALLBACK_INPUT input;
        MINIDUMP_CALLBACK_OUTPUT output;

        if (job->type & MiniDumpFilterModulePaths) {
            WCHAR *name = m->path;
            for (WCHAR *p = m->path; *p; p++)
                if (*p == L'\\' || *p == L'/')
                    name = p + 1;
            memmove(m->path, name, (wcslen(name) + 1) * sizeof(WCHAR));
        }
        m->write_flags = ModuleWriteModule | ModuleWriteMiscRecord | ModuleWriteCvRecord;
        if (job->type & MiniDumpWithDataSegs)
            m->write_flags |= ModuleWriteDataSeg;
        if (job->type & MiniDumpWithCodeSegs)
            m->write_flags |= ModuleWriteCodeSegs;
        if ((job->type & MiniDumpScanMemory) && m->referenced)
            m->write_flags |= ModuleReferencedByMemory;

        if (job->callback) {
            memset(&input, 0, sizeof(input));
            memset(&output, 0, sizeof(output));
            input.IncludeModule.BaseOfImage = m->base;
            output.ModuleWriteFlags = m->write_flags;
            if (!dump_callback(job, IncludeModuleCallback, &input, &output)) {
                m->write_flags = 0;
                continue;
            }
            m->write_flags = output.ModuleWriteFlags;
            memset(&input, 0, sizeof(input));
            memset(&output, 0, sizeof(output));
            input.Module.FullPath = m->path;
            input.Module.BaseOfImage = m->base;
            input.Module.SizeOfImage = m->size;
            input.Module.CheckSum = m->checksum;
            input.Module.TimeDateStamp = m->timestamp;
            input.Module.VersionInfo = m->version;
            input.Module.CvRecord = m->cv_record;
            input.Module.SizeOfCvRecord = m->cv_size;
            input.Module.MiscRecord = m->misc_record;
            input.Module.SizeOfMiscRecord = m->misc_size;
            output.ModuleWriteFlags = m->write_flags;
            if (!dump_callback(job, ModuleCallback, &input, &output)) {
                m->write_flags = 0;
                continue;
            }
            m->write_flags = output.ModuleWriteFlags;
        }
        if (!(m->write_flags & ModuleWriteModule))
            continue;
        if (m->write_flags & ModuleWriteDataSeg)
            add_sections(job, m, IMAGE_SCN_MEM_WRITE);
        if (m->write_flags & ModuleWriteCodeSegs)
            add_sections(job, m, IMAGE_SCN_MEM_EXECUTE);
    }
}

/* ---- other memory ---- */

/* MiniDumpWithIndirectlyReferencedMemory: a little memory around each stack
 * word that points at readable memory outside modules and stacks. */
static bool follow_pointer(struct dump_job *job, uintptr_t value, void *context)
{
    unsigned *followed = context;

    if (value < 0x10000 || dump_target_in_stack(&job->target, value) ||
        dump_target_module_at(&job->target, value))
        return true;
    if (dump_target_readable(&job->target, value, 1)) {
        add_readable(job, value - INDIRECT_WINDOW, 2 * INDIRECT_WINDOW);
        ++*followed;
    }
    return *followed < MAX_INDIRECT;
}

static void add_indirect_memory(struct dump_job *job)
{
    unsigned followed = 0;
    for_each_stack_word(job, follow_pointer, &followed);
}

/* Every committed, readable region (full memory), or only private
 * read-write ones. */
static void add_regions(struct dump_job *job, bool private_read_write_only)
{
    uint64_t address = 0;

    for (unsigned regions = 0; regions < (1u << 20); regions++) {
        MEMORY_BASIC_INFORMATION m;
        uint64_t base, next;
        if (!VirtualQueryEx(job->target.process, (LPCVOID)(uintptr_t)address, &m, sizeof(m)))
            break;
        base = (uintptr_t)m.BaseAddress;
        next = base + m.RegionSize;
        if (m.State == MEM_COMMIT && !(m.Protect & (PAGE_NOACCESS | PAGE_GUARD)) && m.Protect &&
            (!private_read_write_only ||
             (m.Type == MEM_PRIVATE && (m.Protect & (PAGE_READWRITE | PAGE_EXECUTE_READWRITE)))))
            dump_memory_add(&job->memory, base, m.RegionSize);
        if (next <= address)
            break;
        address = next;
    }
}

static void caller_memory(struct dump_job *job, ULONG type)
{
    for (unsigned n = 0; job->callback && n < MAX_CALLBACK_RANGES; n++) {
        MINIDUMP_CALLBACK_INPUT input;
        MINIDUMP_CALLBACK_OUTPUT output;
        memset(&input, 0, sizeof(input));
        memset(&output, 0, sizeof(output));
        if (!dump_callback(job, type, &input, &output) || output.MemorySize == 0)
            break;
        if (type == MemoryCallback)
            add_readable(job, output.MemoryBase, output.MemorySize);
        else
            dump_memory_remove(&job->memory, output.MemoryBase, output.MemorySize);
    }
}

/* Ranges of a memory list are 32-bit sized: split larger ones. */
static void split_large_ranges(struct dump_memory *m)
{
    const uint64_t most = 0x80000000u;
    for (size_t i = 0; i < m->count; i++) {
        if (m->ranges[i].size > most) {
            uint64_t tail = m->ranges[i].start + most, left = m->ranges[i].size - most;
            m->ranges[i].size = most;
            dump_memory_add(m, tail, left);
        }
    }
}

/* ---- the whole ---- */

static bool write_dump(struct dump_job *job, const MINIDUMP_USER_STREAM_INFORMATION *user)
{
    MINIDUMP_HEADER header;
    ULONG user_count = user ? user->UserStreamCount : 0;

    job->directory_capacity = MAX_STREAMS + user_count;
    job->directory = dump_alloc(job->directory_capacity * sizeof(MINIDUMP_DIRECTORY));
    if (!job->directory) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return false;
    }
    memset(&header, 0, sizeof(header));
    dump_file_append(&job->out, &header, sizeof(header));
    job->directory_rva =
        dump_file_append(&job->out, NULL, job->directory_capacity * sizeof(MINIDUMP_DIRECTORY));

    /* which memory goes in, then the bytes, then what refers to them */
    choose_threads(job);
    choose_modules(job);
    if (job->type & MiniDumpWithIndirectlyReferencedMemory)
        add_indirect_memory(job);
    if ((job->type & MiniDumpWithProcessThreadData) && job->target.peb)
        add_readable(job, job->target.peb, 0x1000);
    if (job->type & MiniDumpWithFullMemory)
        add_regions(job, false);
    else if (job->type & MiniDumpWithPrivateReadWriteMemory)
        add_regions(job, true);
    caller_memory(job, MemoryCallback);
    caller_memory(job, RemoveMemoryCallback);
    dump_memory_normalise(&job->memory);
    if (!(job->type & MiniDumpWithFullMemory))
        split_large_ranges(&job->memory);

    if (!not_cancelled(job))
        goto cancelled;
    dump_write_thread_contexts(job);
    if (job->type & MiniDumpWithFullMemory)
        dump_write_memory64_list(job);
    else
        dump_write_memory_list(job);
    if (!not_cancelled(job))
        goto cancelled;
    dump_write_thread_list(job);
    dump_write_module_list(job);
    if (job->type & MiniDumpWithUnloadedModules) {
        dump_target_unloaded_modules(&job->target);
        dump_write_unloaded_modules(job);
    }
    if (job->exception.present)
        dump_write_exception(job);
    dump_write_system_info(job);
    dump_write_misc_info(job);
    if (!not_cancelled(job))
        goto cancelled;
    if (job->type & MiniDumpWithHandleData)
        dump_write_handle_data(job);
    if (job->type & MiniDumpWithThreadInfo)
        dump_write_thread_info(job);
    if (job->type & MiniDumpWithFullMemoryInfo)
        dump_write_memory_info(job);
    dump_write_thread_names(job);
    for (ULONG i = 0; i < user_count; i++) {
        const MINIDUMP_USER_STREAM *s = &user->UserStreamArray[i];
        uint64_t rva;
        dump_file_align(&job->out, 8);
        rva = dump_file_append(&job->out, s->Buffer, s->Buffer ? s->BufferSize : 0);
        dump_stream(job, s->Type, rva, s->Buffer ? s->BufferSize : 0);
    }

    header.Signature = 0x504D444Du; /* "MDMP" (mingw-w64's MINIDUMP_SIGNATURE is a multi-character constant) */
    /* the format's version below, the writer's above (as DbgHelp) */
    header.Version = MINIDUMP_VERSION | (0xA0BBu << 16);
    header.NumberOfStreams = job->directory_count;
    header.StreamDirectoryRva = (RVA)job->directory_rva;
    header.TimeDateStamp = (ULONG32)time(NULL);
    header.Flags = job->type;
    dump_file_patch(&job->out, 0, &header, sizeof(header));
    dump_file_patch(&job->out, job->directory_rva, job->directory,
                    job->directory_count * sizeof(MINIDUMP_DIRECTORY));
    if (!dump_file_finish(&job->out)) {
        SetLastError(job->out.error);
        return false;
    }
    return true;
cancelled:
    SetLastError(ERROR_CANCELLED);
    return false;
}

DW_EXPORT BOOL WINAPI MiniDumpWriteDump(HANDLE hProcess, DWORD ProcessId, HANDLE hFile,
                                        MINIDUMP_TYPE DumpType,
                                        CONST PMINIDUMP_EXCEPTION_INFORMATION ExceptionParam,
                                        CONST PMINIDUMP_USER_STREAM_INFORMATION UserStreamParam,
                                        CONST PMINIDUMP_CALLBACK_INFORMATION CallbackParam)
{
    struct dump_job *job;
    BOOL ok;
    DWORD error = ERROR_SUCCESS;

    if (!hProcess || !hFile || hFile == INVALID_HANDLE_VALUE ||
        (DumpType & ~MiniDumpValidTypeFlags) ||
        (UserStreamParam && UserStreamParam->UserStreamCount &&
         !UserStreamParam->UserStreamArray) ||
        (UserStreamParam && UserStreamParam->UserStreamCount > 0x10000)) {
        SetLastError(HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
        return FALSE;
    }
    job = dump_alloc(sizeof(*job));
    if (!job) {
        SetLastError(HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY));
        return FALSE;
    }
    job->type = DumpType;
    job->cancel_checks = true;
    if (CallbackParam) {
        job->callback = CallbackParam->CallbackRoutine;
        job->callback_param = CallbackParam->CallbackParam;
    }
    dump_file_init(&job->out, hFile);
    if (job->out.failed) {
        error = job->out.error;
        dump_free(job);
        SetLastError(HRESULT_FROM_WIN32(error));
        return FALSE;
    }
    if (!dump_target_open(&job->target, hProcess, ProcessId)) {
        error = GetLastError();
        dump_free(job);
        SetLastError(HRESULT_FROM_WIN32(error));
        return FALSE;
    }
    ok = !ExceptionParam || read_exception(job, ExceptionParam);
    if (!ok)
        error = ERROR_INVALID_PARAMETER;
    if (ok) {
        ok = write_dump(job, UserStreamParam);
        if (!ok)
            error = GetLastError();
    }
    dump_target_close(&job->target); /* resumes every thread we suspended */
    dump_memory_free(&job->memory);
    dump_free(job->directory);
    dump_free(job);
    if (!ok)
        SetLastError(HRESULT_FROM_WIN32(error));
    return ok;
}
#endif
