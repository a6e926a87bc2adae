#!/usr/bin/env bash
# MiniDumpWriteDump and MiniDumpReadDumpStream under Wine (issue 13): a crash
# handler (minidump/dumpwriter.c) walks its crash with StackWalk64 and writes
# dumps of five kinds, once with our dbghelp.dll and once with Wine's builtin.
#   - ours writes every kind, and runs the callbacks (Thread, Module, Memory:
#     the marked buffer the Memory callback adds is in the dump);
#   - our dumps read back by Wine's builtin MiniDumpReadDumpStream and by
#     ours (minidump/dumpread.c) give the same streams and sizes, the user
#     stream included;
#   - dumpwalk (on Linux) walks the exception thread of our full-memory dump
#     and of the builtin's to exactly the PCs the handler's own StackWalk64
#     printed.
#
#   run-minidump-tests.sh <source-root> <work-dir> <dumpwalk>
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 <source-root> <work-dir> <dumpwalk>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
wine_init "$1" "$2"
dumpwalk=$3
wine_build_dll
wine_build_src dumpwriter "$WINE_SRC/tests/wine/minidump/dumpwriter.c" -O1
wine_build_src dumpread "$WINE_SRC/tests/wine/minidump/dumpread.c" -O1
wine_prefix
kinds=(normal rich full callback user)

for dll in n b; do
  dir=$WINE_BIN/dumps-$dll
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$WINE_BIN"/dumpwriter.exe "$WINE_BIN"/dumpread.exe "$WINE_BIN"/dbghelp.dll "$dir"/
  rc=0
  ( cd "$dir" && WINEDLLOVERRIDES="dbghelp=$dll" timeout 300 "$WINE" dumpwriter.exe "${kinds[@]}" ) \
    >"$WINE_WORK/writer.$dll.log" 2>&1 || rc=$?
  sed -i 's/\r$//' "$WINE_WORK/writer.$dll.log"
  echo "---- dumpwriter.exe with dbghelp=$dll (exit status $rc)"
  sed 's/^/    /' "$WINE_WORK/writer.$dll.log"
  [ "$rc" -eq 42 ] || wine_fail "dumpwriter.exe (dbghelp=$dll) exited with $rc, want 42"
  wine_finish
done

ours=$WINE_BIN/dumps-n log=$WINE_WORK/writer.n.log
for kind in "${kinds[@]}"; do
  if grep -q "^DUMP $kind written" "$log" && [ -s "$ours/$kind.dmp" ]; then
    wine_pass "ours wrote the $kind dump ($(stat -c %s "$ours/$kind.dmp") bytes)"
  else
    wine_fail "ours did not write the $kind dump: $(grep "^DUMP $kind" "$log" || echo no line)"
  fi
done
read -r _ _ memory _ thread _ module < <(grep '^CALLBACKS' "$log" || echo "CALLBACKS memory 0 thread 0 module 0")
if [ "${memory:-0}" -ge 1 ] && [ "${thread:-0}" -ge 1 ] && [ "${module:-0}" -ge 1 ]; then
  wine_pass "the callbacks ran (memory $memory, thread $thread, module $module)"
else
  wine_fail "the callbacks did not all run (memory ${memory:-?}, thread ${thread:-?}, module ${module:-?})"
fi
if grep -aq 'DBGWALK-MARKER-BUFFER' "$ours/callback.dmp" && ! grep -aq 'DBGWALK-MARKER-BUFFER' "$ours/normal.dmp"; then
  wine_pass "the Memory callback's buffer is in the callback dump (and not in the normal one)"
else
  wine_fail "the Memory callback's buffer is not where it belongs"
fi

dumps=(normal.dmp rich.dmp full.dmp callback.dmp user.dmp)
for dll in n b; do
  ( cd "$ours" && WINEDLLOVERRIDES="dbghelp=$dll" timeout 120 "$WINE" dumpread.exe "${dumps[@]}" ) \
    >"$WINE_WORK/read.$dll.log" 2>&1 || true
  sed -i 's/\r$//' "$WINE_WORK/read.$dll.log"
  wine_finish
done
if grep -q '^STREAM' "$WINE_WORK/read.b.log" && cmp -s "$WINE_WORK/read.n.log" "$WINE_WORK/read.b.log"; then
  wine_pass "our dumps: the same $(grep -c '^STREAM' "$WINE_WORK/read.n.log") streams and sizes through Wine's MiniDumpReadDumpStream and ours"
else
  wine_fail "our dumps read differently by Wine's MiniDumpReadDumpStream and ours:"
  diff "$WINE_WORK/read.b.log" "$WINE_WORK/read.n.log" | sed 's/^/    /' || true
fi
if grep -q '^USER user.dmp dbgwalk$' "$WINE_WORK/read.b.log"; then
  wine_pass "the user stream reads back through Wine's builtin"
else
  wine_fail "the user stream is missing"
fi

for dll in n b; do
  want=$(awk '/^PC / { print $2 }' "$WINE_WORK/writer.$dll.log" | sed 's/^0*//')
  got=$("$dumpwalk" "$WINE_BIN/dumps-$dll/full.dmp" 2>&1 |
        awk '/^exception/ { on = 1; next } on && /^  #/ { print $3; next } on { exit }' | sed 's/^0*//')
  who=$([ "$dll" = n ] && echo ours || echo "Wine's builtin")
  if [ -n "$want" ] && [ "$want" = "$got" ]; then
    wine_pass "dumpwalk walks $who full dump's exception thread to the handler's $(echo "$want" | wc -l) PCs"
  else
    wine_fail "dumpwalk on $who full dump: $(echo $got) vs the handler's $(echo $want)"
  fi
done
wine_verdict wine_minidump
