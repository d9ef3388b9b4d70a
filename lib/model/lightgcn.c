/* LightGCN (He et al., SIGIR 2020).
 *
 * Layer-0 embeddings E (users, then items: the nodes of the graph) are the
 * only parameters. With M = D^-1/2 A D^-1/2, the layers are L_0 = E and
 * L_k = M L_{k-1}, and the final embedding is F = sum_k alpha_k L_k. Scores
 * are inner products of final embeddings. Training minimises, per
 * mini-batch of tuples (u, i, j_1..j_k),
 *
 *   mean loss(F_u.F_i, F_u.F_j1, ..., F_u.F_jk)
 *     + reg/2 mean(|E_u|^2 + |E_i|^2 + sum_q |E_jq|^2)
 *
 * with Adam on E. By default the loss is BPR with one uniform negative, as
 * the reference code does: users are drawn uniformly, then one of their
 * items, then an item they do not have; an epoch is as many tuples as there
 * are interactions. The loss and the sampler of negatives are settings
 * (model/objective.h, model/graph_batch.h).
 *
 * F is linear in E: F = P E with P = sum_k alpha_k M^k, so the gradient is
 * dL/dE = P^T dL/dF. A step therefore costs K products forward and K
 * backward, and two of them are cheap because the batch touches few rows:
 * the last forward layer is needed only at the batch's nodes
 * (rec_graph_spmm_rows), and the first backward product starts from a
 * gradient that is zero outside them (rec_graph_scatter_rows). P^T is
 * applied by Horner's rule:
 *
 *   X_K = alpha_K G,  X_k = alpha_k G + M^T X_{k+1},  dL/dE = X_0 (+ reg).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "embed/adam.h"
#include "embed/table.h"
#include "graph/graph.h"
#include "kernels/kernels.h"
#include "model/common_params.h"
#include "model/graph_batch.h"
#include "model/graph_models.h"
#include "model/item_set.h"
#include "model/family.h"
#include "model/model.h"

#define MAX_LAYERS 8

static const rec_param_def lightgcn_params[] = {
    REC_PARAM_DIM("64"),
    { "layers", REC_PARAM_INT, "3", 0, MAX_LAYERS, 0, 0, NULL, "[0, 8]",
      "propagation layers K" },
    { "layer_weights", REC_PARAM_FLOATS, "uniform", 0, 1000, 0, 0, "uniform",
      "uniform, or K+1 numbers in [0, 1000]",
      "weights alpha_0..alpha_K of the layers in the final embedding; uniform: 1/(K+1)" },
    /* The schedule: large batches with a scaled learning rate and a cosine
     * decay reach the reference's accuracy in a fraction of its time (the
     * reference: batch 2048, lr 0.001, constant; docs/models.md). */
    REC_PARAM_EPOCHS("1000"),
    REC_PARAM_LR("0.04"),
    REC_PARAM_REG("0.0001"),
    REC_PARAMS_LR_SCHEDULE("cosine", "0.01"),
    { "batch", REC_PARAM_INT, "65536", 1, 16777216, 0, 0, NULL, "[1, 2^24]",
      "tuples (a positive with its negatives) per Adam step" },
    REC_PARAM_INIT("normal"),
    REC_PARAM_INIT_SCALE("0.1"),
    { "dropout", REC_PARAM_FLOAT, "0", 0, 1, 0, 1, NULL, "[0, 1)",
      "probability of dropping each edge of the graph in a training step" },
    REC_PARAM_THREADS,
    REC_PARAM_SEED,
    /* A cosine schedule must run its course: no early stopping. */
    REC_PARAMS_EVALUATION("50", "0"),
    REC_PARAMS_OBJECTIVE("bpr", "1", "1", "uniform", "1"),
};

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

