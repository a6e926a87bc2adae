#!/usr/bin/env python3
"""Writes a large C program for the PDB benchmark: FILES translation units,
each with FUNCS functions (a third of them static, so only the module
streams name them) over a few struct types of the unit's own, each function
spanning several source lines with locals and a call, so the PDB carries many
procedures, locals, line records and types. Built by clang for
x86_64-pc-windows-msvc with -g -gcodeview and linked by lld-link /dll /debug
(no CRT: the benchmark only loads the image, it never runs it), 40 x 1000
functions give a PDB of well over 10 MB.

usage: make-big-c.py DIR FILES FUNCS
"""
import os
import sys

out, files, funcs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
for f in range(files):
    lines = []
    for t in range(4):
        lines.append("struct u%d_rec%d { int id; long long weight; char tag[%d]; struct u%d_rec%d *next; };"
                     % (f, t, 4 + t * 4, f, t))
    lines.append("int u%d_sink;" % f)
    for i in range(funcs):
        static = "static " if i % 3 == 1 else ""
        t = i % 4
        lines.append("%s__declspec(noinline) int u%d_f%d(struct u%d_rec%d *r, int n)" % (static, f, i, f, t))
        lines.append("{")
        lines.append("    int acc = n * %d;" % (i + 1))
        lines.append("    for (int k = 0; k < n; k++) {")
        lines.append("        acc += r->id ^ k;")
        lines.append("        r->weight += acc;")
        lines.append("    }")
        if i > 0:
            lines.append("    if (acc & 1)")
            lines.append("        acc += u%d_f%d((struct u%d_rec%d *)r, n - 1);" % (f, i - 1, f, (i - 1) % 4))
        lines.append("    u%d_sink += acc;" % f)
        lines.append("    return acc + r->tag[0];")
        lines.append("}")
    # Keep the static ones referenced (an exported table of every function).
    lines.append("__declspec(dllexport) void *u%d_table[] = {" % f)
    for i in range(funcs):
        lines.append("    (void *)u%d_f%d," % (f, i))
    lines.append("};")
    with open(os.path.join(out, "u%03d.c" % f), "w") as fh:
        fh.write("\n".join(lines) + "\n")
