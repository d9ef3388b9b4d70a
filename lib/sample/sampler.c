#include "sample/sampler.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

int rec_sampler_create(struct rec_sampler **out, const rec_dataset *train,
                       const rec_sampler_options *opts)
{
    *out = NULL;
    struct rec_sampler *s = rec_calloc(1, sizeof *s);
    if (!s)
        return rec_error_nomem();
    s->opts = *opts;
    s->train = rec_dataset_retain(train);
    size_t n_items = rec_ds_n_items(train);
    int rc = REC_OK;
    double *w = NULL;
    if (opts->kind == REC_SAMPLER_POPULARITY && opts->alpha != 0.0) {
        w = rec_malloc_array(n_items + 1, sizeof *w);
        if (!w)
            rc = rec_error_nomem();
        /* An item nobody trained on weighs 0^alpha = 0: never drawn. */
        for (size_t i = 0; rc == REC_OK && i < n_items; i++)
            w[i] = pow((double)(train->item_ptr[i + 1] - train->item_ptr[i]), opts->alpha);
    }
    if (rc == REC_OK)
        rc = rec_item_dist_init(&s->dist, n_items, w);
    rec_free(w);
    if (rc == REC_OK && s->dist.weight) {
        size_t n_users = rec_ds_n_users(train);
        s->cum = rec_malloc_array(n_items + 1, sizeof *s->cum);
        s->items = rec_malloc_array(n_items + 1, sizeof *s->items);
        s->user_weight = rec_malloc_array(n_users + 1, sizeof *s->user_weight);
        if (!s->cum || !s->items || !s->user_weight)
            rc = rec_error_nomem();
        for (size_t u = 0; rc == REC_OK && u < n_users; u++)
            s->user_weight[u] = rec_item_dist_weight_of(
                &s->dist, train->user_items + train->user_ptr[u],
                train->user_ptr[u + 1] - train->user_ptr[u]);
    }
    if (rc != REC_OK) {
        rec_sampler_destroy(s);
        return rc;
    }
    *out = s;
    return REC_OK;
}

void rec_sampler_destroy(struct rec_sampler *s)
{
    if (!s)
        return;
    rec_item_dist_free(&s->dist);
    rec_free(s->cum);
    rec_free(s->items);
    rec_free(s->user_weight);
    rec_dataset_release(s->train);
    rec_free(s);
}

/* A training interaction drawn uniformly: its user and item. */
static void draw_pair(const rec_dataset *ds, rec_rng *r, uint32_t *user, uint32_t *item)
{
    size_t e = (size_t)rec_rng_below64(r, ds->nnz);
    /* The user whose row holds position e: the last u with user_ptr[u] <= e. */
    size_t lo = 0, hi = rec_ds_n_users(ds);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->user_ptr[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    *user = (uint32_t)lo;
    *item = ds->user_items[e];
}

/* The hardest of m uniform candidates: the first of the highest scored. */
static uint32_t draw_dns(const struct rec_sampler *s, const rec_complement *c,
                         const rec_negative_draw *d, uint32_t u, rec_rng *r)
{
    uint32_t best = REC_NO_ITEM;
    float best_score = 0.0f;
    for (unsigned t = 0; t < s->opts.candidates; t++) {
        uint32_t i = rec_complement_draw(c, r);
        float sc = d->score(d->model, u, i);
        if (best == REC_NO_ITEM || sc > best_score) {
            best = i;
            best_score = sc;
        }
    }
    return best;
}

/* Another pair's positive that is not one of u's; uniform if the batch
 * keeps offering u's own positives. */
static uint32_t draw_in_batch(const rec_dataset *ds, const rec_complement *c, size_t j,
                              size_t n, const uint32_t *pos, uint32_t u, rec_rng *r)
{
    for (int t = 0; n > 1 && t < REC_IN_BATCH_TRIES; t++) {
        size_t l = rec_rng_below64(r, n - 1);
        l += l >= j; /* any pair but j */
        if (!rec_dataset_has(ds, u, pos[l]))
            return pos[l];
    }
    return rec_complement_draw(c, r);
}

void rec_sampler_negatives(const struct rec_sampler *s, const rec_negative_draw *d,
                           rec_rng *r, size_t n, const uint32_t *users, const uint32_t *pos,
                           uint32_t *neg)
{
    const rec_dataset *ds = s->train;
    unsigned per = s->opts.negatives;
    for (size_t j = 0; j < n; j++) {
        uint32_t u = users[j];
        const uint32_t *row = ds->user_items + ds->user_ptr[u];
        size_t deg = ds->user_ptr[u + 1] - ds->user_ptr[u];
        rec_complement c;
        rec_complement_init_avoiding(&c, &s->dist, row, deg,
                                     s->user_weight ? s->user_weight[u] : (double)deg, d->cum,
                                     d->items);
        for (unsigned q = 0; q < per; q++) {
            uint32_t *out = &neg[j * per + q];
            if (rec_complement_empty(&c))
                *out = REC_NO_ITEM;
            else if (s->opts.kind == REC_SAMPLER_DNS)
                *out = draw_dns(s, &c, d, u, r);
            else if (s->opts.kind == REC_SAMPLER_IN_BATCH)
                *out = draw_in_batch(ds, &c, j, n, pos, u, r);
            else
                *out = rec_complement_draw(&c, r);
        }
    }
}

static float serving_score(const void *model, uint32_t u, uint32_t i)
{
    const rec_serving *m = model;
    return rec_serving_score(m, rec_serving_user(m, u), i);
}

void rec_sampler_draw(struct rec_sampler *s, const rec_serving *model, size_t n,
                      uint32_t *users, uint32_t *pos, uint32_t *neg)
{
    rec_rng r;
    rec_rng_seed(&r, s->opts.seed, REC_STREAM_SAMPLER, s->batch++);
    /* All pairs first: in-batch negatives come from the whole batch. */
    for (size_t j = 0; j < n; j++)
        draw_pair(s->train, &r, &users[j], &pos[j]);
    rec_negative_draw d = { serving_score, model, s->cum, s->items };
    rec_sampler_negatives(s, &d, &r, n, users, pos, neg);
}
