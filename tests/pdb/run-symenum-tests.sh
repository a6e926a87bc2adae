#!/bin/bash
# SymEnumSymbols and SymFromName (issue 10, part 3) through libdbghelp.so:
#   1. the tests/pdb programs built by clang + lld-link /debug (x64, x86):
#      every procedure llvm-pdbutil dump -symbols lists is enumerated by
#      SymEnumSymbols(base, "*") at its address, every public's address is
#      enumerated, and SymFromName of each procedure answers its address;
#   2. the tests/dwarf C programs built by mingw-w64 gcc -g (x64, x86): the
#      same against the subprograms llvm-dwarfdump lists (name, low_pc).
# A name no oracle knows must not be found. Oracles: llvm-pdbutil,
# llvm-dwarfdump; never our reader.
# Usage: run-symenum-tests.sh SYMENUM_QUERY SRCDIR WORKDIR
set -u
# mawk has no strtonum
hexfn='function hex(s, v, i) { s = tolower(s); sub(/^0x/, "", s); v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
  function tohex(v, s, d) { s = ""; do { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s; v = (v - d) / 16 } while (v > 0); return "0x" s }'
query=$1 src=$2 work=$3
fail=0 ran=0
mkdir -p "$work"

# check DIR LABEL: DIR/procs ("NAME ADDR [LINKAGE-NAME]" lines: the
# enumerated name may be either, as llvm-symbolizer shows the linkage name), DIR/public_addrs, DIR/ours
check() {
  local dir=$1 label=$2 missing
  if [ ! -s "$dir/procs" ]; then
    echo "FAIL: $label: the oracle lists no procedure"; fail=1; return
  fi
  missing=$(awk 'NR == FNR { if ($1 == "E") have[$2 " " $3] = 1; next }
                 !(($2 " " $1) in have) && !(NF > 2 && ($2 " " $3) in have) {
                   print "  not enumerated:", $1, $2 }' \
            "$dir/ours" "$dir/procs")
  missing+=$(awk 'NR == FNR { if ($1 == "E") have[$2] = 1; next }
                  !($1 in have) { print "  no symbol at public address", $1 }' \
             "$dir/ours" "$dir/public_addrs")
  missing+=$(awk 'NR == FNR { want[$1] = want[$1] " " $2 " "; next }
                  $1 == "N" && $2 in want && index(want[$2], " " $3 " ") == 0 {
                    print "  SymFromName", $2, "=", $3, "oracle:", want[$2] }
                  $1 == "N" && !($2 in want) && $3 != "?" { print "  SymFromName found", $2, $3 }' \
             "$dir/procs" "$dir/ours")
  if [ -n "$missing" ]; then
    echo "FAIL: $label"; echo "$missing" | head -20; fail=1
  else
    echo "ok: $label: $(wc -l < "$dir/procs") procedures, $(wc -l < "$dir/public_addrs") publics," \
         "$(grep -c '^E ' "$dir/ours") enumerated"
  fi
}

names() { awk '{ print $1 }' "$1/procs" | sort -u; echo "dbgwalk_no_such_symbol"; }

for arch in x86_64 i686; do
  dir=$work/pdb-$arch
  mkdir -p "$dir"
  for f in main shapes; do
    clang --target=$arch-pc-windows-msvc -O0 -g -gcodeview -fno-stack-protector \
      -c "$src/programs/$f.c" -o "$dir/$f.obj" || exit 1
  done
  lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
    /out:"$dir/prog.exe" /pdb:"$dir/prog.pdb" "$dir/main.obj" "$dir/shapes.obj" || exit 1
  base=0x140000000
  [ $arch = i686 ] && base=0x400000
  llvm-pdbutil dump -section-headers "$dir/prog.pdb" |
    awk '/SECTION HEADER #/ { n = substr($3, 2) } / virtual address$/ { print n, $1 }' > "$dir/sections"
  # addr = SSSS:OOOO (section number, decimal offset) -> base + section RVA + offset
  to_va="$hexfn"'
         NR == FNR { rva[$1 + 0] = hex($2); next }
         function va(a, p) { split(a, p, ":"); return tohex(base + rva[p[1] + 0] + p[2]) }'
  llvm-pdbutil dump -symbols "$dir/prog.pdb" |
    awk -v base=$((base)) "$to_va"'
         /S_[GL]PROC32(_ID)? / { match($0, /`[^`]*`/); name = substr($0, RSTART + 1, RLENGTH - 2); next }
         name != "" && /addr = / { match($0, /addr = [0-9]+:[0-9]+/); print name, va(substr($0, RSTART + 7, RLENGTH - 7)); name = "" }' \
      "$dir/sections" - | sort -u > "$dir/procs"
  llvm-pdbutil dump -publics "$dir/prog.pdb" |
    awk -v base=$((base)) "$to_va"'
         /S_PUB32 / { pub = 1; next }
         pub && /addr = / { match($0, /addr = [0-9]+:[0-9]+/); print va(substr($0, RSTART + 7, RLENGTH - 7)); pub = 0 }' \
      "$dir/sections" - | sort -u > "$dir/public_addrs"
  names "$dir" | "$query" "$dir/prog.exe" $base > "$dir/ours" || { echo "FAIL: $arch pdb: query failed"; fail=1; continue; }
  ran=1
  check "$dir" "$arch clang+lld-link PDB"
  if [ $arch = i686 ]; then # the 32-bit forms, for an image below 4 GiB
    mkdir -p "$dir/32"
    cp "$dir/procs" "$dir/public_addrs" "$dir/32/"
    awk '$1 == "E32" || $1 == "N32" { $1 = substr($1, 1, 1); print }' "$dir/ours" > "$dir/32/ours"
    check "$dir/32" "$arch SymEnumerateSymbols and SymGetSymFromName"
  fi
  # module!name (the module name in any case) and, with
  # SYMOPT_CASE_INSENSITIVE, the name in upper case answer as the bare name;
  # an unknown module fails with ERROR_MOD_NOT_FOUND (126)
  awk '{ print "prog!" $1; print "PROG!" $1; print "nomodule!" $1 }' "$dir/procs" |
    "$query" "$dir/prog.exe" $base > "$dir/qualified"
  awk '{ print toupper($1) }' "$dir/procs" | "$query" "$dir/prog.exe" $base -i > "$dir/folded"
  bad=$(awk 'FILENAME == ARGV[1] { want[$1] = want[$1] " " $2 " "; up[toupper($1)] = $1; next }
             $1 != "N" { next }
             { n = $2; sub(/^[^!]*!/, "", n) }
             $2 ~ /^nomodule!/ { if ($3 != "?" || $4 != 126) print "  " $0 " (want ? 126)"; next }
             FILENAME == ARGV[3] { n = up[n] }
             index(want[n], " " $3 " ") == 0 { print "  " $0 " (want" want[n] ")" }' \
        "$dir/procs" "$dir/qualified" "$dir/folded")
  if [ -n "$bad" ]; then
    echo "FAIL: $arch: SymFromName with a module or folded case"; echo "$bad" | head; fail=1
  else
    echo "ok: $arch: SymFromName prog!NAME, PROG!NAME, nomodule!NAME and case-insensitive NAME"
  fi
done

for arch in x86_64 i686; do
  if ! command -v $arch-w64-mingw32-gcc > /dev/null || ! command -v llvm-dwarfdump > /dev/null; then
    echo "SKIPPED: $arch DWARF: $arch-w64-mingw32-gcc or llvm-dwarfdump missing"
    continue
  fi
  dir=$work/dwarf-$arch
  mkdir -p "$dir"
  d=$src/../dwarf/programs
  $arch-w64-mingw32-gcc -O0 -g "$d/main.c" "$d/util.c" -o "$dir/prog.exe" || exit 1
  base=0x140000000
  [ $arch = i686 ] && base=0x400000
  # each DW_TAG_subprogram with a name and a low_pc (an out-of-line body)
  llvm-dwarfdump --debug-info "$dir/prog.exe" |
    awk "$hexfn"'
         function flush() { if (sub_ && name != "" && low != "") print name, tohex(hex(low)), link; sub_ = 0 }
         /DW_TAG_/ { flush(); sub_ = /DW_TAG_subprogram/; name = ""; low = ""; link = ""; next }
         sub_ && /DW_AT_name/ { match($0, /\("[^"]*"\)/); name = substr($0, RSTART + 2, RLENGTH - 4) }
         sub_ && /DW_AT_linkage_name/ { match($0, /\("[^"]*"\)/); link = substr($0, RSTART + 2, RLENGTH - 4) }
         sub_ && /DW_AT_low_pc/ { match($0, /0x[0-9a-f]+/); low = substr($0, RSTART, RLENGTH) }
         END { flush() }' | sort -u > "$dir/procs"
  : > "$dir/public_addrs"
  names "$dir" | "$query" "$dir/prog.exe" $base > "$dir/ours" || { echo "FAIL: $arch dwarf: query failed"; fail=1; continue; }
  ran=1
  check "$dir" "$arch mingw-w64 gcc DWARF"
done
[ $ran = 0 ] && { echo "SKIPPED: all: nothing could be built"; exit 0; }
exit $fail
