/* Building the normalised adjacency of a dataset.
 *
 * The CSR of M comes from the dataset's two CSRs, in the dataset's node
 * numbering (users, then items) or in a locality order (graph/order.c).
 *
 * The pattern of A + I is symmetric, so M^T has the pattern of M: its CSR
 * shares ptr and col and only needs its own values when M itself is not
 * symmetric (LEFT). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph.h"

/* Row blocks of a product: a fixed count, not derived from the thread
 * count, so that a graph is the same on every machine; enough for the
 * dynamic schedule of rec_parallel_for to even out 2 to 100-odd threads,
 * and few enough that a block of Gowalla is still 70 rows. */
#define GRAPH_BLOCKS 1024
/* Cost of a row besides its entries, in entries: writing the output row. */
#define ROW_COST 2

void rec_graph_destroy(struct rec_graph *g)
{
    if (!g)
        return;
    if (g->tval != g->val)
        rec_free(g->tval);
    if (g->tptr != g->ptr)
        rec_free(g->tptr);
    if (g->tcol != g->col)
        rec_free(g->tcol);
    if (g->tblock_start != g->block_start)
        rec_free(g->tblock_start);
    rec_free(g->ptr);
    rec_free(g->col);
    rec_free(g->val);
    rec_free(g->degree);
    rec_free(g->block_start);
    rec_free(g->rank);
    rec_free(g->order);
    rec_free(g);
}

/* The neighbours of original node v in the dataset, as original nodes
 * (users first, then items) once `shift` is added. */
static const uint32_t *neighbours(const rec_dataset *ds, size_t nu, size_t v, size_t *deg,
                                  size_t *shift)
{
    if (v < nu) {
        *deg = ds->user_ptr[v + 1] - ds->user_ptr[v];
        *shift = nu;
        return ds->user_items + ds->user_ptr[v];
    }
    *deg = ds->item_ptr[v - nu + 1] - ds->item_ptr[v - nu];
    *shift = 0;
    return ds->item_users + ds->item_ptr[v - nu];
}

/* The row pointers and columns of A (+ I) in the graph's numbering, and
 * the degrees. Columns come out ascending without a sort: the nodes are
 * visited in the graph's order, and each one appends itself to the rows of
 * its neighbours (and to its own row for the self-loop), so every row
 * receives its columns in increasing order. `cursor` is n scratch slots. */
static void fill_pattern(struct rec_graph *g, const rec_dataset *ds, size_t *cursor)
{
    size_t nu = g->n_users, n = g->n_nodes, loop = g->self_loops ? 1 : 0;
    size_t deg, shift;
    for (size_t r = 0; r < n; r++) {
        neighbours(ds, nu, rec_graph_original(g, r), &deg, &shift);
        g->degree[r] = (uint32_t)deg;
    }
    g->ptr[0] = 0;
    for (size_t r = 0; r < n; r++) {
        g->ptr[r + 1] = g->ptr[r] + g->degree[r] + loop;
        cursor[r] = g->ptr[r];
    }
    for (size_t c = 0; c < n; c++) {
        const uint32_t *nb = neighbours(ds, nu, rec_graph_original(g, c), &deg, &shift);
        for (size_t k = 0; k < deg; k++) {
            size_t r = rec_graph_node(g, nb[k] + shift);
            g->col[cursor[r]++] = (uint32_t)c;
        }
        if (loop)
            g->col[cursor[c]++] = (uint32_t)c;
    }
}

/* The values of M and, for LEFT, of M^T. scale[r] is the row's factor:
 * SYMMETRIC 1/sqrt(d_r) (so M[r,c] = scale[r] scale[c], rounded once from
 * double, and M[r,c] == M[c,r] to the bit), LEFT 1/d_r. A node of degree 0
 * has no entries, so its factor is never read. */
static void fill_values(struct rec_graph *g, double *scale)
{
    size_t n = g->n_nodes;
    if (g->norm == REC_GRAPH_NONE) {
        for (size_t e = 0; e < g->nnz; e++)
            g->val[e] = 1.0f;
        return;
    }
    for (size_t r = 0; r < n; r++) {
        double d = (double)g->degree[r] + (g->self_loops ? 1.0 : 0.0);
        scale[r] = d > 0 ? (g->norm == REC_GRAPH_SYMMETRIC ? 1.0 / sqrt(d) : 1.0 / d)
                         : 0.0;
    }
    for (size_t r = 0; r < n; r++) {
        for (size_t e = g->ptr[r]; e < g->ptr[r + 1]; e++) {
            size_t c = g->col[e];
            if (g->norm == REC_GRAPH_SYMMETRIC) {
                g->val[e] = (float)(scale[r] * scale[c]);
            } else {
                g->val[e] = (float)scale[r];
                g->tval[e] = (float)scale[c]; /* M^T[r, c] = M[c, r] = 1 / d_c */
            }
        }
    }
}

/* Block b starts at the first row whose cumulative cost (entries plus
 * ROW_COST per row) reaches b / n_blocks of the total. */
static void fill_blocks(struct rec_graph *g)
{
    size_t n = g->n_nodes, nb = g->n_blocks;
    double total = (double)g->nnz + (double)ROW_COST * (double)n;
    size_t r = 0;
    g->block_start[0] = 0;
    for (size_t b = 1; b < nb; b++) {
        double target = total * (double)b / (double)nb;
        while (r < n && (double)g->ptr[r] + (double)ROW_COST * (double)r < target)
            r++;
        g->block_start[b] = (uint32_t)r;
    }
    g->block_start[nb] = (uint32_t)n;
}

