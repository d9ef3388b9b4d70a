#include "sample/alias.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

void rec_alias_free(rec_alias *a)
{
    rec_free(a->prob);
    rec_free(a->alias);
    memset(a, 0, sizeof *a);
}

int rec_alias_build(rec_alias *a, const double *w, size_t n)
{
    memset(a, 0, sizeof *a);
    double total = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(w[j]) || w[j] < 0.0)
            return rec_error(REC_EINVAL, "alias table: weight %zu is %g", j, w[j]);
        total += w[j];
    }
    if (n == 0 || n > UINT32_MAX || !(total > 0.0) || !isfinite(total))
        return rec_error(REC_EINVAL, "alias table: %zu weights summing to %g", n, total);
    a->n = n;
    a->prob = rec_malloc_array(n, sizeof *a->prob);
    a->alias = rec_malloc_array(n, sizeof *a->alias);
    /* Work lists of the columns below and above the mean, and the scaled
     * weights (mean 1). */
    uint32_t *small = rec_malloc_array(n, sizeof *small);
    uint32_t *large = rec_malloc_array(n, sizeof *large);
    double *scaled = rec_malloc_array(n, sizeof *scaled);
    if (!a->prob || !a->alias || !small || !large || !scaled) {
        rec_free(small);
        rec_free(large);
        rec_free(scaled);
        rec_alias_free(a);
        return rec_error_nomem();
    }
    size_t ns = 0, nl = 0;
    for (size_t j = 0; j < n; j++) {
        scaled[j] = w[j] * (double)n / total;
        if (scaled[j] < 1.0)
            small[ns++] = (uint32_t)j;
        else
            large[nl++] = (uint32_t)j;
    }
    /* Each small column is topped up to 1 by a large one, which loses that
     * much and becomes small itself once below 1. */
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        a->prob[s] = scaled[s];
        a->alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    /* What is left is 1 up to rounding: keep it whole. A zero weight never
     * ends up here, since its column always finds a large partner. */
    for (size_t t = 0; t < nl; t++) {
        a->prob[large[t]] = 1.0;
        a->alias[large[t]] = large[t];
    }
    for (size_t t = 0; t < ns; t++) {
        a->prob[small[t]] = 1.0;
        a->alias[small[t]] = small[t];
    }
    rec_free(small);
    rec_free(large);
    rec_free(scaled);
    return REC_OK;
}
