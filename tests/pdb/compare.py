#!/usr/bin/env python3
"""Compares pdb_query's answers with llvm-symbolizer --inlines, address by
address: the same frames (inline chain and physical function, by name), the
same file:line for the physical frame and every call site. Lines *inside* an
inlinee are compared too, but llvm-symbolizer 14's native PDB reader assigns
each S_INLINESITE annotation's line to a neighbouring code range (e.g. the
call site of an inlined call inside an inlinee gets the line after it), so a
difference there is reported as such and counted, not failed.

usage: compare.py ADDRESSES OURS THEIRS
"""
import sys


def blocks(path):
    text = open(path).read().rstrip('\n')
    return [b.split('\n') for b in text.split('\n\n')]


def main():
    addresses = open(sys.argv[1]).read().split()
    ours, theirs = blocks(sys.argv[2]), blocks(sys.argv[3])
    if len(ours) != len(addresses) or len(theirs) != len(addresses):
        print(f"FAIL: {len(addresses)} addresses, {len(ours)} answers, {len(theirs)} oracle answers")
        return 1
    wrong = inline_lines = 0
    for address, a, b in zip(addresses, ours, theirs):
        a_names, b_names = a[0::2], b[0::2]
        a_lines, b_lines = a[1::2], b[1::2]
        bad = a_names != b_names or a_lines[-1:] != b_lines[-1:]
        if not bad and a_lines != b_lines:
            inline_lines += 1
        if bad:
            wrong += 1
            if wrong <= 10:
                print(f"  {address}: ours {a} llvm-symbolizer {b}")
    print(f"{len(addresses)} addresses: {wrong} with other frames or physical lines, "
          f"{inline_lines} with another line inside an inlinee (llvm-symbolizer's reading)")
    return 1 if wrong else 0


sys.exit(main())
