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

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

field() { # log key -> the value of "KEY value"
  sed -n "s/^$2 //p" "$1" | head -n1
}

# "PC <index> <pc> <module+rva> <label>" lines of one run, up to and including main.
pcs_to_main() {
  awk '/^PC / { print $2, $3, $5; if ($5 == "main") exit }' "$1"
}

run_one() { # variant override log
  local variant=$1 override=$2 log=$3 rc=0
  wine_run "$log" "$override" "$variant.exe" || rc=$?
  echo "---- $variant.exe with WINEDLLOVERRIDES=dbghelp=$override (exit status $rc)"
  grep -v '^PC ' "$log" | sed 's/^/    /' || true
  if [ -s "$log.stderr" ]; then
    echo "    stderr:"; sed 's/^/      /' "$log.stderr"
  fi
  [ "$rc" -eq 0 ] || fail "$variant.exe (dbghelp=$override) exited with $rc"
  grep -qx 'RESULT PASS' "$log" || fail "$variant.exe (dbghelp=$override): selfwalk's checks failed"
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
  exe=$(field "$ours" EXE) dll=$(field "$ours" DBGHELP)
  exe_dir=${exe%\\*} dll_dir=${dll%\\*}
  echo "  loaded: $dll (exe in $exe_dir)"
  if [ "${exe_dir,,}" != "${dll_dir,,}" ] || [ "${dll##*\\}" != "dbghelp.dll" ]; then
    fail "$variant.exe (dbghelp=n) loaded '$dll', not the dbghelp.dll next to the exe"
  fi
  [ "$(field "$ours" DBGHELP_BUILTIN)" = 0 ] ||
    fail "$variant.exe (dbghelp=n) loaded a Wine builtin dbghelp.dll, not ours"
  [ "$(field "$ours" DBGHELP_MATCHES_FILE)" = 1 ] ||
    fail "$variant.exe (dbghelp=n): the loaded dbghelp.dll's headers are not our file's"

  echo "==== $variant.exe: Wine's builtin dbghelp.dll (dbghelp=b)"
  run_one "$variant" b "$builtin"
  [ "$(field "$builtin" DBGHELP_BUILTIN)" = 1 ] ||
    fail "$variant.exe (dbghelp=b) did not load Wine's builtin dbghelp.dll"

  echo "==== $variant.exe: PCs up to and including main, ours vs Wine's builtin"
  pcs_to_main "$ours" >"$ours.pcs"
  pcs_to_main "$builtin" >"$builtin.pcs"
  awk 'FILENAME == ARGV[1] { o[FNR] = $2; of[FNR] = $3; n = FNR; next }
       { b[FNR] = $2; bf[FNR] = $3; if (FNR > n) n = FNR }
       END {
         printf "    %-3s %-20s %-10s %-20s %-10s\n", "#", "ours", "", "builtin", ""
         for (i = 1; i <= n; i++)
           printf "    %-3d %-20s %-10s %-20s %-10s %s\n", i - 1, o[i] ? o[i] : "-", of[i],
                  b[i] ? b[i] : "-", bf[i], (o[i] == b[i] && of[i] == bf[i]) ? "same" : "DIFFERENT"
       }' "$ours.pcs" "$builtin.pcs"
  if ! grep -q ' main$' "$ours.pcs"; then
    fail "$variant.exe: our walk did not reach main"
  elif ! grep -q ' main$' "$builtin.pcs"; then
    fail "$variant.exe: Wine's builtin walk did not reach main"
  elif ! cmp -s "$ours.pcs" "$builtin.pcs"; then
    fail "$variant.exe: our PCs up to main differ from Wine's builtin"
  else
    echo "    identical up to and including main ($(wc -l <"$ours.pcs") frames)"
  fi
  after_ours=$(awk '/^PC /{ if (m) print $4; if ($5 == "main") m = 1 }' "$ours" | tr '\n' ' ')
  after_builtin=$(awk '/^PC /{ if (m) print $4; if ($5 == "main") m = 1 }' "$builtin" | tr '\n' ' ')
  echo "    after main (not compared): ours:    ${after_ours:-none}"
  echo "                               builtin: ${after_builtin:-none}"
done

wine_finish
if [ "$failures" -ne 0 ]; then
  echo "wine_dropin: $failures failure(s)"
  exit 1
fi
echo "wine_dropin: PASS"
