#!/usr/bin/env python3
"""Compares dwarf_query's answers with llvm-symbolizer --inlines and with
addr2line -f -i -a, address by address.

llvm-symbolizer's answer must be ours: the same frames (inline chain and
physical function, by name) and the same file:line for every frame (columns
are not compared: we do not report them). One difference is explained and
counted, not failed: for DWARF in a COFF image llvm-symbolizer replaces the
physical frame's name by the COFF symbol table's nearest symbol (gcc's clone
names such as "walk.constprop.0", assembly labels such as ".l_startw"), while
DbgHelp and addr2line name the DWARF subprogram; there our name must equal
addr2line's, or addr2line must name no function (counted apart).

addr2line (BFD) is the second oracle for addresses without inline frames:
the file:line must be equal where addr2line knows one; BFD's function name
lookup sometimes answers "??" inside a known function, which is counted; and
binutils 2.40 reads some DWARF 5 file indexes of inlined code one off (main.c
for util.h), counted where llvm-symbolizer agrees with us.

usage: compare.py ADDRESSES OURS SYMBOLIZER ADDR2LINE [--i386]
"""
import re
import sys


def blocks(path):
    """Columns dropped; a line-0 row (compiler-generated code) is no line, as
    DbgHelp reports none: llvm-symbolizer's "file:0" becomes "??:0"."""
    text = open(path).read().rstrip('\n')
    return [[re.sub(r'^.*:0:0$', '??:0:0', re.sub(r':(\d+):\d+$', r':\1:0', x))
             for x in b.split('\n')] for b in text.split('\n\n')]


def addr2line_blocks(path):
    out, current = [], None
    for line in open(path).read().split('\n'):
        if re.match(r'^0x[0-9a-f]+$', line):
            current = []
            out.append(current)
        elif current is not None and line:
            line = re.sub(r' \(discriminator \d+\)$', '', line)
            current.append(line)
    return out


def undecorate(block):
    """llvm-symbolizer's presentation of i386 COFF names: one leading '_' and
    a stdcall '@N' suffix dropped from the inline frames' DWARF names (the
    physical frame's name it takes from the symbol table, where the '_' is
    the decoration it drops)."""
    return [re.sub(r'@\d+$', '', x[1:])
            if i % 2 == 0 and i < len(block) - 2 and x[:1] in ('_', '@') else x
            for i, x in enumerate(block)]


def main():
    strip = len(sys.argv) > 5 and sys.argv[5] == '--i386'
    addresses = open(sys.argv[1]).read().split()
    ours, theirs = blocks(sys.argv[2]), blocks(sys.argv[3])
    bfd = addr2line_blocks(sys.argv[4])
    if not (len(ours) == len(theirs) == len(bfd) == len(addresses)):
        print(f"FAIL: {len(addresses)} addresses, {len(ours)} answers, "
              f"{len(theirs)} llvm-symbolizer answers, {len(bfd)} addr2line answers")
        return 1
    wrong = symtab = symtab_unverified = bfd_checked = bfd_wrong = bfd_unnamed = bfd_file = 0
    for address, raw, b, c in zip(addresses, ours, theirs, bfd):
        a = undecorate(raw) if strip else raw
        bad = a != b
        if bad and a[1::2] == b[1::2] and a[0::2][:-1] == b[0::2][:-1] and len(c) >= 2:
            if c[-2] == raw[-2]:
                symtab += 1
                bad = False
            elif c[-2] == '??':
                symtab_unverified += 1
                bad = False
        if bad:
            wrong += 1
            if wrong <= 10:
                print(f"  {address}: ours {a} llvm-symbolizer {b} addr2line {c}")
        a = raw
        if len(a) == 2 and len(c) == 2 and not re.search(r'^\?\?:|:\?$|:0$', c[1]):
            bfd_checked += 1
            if a[1] != c[1] + ':0' and (undecorate(a) if strip else a) == b and \
                    a[1].rsplit(':', 2)[1] == c[1].rsplit(':', 1)[1]:
                bfd_file += 1
            elif a[1] != c[1] + ':0':
                bfd_wrong += 1
                if bfd_wrong <= 10:
                    print(f"  {address}: ours {a} addr2line {c}")
            elif c[0] == '??' and a[0] != '??':
                bfd_unnamed += 1
            elif c[0] != a[0]:
                bfd_wrong += 1
                if bfd_wrong <= 10:
                    print(f"  {address}: ours {a} addr2line {c}")
    print(f"{len(addresses)} addresses: {wrong} differ from llvm-symbolizer, {symtab} where it "
          f"shows the COFF symbol's name and addr2line ours, {symtab_unverified} where addr2line "
          f"names none; addr2line: {bfd_checked} compared, "
          f"{bfd_wrong} differ, {bfd_unnamed} where it names no function, {bfd_file} where it "
          f"names another file for the same line and llvm-symbolizer ours")
    return 1 if wrong or bfd_wrong else 0


sys.exit(main())
