// Rarer encodings: function types and cv types as template arguments,
// references to objects and member pointers (single, multiple, virtual,
// unspecified inheritance) as template arguments, thread-local and static
// guards, atexit destructors, unnamed types, anonymous namespaces, noexcept,
// __restrict/__unaligned, names long enough to be replaced by their MD5.
namespace ft {
template <class T> struct Fn {};
template <class T> int fn_type() { return 0; }
struct Single { int d; int f() { return 0; } };
struct M1 { int m1; }; struct M2 { int m2; };
struct Multi : M1, M2 { int d; int f() { return 1; } };
struct VB { int vb; };
struct Virt : virtual VB { int d; int f() { return 2; } virtual int g() { return 3; } };
struct Unspec;
template <int Single::*P> int dsingle() { return 0; }
template <int Multi::*P> int dmulti() { return 0; }
template <int Virt::*P> int dvirt() { return 0; }
template <int Unspec::*P> int dunspec() { return 0; }
template <int (Single::*P)()> int fsingle() { return 0; }
template <int (Multi::*P)()> int fmulti() { return 0; }
template <int (Virt::*P)()> int fvirt() { return 0; }
template <int (Unspec::*P)()> int funspec() { return 0; }
struct Unspec { int d; int f() { return 4; } };
int object;
template <int &R> int refarg() { return R; }
template <const int *P> int ptrarg() { return 0; }
struct Dtor { ~Dtor() {} int v; };
Dtor global_dtor;
thread_local int tls_counter = 1;
int tls_use() { thread_local static Dtor d; static Dtor s; return d.v + s.v + tls_counter; }
struct { int anon_member; } unnamed_var;
enum { UnnamedEnumValue = 3 } unnamed_enum_var;
template <class T> int take(T) { return 0; }
namespace { struct Hidden { int h; }; int hidden_fn(Hidden *, Hidden &) { return 0; } }
int nothrow_fn(int) noexcept { return 0; }
int takes_noexcept(int (*)(int) noexcept) { return 0; }
int restricted(int *__restrict a, int *__restrict const b) { return *a + *b; }
int unaligned(__unaligned int *p, const __unaligned char *q) { return *p + *q; }
template <class T> using Alias = Fn<T>;
template <template <class> class TT> int tmpl_tmpl() { return 0; }
template <class... T> struct Tuple {};
typedef Tuple<Tuple<Tuple<Tuple<int, char, long, short>, Tuple<double, float, bool>>, Tuple<unsigned, wchar_t>>,
              Tuple<Tuple<Tuple<signed char, unsigned char>, Tuple<long long>>, Tuple<unsigned long long, char16_t>>> T1;
typedef Tuple<T1, T1, Tuple<T1, T1>, Tuple<Tuple<T1>, Tuple<T1, T1>>> T2;
int long_name(T2, T1) { return 0; }
extern "C" int c_local() { static int counter = 0; return ++counter; }
unsigned long long operator""_km(unsigned long long v) { return v; }
int arr_arg(int (&)[2][3], const char (*)[4]) { return 0; }
typedef int FnT(int, double);
int fn_of_fn(FnT *, FnT &) { return 0; }
}
using namespace ft;
static int nothrow_like(int, double) { return 0; }
int use_features() {
  int r = fn_type<Fn<int(int)>>() + fn_type<Fn<void()>>() + fn_type<Fn<int(int, ...)>>() + fn_type<Fn<const int>>();
  r += fn_type<Fn<int(Single::*)() const>>() + fn_type<Fn<volatile char *>>() + fn_type<Fn<const volatile Single>>();
  r += fn_type<Fn<int[3]>>() + fn_type<Fn<int[2][5]>>() + fn_type<Fn<const int[4]>>() + fn_type<Fn<int(&)[3]>>();
  r += fn_type<Fn<int(int) noexcept>>() + fn_type<Fn<int (*)(int) noexcept>>();
  r += dsingle<&Single::d>() + dmulti<&Multi::d>() + dvirt<&Virt::d>() + dunspec<&Unspec::d>();
  r += fsingle<&Single::f>() + fmulti<&Multi::f>() + fvirt<&Virt::f>() + fvirt<&Virt::g>() + funspec<&Unspec::f>();
  r += dsingle<nullptr>() + fsingle<nullptr>() + dmulti<nullptr>() + fvirt<nullptr>();
  r += refarg<object>() + ptrarg<&object>() + ptrarg<nullptr>() + tls_use() + take(unnamed_var) + take(unnamed_enum_var);
  Hidden h; r += hidden_fn(&h, h) + nothrow_fn(1) + takes_noexcept(nothrow_fn) + restricted(&r, &r) + unaligned(&r, "x");
  r += tmpl_tmpl<Alias>() + tmpl_tmpl<Fn>() + long_name(T2(), T1()) + c_local() + (int)(12_km) + global_dtor.v;
  int a[2][3]; r += arr_arg(a, 0) + fn_of_fn(0, nothrow_like);
  auto l = [](auto a, auto b) -> decltype(a + b) { return a + b; }; r += l(1, 2);
  struct Local { int v; int get() { return v; } } loc{1}; r += loc.get();
  return r;
}
