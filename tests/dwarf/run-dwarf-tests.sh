#!/usr/bin/env bash
# The DWARF reader against independent oracles:
#   1. programs/ built by mingw-w64 gcc (x86_64 and i686, C) and g++ (x86_64,
#      C++) at -O0 and -O2 with -gdwarf-4 and -gdwarf-5, and by clang
#      --target=x86_64-w64-mingw32 (C -gdwarf-5, C++ -gdwarf-4; linked by
#      lld); at every
#      instruction of .text (llvm-objdump), our reader's names, files, lines
#      and inline chains (dwarf_query) equal llvm-symbolizer --inlines, and
#      for answers without inline frames addr2line -f -i (compare.py says
#      which differences are explained and how);
#   2. a stripped image whose DWARF lives in a separate file named by
#      .gnu_debuglink answers as the unstripped one; a wrong CRC is refused;
#   3. the demangler prints names as llvm-cxxfilt does;
#   4. eight threads asking one fresh reader get one thread's answers;
#   5. malformed DWARF (dwarf_mutate): every mutant opens or fails cleanly.
#
#   run-dwarf-tests.sh <dwarf_query> <dwarf_mutate> <source-dir> <work-dir>
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 QUERY MUTATE SOURCE WORK" >&2; exit 2; }
query=$1 mutate=$2 src=$3 work=$4
mkdir -p "$work"
failures=0 passes=0 skips=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "SKIPPED: $*"; skips=$((skips + 1)); }
p=$src/programs

# compare NAME IMAGE BASE ADDR2LINE [-C]
compare() {
  local name=$1 image=$2 base=$3 addr2line=$4 demangle=${5:-} dir
  dir=$(dirname "$image")
  llvm-objdump -d --no-show-raw-insn "$image" |
    grep -oE '^ *[0-9a-f]+:' | tr -d ' :' | sed 's/^/0x/' > "$dir/addresses"
  "$query" "$image" "$base" < "$dir/addresses" > "$dir/ours"
  local i386=
  # llvm-symbolizer shows i386 names without their leading '_'
  [ "$base" = 0x400000 ] && i386=--i386
  llvm-symbolizer --obj="$image" --inlines < "$dir/addresses" > "$dir/theirs"
  "$addr2line" -f -i -a $demangle -e "$image" < "$dir/addresses" > "$dir/addr2line"
  if result=$(python3 "$src/compare.py" "$dir/addresses" "$dir/ours" "$dir/theirs" \
                "$dir/addr2line" $i386); then
    pass "$name: every instruction: $result"
  else
    fail "$name: $result"
  fi
}

build_gcc() { # arch lang opt dwarf
  local arch=$1 lang=$2 opt=$3 version=$4 dir=$work/$1-$2-$3-dwarf$4
  mkdir -p "$dir"
  if [ "$lang" = c ]; then
    "$arch-w64-mingw32-gcc" -$opt -gdwarf-$version "$p/main.c" "$p/util.c" -o "$dir/prog.exe"
  else
    "$arch-w64-mingw32-g++" -$opt -gdwarf-$version "$p/shapes.cpp" -o "$dir/prog.exe"
  fi
  echo "$dir/prog.exe"
}

for arch in x86_64 i686; do
  if ! command -v "$arch-w64-mingw32-gcc" > /dev/null; then
    skip "$arch: $arch-w64-mingw32-gcc missing"
    continue
  fi
  base=0x140000000
  [ "$arch" = i686 ] && base=0x400000
  langs="c cpp"
  [ "$arch" = i686 ] && langs="c"
  for lang in $langs; do
    for opt in O0 O2; do
      for version in 4 5; do
        image=$(build_gcc $arch $lang $opt $version)
        demangle=
        [ "$lang" = cpp ] && demangle=-C
        compare "$arch gcc $lang -$opt -gdwarf-$version" "$image" $base \
          "$arch-w64-mingw32-addr2line" $demangle
      done
    done
  done
done

# clang: compiled for mingw-w64, linked by lld against mingw-w64 gcc's libraries
libgcc=$(x86_64-w64-mingw32-gcc -print-libgcc-file-name 2>/dev/null || true)
if command -v clang > /dev/null && command -v ld.lld > /dev/null && [ -n "$libgcc" ]; then
  for opt in O0 O2; do
    dir=$work/clang-$opt
    mkdir -p "$dir"
    # C at DWARF 5 through GNU as: LLVM 14's integrated assembler writes
    # DWARF 5 line_strp offsets as ADDR32 in COFF, which no reader
    # (llvm-symbolizer included) can use once linked; GNU as writes SECREL32.
    # GNU as cannot take clang's C++ (COMDAT syntax), so C++ is DWARF 4.
    for f in main.c util.c; do
      clang --target=x86_64-w64-mingw32 -fno-integrated-as -$opt -gdwarf-5 -c "$p/$f" \
        -o "$dir/$f.o"
    done
    clang --target=x86_64-w64-mingw32 -$opt -gdwarf-4 -c "$p/shapes.cpp" -o "$dir/shapes.cpp.o"
    clang --target=x86_64-w64-mingw32 -fuse-ld=lld -L"$(dirname "$libgcc")" \
      "$dir/main.c.o" "$dir/util.c.o" -o "$dir/c.exe"
    clang --target=x86_64-w64-mingw32 -fuse-ld=lld -L"$(dirname "$libgcc")" \
      "$dir/shapes.cpp.o" -lstdc++ -o "$dir/cpp.exe"
    mkdir -p "$dir/c" "$dir/cpp"
    mv "$dir/c.exe" "$dir/c/prog.exe"
    mv "$dir/cpp.exe" "$dir/cpp/prog.exe"
    compare "clang c -$opt -gdwarf-5" "$dir/c/prog.exe" 0x140000000 x86_64-w64-mingw32-addr2line
    compare "clang cpp -$opt -gdwarf-4" "$dir/cpp/prog.exe" 0x140000000 \
      x86_64-w64-mingw32-addr2line -C
  done
