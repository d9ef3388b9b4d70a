/* NGCF: Neural Graph Collaborative Filtering (Wang et al., SIGIR 2019), as
 * its reference code computes it.
 *
 * Layer-0 embeddings X_0 = E (users, then items) and, for k = 1..K,
 *
 *   S_k = M X_{k-1}                                  (messages)
 *   Y_k = lrelu(S_k W1_k + b1_k) + lrelu((X_{k-1} o S_k) W2_k + b2_k)
 *   X_k = dropout(Y_k)                               (message dropout)
 *   N_k = X_k / |X_k|                                (per row)
 *
 * with M the normalised adjacency (by default D^-1 (A + I), the reference
 * code's "norm"), o the element-wise product and lrelu the leaky ReLU of
 * slope 0.2. The final embedding is the concatenation [X_0, N_1, ..., N_K],
 * so the serving dimension is dim (K + 1). The loss of a mini-batch of
 * tuples (u, i, j_1..j_k) is the mean tuple loss on the scores F_u.F_i,
 * F_u.F_jq (BPR with one uniform negative by default, as the reference)
 * plus reg/2 (|F_u|^2 + |F_i|^2 + sum_q |F_jq|^2) averaged over the batch,
 * on the final embeddings as in the reference; Adam updates E and every W
 * and b.
 *
 * The last layer is needed only at the batch's nodes: it is computed on
 * those rows, in compact arrays, and its backward pass starts with a scatter
 * from them. Earlier layers are full products and row-block GEMMs (BLIS,
 * one thread per block). */
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
#include "kernels/gemm.h"
#include "kernels/kernels.h"
#include "model/common_params.h"
#include "model/graph_batch.h"
#include "model/graph_models.h"
#include "model/item_set.h"
#include "model/model.h"
#include "model/row_norm.h"

#define MAX_LAYERS 8
#define SLOPE 0.2f             /* leaky ReLU, TensorFlow's default */
#define ROW_CHUNK 256          /* rows per task of the dense passes */
/* A chunk's partial weight gradients: dW1 and dW2 (d rows each), db1, db2. */
#define PARTIAL_ROWS(d) (2 * (d) + 2)
/* Largest layer size: per-row dropout factors live on the stack. */
#define REC_DIM_MAX_NGCF 1024

enum { ADJ_LEFT_LOOPS = 0, ADJ_LEFT = 1, ADJ_SYMMETRIC = 2, ADJ_SYMMETRIC_LOOPS = 3 };

static const rec_param_def ngcf_params[] = {
    { "dim", REC_PARAM_INT, "64", 1, 1024, 0, 0, NULL, "[1, 1024]",
      "size of the embeddings and of every layer" },
    { "layers", REC_PARAM_INT, "3", 1, MAX_LAYERS, 0, 0, NULL, "[1, 8]",
      "propagation layers K (each of size dim)" },
    { "adjacency", REC_PARAM_CHOICE, "left_loops", 0, 0, 0, 0,
      "left_loops|left|symmetric|symmetric_loops",
      "left_loops|left|symmetric|symmetric_loops",
      "M: D^-1 (A + I) (the reference code's default), D^-1 A, D^-1/2 A D^-1/2 "
      "(the paper's Laplacian) or D^-1/2 (A + I) D^-1/2" },
    REC_PARAM_EPOCHS("400"),
    REC_PARAM_LR("0.0001"),
    REC_PARAM_REG("0.00001"),
    REC_PARAMS_LR_SCHEDULE("constant", "0.01"),
    { "batch", REC_PARAM_INT, "1024", 1, 16777216, 0, 0, NULL, "[1, 2^24]",
      "tuples (a positive with its negatives) per Adam step" },
    { "mess_dropout", REC_PARAM_FLOAT, "0.1", 0, 1, 0, 1, NULL, "[0, 1)",
      "dropout of each layer's output during training" },
    { "node_dropout", REC_PARAM_FLOAT, "0", 0, 1, 0, 1, NULL, "[0, 1)",
      "dropout of each entry of M during training (the reference code's "
      "node dropout; off there by default)" },
    REC_PARAM_INIT("xavier"),
    REC_PARAM_INIT_SCALE("0.1"),
    REC_PARAM_THREADS,
    REC_PARAM_SEED,
    REC_PARAMS_EVALUATION("20", "5"),
    REC_PARAMS_OBJECTIVE("bpr", "1", "1", "uniform", "1"),
};

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

/* The dense weights of one layer, each with its Adam state and gradient. */
typedef struct dense {
    float *w, *m, *v, *g;   /* rows x ld */
    size_t rows, cols, ld;
} dense;

typedef struct ngcf_layer {
    dense W1, b1, W2, b2;
    /* Full layers (k < K): n_nodes rows; the last layer: compact rows. */
    float *S, *Z1, *Z2, *X;
} ngcf_layer;

typedef struct ngcf {
    const rec_dataset *ds;
    const rec_train_options *opts;   /* for the learning-rate schedule */
    struct rec_graph *g;
    const rec_kernels *k;
    size_t n_users, n_items, n_nodes, dim, ld, fdim, fld;
    unsigned K;
    float lr, reg, mess_p, node_p;
    size_t batch;
    unsigned threads;
    uint64_t seed;
    uint32_t *active;
    size_t n_active;
    rec_table E;
    rec_adam adam;
    ngcf_layer L[MAX_LAYERS + 1];        /* L[1..K] */
    /* backward buffers, n_nodes x ld */
    float *dX, *dX2, *dS;
    /* the batch */
    rec_graph_batch b;              /* the objective and the batch's tuples */
    uint32_t *rows;                 /* distinct nodes, ascending */
    size_t n_rows;
    uint32_t *slot;                 /* node -> position in rows (valid for rows) */
    uint8_t *mark;
    float *F, *GF;                  /* compact: n_rows x fld */
    float *cX, *cdX, *cdS, *tmp;    /* compact n_rows x ld scratch */
    float *scratch;                 /* per worker: ROW_CHUNK x ld */
    float *partial;                 /* per chunk of rows: weight gradients */
    uint64_t step;
    uint64_t drop_seed;             /* the current step's message dropout */
    rec_dropout drop;               /* the current step's node dropout */
} ngcf;

