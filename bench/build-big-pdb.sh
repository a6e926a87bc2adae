#!/usr/bin/env bash
# Builds the PDB benchmark's image: make-big-c.py's program compiled by clang
# (x86_64-pc-windows-msvc, -O1 -g -gcodeview) and linked by lld-link into
# WORK/bigpdb.dll + WORK/bigpdb.pdb (no CRT, no entry point: the benchmark
# loads the image through SymLoadModuleEx and never runs it). Kept once built.
#
#   build-big-pdb.sh WORK [FILES [FUNCS]]        (defaults 40 x 1000)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 WORK [FILES [FUNCS]]" >&2; exit 2; }
work=$1 files=${2:-40} funcs=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
for tool in clang lld-link python3; do
    command -v "$tool" >/dev/null || { echo "build-big-pdb: $tool not found" >&2; exit 2; }
done
mkdir -p "$work"
if [ ! -f "$work/bigpdb.dll" ] || [ ! -f "$work/bigpdb.pdb" ]; then
    python3 "$here/make-big-c.py" "$work/csrc" "$files" "$funcs"
    ls "$work/csrc"/*.c | xargs -P2 -I{} clang --target=x86_64-pc-windows-msvc -O1 -g -gcodeview \
        -fno-stack-protector -fno-inline -c {} -o {}.obj
    lld-link /nologo /dll /noentry /debug /nodefaultlib /out:"$work/bigpdb.dll" \
        /pdb:"$work/bigpdb.pdb" "$work/csrc"/*.obj
fi
echo "PDB: $(stat -c %s "$work/bigpdb.pdb" | awk '{printf "%.1f MB", $1 / 1e6}')"
