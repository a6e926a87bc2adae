#!/usr/bin/env python3
"""The SymCompareInlineTrace and SymQueryInlineTrace answers inline_walk
must print, from llvm-symbolizer's inline chains (not from our output).
Input lines: "ADDRESS NAME..." (innermost first, the physical procedure
last), the first for PC, the rest the other addresses inline_walk is given.
  expect_inline_traces.py RET-CHAIN-FILE CHAINS-FILE

Levels count from the outside: 0 is the procedure, n (its inline count) the
innermost inlinee; a virtual frame's context (0x200 | depth) is level
n - depth, the physical frame's (0x100 | n) level 0, INIT the innermost.
Compare: the frame (A1, context) against the innermost frame at A2 in the
same procedure: identical (1), A2 inside it (step in, 2), A2 outside it in
an enclosing frame (step out, 3), a sibling (step over, 4). Query: the
deepest frame at A2 that is the start frame or encloses it (A2 in another procedure: the deepest frame the
return address's chain shares); its context and its index in StackWalkEx's
order at A2."""
import sys


def chains(path):
    out = []
    for line in open(path):
        parts = line.split()
        if parts:
            out.append((parts[0], parts[1:]))
    return out


def contexts(names):
    n = len(names) - 1
    return [0x200 | d for d in range(n)] + ([0x100 | n] if n else []) + [0]


def level(names, context):
    n = len(names) - 1
    if context >> 8 == 2:
        return n - (context & 0xFF)
    return 0 if context else n


def shared(a, b, limit):
    outer_a, outer_b = a[::-1], b[::-1]  # procedure first
    k = 0
    while k < limit and k + 1 < len(outer_a) and k + 1 < len(outer_b) and \
            outer_a[k + 1] == outer_b[k + 1]:
        k += 1
    return k


ret = chains(sys.argv[1])[0]
addresses = chains(sys.argv[2])
for a1, n1 in addresses:
    for c in contexts(n1):
        for a2, n2 in addresses:
            count2 = len(n2) - 1
            if n1[-1] != n2[-1]:
                # another procedure: stepped out when it holds the return
                # address; the query then goes on from the return address
                print('cmp %s 0x%x %s %d' % (a1, c, a2, 3 if ret[1][-1] == n2[-1] else 5))
                if ret[1][-1] != n2[-1]:
                    print('query %s 0x%x %s failed' % (a1, c, a2))
                    continue
                k = shared(ret[1], n2, len(ret[1]) - 1)
            else:
                lv = level(n1, c)
                k = shared(n1, n2, lv)
                result = 1 if k == lv == count2 else 2 if k == lv else 3 if k == count2 else 4
                print('cmp %s 0x%x %s %d' % (a1, c, a2, result))
            context = (0x100 | count2 if count2 else 0) if k == 0 else 0x200 | (count2 - k)
            print('query %s 0x%x %s 0x%x %d' % (a1, c, a2, context, count2 - k))
print('cmp-out 3')
print('cmp-in 2')
print('scope 1')
