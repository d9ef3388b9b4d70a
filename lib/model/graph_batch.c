#include "model/graph_batch.h"

#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "model/family.h"

size_t rec_active_users(const rec_dataset *ds, uint32_t *active)
{
    size_t n = 0;
    for (size_t u = 0; u < rec_ds_n_users(ds); u++)
        if (ds->user_ptr[u + 1] > ds->user_ptr[u])
            active[n++] = (uint32_t)u;
    return n;
}

/* ---- The objective and its batch ---- */

/* The score of a DNS candidate: user u against item i on the final
 * embeddings of the epoch's start. */
static float dns_score(const void *p, uint32_t u, uint32_t i)
{
    const rec_graph_batch *b = p;
    const float *fu = b->dns + rec_graph_node(b->g, u) * b->dns_ld;
    const float *fi = b->dns + rec_graph_node(b->g, b->n_users + i) * b->dns_ld;
    return b->kern->dot(fu, fi, b->dns_ld);
}

/* The sampler's scratch: the complement of a dense user under a weighted
 * distribution, and the DNS scores' embeddings. */
static int alloc_draw(rec_graph_batch *b, size_t n_items, size_t n_nodes)
{
    const struct rec_sampler *smp = b->ob.sampler;
    if (smp->dist.weight) {
        b->draw.cum = rec_malloc_array(n_items + 1, sizeof *b->draw.cum);
        b->draw.items = rec_malloc_array(n_items + 1, sizeof *b->draw.items);
        if (!b->draw.cum || !b->draw.items)
            return REC_ENOMEM;
    }
    if (smp->opts.kind == REC_SAMPLER_DNS) {
        if (!(b->dns = rec_aligned_alloc(n_nodes * b->dns_ld, sizeof(float))))
            return REC_ENOMEM;
        memset(b->dns, 0, n_nodes * b->dns_ld * sizeof(float));
        b->draw.score = dns_score;
        b->draw.model = b;
    }
    return REC_OK;
}

int rec_graph_batch_init(rec_graph_batch *b, const rec_train_options *o,
                         const rec_dataset *ds, const struct rec_graph *g,
                         const rec_kernels *kern, size_t cap, size_t dns_ld)
{
    memset(b, 0, sizeof *b);
    int rc = rec_objective_init(&b->ob, o, ds);
    if (rc != REC_OK)
        return rc;
    b->k = b->ob.negatives;
    b->cap = cap;
    b->g = g;
    b->kern = kern;
    b->n_users = rec_ds_n_users(ds);
    b->dns_ld = dns_ld;
    size_t k1 = (size_t)b->k + 1;
    b->tu = rec_malloc_array(cap, sizeof *b->tu);
    b->ti = rec_malloc_array(cap, sizeof *b->ti);
    b->tj = cap <= SIZE_MAX / b->k ? rec_malloc_array(cap * b->k, sizeof *b->tj) : NULL;
    b->v = rec_malloc_array(k1, sizeof *b->v);
    b->dv = rec_malloc_array(k1, sizeof *b->dv);
    b->sc.s = rec_malloc_array(k1, sizeof(float));
    b->sc.ds = rec_malloc_array(k1, sizeof(float));
    b->sc.dflip = rec_malloc_array(k1, sizeof(float));
    rc = b->tu && b->ti && b->tj && b->v && b->dv && b->sc.s && b->sc.ds && b->sc.dflip
             ? alloc_draw(b, rec_ds_n_items(ds), b->n_users + rec_ds_n_items(ds))
             : REC_ENOMEM;
    if (rc != REC_OK) {
        rec_graph_batch_free(b);
        return rec_error_nomem();
    }
    return REC_OK;
}

void rec_graph_batch_free(rec_graph_batch *b)
{
    rec_objective_free(&b->ob);
    void *bufs[] = { b->tu, b->ti, b->tj, b->v, b->dv, b->sc.s, b->sc.ds, b->sc.dflip,
                     b->draw.cum, b->draw.items, b->dns };
    for (size_t q = 0; q < sizeof bufs / sizeof bufs[0]; q++)
        rec_free(bufs[q]);
    memset(b, 0, sizeof *b);
}

size_t rec_graph_batch_max_rows(const rec_graph_batch *b, size_t n_nodes)
{
    size_t per = (size_t)b->k + 2;
    return b->cap < n_nodes / per ? b->cap * per : n_nodes;
}

