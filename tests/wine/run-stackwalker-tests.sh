#!/usr/bin/env bash
# The StackWalker library (tests/wine/stackwalker/, BSD) as a real client
# under Wine: swtest.exe prints its own call stack through StackWalker, once
# with our dbghelp.dll next to it (dbghelp=n) and once with Wine's builtin
# (dbghelp=b), for each build of the program named on the command line:
#
#   pdb      clang++ --target=x86_64-w64-mingw32 -g -gcodeview, a PDB by lld
#   dwarf4   x86_64-w64-mingw32-g++ -gdwarf-4
#   dwarf5   x86_64-w64-mingw32-g++ -g (DWARF 5, gcc 12's default)
#
#   run-stackwalker-tests.sh <source-root> <work-dir> VARIANT...
#
# For each: both DLLs give the same PCs and the same module names for the
# program's frames; ours names sw_level3, sw_level2, sw_level1 and main with
# swtest.cpp and the line of each call, as the source says (the oracle is the
# source: the line of each call is found by grep); and where the builtin
# names a frame, ours gives the same name and line.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 <source-root> <work-dir> pdb|dwarf4|dwarf5..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
shift 2
sw=$WINE_SRC/tests/wine/stackwalker
for tool in clang++ x86_64-w64-mingw32-g++; do
  command -v "$tool" >/dev/null 2>&1 || wine_die "'$tool' not found"
done
wine_build_dll
cp -f "$WINE_DLL" "$WINE_BIN/dbghelp.dll"

# StackWalker is MSVC-only code (its header is inside #if defined(_MSC_VER)):
# compile the MSVC code path, with __declspec(align) honoured (CONTEXT must be
# 16-byte aligned for RtlCaptureContext).
msvc_flags=(-D_MSC_VER=1930 -fms-extensions -DWIN32_LEAN_AND_MEAN -O1 -fno-inline-functions
            -I"$sw")
gcc_dir=$(dirname "$(x86_64-w64-mingw32-g++ -print-libgcc-file-name)")

build() { # variant -> $WINE_BIN/swtest-<variant>.exe
  local v=$1 exe=$WINE_BIN/swtest-$1.exe
  case $v in
    pdb)
      # clang finds mingw-w64's C headers but not libstdc++'s: name them.
      clang++ --target=x86_64-w64-mingw32 "${msvc_flags[@]}" -g -gcodeview \
        -isystem "$gcc_dir/include/c++" -isystem "$gcc_dir/include/c++/x86_64-w64-mingw32" \
        -fuse-ld=lld -L"$gcc_dir" -static -Wl,--pdb="$WINE_BIN/swtest-pdb.pdb" \
        -o "$exe" "$sw/swtest.cpp" "$sw/StackWalker.cpp" -lversion ;;
    dwarf4)
      x86_64-w64-mingw32-g++ "${msvc_flags[@]}" -gdwarf-4 -static \
        -o "$exe" "$sw/swtest.cpp" "$sw/StackWalker.cpp" -lversion ;;
    dwarf5)
      x86_64-w64-mingw32-g++ "${msvc_flags[@]}" -g -static \
        -o "$exe" "$sw/swtest.cpp" "$sw/StackWalker.cpp" -lversion ;;
    *) wine_die "unknown variant $v" ;;
  esac 2>"$WINE_WORK/build-$v.log" || { cat "$WINE_WORK/build-$v.log" >&2; wine_die "building swtest-$v.exe failed"; }
}

# The line of each call in swtest.cpp: the oracle for the frames' lines.
call_line() { grep -n "$1" "$sw/swtest.cpp" | head -n1 | cut -d: -f1; }
declare -A expect_line=(
  [sw_level3]=$(call_line 'walker->ShowCallstack()')
  [sw_level2]=$(call_line 'return sw_level3(')
  [sw_level1]=$(call_line 'return sw_level2(')
  [main]=$(call_line 'sw_level1(1)')
)

wine_prefix
for v in "$@"; do
  build "$v"
  echo "==== swtest-$v.exe"
  for dll in n b; do
    log=$WINE_WORK/swtest-$v.$dll.log
    rc=0
    wine_run "$log" "$dll" "swtest-$v.exe" || rc=$?
    sed -i 's/\r$//' "$log"
    echo "---- dbghelp=$dll (exit status $rc)"
    grep -v '^FRAME' "$log" | grep -v '^OS-Version\|^SymInit\|(result: 0)\|^ERROR: Sym' | sed 's/^/    /' || true
    [ "$rc" -eq 0 ] && grep -q '^RESULT 11$' "$log" ||
      wine_fail "swtest-$v.exe (dbghelp=$dll) did not run to its end (status $rc)"
    # the program's own frames: PC, module, name, file, line
    awk -F'\t' '$1 == "FRAME" && $3 ~ /^swtest/ { print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' \
      "$log" >"$log.frames"
  done
  ours=$WINE_WORK/swtest-$v.n.log.frames builtin=$WINE_WORK/swtest-$v.b.log.frames
  if [ -s "$ours" ] && cmp -s <(cut -f1 "$ours") <(cut -f1 "$builtin"); then
    wine_pass "swtest-$v.exe: the same $(wc -l <"$ours") PCs in swtest as Wine's builtin"
  else
    wine_fail "swtest-$v.exe: our PCs in swtest differ from Wine's builtin:" \
              "$(cut -f1 "$ours" | tr '\n' ' ') vs $(cut -f1 "$builtin" | tr '\n' ' ')"
  fi
  if cmp -s <(cut -f2 "$ours") <(cut -f2 "$builtin"); then
    wine_pass "swtest-$v.exe: module names as Wine's builtin ($(head -n1 "$ours" | cut -f2))"
  else
    wine_fail "swtest-$v.exe: module names differ: ours $(cut -f2 "$ours" | sort -u | tr '\n' ' ')," \
              "builtin $(cut -f2 "$builtin" | sort -u | tr '\n' ' ')"
  fi
  for fn in sw_level3 sw_level2 sw_level1 main; do
    got=$(awk -F'\t' -v f="$fn" '$3 == f { n = split($4, p, /[\\\/]/); print p[n] ":" $5; exit }' "$ours")
    if [ "$got" = "swtest.cpp:${expect_line[$fn]}" ]; then
      wine_pass "swtest-$v.exe: ours names $fn at swtest.cpp:${expect_line[$fn]}"
    else
      wine_fail "swtest-$v.exe: ours gives '${got:-no frame named $fn}' for $fn, want swtest.cpp:${expect_line[$fn]}"
    fi
  done
  # where the builtin answers, ours answers the same
  differ=$(paste "$ours" "$builtin" | awk -F'\t' '
    $8 != "-" && ($3 != $8 || $10 != $5) { print $1 ": ours " $3 ":" $5 ", builtin " $8 ":" $10 }')
  if [ -z "$differ" ]; then
    wine_pass "swtest-$v.exe: every name and line the builtin gives, ours gives too" \
              "(builtin named $(awk -F'\t' '$3 != "-"' "$builtin" | wc -l) of $(wc -l <"$builtin") frames)"
  else
    wine_fail "swtest-$v.exe: where the builtin answers, ours differs: $differ"
  fi
done
wine_verdict wine_stackwalker
