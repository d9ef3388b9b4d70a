/* Walker's alias method (in Vose's numerically stable form): draws from a
 * fixed discrete distribution over n outcomes in O(1) per draw after an
 * O(n) build. Used for popularity-weighted item sampling. */
#ifndef REC_SAMPLE_ALIAS_H
#define REC_SAMPLE_ALIAS_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

typedef struct rec_alias {
    size_t n;
    double *prob;     /* chance of keeping column j rather than its alias */
    uint32_t *alias;
} rec_alias;

/* From n weights (finite, >= 0, at least one > 0; n < 2^32). Outcome j is
 * drawn with probability w[j] / sum(w); a zero weight is never drawn.
 * REC_EINVAL for bad weights, REC_ENOMEM. */
int rec_alias_build(rec_alias *a, const double *w, size_t n);
void rec_alias_free(rec_alias *a);

static inline uint32_t rec_alias_draw(const rec_alias *a, rec_rng *r)
{
    uint32_t j = rec_rng_below(r, (uint32_t)a->n);
    return rec_rng_uniform(r) < a->prob[j] ? j : a->alias[j];
}

#endif
