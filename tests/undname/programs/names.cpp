// Names for the undecorator's oracle test: namespaces, templates, operators,
// member pointers, virtuals, lambdas, arrays, cv, rvalue refs, nullptr.
#include <stddef.h>
namespace outer { namespace inner {
struct Base { virtual ~Base() {} virtual int f(int) const { return 1; } int x; static int count; };
int Base::count = 3;
struct Derived : Base { int f(int) const override { return 2; } virtual void g(double, ...) {} };
template <typename T, int N> struct Box { T v[N]; T get(int i) const { return v[i]; }
  template <typename U> U as() const { return (U)v[0]; } static Box *make() { return 0; } };
class Num { public: int v; Num(int a) : v(a) {}
  Num operator+(const Num &o) const { return Num(v + o.v); } Num operator-(const Num &o) const { return Num(v - o.v); }
  Num &operator=(const Num &o) { v = o.v; return *this; } bool operator==(const Num &o) const { return v == o.v; }
  bool operator<(const Num &o) const { return v < o.v; } int operator[](int i) const { return v + i; }
  int operator()(int a, int b) { return a + b + v; } operator int() const { return v; } Num &operator++() { ++v; return *this; }
  Num &operator+=(const Num &o) { v += o.v; return *this; } Num operator~() const { return Num(~v); }
  void *operator new(size_t n) { return ::operator new(n); } void operator delete(void *p) { ::operator delete(p); }
  Num &&move() { return static_cast<Num &&>(*this); } };
} }
namespace { int hidden(int a) { return a * 3; } }
using namespace outer::inner;
int global_array[4][5];
int global_int;
const volatile int *cvp;
int (*fnptr)(int, char);
int Base::*data_member = &Base::x;
int (Base::*method_member)(int) const = &Base::f;
template <typename F> int call(F f) { return f(3); }
template <int *P> int deref() { return *P; }
template <decltype(nullptr)> int nul() { return 0; }
int take_rvalue(Num &&n) { return n.v; }
int take_arr(int (&a)[3]) { return a[0]; }
void take_fn(void (*)(int), int (*)[2]) {}
long long take_many(unsigned char, signed char, short, unsigned short, unsigned, long, unsigned long, long long,
                    unsigned long long, float, double, long double, bool, wchar_t, char16_t, char32_t) { return 0; }
int __stdcall std_fn(int a) { return a; }
int __fastcall fast_fn(int a) { return a; }
int __vectorcall vec_fn(int a) { return a; }
extern "C" int c_fn(int a) { return a; }
static int local_static() { static int s = hidden(1); return s; }
int use_all() {
  Derived d; Box<int, 3> b = {{1, 2, 3}}; Box<Box<int, 3>, 2> bb{}; Num n(1), m(2);
  int r = d.f(1) + b.get(1) + b.as<char>() + bb.get(0).get(0) + (Box<double, 2>::make() != 0);
  n = n + m; n = n - m; r += (n == m) + (n < m) + n[1] + n(1, 2) + (int)n; ++n; n += m; n = ~n;
  Num *p = new Num(4); delete p; r += take_rvalue(m.move());
  int a3[3] = {1, 2, 3}; r += take_arr(a3); take_fn(0, 0);
  r += call([](int x) { return x + 1; }) + call([&](int x) { return x + r; });
  r += deref<&global_int>() + nul<nullptr>() + std_fn(1) + fast_fn(2) + vec_fn(3) + c_fn(4) + local_static();
  r += (int)take_many(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) + (d.*method_member)(1) + d.*data_member;
  d.g(1.0, 2, 3); return r + (cvp != 0) + (fnptr != 0);
}
