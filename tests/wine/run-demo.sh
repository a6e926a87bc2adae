#!/usr/bin/env bash
# The demo (tools/demo.sh): build our x86_64 dbghelp.dll, then under Wine with
# our DLL next to each program
#   - crashhandler.exe: an unhandled-exception filter that walks the faulting
#     thread with SymInitialize(..., TRUE), SymFunctionTableAccess64,
#     SymGetModuleBase64 and SymFromAddr, printing module!symbol+offset;
#   - selfwalk.exe: a program walking its own stack with StackWalk64.
#
#   run-demo.sh <work-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

wine_init "$here/../.." "$1"
wine_build_dll
wine_log "building crashhandler.exe and selfwalk.exe (linked against mingw-w64's own libdbghelp.a)"
wine_build_src crashhandler "$WINE_SRC/tests/wine/crashhandler.c" -O2
wine_build_exe selfwalk -O2
wine_prefix

wine_log "running crashhandler.exe under Wine with our dbghelp.dll: it crashes on purpose"
echo
rc=0
wine_run "$WINE_WORK/crash.log" n crashhandler.exe || rc=$?
cat "$WINE_WORK/crash.log"
echo
# 42: the handler walked crash_c -> crash_b -> crash_a -> main and named them
[ "$rc" -eq 42 ] || wine_die "crashhandler.exe exited with status $rc (42 expected)"

wine_log "running selfwalk.exe under Wine with our dbghelp.dll (WINEDLLOVERRIDES=dbghelp=n)"
echo
rc=0
wine_run "$WINE_WORK/demo.log" n selfwalk.exe demo || rc=$?
cat "$WINE_WORK/demo.log"
[ -s "$WINE_WORK/demo.log.stderr" ] && cat "$WINE_WORK/demo.log.stderr" >&2
wine_finish
echo
if grep -q "Wine's builtin" "$WINE_WORK/demo.log"; then
  wine_die "Wine loaded its builtin dbghelp.dll instead of ours"
fi
[ "$rc" -eq 0 ] || wine_die "selfwalk.exe exited with status $rc"
wine_log "done: our dbghelp.dll walked walk_here -> level_c -> level_b -> level_a -> main"
