#ifndef UTIL_H
#define UTIL_H

static inline int clamp(int v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

int checksum(const int *values, int count);
int fold(const int *values, int count, int seed);

#endif
