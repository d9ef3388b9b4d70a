/* The fused path of the engine (model/mf_engine.h): BPR with one uniform
 * negative on inner products, one SGD step per triple through the fused
 * kernel bpr_sgd_step. The loss of a triple is
 * softplus(-(s_ui - s_uj)) + reg/2 (|U[u]|^2 + |V[i]|^2 + |V[j]|^2). */
#include "core/rng.h"
#include "model/mf_engine.h"
#include "sample/negative.h"

/* Rows touched by a triple are at random places in tables of megabytes, so
 * an SGD step waits on memory far longer than it computes. The loop is
 * software-pipelined over the triples of a chunk; for triple t, at step
 *   t - 3A  the drawn interaction's user and item are prefetched,
 *   t - 2A  they are read; the user's row offsets and the U, V[i] rows are
 *           prefetched,
 *   t - A   a candidate negative j is drawn; the user's item row (needed to
 *           reject a positive j) and V[j] are prefetched,
 *   t       j is checked (and redrawn in the rare case it is a positive) and
 *           the SGD step computed.
 * Draws come from two streams per unit, interactions and negatives, in a
 * fixed order, so a run is as repeatable as without the pipeline. */
enum { CHUNK = 256, AHEAD = 8 };

typedef struct slot {
    uint64_t e;          /* interaction index */
    uint32_t u, i, j;
    int candidate;       /* j still needs the positive check */
} slot;

/* Stage t - A: a candidate negative for slot t. Users holding more than half
 * of the catalogue take the exact sampler at once (it maps onto the
 * complement); everyone else gets a uniform candidate checked at stage t. */
static void draw_candidate(const mf_run *r, slot *t, rec_rng *neg)
{
    const rec_dataset *ds = r->ds;
    size_t lo = ds->user_ptr[t->u], hi = ds->user_ptr[t->u + 1];
    size_t n_items = r->V.rows;
    if ((hi - lo) * 2 > n_items) {
        t->j = rec_sample_negative(ds, t->u, neg);
        t->candidate = 0;
    } else {
        t->j = rec_rng_below(neg, (uint32_t)n_items);
        t->candidate = 1;
        const uint32_t *row = ds->user_items + lo;
        __builtin_prefetch(row, 0, 3);
        __builtin_prefetch(row + (hi - lo) / 2, 0, 3);
        __builtin_prefetch(row + 16, 0, 3);
    }
    if (t->j != REC_NO_ITEM)
        rec_prefetch_row(rec_table_row(&r->V, t->j), r->V.ld);
}

void rec_mf_fused_unit(void *p, size_t unit, unsigned worker)
{
    (void)worker;
    mf_run *r = p;
    const rec_dataset *ds = r->ds;
    const size_t ld = r->U.ld;
    rec_rng pos, neg;
    rec_rng_seed(&pos, r->seed, REC_STREAM_SAMPLE + r->epoch, 2 * (uint64_t)unit);
    rec_rng_seed(&neg, r->seed, REC_STREAM_SAMPLE + r->epoch, 2 * (uint64_t)unit + 1);
    size_t n = rec_mf_unit_size(r, unit), used = 0;
    double loss = 0.0;
    slot sl[CHUNK];

    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        for (size_t c = 0; c < m; c++)
            sl[c].e = rec_rng_below64(&pos, ds->nnz);
        for (size_t c = 0; c < m + 3 * AHEAD; c++) {
            if (c < m) {
                __builtin_prefetch(&r->user_of[sl[c].e], 0, 3);
                __builtin_prefetch(&ds->user_items[sl[c].e], 0, 3);
            }
            if (c >= AHEAD && c - AHEAD < m) {
                slot *t = &sl[c - AHEAD];
                t->u = r->user_of[t->e];
                t->i = ds->user_items[t->e];
                __builtin_prefetch(&ds->user_ptr[t->u], 0, 3);
                rec_prefetch_row(rec_table_row(&r->U, t->u), ld);
                rec_prefetch_row(rec_table_row(&r->V, t->i), ld);
            }
            if (c >= 2 * AHEAD && c - 2 * AHEAD < m)
                draw_candidate(r, &sl[c - 2 * AHEAD], &neg);
            if (c < 3 * AHEAD || c - 3 * AHEAD >= m)
                continue;
            slot *t = &sl[c - 3 * AHEAD];
            while (t->candidate && rec_dataset_has(ds, t->u, t->j))
                t->j = rec_rng_below(&neg, (uint32_t)r->V.rows);
            if (t->j == REC_NO_ITEM)
                continue;
            float x = r->k->bpr_sgd_step(rec_table_row(&r->U, t->u),
                                         rec_table_row(&r->V, t->i),
                                         rec_table_row(&r->V, t->j), ld, r->lr, r->reg);
            loss += rec_softplus(-(double)x);
            used++;
        }
    }
    r->unit_loss[unit] = loss;
    r->unit_count[unit] = used;
}