typedef struct lgcn {
    const rec_dataset *ds;
    const rec_train_options *opts;   /* for the learning-rate schedule */
    struct rec_graph *g;
    const rec_kernels *k;
    size_t n_users, n_items, n_nodes, dim, ld;
    unsigned K;
    float alpha[MAX_LAYERS + 1];
    float lr, reg, dropout;
    size_t batch;
    unsigned threads;
    uint64_t seed;
    uint32_t *active;          /* users with at least one interaction */
    size_t n_active;
    rec_table E;               /* layer 0: the parameters */
    rec_adam adam;
    float *buf[MAX_LAYERS];    /* L_1..L_{K-1} forward, Horner terms backward */
    size_t n_buf;
    float *F;                  /* final embeddings, batch rows only */
    float *G;                  /* dL/dF, batch rows only (zero elsewhere) */
    rec_graph_batch b;         /* the objective and the batch's tuples */
    uint32_t *rows;            /* the batch's distinct nodes, ascending */
    size_t n_rows;
    uint8_t *mark;             /* n_nodes flags used to collect rows */
    size_t touched;            /* entries of M in the batch's rows */
    uint32_t *near;            /* the batch's nodes and their neighbours */
    size_t n_near;
    uint8_t *in_batch;         /* n_nodes flags: the batch's nodes */
    float *grad_out;           /* test hook only: the gradient with K < 2 */
    uint64_t step;
    rec_dropout drop;          /* the current step's dropout */
    float *x;                  /* the current step's last Horner term */
} lgcn;

static float *row_of(const lgcn *s, float *m, uint32_t node)
{
    return m + (size_t)node * s->ld;
}

/* ---- Setup ---- */

static void lgcn_destroy(void *state)
{
    lgcn *s = state;
    if (!s)
        return;
    rec_graph_destroy(s->g);
    rec_free(s->active);
    rec_table_free(&s->E);
    rec_adam_free(&s->adam);
    for (size_t b = 0; b < s->n_buf; b++)
        rec_free(s->buf[b]);
    rec_free(s->F);
    rec_free(s->G);
    rec_graph_batch_free(&s->b);
    rec_free(s->rows);
    rec_free(s->mark);
    rec_free(s->near);
    rec_free(s->in_batch);
    rec_free(s->grad_out);
    rec_free(s);
}

/* alpha_0..alpha_K from the layer_weights setting. */
static int layer_weights(const rec_train_options *o, unsigned K, float *alpha)
{
    size_t n;
    const double *w = rec_opt_list(o, "layer_weights", &n);
    if (n == 0) {
        for (unsigned k = 0; k <= K; k++)
            alpha[k] = 1.0f / (float)(K + 1);
        return REC_OK;
    }
    if (n != K + 1)
        return rec_error(REC_EINVAL, "layer_weights has %zu values; layers = %u needs %u",
                         n, K, K + 1);
    for (unsigned k = 0; k <= K; k++)
        alpha[k] = (float)w[k];
    return REC_OK;
}

static float *alloc_matrix(const lgcn *s)
{
    float *m = rec_aligned_alloc(s->n_nodes * s->ld, sizeof(float));
    if (m)
        memset(m, 0, s->n_nodes * s->ld * sizeof(float));
    return m;
}