else
  skip "clang: clang, ld.lld or mingw-w64 gcc's libraries missing"
fi

# a separate debug file through .gnu_debuglink
if command -v x86_64-w64-mingw32-objcopy > /dev/null; then
  dir=$work/debuglink
  mkdir -p "$dir"
  cp "$work/x86_64-c-O2-dwarf5/prog.exe" "$dir/full.exe"
  x86_64-w64-mingw32-objcopy --only-keep-debug "$dir/full.exe" "$dir/prog.debug"
  x86_64-w64-mingw32-objcopy --strip-debug --add-gnu-debuglink="$dir/prog.debug" \
    "$dir/full.exe" "$dir/prog.exe"
  cp "$work/x86_64-c-O2-dwarf5/addresses" "$dir/addresses"
  "$query" "$dir/full.exe" 0x140000000 < "$dir/addresses" > "$dir/full"
  if "$query" "$dir/prog.exe" 0x140000000 < "$dir/addresses" > "$dir/linked" &&
     cmp -s "$dir/full" "$dir/linked" && "$query" --summary "$dir/prog.exe" | grep -q 'prog.debug'; then
    pass "debuglink: the stripped image answers from prog.debug as the full image does"
  else
    fail "debuglink: the stripped image's answers differ"
  fi
  printf 'X' | dd of="$dir/prog.debug" bs=1 seek=100 conv=notrunc status=none
  if "$query" --summary "$dir/prog.exe" > /dev/null 2>&1; then
    fail "debuglink: a debug file with the wrong CRC was used"
  else
    pass "debuglink: a debug file with the wrong CRC is refused"
  fi
else
  skip "debuglink: x86_64-w64-mingw32-objcopy missing"
fi

# the demangler against llvm-cxxfilt: hand-picked names, every _Z name of the
# C++ images' symbol tables and of mingw-w64's libstdc++.a. Where
# llvm-cxxfilt 14 prints a constructor with an ABI tag with an empty name
# ("failure[abi:cxx11]::(...)"), GNU c++filt is the oracle.
if command -v llvm-cxxfilt > /dev/null && command -v c++filt > /dev/null; then
  names=$work/mangled
  cp "$src/mangled-names.txt" "$names"
  for image in "$work"/*cpp*/prog.exe "$work"/clang-*/cpp/prog.exe; do
    [ -f "$image" ] && x86_64-w64-mingw32-nm "$image" 2>/dev/null | awk '{print $NF}' | grep '^_Z' >> "$names" || true
  done
  libstdcxx=$(x86_64-w64-mingw32-g++ -print-file-name=libstdc++.a 2>/dev/null || true)
  if [ -f "$libstdcxx" ]; then
    x86_64-w64-mingw32-nm "$libstdcxx" 2>/dev/null | awk '{print $NF}' | grep '^_Z' >> "$names" || true
  fi
  sort -u -o "$names" "$names"
  "$query" --demangle < "$names" > "$work/demangled-ours"
  llvm-cxxfilt < "$names" > "$work/demangled-llvm"
  c++filt < "$names" > "$work/demangled-gnu"
  paste "$names" "$work/demangled-ours" "$work/demangled-llvm" "$work/demangled-gnu" |
    awk -F'\t' '$2 != $3 && !($2 == $4 && $3 ~ /::~?\(/)' > "$work/demangled-wrong"
  gnu=$(paste "$work/demangled-ours" "$work/demangled-llvm" | awk -F'\t' '$1 != $2' | wc -l)
  if [ ! -s "$work/demangled-wrong" ]; then
    pass "demangler: $(wc -l < "$names") names as llvm-cxxfilt prints them ($gnu as GNU c++filt, where llvm-cxxfilt leaves a constructor unnamed)"
  else
    head -5 "$work/demangled-wrong"
    fail "demangler: $(wc -l < "$work/demangled-wrong") of $(wc -l < "$names") names differ"
  fi
else
  skip "demangler: llvm-cxxfilt or c++filt missing"
fi

# concurrency: 8 threads on one fresh reader answer as one thread does
for image in x86_64-c-O2-dwarf5 x86_64-cpp-O2-dwarf4; do
  dir=$work/$image
  [ -f "$dir/prog.exe" ] || continue
  if out=$("$query" --threads "$dir/prog.exe" 0x140000000 < "$dir/addresses"); then
    pass "$image: $out"
  else
    fail "$image: $out"
  fi
done

# malformed DWARF: mutations of real images, DWARF 4 and 5
for image in x86_64-c-O2-dwarf5 x86_64-cpp-O2-dwarf4 i686-c-O2-dwarf4; do
  [ -f "$work/$image/prog.exe" ] || continue
  if "$mutate" "$work/$image/prog.exe" 1500; then
    pass "$image: 1500 mutated images opened or refused cleanly"
  else
    fail "$image: mutated images"
  fi
done

echo "dwarf: $passes passed, $failures failed, $skips skipped"
[ "$failures" -eq 0 ]
