#!/usr/bin/env python3
"""The line functions' answers against an independent tool's line tables.

  lines_check.py oracle pdb LINES_DUMP SECTIONS_DUMP FILES_DUMP BASE FILES_OUT > entries
      reads `llvm-pdbutil dump -l`, `-section-headers` and `-files` output
  lines_check.py oracle dwarf DEBUG_LINE_DUMP BASE FILES_OUT > entries
      reads `llvm-dwarfdump --debug-line` output
  lines_check.py check ENTRIES FILES ENUM STEP
      compares lines_query's output with them

An entry line is "GROUP\\t0xADDR LINE FILE"; entries of one group (a
module's or unit's file) are in address order, as SymGetLineNext64 steps.
Entries the DbgHelp readers hide are left out: line 0 and the hidden-line
markers 0xfeefee/0xf00f00 (PDB), rows followed by another at the same
address, end_sequence rows and line 0 (DWARF).
"""
import re
import sys
from collections import Counter


def pdb_oracle(lines_dump, sections_dump, files_dump, base):
    vas = [int(m.group(1), 16) for m in
           re.finditer(r'^\s*([0-9A-Fa-f]+) virtual address', open(sections_dump).read(), re.M)]
    entries, files = [], []
    module = file = None
    for text in open(lines_dump):
        m = re.match(r'^Mod (\d+) \|', text)
        if m:
            module = m.group(1)
            continue
        m = re.match(r'^(\S.*) \((MD5|SHA1|SHA256|None)', text)
        if m and module is not None:
            file = m.group(1)
            continue
        m = re.match(r'^\s+([0-9A-Fa-f]{4}):([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8}), line/addr', text)
        if m:
            section, end = int(m.group(1), 16), int(m.group(3), 16)
            continue
        if file and re.match(r'^\s+\d+ [0-9A-Fa-f]{8} ', text):
            for line, offset in re.findall(r'(\d+) ([0-9A-Fa-f]{8})', text):
                line, offset = int(line), int(offset, 16)
                if line in (0, 0xfeefee, 0xf00f00) or offset >= end:
                    continue
                entries.append((module + ':' + file, base + vas[section - 1] + offset, line, file))
    for text in open(files_dump):
        m = re.match(r'^- \([^)]*\) (.*)$', text.rstrip('\n'))
        if m and m.group(1) not in files:
            files.append(m.group(1))
    return entries, files


def dwarf_oracle(dump, base):
    entries, files = [], []
    names, dirs, rows = {}, {}, []
    unit = -1

    def flush():
        # a row covers the code up to the next row; one with none is hidden,
        # as are rows of code outside the image (a discarded function's)
        kept = [r for i, r in enumerate(rows)
                if 'end_sequence' not in r[3] and r[1] != 0 and r[0] >= base and
                i + 1 < len(rows) and rows[i + 1][0] > r[0]]
        for address, line, index, _ in kept:
            entries.append((str(unit) + ':' + names[index], address, line, names[index]))
            if names[index] not in files:
                files.append(names[index])

    text = open(dump).read().split('\n')
    i = 0
    while i < len(text):
        t = text[i]
        if t.startswith('debug_line['):
            if unit >= 0:
                flush()
            unit += 1
            names, dirs, rows = {}, {}, []
        m = re.match(r'^include_directories\[\s*(\d+)\] = "(.*)"', t)
        if m:
            dirs[int(m.group(1))] = m.group(2)
        m = re.match(r'^file_names\[\s*(\d+)\]:', t)
        if m:
            index = int(m.group(1))
            name = re.match(r'^\s+name: "(.*)"', text[i + 1]).group(1)
            d = int(re.match(r'^\s+dir_index: (\d+)', text[i + 2]).group(1))
            absolute = lambda p: p.startswith('/') or re.match(r'^[A-Za-z]:', p)
            directory = dirs.get(d, '')
            if not absolute(directory) and d != 0 and 0 in dirs:
                directory = dirs[0] + '/' + directory  # under the compilation directory
            names[index] = name if absolute(name) or not directory else directory + '/' + name
        m = re.match(r'^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s*(.*)$', t)
        if m:
            rows.append((int(m.group(1), 16), int(m.group(2)), int(m.group(4)), m.group(5)))
        i += 1
    if unit >= 0:
        flush()
    return entries, files


def ordered(entries):
    """Each group's entries in address order (ties keep table order)."""
    groups = {}
    for position, e in enumerate(entries):
        groups.setdefault(e[0], []).append((e[1], position, e))
    out = []
    for g in groups.values():
        out.extend(e for _, _, e in sorted(g))
    return out


