/* The normalised user-item adjacency and propagation over it: the sparse
 * products behind graph models (LightGCN, NGCF, ...). */
#ifndef REC_GRAPH_GRAPH_H
#define REC_GRAPH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "librec/librec.h"
#include "data/dataset.h"

struct rec_graph {
    size_t n_users, n_items, n_nodes;  /* users first, then items */
    /* The graph's node numbering. NULL for the dataset's own (user u is
     * node u, item i node n_users + i); otherwise rank[v] is the graph node
     * of dataset node v and order[r] the dataset node of graph node r. Users
     * come before items in either numbering. Everything below, and every
     * matrix a product reads or writes, is in the graph's numbering. */
    uint32_t *rank;      /* n_nodes, or NULL */
    uint32_t *order;     /* n_nodes, or NULL */
    rec_graph_norm norm;
    int self_loops;
    size_t nnz;
    /* CSR of M: row r holds the entries M[r, c], columns ascending. */
    size_t *ptr;         /* n_nodes + 1 */
    uint32_t *col;       /* nnz */
    float *val;          /* nnz */
    /* CSR of M^T. The pattern of A (+ I) is symmetric, so tptr and tcol
     * always point at ptr and col; tval points at val when M is symmetric
     * (SYMMETRIC, NONE) and holds its own values otherwise (LEFT). */
    size_t *tptr;
    uint32_t *tcol;
    float *tval;
    /* Number of interactions of each node (its degree in A, without the
     * self-loop): what fold-in of a new node needs to normalise. */
    uint32_t *degree;    /* n_nodes */
    /* Row blocks with balanced non-zeros for multi-threaded products. */
    size_t n_blocks;
    uint32_t *block_start;  /* n_blocks + 1 row boundaries of M */
    uint32_t *tblock_start; /* same for M^T (== block_start: same pattern) */
};

/* M in the dataset's node numbering (rank and order NULL). */
int rec_graph_build(struct rec_graph **out, const rec_dataset *ds, rec_graph_norm norm,
                    int self_loops);
/* M in the locality order of rec_graph_locality_order: the same operator,
 * faster products, for callers that keep their matrices in that order. */
int rec_graph_build_local(struct rec_graph **out, const rec_dataset *ds,
                          rec_graph_norm norm, int self_loops);
void rec_graph_destroy(struct rec_graph *g);

/* An operator over a given pattern whose pattern is symmetric (the caller's
 * promise): n_nodes rows, users first, CSR ptr (n_nodes + 1) and col
 * (ptr[n_nodes]), both taken over (freed on failure too). val and tval
 * start zeroed, for the caller to fill (tval[e] = M[col[e], row]). degree
 * holds the row lengths. REC_ENOMEM (message set). */
int rec_graph_from_pattern(struct rec_graph **out, size_t n_users, size_t n_nodes,
                           size_t *ptr, uint32_t *col);

/* rank[v] for every dataset node v (n_users + n_items entries): a
 * breadth-first numbering that keeps users first (graph/order.c). */
int rec_graph_locality_order(const rec_dataset *ds, uint32_t *rank);

/* The graph node of dataset node v, and the dataset node of graph node r. */
static inline size_t rec_graph_node(const struct rec_graph *g, size_t v)
{
    return g->rank ? g->rank[v] : v;
}

static inline size_t rec_graph_original(const struct rec_graph *g, size_t r)
{
    return g->order ? g->order[r] : r;
}

/* Dropout of messages during training, decided per entry without storing a
 * mask: entry (r, c) of M (equivalently (c, r) of M^T) is kept or dropped by
 * a hash of (seed, r, c), so the forward and backward products of one step
 * drop the same entries. Kept entries are scaled by 1 / (1 - p). */
typedef enum rec_dropout_mode {
    REC_DROPOUT_NONE = 0,
    REC_DROPOUT_EDGE = 1,   /* each entry independently (NGCF's "node dropout"
                               as its code implements it, LightGCN's dropout) */
    REC_DROPOUT_NODE = 2,   /* every message sent by a node (column c) together */
} rec_dropout_mode;

typedef struct rec_dropout {
    rec_dropout_mode mode;
    float p;                /* in [0, 1) */
    uint64_t seed;          /* one per training step */
} rec_dropout;

/* out[r] = sum_c M[r, c] in[c] for every row r (M^T when transpose).
 * Matrices have n_nodes rows of stride ld (a multiple of 16, rows aligned:
 * core/layout.h) and in != out. drop may be NULL. Spread over `threads`
 * threads by row blocks; the result does not depend on the thread count. */
void rec_graph_spmm(const struct rec_graph *g, int transpose, const float *in,
                    float *out, size_t ld, const rec_dropout *drop, unsigned threads);

/* The same for the listed rows only (sorted, distinct); other rows of out are
 * not touched. */
void rec_graph_spmm_rows(const struct rec_graph *g, int transpose,
                         const uint32_t *rows, size_t n_rows, const float *in,
                         float *out, size_t ld, const rec_dropout *drop,
                         unsigned threads);

/* The product row by row without storing it: for every row r, the row of
 * M in (M^T in with transpose) is computed into a scratch row and handed to
 * fn(ctx, r, row), which may change it. Rows are visited by several threads
 * at once (each row once), so fn must only touch data of row r. Lets a
 * caller fuse what it does with each row (an optimizer step) into the
 * product. REC_ENOMEM (message set) if the scratch rows cannot be had. */
typedef void (*rec_graph_row_fn)(void *ctx, uint32_t row, float *values);
int rec_graph_spmm_each(const struct rec_graph *g, int transpose, const float *in,
                        size_t ld, const rec_dropout *drop, unsigned threads,
                        rec_graph_row_fn fn, void *ctx);

/* out += M^T restricted to the listed rows of in: for each listed row r and
 * each entry M[r, c], out[c] += M[r, c] in[r] (with transpose, M instead of
 * M^T). This is the product with a matrix that is zero outside `rows`, at a
 * cost proportional to those rows' entries: the first step of a backward
 * pass from a mini-batch. Split over `threads` threads by destination rows;
 * the result does not depend on the thread count. */
void rec_graph_scatter_rows(const struct rec_graph *g, int transpose,
                            const uint32_t *rows, size_t n_rows, const float *in,
                            float *out, size_t ld, const rec_dropout *drop,
                            unsigned threads);

#endif
