#!/usr/bin/env bash
# The not-yet-implemented exports under Wine: stubcalls.exe, linked against
# mingw-w64's own import library, runs with our dbghelp.dll next to it
# (WINEDLLOVERRIDES=dbghelp=n) and calls
#   - a handful of functions it imports through that library with their real
#     prototypes (SymGetLineFromAddr64, MiniDumpWriteDump, UnDecorateSymbolName,
#     ImageNtHeader, SymLoadModuleEx, SymSrvIsStore);
#   - every "stub" line of src/win/exports.txt through GetProcAddress.
# Each stub must return 0 (FALSE, NULL) with GetLastError() ==
# ERROR_CALL_NOT_IMPLEMENTED (120). A name of the first group that exports.txt
# no longer marks "stub" has been implemented: it is reported, not checked.
#
#   run-stub-tests.sh <source-root> <work-dir>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

wine_init "$1" "$2"
wine_build_dll
wine_build_src stubcalls "$WINE_SRC/tests/wine/stubcalls.c" -O2
wine_prefix

ERROR_CALL_NOT_IMPLEMENTED=120

exports=$WINE_SRC/src/win/exports.txt
awk '!/^[[:space:]]*#/ && $3 == "stub" { print $1 }' "$exports" >"$WINE_BIN/stubs.txt"
stubs=$(wc -l <"$WINE_BIN/stubs.txt")
echo "exports.txt: $stubs stubs"
is_stub() { grep -qx "$1" "$WINE_BIN/stubs.txt"; }

# The program imports its direct calls from dbghelp.dll, resolved through
# mingw-w64's libdbghelp.a.
direct=(SymGetLineFromAddr64 MiniDumpWriteDump UnDecorateSymbolName ImageNtHeader
        SymLoadModuleEx SymSrvIsStore)
imports=$(x86_64-w64-mingw32-objdump -p "$WINE_BIN/stubcalls.exe" 2>/dev/null |
          sed -n '/DLL Name: dbghelp.dll/,/^$/p' || true)
for name in "${direct[@]}"; do
  if grep -q " $name\$" <<<"$imports"; then
    wine_pass "stubcalls.exe imports $name from dbghelp.dll"
  elif ! command -v x86_64-w64-mingw32-objdump >/dev/null; then
    echo "NOTE: x86_64-w64-mingw32-objdump not found: imports not checked"; break
  else
    wine_fail "stubcalls.exe does not import $name from dbghelp.dll"
  fi
done

log=$WINE_WORK/stubcalls.log
rc=0
wine_run "$log" n stubcalls.exe stubs.txt || rc=$?
echo "---- stubcalls.exe with WINEDLLOVERRIDES=dbghelp=n (exit status $rc)"
grep -v '^PROC ' "$log" | sed 's/^/    /' || true
if [ -s "$log.stderr" ]; then
  echo "    stderr:"; sed 's/^/      /' "$log.stderr"
fi
[ "$rc" -eq 0 ] || wine_fail "stubcalls.exe exited with $rc"
# Wine's console output ends lines with CR LF.
sed -i 's/\r$//' "$log"

# It ran with ours: the dbghelp.dll next to it, not Wine's builtin.
dll=$(wine_field "$log" DBGHELP)
if [ "${dll##*\\}" = "dbghelp.dll" ] && [ "$(sed -n 's/^DBGHELP_BUILTIN //p' "$log")" = 0 ]; then
  wine_pass "loaded our dbghelp.dll ($dll)"
else
  wine_fail "did not load our dbghelp.dll (DBGHELP '$dll')"
fi

check() { # kind name result error
  if [ "$3" = MISSING ]; then
    wine_fail "$2: GetProcAddress found no such export"
  elif [ "$3" = 0x0 ] && [ "$4" = "$ERROR_CALL_NOT_IMPLEMENTED" ]; then
    [ "$1" = CALL ] && wine_pass "$2 returned 0 with ERROR_CALL_NOT_IMPLEMENTED"
    return 0
  else
    wine_fail "$2 returned $3 with last error $4 (want 0x0 and $ERROR_CALL_NOT_IMPLEMENTED)"
  fi
}

for name in "${direct[@]}"; do
  read -r _ _ result error < <(grep -m1 "^CALL $name " "$log" || echo "CALL $name none none")
  if [ "$result" = none ]; then
    wine_fail "$name was not called (no CALL line)"
  elif is_stub "$name"; then
    check CALL "$name" "$result" "$error"
  else
    echo "NOTE: $name is implemented now (returned $result, last error $error): not checked"
  fi
done

checked=0
ok=0
while read -r _ name result error; do
  checked=$((checked + 1))
  if check PROC "$name" "$result" "${error:-}"; then ok=$((ok + 1)); fi
done < <(grep '^PROC ' "$log" || true)
if [ "$checked" -eq "$stubs" ] && [ "$ok" -eq "$stubs" ]; then
  wine_pass "all $stubs stubs, called by name, returned 0 with ERROR_CALL_NOT_IMPLEMENTED"
elif [ "$checked" -ne "$stubs" ]; then
  wine_fail "called $checked stubs by name, exports.txt has $stubs"
fi

wine_verdict wine_stubs