def check(entries_path, files_path, enum_path, step_path):
    entries = []
    for t in open(entries_path):
        group, rest = t.rstrip('\n').split('\t')
        a, l, f = rest.split(' ', 2)
        entries.append((group, int(a, 16), int(l), f))
    expected_files = [t.rstrip('\n') for t in open(files_path) if t.strip()]
    failures = 0

    def fail(message):
        nonlocal failures
        failures += 1
        if failures <= 20:
            print('FAIL:', message)

    ours, our_files, wide, wide_files = Counter(), [], Counter(), []
    for t in open(enum_path):
        t = t.rstrip('\n')
        if t.startswith('WL '):
            entry, from_addr = t[3:].split('\t')
            a, l, f = entry.split(' ', 2)
            wide[(int(a, 16), int(l), f)] += 1
            fl, ff = from_addr.split(' ', 1)
            if ff != f:
                fail('SymGetLineFromAddrW64 0x%x: %s, SymEnumLinesW %s' % (int(a, 16), ff, f))
        elif t.startswith('WF '):
            wide_files.append(t[3:])
        elif t.startswith('L '):
            _, a, l, f = t.split(' ', 3)
            ours[(int(a, 16), int(l), f)] += 1
        elif t.startswith('F '):
            our_files.append(t[2:])
        else:
            fail('enum: ' + t)
    theirs = Counter((a, l, f) for _, a, l, f in entries)
    for k in sorted(set(ours) | set(theirs)):
        if ours[k] != theirs[k]:
            fail('SymEnumLines 0x%x %d %s: ours %d, oracle %d' % (k + (ours[k], theirs[k])))
    if wide != ours:
        fail('SymEnumLinesW differs from SymEnumLines')
    if wide_files != our_files:
        fail('SymEnumSourceFilesW %s, SymEnumSourceFiles %s' % (wide_files, our_files))
    if len(our_files) != len(set(our_files)):
        fail('SymEnumSourceFiles lists a file twice: %s' % our_files)
    if set(our_files) != set(expected_files):
        fail('SymEnumSourceFiles %s, oracle %s' % (sorted(our_files), sorted(expected_files)))

    # the walk: each entry's next and previous in its group
    seq = ordered(entries)
    expect = {}
    for i, e in enumerate(seq):
        nxt = seq[i + 1] if i + 1 < len(seq) and seq[i + 1][0] == e[0] else None
        prv = seq[i - 1] if i > 0 and seq[i - 1][0] == e[0] else None
        fmt = lambda x: 'END' if x is None else '0x%x %d %s' % x[1:]
        expect.setdefault('0x%x %d %s' % e[1:], []).append((fmt(nxt), fmt(prv)))
    by_line = {}
    for _, a, l, f in entries:
        by_line.setdefault((f, l), set()).add(a)
    steps = 0
    for t in open(step_path):
        parts = [p.strip() for p in t.rstrip('\n').split('|')]
        if len(parts) != 4:
            fail('step output: ' + t)
            continue
        here, nxt, prv, named = parts
        steps += 1
        if 'WDIFF' in nxt or 'WDIFF' in prv:
            fail('%s: the W forms step elsewhere (%s | %s)' % (here, nxt, prv))
        options = expect.get(here, [])
        # entries identical in address, line and file cannot be told apart:
        # any of their answers will do
        if (nxt, prv) not in options:
            fail('%s: next | prev %s | %s, oracle %s' % (here, nxt, prv, options))
        a, l, f = here.split(' ', 2)
        if named.startswith('ERROR'):
            fail('%s: SymGetLineFromName64 %s' % (here, named))
        else:
            fa, fl, fd = named.split(' ')
            if int(fl) != int(l) or int(fd) != 0 or int(fa, 16) not in by_line[(f, int(l))]:
                fail('%s: SymGetLineFromName64 gave %s' % (here, named))
    if steps != len(entries):
        fail('%d steps for %d entries' % (steps, len(entries)))
    print('%d entries, %d files, %d failures' % (len(entries), len(expected_files), failures))
    return 1 if failures else 0


def main():
    if sys.argv[1] == 'oracle':
        if sys.argv[2] == 'pdb':
            entries, files = pdb_oracle(sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6], 0))
        else:
            entries, files = dwarf_oracle(sys.argv[3], int(sys.argv[4], 0))
        with open(sys.argv[-1], 'w') as out:
            out.write(''.join(f + '\n' for f in files))
        for e in ordered(entries):
            print('%s\t0x%x %d %s' % e)
        return 0
    return check(*sys.argv[2:6])


sys.exit(main())
