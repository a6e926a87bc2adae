/*
 * An Itanium C++ ABI demangler (the names mingw-w64 g++ and clang emit), for
 * showing DWARF linkage names undecorated as llvm-symbolizer and addr2line -C
 * do: "_ZN2ns3addIiEET_S1_S1_" -> "int ns::add<int>(int, int)".
 */
#ifndef DBGWALK_DEMANGLE_H
#define DBGWALK_DEMANGLE_H

/* A malloc'd readable name, or NULL when `mangled` is not a name this
 * demangler understands (the caller shows it as it is). */
char *itanium_demangle(const char *mangled);

#endif
