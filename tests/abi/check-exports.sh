#!/usr/bin/env bash
# dbghelp.dll exports every function Windows' dbghelp.dll exports, checked
# statically against mingw-w64's own import library (no Wine needed): builds
# the x86_64 DLL with mingw-w64, then proves that
#   - src/win/exports.txt lists exactly the functions of mingw-w64's x86_64
#     libdbghelp.a and the exports of Wine's builtin dbghelp.dll (the union:
#     a current dbghelp.dll has both), plus StackWalk2 (which that library
#     predates), each once, sorted, every line "Name Bytes" or "Name Bytes stub";
#     without Wine's DLL that half is SKIPPED, not passed;
#   - the DLL's export table (objdump -p) holds every name of libdbghelp.a and
#     nothing but the names of exports.txt;
#   - mingw-w64's libdbghelp.a has no DATA imports we would have to provide.
# Usage: check-exports.sh <source-root> <work-dir>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
mkdir -p "$work"
export LC_ALL=C
fail=0
pass() { echo "PASS: $*"; }
failed() { echo "FAIL: $*"; fail=1; }

gcc=x86_64-w64-mingw32-gcc
nm=x86_64-w64-mingw32-nm
objdump=x86_64-w64-mingw32-objdump
lib=$($gcc -print-file-name=libdbghelp.a)
[ -f "$lib" ] || { echo "FAIL: $gcc has no libdbghelp.a ($lib)"; exit 1; }
echo "mingw-w64 import library: $lib"

# A clean environment for the cross build: the host's compiler and flags must
# not leak into it.
if ! env -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
    cmake -S "$src" -B "$work/dll" -DDBGWALK_TESTS=OFF -DDBGWALK_BENCH=OFF \
          -DCMAKE_BUILD_TYPE=Release \
          -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-x86_64-w64-mingw32.cmake" \
          >"$work/build.log" 2>&1 ||
   ! env -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
    cmake --build "$work/dll" -j2 >>"$work/build.log" 2>&1; then
  cat "$work/build.log"
  echo "FAIL: building the x86_64 dbghelp.dll"; exit 1
fi
dll=$work/dll/dbghelp.dll

# The functions of mingw-w64's import library: each import member defines
# __imp_Name; a function also defines its thunk Name in .text (T). An
# __imp_ without a thunk is a DATA import.
$nm "$lib" | awk '$2 == "I" && $3 ~ /^__imp_/ { sub(/^__imp_/, "", $3); print $3 }' |
  sort -u >"$work/lib-imports.txt"
$nm "$lib" | awk '$2 == "T" { print $3 }' | sort -u >"$work/lib-functions.txt"
comm -23 "$work/lib-imports.txt" "$work/lib-functions.txt" >"$work/lib-data.txt"
if [ -s "$work/lib-data.txt" ]; then
  echo "NOTE: DATA imports in libdbghelp.a (not exported by us): $(tr '\n' ' ' <"$work/lib-data.txt")"
else
  pass "libdbghelp.a has no DATA imports"
fi
echo "libdbghelp.a: $(wc -l <"$work/lib-functions.txt") functions"

# exports.txt: its lines, their form and order.
grep -v -E '^[[:space:]]*(#|$)' "$src/src/win/exports.txt" >"$work/exports-lines.txt"
bad=$(grep -v -E '^[A-Za-z_][A-Za-z0-9_]* [0-9]+( stub)?$' "$work/exports-lines.txt" || true)
if [ -z "$bad" ]; then
  pass "every exports.txt line is 'Name Bytes' or 'Name Bytes stub'"
else
  failed "malformed exports.txt lines: $bad"
fi
cut -d' ' -f1 "$work/exports-lines.txt" >"$work/exports-names.txt"
if sort -c "$work/exports-names.txt" 2>/dev/null; then
  pass "exports.txt is sorted by name"
else
  failed "exports.txt is not sorted by name (LC_ALL=C sort)"
