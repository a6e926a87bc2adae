#!/usr/bin/env bash
# The drop-in test under Wine: a Windows program linked against mingw-w64's
# own import library walks its own stack with StackWalk64, once with our
# dbghelp.dll next to it (WINEDLLOVERRIDES=dbghelp=n) and once with Wine's
# builtin one (dbghelp=b).
#
#   run-wine-tests.sh <source-root> <work-dir>
#
# Each run must pass selfwalk's own checks (see selfwalk.c). The run with ours
# must really have loaded ours: the dbghelp.dll next to the exe, not a Wine
# builtin, and the mapped image must be that file. Both runs must give the
# same PCs for every frame up to and including main; the frames after main
# (CRT start-up, kernel32, ntdll) are printed but not compared.
# selfwalk is built twice: -O2 and -O0 (frame-pointer prologs).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

wine_init "$1" "$2"
wine_build_dll
wine_prefix

run_one() { # variant override log
  local variant=$1 override=$2 log=$3 rc=0
  wine_run "$log" "$override" "$variant.exe" || rc=$?
  echo "---- $variant.exe with WINEDLLOVERRIDES=dbghelp=$override (exit status $rc)"
  grep -v '^PC ' "$log" | sed 's/^/    /' || true
  if [ -s "$log.stderr" ]; then
    echo "    stderr:"; sed 's/^/      /' "$log.stderr"
  fi
  [ "$rc" -eq 0 ] || wine_fail "$variant.exe (dbghelp=$override) exited with $rc"
  grep -qx 'RESULT PASS' "$log" || wine_fail "$variant.exe (dbghelp=$override): selfwalk's checks failed"
}

for variant in selfwalk-O2 selfwalk-O0; do
  case $variant in
    *-O2) wine_build_exe "$variant" -O2 ;;
    *-O0) wine_build_exe "$variant" -O0 ;;
  esac
  ours=$WINE_WORK/$variant.ours.log
  builtin=$WINE_WORK/$variant.builtin.log

  echo "==== $variant.exe: our dbghelp.dll (dbghelp=n)"
  run_one "$variant" n "$ours"
  exe=$(wine_field "$ours" EXE) dll=$(wine_field "$ours" DBGHELP)
  exe_dir=${exe%\\*} dll_dir=${dll%\\*}
  echo "  loaded: $dll (exe in $exe_dir)"
  if [ "${exe_dir,,}" != "${dll_dir,,}" ] || [ "${dll##*\\}" != "dbghelp.dll" ]; then
    wine_fail "$variant.exe (dbghelp=n) loaded '$dll', not the dbghelp.dll next to the exe"
  fi
  [ "$(wine_field "$ours" DBGHELP_BUILTIN)" = 0 ] ||
    wine_fail "$variant.exe (dbghelp=n) loaded a Wine builtin dbghelp.dll, not ours"
  [ "$(wine_field "$ours" DBGHELP_MATCHES_FILE)" = 1 ] ||
    wine_fail "$variant.exe (dbghelp=n): the loaded dbghelp.dll's headers are not our file's"

  echo "==== $variant.exe: Wine's builtin dbghelp.dll (dbghelp=b)"
  run_one "$variant" b "$builtin"
  [ "$(wine_field "$builtin" DBGHELP_BUILTIN)" = 1 ] ||
    wine_fail "$variant.exe (dbghelp=b) did not load Wine's builtin dbghelp.dll"

  wine_compare_to_main "$variant" "$ours" "$builtin"
  after_ours=$(awk '/^PC /{ if (m) print $4; if ($5 == "main") m = 1 }' "$ours" | tr '\n' ' ')
  after_builtin=$(awk '/^PC /{ if (m) print $4; if ($5 == "main") m = 1 }' "$builtin" | tr '\n' ' ')
  echo "    after main (not compared): ours:    ${after_ours:-none}"
  echo "                               builtin: ${after_builtin:-none}"
done

wine_verdict wine_dropin
