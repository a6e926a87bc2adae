#!/usr/bin/env python3
"""Writes a large C++ program for the DWARF benchmark: FILES translation
units, each with FUNCS functions in nested namespaces that instantiate
templates and call inline helpers. Every unit includes <windows.h>, as
Windows programs do, so that with -fno-eliminate-unused-debug-types each
unit carries the types (about 0.6 MB of DWARF a unit), and the image has
many units, each with its own functions and line program.

usage: make-big-cpp.py DIR FILES FUNCS
"""
import os
import sys

out, files, funcs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
header = """#pragma once
#include <windows.h>
namespace big {
template <typename T, int N> struct Box {
    T v[N];
    inline T get(int i) const { return v[i % N]; }
    inline void put(int i, T x) { v[i % N] = x + get(i + 1); }
};
template <typename T> inline T mix(T a, T b) { return a * 31 + b; }
template <typename T, int N> inline T fold(const Box<T, N> &b)
{
    T s = T();
    for (int i = 0; i < N; i++)
        s = mix(s, b.get(i));
    return s;
}
}
"""
open(os.path.join(out, "big.hpp"), "w").write(header)
for f in range(files):
    with open(os.path.join(out, f"unit{f}.cpp"), "w") as src:
        src.write('#include "big.hpp"\n')
        src.write(f"namespace big {{ namespace u{f} {{\n")
        for i in range(funcs):
            t = ["int", "long", "double", "short"][i % 4]
            src.write(f"""struct S{i} {{ Box<{t}, {i + 2}> box; int k; }};
__attribute__((noinline)) {t} f{i}(S{i} &s, int n)
{{
    for (int j = 0; j < n; j++)
        s.box.put(j, ({t})(j + s.k));
    return fold(s.box) + mix<{t}>(s.k, n);
}}
""")
        src.write(f"int run{f}(int n) {{ int t = 0;\n")
        for i in range(funcs):
            src.write(f"  {{ S{i} s{{}}; s.k = n; t += (int)f{i}(s, n); }}\n")
        src.write("  return t; }\n}}\n")
with open(os.path.join(out, "main.cpp"), "w") as src:
    for f in range(files):
        src.write(f"namespace big {{ namespace u{f} {{ int run{f}(int); }} }}\n")
    src.write("int main(int argc, char **) { int t = 0;\n")
    for f in range(files):
        src.write(f"  t += big::u{f}::run{f}(argc);\n")
    src.write("  return t & 1; }\n")
