// String literals (??_C@_0 narrow, _1 wide, char16_t/char32_t/u8), short,
// long (truncated in the name), with escapes and non-ASCII bytes.
typedef __SIZE_TYPE__ size_t;
extern "C" int sink(const void *p, size_t n);
int use_strings() {
  int r = sink("hello", 5) + sink("", 0) + sink("tab\there\nnewline\r\"quote\" 'single' back\\slash", 9);
  r += sink(L"wide", 4) + sink(L"wide string that is quite long and goes past the limit", 5);
  r += sink(u"utf16 text", 2) + sink(U"utf32 text", 3) + sink(u8"utf8 \xc3\xa9t\xc3\xa9", 4);
  r += sink("\x01\x02\x7f\x80\xff bytes", 2) + sink("a string literal long enough that the mangled name is cut short here", 7);
  r += sink("%s: %d items (%0.2f%%) {braces} [brackets] <angles> |pipe| ~tilde` ^caret", 3);
  r += sink(L"\x1234\xabcd unicode", 3) + sink(u"\x00e9\x4e2d", 1) + sink(U"\U0001F600 emoji", 1);
  r += sink("multi\0nul\0inside", 16) + sink(L"L\0nul", 5) + sink("?@$.,;:!=+-*/", 1);
  return r;
}
