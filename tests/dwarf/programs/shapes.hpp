#ifndef SHAPES_HPP
#define SHAPES_HPP

namespace geo {

class Shape {
public:
    virtual ~Shape();
    virtual double area() const = 0;
};

class Circle : public Shape {
public:
    explicit Circle(double r) : r_(r) {}
    double area() const override;

private:
    double r_;
};

class Rect : public Shape {
public:
    Rect(double w, double h) : w_(w), h_(h) {}
    double area() const override;

private:
    double w_, h_;
};

template <typename T> struct Pair {
    T a, b;
    Pair(T x, T y) : a(x), b(y) {}
    T sum() const { return a + b; }
    bool operator==(const Pair &o) const { return a == o.a && b == o.b; }
};

template <typename T> T accumulate(const T *v, int n);

namespace detail {
int scale(int v, unsigned char by);
long scale(long v, int by);
} // namespace detail

} // namespace geo

#endif
