#include "util.h"

static int mix(int a, int b)
{
    return (a * 31) ^ clamp(b, -100, 100);
}

int checksum(const int *values, int count)
{
    int sum = 0;
    for (int i = 0; i < count; i++)
        sum = mix(sum, values[i]);
    return sum;
}

int fold(const int *values, int count, int seed)
{
    int acc = seed;
    for (int i = count - 1; i >= 0; i--) {
        if (values[i] & 1)
            acc = mix(acc, values[i]);
        else
            acc -= checksum(values, i);
    }
    return acc;
}
