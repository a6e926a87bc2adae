/*
 * The walks printed: as text (one line per frame, for people and for the
 * tests' awk), or with --json as one document for the whole run whose
 * layout dumpwalk.schema.json describes. Addresses are hex strings in JSON
 * (64-bit values do not survive JSON numbers in every reader).
 */
#include "dumpwalk.h"

#include <stdio.h>
#include <string.h>

const char *trust_name(enum frame_trust trust)
{
    switch (trust) {
    case TRUST_CONTEXT: return "context";
    case TRUST_UNWIND_DATA: return "unwind data";
    case TRUST_FRAME_DATA: return "frame data";
    case TRUST_FRAME_POINTER: return "frame pointer";
    case TRUST_LEAF_RULE: return "leaf rule";
    case TRUST_SHADOW_STACK: return "shadow stack";
    case TRUST_SCAN: return "scan";
    }
    return "?";
}

static const char *shadow_name(enum shadow_check check)
{
    return check == SHADOW_MATCH ? "match" : check == SHADOW_MISMATCH ? "mismatch" : NULL;
}

/* What the symbol handler knows of an address: module, and where the
 * module's symbols say, function and line. A return address is looked up
 * one byte back (the call, not what follows it), as debuggers do. */
struct place {
    char module[64];
    uint64_t module_offset;
    char function[256];
    uint64_t function_offset;
    char file[260];
    DWORD line;
};

