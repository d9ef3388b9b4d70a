/* The general path of the engine (model/mf_engine.h): any loss, sampler
 * and scoring rule. A unit draws its pairs (training interactions,
 * uniformly with replacement), then their negatives from the sampler, so
 * in-batch negatives come from the unit's own positives; then
 *
 *  - sgd: one step per tuple, on the rows the tuple touched, each row's
 *    gradient taken at the values before the step;
 *  - adam: one lazy Adam step per unit on the mean gradient.
 *
 * Every tuple pays reg/2 |row|^2 on each row it touches (one term per
 * occurrence). The loss reported is the data term. */
#include <string.h>

#include "core/rng.h"
#include "model/mf_engine.h"

/* DNS scores candidates with the tables as they are (other threads may be
 * writing them: the Hogwild! reads of every step). */
static float table_score(const void *p, uint32_t u, uint32_t i)
{
    const mf_run *r = p;
    const float *a = rec_table_row(&r->U, u), *b = rec_table_row(&r->V, i);
    return r->scoring == REC_SCORING_DOT ? r->k->dot(a, b, r->U.ld)
                                         : -r->k->sqdist(a, b, r->U.ld);
}

static size_t draw_unit(const mf_run *r, rec_mf_worker *w, size_t unit, rec_rng *rng)
{
    const rec_dataset *ds = r->ds;
    size_t n = rec_mf_unit_size(r, unit);
    for (size_t s = 0; s < n; s++) {
        uint64_t e = rec_rng_below64(rng, ds->nnz);
        w->users[s] = r->user_of[e];
        w->pos[s] = ds->user_items[e];
    }
    rec_negative_draw d = { table_score, r, w->cum, w->items };
    rec_sampler_negatives(r->ob.sampler, &d, rng, n, w->users, w->pos, w->neg);
    return n;
}

/* Tuple s of the unit into t (items in w->ids); 0 if its user has every
 * item and there is no negative. */
static int tuple_at(const mf_run *r, rec_mf_worker *w, size_t s, rec_tuple *t)
{
    size_t k = r->ob.negatives;
    if (w->neg[s * k] == REC_NO_ITEM)
        return 0;
    w->ids[0] = w->pos[s];
    memcpy(w->ids + 1, w->neg + s * k, k * sizeof *w->ids);
    for (size_t q = 0; q <= k; q++)
        w->v[q] = rec_table_row(&r->V, w->ids[q]);
    *t = (rec_tuple){ .u = rec_table_row(&r->U, w->users[s]), .v = w->v, .k = k,
                      .weight = r->item_weight ? r->item_weight[w->ids[0]] : 1.0 };
    if (r->kind == REC_MF_NBPO) {
        rec_nbpo_flip_logits(r, w->users[s], w->ids, k + 1, w->flip);
        t->flip = w->flip;
    }
    return 1;
}

/* Adds the tuple's gradient (times scale, with the L2 term) to du and
 * w->dv[0..k]; returns the data loss. */
static double tuple_gradient(const mf_run *r, rec_mf_worker *w, const rec_tuple *t,
                             float scale, float *du)
{
    size_t ld = r->U.ld;
    rec_tuple_scratch sc = { w->s, w->ds, w->dflip };
    double loss = rec_tuple_grad(r->k, &r->ob.loss, r->scoring, t, ld, scale, du, w->dv, &sc);
    if (r->reg > 0.0f) {
        float g = r->reg * scale;
        r->k->axpy(g, t->u, du, ld);
        for (size_t q = 0; q <= t->k; q++)
            r->k->axpy(g, t->v[q], w->dv[q], ld);
    }
    return loss;
}

static double sgd_tuple(mf_run *r, rec_mf_worker *w, uint32_t u, const rec_tuple *t)
{
    size_t ld = r->U.ld, k1 = t->k + 1;
    memset(w->grad, 0, (k1 + 1) * ld * sizeof(float));
    float *du = w->grad;
    for (size_t q = 0; q < k1; q++)
        w->dv[q] = w->grad + (q + 1) * ld;
    double loss = tuple_gradient(r, w, t, 1.0f, du);
    float *urow = rec_table_row(&r->U, u);
    r->k->axpy(-r->lr, du, urow, ld);
    for (size_t q = 0; q < k1; q++)
        r->k->axpy(-r->lr, w->dv[q], rec_table_row(&r->V, w->ids[q]), ld);
    if (r->kind == REC_MF_CML) {
        rec_cml_clip(urow, ld);
        for (size_t q = 0; q < k1; q++)
            rec_cml_clip(rec_table_row(&r->V, w->ids[q]), ld);
    }
    if (r->learn_flip)
        rec_nbpo_flip_step(r, w, u, w->ids, k1, w->dflip);
    return loss;
}

