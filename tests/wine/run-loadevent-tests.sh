#!/usr/bin/env bash
# Symbol-load events and MapDebugInformation under Wine (issue 11):
# loadevents.exe, built by clang for x86_64 mingw-w64 with a PDB, registers a
# callback with SYMOPT_DEBUG on and prints every event while loading its own
# image, a missing one, a deferred load it cancels, one it lets run, and a
# missing image whose FAILURE it answers with its own file; then
# MapDebugInformation on itself and on our dbghelp.dll.
#
# Oracles: where Wine's builtin sends an event (START/COMPLETE of the found
# and the deferred image) ours must send the same, in the same order, with
# the same SymType and NumSyms (less the builtin's own "EntryPoint" public).
# What the builtin does not do (it sends no CANCEL, PARTIAL, CBA_EVENT or
# CBA_DEBUG_INFO, fails SymLoadModuleEx for a missing image, and its x86_64
# DLL does not export MapDebugInformation) is checked against Microsoft's
# documentation: a TRUE CANCEL answer stops the load, a FAILURE answer naming
# a file loads it, CBA_DEBUG_INFO comes under SYMOPT_DEBUG; and
# MapDebugInformation's fields against llvm-readobj and llvm-objdump.
#
#   run-loadevent-tests.sh <source-root> <work-dir>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
for tool in clang ld.lld llvm-readobj llvm-objdump; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: '$tool' not found"; exit 0; }
done
wine_build_dll
gcc_dir=$(dirname "$("$WINE_MINGW_GCC" -print-libgcc-file-name)")
clang --target=x86_64-w64-mingw32 -std=c11 -Wall -Wextra -Werror -O1 -g -gcodeview \
  -fuse-ld=lld -L"$gcc_dir" -Wl,--pdb="$WINE_BIN/loadevents.pdb" -I"$WINE_SRC/tests/wine" \
  -o "$WINE_BIN/loadevents.exe" "$WINE_SRC/tests/wine/loadevents.c" -ldbghelp \
  2>"$WINE_WORK/build.log" || { cat "$WINE_WORK/build.log" >&2; wine_die "building loadevents.exe failed"; }
cp -f "$WINE_DLL" "$WINE_BIN/dbghelp.dll"
wine_prefix

for dll in n b; do
  log=$WINE_WORK/events.$dll.log
  wine_run "$log" "$dll" loadevents.exe || wine_fail "loadevents.exe (dbghelp=$dll) exited with $?"
  sed -i 's/\r$//' "$log"
  wine_run "$WINE_WORK/map.$dll.log" "$dll" loadevents.exe loadevents.exe dbghelp.dll \
    missing.dll loadevents.pdb || wine_fail "loadevents.exe map (dbghelp=$dll) exited with $?"
  sed -i 's/\r$//' "$WINE_WORK/map.$dll.log"
  wine_finish
done
ours=$WINE_WORK/events.n.log builtin=$WINE_WORK/events.b.log
[ "$(wine_field "$ours" DBGHELP_BUILTIN)" = 0 ] || wine_fail "dbghelp=n did not load our DLL"
[ "$(wine_field "$builtin" DBGHELP_BUILTIN)" = 1 ] || wine_fail "dbghelp=b did not load the builtin"

# The lines of one case (from "case NAME" to the next case).
case_lines() { # log name
  awk -v name="$2" '$1 == "case" { on = ($2 == name); next } $1 == "done" { on = 0 } on' "$1"
}
# The load events of a case: START/COMPLETE/FAILURE and the module line.
load_events() { # log name
  case_lines "$1" "$2" |
    grep -E '^event (START|COMPLETE|FAILURE) |^module ' || true
}

echo "==== events where the builtin sends them"
for name in found deferred; do
  if diff <(load_events "$builtin" "$name") <(load_events "$ours" "$name") >"$WINE_WORK/$name.diff"; then
    wine_pass "$name: $(load_events "$ours" "$name" | tr '\n' ';')"
  else
    wine_fail "$name: load events differ from the builtin's"
    cat "$WINE_WORK/$name.diff"
  fi
done
# NumSyms counts every symbol of the PDB. Wine's builtin adds one of its own
# to a PE, the public "EntryPoint" (at AddressOfEntryPoint), which no PDB
# has: leave it out of its count.
ours_numsyms=$(case_lines "$ours" found | wine_field /dev/stdin numsyms)
builtin_numsyms=$(case_lines "$builtin" found | wine_field /dev/stdin numsyms)
wine_only=0
if case_lines "$builtin" found | grep -q '^symbol EntryPoint ' &&
   ! case_lines "$ours" found | grep -q '^symbol EntryPoint '; then
  wine_only=1
fi
if [ -n "$ours_numsyms" ] && [ "$ours_numsyms" -eq $((builtin_numsyms - wine_only)) ]; then
  wine_pass "found: NumSyms $ours_numsyms (builtin $builtin_numsyms, $wine_only of them its EntryPoint)"
else
  wine_fail "found: NumSyms ours '$ours_numsyms', builtin $builtin_numsyms ($wine_only its EntryPoint)"
fi

