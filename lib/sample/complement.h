/* Drawing items outside a per-user set (the user's positives, or those and
 * the test items), uniformly or in proportion to fixed item weights. Used by
 * the negative samplers and by sampled evaluation.
 *
 * Sparse users (most) draw from the whole catalogue and reject what they
 * must avoid: the avoided items then hold at most half the weight, so each
 * draw succeeds with probability >= 1/2. Users whose avoided items hold
 * more draw from the complement directly: the k-th free item (uniform), or
 * a search of the cumulative weights of the free items, built once for the
 * user in caller-provided space (weighted). So no draw loops for long and
 * none is ever an avoided item. */
#ifndef REC_SAMPLE_COMPLEMENT_H
#define REC_SAMPLE_COMPLEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "sample/alias.h"

/* The distribution over all items: immutable once made, shared by threads. */
typedef struct rec_item_dist {
    size_t n_items;     /* < 2^32 */
    double *weight;     /* n_items, finite, >= 0; NULL: uniform */
    double total;
    rec_alias alias;    /* over weight, when weighted */
} rec_item_dist;

/* Uniform over n_items (weight NULL) or by weight[0..n_items) (copied; at
 * least one > 0). REC_EINVAL for bad weights, REC_ENOMEM. */
int rec_item_dist_init(rec_item_dist *d, size_t n_items, const double *weight);
void rec_item_dist_free(rec_item_dist *d);

/* One user's draws. */
typedef struct rec_complement {
    const rec_item_dist *d;
    const uint32_t *avoid;   /* sorted, distinct, every id < n_items */
    size_t n_avoid;
    int dense;               /* draw from the complement directly */
    size_t n_free;           /* dense: free items (with weight > 0) */
    double *cum;             /* dense, weighted: cumulative weights ... */
    uint32_t *items;         /* ... of these free items */
} rec_complement;

/* Prepares the draws avoiding avoid[0..n_avoid). cum and items: space for
 * n_items entries each, used only by weighted distributions (may be NULL
 * for uniform ones); they must outlive the draws. */
void rec_complement_init(rec_complement *c, const rec_item_dist *d, const uint32_t *avoid,
                         size_t n_avoid, double *cum, uint32_t *items);

/* The same when the caller knows the avoided items' total weight (a
 * sampler that draws for the same users again and again keeps it per
 * user; computing it walks the whole avoid list). */
void rec_complement_init_avoiding(rec_complement *c, const rec_item_dist *d,
                                  const uint32_t *avoid, size_t n_avoid, double avoided,
                                  double *cum, uint32_t *items);

/* The total weight of avoid[0..n_avoid) under d (n_avoid for uniform). */
double rec_item_dist_weight_of(const rec_item_dist *d, const uint32_t *avoid, size_t n_avoid);

/* 1 if there is nothing to draw: every item (with weight) is avoided. */
int rec_complement_empty(const rec_complement *c);

/* A free item; the complement must not be empty. */
uint32_t rec_complement_draw(const rec_complement *c, rec_rng *r);

#endif