fi
dups=$(uniq -d "$work/exports-names.txt" | tr '\n' ' ')
if [ -z "$dups" ]; then pass "no name is listed twice"; else failed "listed twice: $dups"; fi
sort -u "$work/exports-names.txt" >"$work/exports-sorted.txt"
missing=$(comm -23 "$work/lib-functions.txt" "$work/exports-sorted.txt" | tr '\n' ' ')
if [ -z "$missing" ]; then pass "exports.txt lists every function of libdbghelp.a"
else failed "exports.txt lacks: $missing"; fi

# Wine's builtin dbghelp.dll (wine64 package): names a real client such as
# winedbg imports that mingw-w64's import library predates.
wine_dll=""
for d in /usr/lib/x86_64-linux-gnu/wine/x86_64-windows /usr/lib/wine/x86_64-windows \
         /usr/lib64/wine/x86_64-windows /opt/wine-stable/lib64/wine/x86_64-windows; do
  [ -f "$d/dbghelp.dll" ] && { wine_dll=$d/dbghelp.dll; break; }
done
cp "$work/lib-functions.txt" "$work/union.txt"
if [ -n "$wine_dll" ]; then
  $objdump -p "$wine_dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' |
    sed -n 's/^[[:space:]]*\[ *[0-9]*\] \(.*\)$/\1/p' | sort -u >"$work/wine-exports.txt"
  echo "Wine's builtin $wine_dll: $(wc -l <"$work/wine-exports.txt") exports"
  if [ ! -s "$work/wine-exports.txt" ]; then
    failed "no export names read from $wine_dll"
  fi
  missing=$(comm -23 "$work/wine-exports.txt" "$work/exports-sorted.txt" | tr '\n' ' ')
  if [ -z "$missing" ]; then pass "exports.txt lists every export of Wine's builtin dbghelp.dll"
  else failed "exports.txt lacks these exports of Wine's builtin: $missing"; fi
  sort -u "$work/lib-functions.txt" "$work/wine-exports.txt" >"$work/union.txt"
  extra=$(comm -13 "$work/union.txt" "$work/exports-sorted.txt" | tr '\n' ' ')
  if [ "$extra" = "StackWalk2 " ]; then
    pass "exports.txt adds only StackWalk2 to libdbghelp.a and Wine's builtin"
  else
    failed "exports.txt names beyond libdbghelp.a's and Wine's: '$extra' (expected only StackWalk2)"
  fi
else
  echo "SKIPPED: Wine's builtin dbghelp.dll not found (Debian: wine64); its exports not compared"
fi
implemented=$(grep -v -c ' stub$' "$work/exports-lines.txt" || true)
stubs=$(grep -c ' stub$' "$work/exports-lines.txt" || true)
echo "exports.txt: $(wc -l <"$work/exports-lines.txt") exports, $implemented implemented, $stubs stubs"

# The DLL's export name table.
$objdump -p "$dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' |
  sed -n 's/^[[:space:]]*\[ *[0-9]*\] \(.*\)$/\1/p' | sort >"$work/dll-exports.txt"
echo "dbghelp.dll: $(wc -l <"$work/dll-exports.txt") exported names"
missing=$(comm -23 "$work/union.txt" "$work/dll-exports.txt")
if [ -z "$missing" ]; then
  pass "dbghelp.dll exports all $(wc -l <"$work/union.txt") names of libdbghelp.a and Wine's builtin"
else
  while read -r name; do failed "dbghelp.dll does not export $name"; done <<<"$missing"
fi
unlisted=$(comm -13 "$work/exports-sorted.txt" "$work/dll-exports.txt" | tr '\n' ' ')
unexported=$(comm -23 "$work/exports-sorted.txt" "$work/dll-exports.txt" | tr '\n' ' ')
if [ -z "$unlisted" ]; then pass "dbghelp.dll exports nothing exports.txt does not list"
else failed "dbghelp.dll exports names exports.txt does not list: $unlisted"; fi
if [ -z "$unexported" ]; then pass "dbghelp.dll exports every name of exports.txt"
else failed "exports.txt names dbghelp.dll does not export: $unexported"; fi

exit $fail
