#!/usr/bin/env bash
# StackWalkEx over a fake stack of a clang x64 -O2 image with a PDB: from a PC
# inside two levels of inlined code in a frameless leaf, to its caller (which
# inlines the call): one frame per inline level, innermost first, then the
# physical frame, each named and lined (SymFromInlineContext,
# SymGetLineFromInlineContext) as llvm-symbolizer --inlines names and lines
# it; with INLINE_FRAME_CONTEXT_IGNORE and with StackWalk64, the physical
# frames only.
#   run-inline-walk-tests.sh <inline_walk> <source-dir> <work-dir>
set -euo pipefail
walk=$1 src=$2 work=$3
mkdir -p "$work" && cd "$work"
clang --target=x86_64-pc-windows-msvc -O2 -g -gcodeview -fno-stack-protector \
  -c "$src/programs/inline_walk.c" -o inline_walk.obj
lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
  /out:iw.exe /pdb:iw.pdb inline_walk.obj
# the same code with DWARF: its lines for inline frames (see
# compare_inline_lines.py: llvm-symbolizer's PDB decoding gives an enclosing
# inline frame the line after the call)
clang --target=x86_64-pc-windows-msvc -O2 -g -gdwarf -fno-stack-protector \
  -c "$src/programs/inline_walk.c" -o inline_walk.dwarf.obj
lld-link /nologo /debug:dwarf /entry:mainCRTStartup /subsystem:console /nodefaultlib \
  /out:iw_dwarf.exe inline_walk.dwarf.obj
text() { llvm-objdump -d "$1" | grep -E '^ *[0-9a-f]+:' | sed 's/ *<[^>]*>//g'; }
if ! cmp -s <(text iw.exe) <(text iw_dwarf.exe); then
  echo "FAIL: the DWARF build's code differs from the PDB build's"; exit 1
fi
llvm-objdump -d --no-show-raw-insn iw.exe > disasm
grep -oE '^ *[0-9a-f]+:' disasm | tr -d ' :' | sed 's/^/0x/' > addresses

# llvm-symbolizer's frames at one address: "name file:line" innermost first
symbolize() { llvm-symbolizer --obj="$1" --inlines "$2" |
  awk 'NF{if(n++%2==0) name=$0; else {sub(/:[0-9]+$/,""); print name, $0}}'; }
names() { symbolize iw.exe "$1" | cut -d' ' -f1; }
# names from the PDB, lines from DWARF, when both name the same chain
frames() {
  if [ "$(names "$1")" != "$(symbolize iw_dwarf.exe "$1" | cut -d' ' -f1)" ]; then
    echo "oracles disagree at $1"; return
  fi
  symbolize iw_dwarf.exe "$1"
}

# the PC: the deepest inline chain in leaf; RET: after main's call of leaf
pc="" best=0
while read -r a; do
  f=$(symbolize iw.exe "$a")
  d=$(printf '%s\n' "$f" | wc -l)
  if [ "$(printf '%s\n' "$f" | tail -1 | cut -d' ' -f1)" = leaf ] && [ "$d" -gt "$best" ]; then
    pc=$a best=$d
  fi
done < addresses
ret=$(awk '/callq/{getline; sub(/:.*/,""); gsub(/ /,""); print "0x" $0; exit}' disasm)
[ -n "$pc" ] && [ "$best" -ge 3 ] || { echo "FAIL: no two-level inline chain in leaf"; exit 1; }
[ "$(frames "$ret" | tail -1 | cut -d' ' -f1)" = mainCRTStartup ] ||
  { echo "FAIL: $ret is not in mainCRTStartup"; exit 1; }
[ "$(frames "$ret" | wc -l)" -ge 2 ] || { echo "FAIL: the call of leaf is not inlined"; exit 1; }

# expected: the contexts as dbghelp.h's INLINE_FRAME_CONTEXT encodes them
# (FrameType STACK_FRAME_TYPE_INLINE 2 + the inline index, then the physical
# frame STACK_FRAME_TYPE_STACK 1 + the inline count; stackwalk.md)
: > expected
for a in "$pc" "$ret"; do
  frames "$a" | awk -v pc="$(printf '0x%x' "$a")" '{l[NR]=$0} END{
    for(i=1;i<=NR;i++){ ctx = i<NR ? 512+i-1 : (NR>1 ? 256+NR-1 : 0);
      printf "ex %s 0x%x %s\n", pc, ctx, l[i] } }' >> expected
done
for a in "$pc" "$ret"; do printf 'ignore 0x%x 0xffffffff\n' "$a"; done >> expected
for a in "$pc" "$ret"; do printf '64 0x%x\n' "$a"; done >> expected

# more addresses in leaf, one for each other shape of chain there (only poly
# inlined; nothing inlined), for SymCompareInlineTrace / SymQueryInlineTrace
: > chains
printf '%s %s\n' "$(printf '0x%x' "$pc")" "$(names "$pc" | tr '\n' ' ')" >> chains
seen="|$(names "$pc" | tr '\n' ' ')|"
extra=()
while read -r a; do
  [ "$(names "$a" | tail -1)" = leaf ] || continue
  n=$(names "$a" | tr '\n' ' ')
  case "$seen" in *"|$n|"*) continue ;; esac
  seen="$seen|$n|"
  extra+=("$a")
  printf '%s %s\n' "$(printf '0x%x' "$a")" "$n" >> chains
done < addresses
[ "${#extra[@]}" -ge 2 ] || { echo "FAIL: leaf has fewer than three shapes of inline chain"; exit 1; }
printf '%s %s\n' "$ret" "$(names "$ret" | tr '\n' ' ')" > ret_chain
python3 "$src/expect_inline_traces.py" ret_chain chains >> expected

"$walk" iw.exe 0x140000000 "$pc" "$ret" "${extra[@]}" > ours
if diff ours expected > diff.txt; then
  echo "PASS: StackWalkEx reports $(grep -c '^ex' ours) frames ($best + $(frames "$ret" | wc -l) levels) at 2 physical frames, as llvm-symbolizer --inlines; $(grep -c '^cmp' ours) SymCompareInlineTrace and $(grep -c '^query' ours) SymQueryInlineTrace answers"
else
  echo "FAIL: walk differs (ours vs expected):"; cat diff.txt; exit 1
fi
