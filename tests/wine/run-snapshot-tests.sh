#!/usr/bin/env bash
# The bundled stack snapshots (samples/*.dwsnap: x64, ARM64 and x86 states of
# the emulator proof's programs) walked by our x86_64 dbghelp.dll under Wine:
# snapwalk.exe, linked against mingw-w64's own import library, feeds each
# snapshot through its own callbacks, so an x64 DLL walks ARM64 and x86
# stacks exactly as the Linux build does. Wine's builtin is run on the same
# files for comparison only (it is not expected to walk other machines).
#
#   run-snapshot-tests.sh <source-root> <work-dir>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <source-root> <work-dir>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

wine_init "$1" "$2"
shopt -s nullglob
samples=("$WINE_SRC"/samples/*.dwsnap)
[ ${#samples[@]} -gt 0 ] || wine_die "no samples/*.dwsnap"
wine_build_dll
wine_build_src snapwalk "$WINE_SRC/tools/snapwalk/snapwalk.c" -O2 "$WINE_SRC/tools/snapwalk/snapshot.c"
mkdir -p "$WINE_BIN/samples"
names=()
for f in "${samples[@]}"; do
  cp -f "$f" "$WINE_BIN/samples/"
  names+=("samples/$(basename "$f")")
done
wine_prefix

rc=0
wine_run "$WINE_WORK/ours.log" n snapwalk.exe "${names[@]}" || rc=$?
cat "$WINE_WORK/ours.log"
wine_run "$WINE_WORK/builtin.log" b snapwalk.exe -q "${names[@]}" || true
wine_finish
echo "[wine] for comparison, Wine's builtin dbghelp.dll on the same snapshots:"
grep -E 'frames' "$WINE_WORK/builtin.log" | sed 's/^/[wine]   /' || true
[ "$rc" -eq 0 ] || wine_die "our dbghelp.dll did not walk every snapshot as expected (status $rc)"
wine_log "PASS: our x86_64 dbghelp.dll walked ${#names[@]} snapshots (x64, ARM64, x86) exactly"