static int describe(const struct dump *d, const struct walked_frame *f, struct place *p)
{
    IMAGEHLP_MODULE64 info;
    const struct module *m = module_at(d, f->pc);
    uint64_t lookup = f->pc - (f->trust != TRUST_CONTEXT && f->pc);
    union {
        SYMBOL_INFO info;
        char bytes[sizeof(SYMBOL_INFO) + 256];
    } symbol;
    IMAGEHLP_LINE64 line;
    DWORD64 displacement = 0;
    DWORD line_displacement = 0;

    memset(p, 0, sizeof(*p));
    memset(&info, 0, sizeof(info));
    info.SizeOfStruct = sizeof(info);
    if (SymGetModuleInfo64((HANDLE)d, f->pc, &info) && info.ModuleName[0]) {
        snprintf(p->module, sizeof(p->module), "%s", info.ModuleName);
        p->module_offset = f->pc - info.BaseOfImage;
    } else if (m) {
        snprintf(p->module, sizeof(p->module), "%s", m->name);
        p->module_offset = f->pc - m->base;
    } else {
        return 0;
    }
    memset(&symbol, 0, sizeof(symbol));
    symbol.info.SizeOfStruct = sizeof(SYMBOL_INFO);
    symbol.info.MaxNameLen = 256;
    if (SymFromAddr((HANDLE)d, lookup, &displacement, &symbol.info) && symbol.info.Name[0]) {
        snprintf(p->function, sizeof(p->function), "%s", symbol.info.Name);
        p->function_offset = f->pc - symbol.info.Address;
    }
    memset(&line, 0, sizeof(line));
    line.SizeOfStruct = sizeof(line);
    if (SymGetLineFromAddr64((HANDLE)d, lookup, &line_displacement, &line) && line.FileName) {
        snprintf(p->file, sizeof(p->file), "%s", line.FileName);
        p->line = line.LineNumber;
    }
    return 1;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_hex(uint64_t value)
{
    printf("\"0x%llx\"", (unsigned long long)value);
}

void report_start(const struct options *o)
{
    if (o->json)
        printf("{\"dumps\": [");
}

void report_finish(const struct options *o)
{
    if (o->json)
        printf("]}\n");
}

static void json_codeview(const struct module *m)
{
    const uint8_t *cv = m->cv_record;

    if (cv && m->cv_size >= 24 && memcmp(cv, "RSDS", 4) == 0) {
        char path[260];
        size_t n = m->cv_size - 24 < sizeof(path) - 1 ? m->cv_size - 24 : sizeof(path) - 1;
        memcpy(path, cv + 24, n);
        path[n] = 0;
        printf("{\"format\": \"RSDS\", \"guid\": \"%08X-%04X-%04X-", le32(cv + 4), le16(cv + 8),
               le16(cv + 10));
        for (int i = 12; i < 20; i++)
            printf(i == 14 ? "-%02X" : "%02X", cv[i]);
        printf("\", \"age\": %u, \"pdb\": ", le32(cv + 20));
        json_string(path);
        printf("}");
    } else if (cv && m->cv_size >= 16 && memcmp(cv, "NB10", 4) == 0) {
        char path[260];
        size_t n = m->cv_size - 16 < sizeof(path) - 1 ? m->cv_size - 16 : sizeof(path) - 1;
        memcpy(path, cv + 16, n);
        path[n] = 0;
        printf("{\"format\": \"NB10\", \"signature\": %u, \"age\": %u, \"pdb\": ", le32(cv + 8),
               le32(cv + 12));
        json_string(path);
        printf("}");
    } else {
        printf("null");
    }
}

void report_begin(struct dump *d, struct options *o)
{
    uint64_t memory = 0;

    for (size_t i = 0; i < d->region_count; i++)
        memory += d->regions[i].size;
    if (!o->json) {
        printf("%s: %s (machine 0x%x), %zu threads, %zu modules, %zu memory ranges (%llu "
               "bytes)\n", d->path, d->machine_name, (unsigned)d->machine, d->thread_count,
               d->module_count, d->region_count, (unsigned long long)memory);
        if (o->image_dir)
            printf("  images: %u of %zu modules found in %s\n", d->images_found,
                   d->module_count, o->image_dir);
        return;
    }
    printf("%s\n{\"path\": ", o->reported++ ? "," : "");
    json_string(d->path);
    printf(", \"machine\": ");
    json_string(d->machine_name);
    printf(", \"machine_type\": %u, \"memory_ranges\": %zu, \"memory_bytes\": %llu,\n \"exception\": ",
           (unsigned)d->machine, d->region_count, (unsigned long long)memory);
    if (d->has_exception) {
        printf("{\"thread_id\": %u, \"code\": %u, \"name\": ", d->exception_thread,
               d->exception_code);
        json_string(exception_name(d->exception_code));
        printf(", \"address\": ");
        json_hex(d->exception_address);
        printf("}");
    } else {
        printf("null");
    }
    printf(",\n \"modules\": [");
    for (size_t i = 0; i < d->module_count; i++) {
        const struct module *m = &d->modules[i];
        printf("%s\n  {\"name\": ", i ? "," : "");
        json_string(m->name);
        printf(", \"path\": ");
        json_string(m->path);
        printf(", \"base\": ");
        json_hex(m->base);
        printf(", \"size\": %u, \"timestamp\": %u, \"checksum\": %u, \"image\": ", m->size,
               m->timestamp, m->checksum);
        if (m->image[0])
            json_string(m->image);
        else
            printf("null");
        printf(", \"codeview\": ");
        json_codeview(m);
        printf("}");
    }
    printf("],\n \"walks\": [");
}

static void report_walk_json(struct dump *d, const struct walk_result *r, int first)
{
    printf("%s\n  {\"title\": ", first ? "" : ",");
    json_string(r->title);
    printf(", \"thread_id\": %u, \"exception\": %s, \"walked\": %s, \"frames\": [", r->thread_id,
           r->is_exception ? "true" : "false", r->walked ? "true" : "false");
    for (unsigned i = 0; i < r->count; i++) {
        const struct walked_frame *f = &r->frames[i];
        const char *shadow = shadow_name(f->shadow);
        struct place p;
        int known = describe(d, f, &p);
        printf("%s\n   {\"index\": %u, \"pc\": ", i ? "," : "", i);
        json_hex(f->pc);
        printf(", \"sp\": ");
        json_hex(f->sp);
        printf(", \"trust\": ");
        json_string(trust_name(f->trust));
        printf(", \"shadow_stack\": ");
        if (shadow)
            json_string(shadow);
        else
            printf("null");
        printf(", \"module\": ");
        if (known) {
            json_string(p.module);
            printf(", \"module_offset\": ");
            json_hex(p.module_offset);
        } else {
            printf("null, \"module_offset\": null");
        }
        printf(", \"function\": ");
        if (p.function[0] && known) {
            json_string(p.function);
            printf(", \"function_offset\": ");
            json_hex(p.function_offset);
        } else {
            printf("null, \"function_offset\": null");
        }
        printf(", \"file\": ");
        if (p.file[0] && known) {
            json_string(p.file);
            printf(", \"line\": %u}", (unsigned)p.line);
        } else {
            printf("null, \"line\": null}");
        }
    }
    printf("],\n   \"end\": ");
    json_string(r->end);
    printf(", \"walker_end\": ");
    if (r->walker_end)
        json_string(r->walker_end);
    else
        printf("null");
    printf(", \"read_callbacks\": %llu, \"image_bytes\": %llu, \"shadow_stack\": ", r->reads,
           r->image_bytes);
    if (r->has_shadow)
        printf("{\"entries\": %u, \"matched\": %u}}", r->shadow_entries, r->shadow_matched);
    else
        printf("null}");
}

void report_walk(struct dump *d, const struct options *o, const struct walk_result *r)
{
    int digits = (int)d->pointer_digits;

    if (o->json) {
        report_walk_json(d, r, r->index == 0);
        return;
    }
    printf("%s\n", r->title);
    if (!r->walked) {
        printf("  %s\n", r->end);
        return;
    }
    for (unsigned i = 0; i < r->count; i++) {
        const struct walked_frame *f = &r->frames[i];
        struct place p;
        char where[600];
        if (!describe(d, f, &p))
            snprintf(where, sizeof(where), "?");
        else if (p.function[0] && p.file[0])
            snprintf(where, sizeof(where), "%s!%s+0x%llx [%s @ %u]", p.module, p.function,
                     (unsigned long long)p.function_offset, p.file, (unsigned)p.line);
        else if (p.function[0])
            snprintf(where, sizeof(where), "%s!%s+0x%llx", p.module, p.function,
                     (unsigned long long)p.function_offset);
        else
            snprintf(where, sizeof(where), "%s+0x%llx", p.module,
                     (unsigned long long)p.module_offset);
        printf("  #%-4u pc %0*llx  sp %0*llx  %s  (%s%s)\n", i, digits,
               (unsigned long long)f->pc, digits, (unsigned long long)f->sp, where,
               trust_name(f->trust),
               f->trust == TRUST_SHADOW_STACK ? ""
               : f->shadow == SHADOW_MATCH    ? ", shadow stack agrees"
               : f->shadow == SHADOW_MISMATCH ? ", shadow stack disagrees"
                                              : "");
    }
    printf("  %u frame%s, %llu read callbacks", r->count, r->count == 1 ? "" : "s", r->reads);
    if (r->image_bytes)
        printf(" (%llu bytes from images)", r->image_bytes);
    printf("; end: %s\n", r->end);
    if (r->has_shadow)
        printf("  shadow stack: %u return addresses, %u matched or recovered%s\n",
               r->shadow_entries, r->shadow_matched,
               r->shadow_matched < r->shadow_entries ? " (--scan recovers the rest)" : "");
}

void report_end(const struct dump *d, const struct options *o)
{
    (void)d;
    if (o->json)
        printf("]}");
}
