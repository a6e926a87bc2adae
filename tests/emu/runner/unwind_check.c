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

/* ---- ARM64: .pdata {Begin, UnwindData}, .xdata records and packed data ----
 *
 * Each entry becomes: its address; for .xdata the header fields, then every
 * opcode of the prolog and of each epilog (scope) as its bytes and its
 * meaning in llvm-readobj's words ("stp x29, x30, [sp, #-16]!"), so that a
 * field decoded differently (a register number, an offset, a length) shows;
 * for packed entries the fields. llvm-readobj 14 cannot decode pac_sign_lr
 * (0xFC) and save_any_reg (0xE7) ("Bad opcode!"), and decodes packed CR=2
 * entries wrongly: such entries are counted as skipped on both sides. */

static unsigned arm64_code_length(uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c == 0xE0 ? 4 : c == 0xE2 ? 2 : c == 0xE7 ? 3 : 1;
}

/* llvm-readobj's text for one opcode, in a prolog or an epilog. */
static void arm64_op_text(const uint8_t *c, bool prolog, char *out, size_t size)
{
    unsigned op = c[0], w = op >= 0xC0 ? (op << 8 | c[1]) : op;
    unsigned x4 = (w >> 6) & 15, x3 = (w >> 6) & 7, z6 = w & 63;
    const char *st = prolog ? "stp" : "ldp", *s1 = prolog ? "str" : "ldr";

    if (op < 0x20)
        snprintf(out, size, "%s sp, #%u", prolog ? "sub" : "add", 16 * (op & 31));
    else if (op < 0x40)
        snprintf(out, size, prolog ? "stp x19, x20, [sp, #-%u]!" : "ldp x19, x20, [sp], #%u",
                 8 * (op & 31));
    else if (op < 0x80)
        snprintf(out, size, "%s x29, x30, [sp, #%u]", st, 8 * (op & 63));
    else if (op < 0xC0)
        snprintf(out, size, prolog ? "stp x29, x30, [sp, #-%u]!" : "ldp x29, x30, [sp], #%u",
                 8 * ((op & 63) + 1));
    else if (op < 0xC8)
        snprintf(out, size, "%s sp, #%u", prolog ? "sub" : "add", 16 * (w & 0x7FF));
    else if (op < 0xCC)
        snprintf(out, size, "%s x%u, x%u, [sp, #%u]", st, 19 + x4, 20 + x4, 8 * z6);
    else if (op < 0xD0)
        snprintf(out, size, prolog ? "stp x%u, x%u, [sp, #-%u]!" : "ldp x%u, x%u, [sp], #%u",
                 19 + x4, 20 + x4, 8 * (z6 + 1));
    else if (op < 0xD4)
        snprintf(out, size, "%s x%u, [sp, #%u]", s1, 19 + x4, 8 * z6);
    else if (op < 0xD6)
        snprintf(out, size, prolog ? "str x%u, [sp, #-%u]!" : "ldr x%u, [sp], #%u",
                 19 + ((w >> 5) & 15), 8 * ((w & 31) + 1));
    else if (op < 0xD8)
        snprintf(out, size, "%s x%u, lr, [sp, #%u]", st, 19 + 2 * x3, 8 * z6);
    else if (op < 0xDA)
        snprintf(out, size, "%s d%u, d%u, [sp, #%u]", st, 8 + x3, 9 + x3, 8 * z6);
    else if (op < 0xDC)
        snprintf(out, size, prolog ? "stp d%u, d%u, [sp, #-%u]!" : "ldp d%u, d%u, [sp], #%u",
                 8 + x3, 9 + x3, 8 * (z6 + 1));
    else if (op < 0xDE)
        snprintf(out, size, "%s d%u, [sp, #%u]", s1, 8 + x3, 8 * z6);
    else if (op == 0xDE)
        snprintf(out, size, prolog ? "str d%u, [sp, #-%u]!" : "ldr d%u, [sp], #%u",
                 8 + (c[1] >> 5), 8 * ((c[1] & 31) + 1));
    else if (op == 0xE0)
        snprintf(out, size, "%s sp, #%u", prolog ? "sub" : "add",
                 16 * ((unsigned)c[1] << 16 | (unsigned)c[2] << 8 | c[3]));
    else if (op == 0xE1)
        snprintf(out, size, prolog ? "mov fp, sp" : "mov sp, fp");
    else if (op == 0xE2)
        snprintf(out, size, prolog ? "add fp, sp, #%u" : "sub sp, fp, #%u", 8 * c[1]);
    else if (op == 0xE3)
        snprintf(out, size, "nop");
    else if (op == 0xE4)
        snprintf(out, size, "end");
    else if (op == 0xE5)
        snprintf(out, size, "end_c");
    else if (op == 0xE6)
        snprintf(out, size, prolog ? "save next" : "restore next");
    else if (op == 0xE8)
        snprintf(out, size, "trap frame");
    else if (op == 0xE9)
        snprintf(out, size, "machine frame");
    else if (op == 0xEA)
        snprintf(out, size, "context");
    else if (op == 0xEC)
        snprintf(out, size, "clear unwound to call");
    else
        snprintf(out, size, "Bad opcode!");
}