/* A user uniformly among the active ones, then one of the user's items. */
static void draw_pair(const rec_dataset *ds, const uint32_t *active, size_t n_active,
                      rec_rng *rng, uint32_t *user, uint32_t *item)
{
    uint32_t u = active[rec_rng_below(rng, (uint32_t)n_active)];
    size_t lo = ds->user_ptr[u], deg = ds->user_ptr[u + 1] - lo;
    *user = u;
    *item = ds->user_items[lo + rec_rng_below(rng, (uint32_t)deg)];
}

/* The n drawn pairs (dataset ids) without those that found no negative,
 * in place as graph nodes, flagged in mark. Returns how many remain. */
static size_t keep_as_nodes(rec_graph_batch *b, size_t n, uint8_t *mark)
{
    size_t k = b->k, m = 0;
    for (size_t t = 0; t < n; t++) {
        if (b->tj[t * k] == REC_NO_ITEM) /* the user holds every item */
            continue;
        b->tu[m] = (uint32_t)rec_graph_node(b->g, b->tu[t]);
        b->ti[m] = (uint32_t)rec_graph_node(b->g, b->n_users + b->ti[t]);
        mark[b->tu[m]] = mark[b->ti[m]] = 1;
        for (size_t q = 0; q < k; q++) {
            uint32_t j = (uint32_t)rec_graph_node(b->g, b->n_users + b->tj[t * k + q]);
            b->tj[m * k + q] = j;
            mark[j] = 1;
        }
        m++;
    }
    return m;
}

size_t rec_graph_batch_draw(rec_graph_batch *b, const rec_dataset *ds, const uint32_t *active,
                            size_t n_active, size_t n, rec_rng *rng, uint8_t *mark)
{
    const struct rec_sampler *smp = b->ob.sampler;
    /* In-batch negatives are other pairs' positives, so that sampler needs
     * every pair first; the others draw a pair's negatives right after the
     * pair, which keeps the reference's stream for one uniform negative. */
    int whole_batch = smp->opts.kind == REC_SAMPLER_IN_BATCH;
    for (size_t t = 0; t < n; t++) {
        draw_pair(ds, active, n_active, rng, &b->tu[t], &b->ti[t]);
        if (!whole_batch)
            rec_sampler_negatives(smp, &b->draw, rng, 1, &b->tu[t], &b->ti[t],
                                  b->tj + t * b->k);
    }
    if (whole_batch)
        rec_sampler_negatives(smp, &b->draw, rng, n, b->tu, b->ti, b->tj);
    return keep_as_nodes(b, n, mark);
}

void rec_graph_batch_set(rec_graph_batch *b, size_t m, const uint32_t *tu, const uint32_t *ti,
                         const uint32_t *tj, uint8_t *mark)
{
    size_t k = b->k;
    for (size_t t = 0; t < m; t++) {
        b->tu[t] = tu[t];
        b->ti[t] = ti[t] - (uint32_t)b->n_users;
        for (size_t q = 0; q < k; q++)
            b->tj[t * k + q] = tj[t * k + q] - (uint32_t)b->n_users;
    }
    keep_as_nodes(b, m, mark);
}

/* Node q of pair p: its user (q = 0), its positive (1), or negative q - 2. */
static uint32_t pair_node(const rec_graph_batch *b, size_t p, size_t q)
{
    return q == 0 ? b->tu[p] : q == 1 ? b->ti[p] : b->tj[p * b->k + q - 2];
}

/* The row of node v in a matrix of ld-float rows indexed by slot. */
static size_t row_offset(uint32_t v, size_t ld, const uint32_t *slot)
{
    return (size_t)(slot ? slot[v] : v) * ld;
}

/* G_v += r P_v for the k + 2 nodes of pair p. */
static void add_reg_pair(const rec_graph_batch *b, size_t p, const float *P, float *G,
                         size_t ld, const uint32_t *slot, float r)
{
    for (size_t q = 0; q < (size_t)b->k + 2; q++) {
        size_t off = row_offset(pair_node(b, p, q), ld, slot);
        b->kern->axpy(r, P + off, G + off, ld);
    }
}

