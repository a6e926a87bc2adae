#!/bin/bash
# The symbol API over PDBs (issue 10, part 3): the tests/pdb programs built by
# clang + lld-link /debug (x64 and x86, -O0 and -O2) and loaded through
# SymInitialize/SymLoadModuleEx (the PDB found from the image's CodeView
# record); at every instruction, SymFromAddr's function and
# SymGetLineFromAddr64's file:line must equal llvm-symbolizer's physical
# (--no-inlines) answer. Oracle: llvm-symbolizer, independent of our reader.
# Usage: run-symapi-tests.sh SYMAPI_QUERY SRCDIR WORKDIR
set -u
query=$1 src=$2 work=$3
fail=0
# Every case is held, x86_64 -O2 too: there clang's line table says nothing
# for code inlined into shape_area, and SymGetLineFromAddr64 answers the
# outermost inline site's call line (shapes.c:18), as llvm-symbolizer does.
for arch in x86_64 i686; do
  for opt in O0 O2; do
    strict=1
    dir=$work/symapi-$arch-$opt
    mkdir -p "$dir"
    for f in main shapes; do
      clang --target=$arch-pc-windows-msvc -$opt -g -gcodeview -fno-stack-protector \
        -c "$src/programs/$f.c" -o "$dir/$f.obj" || exit 1
    done
    lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
      /out:"$dir/prog.exe" /pdb:"$dir/prog.pdb" "$dir/main.obj" "$dir/shapes.obj" || exit 1
    base=0x140000000
    [ "$arch" = i686 ] && base=0x400000
    llvm-objdump -d --no-show-raw-insn "$dir/prog.exe" |
      grep -oE '^ *[0-9a-f]+:' | tr -d ' :' > "$dir/addresses"
    "$query" "$dir/prog.exe" "$base" < "$dir/addresses" |
      sed -E 's/^(0x[0-9a-f]+) ([^+ ]+)(\+0x[0-9a-f]+)? /\1 \2 /' > "$dir/ours" || exit 1
    sed 's/^/0x/' "$dir/addresses" |
      llvm-symbolizer --obj="$dir/prog.exe" --no-inlines --print-address --output-style=LLVM |
      awk 'BEGIN { RS = ""; FS = "\n" }
           { n = split($3, p, ":"); file = p[1]; for (i = 2; i < n - 1; i++) file = file ":" p[i];
             line = p[n - 1];
             loc = (file == "??" || line == 0) ? "?" : file ":" line;
             print $1, ($2 == "??" ? "?" : $2), loc }' > "$dir/oracle"
    if ! diff -q "$dir/oracle" "$dir/ours" > /dev/null; then
      echo "FAIL: $arch -$opt: SymFromAddr/SymGetLineFromAddr64 differ from llvm-symbolizer"
      diff "$dir/oracle" "$dir/ours" | head -20
      [ $strict = 1 ] && fail=1
    else
      echo "ok: $arch -$opt: $(wc -l < "$dir/ours") addresses agree"
    fi
  done
done
exit $fail
