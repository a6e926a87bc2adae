#!/usr/bin/env bash
# The real-client drop-in tests under Wine (issue #6): two programs written
# the way DbgHelp's users write them, linked against mingw-w64's own import
# library, each run once with our dbghelp.dll next to it
# (WINEDLLOVERRIDES=dbghelp=n) and once with Wine's builtin (dbghelp=b).
#
#   crashhandler.exe   in-process: SymInitialize(GetCurrentProcess(), NULL, TRUE),
#                      an unhandled-exception filter that walks the crash's
#                      CONTEXT with StackWalk64 + SymFunctionTableAccess64 +
#                      SymGetModuleBase64 and names frames with SymFromAddr /
#                      SymGetModuleInfo64 (see crashhandler.c)
#   debugger.exe       out-of-process: debugs debuggee.exe, SymLoadModuleEx on
#                      each module event, walks the breakpoint's thread with
#                      its own ReadProcessMemory wrapper (see debugger.c)
#
#   run-client-tests.sh <source-root> <work-dir>
#
# Each run must pass the program's own checks. SymFromAddr's names are
# checked with ours only: Wine 8.0's builtin finds no name in these exes
# (it prefers the CRT's DWARF to the export table), so its runs get
# "names-optional". The run with ours must really have loaded ours. Both
# DLLs must give the same PCs up to and including main, and ours must walk
# at least as many frames as Wine's builtin. The read-routine call counts of
# the debugger's walk are printed for both.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

wine_init "$1" "$2"
wine_build_dll
wine_build_src crashhandler "$WINE_SRC/tests/wine/crashhandler.c" -O2
wine_build_src debugger "$WINE_SRC/tests/wine/debugger.c" -O2
# The debuggee uses no dbghelp at all.
"$WINE_MINGW_GCC" -std=c11 -Wall -Wextra -Werror -O2 -o "$WINE_BIN/debuggee.exe" \
  "$WINE_SRC/tests/wine/debuggee.c" || wine_die "compiling debuggee.exe failed"
wine_prefix

# client name, override, expected exit status, log, program arguments...
run_client() {
  local name=$1 override=$2 want=$3 log=$4; shift 4
  local rc=0
  if [ -n "${CLIENT_CWD:-}" ]; then # run from elsewhere: the exe by its full path
    ( cd "$CLIENT_CWD" &&
      WINEDLLOVERRIDES="dbghelp=$override" timeout 120 "$WINE" "$WINE_BIN/$name.exe" "$@" ) \
      >"$log" 2>"$log.stderr" || rc=$?
  else
    wine_run "$log" "$override" "$name.exe" "$@" || rc=$?
  fi
  sed -i 's/\r$//' "$log"
  echo "---- $name.exe $* with WINEDLLOVERRIDES=dbghelp=$override (exit status $rc)"
  grep -v '^PC \|^FRAME ' "$log" | sed 's/^/    /' || true
  if [ -s "$log.stderr" ]; then
    echo "    stderr:"; sed 's/^/      /' "$log.stderr"
  fi
  if [ "$rc" -eq "$want" ] && grep -qx 'RESULT PASS' "$log"; then
    wine_pass "$name.exe (dbghelp=$override): its checks passed (exit status $rc)"
  else
    [ "$rc" -eq "$want" ] || wine_fail "$name.exe (dbghelp=$override) exited with $rc, want $want"
    grep -qx 'RESULT PASS' "$log" || wine_fail "$name.exe (dbghelp=$override): its checks failed"
  fi
}

check_loaded() { # name ours-log builtin-log
  local name=$1 ours=$2 builtin=$3 exe dll
  exe=$(wine_field "$ours" EXE) dll=$(wine_field "$ours" DBGHELP)
  if [ "${exe%\\*}" = "${dll%\\*}" ] && [ "${dll##*\\}" = dbghelp.dll ] &&
     [ "$(wine_field "$ours" DBGHELP_BUILTIN)" = 0 ] && [ "$(wine_field "$ours" DBGHELP_MATCHES_FILE)" = 1 ]; then
    wine_pass "$name.exe (dbghelp=n) loaded our dbghelp.dll ($dll)"
  else
    wine_fail "$name.exe (dbghelp=n) did not load our dbghelp.dll next to it (DBGHELP '$dll'," \
              "builtin mark $(wine_field "$ours" DBGHELP_BUILTIN), headers match $(wine_field "$ours" DBGHELP_MATCHES_FILE))"
  fi
  if [ "$(wine_field "$builtin" DBGHELP_BUILTIN)" = 1 ]; then
    wine_pass "$name.exe (dbghelp=b) loaded Wine's builtin dbghelp.dll"
  else
    wine_fail "$name.exe (dbghelp=b) did not load Wine's builtin dbghelp.dll"
  fi
}