static inline float lrelu(float z)
{
    return z > 0.0f ? z : SLOPE * z;
}

static inline float lrelu_grad(float z)
{
    return z > 0.0f ? 1.0f : SLOPE;
}

/* Message dropout: element (layer k, node, column c) is kept iff 16 bits of
 * a hash of (step seed, k, node, c / 4) are at or above p 2^16, so the
 * forward and backward passes of a step drop the same elements and one
 * hash decides four of them. Writes the row's factors (0 or 1 / (1 - p)). */
static void dropout_row(const ngcf *s, unsigned k, uint32_t node, float *factor)
{
    if (!(s->mess_p > 0.0f)) {
        for (size_t c = 0; c < s->dim; c++)
            factor[c] = 1.0f;
        return;
    }
    uint32_t threshold = (uint32_t)((double)s->mess_p * 65536.0);
    float keep = 1.0f / (1.0f - s->mess_p);
    uint64_t base = s->drop_seed ^ ((uint64_t)k << 56) ^ ((uint64_t)node << 24);
    for (size_t c = 0; c < s->dim; c += 4) {
        uint64_t h = rec_mix64(base ^ (c >> 2));
        for (size_t q = 0; q < 4 && c + q < s->dim; q++)
            factor[c + q] = ((h >> (16 * q)) & 0xffff) >= threshold ? keep : 0.0f;
    }
}

/* ---- Parameters ---- */

static int dense_alloc(dense *d, size_t rows, size_t cols)
{
    memset(d, 0, sizeof *d);
    d->rows = rows;
    d->cols = cols;
    d->ld = rec_ld_for(cols);
    size_t n = rows * d->ld;
    d->w = rec_aligned_alloc(n, sizeof(float));
    d->m = rec_aligned_alloc(n, sizeof(float));
    d->v = rec_aligned_alloc(n, sizeof(float));
    d->g = rec_aligned_alloc(n, sizeof(float));
    if (!d->w || !d->m || !d->v || !d->g)
        return REC_ENOMEM;
    memset(d->w, 0, n * sizeof(float));
    memset(d->m, 0, n * sizeof(float));
    memset(d->v, 0, n * sizeof(float));
    memset(d->g, 0, n * sizeof(float));
    return REC_OK;
}

static void dense_free(dense *d)
{
    rec_free(d->w);
    rec_free(d->m);
    rec_free(d->v);
    rec_free(d->g);
}

/* Xavier uniform over a rows x cols shape, as the reference initialiser. */
static void xavier(float *w, size_t rows, size_t cols, size_t ld, rec_rng *r)
{
    double b = sqrt(6.0 / (double)(rows + cols));
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < cols; c++)
            w[i * ld + c] = (float)(b * (2.0 * rec_rng_uniform(r) - 1.0));
}

static void ngcf_destroy(void *state)
{
    ngcf *s = state;
    if (!s)
        return;
    rec_graph_destroy(s->g);
    rec_free(s->active);
    rec_table_free(&s->E);
    rec_adam_free(&s->adam);
    for (unsigned k = 1; k <= MAX_LAYERS; k++) {
        ngcf_layer *l = &s->L[k];
        dense_free(&l->W1);
        dense_free(&l->b1);
        dense_free(&l->W2);
        dense_free(&l->b2);
        rec_free(l->S);
        rec_free(l->Z1);
        rec_free(l->Z2);
        rec_free(l->X);
    }
    rec_graph_batch_free(&s->b);
    void *bufs[] = { s->dX, s->dX2, s->dS, s->rows, s->slot, s->mark, s->F, s->GF, s->cX,
                     s->cdX, s->cdS, s->tmp, s->scratch, s->partial };
    for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
        rec_free(bufs[b]);
    rec_free(s);
}

static float *alloc_rows(size_t rows, size_t ld)
{
    float *m = rec_aligned_alloc(rows ? rows * ld : 1, sizeof(float));
    if (m)
        memset(m, 0, (rows ? rows * ld : 1) * sizeof(float));
    return m;
}

static int adjacency(int64_t choice, rec_graph_norm *norm, int *loops)
{
    switch (choice) {
    case ADJ_LEFT_LOOPS:      *norm = REC_GRAPH_LEFT; *loops = 1; break;
    case ADJ_LEFT:            *norm = REC_GRAPH_LEFT; *loops = 0; break;
    case ADJ_SYMMETRIC:       *norm = REC_GRAPH_SYMMETRIC; *loops = 0; break;
    default:                  *norm = REC_GRAPH_SYMMETRIC; *loops = 1; break;
    }
    return REC_OK;
}

static size_t chunks(size_t n)
{
    return (n + ROW_CHUNK - 1) / ROW_CHUNK;
}

static int allocate(ngcf *s)
{
    size_t cap = rec_graph_batch_max_rows(&s->b, s->n_nodes);
    for (unsigned k = 1; k <= s->K; k++) {
        ngcf_layer *l = &s->L[k];
        if (dense_alloc(&l->W1, s->dim, s->dim) || dense_alloc(&l->b1, 1, s->dim) ||
            dense_alloc(&l->W2, s->dim, s->dim) || dense_alloc(&l->b2, 1, s->dim))
            return REC_ENOMEM;
        size_t rows = k < s->K ? s->n_nodes : cap; /* the last layer is compact */
        if (!(l->S = alloc_rows(rows, s->ld)) || !(l->Z1 = alloc_rows(rows, s->ld)) ||
            !(l->Z2 = alloc_rows(rows, s->ld)) || !(l->X = alloc_rows(rows, s->ld)))
            return REC_ENOMEM;
    }
    s->dX = alloc_rows(s->n_nodes, s->ld);
    s->dX2 = alloc_rows(s->n_nodes, s->ld);
    s->dS = alloc_rows(s->n_nodes, s->ld);
    s->rows = rec_malloc_array(cap, sizeof *s->rows);
    s->slot = rec_malloc_array(s->n_nodes, sizeof *s->slot);
    s->mark = rec_calloc(s->n_nodes, 1);
    s->F = alloc_rows(cap, s->fld);
    s->GF = alloc_rows(cap, s->fld);
    s->cX = alloc_rows(cap, s->ld);
    s->cdX = alloc_rows(cap, s->ld);
    s->cdS = alloc_rows(cap, s->ld);
    s->tmp = alloc_rows(cap, s->ld);
    s->scratch = alloc_rows((size_t)s->threads * ROW_CHUNK, s->ld);
    s->partial = alloc_rows(chunks(s->n_nodes) * PARTIAL_ROWS(s->dim), s->ld);
    s->active = rec_malloc_array(s->n_users, sizeof *s->active);
    if (!s->dX || !s->dX2 || !s->dS || !s->rows || !s->slot || !s->mark || !s->F ||
        !s->GF || !s->cX || !s->cdX || !s->cdS || !s->tmp || !s->scratch || !s->partial ||
        !s->active)
        return REC_ENOMEM;
    return REC_OK;
}

