/* The StackWalkEx inline-frame test's program (run-inline-walk-tests.sh):
 * a leaf function with no stack frame of its own (no unwind data: its
 * return address is at RSP) in which two levels of inline functions are
 * inlined, called from main, which itself inlines one at the call. */
int volatile sink;

static inline __attribute__((always_inline)) int square(int x)
{
    sink = x;
    return x * x;
}

static inline __attribute__((always_inline)) int poly(int x)
{
    int s = square(x + 1);
    sink = s;
    return s + 3 * x;
}

__declspec(noinline) int leaf(int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += poly(i ^ total);
    return total;
}

static inline __attribute__((always_inline)) int call_leaf(int n)
{
    int r = leaf(n);
    sink = r;
    return r + 1;
}

int mainCRTStartup(void)
{
    int r = call_leaf(sink);
    sink = r;
    return 0;
}
