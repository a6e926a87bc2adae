#!/usr/bin/env bash
# The DWARF benchmark: generates a large C++ program (make-big-cpp.py: FILES
# units, each including <windows.h>), builds it with mingw-w64 g++ -O1 -g
# -fno-eliminate-unused-debug-types (over 50 MB of DWARF at the defaults),
# prints the DWARF's size and runs dwarf_bench on it.
#
#   run-dwarf-bench.sh DWARF_BENCH WORK [FILES [FUNCS]]
#
# DWARF_BENCH "-" only builds WORK/big.exe (run-wine-symbench.sh uses it).
# DWARF_GFLAG=-gdwarf-4 builds DWARF 4 (which Wine's builtin reads) instead of
# g++'s default -g (DWARF 5).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DWARF_BENCH WORK [FILES [FUNCS]]" >&2; exit 2; }
bench=$1 work=$2 files=${3:-90} funcs=${4:-40}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
python3 "$here/make-big-cpp.py" "$work/src" "$files" "$funcs"
flags="-O1 ${DWARF_GFLAG:--g} -fno-eliminate-unused-debug-types"
if [ ! -f "$work/big.exe" ]; then
  ls "$work/src"/*.cpp | xargs -P2 -I{} sh -c \
    "x86_64-w64-mingw32-g++ $flags -c {} -o {}.o"
  x86_64-w64-mingw32-g++ "$work/src"/*.o -o "$work/big.exe"
fi
x86_64-w64-mingw32-objdump -h "$work/big.exe" | awk '$2 ~ /^\.debug/ {print $3}' |
  python3 -c "import sys; print('DWARF: %.1f MB' % (sum(int(x, 16) for x in sys.stdin) / 1e6))"
[ "$bench" = - ] || "$bench" "$work/big.exe"
