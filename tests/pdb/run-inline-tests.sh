#!/usr/bin/env bash
# SymAddrIncludeInlineTrace at every instruction of the PDB test program
# (clang x64 -O2, lld-link /debug) equals the inline depth llvm-symbolizer
# --inlines reports (its frame count less the physical one), and
# SymFromInlineContext names each level as llvm-symbolizer does; then
# SymGetLineFromInlineContext's line at each level against llvm-symbolizer
# on the PDB and on the same code built with DWARF (compare_inline_lines.py
# says why both).
#   run-inline-tests.sh <inline_count> <source-dir> <work-dir>
set -euo pipefail
count=$1 src=$2 work=$3
mkdir -p "$work" && cd "$work"
for f in main shapes; do
  clang --target=x86_64-pc-windows-msvc -O2 -g -gcodeview -fno-stack-protector \
    -c "$src/programs/$f.c" -o "$f.obj"
done
lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
  /out:prog.exe /pdb:prog.pdb main.obj shapes.obj
for f in main shapes; do
  clang --target=x86_64-pc-windows-msvc -O2 -g -gdwarf -fno-stack-protector \
    -c "$src/programs/$f.c" -o "$f.dwarf.obj"
done
lld-link /nologo /debug:dwarf /entry:mainCRTStartup /subsystem:console /nodefaultlib \
  /out:prog_dwarf.exe main.dwarf.obj shapes.dwarf.obj
llvm-objdump -d --no-show-raw-insn prog.exe | grep -oE '^ *[0-9a-f]+:' | tr -d ' :' |
  sed 's/^/0x/' > addresses
"$count" prog.exe 0x140000000 < addresses > ours
llvm-symbolizer --obj=prog.exe --inlines < addresses |
  awk 'BEGIN{RS="";FS="\n"}{printf "%d", NF/2-1; for(i=1;i<=NF;i+=2) printf " %s", $i; print ""}' > theirs
[ "$(wc -l < addresses)" -gt 0 ] || { echo "FAIL: no addresses"; exit 1; }
if ! grep -qv '^0 ' theirs; then echo "FAIL: program has no inline sites"; exit 1; fi
if diff ours theirs > diff.txt; then
  echo "PASS: inline depth at $(wc -l < addresses) addresses"
else
  echo "FAIL: inline depths differ (ours vs llvm-symbolizer):"; head -20 diff.txt; exit 1
fi

# the DWARF build must be the same code for its lines to stand for the PDB's
text() { llvm-objdump -d "$1" | grep -E '^ *[0-9a-f]+:' | sed 's/ *<[^>]*>//g'; }
if ! cmp -s <(text prog.exe) <(text prog_dwarf.exe); then
  echo "FAIL: the DWARF build's code differs from the PDB build's"; exit 1
fi
lines() { llvm-symbolizer --obj="$1" --inlines < addresses |
  awk 'BEGIN{RS="";FS="\n"}{print NF/2-1; for(i=1;i<=NF;i+=2){f=$(i+1); sub(/:[0-9]+$/,"",f); print $i, f}}'; }
"$count" prog.exe 0x140000000 lines < addresses > ours_lines
lines prog.exe > pdb_lines
lines prog_dwarf.exe > dwarf_lines
python3 "$src/compare_inline_lines.py" addresses ours_lines pdb_lines dwarf_lines
