// Breadth: a cross-product of types (cv, pointers, references, arrays, function
// and member pointers, tags, enums, nullptr) through template functions and
// classes, non-type template arguments, variadic packs, operators, statics.
typedef __SIZE_TYPE__ size_t;
namespace tp {
struct S { int m; int f(int) const { return m; } static int st; virtual void v() {} };
int S::st;
class K { public: char c; };
union U { int i; float f; };
enum E { e0, e1 };
enum class EC : short { a, b };
template <class T> struct Wrap { T t; };
template <class... T> struct Pack {};
template <class T, class U> int pair(T, U) { return 1; }
template <class T> int one(T) { return 2; }
template <class T> int ref(T &) { return 3; }
template <class T> int cref(const T &) { return 4; }
template <class T> int rref(T &&) { return 5; }
template <class T> T *ptr_ret() { return 0; }
template <class... T> int pack(T...) { return (int)sizeof...(T); }
template <int N> int num() { return N; }
template <long long N> long long lnum() { return N; }
template <unsigned N> unsigned unum() { return N; }
template <bool B> bool bnum() { return B; }
template <char C> char cnum() { return C; }
template <E V> int enumv() { return V; }
template <int S::*M> int memp() { return 0; }
template <int (S::*F)(int) const> int memf() { return 0; }
template <int (*F)(int)> int fnp() { return 0; }
template <const char *P> int strp() { return 0; }
template <class T, int N> int arr(T (&)[N]) { return N; }
template <template <class> class TT> int tt() { return sizeof(TT<int>); }
int plain(int x) { return x; }
const char text[] = "t";
template <class T> struct Cls {
  static T sv; T mv;
  Cls() : mv() {}
  ~Cls() {}
  T get() const { return mv; }
  T &getr() { return mv; }
  volatile T &getv() volatile { return const_cast<T &>(mv); }
  int refq() & { return 1; }
  int refq() && { return 2; }
  template <class U> U conv() const { return U(); }
  operator bool() const { return true; }
  bool operator!=(const Cls &) const { return false; }
  Cls &operator<<(int) { return *this; }
  Cls &operator>>=(int) { return *this; }
  T operator->*(int) { return mv; }
  int operator%(int) { return 0; }
  void *operator new[](size_t n) { return ::operator new(n); }
  void operator delete[](void *p) { ::operator delete(p); }
  static int sfn(T *, const T *, T *const, volatile T &) { return 0; }
  virtual int vfn(T, T, T) { return 0; }
};
template <class T> T Cls<T>::sv;
int (*fparr[3])(int);
int S::*const cmemp = &S::m;
const int *volatile *const *deep;
int (*(*complex_fn)(int, char))(double);
void (*const fnarr2[2])(int) = {0, 0};
void (*const (&ref_to_fnarr)[2])(int) = fnarr2;
int __restrict_thing(int *__restrict p, char *__unaligned q) { return *p + *q; }
}
using namespace tp;
template <class T> using Id = T;
typedef Pack<int, char> PackIC;
typedef void (*VarFn)(int, ...);
#define TYPES(X) X(int) X(char) X(unsigned char) X(signed char) X(short) X(unsigned short) X(long) X(unsigned long) \
  X(long long) X(unsigned long long) X(float) X(double) X(long double) X(bool) X(wchar_t) X(char16_t) X(char32_t) \
  X(int *) X(const char *) X(volatile int *) X(const volatile short *) X(int **) X(S) X(K) X(U) X(E) X(EC) \
  X(S *) X(const S *) X(Wrap<int>) X(Wrap<S *>) X(Wrap<Wrap<char>>) X(Pack<>) X(PackIC) X(decltype(nullptr)) \
  X(int (*)(int)) X(void (*)(void)) X(int S::*) X(int (S::*)(int) const) X(int (*)[3]) X(char (*)[2][4]) \
  X(void *) X(const void *) X(K *const *) X(const int *const *) X(int (__stdcall *)(int)) X(VarFn)
#define USE1(T) r += one<T>(Id<T>()); r += cref<T>(Id<T>()); r += (int)(size_t)ptr_ret<T>(); r += pack<T, T, int>(Id<T>(), Id<T>(), 0);
#define USEC(T) { Cls<T> c; r += (int)(bool)c; r += c.refq(); r += Cls<T>().refq(); r += Cls<T>::sfn(0, 0, 0, c.getr()); r += c.vfn(Id<T>(), Id<T>(), Id<T>()); (void)c.get(); c << 1; c >>= 2; c % 1; r += (c != c); (void)c.template conv<int>(); delete[] new Cls<T>[1]; (void)&Cls<T>::sv; }
#define PAIR2(T) r += pair<T, int>(Id<T>(), 0); r += pair<char *, T>(0, Id<T>());
int use_templates() {
  int r = 0;
  TYPES(USE1)
  TYPES(USEC)
  TYPES(PAIR2)
  int i = 0; char c = 0; S s; r += ref(i) + ref(c) + ref(s) + rref(1) + rref(i) + rref(s);
  r += num<0>() + num<1>() + num<10>() + num<11>() + num<-1>() + num<-17>() + num<255>() + num<65536>() + num<2147483647>();
  r += (int)lnum<-9223372036854775807LL>() + (int)unum<4294967295u>() + bnum<true>() + bnum<false>() + cnum<'a'>() + cnum<'\0'>();
  r += enumv<e1>() + memp<&S::m>() + memf<&S::f>() + fnp<&plain>() + strp<text>() + tt<Wrap>();
  int a3[3]; char a5[5]; S as[2]; r += arr(a3) + arr(a5) + arr(as);
  r += pack() + pack(1) + pack(1, 'c', 2.0, s, &s, "x", nullptr) + S::st + s.f(1);
  r += __restrict_thing(&i, &c) + (fparr[0] != 0) + (deep != 0) + (complex_fn != 0) + (ref_to_fnarr[0] != 0) + (cmemp != 0);
  volatile Cls<int> vc; (void)vc.getv();
  return r;
}