static int ngcf_setup(void **state, const rec_dataset *ds, const rec_train_options *o)
{
    *state = NULL;
    ngcf *s = rec_calloc(1, sizeof *s);
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
    s->fdim = s->dim * (s->K + 1);
    s->lr = (float)rec_opt_float(o, "lr");
    s->reg = (float)rec_opt_float(o, "reg");
    s->mess_p = (float)rec_opt_float(o, "mess_dropout");
    s->node_p = (float)rec_opt_float(o, "node_dropout");
    s->batch = (size_t)rec_opt_int(o, "batch");
    s->threads = rec_threads_resolve((unsigned)rec_opt_int(o, "threads"));
    s->seed = (uint64_t)rec_opt_int(o, "seed");
    if (s->fdim > REC_DIM_MAX) {
        ngcf_destroy(s);
        return rec_error(REC_ELIMIT, "dim (layers + 1) = %zu is above %d", s->fdim,
                         REC_DIM_MAX);
    }
    s->fld = rec_ld_for(s->fdim);
    rec_graph_norm norm;
    int loops;
    adjacency(rec_opt_int(o, "adjacency"), &norm, &loops);
    int rc = rec_graph_build(&s->g, ds, norm, loops);
    if (rc == REC_OK)
        rc = rec_table_alloc(&s->E, s->n_nodes, s->dim);
    if (rc == REC_OK)
        rc = rec_adam_init(&s->adam, s->n_nodes, s->dim, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    if (rc == REC_OK)
        rc = rec_graph_batch_init(&s->b, o, ds, s->g, s->k, s->batch, s->fld);
    if (rc == REC_OK) {
        s->ld = s->E.ld;
        rc = allocate(s);
    }
    if (rc != REC_OK) {
        ngcf_destroy(s);
        return rc == REC_ENOMEM ? rec_error_nomem() : rc;
    }
    s->n_active = rec_active_users(ds, s->active);

    /* Users and items are separate tables in the reference, each with its
     * own Xavier bound; the weights and biases follow. */
    rec_init init = (rec_init)rec_opt_int(o, "init");
    double scale = rec_opt_float(o, "init_scale");
    rec_table users = { s->n_users, s->dim, s->ld, s->E.data };
    rec_table items = { s->n_items, s->dim, s->ld, s->E.data + s->n_users * s->ld };
    rec_table_init(&users, init, scale, s->seed, 0, s->threads);
    rec_table_init(&items, init, scale, s->seed, 1, s->threads);
    rec_rng r;
    rec_rng_seed(&r, s->seed, REC_STREAM_INIT, 2);
    for (unsigned k = 1; k <= s->K; k++) {
        ngcf_layer *l = &s->L[k];
        dense *ds4[] = { &l->W1, &l->b1, &l->W2, &l->b2 };
        for (int q = 0; q < 4; q++)
            xavier(ds4[q]->w, ds4[q]->rows, ds4[q]->cols, ds4[q]->ld, &r);
    }
    rc = rec_init_embeddings_apply(o, ds, s->dim, s->E.data, s->ld, s->g);
    if (rc != REC_OK) {
        ngcf_destroy(s);
        return rc;
    }
    *state = s;
    return REC_OK;
}

/* ---- Dense passes over rows ---- */

/* One layer's dense part on rows [a, b) of arrays with the given row
 * indexing: from S and X_prev compute Z1, Z2 and X (dropout applied with the
 * node ids `nodes`, or a + r when NULL). */
static void layer_rows(const ngcf *s, unsigned k, const float *Xprev, const float *S,
                       float *Z1, float *Z2, float *X, size_t a, size_t b,
                       const uint32_t *nodes, float *P)
{
    const ngcf_layer *l = &s->L[k];
    size_t ld = s->ld, n = b - a, d = s->dim;
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < ld; c++)
            P[r * ld + c] = Xprev[(a + r) * ld + c] * S[(a + r) * ld + c];
    rec_gemm(0, 0, n, d, d, 1.0f, S + a * ld, ld, l->W1.w, l->W1.ld, 0.0f, Z1 + a * ld, ld);
    rec_gemm(0, 0, n, d, d, 1.0f, P, ld, l->W2.w, l->W2.ld, 0.0f, Z2 + a * ld, ld);
    float factor[REC_DIM_MAX_NGCF];
    for (size_t r = a; r < b; r++) {
        uint32_t node = nodes ? nodes[r] : (uint32_t)r;
        float *z1 = Z1 + r * ld, *z2 = Z2 + r * ld, *x = X + r * ld;
        dropout_row(s, k, node, factor);
        for (size_t c = 0; c < d; c++) {
            z1[c] += l->b1.w[c];
            z2[c] += l->b2.w[c];
            x[c] = (lrelu(z1[c]) + lrelu(z2[c])) * factor[c];
        }
    }
}

/* One layer's dense part over chunks of rows, spread over the threads:
 * layers 1..K-1 on every node, the last layer on the batch's rows in compact
 * arrays. */
typedef struct pass {
    ngcf *s;
    unsigned k;
    size_t n;
    int compact;
} pass;

