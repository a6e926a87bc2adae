#!/usr/bin/env bash
# The PDB reader against independent oracles:
#   1. programs/ built by clang (x86_64 and i686 MSVC targets, -O0 and -O2,
#      CodeView) and lld-link /debug; at every instruction of .text, our
#      reader's names, files, lines and inline chains (pdb_query) equal
#      llvm-symbolizer --inlines;
#   2. ../shared/corpus/images/crash.pdb (when present): a static procedure
#      is named by its procedure record, main's line, frame data;
#   3. malformed PDBs (pdb_mutate): every mutation opens or fails cleanly.
#
#   run-pdb-tests.sh <pdb_query> <pdb_mutate> <source-dir> <work-dir> [corpus-dir]
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 QUERY MUTATE SOURCE WORK [CORPUS]" >&2; exit 2; }
query=$1 mutate=$2 src=$3 work=$4 corpus=${5:-}
mkdir -p "$work"
failures=0 passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for arch in x86_64 i686; do
  for opt in O0 O2; do
    name=$arch-$opt dir=$work/$name
    mkdir -p "$dir"
    objs=()
    for f in main shapes; do
      clang --target=$arch-pc-windows-msvc -$opt -g -gcodeview -fno-stack-protector \
        -c "$src/programs/$f.c" -o "$dir/$f.obj"
      objs+=("$dir/$f.obj")
    done
    lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
      /out:"$dir/prog.exe" /pdb:"$dir/prog.pdb" "${objs[@]}"
    base=0x140000000
    [ "$arch" = i686 ] && base=0x400000
    llvm-objdump -d --no-show-raw-insn "$dir/prog.exe" |
      grep -oE '^ *[0-9a-f]+:' | tr -d ' :' | sed 's/^/0x/' > "$dir/addresses"
    "$query" "$dir/prog.pdb" "$base" < "$dir/addresses" > "$dir/ours"
    llvm-symbolizer --obj="$dir/prog.exe" --inlines < "$dir/addresses" > "$dir/theirs"
    if [ "$arch" = i686 ]; then
      # our reader reports publics as recorded (_f); DbgHelp's SYMOPT_UNDNAME
      # and llvm-symbolizer show C names undecorated
      sed -i -E 's/^_([A-Za-z][A-Za-z0-9_]*)$/\1/' "$dir/ours"
    fi
    if result=$(python3 "$src/compare.py" "$dir/addresses" "$dir/ours" "$dir/theirs"); then
      pass "$name: every instruction: $result"
    else
      fail "$name: differs from llvm-symbolizer: $result"
    fi
  done
done

# crash.pdb, the real MSVC PDB of the shared corpus
pdb=${corpus:+$corpus/images/crash.pdb}
if [ -n "$pdb" ] && [ -f "$pdb" ]; then
  out=$(printf '0x2a3d\n0x2d97\n' | "$query" "$pdb" 0)
  echo "$out" | sed 's/^/  crash.pdb: /'
  if echo "$out" | grep -qx 'main' && echo "$out" | grep -q 'main.cpp:35:0'; then
    pass "crash.pdb: rva 0x2a3d is main at main.cpp:35"
  else
    fail "crash.pdb: rva 0x2a3d is not main at main.cpp:35"
  fi
  if echo "$out" | grep -qx '__scrt_common_main_seh'; then
    pass "crash.pdb: rva 0x2d97 is the static procedure __scrt_common_main_seh"
  else
    fail "crash.pdb: rva 0x2d97 not named __scrt_common_main_seh"
  fi
  frame=$("$query" --frame "$pdb" 0x2a3d)
  echo "  $frame"
  if echo "$frame" | grep -q 'program "'; then
    pass "crash.pdb: FrameData covers main"
  else
    fail "crash.pdb: no FrameData for main"
  fi
  summary=$("$query" --summary "$pdb")
  if echo "$summary" | grep -q 'guid 3249d99d'; then
    pass "crash.pdb: identity ($summary)"
  else
    fail "crash.pdb: identity wrong ($summary)"
  fi
else
  echo "SKIPPED: crash.pdb (../shared/corpus absent)"
fi

# malformed PDBs: mutations of a real one
if "$mutate" "$work/x86_64-O2/prog.pdb" 3000; then
  pass "3000 mutated PDBs opened or refused cleanly"
else
  fail "mutated PDBs"
fi

echo "pdb: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
