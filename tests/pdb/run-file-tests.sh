#!/bin/bash
# SymSrvGetFileIndexString/Info/Indexes (A and W) on a PE and its PDB built
# here by clang + lld-link, and on the corpus's crash.pdb: the PE's
# TimeDateStamp, SizeOfImage and CodeView PDB name/GUID/age must be
# llvm-readobj's, a PDB's GUID, age and signature llvm-pdbutil's (oracles
# independent of our readers); bad files fail with ERROR_BAD_FORMAT or
# ERROR_FILE_NOT_FOUND. Then SymFindFileInPath(W) over a laid-out store
# (name/ID/name, srv* elements, plain directories first), its
# SSRVOPT_GUIDPTR/DWORD/DWORDPTR ids, SYMOPT_EXACT_SYMBOLS and the callback;
# FindExecutableImageEx(W), FindDebugInfoFileEx(W), SymFindExecutableImage(W);
# the type functions on a module without types.
# Usage: run-file-tests.sh FILE_FIND_QUERY SRCDIR WORKDIR CORPUS
set -u
q=$1 src=$2 work=$3 corpus=$4
fail=0
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
expect() { # what want got
  if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: got '$3', want '$2'"; fi
}
field() { sed -n "s/^$1 //p" "$2" | head -1; }

for f in main shapes; do
  clang --target=x86_64-pc-windows-msvc -O0 -g -gcodeview -c "$src/programs/$f.c" -o "$f.obj" ||
    exit 1
done
lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
  /out:prog.exe /pdb:prog.pdb main.obj shapes.obj || exit 1