static void forward_chunk(void *p, size_t t, unsigned w)
{
    pass *ps = p;
    ngcf *s = ps->s;
    size_t a = t * ROW_CHUNK, b = a + ROW_CHUNK < ps->n ? a + ROW_CHUNK : ps->n;
    ngcf_layer *l = &s->L[ps->k];
    const float *Xprev = ps->compact ? s->cX : ps->k == 1 ? s->E.data : s->L[ps->k - 1].X;
    layer_rows(s, ps->k, Xprev, l->S, l->Z1, l->Z2, l->X, a, b,
               ps->compact ? s->rows : NULL, s->scratch + (size_t)w * ROW_CHUNK * s->ld);
}

/* ---- Forward ---- */

/* The compact rows of a full matrix at the batch's nodes. */
static void gather(const ngcf *s, const float *full, float *compact)
{
    for (size_t r = 0; r < s->n_rows; r++)
        memcpy(compact + r * s->ld, full + (size_t)s->rows[r] * s->ld, s->ld * sizeof(float));
}

static void forward(ngcf *s, const rec_dropout *drop)
{
    size_t n = s->n_nodes, ld = s->ld, d = s->dim;
    for (unsigned k = 1; k < s->K; k++) {
        const float *Xprev = k == 1 ? s->E.data : s->L[k - 1].X;
        rec_graph_spmm(s->g, 0, Xprev, s->L[k].S, ld, drop, s->threads);
        pass ps = { s, k, n, 0 };
        rec_parallel_for(s->threads, chunks(n), forward_chunk, &ps);
    }
    /* The last layer at the batch's rows, in compact arrays. */
    ngcf_layer *L = &s->L[s->K];
    const float *Xprev = s->K == 1 ? s->E.data : s->L[s->K - 1].X;
    rec_graph_spmm_rows(s->g, 0, s->rows, s->n_rows, Xprev, s->dS, ld, drop, s->threads);
    gather(s, s->dS, L->S);
    gather(s, Xprev, s->cX);
    pass ps = { s, s->K, s->n_rows, 1 };
    rec_parallel_for(s->threads, chunks(s->n_rows), forward_chunk, &ps);
    /* F = [X_0 | N_1 | ... | N_K] at the batch's rows. */
    for (size_t r = 0; r < s->n_rows; r++) {
        uint32_t v = s->rows[r];
        float *f = s->F + r * s->fld;
        memset(f, 0, s->fld * sizeof(float));
        memcpy(f, s->E.data + (size_t)v * ld, d * sizeof(float));
        for (unsigned k = 1; k <= s->K; k++) {
            const float *x = k < s->K ? s->L[k].X + (size_t)v * ld : L->X + r * ld;
            rec_row_normalise(x, f + k * d, d, NULL);
        }
    }
}

/* ---- Loss ---- */

/* GF = dL/dF at the batch's rows: the mean tuple loss and reg/2 |F_v|^2
 * for every node occurrence (the user, the positive and each negative of
 * every tuple), averaged over the tuples. Returns the summed tuple loss. */
static double loss_gradient(ngcf *s, size_t m)
{
    memset(s->GF, 0, s->n_rows * s->fld * sizeof(float));
    return rec_graph_batch_loss(&s->b, m, s->F, s->GF, s->fld, s->slot, s->reg);
}

/* The L2 term on the final embeddings, for the objective (reported loss
 * excludes it, as for every family). */
static double reg_term(const ngcf *s, size_t m)
{
    return 0.5 * s->reg * rec_graph_batch_sq(&s->b, m, s->F, s->fld, s->slot) / (double)m;
}

/* ---- Backward ---- */

/* The backward pass of one layer's dense part on rows [a, b): from dX (the
 * gradient at X_k) compute dS (at S_k, before the product's transpose) and
 * add X_{k-1}'s own term dP o S_k to dXprev; dW, db are accumulated into
 * the layer's gradients by the caller's reduction through dZ1, dZ2 (left in
 * Z1, Z2, which are no longer needed). */
static void layer_backward_rows(const ngcf *s, unsigned k, const float *Xprev,
                                const float *S, float *Z1, float *Z2, const float *dX,
                                float *dS, float *dXprev, size_t a, size_t b,
                                const uint32_t *nodes, float *P)
{
    const ngcf_layer *l = &s->L[k];
    size_t ld = s->ld, d = s->dim, n = b - a;
    float factor[REC_DIM_MAX_NGCF];
    for (size_t r = a; r < b; r++) {
        uint32_t node = nodes ? nodes[r] : (uint32_t)r;
        float *z1 = Z1 + r * ld, *z2 = Z2 + r * ld;
        const float *dx = dX + r * ld;
        dropout_row(s, k, node, factor);
        for (size_t c = 0; c < d; c++) {
            float dy = dx[c] * factor[c];
            z1[c] = dy * lrelu_grad(z1[c]); /* now dZ1 */
            z2[c] = dy * lrelu_grad(z2[c]); /* now dZ2 */
        }
    }
    /* dS = dZ1 W1^T; dP = dZ2 W2^T (into P) */
    rec_gemm(0, 1, n, d, d, 1.0f, Z1 + a * ld, ld, l->W1.w, l->W1.ld, 0.0f, dS + a * ld, ld);
    rec_gemm(0, 1, n, d, d, 1.0f, Z2 + a * ld, ld, l->W2.w, l->W2.ld, 0.0f, P, ld);
    for (size_t r = 0; r < n; r++) {
        const float *dp = P + r * ld, *xp = Xprev + (a + r) * ld, *sv = S + (a + r) * ld;
        float *ds = dS + (a + r) * ld, *dxp = dXprev + (a + r) * ld;
        for (size_t c = 0; c < d; c++) {
            ds[c] += dp[c] * xp[c];
            dxp[c] += dp[c] * sv[c];
        }
    }
}

/* dW1 += S^T dZ1, dW2 += (Xprev o S)^T dZ2, db += column sums, over rows
 * [a, b), into the given partial accumulators (d x ld each, zeroed by the
 * caller). */
