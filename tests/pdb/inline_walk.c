/* Walks a fake x64 stack of an image with a PDB through libdbghelp's public
 * API and prints every frame, once with StackWalkEx (inline frames) and
 * once with StackWalk64 (physical frames only):
 *   inline_walk IMAGE BASE PC RET
 * The image is mapped at BASE from its file (headers and sections), the
 * stack holds RET at RSP and zeros above it, so a walk from a leaf at PC
 * reaches the caller at RET and ends there when the caller's own return
 * address (0) is read.
 * Output, one line a frame:
 *   ex PC CONTEXT NAME FILE:LINE   (SymFromInlineContext, SymGetLineFromInlineContext;
 *                                   the W functions must answer the same)
 *   ignore PC CONTEXT              (StackWalkEx with INLINE_FRAME_CONTEXT_IGNORE)
 *   64 PC                          (StackWalk64)
 * then, for every pair of the addresses given after RET (and PC, RET) and
 * every context of the first:
 *   cmp A1 CONTEXT A2 RESULT       (SymCompareInlineTrace, RetAddress RET)
 *   query A1 CONTEXT A2 CURCONTEXT CURINDEX   (SymQueryInlineTrace)
 *   inline_walk IMAGE BASE PC RET [ADDRESS...] */
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

/* Whether an ASCII string and a UTF-16 one are the same text. */
static bool same_text(const char *narrow, const WCHAR *wide)
{
    while (*narrow && (WCHAR)(unsigned char)*narrow == *wide)
        narrow++, wide++;
    return !*narrow && !*wide;
}

static void print_names(HANDLE process, DWORD64 pc, DWORD context)
{
    union { SYMBOL_INFO info; char bytes[sizeof(SYMBOL_INFO) + 512]; } s;
    union { SYMBOL_INFOW info; char bytes[sizeof(SYMBOL_INFOW) + 1024]; } w;
    IMAGEHLP_LINE64 line = {sizeof(line), NULL, 0, NULL, 0};
    IMAGEHLP_LINEW64 wline = {sizeof(wline), NULL, 0, NULL, 0};
    DWORD64 displacement, wdisplacement;
    DWORD line_displacement, wline_displacement;
    bool named, lined;

    memset(&s, 0, sizeof s);
    s.info.SizeOfStruct = sizeof s.info;
    s.info.MaxNameLen = 512;
    memset(&w, 0, sizeof w);
    w.info.SizeOfStruct = sizeof w.info;
    w.info.MaxNameLen = 512;
    named = SymFromInlineContext(process, pc, context, &displacement, &s.info);
    printf(" %s", named ? s.info.Name : "??");
    if (named != (bool)SymFromInlineContextW(process, pc, context, &wdisplacement, &w.info) ||
        (named && (!same_text(s.info.Name, w.info.Name) || displacement != wdisplacement ||
                   s.info.Address != w.info.Address || s.info.Tag != w.info.Tag)))
        printf(" (SymFromInlineContextW differs)");
    lined = SymGetLineFromInlineContext(process, pc, context, 0, &line_displacement, &line);
    if (lined)
        printf(" %s:%lu", line.FileName, (unsigned long)line.LineNumber);
    else
        printf(" ??:0");
    if (lined != (bool)SymGetLineFromInlineContextW(process, pc, context, 0, &wline_displacement,
                                                    &wline) ||
        (lined && (!same_text(line.FileName, wline.FileName) ||
                   line.LineNumber != wline.LineNumber || line.Address != wline.Address ||
                   line_displacement != wline_displacement)))
        printf(" (SymGetLineFromInlineContextW differs)");
}

/* Every context StackWalkEx hands out at `address`, then INIT. */
static unsigned contexts_at(HANDLE process, DWORD64 address, DWORD *out)
{
    DWORD depth = SymAddrIncludeInlineTrace(process, address);
    unsigned n = 0;

    for (DWORD i = 0; i < depth; i++)
        out[n++] = (STACK_FRAME_TYPE_INLINE << 8) | i;
    if (depth)
        out[n++] = (STACK_FRAME_TYPE_STACK << 8) | depth;
    out[n++] = INLINE_FRAME_CONTEXT_INIT;
    return n;
}

static void print_traces(HANDLE process, DWORD64 ret, DWORD64 *addresses, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        DWORD contexts[300];
        unsigned n = contexts_at(process, addresses[i], contexts);
        for (unsigned c = 0; c < n; c++) {
            for (unsigned j = 0; j < count; j++) {
                DWORD cur_context = 0xdead, cur_index = 0xdead;
                printf("cmp 0x%llx 0x%lx 0x%llx %lu\n", (unsigned long long)addresses[i],
                       (unsigned long)contexts[c], (unsigned long long)addresses[j],
                       (unsigned long)SymCompareInlineTrace(process, addresses[i], contexts[c], ret,
                                                            addresses[j], ret));
                if (SymQueryInlineTrace(process, addresses[i], contexts[c], ret, addresses[j],
                                        &cur_context, &cur_index))
                    printf("query 0x%llx 0x%lx 0x%llx 0x%lx %lu\n",
                           (unsigned long long)addresses[i], (unsigned long)contexts[c],
                           (unsigned long long)addresses[j], (unsigned long)cur_context,
                           (unsigned long)cur_index);
                else
                    printf("query 0x%llx 0x%lx 0x%llx failed\n", (unsigned long long)addresses[i],
                           (unsigned long)contexts[c], (unsigned long long)addresses[j]);
            }
        }
    }
}

int main(int argc, char **argv)
{
    HANDLE process = (HANDLE)(uintptr_t)0x4321;
    uint64_t pc, ret;
    STACKFRAME_EX ex;
    STACKFRAME64 frame;
    CONTEXT context;
    unsigned n;

    DWORD64 addresses[16];
    unsigned count = 0;

    if (argc < 5 || argc > 5 + 14)
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

    addresses[count++] = pc;
    for (int i = 5; i < argc; i++)
        addresses[count++] = strtoull(argv[i], NULL, 0);
    print_traces(process, ret, addresses, count);
    /* across procedures: out of leaf to its caller, and into it */
    printf("cmp-out %lu\n", (unsigned long)SymCompareInlineTrace(process, pc, 0, ret, ret, 0));
    printf("cmp-in %lu\n", (unsigned long)SymCompareInlineTrace(process, ret, 0, 0, pc, ret));
    printf("scope %d\n", SymSetScopeFromInlineContext(process, pc, (STACK_FRAME_TYPE_INLINE << 8)) &&
                             !SymSetScopeFromInlineContext(process, pc, 0x12345678u) &&
                             GetLastError() == ERROR_INVALID_PARAMETER);
    SymCleanup(process);
    return 0;
}
