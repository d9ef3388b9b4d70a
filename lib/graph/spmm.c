/* Products with the normalised adjacency: out = M in (or M^T in), over all
 * rows or listed rows, and the scatter form for sparse inputs.
 *
 * Every output row is computed by one kernel call (spmm_row, or
 * spmm_row_keep under dropout), whichever thread runs it, so results never
 * depend on the thread count. */
#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "kernels/kernels.h"

/* The CSR a product walks (M's or M^T's) and, for the dropout key, whether
 * it is M^T's: entry (r, c) of M^T is entry (c, r) of M. */
typedef struct view {
    const size_t *ptr;
    const uint32_t *col;
    const float *val;
    const uint32_t *blocks;
    int flip;
} view;

static view view_of(const struct rec_graph *g, int transpose)
{
    if (transpose)
        return (view){ g->tptr, g->tcol, g->tval, g->tblock_start, 1 };
    return (view){ g->ptr, g->col, g->val, g->block_start, 0 };
}

/* ---- Dropout ---- */

/* What a product's dropout settings come to, before the row is known. */
typedef struct dropout_rule {
    rec_dropout_mode mode;  /* EDGE or NODE */
    uint64_t salt;          /* the seed, mixed */
    uint64_t threshold;     /* an entry is dropped iff its hash is below */
    float scale;            /* 1 / (1 - p) */
} dropout_rule;

/* NULL when nothing is dropped, so that p = 0 is exactly the plain product. */
static const dropout_rule *dropout_rule_of(const rec_dropout *drop, dropout_rule *d)
{
    if (!drop || drop->mode == REC_DROPOUT_NONE || !(drop->p > 0.0f))
        return NULL;
    d->mode = drop->mode;
    d->salt = rec_mix64(drop->seed ^ ((uint64_t)drop->mode << 56));
    /* p < 1 is a float, so p 2^32 <= 2^32 - 256: some hashes stay above. */
    d->threshold = (uint64_t)((double)drop->p * 4294967296.0);
    d->scale = 1.0f / (1.0f - drop->p);
    return d;
}

/* The keep rule (kernels.h) of the entries of row r of a view. In M's
 * orientation (r', c') an entry's key is r' 2^32 + c' for EDGE and c' (the
 * sending node) for NODE; a row of M^T has r' = c, c' = r. So NODE dropout
 * on a row of M^T keys every entry on the row's own node: the row is kept
 * or dropped whole, decided here (threshold 0 keeps all, 2^32 none). */
static rec_keep_rule keep_rule_of(const dropout_rule *d, int flip, uint32_t r)
{
    rec_keep_rule k = { d->salt, 0, d->threshold, 0, d->scale };
    if (d->mode == REC_DROPOUT_EDGE) {
        k.base = flip ? r : (uint64_t)r << 32;
        k.shift = flip ? 32 : 0;
    } else if (flip) {
        k.threshold = rec_mix64(d->salt ^ r) >> 32 >= d->threshold ? 0 : UINT64_C(1) << 32;
    }
    return k;
}

/* Row r of the product into dst (one row of ld floats). */
static inline void row_product(const rec_kernels *K, const view *v, const dropout_rule *d,
                               uint32_t r, const float *in, float *dst, size_t ld)
{
    size_t a = v->ptr[r], n = v->ptr[r + 1] - a;
    float *out = dst;
    if (!d) {
        K->spmm_row(v->col + a, v->val + a, n, in, ld, out);
        return;
    }
    rec_keep_rule k = keep_rule_of(d, v->flip, r);
    if (k.threshold > UINT32_MAX) /* dropped whole */
        K->spmm_row(NULL, NULL, 0, in, ld, out);
    else
        K->spmm_row_keep(&k, v->col + a, v->val + a, n, in, ld, out);
}

/* ---- Products ---- */

typedef struct product {
    const rec_kernels *K;
    view v;
    const dropout_rule *d;
    const uint32_t *rows;   /* spmm_rows: the listed rows */
    size_t n_rows;
    const float *in;
    float *out;
    size_t ld;
} product;

static void block_task(void *ctx, size_t b, unsigned worker)
{
    (void)worker;
    const product *p = ctx;
    for (uint32_t r = p->v.blocks[b]; r < p->v.blocks[b + 1]; r++)
        row_product(p->K, &p->v, p->d, r, p->in, p->out + (size_t)r * p->ld, p->ld);
}

void rec_graph_spmm(const struct rec_graph *g, int transpose, const float *in,
                    float *out, size_t ld, const rec_dropout *drop, unsigned threads)
{
    dropout_rule d;
    product p = { rec_kernels_get(), view_of(g, transpose), dropout_rule_of(drop, &d),
                  NULL, 0, in, out, ld };
    rec_parallel_for(threads, g->n_blocks, block_task, &p);
}

/* Listed rows per task of rec_graph_spmm_rows. */
#define ROWS_PER_TASK 64

