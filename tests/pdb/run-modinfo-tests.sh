#!/bin/bash
# SymGetModuleInfo64 and symbol loading (issue 10, part 2): the tests/pdb
# program built by clang + lld-link /debug (x64 and x86).
#  - info: SymType SymPdb; GUID and age equal llvm-pdbutil dump -summary's;
#    LoadedPdbName the PDB; CVSig 'RSDS'; the content flags as llvm-pdbutil
#    reports them ("Has Debug Info", "Has Globals", "Has Types", "Has Publics").
#  - modload: the PDB moved away from the path in the record, the module
#    loaded with no image and the image's own debug directory as MODLOAD_DATA
#    (DBHHEADER_DEBUGDIRS and DBHHEADER_CVMISC): the PDB found in the search
#    path, GUID/age as above, SymFromAddr's name at the first instruction
#    equal to llvm-symbolizer's.
#  - events: without SYMOPT_DEFERRED_LOADS, START then COMPLETE at
#    SymLoadModuleEx and none later; with it, none at load or at
#    SymGetModuleInfo64 (SymDeferred), START then COMPLETE at the first
#    lookup (then SymPdb), none at the next; narrow and wide callbacks.
#  - a DLL linked without /debug: SymExport, no PDB name, no CodeView record.
# Usage: run-modinfo-tests.sh MODINFO_QUERY SRCDIR WORKDIR
set -u
query=$1 src=$2 work=$3
fail=0
check() { # what expected actual
  if [ "$2" = "$3" ]; then echo "ok: $1: $3"; else echo "FAIL: $1: got '$3', expected '$2'"; fail=1; fi
}
field() { sed -n "s/^$1 //p" <<< "$2"; }
flag() { [ "$(llvm-pdbutil dump -summary "$2" | sed -n "s/^ *$1: //p")" = true ] && echo 1 || echo 0; }

for arch in x86_64 i686; do
  dir=$work/$arch
  rm -rf "$dir"
  mkdir -p "$dir/syms"
  for f in main shapes; do
    clang --target=$arch-pc-windows-msvc -O1 -g -gcodeview -fno-stack-protector \
      -c "$src/programs/$f.c" -o "$dir/$f.obj" || exit 1
  done
  lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
    /out:"$dir/prog.exe" /pdb:"$dir/prog.pdb" "$dir/main.obj" "$dir/shapes.obj" || exit 1
  pdb=$dir/prog.pdb
  guid=$(llvm-pdbutil dump -summary "$pdb" | sed -n 's/^ *GUID: //p')
  age=$(llvm-pdbutil dump -summary "$pdb" | sed -n 's/^ *Age: //p')
  first=0x$(llvm-objdump -d --no-show-raw-insn "$dir/prog.exe" | grep -oE '^ *[0-9a-f]+:' |
            head -1 | tr -d ' :')
  function=$(llvm-symbolizer --obj="$dir/prog.exe" --no-inlines "$first" | head -1)

  out=$(cd "$dir" && "$query" info prog.exe) || { echo "FAIL: $arch info: $out"; fail=1; }
  check "$arch info SymType" SymPdb "$(field SymType "$out")"
  check "$arch info GUID" "$guid" "$(field Guid "$out")"
  check "$arch info age" "$age" "$(field Age "$out")"
  check "$arch info LoadedPdbName" "$pdb" "$(field LoadedPdbName "$out")"
  check "$arch info CVSig" 0x53445352 "$(field CVSig "$out")"
  check "$arch info CVData" "$pdb" "$(field CVData "$out")"
  check "$arch info LineNumbers" "$(flag 'Has Debug Info' "$pdb")" "$(field LineNumbers "$out")"
  check "$arch info GlobalSymbols" "$(flag 'Has Globals' "$pdb")" "$(field GlobalSymbols "$out")"
  check "$arch info TypeInfo" "$(flag 'Has Types' "$pdb")" "$(field TypeInfo "$out")"
  check "$arch info Publics" "$(flag 'Has Publics' "$pdb")" "$(field Publics "$out")"
  [ $arch = i686 ] && check "$arch info SymGetModuleInfo (32-bit)" 1 \
    "$(grep -c '^SymGetModuleInfo32 agrees$' <<< "$out")"

  mv "$pdb" "$dir/syms/"
  for kind in dirs cvmisc; do
    out=$("$query" modload $kind "$dir/prog.exe" "$dir/syms" "$first") ||
      { echo "FAIL: $arch modload $kind: $out"; fail=1; }
    check "$arch modload $kind SymType" SymPdb "$(field SymType "$out")"
    check "$arch modload $kind GUID" "$guid" "$(field Guid "$out")"
    check "$arch modload $kind age" "$age" "$(field Age "$out")"
    check "$arch modload $kind LoadedPdbName" "$dir/syms/prog.pdb" "$(field LoadedPdbName "$out")"
    check "$arch modload $kind SymFromAddr $first" "$function" "$(field Symbol "$out")"
  done
  mv "$dir/syms/prog.pdb" "$pdb"

  for width in narrow wide; do
    out=$(cd "$dir" && "$query" events eager $width prog.exe "$first")
    base=0x140000000
    [ $arch = i686 ] && base=0x400000
    start="START($base,prog.exe) COMPLETE($base,prog.exe)"
    check "$arch eager $width events at load" "$start" "$(field load: "$out")"
    check "$arch eager $width events at lookup" "none" "$(field lookup: "$out")"
    check "$arch eager $width SymType" SymPdb "$(field 'info SymType' "$out")"
    out=$(cd "$dir" && "$query" events deferred $width prog.exe "$first")
    check "$arch deferred $width events at load" "none" "$(field load: "$out")"
    check "$arch deferred $width events at SymGetModuleInfo64" "none" "$(field info: "$out")"
    check "$arch deferred $width SymType before" SymDeferred "$(field 'info SymType' "$out")"
    check "$arch deferred $width symbol" "$function" "$(field Symbol "$out")"
    check "$arch deferred $width events at lookup" "$start" "$(field lookup: "$out")"
    check "$arch deferred $width SymType after" SymPdb "$(field 'after SymType' "$out")"
    check "$arch deferred $width events at the next lookup" "none" "$(field again: "$out")"
  done

  printf '__declspec(dllexport) int plain_add(int a, int b) { return a + b; }\n' > "$dir/plain.c"
  clang --target=$arch-pc-windows-msvc -O1 -c "$dir/plain.c" -o "$dir/plain.obj" || exit 1
  lld-link /nologo /dll /noentry /nodefaultlib /out:"$dir/plain.dll" "$dir/plain.obj" || exit 1
  out=$(cd "$dir" && "$query" info plain.dll) || { echo "FAIL: $arch stripped: $out"; fail=1; }
  check "$arch stripped SymType" SymExport "$(field SymType "$out")"
  check "$arch stripped LoadedPdbName" - "$(field LoadedPdbName "$out")"
  check "$arch stripped CVSig" 0x00000000 "$(field CVSig "$out")"
done
exit $fail
