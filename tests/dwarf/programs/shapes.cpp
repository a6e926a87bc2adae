// The DWARF tests' C++ program: namespaces, classes, templates, overloads,
// operators and inlining, so that linkage names need the demangler.
#include "shapes.hpp"

extern "C" int printf(const char *format, ...);

namespace geo {

double Circle::area() const
{
    return 3.14159 * r_ * r_;
}

double Rect::area() const
{
    return w_ * h_;
}

Shape::~Shape() {}

template <typename T> T accumulate(const T *v, int n)
{
    T sum = T();
    for (int i = 0; i < n; i++)
        sum = sum + v[i];
    return sum;
}

template int accumulate<int>(const int *, int);
template double accumulate<double>(const double *, int);

namespace detail {
int scale(int v, unsigned char by) { return v << by; }
long scale(long v, int by) { return v * by; }
} // namespace detail

} // namespace geo

static double total_area(geo::Shape **shapes, int n)
{
    double t = 0;
    for (int i = 0; i < n; i++)
        t += shapes[i]->area();
    return t;
}

int main(int argc, char **)
{
    geo::Circle c(argc);
    geo::Rect r(argc, 2.0 * argc);
    geo::Shape *shapes[] = {&c, &r};
    int ints[] = {argc, 2, 3};
    double doubles[] = {1.5, argc * 0.5};
    geo::Pair<int> p(argc, 4);
    printf("%f %d %f\n", total_area(shapes, 2), geo::accumulate(ints, 3),
                geo::accumulate(doubles, 2));
    printf("%d %ld %d\n", geo::detail::scale(argc, (unsigned char)2), geo::detail::scale(5L, argc),
                p.sum() + (p == p));
    return 0;
}
