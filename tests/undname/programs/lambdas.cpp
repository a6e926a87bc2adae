// Lambdas (<lambda_N>, generic ones with <auto> returns), lambdas in templates,
// namespaces, member functions and default arguments; unnamed types.
namespace lam {
template <class F> int call(F f) { return f(1); }
template <class T> struct Holder {
  T t;
  int run() { auto l = [this](int x) { return x + (int)sizeof(t); }; return call(l); }
};
typedef struct { int x; } UnnamedStruct;
typedef enum { E0, E1 } UnnamedEnum;
int take_unnamed(UnnamedStruct s, UnnamedEnum e) { return s.x + e; }
struct Outer { struct { int y; } member; enum { K1 = 1 } kind; int get() { return member.y + kind; } };
auto make_adder(int n) { return [n](int x) { return x + n; }; }
int with_default(int a = [] { return 7; }()) { return a; }
}
int use_lambdas() {
  using namespace lam;
  int k = 3;
  auto generic = [](auto x) { return x * 2; };
  auto nested = [&](int x) { auto inner = [=](int y) { return x + y + k; }; return inner(x); };
  int r = call([](int x) { return x + 1; }) + call([&](int x) { return x + k; }) + generic(3) + (int)generic(2.5);
  r += nested(4) + make_adder(2)(3) + with_default() + Holder<double>().run() + Holder<char>().run();
  UnnamedStruct s = {1}; r += take_unnamed(s, E1) + Outer().get();
  static auto stat = [](long v) { return v; };
  r += (int)stat(5L);
  return r;
}