static int lgcn_setup(void **state, const rec_dataset *ds, const rec_train_options *o)
{
    *state = NULL;
    lgcn *s = rec_calloc(1, sizeof *s);
    if (!s)
        return rec_error_nomem();
    s->ds = ds;
    s->opts = o;
    s->k = rec_kernels_get();
    s->n_users = rec_ds_n_users(ds);
    s->n_items = rec_ds_n_items(ds);
    s->n_nodes = s->n_users + s->n_items;
    s->dim = (size_t)rec_opt_int(o, "dim");
    s->K = (unsigned)rec_opt_int(o, "layers");
    s->lr = (float)rec_opt_float(o, "lr");
    s->reg = (float)rec_opt_float(o, "reg");
    s->dropout = (float)rec_opt_float(o, "dropout");
    s->batch = (size_t)rec_opt_int(o, "batch");
    s->threads = rec_threads_resolve((unsigned)rec_opt_int(o, "threads"));
    s->seed = (uint64_t)rec_opt_int(o, "seed");

    int rc = layer_weights(o, s->K, s->alpha);
    if (rc == REC_OK)
        rc = rec_graph_build_local(&s->g, ds, REC_GRAPH_SYMMETRIC, 0);
    if (rc == REC_OK)
        rc = rec_table_alloc(&s->E, s->n_nodes, s->dim);
    if (rc == REC_OK)
        rc = rec_adam_init(&s->adam, s->n_nodes, s->dim, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    if (rc == REC_OK)
        rc = rec_graph_batch_init(&s->b, o, ds, s->g, s->k, s->batch, s->E.ld);
    if (rc != REC_OK) {
        lgcn_destroy(s);
        return rc == REC_ENOMEM ? rec_error_nomem() : rc;
    }
    s->ld = s->E.ld;
    /* Forward keeps L_1..L_{K-1}; backward alternates two buffers. */
    s->n_buf = s->K == 0 ? 0 : s->K == 1 ? 1 : (s->K - 1 > 2 ? s->K - 1 : 2);
    int ok = 1;
    for (size_t b = 0; b < s->n_buf; b++)
        ok &= (s->buf[b] = alloc_matrix(s)) != NULL;
    s->F = alloc_matrix(s);
    s->G = alloc_matrix(s);
    s->rows = rec_malloc_array(rec_graph_batch_max_rows(&s->b, s->n_nodes), sizeof *s->rows);
    s->mark = rec_calloc(s->n_nodes, 1);
    s->in_batch = rec_calloc(s->n_nodes, 1);
    s->near = rec_malloc_array(s->n_nodes, sizeof *s->near);
    s->active = rec_malloc_array(s->n_users, sizeof *s->active);
    if (!ok || !s->F || !s->G || !s->rows || !s->mark || !s->in_batch || !s->near ||
        !s->active) {
        lgcn_destroy(s);
        return rec_error_nomem();
    }
    s->n_active = rec_active_users(ds, s->active);
    rec_table_init(&s->E, (rec_init)rec_opt_int(o, "init"), rec_opt_float(o, "init_scale"),
                   s->seed, 0, s->threads);
    rc = rec_init_embeddings_apply(o, ds, s->dim, s->E.data, s->ld, s->g);
    if (rc != REC_OK) {
        lgcn_destroy(s);
        return rc;
    }
    *state = s;
    return REC_OK;
}

/* ---- One step ---- */

/* How many entries of M the batch's rows hold: decides between products
 * restricted to the batch and plain ones. */
static void count_touched(lgcn *s)
{
    s->touched = 0;
    for (size_t r = 0; r < s->n_rows; r++)
        s->touched += s->g->ptr[s->rows[r] + 1] - s->g->ptr[s->rows[r]];
}

/* The batch's nodes and their neighbours: the rows of layer K-1 that the
 * last layer reads at the batch's rows. Returns 0 (and collects nothing)
 * when the batch touches so much of the graph that computing layer K-1 on
 * every row costs less than finding the rows. */
static int collect_near(lgcn *s)
{
    const struct rec_graph *g = s->g;
    if (s->touched > g->nnz / 8)
        return 0;
    for (size_t r = 0; r < s->n_rows; r++) {
        uint32_t v = s->rows[r];
        s->mark[v] = 1;
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++)
            s->mark[g->col[e]] = 1;
    }
    s->n_near = rec_collect_marked(s->mark, s->n_nodes, s->near);
    return 1;
}

/* Draws the step's tuples and collects the batch's distinct nodes in
 * ascending order. Returns how many tuples there are. */
static size_t sample(lgcn *s, size_t n, rec_rng *rng)
{
    size_t m = rec_graph_batch_draw(&s->b, s->ds, s->active, s->n_active, n, rng, s->mark);
    s->n_rows = rec_collect_marked(s->mark, s->n_nodes, s->rows);
    count_touched(s);
    return m;
}

/* ---- Row-wise passes over the batch's rows, spread over the threads ---- */

/* What a pass does to each batch row v. */
typedef enum row_op {
    ROW_COMBINE,      /* F_v = alpha_K F_v + sum_{k<K} alpha_k L_k[v] */
    ROW_SCALE_G,      /* F_v = alpha_K G_v (the first backward term) */
    ROW_ADD_G,        /* dst_v += a G_v */
    ROW_LAST_TERM,    /* G_v *= alpha_0, and flag v as a batch row */
    ROW_CLEAR,        /* F_v = G_v = 0, and clear v's flag */
} row_op;

typedef struct row_pass {
    lgcn *s;
    row_op op;
    float a;
    float *dst;
} row_pass;

