#!/usr/bin/env bash
# winedbg, Wine's own debugger (a real dbghelp client: it imports dbghelp.dll),
# with our dbghelp.dll in a private prefix's system32 (dbghelp=n) and with
# Wine's builtin (dbghelp=b):
#
#   1. crashee.exe run directly: Wine's AeDebug starts `winedbg --auto`, which
#      prints the crash's backtrace, the module list, the thread list and the
#      system information; with ours it must complete (no "unimplemented
#      function") and give the builtin's backtrace PCs;
#   2. `winedbg crashee.exe` with commands on stdin (cont, bt, info share,
#      break wd_level1, quit): each answers as with the builtin.
#
#   run-winedbg-tests.sh <source-root> <work-dir> [--without-break]
#
# `break wd_level1` (winedbg finds the function with SymEnumSymbols("*!wd_level1")
# and places the breakpoint after its prologue by its lines) must give the
# builtin's address and name the function. --without-break leaves that check
# out (the command is still run and its answers printed).
set -euo pipefail
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 <source-root> <work-dir> [--without-break]" >&2; exit 2; }
check_break=1
[ "${3:-}" = --without-break ] && check_break=0
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
wine_build_dll
"$WINE_MINGW_GCC" -std=c11 -Wall -Wextra -Werror -O1 -g -o "$WINE_BIN/crashee.exe" \
  "$WINE_SRC/tests/wine/winedbg/crashee.c" || wine_die "compiling crashee.exe failed"
rm -f "$WINE_BIN/dbghelp.dll" # winedbg loads dbghelp from system32, not from the program's directory
wine_prefix
cp -f "$WINE_DLL" "$WINEPREFIX/drive_c/windows/system32/dbghelp.dll"

run_logged() { # log override command...
  local log=$1 override=$2; shift 2
  ( cd "$WINE_BIN" && WINEDLLOVERRIDES="dbghelp=$override" timeout 120 "$WINE" "$@" ) \
    >"$log" 2>&1 || true
  sed -i 's/\r$//' "$log"
  wine_finish
}

# The PCs of the first backtrace ("=>0 0x... in module (+0x...)", "  1 0x...").
# An inline frame repeats its physical frame's PC (the builtin reports
# ntdll's from DWARF): physical frames are compared.
backtrace_pcs() { awk '/^Backtrace:/ { on = 1; next } on && /^(=>| +)[0-9]+ 0x/ {
                         sub(/^=>/, ""); print $2; next } on { exit }' "$1" | uniq; }

check_common() { # what log
  local what=$1 log=$2
  if grep -q 'unimplemented function' "$log"; then
    wine_fail "$what: $(grep -m1 'unimplemented function' "$log")"
  else
    wine_pass "$what: no unimplemented dbghelp function called"
  fi
}

echo "==== winedbg --auto on a crash (AeDebug)"
for dll in n b; do
  run_logged "$WINE_WORK/auto.$dll.log" "$dll" crashee.exe
  echo "---- dbghelp=$dll"; head -n 60 "$WINE_WORK/auto.$dll.log" | sed 's/^/    /'
done
ours=$WINE_WORK/auto.n.log builtin=$WINE_WORK/auto.b.log
check_common "winedbg --auto (ours)" "$ours"
for section in 'Backtrace:' 'Modules:' 'Threads:' 'System information:'; do
  if grep -q "^$section" "$ours" && grep -q "^$section" "$builtin"; then
    wine_pass "winedbg --auto (ours) printed '$section'"
  else
    wine_fail "winedbg --auto: '$section' missing (ours: $(grep -c "^$section" "$ours"), builtin: $(grep -c "^$section" "$builtin"))"
  fi
done
if grep -Eq 'PE[[:space:]]+[0-9a-f]+-[0-9a-f]+.*crashee' "$ours"; then
  wine_pass "winedbg --auto (ours): the module list shows crashee"
else
  wine_fail "winedbg --auto (ours): crashee missing from the module list"
fi
if [ -n "$(backtrace_pcs "$ours")" ] && cmp -s <(backtrace_pcs "$ours") <(backtrace_pcs "$builtin"); then
  wine_pass "winedbg --auto: the same $(backtrace_pcs "$ours" | wc -l) backtrace PCs as the builtin"
else
  wine_fail "winedbg --auto: backtrace PCs differ: ours $(backtrace_pcs "$ours" | tr '\n' ' '), builtin $(backtrace_pcs "$builtin" | tr '\n' ' ')"
fi

echo "==== winedbg crashee.exe, commands on stdin"
commands=$'cont\nbt\ninfo share\nbreak wd_level1\nquit\n'
for dll in n b; do
  log=$WINE_WORK/interactive.$dll.log
  ( cd "$WINE_BIN" && printf '%s' "$commands" |
      WINEDLLOVERRIDES="dbghelp=$dll" timeout 120 "$WINE" winedbg crashee.exe ) >"$log" 2>&1 || true
  sed -i 's/\r$//' "$log"
  wine_finish
  echo "---- dbghelp=$dll"; head -n 60 "$log" | sed 's/^/    /'
done
ours=$WINE_WORK/interactive.n.log builtin=$WINE_WORK/interactive.b.log
check_common "winedbg interactive (ours)" "$ours"
if [ -n "$(backtrace_pcs "$ours")" ] && cmp -s <(backtrace_pcs "$ours") <(backtrace_pcs "$builtin"); then
  wine_pass "winedbg bt: the same backtrace PCs as the builtin"
else
  wine_fail "winedbg bt: backtrace PCs differ: ours $(backtrace_pcs "$ours" | tr '\n' ' '), builtin $(backtrace_pcs "$builtin" | tr '\n' ' ')"
fi
if grep -Eq 'PE[[:space:]]+[0-9a-f]+-[0-9a-f]+.*crashee' "$ours"; then
  wine_pass "winedbg info share (ours): lists crashee"
else
  wine_fail "winedbg info share (ours): crashee not listed"
fi
if [ "$check_break" = 1 ]; then
bp_ours=$(grep -o 'Breakpoint 1 at 0x[0-9a-f]* wd_level1' "$ours" || true)
bp_builtin=$(grep -o 'Breakpoint 1 at 0x[0-9a-f]* wd_level1' "$builtin" || true)
if [ -n "$bp_ours" ] && [ "$bp_ours" = "$bp_builtin" ]; then
  wine_pass "winedbg break wd_level1: '$bp_ours', as the builtin"
else
  wine_fail "winedbg break wd_level1: ours '${bp_ours:-none}', builtin '${bp_builtin:-none}'"
fi
else
  echo "NOT CHECKED: break wd_level1 (ours: $(grep -m1 -o 'Breakpoint 1 at 0x[0-9a-f]*\|No symbols found for wd_level1' "$ours" || echo none))"
fi
wine_verdict wine_winedbg
