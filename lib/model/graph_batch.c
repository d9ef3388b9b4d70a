#include "model/graph_batch.h"

#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "model/family.h"
#include "sample/negative.h"

size_t rec_active_users(const rec_dataset *ds, uint32_t *active)
{
    size_t n = 0;
    for (size_t u = 0; u < rec_ds_n_users(ds); u++)
        if (ds->user_ptr[u + 1] > ds->user_ptr[u])
            active[n++] = (uint32_t)u;
    return n;
}

size_t rec_draw_triples(const rec_dataset *ds, const struct rec_graph *g,
                        const uint32_t *active, size_t n_active, size_t n, rec_rng *rng,
                        uint32_t *tu, uint32_t *ti, uint32_t *tj, uint8_t *mark)
{
    size_t nu = rec_ds_n_users(ds), m = 0;
    for (size_t t = 0; t < n; t++) {
        uint32_t u = active[rec_rng_below(rng, (uint32_t)n_active)];
        size_t lo = ds->user_ptr[u], deg = ds->user_ptr[u + 1] - lo;
        uint32_t i = ds->user_items[lo + rec_rng_below(rng, (uint32_t)deg)];
        uint32_t j = rec_sample_negative(ds, u, rng);
        if (j == REC_NO_ITEM)
            continue;
        tu[m] = (uint32_t)rec_graph_node(g, u);
        ti[m] = (uint32_t)rec_graph_node(g, nu + i);
        tj[m] = (uint32_t)rec_graph_node(g, nu + j);
        mark[tu[m]] = mark[ti[m]] = mark[tj[m]] = 1;
        m++;
    }
    return m;
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
        return rec_error(REC_EINVAL, "no training triple can be drawn: every user has "
                                     "interacted with every item");
    rep->loss = loss / (double)count;
    return REC_OK;
}
