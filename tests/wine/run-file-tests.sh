#!/usr/bin/env bash
# The file-finding and symbol-store index functions with our dbghelp.dll under
# Wine (the Windows code paths: CreateFileA handles, GetFileAttributesA, `\`
# separators): tests/pdb/file_find_query.c built with mingw-w64 against its
# own import library, run through tests/pdb/run-file-tests.sh, which checks
# it against llvm-readobj and llvm-pdbutil and the stores it lays out.
# Paths are compared with `\` read as `/`.
#
#   run-file-tests.sh <source-root> <work-dir> <corpus>
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 <source-root> <work-dir> <corpus>" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

for tool in clang lld-link llvm-readobj llvm-pdbutil; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: $tool missing"; exit 0; }
done
corpus=$3
case "$corpus" in /*) ;; *) corpus=$PWD/$corpus ;; esac
wine_init "$1" "$2"
wine_build_dll
wine_build_src file_find_query "$WINE_SRC/tests/pdb/file_find_query.c" -O1 \
  -I"$WINE_SRC/include"
wine_prefix

wrapper=$WINE_WORK/file_find_query.sh
cat >"$wrapper" <<EOS
#!/usr/bin/env bash
WINEDLLOVERRIDES=dbghelp=n timeout 120 "$WINE" "$WINE_BIN/file_find_query.exe" "\$@" |
  tr -d '\r' | tr '\\\\' /
EOS
chmod +x "$wrapper"
rc=0
bash "$WINE_SRC/tests/pdb/run-file-tests.sh" "$wrapper" "$WINE_SRC/tests/pdb" \
  "$WINE_WORK/files" "$corpus" || rc=$?
wine_finish
[ "$rc" -eq 0 ] && echo "wine_files: PASS" || echo "wine_files: FAIL"
exit "$rc"
