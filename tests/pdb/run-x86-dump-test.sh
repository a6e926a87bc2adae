#!/bin/sh
# x86 FrameData on a real dump (../shared/corpus/README.md):
#   run-x86-dump-test.sh X86_DUMP_WALK CORPUS_DIR WORK_DIR
# symbolicator-windows.dmp's crashing thread, walked with crash.pdb found
# from the dump's CodeView record, must go crash.exe+0x2a3d (main) ->
# crash.exe+0x2d97 (__scrt_common_main_seh) -> kernel32 -> ntdll -> ntdll
# (the walk rust-minidump and symbolicator give; without the FrameData of
# main, frame 1 is crash+0x28d0), with NULL table routines and with
# SymFunctionTableAccess64 passed in. SymFunctionTableAccess64 at the
# faulting PC answers the FPO_DATA of the FrameData record llvm-pdbutil
# lists as covering it (the innermost), the same pointer each time. A
# broken program falls back cleanly. Needs MODLOAD_DATA (DBHHEADER_CVMISC).
set -u
tool=$1 corpus=$2 work=$3
dump=$corpus/minidumps/symbolicator-windows.dmp
if [ ! -f "$dump" ] || [ ! -f "$corpus/images/crash.pdb" ]; then
  echo "skipped: $dump or crash.pdb not present"
  echo "SKIPPED: corpus"
  exit 0
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

"$tool" "$corpus/images" "$dump" >"$work/out" 2>"$work/err"
status=$?
cat "$work/out"
[ $status = 0 ] || fail "x86_dump_walk: status $status: $(cat "$work/err")"

# SymPdb (3): the PDB was found from the dump's CodeView record
grep -q '^module crash symtype 3 ' "$work/out" ||
  fail "crash.pdb not loaded for crash.exe from the dump's CodeView record (MODLOAD_DATA)"

for label in null ours; do
  got=$(awk -v l="$label" '$1 == l && $2 == "frame" {
          m = $4; if (m ~ /^(kernel32|ntdll)\+/) sub(/\+.*/, "", m); printf "%s ", m }' "$work/out")
  want="crash+0x2a3d crash+0x2d97 kernel32 ntdll ntdll "
  if [ "$got" = "$want" ]; then
    echo "ok: $label routines: $got"
  else
    fail "$label routines: got '$got', want '$want'"
  fi
done

# The faulting PC's record from llvm-pdbutil: largest start <= RVA among the
# FrameData records whose code holds it.
if command -v llvm-pdbutil >/dev/null 2>&1; then
  llvm-pdbutil dump -fpo "$corpus/images/crash.pdb" >"$work/fpo.txt" 2>&1
  want=$(awk -v rva=$((0x2a3d)) '
    /New FPO Data/ { new = 1; next }
    new && $1 ~ /^[0-9A-F]+$/ && $2 == "|" {
      start = 0; s = $1
      for (i = 1; i <= length(s); i++) start = start * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
      size = $3; locals = $5; params = $7; regs = $13
      if (start <= rva && rva - start < size && start >= best) {
        best = start
        line = sprintf("%x %x %x %d %d", start, size, locals / 4, params / 4, regs / 4)
      }
    }
    END { print line }' "$work/fpo.txt")
  got=$(awk '$1 == "fpo" { print $2, $3, $4, $5, $6 }' "$work/out")
  if [ -n "$want" ] && [ "$got" = "$want" ]; then
    echo "ok: FPO_DATA at crash+0x2a3d: $got (llvm-pdbutil: $want)"
  else
    fail "FPO_DATA at crash+0x2a3d: got '$got', llvm-pdbutil '$want'"
  fi
else
  echo "note: llvm-pdbutil missing: the FPO_DATA fields not checked against it"
fi
grep -q '^fpo .* stable$' "$work/out" || fail "SymFunctionTableAccess64's FPO_DATA pointer is not stable"

# A bad program (main's, with an unknown variable: "$eip" -> "$eiq") fails
# that frame cleanly: the walk falls back to the FPO/EBP rules, which cannot
# reach __scrt_common_main_seh from main, and nothing crashes.
mkdir -p "$work/bad"
perl -0777 -pe 's/\$T0 \$ebp 204 \+ =\$eip/\$T0 \$ebp 204 + =\$eiq/' \
  "$corpus/images/crash.pdb" >"$work/bad/crash.pdb"
if cmp -s "$corpus/images/crash.pdb" "$work/bad/crash.pdb"; then
  fail "main's FrameData program not found in crash.pdb to break"
else
  "$tool" "$work/bad" "$dump" >"$work/bad.out" 2>"$work/bad.err"
  status=$?
  if [ $status != 0 ] || grep -q -e Sanitizer -e 'runtime error' "$work/bad.err"; then
    fail "bad program: status $status: $(cat "$work/bad.err")"
  elif ! grep -q '^null frame 0 crash+0x2a3d$' "$work/bad.out" ||
       grep -q '^null frame 1 crash+0x2d97$' "$work/bad.out"; then
    fail "bad program: frame 0 missing or the broken program was used: $(grep frame "$work/bad.out")"
  else
    echo "ok: bad program falls back: $(awk '$1 == "null" && $2 == "frame" { printf "%s ", $4 }' "$work/bad.out")"
  fi
fi

[ $failures = 0 ] || exit 1
echo "PASS"