static void weight_gradients(const ngcf *s, const float *Xprev, const float *S,
                             const float *dZ1, const float *dZ2, size_t a, size_t b,
                             float *gW1, float *gW2, float *gb1, float *gb2, float *P)
{
    size_t ld = s->ld, d = s->dim, n = b - a;
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < ld; c++)
            P[r * ld + c] = Xprev[(a + r) * ld + c] * S[(a + r) * ld + c];
    rec_gemm(1, 0, d, d, n, 1.0f, S + a * ld, ld, dZ1 + a * ld, ld, 1.0f, gW1, ld);
    rec_gemm(1, 0, d, d, n, 1.0f, P, ld, dZ2 + a * ld, ld, 1.0f, gW2, ld);
    for (size_t r = a; r < b; r++)
        for (size_t c = 0; c < d; c++) {
            gb1[c] += dZ1[r * ld + c];
            gb2[c] += dZ2[r * ld + c];
        }
}

/* One layer's dense backward pass over chunks of rows, spread over the
 * threads, with per-chunk partial weight gradients summed in chunk order
 * afterwards so that results do not depend on the thread count. Layers
 * 1..K-1 run on every node (dX -> dS, and dX2 for X_{k-1}'s own term); the
 * last layer on the batch's rows in compact arrays (cdX -> cdS, and tmp). */
typedef struct bpass {
    ngcf *s;
    unsigned k;
    size_t n;
    int compact;
} bpass;

static void backward_chunk(void *p, size_t t, unsigned w)
{
    bpass *bp = p;
    ngcf *s = bp->s;
    size_t a = t * ROW_CHUNK, b = a + ROW_CHUNK < bp->n ? a + ROW_CHUNK : bp->n;
    unsigned k = bp->k;
    ngcf_layer *l = &s->L[k];
    float *P = s->scratch + (size_t)w * ROW_CHUNK * s->ld;
    size_t d = s->dim, ld = s->ld;
    float *part = s->partial + t * PARTIAL_ROWS(d) * ld;
    memset(part, 0, PARTIAL_ROWS(d) * ld * sizeof(float));
    const float *Xprev;
    if (bp->compact) {
        Xprev = s->cX;
        layer_backward_rows(s, k, Xprev, l->S, l->Z1, l->Z2, s->cdX, s->cdS, s->tmp, a, b,
                            s->rows, P);
    } else {
        Xprev = k == 1 ? s->E.data : s->L[k - 1].X;
        layer_backward_rows(s, k, Xprev, l->S, l->Z1, l->Z2, s->dX, s->dS, s->dX2, a, b,
                            NULL, P);
    }
    weight_gradients(s, Xprev, l->S, l->Z1, l->Z2, a, b, part, part + d * ld,
                     part + 2 * d * ld, part + (2 * d + 1) * ld, P);
}

/* The layer's weight gradients: the partials of its chunks, in order. */
static void layer_backward(ngcf *s, unsigned k, size_t n, int compact)
{
    ngcf_layer *l = &s->L[k];
    size_t d = s->dim, ld = s->ld, n_chunks = chunks(n);
    bpass bp = { s, k, n, compact };
    rec_parallel_for(s->threads, n_chunks, backward_chunk, &bp);
    for (size_t t = 0; t < n_chunks; t++) {
        const float *part = s->partial + t * PARTIAL_ROWS(d) * ld;
        for (size_t r = 0; r < d; r++)
            for (size_t c = 0; c < d; c++) {
                l->W1.g[r * l->W1.ld + c] += part[r * ld + c];
                l->W2.g[r * l->W2.ld + c] += part[(d + r) * ld + c];
            }
        for (size_t c = 0; c < d; c++) {
            l->b1.g[c] += part[2 * d * ld + c];
            l->b2.g[c] += part[(2 * d + 1) * ld + c];
        }
    }
}

/* dx[0..d) += g[0..d): blocks of the final embedding start at multiples of
 * dim, not of 16 floats, so the SIMD kernels (whole 16-float vectors) do not
 * apply. */
static void add_block(const float *g, float *dx, size_t d)
{
    for (size_t c = 0; c < d; c++)
        dx[c] += g[c];
}

/* dL/dE into s->dX; dW, db into the layers' g arrays. */
static int backward(ngcf *s, const rec_dropout *drop)
{
    size_t ld = s->ld, d = s->dim, n = s->n_nodes;
    for (unsigned k = 1; k <= s->K; k++) {
        ngcf_layer *l = &s->L[k];
        memset(l->W1.g, 0, l->W1.rows * l->W1.ld * sizeof(float));
        memset(l->W2.g, 0, l->W2.rows * l->W2.ld * sizeof(float));
        memset(l->b1.g, 0, l->b1.ld * sizeof(float));
        memset(l->b2.g, 0, l->b2.ld * sizeof(float));
    }
    /* The last layer, compact: dX_K from the normalisation, then its dense
     * backward pass. */
    ngcf_layer *L = &s->L[s->K];
    memset(s->cdX, 0, s->n_rows * ld * sizeof(float));
    for (size_t r = 0; r < s->n_rows; r++)
        rec_row_normalise_backward(L->X + r * ld, s->GF + r * s->fld + s->K * d,
                                   s->cdX + r * ld, d);
    memset(s->tmp, 0, s->n_rows * ld * sizeof(float)); /* dXprev's own term, compact */
    layer_backward(s, s->K, s->n_rows, 1);
    /* dX_{K-1} = (dP o S_K) at the batch rows + M^T dS_K (a scatter from the
     * batch rows) + the normalisation term of N_{K-1} (or F's X_0 block). */
    rec_zero_floats(s->dX, s->n_nodes * s->ld, s->threads);
    for (size_t r = 0; r < s->n_rows; r++)
        memcpy(s->dS + (size_t)s->rows[r] * ld, s->cdS + r * ld, ld * sizeof(float));
    rec_graph_scatter_rows(s->g, 0, s->rows, s->n_rows, s->dS, s->dX, ld, drop, s->threads);
    for (size_t r = 0; r < s->n_rows; r++) {
        float *dx = s->dX + (size_t)s->rows[r] * ld;
        s->k->axpy(1.0f, s->tmp + r * ld, dx, ld);
        const float *g = s->GF + r * s->fld + (s->K - 1) * d;
        if (s->K - 1 >= 1)
            rec_row_normalise_backward(s->L[s->K - 1].X + (size_t)s->rows[r] * ld, g, dx, d);
        else
            add_block(g, dx, d);
    }
    /* Full layers K-1 .. 1. */
    for (unsigned k = s->K - 1; k >= 1; k--) {
        rec_zero_floats(s->dX2, s->n_nodes * s->ld, s->threads);
        layer_backward(s, k, n, 0);
        /* dX_{k-1} = dX2 (own term) + M^T dS_k + the normalisation term. */
        rec_graph_spmm(s->g, 1, s->dS, s->dX, ld, drop, s->threads);
        for (size_t x = 0; x < n * ld; x += ld)
            s->k->axpy(1.0f, s->dX2 + x, s->dX + x, ld);
        for (size_t r = 0; r < s->n_rows; r++) {
            float *dx = s->dX + (size_t)s->rows[r] * ld;
            const float *g = s->GF + r * s->fld + (k - 1) * d;
            if (k - 1 >= 1)
                rec_row_normalise_backward(s->L[k - 1].X + (size_t)s->rows[r] * ld, g, dx, d);
            else
                add_block(g, dx, d);
        }
    }
    return REC_OK;
}

