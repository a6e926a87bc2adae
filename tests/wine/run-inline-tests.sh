#!/usr/bin/env bash
# StackWalkEx's inline frames under Wine: inlinewalk.c, built by clang -O2
# -gcodeview with a PDB (lld), walks its own stack from a context captured
# inside two levels of inlined code, with our dbghelp.dll and with Wine's
# builtin. Our walk must report, up to main, the chains llvm-symbolizer
# --inlines gives at each physical frame (virtual frames innermost first,
# then the physical one, all with the same PC), and StackWalk64 the
# physical frames only; the frames, names (SymFromInlineContext) and lines
# (SymGetLineFromInlineContext) must be the builtin's.
#   run-inline-tests.sh <source-root> <work-dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
for tool in clang lld-link llvm-symbolizer; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: $tool not found"; exit 0; }
done
wine_build_dll
gcc_dir=$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")
clang --target=x86_64-w64-mingw32 -O2 -g -gcodeview -Wall -Wextra -Werror -I"$here" \
  -fuse-ld=lld -L"$gcc_dir" -Wl,--pdb="$WINE_BIN/inlinewalk.pdb" \
  -o "$WINE_BIN/inlinewalk.exe" "$here/inlinewalk.c" -ldbghelp ||
  wine_die "building inlinewalk.exe failed"
cp -f "$WINE_DLL" "$WINE_BIN/dbghelp.dll"
wine_prefix

wine_run "$WINE_WORK/ours.log" native inlinewalk.exe || wine_fail "inlinewalk.exe failed with our DLL"
wine_run "$WINE_WORK/builtin.log" builtin inlinewalk.exe || wine_fail "inlinewalk.exe failed with the builtin"
sed -i 's/\r$//' "$WINE_WORK/ours.log" "$WINE_WORK/builtin.log" # the console's CRLF
[ "$(wine_field "$WINE_WORK/ours.log" DBGHELP_BUILTIN)" = 0 ] || wine_fail "our run did not load our DLL"
[ "$(wine_field "$WINE_WORK/builtin.log" DBGHELP_BUILTIN)" = 1 ] || wine_fail "the builtin run did not load the builtin"

# Expected from llvm-symbolizer at each physical PC our StackWalk64 reports
# (up to main): "pc context name" per frame, contexts as dbghelp.h's
# INLINE_FRAME_CONTEXT encodes them. Its lines are not used: its decoding of
# a PDB's inline-site annotations gives an enclosing inline frame the line
# after the call (tests/pdb/compare_inline_lines.py); the builtin's are.
awk '$1 == "S64" { print $3 }' "$WINE_WORK/ours.log" > "$WINE_WORK/pcs"
[ -s "$WINE_WORK/pcs" ] || wine_fail "StackWalk64 reported no frame"
: > "$WINE_WORK/expected"
while read -r pc; do
  llvm-symbolizer --obj="$WINE_BIN/inlinewalk.exe" --inlines "$pc" |
    awk -v pc="$pc" 'NF { if (n++ % 2 == 0) name[++k] = $0 }
      END { for (i = 1; i <= k; i++) {
              ctx = i < k ? 512 + i - 1 : (k > 1 ? 256 + k - 1 : 0)
              printf "%s 0x%x %s\n", pc, ctx, name[i] } }' >> "$WINE_WORK/expected"
done < "$WINE_WORK/pcs"
awk '$1 == "EX" { print $3, $4, $5 }' "$WINE_WORK/ours.log" > "$WINE_WORK/ours.ex"
if diff "$WINE_WORK/ours.ex" "$WINE_WORK/expected" > "$WINE_WORK/diff.txt"; then
  wine_pass "our StackWalkEx: $(wc -l < "$WINE_WORK/ours.ex") frames at $(wc -l < "$WINE_WORK/pcs") physical frames up to main, as llvm-symbolizer --inlines"
else
  wine_fail "our StackWalkEx differs from llvm-symbolizer (ours, expected):"; cat "$WINE_WORK/diff.txt"
fi
inlined=$(awk '$2 ~ /^0x2/' "$WINE_WORK/ours.ex" | wc -l)
[ "$inlined" -ge 2 ] || wine_fail "fewer than two virtual frames ($inlined)"

# Wine's builtin: the same frames, names and lines (its context values are
# its own encoding and not compared)
awk '$1 == "EX" { print $3, $5, $6 }' "$WINE_WORK/ours.log" > "$WINE_WORK/ours.ex3"
awk '$1 == "EX" { print $3, $5, $6 }' "$WINE_WORK/builtin.log" > "$WINE_WORK/builtin.ex3"
echo "==== StackWalkEx frames, ours vs Wine's builtin"
paste -d'|' "$WINE_WORK/ours.ex3" "$WINE_WORK/builtin.ex3" | sed 's/|/   |   /'
if cmp -s "$WINE_WORK/ours.ex3" "$WINE_WORK/builtin.ex3"; then
  wine_pass "the builtin's StackWalkEx reports the same $(wc -l < "$WINE_WORK/ours.ex3") frames, names and lines"
else
  wine_fail "StackWalkEx frames, names or lines differ from the builtin's"
fi
awk '$1 == "S64" { print $3, $4 }' "$WINE_WORK/ours.log" > "$WINE_WORK/ours.64"
awk '$1 == "S64" { print $3, $4 }' "$WINE_WORK/builtin.log" > "$WINE_WORK/builtin.64"
if cmp -s "$WINE_WORK/ours.64" "$WINE_WORK/builtin.64"; then
  wine_pass "StackWalk64: the same $(wc -l < "$WINE_WORK/ours.64") physical frames as the builtin"
else
  wine_fail "StackWalk64 frames differ from the builtin's"; paste "$WINE_WORK/ours.64" "$WINE_WORK/builtin.64"
fi
wine_verdict wine_inline