/* The opcodes from byte `start` to the first end (included); false when
 * one is beyond llvm-readobj 14 (pac_sign_lr, save_any_reg). */
static bool arm64_ops(const uint8_t *codes, unsigned size, unsigned start, bool prolog,
                      struct lines *out)
{
    for (unsigned p = start; p < size;) {
        unsigned len = arm64_code_length(codes[p]);
        char hex[16], text[64];
        if (codes[p] == 0xFC || codes[p] == 0xE7)
            return false;
        if (p + len > size) {
            add(out, "op runs past the codes");
            return true;
        }
        snprintf(hex, sizeof(hex), "0x");
        for (unsigned k = 0; k < len; k++)
            snprintf(hex + 2 + 2 * k, sizeof(hex) - 2 - 2 * k, "%02x", codes[p + k]);
        arm64_op_text(codes + p, prolog, text, sizeof(text));
        add(out, "op %s ; %s", hex, text);
        if (codes[p] == 0xE4)
            break;
        p += len;
    }
    return true;
}

static void arm64_decode_image(const struct pe_image *img, struct lines *out)
{
    for (uint32_t off = 0; off + 8 <= img->exception_size; off += 8) {
        uint32_t e = img->exception_rva + off, begin = rd32(img, e), data = rd32(img, e + 4);
        uint32_t header, count, words, scopes, mark = out->count;
        bool single, ok = true;
        const uint8_t *codes;

        add(out, "function %#" PRIx64, img->base + begin);
        if (data & 3) {
            if (((data >> 21) & 3) == 2) {
                add(out, "skipped");
                continue;
            }
            add(out, "packed fragment %s length %u RegF %u RegI %u H %u CR %u FrameSize %u",
                (data & 3) == 2 ? "Yes" : "No", ((data >> 2) & 0x7FF) * 4, (data >> 13) & 7,
                (data >> 16) & 15, (data >> 20) & 1, (data >> 21) & 3, (data >> 23) * 16);
            continue;
        }
        if (data > img->size - 8) {
            add(out, "bad .xdata %#" PRIx32, data);
            continue;
        }
        header = rd32(img, data);
        single = (header >> 21) & 1;
        count = (header >> 22) & 31;
        words = header >> 27;
        scopes = data + 4;
        if (count == 0 && words == 0) {
            count = rd32(img, data + 4) & 0xFFFF;
            words = (rd32(img, data + 4) >> 16) & 0xFF;
            scopes += 4;
        }
        codes = img->bytes + scopes + (single ? 0 : 4 * count);
        if ((size_t)(codes - img->bytes) + 4 * words > img->size) {
            add(out, "codes of %#" PRIx32 " run off the image", data);
            continue;
        }
        add(out, "xdata %#" PRIx64, img->base + data);
        add(out, "length %u version %u X %s E %s", (header & 0x3FFFF) * 4, (header >> 18) & 3,
            (header >> 20) & 1 ? "Yes" : "No", single ? "Yes" : "No");
        add(out, single ? "epilog offset %u" : "epilog scopes %u", count);
        add(out, "code bytes %u", 4 * words);
        add(out, "prolog");
        ok = arm64_ops(codes, 4 * words, 0, true, out);
        if (single && count != 0) {
            add(out, "epilogue");
            ok = ok && arm64_ops(codes, 4 * words, count, false, out);
        }
        for (uint32_t i = 0; !single && ok && i < count; i++) {
            uint32_t scope = rd32(img, scopes + 4 * i);
            add(out, "scope start %u index %u", scope & 0x3FFFF, scope >> 22);
            ok = arm64_ops(codes, 4 * words, scope >> 22, false, out);
        }
        if (!ok) {
            while (out->count > mark + 1)
                free(out->text[--out->count]);
            add(out, "skipped");
        }
    }
}