/* Batch rows per task: enough to outweigh handing out a task. */
#define PASS_ROWS 256

static void row_pass_task(void *p, size_t t, unsigned w)
{
    (void)w;
    const row_pass *rp = p;
    lgcn *s = rp->s;
    size_t a = t * PASS_ROWS, b = a + PASS_ROWS < s->n_rows ? a + PASS_ROWS : s->n_rows;
    for (size_t r = a; r < b; r++) {
        uint32_t v = s->rows[r];
        float *f = row_of(s, s->F, v), *g = row_of(s, s->G, v);
        switch (rp->op) {
        case ROW_COMBINE:
            for (size_t c = 0; c < s->ld; c++)
                f[c] *= s->alpha[s->K];
            s->k->axpy(s->alpha[0], row_of(s, s->E.data, v), f, s->ld);
            for (unsigned k = 1; k < s->K; k++)
                s->k->axpy(s->alpha[k], row_of(s, s->buf[k - 1], v), f, s->ld);
            break;
        case ROW_SCALE_G:
            for (size_t c = 0; c < s->ld; c++)
                f[c] = s->alpha[s->K] * g[c];
            break;
        case ROW_ADD_G:
            s->k->axpy(rp->a, g, row_of(s, rp->dst, v), s->ld);
            break;
        case ROW_LAST_TERM:
            for (size_t c = 0; c < s->ld; c++)
                g[c] *= s->alpha[0];
            s->in_batch[v] = 1;
            break;
        case ROW_CLEAR:
            memset(f, 0, s->ld * sizeof(float));
            memset(g, 0, s->ld * sizeof(float));
            s->in_batch[v] = 0;
            break;
        }
    }
}

/* Each batch row is touched by one task, so the pass has no races and its
 * result does not depend on the thread count. */
static void batch_rows_pass(lgcn *s, row_op op, float a, float *dst)
{
    row_pass rp = { s, op, a, dst };
    rec_parallel_for(s->threads, (s->n_rows + PASS_ROWS - 1) / PASS_ROWS, row_pass_task,
                     &rp);
}

/* F at the batch rows: sum_k alpha_k L_k, with L_K computed at those rows
 * only and, for small batches, L_{K-1} at those rows and their neighbours
 * only (about half of the nodes on Gowalla with batches of 2048). */
static void forward(lgcn *s, const rec_dropout *drop)
{
    const float *prev = s->E.data;
    int near = s->K >= 2 && collect_near(s);
    for (unsigned k = 1; k < s->K; k++) {
        if (k == s->K - 1 && near)
            rec_graph_spmm_rows(s->g, 0, s->near, s->n_near, prev, s->buf[k - 1], s->ld,
                                drop, s->threads);
        else
            rec_graph_spmm(s->g, 0, prev, s->buf[k - 1], s->ld, drop, s->threads);
        prev = s->buf[k - 1];
    }
    if (s->K > 0)
        rec_graph_spmm_rows(s->g, 0, s->rows, s->n_rows, prev, s->F, s->ld, drop,
                            s->threads);
    if (s->K > 0) {
        batch_rows_pass(s, ROW_COMBINE, 0.0f, NULL);
        return;
    }
    for (size_t r = 0; r < s->n_rows; r++) {
        uint32_t v = s->rows[r];
        memcpy(row_of(s, s->F, v), row_of(s, s->E.data, v), s->ld * sizeof(float));
    }
}

/* G = dL/dF at the batch rows (the mean tuple loss); returns the summed
 * loss. G is zero on entry (clear_batch_rows ends every step). */
static double loss_gradient(lgcn *s, size_t m)
{
    return rec_graph_batch_loss(&s->b, m, s->F, s->G, s->ld, NULL, 0.0f);
}

/* F and G are zero outside the current batch's rows between steps, so
 * that they can enter plain products, and no node is flagged in in_batch;
 * this restores both. */
static void clear_batch_rows(lgcn *s)
{
    batch_rows_pass(s, ROW_CLEAR, 0.0f, NULL);
}

/* Horner's rule down to the input of the last product. Returns X_1 (the
 * last product, X_0 = alpha_0 G + M^T X_1, is left to update_fused) when
 * K >= 2; for K <= 1 returns the whole gradient X_0 without the L2 term. */
