/* The second file of the PDB test program: lines in another file and an
 * inline function from a header-like place. */
#include "shapes.h"

extern int volatile sink;

static inline __attribute__((always_inline)) int clamp(int v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

__declspec(noinline) int shape_area(int w, int h)
{
    int a = clamp(w, 0, 100) * clamp(h, 0, 100);
    sink = a;
    return a;
}

int shape_perimeter(int w, int h)
{
    return 2 * (clamp(w, 0, 1000) + h);
}