compare() { # name ours-log builtin-log
  local name=$1 ours=$2 builtin=$3 n_ours n_builtin
  wine_compare_to_main "$name" "$ours" "$builtin"
  n_ours=$(sed -n 's/^FRAMES \([0-9]*\) .*/\1/p' "$ours")
  n_builtin=$(sed -n 's/^FRAMES \([0-9]*\) .*/\1/p' "$builtin")
  echo "    all frames: ours: $(awk '/^PC /{ printf "%s ", $4 }' "$ours")"
  echo "             builtin: $(awk '/^PC /{ printf "%s ", $4 }' "$builtin")"
  if [ -n "$n_ours" ] && [ -n "$n_builtin" ] && [ "$n_ours" -ge "$n_builtin" ]; then
    wine_pass "$name.exe: ours walked $n_ours frames, Wine's builtin $n_builtin"
  else
    wine_fail "$name.exe: ours walked ${n_ours:-?} frames, fewer than Wine's builtin ${n_builtin:-?}"
  fi
}

echo "==== crashhandler.exe: an unhandled-exception filter walks the crash"
ch_ours=$WINE_WORK/crashhandler.ours.log
ch_builtin=$WINE_WORK/crashhandler.builtin.log
run_client crashhandler n 42 "$ch_ours"
run_client crashhandler b 42 "$ch_builtin" names-optional
check_loaded crashhandler "$ch_ours" "$ch_builtin"
compare crashhandler "$ch_ours" "$ch_builtin"

echo "==== crashhandler.exe ntheader: the filter takes StackWalk64's machine from"
echo "     ImageNtHeader(base)->FileHeader.Machine, unchecked, as game engines do"
nt_ours=$WINE_WORK/crashhandler-ntheader.ours.log
nt_builtin=$WINE_WORK/crashhandler-ntheader.builtin.log
run_client crashhandler n 42 "$nt_ours" ntheader
run_client crashhandler b 42 "$nt_builtin" names-optional ntheader
for log in "$nt_ours" "$nt_builtin"; do
  if [ "$(wine_field "$log" MACHINE)" = 0x8664 ]; then
    wine_pass "crashhandler.exe ntheader ($(basename "$log")): ImageNtHeader gave Machine 0x8664"
  else
    wine_fail "crashhandler.exe ntheader ($(basename "$log")): Machine '$(wine_field "$log" MACHINE)', want 0x8664"
  fi
done
check_loaded crashhandler "$nt_ours" "$nt_builtin"
compare crashhandler "$nt_ours" "$nt_builtin"

echo "==== crashhandler.exe decoy: SymLoadModuleEx(full path) from a directory holding"
echo "     a different crashhandler.exe (the current directory is on the default search path)"
decoy_dir=$WINE_WORK/decoy
mkdir -p "$decoy_dir"
cp "$WINE_BIN/debuggee.exe" "$decoy_dir/crashhandler.exe"
dc_ours=$WINE_WORK/crashhandler-decoy.ours.log
dc_builtin=$WINE_WORK/crashhandler-decoy.builtin.log
CLIENT_CWD=$decoy_dir run_client crashhandler n 42 "$dc_ours" decoy
CLIENT_CWD=$decoy_dir run_client crashhandler b 42 "$dc_builtin" names-optional decoy
check_loaded crashhandler "$dc_ours" "$dc_builtin"
wine_compare_to_main crashhandler "$dc_ours" "$dc_builtin"

echo "==== debugger.exe: a debugger walks debuggee.exe's breakpoint"
db_ours=$WINE_WORK/debugger.ours.log
db_builtin=$WINE_WORK/debugger.builtin.log
run_client debugger n 0 "$db_ours" debuggee.exe
run_client debugger b 0 "$db_builtin" debuggee.exe names-optional
check_loaded debugger "$db_ours" "$db_builtin"
compare debugger "$db_ours" "$db_builtin"
echo "    ReadMemoryRoutine calls (bytes) for the debugger's walk:" \
     "ours $(wine_field "$db_ours" READS | sed 's/ BYTES \(.*\)/ (\1)/')," \
     "Wine's builtin $(wine_field "$db_builtin" READS | sed 's/ BYTES \(.*\)/ (\1)/')"

wine_verdict wine_clients