static float *backward(lgcn *s, const rec_dropout *drop)
{
    if (s->K == 0) {
        for (size_t r = 0; r < s->n_rows; r++) {
            float *g = row_of(s, s->G, s->rows[r]);
            for (size_t c = 0; c < s->ld; c++)
                g[c] *= s->alpha[0];
        }
        return s->G;
    }
    /* X_{K-1} = alpha_{K-1} G + M^T (alpha_K G): the product is a scatter
     * from the batch rows; F (no longer needed) holds alpha_K G. */
    batch_rows_pass(s, ROW_SCALE_G, 0.0f, NULL);
    float *x = s->buf[0];
    if (s->touched > s->g->nnz / 4) {
        /* A batch reaching much of the graph: a plain product (F is zero
         * outside the batch rows) reads better than scattered writes. */
        rec_graph_spmm(s->g, 1, s->F, x, s->ld, drop, s->threads);
    } else {
        rec_zero_floats(x, s->n_nodes * s->ld, s->threads);
        rec_graph_scatter_rows(s->g, 0, s->rows, s->n_rows, s->F, x, s->ld, drop,
                               s->threads);
    }
    batch_rows_pass(s, ROW_ADD_G, s->alpha[s->K - 1], x);
    for (int k = (int)s->K - 2; k >= 1; k--) {
        float *y = x == s->buf[0] ? s->buf[1] : s->buf[0];
        rec_graph_spmm(s->g, 1, x, y, s->ld, drop, s->threads);
        batch_rows_pass(s, ROW_ADD_G, s->alpha[k], y);
        x = y;
    }
    return x;
}

/* The L2 term on the batch's layer-0 rows, one per occurrence (the user,
 * the positive and each negative of every tuple). */
static void add_regularisation(lgcn *s, float *grad, size_t m)
{
    rec_graph_batch_add_reg(&s->b, m, s->E.data, grad, s->ld, NULL, s->reg / (float)m);
}

typedef struct adam_job {
    lgcn *s;
    const float *grad;
    float step;
    size_t n, chunk;
    float *store;            /* fused_row: keep the gradient here instead */
} adam_job;

static void adam_chunk(void *p, size_t c, unsigned w)
{
    (void)w;
    adam_job *j = p;
    size_t a = c * j->chunk, b = a + j->chunk < j->n ? a + j->chunk : j->n;
    lgcn *s = j->s;
    s->k->adam_row(s->E.data + a, s->adam.m.data + a, s->adam.v.data + a, j->grad + a,
                   b - a, j->step, s->adam.beta1, s->adam.beta2, s->adam.eps);
}

/* Dense Adam over every row, as the reference: rows without a gradient in
 * this step still move with their momentum. */
static void adam_update(lgcn *s, const float *grad, float step)
{
    /* Chunks are multiples of 16 floats: the SIMD kernel's unit. */
    adam_job j = { s, grad, step, s->n_nodes * s->ld, 1u << 16, NULL };
    rec_parallel_for(s->threads, (j.n + j.chunk - 1) / j.chunk, adam_chunk, &j);
}

/* The last product of the backward pass fused with the Adam step: each row
 * of M^T X_1 becomes the row's gradient once alpha_0 G and the L2 term (held
 * in G at the batch rows) are added, and is applied at once, so the full
 * gradient matrix is never written. */
static void fused_row(void *ctx, uint32_t r, float *g)
{
    adam_job *j = ctx;
    lgcn *s = j->s;
    if (s->in_batch[r])
        s->k->axpy(1.0f, row_of(s, s->G, r), g, s->ld);
    size_t off = (size_t)r * s->ld;
    if (j->store) {
        memcpy(j->store + off, g, s->ld * sizeof(float));
        return;
    }
    s->k->adam_row(s->E.data + off, s->adam.m.data + off, s->adam.v.data + off, g, s->ld,
                   j->step, s->adam.beta1, s->adam.beta2, s->adam.eps);
}

/* G at the batch rows becomes alpha_0 G + the L2 term of every occurrence,
 * and the batch rows are flagged for fused_row. */
static void batch_rows_of_last_term(lgcn *s, size_t m)
{
    batch_rows_pass(s, ROW_LAST_TERM, 0.0f, NULL);
    add_regularisation(s, s->G, m);
}

