#!/usr/bin/env bash
# Symbol lookups under Wine, ours against Wine's builtin, on the same images in
# the same session: wine_symbench.exe loads a large image through
# SymLoadModuleEx and times the index (SymLoadModuleEx + first SymFromAddr),
# then LOOKUPS SymFromAddr and SymGetLineFromAddr64 at random addresses in its
# code. Images (IMAGES: a comma-separated list, default pdb,dwarf,dwarf4):
#   pdb     build-big-pdb.sh's clang/lld-link DLL with a PDB of over 10 MB
#   dwarf   run-dwarf-bench.sh's mingw-w64 g++ -g image (DWARF 5, which Wine's
#           builtin does not read; DWARF_FILES units, default 90: ~60 MB)
#   dwarf4  the same program built with -gdwarf-4 (DWARF4_FILES units,
#           default 12), so the builtin has something to answer from
#
#   bash bench/run-wine-symbench.sh WORK [LOOKUPS [IMAGES]]
#
# DBGWALK_WIN64_DLL=path reuses a built dbghelp.dll (else a Release one is
# built in WORK/dll). DWARF_FILES / DWARF_FUNCS size the DWARF program
# (defaults 90 / 40). Prints figures; asserts nothing about time.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 WORK [LOOKUPS [pdb|dwarf|both]]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
work=$(cd "$1" && pwd)
lookups=${2:-100000}
which_images=${3:-pdb,dwarf,dwarf4}
for tool in cmake x86_64-w64-mingw32-gcc wine; do
    command -v "$tool" >/dev/null || { echo "run-wine-symbench: $tool not found" >&2; exit 2; }
done

dll=${DBGWALK_WIN64_DLL:-}
if [ -z "$dll" ]; then
    echo "== building dbghelp.dll (x86_64, Release) in $work/dll"
    if ! { cmake -S "$root" -B "$work/dll" -DCMAKE_BUILD_TYPE=Release -DDBGWALK_TESTS=OFF \
               -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-x86_64-w64-mingw32.cmake" &&
           cmake --build "$work/dll" --target dbghelp -j2; } >"$work/dll-build.log" 2>&1; then
        cat "$work/dll-build.log" >&2
        exit 1
    fi
    dll=$work/dll/dbghelp.dll
fi

mkdir -p "$work/ours" "$work/builtin"
x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra \
    -o "$work/ours/wine_symbench.exe" "$root/bench/wine_symbench.c" -ldbghelp
cp "$dll" "$work/ours/dbghelp.dll"
cp "$work/ours/wine_symbench.exe" "$work/builtin/wine_symbench.exe"
rm -f "$work/builtin/dbghelp.dll"

images=()
which_images=",$which_images,"
if [[ $which_images == *,pdb,* ]]; then
    echo "== the PDB image (build-big-pdb.sh, kept in $work/pdb)"
    bash "$root/bench/build-big-pdb.sh" "$work/pdb"
    images+=("pdb:$work/pdb/bigpdb.dll")
fi
if [[ $which_images == *,dwarf,* ]]; then
    echo "== the DWARF 5 image (run-dwarf-bench.sh, kept in $work/dwarf)"
    bash "$root/bench/run-dwarf-bench.sh" - "$work/dwarf" "${DWARF_FILES:-90}" "${DWARF_FUNCS:-40}"
    images+=("dwarf:$work/dwarf/big.exe")
fi
if [[ $which_images == *,dwarf4,* ]]; then
    echo "== the DWARF 4 image (run-dwarf-bench.sh -gdwarf-4, kept in $work/dwarf4)"
    DWARF_GFLAG=-gdwarf-4 bash "$root/bench/run-dwarf-bench.sh" - "$work/dwarf4" \
        "${DWARF4_FILES:-12}" "${DWARF_FUNCS:-40}"
    images+=("dwarf4:$work/dwarf4/big.exe")
fi

export WINEPREFIX="$work/prefix"
export WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "== creating the Wine prefix $WINEPREFIX (once)"
    WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i >/dev/null 2>&1 || true
    wineserver -w || true
fi

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; }
summary=()
for entry in "${images[@]}"; do
    kind=${entry%%:*} image=${entry#*:}
    winimage="Z:${image//\//\\}"
    for side in n:ours b:builtin; do
        override=${side%%:*} dir=${side#*:}
        echo
        echo "== $kind image, $dir (WINEDLLOVERRIDES=dbghelp=$override, $lookups lookups)"
        (cd "$work/$dir" && WINEDLLOVERRIDES="dbghelp=$override" \
            wine ./wine_symbench.exe "$winimage" "$lookups" | tr -d '\r') | tee "$work/$kind-$dir.out"
        grep '^RESULT ' "$work/$kind-$dir.out" | tail -1 >"$work/$kind-$dir.result" || true
    done
    summary+=("$kind")
done

echo
echo "== summary ($lookups random addresses in each image's code, the same for both DLLs;"
echo "   CPU = this thread's CPU time (GetThreadTimes), wall = QueryPerformanceCounter;"
echo "   the lookups include indexing each unit the first time an address falls in it)"
printf '%-7s %-8s %14s %14s %14s %14s %9s %14s %9s %9s\n' image dll "index CPU ms" "index wall ms" \
    "SymFromAddr" "(wall)" answered "GetLine" answered "again"
printf '%-7s %-8s %14s %14s %14s %14s %9s %14s %9s %9s\n' "" "" "" "" "CPU ns" "ns" "" "CPU ns" "" "CPU ns"
for kind in "${summary[@]}"; do
    for dir in ours builtin; do
        r=$work/$kind-$dir.result
        if [ ! -s "$r" ]; then
            printf '%-7s %-8s (no RESULT line: see %s)\n' "$kind" "$dir" "$work/$kind-$dir.out"
            continue
        fi
        printf '%-7s %-8s %14s %14s %14s %14s %9s %14s %9s %9s\n' "$kind" "$dir" \
            "$(field "$r" index_cpu_ms)" \
            "$(awk -v a="$(field "$r" load_ms)" -v b="$(field "$r" first_sym_ms)" 'BEGIN { printf "%.1f", a + b }')" \
            "$(field "$r" sym_cpu_ns)" "$(field "$r" sym_ns)" "$(field "$r" sym_hits)" \
            "$(field "$r" line_cpu_ns)" "$(field "$r" line_hits)" "$(field "$r" sym_warm_cpu_ns)"
    done
    o=$work/$kind-ours.result b=$work/$kind-builtin.result
    if [ -s "$o" ] && [ -s "$b" ]; then
        awk -v os="$(field "$o" sym_cpu_ns)" -v bs="$(field "$b" sym_cpu_ns)" \
            -v ol="$(field "$o" line_cpu_ns)" -v bl="$(field "$b" line_cpu_ns)" \
            -v ow="$(field "$o" sym_warm_cpu_ns)" -v bw="$(field "$b" sym_warm_cpu_ns)" \
            -v oi="$(field "$o" index_cpu_ms)" -v bi="$(field "$b" index_cpu_ms)" -v k="$kind" '
            function r(b, o) { return o > 0 ? sprintf("%.1fx", b / o) : "n/a (ours 0: below the timer)" }
            BEGIN {
            printf "%s (CPU time, builtin / ours): SymFromAddr %s (again: %s), SymGetLineFromAddr64 %s, index %s\n",
                k, r(bs, os), r(bw, ow), r(bl, ol), r(bi, oi) }'
    fi
done
