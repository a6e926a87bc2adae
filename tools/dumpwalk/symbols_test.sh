#!/bin/sh
# dumpwalk -y on the bundled x86 dump (issue 10, part 6): no image, only
# crash.pdb in the symbol path, found from the CodeView record the dump
# stores. The exception walk's frame 0 (crash.exe+0x2a3d) must be
# crash!main+OFF [...main.cpp @ 35], OFF from llvm-pdbutil's S_GPROC32 `main`
# (section offset) and section 1's virtual address. Deeper frames need the
# x86 FrameData unwind and are not checked here.
# Usage: symbols_test.sh DUMPWALK CORPUS_DIR (../shared/corpus)
set -u
dumpwalk=$1 corpus=$2
pdb=$corpus/images/crash.pdb
command -v llvm-pdbutil > /dev/null || { echo "SKIPPED: llvm-pdbutil missing"; exit 0; }
proc=$(llvm-pdbutil dump -symbols "$pdb" | grep -A1 'S_GPROC32 .*`main`$' |
       sed -n 's/.*addr = 0001:\([0-9]*\),.*/\1/p')
va=$(llvm-pdbutil dump -section-headers "$pdb" | grep -A3 'SECTION HEADER #1$' |
     sed -n 's/^ *\([0-9A-Fa-f]*\) virtual address$/\1/p')
[ -n "$proc" ] && [ -n "$va" ] || { echo "FAIL: llvm-pdbutil gave no main/section 1"; exit 1; }
offset=$(printf '0x%x' $((0x2a3d - 0x$va - proc)))
expected="crash!main+$offset [c:\\projects\\breakpad-tools\\windows\\crash\\main.cpp @ 35]"
out=$("$dumpwalk" -y "$corpus/images" "$corpus/minidumps/symbolicator-windows.dmp") ||
  { echo "FAIL: dumpwalk exited $?"; exit 1; }
frame0=$(printf '%s\n' "$out" | sed -n '/^exception/,$p' | grep -m1 '^  #0 ')
case $frame0 in
  *"pc 002a2a3d "*"$expected  (context)") printf "ok: exception frame 0: %s\n" "$frame0" ;;
  *) printf "FAIL: exception frame 0: %s, expected %s\n" "$frame0" "$expected"; exit 1 ;;
esac