/* ---- Update ---- */

typedef struct adam_job {
    ngcf *s;
    float step;
    size_t n, chunk;
} adam_job;

static void adam_chunk(void *p, size_t c, unsigned w)
{
    (void)w;
    adam_job *j = p;
    ngcf *s = j->s;
    size_t a = c * j->chunk, b = a + j->chunk < j->n ? a + j->chunk : j->n;
    s->k->adam_row(s->E.data + a, s->adam.m.data + a, s->adam.v.data + a, s->dX + a, b - a,
                   j->step, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
}

static void update(ngcf *s)
{
    float step = rec_adam_step_size(&s->adam, s->lr, ++s->step);
    adam_job j = { s, step, s->n_nodes * s->ld, 1u << 16 };
    rec_parallel_for(s->threads, (j.n + j.chunk - 1) / j.chunk, adam_chunk, &j);
    for (unsigned k = 1; k <= s->K; k++) {
        ngcf_layer *l = &s->L[k];
        dense *ds4[] = { &l->W1, &l->b1, &l->W2, &l->b2 };
        for (int q = 0; q < 4; q++)
            s->k->adam_row(ds4[q]->w, ds4[q]->m, ds4[q]->v, ds4[q]->g,
                           ds4[q]->rows * ds4[q]->ld, step, ADAM_BETA1, ADAM_BETA2,
                           ADAM_EPS);
    }
}

/* ---- Every node's final embedding ---- */

/* Every layer at every node without dropout, as export serves them and DNS
 * scores them: X[0] = E, and X[1..K] allocated here (freed by the caller,
 * also on failure). */
static int propagate_all(ngcf *s, float **X)
{
    size_t ld = s->ld, n = s->n_nodes;
    float *S = alloc_rows(n, ld), *Z1 = alloc_rows(n, ld);
    float *Z2 = alloc_rows(n, ld), *P = alloc_rows(n, ld);
    int ok = S && Z1 && Z2 && P;
    for (unsigned k = 1; k <= s->K && ok; k++)
        ok = (X[k] = alloc_rows(n, ld)) != NULL;
    X[0] = s->E.data;
    float saved = s->mess_p;
    s->mess_p = 0.0f;
    for (unsigned k = 1; k <= s->K && ok; k++) {
        rec_graph_spmm(s->g, 0, X[k - 1], S, ld, NULL, s->threads);
        layer_rows(s, k, X[k - 1], S, Z1, Z2, X[k], 0, n, NULL, P);
    }
    s->mess_p = saved;
    rec_free(S);
    rec_free(Z1);
    rec_free(Z2);
    rec_free(P);
    return ok ? REC_OK : rec_error_nomem();
}

/* Node v's final embedding [X_0 | N_1 | ... | N_K] into f. */
static void final_row(const ngcf *s, float *const *X, size_t v, float *f)
{
    size_t ld = s->ld, d = s->dim;
    memcpy(f, X[0] + v * ld, d * sizeof(float));
    for (unsigned k = 1; k <= s->K; k++)
        rec_row_normalise(X[k] + v * ld, f + k * d, d, NULL);
}

/* DNS scores its candidates on the final embeddings as of the epoch's
 * start: propagating the whole graph at every step would cost more than
 * the step itself. */
static int step_start(void *state)
{
    ngcf *s = state;
    if (!s->b.dns)
        return REC_OK;
    float *X[MAX_LAYERS + 1] = { 0 };
    int rc = propagate_all(s, X);
    for (size_t v = 0; rc == REC_OK && v < s->n_nodes; v++)
        final_row(s, X, v, s->b.dns + v * s->fld);
    for (unsigned k = 1; k <= s->K; k++)
        rec_free(X[k]);
    return rc;
}

/* ---- Steps and epochs ---- */

/* The batch's distinct nodes in ascending order, and each node's position
 * among them. */
static void collect_rows(ngcf *s)
{
    s->n_rows = rec_collect_marked(s->mark, s->n_nodes, s->rows);
    for (size_t r = 0; r < s->n_rows; r++)
        s->slot[s->rows[r]] = (uint32_t)r;
}

/* Draws the step's tuples and collects the batch's rows. Returns how many
 * tuples there are. */
static size_t sample(ngcf *s, size_t n, rec_rng *rng)
{
    size_t m = rec_graph_batch_draw(&s->b, s->ds, s->active, s->n_active, n, rng, s->mark);
    collect_rows(s);
    return m;
}

/* The phases of a step for rec_graph_epoch. */
static size_t step_sample(void *state, size_t n, rec_rng *rng)
{
    return sample(state, n, rng);
}

static void step_forward(void *state, rec_rng *rng)
{
    ngcf *s = state;
    s->drop_seed = rec_rng_next(rng);
    s->drop = (rec_dropout){ s->node_p > 0 ? REC_DROPOUT_EDGE : REC_DROPOUT_NONE, s->node_p,
                             rec_rng_next(rng) };
    forward(s, &s->drop);
}

static double step_loss(void *state, size_t m)
{
    return loss_gradient(state, m);
}

static int step_backward(void *state)
{
    ngcf *s = state;
    return backward(s, &s->drop);
}

static int step_update(void *state, size_t m)
{
    (void)m;
    update(state);
    return REC_OK;
}

static const rec_graph_step ngcf_step = { step_start, step_sample, step_forward, step_loss,
                                          step_backward, step_update };

static int ngcf_epoch(void *state, unsigned epoch, rec_epoch_report *rep)
{
    ngcf *s = state;
    s->lr = (float)rec_lr_for_epoch(s->opts, epoch);
    return rec_graph_epoch(s, &ngcf_step, s->ds, s->batch, s->seed, epoch, rep);
}

/* ---- Test hooks ---- */

int rec_ngcf_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                       const uint32_t *tj, size_t m, uint64_t dropout_seed, double *loss,
                       const float **grad_E)
{
    ngcf *s = state;
    if (m == 0 || m > s->batch)
        return rec_error(REC_EINVAL, "between 1 and batch tuples");
    rec_graph_batch_set(&s->b, m, tu, ti, tj, s->mark);
    collect_rows(s);
    s->drop_seed = dropout_seed;
    rec_dropout drop = { s->node_p > 0 ? REC_DROPOUT_EDGE : REC_DROPOUT_NONE, s->node_p,
                         dropout_seed };
    forward(s, &drop);
    *loss = loss_gradient(s, m) / (double)m + reg_term(s, m);
    int rc = backward(s, &drop);
    *grad_E = s->dX;
    return rc;
}

