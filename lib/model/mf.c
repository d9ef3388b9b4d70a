/* Matrix factorization trained with BPR (Rendle et al., UAI 2009).
 *
 * score(u, i) = <U[u], V[i]>. Each epoch draws as many (u, i, j) triples as
 * there are training interactions: (u, i) uniformly among the interactions,
 * j uniformly among the items u has not interacted with. The loss of a
 * triple is softplus(-(s_ui - s_uj)) + reg/2 (|U[u]|^2 + |V[i]|^2 + |V[j]|^2).
 *
 * The draws are split into units of `batch` triples; unit b of epoch e draws
 * from the random stream (seed, REC_STREAM_SAMPLE + e, b). Threads take
 * units in order and update the shared tables without locks (Hogwild!,
 * Recht et al. 2011): with one thread a run is bit-for-bit repeatable, with
 * several it is statistically the same.
 *
 *  - optimizer sgd: one step per triple (fused kernel bpr_sgd_step);
 *  - optimizer adam: one lazy Adam step per unit on the mean gradient.
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "embed/adam.h"
#include "embed/sparse_grad.h"
#include "embed/table.h"
#include "kernels/kernels.h"
#include "model/bpr_grad.h"
#include "model/common_params.h"
#include "model/family.h"
#include "sample/negative.h"

static const rec_param_def mf_params[] = {
    REC_PARAM_DIM("64"),
    REC_PARAM_EPOCHS("400"),
    REC_PARAM_LR("0.05"),
    REC_PARAM_REG("0.005"),
    REC_PARAMS_LR_SCHEDULE("constant", "0.01"),
    { "batch", REC_PARAM_INT, "1024", 1, 16777216, 0, 0, NULL, "[1, 2^24]",
      "triples per unit: the mini-batch of one adam step; for sgd, the "
      "triples drawn from one random stream" },
    REC_PARAM_OPTIMIZER("sgd"),
    REC_PARAM_INIT("normal"),
    REC_PARAM_INIT_SCALE("0.1"),
    REC_PARAM_THREADS,
    REC_PARAM_SEED,
    REC_PARAMS_EVALUATION("20", "5"),
};

enum { OPT_SGD = 0, OPT_ADAM = 1 };

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

typedef struct mf_run {
    const rec_dataset *ds;
    const rec_train_options *opts;   /* for the learning-rate schedule */
    const rec_kernels *k;
    uint32_t *user_of;           /* user of each interaction (COO rows) */
    rec_table U, V;
    float lr, reg;
    size_t batch;
    uint64_t seed;
    unsigned epoch;
    unsigned threads;
    size_t n_units;
    double *unit_loss;           /* per unit, summed in unit order */
    size_t *unit_count;
    /* adam only */
    int adam;
    rec_adam adam_u, adam_v;
    rec_sparse_grad *grad_u, *grad_v;  /* one per worker */
    atomic_uint_fast64_t step;
} mf_run;

/* Draws one training triple; 0 if the user has no negative item. */
static inline int draw_triple(const mf_run *r, rec_rng *rng, uint32_t *u,
                              uint32_t *i, uint32_t *j)
{
    uint64_t e = rec_rng_below64(rng, r->ds->nnz);
    *u = r->user_of[e];
    *i = r->ds->user_items[e];
    *j = rec_sample_negative(r->ds, *u, rng);
    return *j != REC_NO_ITEM;
}

static size_t unit_size(const mf_run *r, size_t unit)
{
    size_t first = unit * r->batch;
    size_t left = r->ds->nnz - first;
    return left < r->batch ? left : r->batch;
}

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

static inline void prefetch_row(const float *row, size_t ld)
{
    for (size_t c = 0; c < ld; c += 16) /* one 64-byte line per 16 floats */
        __builtin_prefetch(row + c, 1, 3);
}

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
        prefetch_row(rec_table_row(&r->V, t->j), r->V.ld);
}