/* dL/dE and the Adam step; with `store`, dL/dE is written there (n_nodes
 * rows) and the parameters are left alone. */
static int update(lgcn *s, const rec_dropout *drop, float *x, size_t m, float *store)
{
    float step = 0.0f;
    if (!store)
        step = rec_adam_step_size(&s->adam, s->lr, ++s->step);
    if (s->K < 2) { /* x holds the whole gradient but for the L2 term */
        add_regularisation(s, x, m);
        if (store)
            memcpy(store, x, s->n_nodes * s->ld * sizeof(float));
        else
            adam_update(s, x, step);
        return REC_OK;
    }
    batch_rows_of_last_term(s, m);
    adam_job j = { s, NULL, step, 0, 0, store };
    return rec_graph_spmm_each(s->g, 1, x, s->ld, drop, s->threads, fused_row, &j);
}

/* ---- Every node's final embedding ---- */

/* Where propagate_all puts what it computes. */
typedef struct final_sink {
    /* The row that accumulates graph node v's final embedding (zero on
     * entry). */
    float *(*row)(void *ctx, const lgcn *s, size_t v);
    /* Layer k < K of every node as it passes, or NULL. */
    int (*layer)(void *ctx, const lgcn *s, unsigned k, const float *layer);
    void *ctx;
} final_sink;

/* F = sum_k alpha_k L_k at every node, without dropout: what export serves
 * and what DNS scores. The layers are propagated in the training buffers,
 * which hold nothing between steps, so this (for every evaluation during
 * training too) costs no memory beyond the sink's. */
static int propagate_all(lgcn *s, const final_sink *sink)
{
    const float *prev = s->E.data;
    for (unsigned k = 0; k <= s->K; k++) {
        const float *layer = prev;
        if (k > 0) {
            float *next = s->buf[(k - 1) % s->n_buf];
            rec_graph_spmm(s->g, 0, prev, next, s->ld, NULL, s->threads);
            layer = next;
        }
        for (size_t v = 0; v < s->n_nodes; v++)
            s->k->axpy(s->alpha[k], layer + v * s->ld, sink->row(sink->ctx, s, v), s->ld);
        if (sink->layer && k < s->K) {
            int rc = sink->layer(sink->ctx, s, k, layer);
            if (rc != REC_OK)
                return rc;
        }
        prev = layer;
    }
    return REC_OK;
}

static float *dns_row(void *ctx, const lgcn *s, size_t v)
{
    (void)ctx;
    return row_of(s, s->b.dns, (uint32_t)v);
}

/* DNS scores its candidates on the final embeddings as of the epoch's
 * start: propagating the whole graph at every step would cost as much as
 * the step itself. */
static int step_start(void *state)
{
    lgcn *s = state;
    if (!s->b.dns)
        return REC_OK;
    memset(s->b.dns, 0, s->n_nodes * s->ld * sizeof(float));
    final_sink sink = { dns_row, NULL, NULL };
    return propagate_all(s, &sink);
}

/* The phases of a step for rec_graph_epoch. */
static size_t step_sample(void *state, size_t n, rec_rng *rng)
{
    return sample(state, n, rng);
}

static void step_forward(void *state, rec_rng *rng)
{
    lgcn *s = state;
    s->drop = (rec_dropout){ s->dropout > 0 ? REC_DROPOUT_EDGE : REC_DROPOUT_NONE,
                             s->dropout, rec_rng_next(rng) };
    forward(s, &s->drop);
}

static double step_loss(void *state, size_t m)
{
    return loss_gradient(state, m);
}

static int step_backward(void *state)
{
    lgcn *s = state;
    s->x = backward(s, &s->drop);
    return REC_OK;
}

static int step_update(void *state, size_t m)
{
    lgcn *s = state;
    int rc = update(s, &s->drop, s->x, m, NULL);
    clear_batch_rows(s);
    return rc;
}

static const rec_graph_step lgcn_step = { step_start, step_sample, step_forward, step_loss,
                                          step_backward, step_update };

