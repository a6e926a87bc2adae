#!/usr/bin/env bash
# The i686 dbghelp.dll's calling convention, checked statically (no 32-bit
# Wine needed): builds the DLL with mingw-w64, then proves that
#   - it exports every function of src/win/exports.txt undecorated, the
#     implemented ones and the generated stubs alike ("Name Bytes [stub]");
#   - its import library resolves the __stdcall-decorated names (_Name@N);
#   - each export returns with `ret $N`, N the decoration's argument bytes
#     (the callee pops its arguments: __stdcall);
#   - a client built with i686-w64-mingw32-gcc and mingw-w64's <dbghelp.h>
#     links against our import library and imports the undecorated names.
# Usage: check-i686-dll.sh <source-root> <work-dir>
set -euo pipefail
src=$1
work=$2
mkdir -p "$work"
fail=0

cmake -S "$src" -B "$work/dll" -DDBGWALK_TESTS=OFF -DDBGWALK_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-i686-w64-mingw32.cmake" >/dev/null
cmake --build "$work/dll" -j2 >/dev/null
dll=$work/dll/dbghelp.dll
implib=$work/dll/libdbghelp.dll.a
objdump=i686-w64-mingw32-objdump

dump=$($objdump -p "$dll")
symbols=$(i686-w64-mingw32-nm "$implib")
image_base=$(awk '/^ImageBase/{print $2}' <<<"$dump")
# "[   i] Name" lines of the name table, and "[   i] +base[ ...] RVA Export RVA"
# lines of the address table, both indexed from 0.
exports=$(sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' <<<"$dump" |
          sed -n 's/^[[:space:]]*\[ *\([0-9]*\)\] \(.*\)$/\1 \2/p')
addresses=$(sed -n '/Export Address Table --/,/^$/p' <<<"$dump" |
            sed -n 's/^[[:space:]]*\[ *\([0-9]*\)\] +base\[ *[0-9]*\] *\([0-9a-f]*\) Export RVA$/\1 \2/p')

# The whole disassembly once; each export's code starts at one of its lines.
disasm=$($objdump -d "$dll")
count=0

# "Name Bytes" or "Name Bytes stub": the third field does not matter here.
while read -r name bytes _; do
  case "$name" in ''|'#'*) continue ;; esac
  count=$((count + 1))
  index=$(awk -v n="$name" '$2 == n {print $1}' <<<"$exports")
  if [ -n "$index" ]; then
    echo "PASS: $name is exported undecorated"
  else
    echo "FAIL: $name is not exported"; fail=1
  fi
  if grep -q " __imp__${name}@${bytes}\$" <<<"$symbols"; then
    echo "PASS: import library resolves _${name}@${bytes}"
  else
    echo "FAIL: import library lacks __imp__${name}@${bytes}"; fail=1
  fi
  rva=$(awk -v i="$index" '$1 == i {print $2}' <<<"$addresses")
  if [ -z "$rva" ]; then
    echo "FAIL: no address for $name"; fail=1; continue
  fi
  start=$(printf '%x' $((0x$image_base + 0x$rva)))
  line=$(grep -n -m1 "^ *${start}:" <<<"$disasm" | cut -d: -f1 || true)
  if [ -z "$line" ]; then
    echo "FAIL: no instruction at $name's address 0x$start"; fail=1; continue
  fi
  first_ret=$(tail -n +"$line" <<<"$disasm" | grep -m1 -E '\sret\s*(\$0x[0-9a-f]+)?$' |
              sed 's/.*ret\s*//' || true)
  # No arguments: a plain `ret` (nothing to pop).
  if [ "$bytes" -eq 0 ]; then want=""; else want=$(printf '$0x%x' "$bytes"); fi
  if [ "$first_ret" = "$want" ]; then
    echo "PASS: $name returns with ret${want:+ $want} (__stdcall)"
  else
    echo "FAIL: $name's first return is 'ret${first_ret:+ $first_ret}', expected 'ret${want:+ $want}'"; fail=1
  fi
done <"$src/src/win/exports.txt"
echo "checked $count exports of src/win/exports.txt"
[ "$count" -gt 0 ] || { echo "FAIL: no exports read from src/win/exports.txt"; fail=1; }

# Our decorations against mingw-w64's own i686 import library: a program
# linked with either resolves the same _Name@N symbols.
mingw_lib=$(i686-w64-mingw32-gcc -print-file-name=libdbghelp.a)
if [ -f "$mingw_lib" ]; then
  theirs=$(i686-w64-mingw32-nm "$mingw_lib" | awk '$2 == "I" && $3 ~ /^__imp__/ {print $3}' | LC_ALL=C sort -u)
  ours=$(awk '$2 == "I" && $3 ~ /^__imp__/ {print $3}' <<<"$symbols" | LC_ALL=C sort -u)
  differ=$(LC_ALL=C comm -23 <(echo "$theirs") <(echo "$ours") | sed 's/^__imp__//' | tr '\n' ' ')
  if [ -z "$differ" ]; then
    echo "PASS: our import library has all $(wc -l <<<"$theirs") __imp__Name@N of mingw-w64's i686 libdbghelp.a"
  else
    echo "FAIL: mingw-w64's i686 libdbghelp.a has symbols ours lacks (name or @N differs): $differ"; fail=1
  fi
else
  echo "FAIL: i686-w64-mingw32-gcc has no libdbghelp.a"; fail=1
fi

cat >"$work/client.c" <<'C'
#include <windows.h>
#include <dbghelp.h>
static BOOL WINAPI read_memory(HANDLE p, DWORD64 a, PVOID b, DWORD n, LPDWORD got)
{
    (void)p; (void)a; (void)b; (void)n; *got = 0; return FALSE;
}
int main(void)
{
    STACKFRAME64 frame = {0};
    CONTEXT context = {0};
    return StackWalk64(IMAGE_FILE_MACHINE_I386, GetCurrentProcess(), GetCurrentThread(), &frame,
                       &context, read_memory, NULL, NULL, NULL) ? 0 : 1;
}
C
i686-w64-mingw32-gcc -Wall -Wextra -Werror -o "$work/client.exe" "$work/client.c" \
  -L"$work/dll" -ldbghelp.dll 2>"$work/client.log" || i686-w64-mingw32-gcc -Wall -Wextra -Werror \
  -o "$work/client.exe" "$work/client.c" "$implib"
client_imports=$($objdump -p "$work/client.exe")
if grep -A20 'DLL Name: dbghelp.dll' <<<"$client_imports" | grep -q ' StackWalk64$'; then
  echo "PASS: a mingw-w64 i686 client links against our import library and imports StackWalk64"
else
  echo "FAIL: the i686 client does not import StackWalk64 from dbghelp.dll"; fail=1
fi
exit $fail
