/* Walks a fake x64 stack of an image with a PDB through libdbghelp's public
 * API and prints every frame, once with StackWalkEx (inline frames) and
 * once with StackWalk64 (physical frames only):
 *   inline_walk IMAGE BASE PC RET
 * The image is mapped at BASE from its file (headers and sections), the
 * stack holds RET at RSP and zeros above it, so a walk from a leaf at PC
 * reaches the caller at RET and ends there when the caller's own return
 * address (0) is read.
 * Output, one line a frame:
 *   ex PC CONTEXT NAME FILE:LINE   (SymFromInlineContext, SymGetLineFromInlineContext)
 *   64 PC                          (StackWalk64) */
#include <dbgwalk.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_BASE 0x10000ull
#define STACK_SIZE 0x2000u

static uint8_t *image, stack[STACK_SIZE];
static uint64_t image_base;
static uint32_t image_size;

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The image as the loader lays it out: headers, then each section at its
 * RVA. */
static bool map_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *file;
    long length;
    uint32_t pe, sections, optional, headers;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0x200)
        return false;
    rewind(f);
    file = malloc((size_t)length);
    if (!file || fread(file, 1, (size_t)length, f) != (size_t)length)
        return false;
    fclose(f);
    pe = le32(file + 0x3c);
    sections = le16(file + pe + 6);
    optional = le16(file + pe + 20);
    image_size = le32(file + pe + 24 + 56);
    headers = le32(file + pe + 24 + 60);
    image = calloc(1, image_size);
    if (!image || headers > (uint32_t)length || headers > image_size)
        return false;
    memcpy(image, file, headers);
    for (uint32_t i = 0; i < sections; i++) {
        const uint8_t *s = file + pe + 24 + optional + i * 40;
        uint32_t rva = le32(s + 12), raw_size = le32(s + 16), raw = le32(s + 20);
        if (raw_size > le32(s + 8) && le32(s + 8))
            raw_size = le32(s + 8);
        if (raw + (uint64_t)raw_size > (uint64_t)length || rva + (uint64_t)raw_size > image_size)
            return false;
        memcpy(image + rva, file + raw, raw_size);
    }
    free(file);
    return true;
}

static BOOL IMAGEAPI read_memory(HANDLE process, DWORD64 address, PVOID buffer, DWORD size,
                                 LPDWORD bytes_read)
{
    (void)process;
    *bytes_read = 0;
    if (address >= image_base && address - image_base + size <= image_size) {
        memcpy(buffer, image + (address - image_base), size);
    } else if (address >= STACK_BASE && address - STACK_BASE + size <= STACK_SIZE) {
        memcpy(buffer, stack + (address - STACK_BASE), size);
    } else {
        return FALSE;
    }
    *bytes_read = size;
    return TRUE;
}

static void seed(CONTEXT *context, STACKFRAME64 *frame, uint64_t pc)
{
    memset(context, 0, sizeof(*context));
    context->ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
    context->Rip = pc;
    context->Rsp = STACK_BASE + 0x100;
    memset(frame, 0, sizeof(*frame));
    frame->AddrPC.Offset = context->Rip;
    frame->AddrPC.Mode = AddrModeFlat;
    frame->AddrStack.Offset = context->Rsp;
    frame->AddrStack.Mode = AddrModeFlat;
    frame->AddrFrame.Mode = AddrModeFlat;
}

static void print_names(HANDLE process, DWORD64 pc, DWORD context)
{
    union { SYMBOL_INFO info; char bytes[sizeof(SYMBOL_INFO) + 512]; } s;
    IMAGEHLP_LINE64 line = {sizeof(line), NULL, 0, NULL, 0};
    DWORD64 displacement;
    DWORD line_displacement;

    memset(&s, 0, sizeof s);
    s.info.SizeOfStruct = sizeof s.info;
    s.info.MaxNameLen = 512;
    printf(" %s", SymFromInlineContext(process, pc, context, &displacement, &s.info) ? s.info.Name
                                                                                     : "??");
    if (SymGetLineFromInlineContext(process, pc, context, 0, &line_displacement, &line))
        printf(" %s:%lu", line.FileName, (unsigned long)line.LineNumber);
    else
        printf(" ??:0");
}

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x4321;
    uint64_t pc, ret;
    STACKFRAME_EX ex;
    STACKFRAME64 frame;
    CONTEXT context;
    unsigned n;

    if (argc != 5)
        return 2;
    image_base = strtoull(argv[2], NULL, 0);
    pc = strtoull(argv[3], NULL, 0);
    ret = strtoull(argv[4], NULL, 0);
    if (!map_image(argv[1]))
        return 3;
    for (unsigned i = 0; i < 8; i++)
        stack[0x100 + i] = (uint8_t)(ret >> (8 * i));
    if (!SymInitialize(process, NULL, FALSE) ||
        !SymLoadModuleEx(process, NULL, argv[1], NULL, image_base, 0, NULL, 0))
        return 4;

    seed(&context, (STACKFRAME64 *)&ex, pc);
    memset((char *)&ex + sizeof(STACKFRAME64), 0, sizeof(ex) - sizeof(STACKFRAME64));
    ex.StackFrameSize = sizeof(ex);
    ex.InlineFrameContext = INLINE_FRAME_CONTEXT_INIT;
    for (n = 0; n < 32 && StackWalkEx(IMAGE_FILE_MACHINE_AMD64, process, NULL, &ex, &context,
                                      read_memory, NULL, NULL, NULL, SYM_STKWALK_DEFAULT);
         n++) {
        /* every frame of one physical position carries its registers */
        if (ex.AddrPC.Offset != context.Rip || ex.AddrStack.Offset != context.Rsp) {
            printf("registers differ at frame %u\n", n);
            return 5;
        }
        printf("ex 0x%llx 0x%lx", (unsigned long long)ex.AddrPC.Offset,
               (unsigned long)ex.InlineFrameContext);
        print_names(process, ex.AddrPC.Offset, ex.InlineFrameContext);
        printf("\n");
    }

    /* INLINE_FRAME_CONTEXT_IGNORE: physical frames only, the value kept */
    seed(&context, (STACKFRAME64 *)&ex, pc);
    ex.StackFrameSize = sizeof(ex);
    ex.InlineFrameContext = INLINE_FRAME_CONTEXT_IGNORE;
    for (n = 0; n < 32 && StackWalkEx(IMAGE_FILE_MACHINE_AMD64, process, NULL, &ex, &context,
                                      read_memory, NULL, NULL, NULL, SYM_STKWALK_DEFAULT);
         n++)
        printf("ignore 0x%llx 0x%lx\n", (unsigned long long)ex.AddrPC.Offset,
               (unsigned long)ex.InlineFrameContext);

    seed(&context, &frame, pc);
    for (n = 0; n < 32 && StackWalk64(IMAGE_FILE_MACHINE_AMD64, process, NULL, &frame, &context,
                                      read_memory, NULL, NULL, NULL);
         n++)
        printf("64 0x%llx\n", (unsigned long long)frame.AddrPC.Offset);
    SymCleanup(process);
    return 0;
}