static int lgcn_epoch(void *state, unsigned epoch, rec_epoch_report *rep)
{
    lgcn *s = state;
    s->lr = (float)rec_lr_for_epoch(s->opts, epoch);
    return rec_graph_epoch(s, &lgcn_step, s->ds, s->batch, s->seed, epoch, rep);
}

/* For tests: the objective of the given tuples (dataset node ids: users,
 * then items; tj holds `negatives` per tuple) at the current parameters,
 * without dropout, and its gradient with respect to E (a pointer into the
 * state, valid until the next call; rows in the graph's numbering, see
 * rec_lightgcn_row). */
int rec_lightgcn_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                           const uint32_t *tj, size_t m, double *loss, const float **grad)
{
    lgcn *s = state;
    if (m == 0 || m > s->batch)
        return rec_error(REC_EINVAL, "between 1 and batch tuples");
    rec_graph_batch_set(&s->b, m, tu, ti, tj, s->mark);
    double reg = rec_graph_batch_sq(&s->b, m, s->E.data, s->ld, NULL);
    s->n_rows = rec_collect_marked(s->mark, s->n_nodes, s->rows);
    count_touched(s);
    forward(s, NULL);
    *loss = loss_gradient(s, m) / (double)m + 0.5 * s->reg * reg / (double)m;
    /* The gradient as training computes it, fused path included; F is free
     * again once backward has run, and holds it. */
    float *x = backward(s, NULL);
    /* The gradient lands in the second buffer of the Horner terms (or a
     * copy of G's layout), and F and G are cleared as after a step. */
    if (s->n_buf < 2 && !s->grad_out && !(s->grad_out = alloc_matrix(s)))
        return rec_error_nomem();
    float *out = s->n_buf > 1 ? (x == s->buf[0] ? s->buf[1] : s->buf[0]) : s->grad_out;
    int rc = update(s, NULL, x, m, out);
    clear_batch_rows(s);
    *grad = out;
    return rc;
}

/* For tests: the layer-0 embeddings (n_nodes rows of stride ld, in the
 * graph's numbering). */
float *rec_lightgcn_parameters(void *state, size_t *ld)
{
    lgcn *s = state;
    *ld = s->ld;
    return s->E.data;
}

/* For tests: the row of dataset node v in the parameters and gradients. */
size_t rec_lightgcn_row(void *state, size_t v)
{
    lgcn *s = state;
    return rec_graph_node(s->g, v);
}

/* ---- Export and fold-in ---- */

/* Row v of the serving form's matrices (users, then items, as the nodes). */
static float *serving_row(const lgcn *s, rec_serving *out, size_t v)
{
    return v < s->n_users ? out->U + v * s->ld : out->V + (v - s->n_users) * s->ld;
}

typedef struct export_sink {
    rec_serving *out;
    rec_tensors *ts;   /* NULL: no fold-in data */
} export_sink;

static float *export_row(void *ctx, const lgcn *s, size_t v)
{
    export_sink *e = ctx;
    return serving_row(s, e->out, rec_graph_original(s->g, v));
}

/* Layer k of the items, kept for fold-in. */
static int export_layer(void *ctx, const lgcn *s, unsigned k, const float *layer)
{
    export_sink *e = ctx;
    if (!e->ts)
        return REC_OK;
    char name[32];
    float *t;
    snprintf(name, sizeof name, "item_layer_%u", k);
    int rc = rec_tensors_add(e->ts, name, s->n_items, s->dim, &t);
    for (size_t i = 0; rc == REC_OK && i < s->n_items; i++)
        memcpy(t + i * s->ld, layer + rec_graph_node(s->g, s->n_users + i) * s->ld,
               s->ld * sizeof(float));
    return rc;
}

/* The final embeddings of every node (no dropout) into the serving form,
 * and the tensors fold-in needs: the items' layers 0..K-1, their degrees
 * and the layer weights. */
