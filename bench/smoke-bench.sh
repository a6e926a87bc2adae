#!/usr/bin/env bash
# A smoke run of the benchmarks with tiny sizes, so they do not rot: it
# asserts that they build and answer, never anything about time.
#   native_symbench on a small clang/lld-link image with its PDB (every
#     lookup must run; some must be answered with a name and a line);
#   dwarf_bench on a 1-unit mingw-w64 g++ -g image;
#   wine_bench.c and wine_symbench.c compiled with mingw-w64 (not run).
# A missing tool skips that part; all missing prints SKIPPED.
#
#   smoke-bench.sh NATIVE_SYMBENCH DWARF_BENCH WORK
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 NATIVE_SYMBENCH DWARF_BENCH WORK" >&2; exit 2; }
symbench=$1 dwarfbench=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
ran=0

if command -v clang >/dev/null && command -v lld-link >/dev/null; then
    rm -rf "$work/pdb"
    bash "$here/build-big-pdb.sh" "$work/pdb" 2 30
    out=$("$symbench" "$work/pdb/bigpdb.dll" 2000)
    echo "$out"
    result=$(echo "$out" | grep '^RESULT ')
    sym_hits=$(echo "$result" | sed -n 's/.* sym_hits=\([0-9]*\).*/\1/p')
    line_hits=$(echo "$result" | sed -n 's/.* line_hits=\([0-9]*\).*/\1/p')
    if [ "${sym_hits:-0}" -eq 0 ] || [ "${line_hits:-0}" -eq 0 ]; then
        echo "FAIL: native_symbench answered no symbol or no line on the small PDB image"
        exit 1
    fi
    echo "$out" | grep -q '^first SymFromAddr(0x[0-9a-f]*): u[0-9]*_f[0-9]*+0x' ||
        { echo "FAIL: the first SymFromAddr named no generated function"; exit 1; }
    ran=1
else
    echo "(clang or lld-link missing: native_symbench not run)"
fi

if command -v x86_64-w64-mingw32-g++ >/dev/null; then
    bash "$here/run-dwarf-bench.sh" "$dwarfbench" "$work/dwarf" 1 5
    for src in wine_bench.c wine_symbench.c; do
        x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -fno-optimize-sibling-calls \
            -o "$work/${src%.c}.exe" "$here/$src" -ldbghelp -lpsapi
    done
    ran=1
else
    echo "(mingw-w64 missing: dwarf_bench and the Wine benchmarks' build not run)"
fi
[ $ran = 1 ] || { echo "SKIPPED: clang/lld-link and mingw-w64 missing"; exit 0; }
echo "bench smoke: OK"
