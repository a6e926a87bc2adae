#!/usr/bin/env bash
# Builds our x86_64 dbghelp.dll and wine_bench.exe, then runs the benchmark
# under Wine twice: with our DLL (WINEDLLOVERRIDES=dbghelp=n, the DLL next to
# the exe) and with Wine's builtin (dbghelp=b). Each run walks with every
# routine set of wine_bench.c (memcpy read + own Rtl routines, memcpy + Sym
# routines, NULL + NULL, ReadProcessMemory + Rtl, a 1 us read + Sym routines,
# memcpy + Sym routines with 1000 more modules); the summary prints one row
# per routine set, both DLLs side by side, and the ratios.
#
#   bash bench/run-wine-bench.sh <work-dir> [walks-ours [walks-builtin [slow-ours [slow-builtin]]]]
#
# Defaults: 2000 walks with ours, 200 with the builtin, a tenth of that
# (at least 5) for the ReadProcessMemory/NULL sets unless given (each of the
# builtin's frames costs milliseconds there; figures are per frame either
# way). GetThreadTimes counts in scheduler ticks under Wine: give each run
# enough walks for at least a second of CPU, e.g. 20000 5000 1000 20.
# DBGWALK_WIN64_DLL=path reuses a built dbghelp.dll.
#
# <work-dir>/dll          the CMake build of dbghelp.dll (Release, mingw-w64)
# <work-dir>/exe          wine_bench.exe + our dbghelp.dll (run with dbghelp=n)
# <work-dir>/exe-builtin  wine_bench.exe alone (run with dbghelp=b)
# <work-dir>/prefix       a private WINEPREFIX (created once with wineboot -i)
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 <work-dir> [walks-ours [walks-builtin]]" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
work=$(cd "$1" && pwd)
walks_ours=${2:-2000}
walks_builtin=${3:-200}
slow() { awk -v w="$1" 'BEGIN { s = int(w / 10); print (s < 5 ? 5 : s) }'; }
slow_ours=${4:-$(slow "$walks_ours")}
slow_builtin=${5:-$(slow "$walks_builtin")}

for tool in cmake x86_64-w64-mingw32-gcc wine; do
    command -v "$tool" >/dev/null || { echo "run-wine-bench: $tool not found" >&2; exit 2; }
done

if [ -n "${DBGWALK_WIN64_DLL:-}" ]; then
    mkdir -p "$work/dll"
    cp "$DBGWALK_WIN64_DLL" "$work/dll/dbghelp.dll"
else
    echo "== building dbghelp.dll (x86_64, Release) in $work/dll"
    # Warnings are not errors here: a benchmark build should not fail on a new
    # compiler's -Wmaybe-uninitialized at -O2.
    log="$work/dll-build.log"
    if ! { cmake -S "$root" -B "$work/dll" -DCMAKE_BUILD_TYPE=Release -DDBGWALK_TESTS=OFF \
                 \
                 -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-x86_64-w64-mingw32.cmake" &&
           cmake --build "$work/dll" --target dbghelp -j2; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "run-wine-bench: building dbghelp.dll failed" >&2
        exit 1
    fi
    if grep -q 'warning:' "$log"; then
        echo "   (compiler warnings: see $log)"
    fi
fi

echo "== building wine_bench.exe (mingw-w64's -ldbghelp import library)"
mkdir -p "$work/exe"
x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra -fno-optimize-sibling-calls \
    -o "$work/exe/wine_bench.exe" "$root/bench/wine_bench.c" -ldbghelp -lpsapi
cp "$work/dll/dbghelp.dll" "$work/exe/dbghelp.dll"
mkdir -p "$work/exe-builtin"
cp "$work/exe/wine_bench.exe" "$work/exe-builtin/wine_bench.exe"
rm -f "$work/exe-builtin/dbghelp.dll"

export WINEPREFIX="$work/prefix"
export WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "== creating the Wine prefix $WINEPREFIX (once)"
    WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i >/dev/null 2>&1 || wine wineboot -i >/dev/null 2>&1
    wineserver -w || true
fi

run() { # $1 = label, $2 = override, $3 = directory, $4 = walks, $5 = slow walks
    local out
    echo
    echo "== $1 (WINEDLLOVERRIDES=dbghelp=$2, $4 walks, $5 for the ReadProcessMemory/NULL sets)"
    out=$(cd "$3" && WINEDLLOVERRIDES="dbghelp=$2" wine ./wine_bench.exe "$4" "$5" | tr -d '\r')
    echo "$out"
    echo "$out" | grep '^RESULT ' >"$work/result-$2.txt" || true
}

run "ours" n "$work/exe" "$walks_ours" "$slow_ours"
run "Wine builtin" b "$work/exe-builtin" "$walks_builtin" "$slow_builtin"

# field FILE SET NAME
field() { sed -n "s/^RESULT set=$2 .* $3=\([^ ]*\).*/\1/p" "$1" | tail -1; }
echo
echo "== summary: ns per frame of a 37-frame self-walk, one row per routine set"
echo "   (wall = QueryPerformanceCounter; CPU = the thread's own CPU time, which excludes"
echo "   wineserver's work for ReadProcessMemory; cb = read callbacks per frame)"
printf '%-16s %12s %12s %8s %12s %12s %8s %10s %10s\n' "routine set" "ours wall" "ours CPU" "ours cb" \
    "builtin wall" "builtin CPU" "blt cb" "wall x" "CPU x"
for set in memcpy-rtl memcpy-sym null-null rpm-rtl slow-sym memcpy-sym-1000; do
    o_ns=$(field "$work/result-n.txt" $set ns_per_frame)
    b_ns=$(field "$work/result-b.txt" $set ns_per_frame)
    [ -n "$o_ns" ] && [ -n "$b_ns" ] || { echo "$set: a run printed no RESULT line" >&2; continue; }
    o_cpu=$(field "$work/result-n.txt" $set cpu_ns_per_frame)
    b_cpu=$(field "$work/result-b.txt" $set cpu_ns_per_frame)
    o_cb=$(field "$work/result-n.txt" $set callbacks_per_frame)
    b_cb=$(field "$work/result-b.txt" $set callbacks_per_frame)
    awk -v s="$set" -v on="$o_ns" -v oc="$o_cpu" -v ocb="$o_cb" -v bn="$b_ns" -v bc="$b_cpu" \
        -v bcb="$b_cb" 'BEGIN {
        printf "%-16s %12.1f %12.1f %8s %12.1f %12.1f %8s %9.1fx %9.1fx\n", s, on, oc,
            (ocb ~ /^-/ ? "n/a" : ocb), bn, bc, (bcb ~ /^-/ ? "n/a" : bcb), bn / on,
            (oc > 0 ? bc / oc : 0) }'
done
echo "(x = builtin / ours: above 1 means ours is faster; CPU times come from GetThreadTimes,"
echo " whose granularity under Wine is coarse: use enough walks)"
