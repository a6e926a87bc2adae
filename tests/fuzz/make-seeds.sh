#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into OUT-DIR (the build runs it,
# so seeds always follow the current input formats and sources):
#   walk/  each bundled stack snapshot (samples/*.dwsnap) behind knob bytes
#          choosing the read behaviour, API, table routines and machine;
#   sym/   small PE images from the unit tests' PE builder (make_sym_seeds.c).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUT-DIR [CORPUS-DIR]" >&2; exit 2; }
corpus=${2:-}
mkdir -p "$1"
seeds=$(cd "$1" && pwd)
rm -rf "$seeds/walk" "$seeds/sym" "$seeds/minidump" "$seeds/pdb"
mkdir -p "$seeds/walk" "$seeds/sym" "$seeds/minidump" "$seeds/pdb"

# knobs: read behaviour, fail-after, api, table routines, machine, 3 spare
knob() { printf "$(printf '\\x%02x' "$@")"; }
for f in "$root"/samples/*.dwsnap; do
  name=$(basename "$f" .dwsnap)
  { knob 1 0 0 0 0 0 0 0; cat "$f"; } > "$seeds/walk/$name-rpm-own"
  { knob 2 0 1 2 0 0 0 0; cat "$f"; } > "$seeds/walk/$name-capped-ex-null"
  { knob 5 40 2 1 0 0 0 0; cat "$f"; } > "$seeds/walk/$name-failing-2-sym"
done
# another machine's walk over these modules (a WOW64 debugger's x86 walk)
{ knob 1 0 0 0 3 0 0 0; cat "$root/samples/x64-clang-O2.dwsnap"; } > "$seeds/walk/x64-as-x86"
{ knob 1 0 0 0 1 0 0 0; cat "$root/samples/arm64-clang-O2.dwsnap"; } > "$seeds/walk/arm64-as-x64"
# ... and the same through our own symbol services, which hold each module's
# table in its own machine's format
{ knob 1 0 0 2 3 0 0 0; cat "$root/samples/x64-clang-O2.dwsnap"; } > "$seeds/walk/x64-as-x86-sym"
{ knob 1 0 0 1 1 0 0 0; cat "$root/samples/arm64-clang-O2.dwsnap"; } > "$seeds/walk/arm64-as-x64-sym"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -std=c11 -O1 -o "$tmp/make_sym_seeds" "$here/make_sym_seeds.c" "$root/tests/unit/pe_builder.c"
"$tmp/make_sym_seeds" "$seeds/sym"
# minidump/: the real dumps of ../shared/corpus when present (a bare clone
# has none), and always a minimal well-formed dump: the header, and a
# SystemInfo stream (x64) so the reader gets past the machine check.
if [ -n "$corpus" ] && [ -d "$corpus/minidumps" ]; then
  cp "$corpus"/minidumps/*.dmp "$seeds/minidump/"
fi
{
  # MINIDUMP_HEADER: 'MDMP', version 0xA793, 1 stream, directory at 32
  knob 0x4D 0x44 0x4D 0x50 0x93 0xA7 0 0; knob 1 0 0 0 32 0 0 0; knob 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
  # the directory entry: SystemInfoStream (7), 56 bytes at 44
  knob 7 0 0 0 56 0 0 0 44 0 0 0
  # MINIDUMP_SYSTEM_INFO: ProcessorArchitecture 9 (AMD64), the rest zero
  knob 9 0; for _ in $(seq 54); do knob 0; done
} > "$seeds/minidump/minimal-x64"

# pdb/: PDBs clang and lld-link make of the PDB tests' program (x64 and x86,
# inlining on), a knob prefix each. (The corpus's 1 MB crash.pdb would slow
# every execution thirtyfold; the PDB tests mutate it instead.)
if command -v clang >/dev/null && command -v lld-link >/dev/null; then
  for arch in x86_64 i686; do
    clang --target=$arch-pc-windows-msvc -O2 -g -gcodeview -fno-stack-protector \
      -c "$root/tests/pdb/programs/main.c" -o "$tmp/main-$arch.obj"
    clang --target=$arch-pc-windows-msvc -O2 -g -gcodeview -fno-stack-protector \
      -c "$root/tests/pdb/programs/shapes.c" -o "$tmp/shapes-$arch.obj"
    lld-link /nologo /debug /entry:mainCRTStartup /subsystem:console /nodefaultlib \
      /out:"$tmp/prog-$arch.exe" /pdb:"$tmp/prog-$arch.pdb" "$tmp/main-$arch.obj" \
      "$tmp/shapes-$arch.obj" >/dev/null
    { knob 0 1 0 0 0 0 0 0; cat "$tmp/prog-$arch.pdb"; } > "$seeds/pdb/clang-$arch"
  done
fi
# dwarf/: small DLLs mingw-w64 gcc makes of the DWARF tests' util.c (no CRT,
# so each is a few kilobytes): x64 DWARF 4 and 5, x86 DWARF 4, a knob prefix
# each (the DWARF tests mutate the full programs).
rm -rf "$seeds/dwarf"
mkdir -p "$seeds/dwarf"
for target in x86_64:4 x86_64:5 i686:4; do
  arch=${target%:*} version=${target#*:}
  if command -v "$arch-w64-mingw32-gcc" >/dev/null &&
     "$arch-w64-mingw32-gcc" -O2 -gdwarf-$version -nostdlib -shared \
       "$root/tests/dwarf/programs/util.c" -o "$tmp/util-$arch-$version.dll" 2>/dev/null; then
    { knob 0 1 0 0 0 0 0 0; cat "$tmp/util-$arch-$version.dll"; } > "$seeds/dwarf/gcc-$arch-dwarf$version"
  fi
done
echo "seeds: $(ls "$seeds/dwarf" | wc -l) dwarf, $(ls "$seeds/pdb" | wc -l) pdb, $(ls "$seeds/minidump" | wc -l) minidump, $(ls "$seeds/walk" | wc -l) walk, $(ls "$seeds/sym" | wc -l) sym"

# undname/: a few decorated names, a knob byte each (flags, output size).
rm -rf "$seeds/undname" && mkdir -p "$seeds/undname"
printf '\000?f@A@@QEBAHH@Z' >"$seeds/undname/member"
printf '\000??_7A@@6B@' >"$seeds/undname/vftable"
printf '\020?g@@YAP6AHH@ZXZ' >"$seeds/undname/fnptr"
