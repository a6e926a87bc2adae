// Virtual and multiple inheritance: adjustor thunks, vtordisp thunks, vbtables,
namespace std { class type_info; }
// vcall thunks through member pointers to virtuals, RTTI (/GR) descriptors.
#pragma vtordisp(push, 2)
namespace vi {
struct A { virtual ~A() {} virtual int fa(int) { return 1; } int a; };
struct B { virtual ~B() {} virtual int fb(double) const { return 2; } virtual void fv() volatile {} int b; };
struct C : A, B { int fb(double) const override { return 3; } int fa(int) override { return 4; } int c; };
struct V : virtual A { V() {} int fa(int) override { return 5; } virtual void own() {} };
struct W : virtual A { W() {} int fa(int) override { return 6; } };
struct D : V, W { D() {} int fa(int) override { return 7; } };
struct E : virtual B, virtual A { E() {} int fb(double) const override { return 8; } int fa(int) override { return 9; } };
struct Big { virtual void m0() {} virtual void m1() {} virtual void m2(int, char) {} virtual long m3() const { return 0; } };
}
#pragma vtordisp(pop)
using namespace vi;
typedef int (A::*AFn)(int);
typedef void (Big::*BigFn)();
typedef void (Big::*BigFn2)(int, char);
int use_inherit() {
  C c; D d; E e; V v; W w;
  A *pa = &d; B *pb = &c; A *pe = &e;
  AFn f = &A::fa; BigFn g = &Big::m1; BigFn2 h = &Big::m2; long (Big::*k)() const = &Big::m3;
  Big big; (big.*g)(); (big.*h)(1, 'c'); (big.*k)();
  int r = pa->fa(1) + pb->fb(1.0) + (pe->*f)(2) + v.fa(1) + w.fa(2);
  return r + (dynamic_cast<C *>(pb) != 0) + (&typeid(*pa) != 0);
}