static int build(struct rec_graph **out, const rec_dataset *ds, rec_graph_norm norm,
                 int self_loops, int reorder)
{
    *out = NULL;
    size_t nu = rec_ds_n_users(ds), ni = rec_ds_n_items(ds);
    /* Node ids are uint32_t, and n_nodes itself is stored as a block
     * boundary. */
    if (nu > UINT32_MAX || ni > UINT32_MAX - nu)
        return rec_error(REC_ELIMIT,
                         "graph: %zu users and %zu items make more than %u nodes", nu,
                         ni, (unsigned)UINT32_MAX);
    size_t n = nu + ni;
    size_t loops = self_loops ? n : 0;
    if (ds->nnz > (SIZE_MAX - loops) / 2)
        return rec_error(REC_ELIMIT, "graph: %zu interactions are too many", ds->nnz);

    struct rec_graph *g = rec_calloc(1, sizeof *g);
    if (!g)
        return rec_error_nomem();
    g->n_users = nu;
    g->n_items = ni;
    g->n_nodes = n;
    g->norm = norm;
    g->self_loops = self_loops ? 1 : 0;
    g->nnz = 2 * ds->nnz + loops;
    g->n_blocks = n < GRAPH_BLOCKS ? n : GRAPH_BLOCKS;

    double *scale = NULL;
    size_t *cursor = rec_malloc_array(n ? n : 1, sizeof *cursor);
    if (reorder) {
        g->rank = rec_malloc_array(n ? n : 1, sizeof *g->rank);
        g->order = rec_malloc_array(n ? n : 1, sizeof *g->order);
    }
    g->ptr = rec_malloc_array(n + 1, sizeof *g->ptr);
    g->col = rec_malloc_array(g->nnz, sizeof *g->col);
    g->val = rec_malloc_array(g->nnz, sizeof *g->val);
    g->degree = rec_malloc_array(n, sizeof *g->degree);
    g->block_start = rec_malloc_array(g->n_blocks + 1, sizeof *g->block_start);
    if (norm == REC_GRAPH_LEFT)
        g->tval = rec_malloc_array(g->nnz, sizeof *g->tval);
    if (norm != REC_GRAPH_NONE)
        scale = rec_malloc_array(n, sizeof *scale);
    if (!cursor || !g->ptr || !g->col || !g->val || !g->degree || !g->block_start ||
        (reorder && (!g->rank || !g->order)) || (norm == REC_GRAPH_LEFT && !g->tval) ||
        (norm != REC_GRAPH_NONE && !scale)) {
        rec_free(scale);
        rec_free(cursor);
        rec_graph_destroy(g);
        return rec_error_nomem();
    }
    if (reorder) {
        int rc = rec_graph_locality_order(ds, g->rank);
        if (rc != REC_OK) {
            rec_free(scale);
            rec_free(cursor);
            rec_graph_destroy(g);
            return rc;
        }
        for (size_t v = 0; v < n; v++)
            g->order[g->rank[v]] = (uint32_t)v;
    }
    g->tptr = g->ptr;
    g->tcol = g->col;
    if (norm != REC_GRAPH_LEFT)
        g->tval = g->val;
    g->tblock_start = g->block_start;

    fill_pattern(g, ds, cursor);
    fill_values(g, scale);
    fill_blocks(g);
    rec_free(scale);
    rec_free(cursor);
    *out = g;
    return REC_OK;
}

int rec_graph_build(struct rec_graph **out, const rec_dataset *ds, rec_graph_norm norm,
                    int self_loops)
{
    return build(out, ds, norm, self_loops, 0);
}

int rec_graph_build_local(struct rec_graph **out, const rec_dataset *ds,
                          rec_graph_norm norm, int self_loops)
{
    return build(out, ds, norm, self_loops, 1);
}

int rec_graph_from_pattern(struct rec_graph **out, size_t n_users, size_t n_nodes,
                           size_t *ptr, uint32_t *col)
{
    *out = NULL;
    struct rec_graph *g = rec_calloc(1, sizeof *g);
    size_t nnz = ptr[n_nodes];
    if (g) {
        g->ptr = ptr;
        g->col = col;
        g->n_users = n_users;
        g->n_items = n_nodes - n_users;
        g->n_nodes = n_nodes;
        g->norm = REC_GRAPH_LEFT;
        g->nnz = nnz;
        g->n_blocks = n_nodes < GRAPH_BLOCKS ? n_nodes : GRAPH_BLOCKS;
        g->val = rec_calloc(nnz ? nnz : 1, sizeof *g->val);
        g->tval = rec_calloc(nnz ? nnz : 1, sizeof *g->tval);
        g->degree = rec_malloc_array(n_nodes ? n_nodes : 1, sizeof *g->degree);
        g->block_start = rec_malloc_array(g->n_blocks + 1, sizeof *g->block_start);
    }
    if (!g || !g->val || !g->tval || !g->degree || !g->block_start) {
        if (g) {
            g->tptr = g->ptr;
            g->tcol = g->col;
            rec_graph_destroy(g);
        } else {
            rec_free(ptr);
            rec_free(col);
        }
        return rec_error_nomem();
    }
    g->tptr = g->ptr;
    g->tcol = g->col;
    g->tblock_start = g->block_start;
    for (size_t r = 0; r < n_nodes; r++)
        g->degree[r] = (uint32_t)(ptr[r + 1] - ptr[r]);
    fill_blocks(g);
    *out = g;
    return REC_OK;
}
