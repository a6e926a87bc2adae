#!/usr/bin/env bash
# Builds our x86_64 dbghelp.dll and wine_bench.exe, then runs the benchmark
# under Wine twice: with our DLL (WINEDLLOVERRIDES=dbghelp=n, the DLL next to
# the exe) and with Wine's builtin (dbghelp=b), and prints both and the ratios.
#
#   bash bench/run-wine-bench.sh <work-dir> [walks-ours [walks-builtin]]
#
# Defaults: 2000 walks with ours, 200 with the builtin (each of its frames
# costs about a millisecond under Wine; figures are per frame either way).
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

for tool in cmake x86_64-w64-mingw32-gcc wine; do
    command -v "$tool" >/dev/null || { echo "run-wine-bench: $tool not found" >&2; exit 2; }
done

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

echo "== building wine_bench.exe (mingw-w64's -ldbghelp import library)"
mkdir -p "$work/exe"
x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra -fno-optimize-sibling-calls \
    -o "$work/exe/wine_bench.exe" "$root/bench/wine_bench.c" -ldbghelp
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

run() { # $1 = label, $2 = override, $3 = directory, $4 = walks
    local out
    echo
    echo "== $1 (WINEDLLOVERRIDES=dbghelp=$2, $4 walks)"
    out=$(cd "$3" && WINEDLLOVERRIDES="dbghelp=$2" wine ./wine_bench.exe "$4" | tr -d '\r')
    echo "$out"
    echo "$out" | grep '^RESULT ' | tail -1 >"$work/result-$2.txt"
}

run "ours" n "$work/exe" "$walks_ours"
run "Wine builtin" b "$work/exe-builtin" "$walks_builtin"

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$work/result-$1.txt"; }
ours_ns=$(field n ns_per_frame); wine_ns=$(field b ns_per_frame)
ours_cb=$(field n callbacks_per_frame); wine_cb=$(field b callbacks_per_frame)
ours_by=$(field n bytes_per_frame); wine_by=$(field b bytes_per_frame)
ours_fr=$(field n frames); wine_fr=$(field b frames)
ours_own=$(field n dbghelp_own_ns_per_frame); wine_own=$(field b dbghelp_own_ns_per_frame)
if [ -z "$ours_ns" ] || [ -z "$wine_ns" ]; then
    echo "run-wine-bench: a run printed no RESULT line" >&2
    exit 1
fi

echo
echo "== summary (ours $walks_ours walks, builtin $walks_builtin walks)"
printf '%-14s %7s %12s %22s %20s %12s\n' "" "frames" "ns/frame" "ns/frame in dbghelp" "read callbacks/frame" "bytes/frame"
printf '%-14s %7s %12s %22s %20s %12s\n' "ours" "$ours_fr" "$ours_ns" "$ours_own" "$ours_cb" "$ours_by"
printf '%-14s %7s %12s %22s %20s %12s\n' "Wine builtin" "$wine_fr" "$wine_ns" "$wine_own" "$wine_cb" "$wine_by"
awk -v o="$ours_ns" -v w="$wine_ns" -v oc="$ours_cb" -v wc="$wine_cb" -v oo="$ours_own" -v wo="$wine_own" 'BEGIN {
    printf "speed: builtin ns/frame / ours = %.1fx (target >= 10x); excluding callback time: %.1fx\n", w / o, (oo > 0 ? wo / oo : 0)
    printf "read callbacks/frame: ours %.3f (target <= 1.0), builtin %.3f (%.1fx ours)\n", oc, wc, (oc > 0 ? wc / oc : 0)
}'