/* One llvm-readobj RuntimeFunction, gathered, then written out in the
 * order arm64_decode_image uses. */
struct arm64_entry {
    bool open, packed, bad;
    uint64_t function, xdata;
    char fragment[8], pe[8], handler[8], homed[8];
    unsigned length, version, offset_or_scopes, bytes, reg_f, reg_i, cr, frame;
    struct lines ops;
};

static void arm64_flush(struct arm64_entry *en, struct lines *out)
{
    if (!en->open)
        return;
    add(out, "function %#" PRIx64, en->function);
    if (en->packed && en->cr == 2) {
        add(out, "skipped");
    } else if (en->packed) {
        add(out, "packed fragment %s length %u RegF %u RegI %u H %u CR %u FrameSize %u",
            en->fragment, en->length, en->reg_f, en->reg_i, strcmp(en->homed, "Yes") == 0,
            en->cr, en->frame);
    } else if (en->bad) {
        add(out, "skipped");
    } else {
        add(out, "xdata %#" PRIx64, en->xdata);
        add(out, "length %u version %u X %s E %s", en->length, en->version, en->handler, en->pe);
        add(out, strcmp(en->pe, "Yes") == 0 ? "epilog offset %u" : "epilog scopes %u",
            en->offset_or_scopes);
        add(out, "code bytes %u", en->bytes);
        for (unsigned i = 0; i < en->ops.count; i++)
            add(out, "%s", en->ops.text[i]);
    }
    for (unsigned i = 0; i < en->ops.count; i++)
        free(en->ops.text[i]);
    memset(en, 0, sizeof(*en));
}

static bool last_hex(const char *s, uint64_t *value)
{
    const char *p = strrchr(s, '(');
    if (p)
        return sscanf(p, "(0x%" SCNx64 ")", value) == 1;
    p = strstr(s, "0x");
    return p && sscanf(p, "0x%" SCNx64, value) == 1;
}