# ---- the oracles ----
readobj=$(llvm-readobj --file-headers --coff-debug-directory prog.exe)
ts=$(echo "$readobj" | sed -n 's/^ *TimeDateStamp: .*(0x\([0-9A-Fa-f]*\))$/\1/p' | head -1)
ts=$(printf '%08X' "0x$ts")
size=$(printf '%X' "$(echo "$readobj" | sed -n 's/^ *SizeOfImage: \([0-9]*\)$/\1/p')")
cv_guid_bytes=$(echo "$readobj" | sed -n 's/^ *PDBGUID: (\(.*\))$/\1/p' | tr -d ' ')
cv_age=$(echo "$readobj" | sed -n 's/^ *PDBAge: \([0-9]*\)$/\1/p')
cv_name=$(echo "$readobj" | sed -n 's/^ *PDBFileName: \(.*\)$/\1/p')
cv_name=${cv_name##*/}
# PDBGUID is the record's 16 bytes: Data1..3 little-endian, Data4 as is
b=$cv_guid_bytes
cv_guid=${b:6:2}${b:4:2}${b:2:2}${b:0:2}${b:10:2}${b:8:2}${b:14:2}${b:12:2}${b:16:16}

pdb_oracle() { # pdb -> "GUID AGE SIGNATURE"
  local s
  s=$(llvm-pdbutil dump -summary "$1")
  printf '%s %s %X\n' "$(echo "$s" | sed -n 's/^ *GUID: {\(.*\)}$/\1/p' | tr -d '-')" \
    "$(echo "$s" | sed -n 's/^ *Age: \([0-9]*\)$/\1/p')" \
    "$(echo "$s" | sed -n 's/^ *Signature: \([0-9]*\)$/\1/p')"
}

# ---- indexes of the PE ----
"$q" index prog.exe > pe.out
expect "PE index string (TimeDateStamp, SizeOfImage)" "$ts$size" "$(field STRING pe.out)"
expect "PE index string, W" "$ts$size" "$(field STRINGW pe.out)"
expect "PE index string into 4 chars" "FAIL 122" "$(field SHORT pe.out)"
expect "PE SymSrvGetFileIndexInfo" "prog.exe 0 $ts $size $cv_name $cv_guid 0 $cv_age" \
  "$(field INFO pe.out)"
expect "PE SymSrvGetFileIndexInfoW" "$(field INFO pe.out)" "$(field INFOW pe.out)"
expect "PE SymSrvGetFileIndexInfo, wrong sizeofstruct" "0 87" "$(field BADSIZE pe.out)"
expect "PE SymSrvGetFileIndexes" "${ts}000000000000000000000000 $size 0" "$(field INDEXES pe.out)"
expect "PE SymSrvGetFileIndexesW" "${ts}000000000000000000000000 $size" "$(field INDEXESW pe.out)"

# ---- indexes of PDBs ----
pdbs=(prog.pdb)
if [ -f "$corpus/images/crash.pdb" ]; then
  pdbs+=("$corpus/images/crash.pdb")
else
  echo "skipped: crash.pdb (../shared absent)"
fi
for pdb in "${pdbs[@]}"; do
  read -r guid age sig < <(pdb_oracle "$pdb")
  name=${pdb##*/}
  "$q" index "$pdb" > pdb.out
  expect "$name index string (GUID, age)" "$guid$(printf '%X' "$age")" "$(field STRING pdb.out)"
  expect "$name index string, W" "$(field STRING pdb.out)" "$(field STRINGW pdb.out)"
  expect "$name SymSrvGetFileIndexInfo" "$name 0 00000000 0 $name $guid $sig $age" \
    "$(field INFO pdb.out)"
  expect "$name SymSrvGetFileIndexInfoW" "$(field INFO pdb.out)" "$(field INFOW pdb.out)"
  expect "$name SymSrvGetFileIndexes" "$guid $(printf '%X' "$age") 0" "$(field INDEXES pdb.out)"
done
[ "$cv_guid" = "$(pdb_oracle prog.pdb | cut -d' ' -f1)" ] ||
  bad "the oracles disagree: prog.exe's CodeView GUID is not prog.pdb's"

# ---- bad files ----
echo "not an image" > text.txt
head -c 300 prog.exe > truncated.exe
head -c 4096 prog.pdb > truncated.pdb
for f in text.txt truncated.exe truncated.pdb; do
  "$q" index "$f" > badf.out
  expect "$f index string" "FAIL 11" "$(field STRING badf.out)"
  expect "$f SymSrvGetFileIndexInfo" "FAIL 11" "$(field INFO badf.out)"
done
"$q" index missing.pdb > badf.out
expect "missing file index string" "FAIL 2" "$(field STRING badf.out)"
expect "missing file SymSrvGetFileIndexes" "FAIL 2" "$(field INDEXES badf.out)"

# ---- SymFindFileInPath over a store ----
pdb_id=$(sed -n 's/^STRING //p' < <("$q" index prog.pdb))
read -r pdb_guid pdb_age _ < <(pdb_oracle prog.pdb)
mkdir -p store/prog.pdb/"$pdb_id" store/prog.pdb/0123456789ABCDEF0123456789ABCDEF1 \
         store/prog.exe/"$ts$size" plain empty
cp prog.pdb store/prog.pdb/"$pdb_id"/prog.pdb
cp prog.pdb store/prog.pdb/0123456789ABCDEF0123456789ABCDEF1/prog.pdb
cp prog.exe store/prog.exe/"$ts$size"/prog.exe
# a plain directory holding a different PDB of the same name
# (crash.pdb, else a truncated copy: neither is the PDB asked for)
if [ -f "$corpus/images/crash.pdb" ]; then cp "$corpus/images/crash.pdb" plain/prog.pdb
else cp truncated.pdb plain/prog.pdb; fi

"$q" find "empty;srv*$work/store*https://example.invalid/symbols" prog.pdb guid "$pdb_guid" "$pdb_age" > f1.out
expect "GUIDPTR id in a srv* store" "$work/store/prog.pdb/$pdb_id/prog.pdb" "$(field FOUND f1.out)"
expect "GUIDPTR id, W" "$(field FOUND f1.out)" "$(field FOUNDW f1.out)"
expect "the callback saw it" "$(field FOUND f1.out)" "$(field CANDIDATE f1.out)"
expect "no callback: the first candidate" "$(field FOUND f1.out)" "$(field FIRST f1.out)"
"$q" find "$work/store" prog.pdb guid "$pdb_guid" "$pdb_age" > f2.out
expect "a plain directory in the store layout" "$work/store/prog.pdb/$pdb_id/prog.pdb" "$(field FOUND f2.out)"
"$q" find "$work/plain;$work/store" "/elsewhere/prog.pdb" guid "$pdb_guid" "$pdb_age" > f3.out
expect "plain DIR/name first, identity not checked by default" "$work/plain/prog.pdb" "$(field FOUND f3.out)"
"$q" find "$work/plain;$work/store" prog.pdb guid "$pdb_guid" "$pdb_age" exact > f4.out
expect "SYMOPT_EXACT_SYMBOLS skips the mismatching PDB" "$work/store/prog.pdb/$pdb_id/prog.pdb" "$(field FOUND f4.out)"
"$q" find "$work/plain;$work/store" prog.pdb guid "$pdb_guid" "$pdb_age" reject-first > f5.out
expect "a callback returning TRUE goes on to the next" "$work/store/prog.pdb/$pdb_id/prog.pdb" "$(field FOUND f5.out)"
expect "the callback saw both" 2 "$(grep -c '^CANDIDATE ' f5.out)"
"$q" find "$work/store" prog.exe dword "$ts" "$size" > f6.out
expect "DWORD id (TimeDateStamp, SizeOfImage)" "$work/store/prog.exe/$ts$size/prog.exe" "$(field FOUND f6.out)"
"$q" find "srv*$work/store" prog.exe dwordptr "$ts" "$size" > f7.out
expect "DWORDPTR id" "$work/store/prog.exe/$ts$size/prog.exe" "$(field FOUND f7.out)"
"$q" find "srv*$work/store" prog.exe dword 12345678 "$size" > f8.out
expect "a wrong id finds nothing" "NOTFOUND 2" "$(sed -n 's/^NOTFOUND/NOTFOUND/p' f8.out | head -1)"
expect "a wrong id finds nothing, W" "2" "$(field NOTFOUNDW f8.out)"

# ---- FindExecutableImageEx & co. (from an empty directory: the name as
# given is tried first) ----
mkdir -p one two
cp prog.exe two/prog.exe
cp prog.exe one/prog.exe
echo dbg > two/prog.dbg
cd empty || exit 1
"$q" exe "$work/empty;$work/two" prog.exe > e1.out
expect "FindExecutableImageEx: the path's directory" "$work/two/prog.exe" "$(field FOUND e1.out)"
expect "FindExecutableImageEx: the callback got an open file" "$work/two/prog.exe open" "$(field CANDIDATE e1.out)"
expect "FindExecutableImageExW" "$work/two/prog.exe" "$(field FOUNDW e1.out)"
"$q" exe "$work/one;$work/two" prog.exe reject-first > e2.out
expect "FindExecutableImageEx: a callback returning FALSE passes it by" "$work/two/prog.exe" "$(field FOUND e2.out)"
"$q" exe "$work/empty" "$work/one/prog.exe" > e3.out
expect "FindExecutableImageEx: the name as given first" "$work/one/prog.exe" "$(field FOUND e3.out)"
"$q" exe "$work/empty" nothere.exe > e4.out
expect "FindExecutableImageExW: not found" "2" "$(field NOTFOUNDW e4.out)"
"$q" dbg "$work/empty;$work/two" prog.dbg > d1.out
expect "FindDebugInfoFileEx" "$work/two/prog.dbg" "$(field FOUND d1.out)"
expect "FindDebugInfoFileExW" "$work/two/prog.dbg" "$(field FOUNDW d1.out)"
"$q" symexe "$work/empty;$work/one" prog.exe > s1.out
expect "SymFindExecutableImage: the session's path" "$work/one/prog.exe" "$(field FOUND s1.out)"
expect "SymFindExecutableImageW" "$work/one/prog.exe" "$(field FOUNDW s1.out)"

cd "$work" || exit 1

# ---- types: a module without type information ----
"$q" types prog.exe > t.out
expect "SymEnumTypes: TRUE, no types" "1 0" "$(field ENUMTYPES t.out)"
expect "SymEnumTypesByName: TRUE, no types" "1 0" "$(field ENUMTYPESBYNAME t.out)"
expect "SymGetTypeInfo: FALSE, ERROR_INVALID_PARAMETER" "0 87" "$(field GETTYPEINFO t.out)"
expect "SymGetTypeFromName: FALSE, ERROR_NOT_FOUND" "0 1168" "$(field GETTYPEFROMNAME t.out)"
expect "SymEnumTypes outside every module: ERROR_MOD_NOT_FOUND" "0 126" "$(field ENUMTYPES_NOMODULE t.out)"
expect "SymGetTypeInfo without a session: ERROR_INVALID_HANDLE" "0 6" "$(field GETTYPEINFO_NOSESSION t.out)"

exit $fail
