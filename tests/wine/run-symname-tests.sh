#!/usr/bin/env bash
# The symbol API under Wine (issue 10, part 3): symnames.exe, built by clang
# for x86_64 mingw-w64 with a PDB (-gcodeview, lld --pdb), asks SymFromAddr,
# SymGetLineFromAddr64, SymFromName(W) and SymEnumSymbols(W) about its own
# functions, once with our dbghelp.dll and once with Wine's builtin. Ours
# must answer everything the builtin answers, identically; where only ours
# answers, the answer is printed. The oracle is Wine's builtin.
#
#   run-symname-tests.sh <source-root> <work-dir>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
for tool in clang ld.lld; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: '$tool' not found"; exit 0; }
done
wine_build_dll
gcc_dir=$(dirname "$("$WINE_MINGW_GCC" -print-libgcc-file-name)")
clang --target=x86_64-w64-mingw32 -std=c11 -Wall -Wextra -Werror -O1 -g -gcodeview \
  -fuse-ld=lld -L"$gcc_dir" -Wl,--pdb="$WINE_BIN/symnames.pdb" -I"$WINE_SRC/tests/wine" \
  -o "$WINE_BIN/symnames.exe" "$WINE_SRC/tests/wine/symnames.c" -ldbghelp \
  2>"$WINE_WORK/build.log" || { cat "$WINE_WORK/build.log" >&2; wine_die "building symnames.exe failed"; }
cp -f "$WINE_DLL" "$WINE_BIN/dbghelp.dll"
wine_prefix

for dll in n b; do
  log=$WINE_WORK/symnames.$dll.log
  wine_run "$log" "$dll" symnames.exe || wine_fail "symnames.exe (dbghelp=$dll) exited with $?"
  sed -i 's/\r$//' "$log"
  wine_finish
done
ours=$WINE_WORK/symnames.n.log builtin=$WINE_WORK/symnames.b.log
[ "$(wine_field "$ours" DBGHELP_BUILTIN)" = 0 ] || wine_fail "dbghelp=n did not load our DLL"
[ "$(wine_field "$builtin" DBGHELP_BUILTIN)" = 1 ] || wine_fail "dbghelp=b did not load the builtin"

# Per-question answers: "KIND QUESTION ANSWER..."; a builtin answer (not
# FAIL) must be ours too, word for word.
echo "==== answers, ours vs Wine's builtin"
# Wine shows a Unix path the compiler recorded as its DOS name on drive Z:
# (Z:\work\x.c for /work/x.c); that is the same file, compared as the Unix path.
grep -E '^(FROMADDR|LINE|FROMNAME|FROMNAMEW) ' "$builtin" |
  awk '$1 == "LINE" && $3 ~ /^Z:\\/ { sub(/^Z:/, "", $3); gsub(/\\/, "/", $3) } { print }' |
  sort > "$WINE_WORK/builtin.answers"
grep -E '^(FROMADDR|LINE|FROMNAME|FROMNAMEW) ' "$ours" | sort > "$WINE_WORK/ours.answers"
compared=0 only_ours=0
while read -r kind question answer; do
  mine=$(awk -v k="$kind" -v q="$question" '$1 == k && $2 == q { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }' \
         "$WINE_WORK/ours.answers")
  if [[ $answer == FAIL* ]]; then
    [[ $mine == FAIL* ]] || { echo "    only ours: $kind $question $mine"; only_ours=$((only_ours + 1)); }
    continue
  fi
  compared=$((compared + 1))
  if [ "$mine" != "$answer" ]; then
    wine_fail "$kind $question: ours '$mine', builtin '$answer'"
  fi
done < "$WINE_WORK/builtin.answers"
[ "$compared" -gt 0 ] || wine_fail "the builtin answered nothing to compare"
echo "    $compared answers compared, $only_ours answered by ours only"

# Enumerations: every symbol the builtin lists (name and address) ours lists
# too, except "EntryPoint", a public the builtin invents at the image's entry
# point (it is in no PDB, export table or symbol table). Where both list a
# name at an address, the tag and size of the best entry (a procedure or
# data symbol before a public: the builtin lists the function and its public
# twice) must agree, with two differences printed, not failed: the builtin
# gives every public Size 1 where ours (as SymFromAddr) gives 0, and data
# sizes come from type records (the TPI stream), which our reader does not
# read yet (ours: 0).
best() { # kind log -> "name@addr size tag", a non-public entry first
  awk -v k=$1 '$1 == k { key = $2 "@" $3; size = $4; tag = $5
                 if (!(key in t) || (t[key] == "tag=10" && tag != "tag=10")) { t[key] = tag; z[key] = size } }
               END { for (key in t) print key, z[key], t[key] }' "$2" | sort
}
for kind in ENUM ENUMMASK ENUMW; do
  awk -v k=$kind '$1 == k && $2 != "EntryPoint" { print $2, $3 }' "$builtin" | sort -u > "$WINE_WORK/builtin.$kind"
  awk -v k=$kind '$1 == k { print $2, $3 }' "$ours" | sort -u > "$WINE_WORK/ours.$kind"
  missing=$(comm -23 "$WINE_WORK/builtin.$kind" "$WINE_WORK/ours.$kind")
  if [ ! -s "$WINE_WORK/builtin.$kind" ]; then
    wine_fail "$kind: the builtin listed nothing"
  elif [ -n "$missing" ]; then
    wine_fail "$kind: ours lacks $(echo "$missing" | wc -l) of the builtin's symbols:"
    echo "$missing" | head -20 | sed 's/^/    /'
  else
    wine_pass "$kind: all $(wc -l < "$WINE_WORK/builtin.$kind") of the builtin's symbols listed by ours ($(wc -l < "$WINE_WORK/ours.$kind") in all)"
  fi
  join <(best $kind "$builtin") <(best $kind "$ours") |
    awk '$2 == $4 && $3 == $5 { next }
         $3 == $5 && $3 == "tag=10" && $2 == "size=1" && $4 == "size=0" { pub++; next }
         { print "MISMATCH", $1, "builtin", $2, $3, "ours", $4, $5 }
         END { if (pub) print "    public sizes (known): builtin 1, ours 0, for", pub, "publics" }' \
    > "$WINE_WORK/$kind.differences"
  grep -v '^MISMATCH' "$WINE_WORK/$kind.differences" || true
  while read -r _ what; do wine_fail "$kind: $what"; done < <(grep '^MISMATCH' "$WINE_WORK/$kind.differences")
done
if [ "$(wine_field "$builtin" ENUMSTOP)" = "$(wine_field "$ours" ENUMSTOP)" ]; then
  wine_pass "a callback returning FALSE stops the enumeration as in the builtin ($(wine_field "$ours" ENUMSTOP))"
else
  wine_fail "ENUMSTOP: ours '$(wine_field "$ours" ENUMSTOP)', builtin '$(wine_field "$builtin" ENUMSTOP)'"
fi
wine_verdict wine_symnames
