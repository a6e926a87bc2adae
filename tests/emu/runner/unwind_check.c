/* unwind_check: our own reading of an x64 image's .pdata/UNWIND_INFO against
 * llvm-readobj's, entry by entry: range, unwind-info address, version,
 * flags, prolog size, frame register and offset, code count, every code
 * (offset, operation, register, size/offset) and chained entries.
 *
 *   unwind_check <llvm-readobj> <image.exe>
 *
 * Both sides are rendered to the same normalised lines, then compared. */
#include "pe_image.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 20000

struct lines {
    char *text[MAX_LINES];
    unsigned count;
};

__attribute__((format(printf, 2, 3))) static void add(struct lines *l, const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (l->count < MAX_LINES)
        l->text[l->count++] = strdup(buf);
}

static const char *const x64_reg[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                        "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};

static uint32_t rd32(const struct pe_image *img, uint32_t rva)
{
    const uint8_t *p = img->bytes + rva;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const struct pe_image *img, uint32_t rva)
{
    return (uint16_t)(img->bytes[rva] | img->bytes[rva + 1] << 8);
}

/* One UNWIND_INFO, as llvm-readobj shows it (same fields, same words). */
static bool decode_info(const struct pe_image *img, uint32_t rva, struct lines *out, int depth)
{
    uint8_t version, flags, prolog, count, frame_reg, frame_off;
    uint32_t codes;

    if (depth > 32 || rva > img->size - 4) {
        add(out, "bad unwind info %#" PRIx32, rva);
        return false;
    }
    version = img->bytes[rva] & 7;
    flags = img->bytes[rva] >> 3;
    prolog = img->bytes[rva + 1];
    count = img->bytes[rva + 2];
    frame_reg = img->bytes[rva + 3] & 15;
    frame_off = img->bytes[rva + 3] >> 4;
    codes = rva + 4;
    if (codes + 2u * ((count + 1u) & ~1u) + 12 > img->size) {
        add(out, "unwind info %#" PRIx32 " runs off the image", rva);
        return false;
    }
    add(out, "version %u flags %#x prolog %u", version, flags, prolog);
    if (frame_reg)
        add(out, "frame register %s offset 0x%X", x64_reg[frame_reg], frame_off);
    else
        add(out, "frame register - offset -");
    add(out, "code count %u", count);
    for (unsigned i = 0; i < count;) {
        uint8_t at = img->bytes[codes + 2 * i], op = img->bytes[codes + 2 * i + 1] & 15,
                info = img->bytes[codes + 2 * i + 1] >> 4;
        uint32_t slot1 = i + 1 < count ? rd16(img, codes + 2 * (i + 1)) : 0;
        uint32_t slot12 = i + 2 < count ? rd32(img, codes + 2 * (i + 1)) : 0;
        switch (op) {
        case 0: add(out, "0x%02X: PUSH_NONVOL reg=%s", at, x64_reg[info]); i += 1; break;
        case 1:
            if (info == 0) {
                add(out, "0x%02X: ALLOC_LARGE size=%u", at, slot1 * 8);
                i += 2;
            } else {
                add(out, "0x%02X: ALLOC_LARGE size=%u", at, slot12);
                i += 3;
            }
            break;
        case 2: add(out, "0x%02X: ALLOC_SMALL size=%u", at, (info + 1) * 8); i += 1; break;
        case 3:
            add(out, "0x%02X: SET_FPREG reg=%s, offset=0x%X", at,
                frame_reg ? x64_reg[frame_reg] : "<invalid>", frame_off * 16);
            i += 1;
            break;
        case 4: add(out, "0x%02X: SAVE_NONVOL reg=%s, offset=0x%X", at, x64_reg[info], slot1 * 8); i += 2; break;
        case 5: add(out, "0x%02X: SAVE_NONVOL_FAR reg=%s, offset=0x%X", at, x64_reg[info], slot12); i += 3; break;
        case 8: add(out, "0x%02X: SAVE_XMM128 reg=XMM%u, offset=0x%X", at, info, slot1 * 16); i += 2; break;
        case 9: add(out, "0x%02X: SAVE_XMM128_FAR reg=XMM%u, offset=0x%X", at, info, slot12); i += 3; break;
        case 10: add(out, "0x%02X: PUSH_MACHFRAME errcode=%s", at, info ? "yes" : "no"); i += 1; break;
        default: add(out, "0x%02X: op %u info %u (not decoded here)", at, op, info); i += 1; break;
        }
    }
    if (flags & 4) { /* UNW_FLAG_CHAININFO: a RUNTIME_FUNCTION after the codes */
        uint32_t chained = codes + 2 * ((count + 1u) & ~1u);
        add(out, "chained start %#" PRIx64 " end %#" PRIx64 " unwind %#" PRIx64,
            img->base + rd32(img, chained), img->base + rd32(img, chained + 4),
            img->base + rd32(img, chained + 8));
    }
    return true;
}

static void decode_image(const struct pe_image *img, struct lines *out)
{
    for (uint32_t off = 0; off + 12 <= img->exception_size; off += 12) {
        uint32_t e = img->exception_rva + off;
        uint32_t begin = rd32(img, e), end = rd32(img, e + 4), unwind = rd32(img, e + 8);
        add(out, "function start %#" PRIx64 " end %#" PRIx64 " unwind %#" PRIx64,
            img->base + begin, img->base + end, img->base + unwind);
        decode_info(img, unwind, out, 0);
    }
}

/* The hex number inside the last "(0x...)" of a line. */
static bool paren_hex(const char *line, uint64_t *value)
{
    const char *p = strrchr(line, '(');
    return p && sscanf(p, "(0x%" SCNx64 ")", value) == 1;
}

static bool parse_readobj(FILE *in, struct lines *out)
{
    char line[512];
    uint64_t addr[3] = {0, 0, 0};
    int have = 0, in_chained = 0, version = -1, flags = -1, prolog = -1;
    char frame_reg[16] = "", frame_off[16] = "";
    bool in_codes = false;

    while (fgets(line, sizeof(line), in)) {
        char *s = line;
        unsigned v;
        while (*s == ' ')
            s++;
        s[strcspn(s, "\n")] = 0;
        if (!strncmp(s, "Chained {", 9)) {
            in_chained = 1;
            have = 0;
        } else if (!strncmp(s, "StartAddress:", 13) || !strncmp(s, "EndAddress:", 11) ||
                   !strncmp(s, "UnwindInfoAddress:", 18)) {
            if (!paren_hex(s, &addr[have]))
                return false;
            if (++have == 3) {
                if (in_chained)
                    add(out, "chained start %#" PRIx64 " end %#" PRIx64 " unwind %#" PRIx64,
                        addr[0], addr[1], addr[2]);
                else
                    add(out, "function start %#" PRIx64 " end %#" PRIx64 " unwind %#" PRIx64,
                        addr[0], addr[1], addr[2]);
                have = 0;
                in_chained = 0;
            }
        } else if (sscanf(s, "Version: %u", &v) == 1) {
            version = (int)v;
        } else if (sscanf(s, "Flags [ (0x%x)", &v) == 1) {
            flags = (int)v;
        } else if (sscanf(s, "PrologSize: %u", &v) == 1) {
            prolog = (int)v;
        } else if (sscanf(s, "FrameRegister: %15s", frame_reg) == 1) {
        } else if (sscanf(s, "FrameOffset: %15s", frame_off) == 1) {
        } else if (sscanf(s, "UnwindCodeCount: %u", &v) == 1) {
            add(out, "version %d flags %#x prolog %d", version, (unsigned)flags, prolog);
            add(out, "frame register %s offset %s", frame_reg,
                frame_off[0] == '-' ? "-" : frame_off);
            add(out, "code count %u", v);
        } else if (!strncmp(s, "UnwindCodes [", 13)) {
            in_codes = true;
        } else if (in_codes && s[0] == ']') {
            in_codes = false;
        } else if (in_codes) {
            add(out, "%s", s);
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    static struct lines ours, theirs;
    struct pe_image img;
    char err[256], command[2048];
    FILE *p;
    unsigned wrong = 0, functions = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <llvm-readobj> <image.exe>\n", argv[0]);
        return 2;
    }
    if (!pe_load(argv[2], &img, err, sizeof(err))) {
        printf("%s: %s\nFAIL\n", argv[2], err);
        return 1;
    }
    if (img.machine != 0x8664) {
        printf("%s: not an x64 image\nFAIL\n", argv[2]);
        return 1;
    }
    decode_image(&img, &ours);
    snprintf(command, sizeof(command), "'%s' --unwind '%s'", argv[1], argv[2]);
    p = popen(command, "r");
    if (!p || !parse_readobj(p, &theirs) || pclose(p) != 0) {
        printf("%s: cannot run or parse %s\nFAIL\n", argv[2], command);
        return 1;
    }
    for (unsigned i = 0; i < ours.count || i < theirs.count; i++) {
        const char *a = i < ours.count ? ours.text[i] : "(nothing)";
        const char *b = i < theirs.count ? theirs.text[i] : "(nothing)";
        if (!strncmp(a, "function ", 9))
            functions++;
        if (strcmp(a, b) != 0) {
            if (wrong < 10)
                printf("  line %u: ours \"%s\", llvm-readobj \"%s\"\n", i, a, b);
            wrong++;
        }
    }
    printf("%s: %u RUNTIME_FUNCTION entries, %u lines compared, %u differ\n", argv[2], functions,
           ours.count, wrong);
    pe_free(&img);
    if (functions == 0 || wrong)
        printf("FAIL\n");
    else
        printf("PASS\n");
    return functions == 0 || wrong ? 1 : 0;
}
