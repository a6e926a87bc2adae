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
#     printed;
#   - dumpwalk -i finds the program's image in a symbol-store layout
#     (name/TIMESTAMPSIZE/name), skips a same-named image whose timestamp and
#     size are not the dump's, and walks our normal dump (no images in it)
#     through the program's frames to the handler's PCs; --json validates.
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
  # a dump of another process, written from outside
  ( cd "$dir" && WINEDLLOVERRIDES="dbghelp=$dll" timeout 300 "$WINE" dumpwriter.exe watch ) \
    >"$WINE_WORK/watch.$dll.log" 2>&1 || true
  sed -i 's/\r$//' "$WINE_WORK/watch.$dll.log"
  echo "---- dumpwriter.exe watch with dbghelp=$dll"
  sed 's/^/    /' "$WINE_WORK/watch.$dll.log"
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

if grep -q '^WATCHED [0-9]* written' "$WINE_WORK/watch.n.log" && [ -s "$ours/watched.dmp" ]; then
  wine_pass "ours wrote a dump of another process from a watcher ($(stat -c %s "$ours/watched.dmp") bytes)"
else
  wine_fail "ours did not write the watcher's dump: $(grep '^WATCHED' "$WINE_WORK/watch.n.log" || echo no line)"
fi

dumps=(normal.dmp rich.dmp full.dmp callback.dmp user.dmp watched.dmp)
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
# Out-of-range entries: a copy of our normal dump whose ThreadList claims
# 256 MB, and one whose directory lies past the end. Our MiniDumpReadDumpStream
# bounds both by the mapping (VirtualQuery) and refuses them; the other
# streams still read.
python3 - "$ours/normal.dmp" "$ours/bad-size.dmp" "$ours/bad-dir.dmp" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
count, rva = struct.unpack_from('<II', b, 8)
big = bytearray(b)
for i in range(count):
    if struct.unpack_from('<I', big, rva + 12 * i)[0] == 3:
        struct.pack_into('<I', big, rva + 12 * i + 4, 0x10000000)
open(sys.argv[2], 'wb').write(big)
far = bytearray(b)
struct.pack_into('<I', far, 12, len(b) + 0x100000)
open(sys.argv[3], 'wb').write(far)
PY
( cd "$ours" && WINEDLLOVERRIDES="dbghelp=n" timeout 120 "$WINE" dumpread.exe bad-size.dmp bad-dir.dmp ) \
  >"$WINE_WORK/read-bad.log" 2>&1 || true
wine_finish
sed -i 's/\r$//' "$WINE_WORK/read-bad.log"
good=$(grep -c '^STREAM normal.dmp' "$WINE_WORK/read.n.log" || true)
if grep -q '^STREAM bad-size.dmp 4 ' "$WINE_WORK/read-bad.log" &&
   ! grep -q '^STREAM bad-size.dmp 3 ' "$WINE_WORK/read-bad.log" &&
   ! grep -q '^STREAM bad-dir.dmp' "$WINE_WORK/read-bad.log" &&
   [ "$(grep -c '^STREAM bad-size.dmp' "$WINE_WORK/read-bad.log")" -eq $((good - 1)) ]; then
  wine_pass "MiniDumpReadDumpStream refuses a stream and a directory past the mapping; the other $((good - 1)) streams read"
else
  wine_fail "MiniDumpReadDumpStream on out-of-range entries:"
  sed 's/^/    /' "$WINE_WORK/read-bad.log" | head -n 30
fi

# -i: the image of dumpwriter.exe in a local symbol store, a decoy of the same
# name (another program) in a plain directory before it on the path.
index=$(python3 - "$WINE_BIN/dumpwriter.exe" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
pe = struct.unpack_from('<I', b, 0x3c)[0]
print('%08X%x' % (struct.unpack_from('<I', b, pe + 8)[0], struct.unpack_from('<I', b, pe + 24 + 56)[0]))
PY
)
store=$WINE_WORK/store decoy=$WINE_WORK/decoy
rm -rf "$store" "$decoy"
mkdir -p "$store/dumpwriter.exe/$index" "$decoy"
cp "$WINE_BIN/dumpwriter.exe" "$store/dumpwriter.exe/$index/"
cp "$WINE_BIN/dumpread.exe" "$decoy/dumpwriter.exe"
"$dumpwalk" -i "$decoy;$store" "$ours/normal.dmp" >"$WINE_WORK/store.txt" 2>"$WINE_WORK/store.err" || true
want=$(awk '/^PC / { print $2 }' "$WINE_WORK/writer.n.log" | sed 's/^0*//')
got=$(awk '/^exception/ { on = 1; next } on && /^  #/ && $6 ~ /^dumpwriter/ { print $3; next } on { exit }' \
      "$WINE_WORK/store.txt" | sed 's/^0*//')
prefix=$(echo "$want" | head -n "$(echo "$got" | grep -c .)")
if grep -q "decoy/dumpwriter.exe is not the image of" "$WINE_WORK/store.err" &&
   grep -q "images: 1 of" "$WINE_WORK/store.txt" && [ "$(echo "$got" | grep -c .)" -ge 3 ] &&
   [ "$got" = "$prefix" ]; then
  wine_pass "dumpwalk -i: the image from the store ($index), the decoy skipped; $(echo "$got" | grep -c .) program frames of the normal dump = the handler's"
else
  wine_fail "dumpwalk -i with a store: frames $(echo $got) vs the handler's $(echo $want)"
  sed 's/^/    /' "$WINE_WORK/store.err" "$WINE_WORK/store.txt" | head -n 40
fi
# the watched sleeper: its main thread waits in dw_sleep, called from main
system=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
"$dumpwalk" -i "$store;$system" "$ours/watched.dmp" >"$WINE_WORK/watched.txt" 2>"$WINE_WORK/watched.err" || true
if awk '/^thread 0 / { on = 1; next } /^(thread|exception) / { on = 0 } on && /^  #/' "$WINE_WORK/watched.txt" |
     grep -q 'dumpwriter!dw_sleep+'; then
  wine_pass "dumpwalk walks the watched process's main thread into dw_sleep"
else
  wine_fail "dumpwalk on the watcher's dump does not reach dw_sleep:"
  sed 's/^/    /' "$WINE_WORK/watched.err" "$WINE_WORK/watched.txt" | head -n 30
fi
"$dumpwalk" --json -i "$store" "$ours"/*.dmp "$WINE_BIN"/dumps-b/*.dmp >"$WINE_WORK/dumps.json" 2>/dev/null || true
if python3 "$WINE_SRC/tools/dumpwalk/validate_json.py" "$WINE_SRC/tools/dumpwalk/dumpwalk.schema.json" \
     "$WINE_WORK/dumps.json" >"$WINE_WORK/validate.txt" 2>&1; then
  wine_pass "dumpwalk --json of every dump written validates against its schema"
else
  wine_fail "dumpwalk --json: $(cat "$WINE_WORK/validate.txt")"
fi
wine_verdict wine_minidump
