#!/bin/bash
# Compare our UnDecorateSymbolName with llvm-undname on every decorated name
# from the test programs (clang, x86_64 and i686 MSVC targets) and the
# corpus's crash.pdb publics. Every difference must be listed in
# known-differences.txt (name<TAB>reason); any other one fails the test.
set -u
driver=$1 src=$2 work=$3 corpus=$4
mkdir -p "$work"
work=$(cd "$work" && pwd)
: >"$work/names"
for prog in "$src"/programs/*.cpp; do
  for t in x86_64-pc-windows-msvc i686-pc-windows-msvc; do
    o="$work/$(basename "$prog" .cpp)-$t.obj"
    # compiled by its bare name: the anonymous namespaces' keys hash the
    # path, and known-differences.txt names them
    (cd "$src/programs" && clang++ --target=$t -std=c++17 -c -O0 "$(basename "$prog")" -o "$o") ||
      { echo "FAIL: cannot compile $prog for $t"; exit 1; }
    llvm-nm --just-symbol-name "$o" >>"$work/names"
  done
done
if [ -f "$corpus/images/crash.pdb" ] && command -v llvm-pdbutil >/dev/null; then
  llvm-pdbutil dump -publics "$corpus/images/crash.pdb" | sed -n 's/.*`\(?[^`]*\)`.*/\1/p' >>"$work/names"
else
  echo "crash.pdb (../shared) absent or llvm-pdbutil missing: skipped"
fi
grep '^?' "$work/names" | sort -u >"$work/decorated"
total=$(wc -l <"$work/decorated")
[ "$total" -gt 0 ] || { echo "FAIL: no decorated names collected"; exit 1; }
"$driver" <"$work/decorated" >"$work/ours"
# llvm-undname reads names from stdin: per name, the name, the result line
# (absent when it refuses) and a blank line. One process for all names.
llvm-undname <"$work/decorated" 2>/dev/null | awk '
  state == 0 { name = $0; state = 1; next }
  state == 1 { if ($0 == "") { print name "\t<fail>"; state = 0 } else { r = $0; state = 2 }; next }
  state == 2 { if (r ~ /^Invalid mangled name/) r = "<fail>"; print name "\t" r; state = 0 }' >"$work/theirs"
cut -f1 "$work/theirs" | cmp -s - "$work/decorated" || { echo "FAIL: llvm-undname's batch output did not follow the input"; exit 1; }
paste "$work/ours" "$work/theirs" | awk -F'\t' '$2 != $4 { print $1 "\t" $2 "\t" $4 }' >"$work/diffs"
cut -f1 "$src/known-differences.txt" | grep -v '^#' | sort -u >"$work/known"
cut -f1 "$work/diffs" | sort -u | comm -23 - "$work/known" >"$work/unlisted"
matched=$((total - $(wc -l <"$work/diffs")))
echo "compared $total, matched $matched, known differences $(($(wc -l <"$work/diffs") - $(wc -l <"$work/unlisted"))), unlisted $(wc -l <"$work/unlisted")"
if [ -s "$work/unlisted" ]; then
  grep -F -f "$work/unlisted" "$work/diffs" | head -40
  exit 1
fi
exit 0
