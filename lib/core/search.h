/* Binary search in sorted uint32_t arrays (CSR rows, item lists). */
#ifndef REC_CORE_SEARCH_H
#define REC_CORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* The first position in a[lo..hi) (ascending) whose value is >= x, or hi. */
static inline size_t rec_lower_bound(const uint32_t *a, size_t lo, size_t hi, uint32_t x)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* 1 if x is in a[lo..hi) (ascending). */
static inline int rec_sorted_has(const uint32_t *a, size_t lo, size_t hi, uint32_t x)
{
    size_t p = rec_lower_bound(a, lo, hi, x);
    return p < hi && a[p] == x;
}

/* The sorted union of a[0..na) and b[0..nb) (each ascending and distinct)
 * into out (room for na + nb); returns its length. */
static inline size_t rec_sorted_union(const uint32_t *a, size_t na, const uint32_t *b,
                                      size_t nb, uint32_t *out)
{
    size_t n = 0, x = 0, y = 0;
    while (x < na || y < nb) {
        uint32_t v = y == nb || (x < na && a[x] < b[y]) ? a[x] : b[y];
        x += x < na && a[x] == v;
        y += y < nb && b[y] == v;
        out[n++] = v;
    }
    return n;
}

#endif