static void sgd_unit(void *p, size_t unit, unsigned worker)
{
    (void)worker;
    mf_run *r = p;
    const rec_dataset *ds = r->ds;
    const size_t ld = r->U.ld;
    rec_rng pos, neg;
    rec_rng_seed(&pos, r->seed, REC_STREAM_SAMPLE + r->epoch, 2 * (uint64_t)unit);
    rec_rng_seed(&neg, r->seed, REC_STREAM_SAMPLE + r->epoch, 2 * (uint64_t)unit + 1);
    size_t n = unit_size(r, unit), used = 0;
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
                prefetch_row(rec_table_row(&r->U, t->u), ld);
                prefetch_row(rec_table_row(&r->V, t->i), ld);
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

static void adam_apply(const rec_kernels *k, rec_table *w, rec_adam *a,
                       const rec_sparse_grad *g, float step)
{
    for (size_t s = 0; s < g->n; s++) {
        uint32_t row = g->rows[s];
        k->adam_row(rec_table_row(w, row), rec_table_row(&a->m, row),
                    rec_table_row(&a->v, row), g->g + s * g->ld, w->ld, step,
                    a->beta1, a->beta2, a->eps);
    }
}

static void adam_unit(void *p, size_t unit, unsigned worker)
{
    mf_run *r = p;
    const rec_kernels *k = r->k;
    rec_sparse_grad *gu = &r->grad_u[worker], *gv = &r->grad_v[worker];
    rec_rng rng;
    rec_rng_seed(&rng, r->seed, REC_STREAM_SAMPLE + r->epoch, unit);
    size_t n = unit_size(r, unit), used = 0;
    double loss = 0.0;
    const float scale = 1.0f / (float)n;
    size_t ld = r->U.ld;

    rec_sparse_grad_clear(gu);
    rec_sparse_grad_clear(gv);
    for (size_t s = 0; s < n; s++) {
        uint32_t u, i, j;
        if (!draw_triple(r, &rng, &u, &i, &j))
            continue;
        /* Accumulator rows live in a fixed buffer: the three stay valid. */
        float *du = rec_sparse_grad_row(gu, u);
        float *di = rec_sparse_grad_row(gv, i);
        float *dj = rec_sparse_grad_row(gv, j);
        loss += rec_bpr_add_grad(k, rec_table_row(&r->U, u), rec_table_row(&r->V, i),
                                 rec_table_row(&r->V, j), ld, scale, r->reg, du, di, dj);
        used++;
    }
    uint64_t t = atomic_fetch_add(&r->step, 1) + 1;
    float step = rec_adam_step_size(&r->adam_u, r->lr, t);
    adam_apply(k, &r->U, &r->adam_u, gu, step);
    adam_apply(k, &r->V, &r->adam_v, gv, step);
    r->unit_loss[unit] = loss;
    r->unit_count[unit] = used;
}

static void free_run(mf_run *r)
{
    rec_free(r->user_of);
    rec_table_free(&r->U);
    rec_table_free(&r->V);
    rec_free(r->unit_loss);
    rec_free(r->unit_count);
    rec_adam_free(&r->adam_u);
    rec_adam_free(&r->adam_v);
    for (unsigned w = 0; r->grad_u && w < r->threads; w++)
        rec_sparse_grad_free(&r->grad_u[w]);
    for (unsigned w = 0; r->grad_v && w < r->threads; w++)
        rec_sparse_grad_free(&r->grad_v[w]);
    rec_free(r->grad_u);
    rec_free(r->grad_v);
}

static int setup_adam(mf_run *r)
{
    int rc = rec_adam_init(&r->adam_u, r->U.rows, r->U.dim, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    if (rc == REC_OK)
        rc = rec_adam_init(&r->adam_v, r->V.rows, r->V.dim, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    if (rc != REC_OK)
        return rc;
    r->grad_u = rec_calloc(r->threads, sizeof *r->grad_u);
    r->grad_v = rec_calloc(r->threads, sizeof *r->grad_v);
    if (!r->grad_u || !r->grad_v)
        return REC_ENOMEM;
    /* A unit touches at most `batch` users and 2 * batch items. */
    for (unsigned w = 0; w < r->threads; w++) {
        if (rec_sparse_grad_init(&r->grad_u[w], r->U.ld, r->batch) != REC_OK ||
            rec_sparse_grad_init(&r->grad_v[w], r->V.ld, 2 * r->batch) != REC_OK)
            return REC_ENOMEM;
    }
    return REC_OK;
}

static int setup(mf_run *r, const rec_dataset *ds, const rec_train_options *o)
{
    memset(r, 0, sizeof *r);
    r->ds = ds;
    r->opts = o;
    r->k = rec_kernels_get();
    size_t dim = (size_t)rec_opt_int(o, "dim");
    r->lr = (float)rec_opt_float(o, "lr");
    r->reg = (float)rec_opt_float(o, "reg");
    r->batch = (size_t)rec_opt_int(o, "batch");
    r->seed = (uint64_t)rec_opt_int(o, "seed");
    r->threads = rec_threads_resolve((unsigned)rec_opt_int(o, "threads"));
    r->adam = rec_opt_int(o, "optimizer") == OPT_ADAM;
    r->n_units = (ds->nnz + r->batch - 1) / r->batch;

    int rc = rec_table_alloc(&r->U, rec_ds_n_users(ds), dim);
    if (rc == REC_OK)
        rc = rec_table_alloc(&r->V, rec_ds_n_items(ds), dim);
    if (rc != REC_OK)
        return rc;
    r->user_of = rec_malloc_array(ds->nnz, sizeof *r->user_of);
    r->unit_loss = rec_malloc_array(r->n_units, sizeof *r->unit_loss);
    r->unit_count = rec_malloc_array(r->n_units, sizeof *r->unit_count);
    if (!r->user_of || !r->unit_loss || !r->unit_count)
        return REC_ENOMEM;
    if (r->adam && (rc = setup_adam(r)) != REC_OK)
        return rc;

    for (size_t u = 0; u < rec_ds_n_users(ds); u++)
        for (size_t e = ds->user_ptr[u]; e < ds->user_ptr[u + 1]; e++)
            r->user_of[e] = (uint32_t)u;
    rec_init init = (rec_init)rec_opt_int(o, "init");
    double scale = rec_opt_float(o, "init_scale");
    rec_table_init(&r->U, init, scale, r->seed, 0, r->threads);
    rec_table_init(&r->V, init, scale, r->seed, 1, r->threads);
    return REC_OK;
}

static void mf_destroy(void *state)
{
    if (!state)
        return;
    free_run(state);
    rec_free(state);
}

static int mf_setup(void **state, const rec_dataset *ds, const rec_train_options *o)
{
    *state = NULL;
    mf_run *r = rec_malloc(sizeof *r);
    if (!r)
        return rec_error_nomem();
    int rc = setup(r, ds, o);
    if (rc != REC_OK) {
        mf_destroy(r);
        return rc == REC_ENOMEM ? rec_error_nomem() : rc;
    }
    *state = r;
    return REC_OK;
}

static int mf_epoch(void *state, unsigned epoch, rec_epoch_report *rep)
{
    mf_run *r = state;
    r->epoch = epoch;
    r->lr = (float)rec_lr_for_epoch(r->opts, epoch);
    rec_parallel_for(r->threads, r->n_units, r->adam ? adam_unit : sgd_unit, r);
    double sum = 0.0;
    size_t count = 0;
    for (size_t b = 0; b < r->n_units; b++) {
        sum += r->unit_loss[b];
        count += r->unit_count[b];
    }
    if (count == 0)
        return rec_error(REC_EINVAL, "no training triple can be drawn: every user has "
                                     "interacted with every item");
    /* Sampling and updates are one fused loop: all of it is update time. */
    rep->loss = sum / (double)count;
    return REC_OK;
}

static int mf_export(void *state, rec_serving *out, rec_tensors *tensors)
{
    (void)tensors;
    mf_run *r = state;
    int rc = rec_serving_alloc(out, r->U.rows, r->V.rows, r->U.dim, REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    memcpy(out->U, r->U.data, r->U.rows * r->U.ld * sizeof(float));
    memcpy(out->V, r->V.data, r->V.rows * r->V.ld * sizeof(float));
    return REC_OK;
}

const rec_family rec_family_mf = {
    .name = "mf",
    .summary = "matrix factorization trained with BPR on uniformly sampled negatives",
    .params = mf_params,
    .n_params = sizeof mf_params / sizeof mf_params[0],
    .setup = mf_setup,
    .epoch = mf_epoch,
    .export_state = mf_export,
    .destroy = mf_destroy,
    .fold_in = NULL,
};
