#!/bin/bash
# The line functions (issue 10, part 3) through the public API: the tests/pdb
# programs built by clang + lld-link /debug (x64 and x86, -O0 and -O2), and
# tests/dwarf's C program built by mingw-w64 gcc (DWARF; skipped without it).
# SymEnumLines must give the (address, line, file) entries of llvm-pdbutil's
# `dump -l` (llvm-dwarfdump --debug-line), SymEnumSourceFiles its files once
# each, SymGetLineNext64/Prev64 (and the W forms) from each entry the next and
# previous entry of its file in address order, SymGetLineFromName64 of each
# entry's file and line an address of that line. lines_check.py reads the
# oracles' output; our reader is not involved in it.
# Usage: run-lines-tests.sh LINES_QUERY SRCDIR WORKDIR
set -u
query=$1 src=$2 work=$3
fail=0 ran=0
check=$src/lines_check.py

run_case() { # name image base oracle-args...
  local name=$1 image=$2 base=$3 dir
  shift 3
  dir=$(dirname "$image")
  python3 "$check" oracle "$@" "$dir/files" > "$dir/entries" || { fail=1; return; }
  "$query" enum "$image" "$base" > "$dir/enum" || { echo "FAIL: $name: lines_query enum"; fail=1; return; }
  cut -f2 "$dir/entries" | "$query" step "$image" "$base" > "$dir/step" ||
    { echo "FAIL: $name: lines_query step"; fail=1; return; }
  if python3 "$check" check "$dir/entries" "$dir/files" "$dir/enum" "$dir/step" > "$dir/result"; then
    echo "ok: $name: $(tail -1 "$dir/result")"
  else
    echo "FAIL: $name"
    cat "$dir/result"
    fail=1
  fi
  ran=$((ran + 1))
}

for arch in x86_64 i686; do
  for opt in O0 O2; do
    dir=$work/pdb-$arch-$opt
    mkdir -p "$dir"
    for f in main shapes; do
      clang --target=$arch-pc-windows-msvc -$opt -g -gcodeview -fno-stack-protector \
        -c "$src/programs/$f.c" -o "$dir/$f.obj" || exit 1
    done
    lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
      /out:"$dir/prog.exe" /pdb:"$dir/prog.pdb" "$dir/main.obj" "$dir/shapes.obj" || exit 1
    base=0x140000000
    [ "$arch" = i686 ] && base=0x400000
    llvm-pdbutil dump -l "$dir/prog.pdb" > "$dir/pdbutil-lines" || exit 1
    llvm-pdbutil dump -section-headers "$dir/prog.pdb" > "$dir/pdbutil-sections" || exit 1
    llvm-pdbutil dump -files "$dir/prog.pdb" > "$dir/pdbutil-files" || exit 1
    run_case "pdb $arch -$opt" "$dir/prog.exe" $base pdb "$dir/pdbutil-lines" \
      "$dir/pdbutil-sections" "$dir/pdbutil-files" $base
  done
done

if command -v x86_64-w64-mingw32-gcc > /dev/null && command -v llvm-readobj > /dev/null; then
  for opt in O0 O2; do
    dir=$work/dwarf-x86_64-$opt
    mkdir -p "$dir"
    x86_64-w64-mingw32-gcc -$opt -g "$src/../dwarf/programs/main.c" \
      "$src/../dwarf/programs/util.c" -o "$dir/prog.exe" || exit 1
    base=$(llvm-readobj --file-headers "$dir/prog.exe" | awk '/ImageBase:/ { print $2 }')
    llvm-dwarfdump --debug-line "$dir/prog.exe" > "$dir/dwarfdump-lines" || exit 1
    run_case "dwarf x86_64 -$opt" "$dir/prog.exe" "$base" dwarf "$dir/dwarfdump-lines" "$base"
  done
else
  echo "skipped: DWARF cases (x86_64-w64-mingw32-gcc or llvm-readobj missing)"
fi
[ $ran = 0 ] && echo "SKIPPED: all"
exit $fail
