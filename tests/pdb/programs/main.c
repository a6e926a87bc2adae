/* A small freestanding program for the PDB tests: several files, static
 * and global functions, forced and ordinary inlining, nested inlines, a
 * recursive function, data. Built with clang's MSVC targets and lld-link. */
#include "shapes.h"

int volatile sink;
static int table[16] = {1, 2, 3, 5, 8, 13, 21, 34};

static int static_helper(int x)
{
    int total = 0;
    for (int i = 0; i < x && i < 16; i++)
        total += table[i];
    return total;
}

static inline __attribute__((always_inline)) int inner_inline(int x)
{
    return static_helper(x) * 2 + 1;
}

static inline __attribute__((always_inline)) int outer_inline(int x)
{
    int a = inner_inline(x);
    sink = a;
    return a + inner_inline(x + 1);
}

__declspec(noinline) int recurse(int depth)
{
    if (depth <= 0)
        return sink;
    sink = depth;
    return recurse(depth - 1) + 1;
}

__declspec(noinline) int level3(int v)
{
    sink = outer_inline(v);
    return shape_area(v, v + 1) + recurse(v & 3);
}

__declspec(noinline) int level2(int v)
{
    int r = level3(v + 1);
    sink = r;
    return r + shape_perimeter(v, 2);
}

int mainCRTStartup(void)
{
    return level2(4);
}