static void adam_apply(const mf_run *r, rec_table *t, const rec_adam *a,
                       const rec_sparse_grad *g, float step)
{
    for (size_t s = 0; s < g->n; s++) {
        float *row = rec_table_row(t, g->rows[s]);
        r->k->adam_row(row, rec_table_row(&a->m, g->rows[s]), rec_table_row(&a->v, g->rows[s]),
                       g->g + s * g->ld, t->ld, step, a->beta1, a->beta2, a->eps);
        if (r->kind == REC_MF_CML)
            rec_cml_clip(row, t->ld);
    }
}

/* CML's covariance term over the unit's users and positives: applied at
 * once under sgd, added to the accumulators under adam. */
static void covariance_step(mf_run *r, rec_mf_worker *w, size_t n)
{
    size_t ld = r->U.ld;
    for (size_t s = 0; s < n; s++) {
        memcpy(w->cov_x + s * ld, rec_table_row(&r->U, w->users[s]), ld * sizeof(float));
        memcpy(w->cov_x + (n + s) * ld, rec_table_row(&r->V, w->pos[s]), ld * sizeof(float));
    }
    rec_cml_covariance_grad(r, w, 2 * n);
    for (size_t s = 0; s < 2 * n; s++) {
        const float *g = w->cov_g + s * ld;
        int user = s < n;
        uint32_t id = user ? w->users[s] : w->pos[s - n];
        if (r->adam) {
            float *acc = rec_sparse_grad_row(user ? &w->gu : &w->gv, id);
            r->k->axpy(1.0f, g, acc, ld);
            continue;
        }
        float *row = user ? rec_table_row(&r->U, id) : rec_table_row(&r->V, id);
        r->k->axpy(-r->lr, g, row, ld);
        rec_cml_clip(row, ld);
    }
}

enum { AHEAD = 4 };

static void prefetch_tuple(const mf_run *r, const rec_mf_worker *w, size_t s)
{
    size_t k = r->ob.negatives;
    rec_prefetch_row(rec_table_row(&r->U, w->users[s]), r->U.ld);
    rec_prefetch_row(rec_table_row(&r->V, w->pos[s]), r->V.ld);
    for (size_t q = 0; q < k && w->neg[s * k + q] != REC_NO_ITEM; q++)
        rec_prefetch_row(rec_table_row(&r->V, w->neg[s * k + q]), r->V.ld);
}

void rec_mf_tuple_unit(void *p, size_t unit, unsigned worker)
{
    mf_run *r = p;
    rec_mf_worker *w = &r->work[worker];
    rec_rng rng;
    rec_rng_seed(&rng, r->seed, REC_STREAM_SAMPLE + r->epoch, unit);
    size_t n = draw_unit(r, w, unit, &rng), used = 0;
    double loss = 0.0;
    if (r->adam) {
        rec_sparse_grad_clear(&w->gu);
        rec_sparse_grad_clear(&w->gv);
    }
    for (size_t s = 0; s < n && s < AHEAD; s++)
        prefetch_tuple(r, w, s);
    for (size_t s = 0; s < n; s++) {
        if (s + AHEAD < n)
            prefetch_tuple(r, w, s + AHEAD);
        rec_tuple t;
        if (!tuple_at(r, w, s, &t))
            continue;
        used++;
        if (!r->adam) {
            loss += sgd_tuple(r, w, w->users[s], &t);
            continue;
        }
        /* Accumulator rows live in a fixed buffer: the pointers stay valid. */
        float *du = rec_sparse_grad_row(&w->gu, w->users[s]);
        for (size_t q = 0; q <= t.k; q++)
            w->dv[q] = rec_sparse_grad_row(&w->gv, w->ids[q]);
        loss += tuple_gradient(r, w, &t, 1.0f / (float)n, du);
    }
    if (r->kind == REC_MF_CML && r->cov_reg > 0.0f && n > 1)
        covariance_step(r, w, n);
    if (r->adam) {
        uint64_t step = atomic_fetch_add(&r->step, 1) + 1;
        float size = rec_adam_step_size(&r->adam_u, r->lr, step);
        adam_apply(r, &r->U, &r->adam_u, &w->gu, size);
        adam_apply(r, &r->V, &r->adam_v, &w->gv, size);
    }
    r->unit_loss[unit] = loss;
    r->unit_count[unit] = used;
}
