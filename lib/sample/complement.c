#include "sample/complement.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"

int rec_item_dist_init(rec_item_dist *d, size_t n_items, const double *weight)
{
    memset(d, 0, sizeof *d);
    d->n_items = n_items;
    d->total = (double)n_items;
    if (!weight)
        return REC_OK;
    int rc = rec_alias_build(&d->alias, weight, n_items);
    if (rc != REC_OK)
        return rc;
    d->weight = rec_malloc_array(n_items, sizeof *d->weight);
    if (!d->weight) {
        rec_alias_free(&d->alias);
        return rec_error_nomem();
    }
    memcpy(d->weight, weight, n_items * sizeof *weight);
    d->total = 0.0;
    for (size_t i = 0; i < n_items; i++)
        d->total += weight[i];
    return REC_OK;
}

void rec_item_dist_free(rec_item_dist *d)
{
    rec_free(d->weight);
    rec_alias_free(&d->alias);
    memset(d, 0, sizeof *d);
}

double rec_item_dist_weight_of(const rec_item_dist *d, const uint32_t *avoid, size_t n_avoid)
{
    if (!d->weight)
        return (double)n_avoid;
    double sum = 0.0;
    for (size_t a = 0; a < n_avoid; a++)
        sum += d->weight[avoid[a]];
    return sum;
}

void rec_complement_init(rec_complement *c, const rec_item_dist *d, const uint32_t *avoid,
                         size_t n_avoid, double *cum, uint32_t *items)
{
    double avoided = d->weight ? rec_item_dist_weight_of(d, avoid, n_avoid) : 0.0;
    rec_complement_init_avoiding(c, d, avoid, n_avoid, avoided, cum, items);
}

void rec_complement_init_avoiding(rec_complement *c, const rec_item_dist *d,
                                  const uint32_t *avoid, size_t n_avoid, double avoided,
                                  double *cum, uint32_t *items)
{
    *c = (rec_complement){ .d = d, .avoid = avoid, .n_avoid = n_avoid, .cum = cum,
                           .items = items };
    if (!d->weight) {
        c->n_free = d->n_items - n_avoid;
        c->dense = c->n_free * 2 < d->n_items;
        return;
    }
    if (avoided * 2.0 <= d->total) {
        c->n_free = 1; /* at least half the weight is free */
        return;
    }
    /* The free items with weight, and their running sum: exact about
     * emptiness, where a subtraction of sums would not be. */
    c->dense = 1;
    double run = 0.0;
    for (size_t i = 0, a = 0; i < d->n_items; i++) {
        while (a < n_avoid && avoid[a] < i)
            a++;
        if ((a < n_avoid && avoid[a] == i) || !(d->weight[i] > 0.0))
            continue;
        run += d->weight[i];
        items[c->n_free] = (uint32_t)i;
        cum[c->n_free++] = run;
    }
}

int rec_complement_empty(const rec_complement *c)
{
    return c->n_free == 0;
}

uint32_t rec_complement_draw(const rec_complement *c, rec_rng *r)
{
    const rec_item_dist *d = c->d;
    if (!c->dense) {
        for (;;) {
            uint32_t i = d->weight ? rec_alias_draw(&d->alias, r)
                                   : rec_rng_below(r, (uint32_t)d->n_items);
            if (!rec_sorted_has(c->avoid, 0, c->n_avoid, i))
                return i;
        }
    }
    if (d->weight) {
        /* The first free item whose running sum exceeds x. */
        double x = rec_rng_uniform(r) * c->cum[c->n_free - 1];
        size_t lo = 0, hi = c->n_free - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->cum[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return c->items[lo];
    }
    /* Uniform: the x-th free item; every avoided item at or below the
     * candidate shifts it up by one. */
    uint32_t i = rec_rng_below(r, (uint32_t)c->n_free);
    for (size_t a = 0; a < c->n_avoid && c->avoid[a] <= i; a++)
        i++;
    return i;
}
