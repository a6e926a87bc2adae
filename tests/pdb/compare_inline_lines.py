#!/usr/bin/env python3
"""Compares inline_count's "lines" output (each address: the depth, then one
"NAME FILE:LINE" per level, innermost first, the physical frame last) with
two independent oracles, in the same format:
  pdb    llvm-symbolizer --inlines on the image with its PDB
  dwarf  llvm-symbolizer --inlines on the same code built with DWARF
         (the script checks the code is byte-identical)
Names at every level must equal the PDB oracle's. Lines are compared where
the DWARF oracle has the same chain of names and a line (not 0): DWARF's
line table comes straight from the compiler, while llvm-symbolizer's
decoding of the PDB's inline-site annotations gives an enclosing inline
frame the line of the range after the call (poly calls square on line 15:
it says 16). Where DWARF has no usable answer the PDB oracle's line is not
used for inline frames; physical frames must then match it. Addresses with
no inline frame are the line table's alone (the formats differ there, e.g.
on padding after a function): the PDB oracle's.
  compare_inline_lines.py ADDRESSES OURS PDB DWARF"""
import sys


def parse(path):
    out, cur = [], None
    for line in open(path):
        line = line.rstrip('\n')
        if line.isdigit():
            cur = []
            out.append(cur)
        elif line:
            name, _, where = line.rpartition(' ')
            cur.append((name, where))
    return out


addresses = [a.strip() for a in open(sys.argv[1]) if a.strip()]
ours, pdb, dwarf = (parse(p) for p in sys.argv[2:5])
if not (len(addresses) == len(ours) == len(pdb) == len(dwarf)):
    print('FAIL: %d addresses, %d/%d/%d answers' % (len(addresses), len(ours), len(pdb), len(dwarf)))
    sys.exit(1)
bad, compared, inline_compared = [], 0, 0
for a, o, p, d in zip(addresses, ours, pdb, dwarf):
    if [n for n, _ in o] != [n for n, _ in p]:
        bad.append('%s: names %s, llvm-symbolizer %s' % (a, o, p))
        continue
    same_chain = [n for n, _ in d] == [n for n, _ in p]
    for level, ((name, line), (_, pline)) in enumerate(zip(o, p)):
        physical = level == len(o) - 1
        dline = d[level][1] if same_chain and len(o) > 1 else None
        if dline and not dline.endswith(':0') and not dline.startswith('??'):
            expected = dline
        elif physical and not pline.startswith('??'):
            expected = pline
        else:
            continue
        compared += 1
        inline_compared += not physical
        if line != expected:
            bad.append('%s level %d %s: %s, expected %s' % (a, level, name, line, expected))
if bad:
    print('FAIL: %d differences:' % len(bad))
    print('\n'.join(bad[:20]))
    sys.exit(1)
if inline_compared == 0:
    print('FAIL: no inline frame line compared')
    sys.exit(1)
print('PASS: names at %d addresses, %d lines (%d of inline frames)' %
      (len(addresses), compared, inline_compared))