double rec_graph_batch_loss(rec_graph_batch *b, size_t m, const float *F, float *G, size_t ld,
                            const uint32_t *slot, float reg)
{
    double loss = 0.0;
    float scale = 1.0f / (float)m;
    rec_tuple t = { NULL, b->v, b->k, 1.0, NULL };
    for (size_t p = 0; p < m; p++) {
        size_t off = row_offset(b->tu[p], ld, slot);
        t.u = F + off;
        for (size_t q = 0; q <= b->k; q++) {
            size_t o = row_offset(pair_node(b, p, q + 1), ld, slot);
            b->v[q] = F + o;
            b->dv[q] = G + o;
        }
        loss += rec_tuple_grad(b->kern, &b->ob.loss, REC_SCORING_DOT, &t, ld, scale, G + off,
                               b->dv, &b->sc);
        /* Right after the pair's loss term, as the fused BPR gradient did. */
        if (reg > 0.0f)
            add_reg_pair(b, p, F, G, ld, slot, reg * scale);
    }
    return loss;
}

void rec_graph_batch_add_reg(const rec_graph_batch *b, size_t m, const float *P, float *G,
                             size_t ld, const uint32_t *slot, float r)
{
    for (size_t p = 0; p < m; p++)
        add_reg_pair(b, p, P, G, ld, slot, r);
}

double rec_graph_batch_sq(const rec_graph_batch *b, size_t m, const float *P, size_t ld,
                          const uint32_t *slot)
{
    double sq = 0.0;
    for (size_t p = 0; p < m; p++)
        for (size_t q = 0; q < (size_t)b->k + 2; q++) {
            const float *x = P + row_offset(pair_node(b, p, q), ld, slot);
            for (size_t c = 0; c < ld; c++)
                sq += (double)x[c] * x[c];
        }
    return sq;
}

size_t rec_collect_marked(uint8_t *mark, size_t n, uint32_t *list)
{
    size_t k = 0;
    for (size_t v = 0; v < n; v++) {
        if (mark[v]) {
            list[k++] = (uint32_t)v;
            mark[v] = 0;
        }
    }
    return k;
}

typedef struct zero_job {
    float *m;
    size_t n, chunk;
} zero_job;

static void zero_chunk(void *p, size_t c, unsigned w)
{
    (void)w;
    zero_job *z = p;
    size_t a = c * z->chunk, b = a + z->chunk < z->n ? a + z->chunk : z->n;
    memset(z->m + a, 0, (b - a) * sizeof(float));
}

void rec_zero_floats(float *m, size_t n, unsigned threads)
{
    zero_job z = { m, n, (size_t)1 << 18 };
    rec_parallel_for(threads, (n + z.chunk - 1) / z.chunk, zero_chunk, &z);
}

int rec_graph_epoch(void *state, const rec_graph_step *f, const rec_dataset *ds,
                    size_t batch, uint64_t seed, unsigned epoch, rec_epoch_report *rep)
{
    size_t nnz = ds->nnz, steps = (nnz + batch - 1) / batch;
    double loss = 0.0;
    size_t count = 0;
    double t_start = rec_now();
    if (f->start) {
        int rc = f->start(state);
        if (rc != REC_OK)
            return rc;
    }
    rep->sample_seconds += rec_now() - t_start;
    for (size_t st = 0; st < steps; st++) {
        double t0 = rec_now();
        rec_rng rng;
        rec_rng_seed(&rng, seed, REC_STREAM_SAMPLE + epoch, st);
        size_t m = f->sample(state, nnz - st * batch < batch ? nnz - st * batch : batch, &rng);
        if (m == 0)
            continue;
        double t1 = rec_now();
        f->forward(state, &rng);
        double t2 = rec_now();
        loss += f->loss(state, m);
        count += m;
        int rc = f->backward(state);
        double t3 = rec_now();
        if (rc == REC_OK)
            rc = f->update(state, m);
        if (rc != REC_OK)
            return rc;
        double t4 = rec_now();
        rep->sample_seconds += t1 - t0;
        rep->forward_seconds += t2 - t1;
        rep->backward_seconds += t3 - t2;
        rep->update_seconds += t4 - t3;
    }
    if (count == 0)
        return rec_error(REC_EINVAL, "no training tuple can be drawn: every user has "
                                     "interacted with every item");
    rep->loss = loss / (double)count;
    return REC_OK;
}