static void rows_task(void *ctx, size_t t, unsigned worker)
{
    (void)worker;
    const product *p = ctx;
    size_t a = t * ROWS_PER_TASK;
    size_t b = a + ROWS_PER_TASK < p->n_rows ? a + ROWS_PER_TASK : p->n_rows;
    for (size_t k = a; k < b; k++)
        row_product(p->K, &p->v, p->d, p->rows[k], p->in,
                    p->out + (size_t)p->rows[k] * p->ld, p->ld);
}

void rec_graph_spmm_rows(const struct rec_graph *g, int transpose,
                         const uint32_t *rows, size_t n_rows, const float *in,
                         float *out, size_t ld, const rec_dropout *drop,
                         unsigned threads)
{
    dropout_rule d;
    product p = { rec_kernels_get(), view_of(g, transpose), dropout_rule_of(drop, &d),
                  rows, n_rows, in, out, ld };
    rec_parallel_for(threads, (n_rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, rows_task,
                     &p);
}

/* Rows handed to a callback instead of stored: each worker computes into a
 * scratch row of its own. */
typedef struct each_job {
    product p;
    float *scratch;          /* n_threads rows of ld floats */
    rec_graph_row_fn fn;
    void *ctx;
} each_job;

static void each_task(void *ctx, size_t b, unsigned worker)
{
    each_job *j = ctx;
    float *row = j->scratch + (size_t)worker * j->p.ld;
    for (uint32_t r = j->p.v.blocks[b]; r < j->p.v.blocks[b + 1]; r++) {
        row_product(j->p.K, &j->p.v, j->p.d, r, j->p.in, row, j->p.ld);
        j->fn(j->ctx, r, row);
    }
}

int rec_graph_spmm_each(const struct rec_graph *g, int transpose, const float *in,
                        size_t ld, const rec_dropout *drop, unsigned threads,
                        rec_graph_row_fn fn, void *ctx)
{
    threads = rec_threads_resolve(threads);
    dropout_rule d;
    each_job j = { { rec_kernels_get(), view_of(g, transpose), dropout_rule_of(drop, &d),
                     NULL, 0, in, NULL, ld },
                   rec_aligned_alloc((size_t)threads * ld, sizeof(float)), fn, ctx };
    if (!j.scratch)
        return rec_error_nomem();
    rec_parallel_for(threads, g->n_blocks, each_task, &j);
    rec_free(j.scratch);
    return REC_OK;
}

/* Row r of the view, entry (r, c), sends in[r] to out[c]: without transpose
 * that is M[r, c] in[r] added to out[c], the product with M^T. */
/* The scatter is split by destination: task t applies only the entries
 * whose column falls in its range of nodes, found by binary search in each
 * (sorted) row. Every destination row is then written by one task and
 * receives its terms in the same order whatever the thread count. Each task
 * searches every source row, so tasks are few (one per thread) and their
 * ranges hold equal numbers of entries: the graph's row blocks, whose
 * pattern is symmetric, balance the columns too. */

typedef struct scatter_job {
    const struct rec_graph *g;
    view v;
    const dropout_rule *d;
    const uint32_t *rows;
    size_t n_rows;
    const float *in;
    float *out;
    size_t ld;
    size_t n_tasks;
    const rec_kernels *K;
} scatter_job;

static void scatter_task(void *p, size_t task, unsigned worker)
{
    (void)worker;
    scatter_job *j = p;
    const struct rec_graph *g = j->g;
    uint32_t lo = g->block_start[g->n_blocks * task / j->n_tasks];
    uint32_t hi = g->block_start[g->n_blocks * (task + 1) / j->n_tasks];
    for (size_t t = 0; t < j->n_rows; t++) {
        uint32_t r = j->rows[t];
        const float *x = j->in + (size_t)r * j->ld;
        rec_keep_rule k = { 0, 0, 0, 0, 1.0f };
        if (j->d)
            k = keep_rule_of(j->d, j->v.flip, r);
        size_t e = rec_lower_bound(j->v.col, j->v.ptr[r], j->v.ptr[r + 1], lo);
        for (; e < j->v.ptr[r + 1] && j->v.col[e] < hi; e++) {
            uint32_t c = j->v.col[e];
            if (j->d && !rec_keep(&k, c))
                continue;
            j->K->axpy(j->d ? j->v.val[e] * k.scale : j->v.val[e], x,
                       j->out + (size_t)c * j->ld, j->ld);
        }
    }
}

void rec_graph_scatter_rows(const struct rec_graph *g, int transpose,
                            const uint32_t *rows, size_t n_rows, const float *in,
                            float *out, size_t ld, const rec_dropout *drop,
                            unsigned threads)
{
    dropout_rule dr;
    scatter_job j = { g, view_of(g, transpose), dropout_rule_of(drop, &dr), rows, n_rows,
                      in, out, ld, 0, rec_kernels_get() };
    threads = rec_threads_resolve(threads);
    j.n_tasks = threads;
    if (j.n_tasks > g->n_blocks)
        j.n_tasks = g->n_blocks ? g->n_blocks : 1;
    rec_parallel_for(threads, j.n_tasks, scatter_task, &j);
}