echo "==== events the builtin does not send (Microsoft's documentation)"
if case_lines "$ours" found | grep -q '^event DEBUG_INFO DBGHELP: loadevents - '; then
  wine_pass "found: CBA_DEBUG_INFO says what loaded under SYMOPT_DEBUG"
else
  wine_fail "found: no CBA_DEBUG_INFO line under SYMOPT_DEBUG"
fi
cancel=$(case_lines "$ours" deferred_cancel | grep -E '^event (START|CANCEL|COMPLETE|FAILURE)|^module' | tr '\n' ';')
case "$cancel" in
  'event START file=loadevents.exe reparse=0;event CANCEL file=loadevents.exe reparse=0;event FAILURE file=loadevents.exe reparse=0;module symtype=5 '*)
    wine_pass "deferred_cancel: TRUE to CANCEL stops the load, the module stays SymDeferred" ;;
  *) wine_fail "deferred_cancel: $cancel" ;;
esac
if case_lines "$ours" deferred | grep -q '^event CANCEL '; then
  wine_pass "deferred: CANCEL asked, FALSE lets the load run"
else
  wine_fail "deferred: no CANCEL asked before the deferred load"
fi
missing=$(case_lines "$ours" missing | grep -E '^event (START|PARTIAL|EVENT|FAILURE|COMPLETE)' | cut -d' ' -f2 | tr '\n' ' ')
[ "$missing" = "START PARTIAL EVENT FAILURE " ] &&
  wine_pass "missing: START PARTIAL EVENT FAILURE (builtin: $(case_lines "$builtin" missing | tr '\n' ' '))" ||
  wine_fail "missing: events '$missing'"
retry=$(case_lines "$ours" failure_retry)
if grep -q '^event COMPLETE file=loadevents.exe' <<<"$retry" &&
   grep -q '^module symtype=3 numsyms=nonzero image=nosuch_retry.dll loaded=loadevents.exe' <<<"$retry"; then
  wine_pass "failure_retry: the FAILURE answer's file loaded (SymPdb)"
else
  wine_fail "failure_retry: $(tr '\n' ';' <<<"$retry")"
fi

echo "==== MapDebugInformation against llvm-readobj"
echo "     builtin: $(grep '^map ' "$WINE_WORK/map.b.log" | head -1)"
map=$WINE_WORK/map.n.log
for image in loadevents.exe dbghelp.dll; do
  headers=$(llvm-readobj --file-headers "$WINE_BIN/$image")
  field() { sed -n "s/^ *$1: *//p" <<<"$headers" | head -1; }
  machine=$(field Machine | sed 's/.*(\(0x[0-9A-Fa-f]*\)).*/\1/')
  timestamp=$(field TimeDateStamp | sed 's/.*(\(0x[0-9A-Fa-f]*\)).*/\1/')
  characteristics=$(sed -n 's/^ *Characteristics \[ (\(0x[0-9A-Fa-f]*\)).*/\1/p' <<<"$headers" | head -1)
  image_base=$(printf '0x%X' $(( $(field ImageBase) & 0xFFFFFFFF )))
  # --file-headers prints the DOS header's e_csum as "Checksum"; the
  # optional header's CheckSum comes from llvm-objdump -p
  checksum=$(printf '0x%X' "0x$(llvm-objdump -p "$WINE_BIN/$image" | awk '$1 == "CheckSum" { print $2; exit }')")
  expect="machine=$(printf '0x%X' "$machine") characteristics=$(printf '0x%X' "$characteristics")"
  expect+=" checksum=$checksum imagebase=$image_base sizeofimage=$(field SizeOfImage)"
  expect+=" sections=$(field SectionCount) timestamp=$(printf '0x%X' "$timestamp")"
  expect+=" debugdirs=$(llvm-readobj --coff-debug-directory "$WINE_BIN/$image" | grep -c 'DebugEntry {' || true)"
  expect+=" exports=$(llvm-readobj --coff-exports "$WINE_BIN/$image" | grep -c '^ *Name: ' || true)"
  got=$(sed -n "s/^map $image //p" "$map")
  if [ "${got%% codeview=*}" = "$expect" ]; then
    wine_pass "map $image: $got"
  else
    wine_fail "map $image: got '$got', llvm-readobj '$expect'"
  fi
done
grep -q '^map loadevents.exe .*codeview=RSDS name=loadevents.exe$' "$map" &&
  wine_pass "map loadevents.exe: the CodeView record and the file name" ||
  wine_fail "map loadevents.exe: no RSDS record or file name"
grep -q '^map missing.dll FAIL 2$' "$map" && wine_pass "map missing.dll: ERROR_FILE_NOT_FOUND" ||
  wine_fail "map missing.dll: $(grep '^map missing' "$map")"
grep -q '^map loadevents.pdb FAIL 11$' "$map" && wine_pass "map loadevents.pdb: ERROR_BAD_FORMAT" ||
  wine_fail "map loadevents.pdb: $(grep '^map loadevents.pdb' "$map")"
! grep -q '^unmap FAIL' "$map" || wine_fail "UnmapDebugInformation failed"

wine_verdict wine_loadevents