float *rec_ngcf_parameter(void *state, unsigned layer, int which, size_t *rows,
                          size_t *cols, size_t *ld)
{
    ngcf *s = state;
    if (layer == 0) {
        *rows = s->n_nodes;
        *cols = s->dim;
        *ld = s->ld;
        return s->E.data;
    }
    dense *d = which == 0 ? &s->L[layer].W1 : which == 1 ? &s->L[layer].b1
             : which == 2 ? &s->L[layer].W2 : &s->L[layer].b2;
    *rows = d->rows;
    *cols = d->cols;
    *ld = d->ld;
    return d->w;
}

const float *rec_ngcf_parameter_gradient(void *state, unsigned layer, int which)
{
    ngcf *s = state;
    if (layer == 0)
        return s->dX;
    dense *d = which == 0 ? &s->L[layer].W1 : which == 1 ? &s->L[layer].b1
             : which == 2 ? &s->L[layer].W2 : &s->L[layer].b2;
    return d->g;
}

/* ---- Export and fold-in ---- */

/* One user's layers from its neighbours' layers: the recursion of the
 * forward pass for a single node, as fold-in needs it. x_prev is the node's
 * own layer k-1 (the self-loop term and the bi-interaction use it). */
static void node_layer(const float *side, const float *x_prev, const float *W1,
                       const float *b1, const float *W2, const float *b2, size_t d,
                       size_t ldw, float *x_out)
{
    for (size_t c = 0; c < d; c++) {
        double z1 = b1[c], z2 = b2[c];
        for (size_t q = 0; q < d; q++) {
            z1 += (double)side[q] * W1[q * ldw + c];
            z2 += (double)x_prev[q] * side[q] * W2[q * ldw + c];
        }
        x_out[c] = lrelu((float)z1) + lrelu((float)z2);
    }
}