static int lgcn_export(void *state, rec_serving *out, rec_tensors *ts)
{
    lgcn *s = state;
    int rc = rec_serving_alloc(out, s->n_users, s->n_items, s->dim, REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    float *w, *deg;
    if (ts && ((rc = rec_tensors_add(ts, "layer_weights", 1, s->K + 1, &w)) != REC_OK ||
               (rc = rec_tensors_add(ts, "item_degree", s->n_items, 1, &deg)) != REC_OK)) {
        rec_serving_free(out);
        return rc;
    }
    for (unsigned k = 0; ts && k <= s->K; k++)
        w[k] = s->alpha[k];
    for (size_t i = 0; ts && i < s->n_items; i++)
        deg[i * rec_ld_for(1)] = (float)s->g->degree[rec_graph_node(s->g, s->n_users + i)];
    export_sink e = { out, ts };
    final_sink sink = { export_row, export_layer, &e };
    rc = propagate_all(s, &sink);
    if (rc != REC_OK)
        rec_serving_free(out);
    return rc;
}

/* A new user u with items N(u) joins the graph: its layers are
 *   e_u^(k) = sum_{i in N(u)} e_i^(k-1) / sqrt(|N(u)| d_i),  k = 1..K,
 * from the items' trained layers, and its layer 0 is zero (it has no
 * trained embedding). For a user who was in training this is exactly its
 * final embedding minus alpha_0 times its layer-0 embedding. */
static int lgcn_fold_in(const struct rec_model *m, const uint32_t *items, size_t n,
                        float *out)
{
    const rec_tensors *ts = &m->tensors;
    const rec_tensor *w = rec_tensors_find(ts, "layer_weights");
    const rec_tensor *deg = rec_tensors_find(ts, "item_degree");
    size_t dim = m->serving.dim;
    if (!w || !deg || w->cols < 1 || w->cols > MAX_LAYERS + 1 ||
        deg->rows != m->serving.n_items)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: this model holds no fold-in "
                         "data (it was saved by a library without it)");
    unsigned K = (unsigned)w->cols - 1;
    const rec_tensor *layer[MAX_LAYERS];
    for (unsigned k = 0; k < K; k++) {
        char name[32];
        snprintf(name, sizeof name, "item_layer_%u", k);
        layer[k] = rec_tensors_find(ts, name);
        if (!layer[k] || layer[k]->rows != m->serving.n_items || layer[k]->cols != dim)
            return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: fold-in data of layer %u "
                             "is missing", k);
    }
    size_t d;
    uint32_t *u = rec_item_set(items, n, &d);
    double *acc = rec_calloc(dim, sizeof *acc);
    if (!u || !acc) {
        rec_free(u);
        rec_free(acc);
        return rec_error_nomem();
    }
    for (size_t j = 0; j < d; j++) {
        float di = deg->data[(size_t)u[j] * deg->ld];
        double c = 1.0 / sqrt((double)d * (di > 1.0f ? di : 1.0f));
        for (unsigned k = 1; k <= K; k++) {
            const float *e = layer[k - 1]->data + (size_t)u[j] * layer[k - 1]->ld;
            double a = c * w->data[k];
            for (size_t x = 0; x < dim; x++)
                acc[x] += a * e[x];
        }
    }
    for (size_t x = 0; x < dim; x++)
        out[x] = (float)acc[x];
    rec_free(u);
    rec_free(acc);
    return REC_OK;
}

/* The parameters are E alone. */
static int lgcn_snapshot(void *state, void **snap)
{
    lgcn *s = state;
    float *copy = rec_aligned_alloc(s->n_nodes * s->ld, sizeof(float));
    if (!copy)
        return rec_error_nomem();
    memcpy(copy, s->E.data, s->n_nodes * s->ld * sizeof(float));
    *snap = copy;
    return REC_OK;
}

static void lgcn_restore(void *state, const void *snap)
{
    lgcn *s = state;
    memcpy(s->E.data, snap, s->n_nodes * s->ld * sizeof(float));
}

const rec_family rec_family_lightgcn = {
    .name = "lightgcn",
    .summary = "LightGCN: linear propagation over the user-item graph, Adam on a "
               "sampled loss",
    .params = lightgcn_params,
    .n_params = sizeof lightgcn_params / sizeof lightgcn_params[0],
    .setup = lgcn_setup,
    .epoch = lgcn_epoch,
    .export_state = lgcn_export,
    .destroy = lgcn_destroy,
    .snapshot = lgcn_snapshot,
    .restore = lgcn_restore,
    .free_snapshot = rec_free,
    .fold_in = lgcn_fold_in,
    .warm_start = 1,
};