static bool arm64_parse_readobj(FILE *in, struct lines *out)
{
    static struct arm64_entry en;
    char line[512];
    bool in_ops = false, packed_prolog = false;
    unsigned v, start = 0;

    memset(&en, 0, sizeof(en));
    while (fgets(line, sizeof(line), in)) {
        char *s = line, word[16];
        while (*s == ' ')
            s++;
        s[strcspn(s, "\n")] = 0;
        if (!strcmp(s, "RuntimeFunction {")) {
            arm64_flush(&en, out);
            en.open = true;
            in_ops = packed_prolog = false;
        } else if (!en.open) {
            continue;
        } else if (!strncmp(s, "Function:", 9)) {
            if (!last_hex(s, &en.function))
                return false;
        } else if (!strncmp(s, "ExceptionRecord:", 16)) {
            if (!last_hex(s, &en.xdata))
                return false;
        } else if (sscanf(s, "Fragment: %7s", en.fragment) == 1) {
            en.packed = true;
        } else if (sscanf(s, "FunctionLength: %u", &v) == 1) {
            en.length = v;
        } else if (sscanf(s, "RegF: %u", &v) == 1) {
            en.reg_f = v;
        } else if (sscanf(s, "RegI: %u", &v) == 1) {
            en.reg_i = v;
        } else if (sscanf(s, "HomedParameters: %7s", en.homed) == 1) {
        } else if (sscanf(s, "CR: %u", &v) == 1) {
            en.cr = v;
        } else if (sscanf(s, "FrameSize: %u", &v) == 1) {
            en.frame = v;
        } else if (sscanf(s, "Version: %u", &v) == 1) {
            en.version = v;
        } else if (sscanf(s, "ExceptionData: %7s", en.handler) == 1) {
        } else if (sscanf(s, "EpiloguePacked: %7s", en.pe) == 1) {
        } else if (sscanf(s, "EpilogueOffset: %u", &v) == 1 ||
                   sscanf(s, "EpilogueScopes: %u", &v) == 1) {
            en.offset_or_scopes = v;
        } else if (sscanf(s, "ByteCodeLength: %u", &v) == 1) {
            en.bytes = v;
        } else if (!strcmp(s, "Prologue [")) {
            if (en.packed)
                packed_prolog = true;
            else
                add(&en.ops, "prolog");
            in_ops = !en.packed;
        } else if (!strcmp(s, "Epilogue [")) {
            add(&en.ops, "epilogue");
            in_ops = true;
        } else if (sscanf(s, "StartOffset: %u", &v) == 1) {
            start = v;
        } else if (sscanf(s, "EpilogueStartIndex: %u", &v) == 1) {
            add(&en.ops, "scope start %u index %u", start, v);
        } else if (!strcmp(s, "Opcodes [")) {
            in_ops = true;
        } else if (s[0] == ']') {
            in_ops = packed_prolog = false;
        } else if (in_ops && sscanf(s, "0x%15s", word) == 1) {
            const char *text = strchr(s, ';');
            if (!text)
                return false;
            text++;
            while (*text == ' ')
                text++;
            if (strstr(text, "Bad opcode!"))
                en.bad = true;
            add(&en.ops, "op 0x%s ; %s", word, text);
        }
    }
    arm64_flush(&en, out);
    return true;
}

int main(int argc, char **argv)
{
    static struct lines ours, theirs;
    struct pe_image img;
    char err[256], command[2048];
    FILE *p;
    unsigned wrong = 0, functions = 0, skipped = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <llvm-readobj> <image.exe>\n", argv[0]);
        return 2;
    }
    if (!pe_load(argv[2], &img, err, sizeof(err))) {
        printf("%s: %s\nFAIL\n", argv[2], err);
        return 1;
    }
    if (img.machine != 0x8664 && img.machine != 0xAA64) {
        printf("%s: not an x64 or ARM64 image\nFAIL\n", argv[2]);
        return 1;
    }
    if (img.machine == 0xAA64)
        arm64_decode_image(&img, &ours);
    else
        decode_image(&img, &ours);
    snprintf(command, sizeof(command), "'%s' --unwind '%s'", argv[1], argv[2]);
    p = popen(command, "r");
    if (!p ||
        !(img.machine == 0xAA64 ? arm64_parse_readobj(p, &theirs) : parse_readobj(p, &theirs)) ||
        pclose(p) != 0) {
        printf("%s: cannot run or parse %s\nFAIL\n", argv[2], command);
        return 1;
    }
    for (unsigned i = 0; i < ours.count || i < theirs.count; i++) {
        const char *a = i < ours.count ? ours.text[i] : "(nothing)";
        const char *b = i < theirs.count ? theirs.text[i] : "(nothing)";
        if (!strncmp(a, "function ", 9))
            functions++;
        if (!strcmp(a, "skipped"))
            skipped++;
        if (strcmp(a, b) != 0) {
            if (wrong < 10)
                printf("  line %u: ours \"%s\", llvm-readobj \"%s\"\n", i, a, b);
            wrong++;
        }
    }
    printf("%s: %u RUNTIME_FUNCTION entries, %u lines compared, %u differ", argv[2], functions,
           ours.count, wrong);
    if (skipped)
        printf(" (%u entries not compared: beyond llvm-readobj's decoding)", skipped);
    printf("\n");
    pe_free(&img);
    if (functions == 0 || wrong)
        printf("FAIL\n");
    else
        printf("PASS\n");
    return functions == 0 || wrong ? 1 : 0;
}