static int ngcf_export(void *state, rec_serving *out, rec_tensors *ts)
{
    ngcf *s = state;
    size_t ld = s->ld, d = s->dim;
    int rc = rec_serving_alloc(out, s->n_users, s->n_items, s->fdim, REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    float *X[MAX_LAYERS + 1] = { 0 };
    float *form, *deg;
    if ((rc = propagate_all(s, X)) != REC_OK)
        goto done;
    for (size_t v = 0; v < s->n_nodes; v++)
        final_row(s, X, v, v < s->n_users ? out->U + v * out->ld
                                          : out->V + (v - s->n_users) * out->ld);
    /* What fold-in needs: the graph's form, item degrees, the items' layers
     * 0..K-1 and every layer's weights. */
    if (!ts)
        goto done;
    if ((rc = rec_tensors_add(ts, "graph_form", 1, 3, &form)) != REC_OK ||
        (rc = rec_tensors_add(ts, "item_degree", s->n_items, 1, &deg)) != REC_OK)
        goto done;
    form[0] = (float)s->g->norm;
    form[1] = (float)s->g->self_loops;
    form[2] = (float)s->K;
    for (size_t i = 0; i < s->n_items; i++)
        deg[i * rec_ld_for(1)] = (float)s->g->degree[s->n_users + i];
    for (unsigned k = 0; k < s->K; k++) {
        char name[32];
        float *t;
        snprintf(name, sizeof name, "item_layer_%u", k);
        if ((rc = rec_tensors_add(ts, name, s->n_items, d, &t)) != REC_OK)
            goto done;
        memcpy(t, X[k] + s->n_users * ld, s->n_items * ld * sizeof(float));
    }
    for (unsigned k = 1; k <= s->K; k++) {
        static const char *const names[4] = { "W1", "b1", "W2", "b2" };
        dense *ds4[] = { &s->L[k].W1, &s->L[k].b1, &s->L[k].W2, &s->L[k].b2 };
        for (int q = 0; q < 4; q++) {
            char name[32];
            float *t;
            snprintf(name, sizeof name, "%s_%u", names[q], k);
            if ((rc = rec_tensors_add(ts, name, ds4[q]->rows, ds4[q]->cols, &t)) != REC_OK)
                goto done;
            memcpy(t, ds4[q]->w, ds4[q]->rows * ds4[q]->ld * sizeof(float));
        }
    }
done:
    for (unsigned k = 1; k <= s->K; k++)
        rec_free(X[k]);
    if (rc != REC_OK)
        rec_serving_free(out);
    return rc;
}

/* The weight of the entry (new user, item i) and of the new user's
 * self-loop, given the user's degree du and the item's di. */
static void entry_weights(int norm, int loops, double du, double di, double *w_item,
                          double *w_self)
{
    double a = du + (loops ? 1 : 0), b = di + (loops ? 1 : 0);
    if (a < 1)
        a = 1;
    if (b < 1)
        b = 1;
    if (norm == REC_GRAPH_LEFT) {
        *w_item = 1.0 / a;
        *w_self = loops ? 1.0 / a : 0.0;
    } else if (norm == REC_GRAPH_SYMMETRIC) {
        *w_item = 1.0 / sqrt(a * b);
        *w_self = loops ? 1.0 / a : 0.0;
    } else {
        *w_item = 1.0;
        *w_self = loops ? 1.0 : 0.0;
    }
}

/* Fold-in with a given layer-0 vector x0 (dim floats; a new user's is zero).
 * With a training user's own x0 and items this is its exported embedding. */
int rec_ngcf_fold_in_from(const struct rec_model *m, const uint32_t *items, size_t n,
                          const float *x0, float *out)
{
    const rec_tensors *ts = &m->tensors;
    const rec_tensor *form = rec_tensors_find(ts, "graph_form");
    const rec_tensor *deg = rec_tensors_find(ts, "item_degree");
    if (!form || !deg || form->cols != 3)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: this model holds no fold-in "
                         "data");
    int norm = (int)form->data[0], loops = (int)form->data[1];
    unsigned K = (unsigned)form->data[2];
    size_t d = m->serving.dim / (K + 1);
    if (K < 1 || K > MAX_LAYERS || d * (K + 1) != m->serving.dim)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: invalid fold-in data");
    const rec_tensor *layers[MAX_LAYERS], *w[MAX_LAYERS + 1][4];
    for (unsigned k = 0; k < K; k++) {
        char name[32];
        snprintf(name, sizeof name, "item_layer_%u", k);
        layers[k] = rec_tensors_find(ts, name);
        if (!layers[k] || layers[k]->cols != d || layers[k]->rows != m->serving.n_items)
            return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: missing fold-in data");
    }
    for (unsigned k = 1; k <= K; k++) {
        static const char *const names[4] = { "W1", "b1", "W2", "b2" };
        for (int q = 0; q < 4; q++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%u", names[q], k);
            w[k][q] = rec_tensors_find(ts, name);
            if (!w[k][q] || w[k][q]->cols != d)
                return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: missing weights");
        }
    }
    size_t du;
    uint32_t *u = rec_item_set(items, n, &du);
    float *buf = rec_calloc(3 * d, sizeof(float));
    if (!u || !buf) {
        rec_free(u);
        rec_free(buf);
        return rec_error_nomem();
    }
    float *x = buf, *side = buf + d, *next = buf + 2 * d;
    memcpy(x, x0, d * sizeof(float));
    memset(out, 0, m->serving.dim * sizeof(float));
    memcpy(out, x0, d * sizeof(float));
    for (unsigned k = 1; k <= K; k++) {
        /* side = sum_i w_ui x_i^(k-1) + w_uu x_u^(k-1) */
        for (size_t c = 0; c < d; c++)
            side[c] = 0.0f;
        for (size_t j = 0; j < du; j++) {
            double wi, ws;
            entry_weights(norm, loops, (double)du, deg->data[(size_t)u[j] * deg->ld], &wi, &ws);
            const float *e = layers[k - 1]->data + (size_t)u[j] * layers[k - 1]->ld;
            for (size_t c = 0; c < d; c++)
                side[c] += (float)(wi * e[c]);
        }
        double wi, ws;
        entry_weights(norm, loops, (double)du, 1.0, &wi, &ws);
        for (size_t c = 0; c < d; c++)
            side[c] += (float)(ws * x[c]);
        node_layer(side, x, w[k][0]->data, w[k][1]->data, w[k][2]->data, w[k][3]->data, d,
                   w[k][0]->ld, next);
        rec_row_normalise(next, out + k * d, d, NULL);
        memcpy(x, next, d * sizeof(float));
    }
    rec_free(u);
    rec_free(buf);
    return REC_OK;
}

static int ngcf_fold_in(const struct rec_model *m, const uint32_t *items, size_t n,
                        float *out)
{
    size_t d = m->serving.dim;
    float *zero = rec_calloc(d ? d : 1, sizeof(float));
    if (!zero)
        return rec_error_nomem();
    int rc = rec_ngcf_fold_in_from(m, items, n, zero, out);
    rec_free(zero);
    return rc;
}

/* The parameters: E and every layer's W1, b1, W2, b2, in that order. */
static size_t params_floats(const ngcf *s)
{
    size_t n = s->n_nodes * s->ld;
    for (unsigned k = 1; k <= s->K; k++)
        n += 2 * (s->L[k].W1.rows * s->L[k].W1.ld + s->L[k].b1.rows * s->L[k].b1.ld);
    return n;
}

static void copy_params(ngcf *s, float *buf, int out)
{
    size_t n = s->n_nodes * s->ld;
    if (out)
        memcpy(buf, s->E.data, n * sizeof(float));
    else
        memcpy(s->E.data, buf, n * sizeof(float));
    buf += n;
    for (unsigned k = 1; k <= s->K; k++) {
        dense *ds4[] = { &s->L[k].W1, &s->L[k].b1, &s->L[k].W2, &s->L[k].b2 };
        for (int q = 0; q < 4; q++) {
            size_t m = ds4[q]->rows * ds4[q]->ld;
            if (out)
                memcpy(buf, ds4[q]->w, m * sizeof(float));
            else
                memcpy(ds4[q]->w, buf, m * sizeof(float));
            buf += m;
        }
    }
}

static int ngcf_snapshot(void *state, void **snap)
{
    ngcf *s = state;
    float *buf = rec_aligned_alloc(params_floats(s), sizeof(float));
    if (!buf)
        return rec_error_nomem();
    copy_params(s, buf, 1);
    *snap = buf;
    return REC_OK;
}

static void ngcf_restore(void *state, const void *snap)
{
    copy_params(state, (float *)snap, 0);
}

const rec_family rec_family_ngcf = {
    .name = "ngcf",
    .summary = "NGCF: graph convolution with feature transforms and bi-interaction, "
               "sampled loss",
    .params = ngcf_params,
    .n_params = sizeof ngcf_params / sizeof ngcf_params[0],
    .setup = ngcf_setup,
    .epoch = ngcf_epoch,
    .export_state = ngcf_export,
    .destroy = ngcf_destroy,
    .snapshot = ngcf_snapshot,
    .restore = ngcf_restore,
    .free_snapshot = rec_free,
    .warm_start = 1,
    .fold_in = ngcf_fold_in,
};
