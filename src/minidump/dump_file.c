/* The dump's output: buffered appends at 64-bit RVAs, patches of what was
 * already written, and one sticky error. */
#ifdef _WIN32
#include "dump_writer.h"

#include <string.h>

static void fail(struct dump_file *f)
{
    if (!f->failed) {
        f->failed = true;
        f->error = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
    }
}

static bool seek(struct dump_file *f, uint64_t rva)
{
    LARGE_INTEGER to;
    to.QuadPart = (LONGLONG)(f->start + rva);
    return SetFilePointerEx(f->file, to, NULL, FILE_BEGIN) != 0;
}

static void flush(struct dump_file *f)
{
    const uint8_t *p = f->buffer;
    size_t left = f->buffered;

    f->buffered = 0;
    if (f->failed || !seek(f, f->size - left)) {
        fail(f);
        return;
    }
    while (left) {
        DWORD chunk = left > (1u << 30) ? (1u << 30) : (DWORD)left, written = 0;
        if (!WriteFile(f->file, p, chunk, &written, NULL) || written == 0) {
            fail(f);
            return;
        }
        p += written;
        left -= written;
    }
}

void dump_file_init(struct dump_file *f, HANDLE file)
{
    LARGE_INTEGER zero = {0}, at;

    memset(f, 0, sizeof(*f));
    f->file = file;
    /* DbgHelp writes the dump from the file's current position on */
    if (SetFilePointerEx(file, zero, &at, FILE_CURRENT))
        f->start = (uint64_t)at.QuadPart;
    else
        fail(f);
}

uint64_t dump_file_append(struct dump_file *f, const void *data, size_t size)
{
    uint64_t rva = f->size;
    const uint8_t *p = data;

    while (size) {
        size_t room = sizeof(f->buffer) - f->buffered, n = size < room ? size : room;
        if (p)
            memcpy(f->buffer + f->buffered, p, n);
        else
            memset(f->buffer + f->buffered, 0, n);
        f->buffered += n;
        f->size += n;
        size -= n;
        if (p)
            p += n;
        if (f->buffered == sizeof(f->buffer))
            flush(f);
    }
    return rva;
}

void dump_file_align(struct dump_file *f, unsigned alignment)
{
    uint64_t pad = (alignment - f->size % alignment) % alignment;
    if (pad)
        dump_file_append(f, NULL, (size_t)pad);
}

void dump_file_patch(struct dump_file *f, uint64_t rva, const void *data, size_t size)
{
    uint64_t flushed = f->size - f->buffered;
    DWORD written = 0;

    if (rva < flushed && rva + size > flushed) { /* straddles: write it all to the file */
        flush(f);
        flushed = f->size;
    }
    if (rva >= flushed) { /* still in the buffer */
        memcpy(f->buffer + (rva - flushed), data, size);
        return;
    }
    if (f->failed || !seek(f, rva) || !WriteFile(f->file, data, (DWORD)size, &written, NULL) ||
        written != size)
        fail(f);
}

uint32_t dump_file_string(struct dump_file *f, const WCHAR *text)
{
    ULONG32 length = (ULONG32)(wcslen(text) * sizeof(WCHAR));
    uint64_t rva;

    dump_file_align(f, 4);
    rva = dump_file_append(f, &length, sizeof(length));
    dump_file_append(f, text, length + sizeof(WCHAR));
    return (uint32_t)rva;
}

bool dump_file_finish(struct dump_file *f)
{
    flush(f);
    if (!f->failed && (!seek(f, f->size) || !SetEndOfFile(f->file)))
        fail(f);
    return !f->failed;
}
#endif
