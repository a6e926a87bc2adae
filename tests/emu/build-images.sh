#!/bin/sh
# Builds one test image of the emulator proof and checks it has unwind data.
#
#   build-images.sh <arch> <toolchain> <opt> <outdir>
#     arch:      x64 | arm64 | x86
#     toolchain: clang (MSVC target, lld-link) | mingw (mingw-w64 gcc)
#     opt:       O0 | O1 | O2 | Os, optionally with -fp or -nofp appended
#                (-fno-omit-frame-pointer / -fomit-frame-pointer; x86 uses both)
# Writes <outdir>/<arch>_<toolchain>_<opt>.exe. Tools come from the
# environment (CLANG, LLD_LINK, LLVM_READOBJ, MINGW_X64_GCC, MINGW_X86_GCC),
# defaulting to their usual names.
set -eu

arch=$1 toolchain=$2 opt=$3 outdir=$4
here=$(cd "$(dirname "$0")" && pwd)
programs=$here/programs
name=${arch}_${toolchain}_${opt}
work=$outdir/$name.d
image=$outdir/$name.exe
CLANG=${CLANG:-clang}
LLD_LINK=${LLD_LINK:-lld-link}
LLVM_READOBJ=${LLVM_READOBJ:-llvm-readobj}
lld_extra=

# Every image is linked at a fixed base with no imports (and no relocations
# except on ARM64, which must be relocatable: it is loaded at its base), so
# the runner's loader only maps headers and sections.
case $arch in
  x64)   clang_target=x86_64-pc-windows-msvc;  lld_machine=x64;   mingw_gcc=${MINGW_X64_GCC:-x86_64-w64-mingw32-gcc}
         base=0x140000000; entry=emu_entry ;;
  arm64) clang_target=aarch64-pc-windows-msvc; lld_machine=arm64; mingw_gcc=
         base=0x140000000; entry=emu_entry
         fixed= ;; # lld-link: ARM64 images must be relocatable; loaded at their base anyway
  x86)   clang_target=i686-pc-windows-msvc;    lld_machine=x86;   mingw_gcc=${MINGW_X86_GCC:-i686-w64-mingw32-gcc}
         base=0x400000;    entry=_emu_entry; lld_extra=/safeseh:no ;;
  *) echo "unknown arch $arch" >&2; exit 2 ;;
esac
fixed=${fixed-/dynamicbase:no /fixed}
level=${opt%%-*}
case $level in O0|O1|O2|Os) ;; *) echo "unknown optimisation level $opt" >&2; exit 2 ;; esac
case ${opt#"$level"} in
  "")     fp_flag= ;;
  -fp)    fp_flag=-fno-omit-frame-pointer ;;
  -nofp)  fp_flag=-fomit-frame-pointer ;;
  -nofp-pdb) fp_flag=-fomit-frame-pointer pdb=1 ;; # clang: CodeView + a PDB with FrameData
  *) echo "unknown variant in $opt" >&2; exit 2 ;;
esac

rm -rf "$work"
mkdir -p "$work"
common="-ffreestanding -fno-builtin -fno-stack-protector -fasynchronous-unwind-tables -$level $fp_flag -g0"
pdb=${pdb:-0}
debug=/debug:symtab
if [ "$pdb" = 1 ]; then
  [ "$toolchain" = clang ] || { echo "-pdb needs the clang toolchain" >&2; exit 2; }
  # lld-link writes either a PDB or a COFF symbol table: the PDB here
  common="$common -g -gcodeview"
  debug="/debug /pdb:$outdir/$name.pdb"
fi

case $toolchain in
  clang)
    "$CLANG" --target=$clang_target $common -c "$programs/walkprog.c" -o "$work/walkprog.obj"
    "$CLANG" --target=$clang_target -c "$programs/${arch}_special.S" -o "$work/special.obj"
    "$LLD_LINK" /nologo /entry:emu_entry /nodefaultlib /subsystem:console $fixed \
        /base:$base /machine:$lld_machine $lld_extra $debug /out:"$image" \
        "$work/walkprog.obj" "$work/special.obj"
    ;;
  mingw)
    [ -n "$mingw_gcc" ] || { echo "no mingw-w64 gcc for $arch" >&2; exit 2; }
    "$mingw_gcc" $common -nostdlib -nostartfiles -e $entry \
        -Wl,--image-base,$base -Wl,--disable-dynamicbase -Wl,--disable-reloc-section \
        -o "$image" "$programs/walkprog.c" "$programs/${arch}_special.S"
    ;;
  *) echo "unknown toolchain $toolchain" >&2; exit 2 ;;
esac

# The proof is worthless without unwind data (x64/ARM64 .pdata).
if [ "$arch" != x86 ]; then
  "$LLVM_READOBJ" --sections "$image" > "$work/sections.txt"
  if ! grep -q "Name: .pdata" "$work/sections.txt"; then
    echo "$image has no .pdata section" >&2
    exit 1
  fi
  "$LLVM_READOBJ" --unwind "$image" > "$work/unwind.txt"
  count=$(grep -c "RuntimeFunction {" "$work/unwind.txt" || true)
  echo "$image: $count RUNTIME_FUNCTION entries"
  [ "$count" -gt 0 ] || { echo "$image: empty .pdata" >&2; exit 1; }
  # The C functions must have unwind data too (clang drops it under
  # -ffreestanding unless asked): run_all certainly has a prolog.
  if ! grep -q -e "StartAddress: run_all " -e "Function: run_all " "$work/unwind.txt"; then
    echo "$image: the C code has no unwind data" >&2
    exit 1
  fi
fi

# x86 images carry no unwind data; the hand-written functions' FPO_DATA is in
# .emufpo (served by the runner's function-table routine).
if [ "$arch" = x86 ]; then
  "$LLVM_READOBJ" --sections "$image" > "$work/sections.txt"
  if ! grep -q "Name: .emufpo" "$work/sections.txt"; then
    echo "$image has no .emufpo section" >&2
    exit 1
  fi
  echo "$image: built"
fi

# -pdb: the functions the PDB has FrameData for, as llvm-pdbutil (not our
# reader) lists them: "RVA SIZE PROLOG" per record that starts a function,
# for the runner's --framedata.
if [ "$pdb" = 1 ]; then
  LLVM_PDBUTIL=${LLVM_PDBUTIL:-llvm-pdbutil}
  "$LLVM_PDBUTIL" dump -fpo "$outdir/$name.pdb" > "$work/fpo.txt"
  awk '/New FPO Data/ { new = 1; next }
       new && $2 == "|" && $19 == "true" { print $1, $3, $11 }' "$work/fpo.txt" \
      > "$outdir/$name.framedata"
  count=$(wc -l < "$outdir/$name.framedata")
  echo "$image: $count functions with FrameData"
  [ "$count" -gt 0 ] || { echo "$image: no FrameData in its PDB" >&2; exit 1; }
fi
