/* Graph layer: the normalised adjacency on a hand-made graph, the products
 * against dense references, dropout (its mask shared by M and M^T, its
 * rate, its seeds), the public functions' argument checks and allocation
 * failures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/alloc.h"
#include "core/layout.h"
#include "core/rng.h"
#include "graph/graph.h"

static const rec_graph_norm norms[] = {REC_GRAPH_SYMMETRIC, REC_GRAPH_LEFT,
                                       REC_GRAPH_NONE};
static const char *const norm_names[] = {"symmetric", "left", "none"};

/* ---- Helpers ---- */

#define SENTINEL ((void *)0x1)

static rec_dataset *adj_text(const char *name, const char *text, const rec_dataset *ref)
{
    char *path = rec_test_write_file(name, text);
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_load_adjlist(&ds, path, NULL, ref), REC_OK, NULL);
    free(path);
    return ds;
}

/* 3 users and 4 items: u0 - i0, i1; u1 - i1, i2; u2 has no item and i3 no
 * user (it is in the id space of the first file only). Nodes: u0..u2 are
 * 0..2, i0..i3 are 3..6. */
static rec_dataset *hand_dataset(void)
{
    rec_dataset *full = adj_text("hand-full.txt", "u0 i0 i1\nu1 i1 i2 i3\nu2\n", NULL);
    rec_dataset *ds = adj_text("hand.txt", "u0 i0 i1\nu1 i1 i2\nu2\n", full);
    rec_dataset_free(full);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 3);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 4);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 4);
    return ds;
}

static struct rec_graph *build(const rec_dataset *ds, rec_graph_norm norm, int loops)
{
    struct rec_graph *g = NULL;
    ck_assert_rec(rec_graph_build(&g, ds, norm, loops), REC_OK, NULL);
    return g;
}

/* A random dataset: `users` users each with up to `per_user` random items
 * (some with none: the first draw decides how many), ids as integers. */
static rec_dataset *random_dataset(unsigned users, unsigned items, unsigned per_user,
                                   uint64_t seed)
{
    rec_rng r;
    rec_rng_seed(&r, seed, 0, 0);
    size_t cap = (size_t)users * per_user, n = 0;
    int64_t *u = malloc(cap * sizeof *u), *i = malloc(cap * sizeof *i);
    ck_assert(u && i);
    for (unsigned a = 0; a < users; a++) {
        unsigned k = rec_rng_below(&r, per_user + 1);
        for (unsigned t = 0; t < k; t++) {
            u[n] = a;
            i[n] = rec_rng_below(&r, items);
            n++;
        }
    }
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = REC_DUPLICATES_LAST;
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, u, i, NULL, NULL, &load, NULL),
                  REC_OK, NULL);
    free(u);
    free(i);
    return ds;
}

/* The dense normalised matrix (n x n, double) of a dataset, from its
 * interactions through the public API and the formulas of librec.h. */
static double *dense_matrix(const rec_dataset *ds, rec_graph_norm norm, int loops,
                            size_t *n_out)
{
    size_t nu = rec_dataset_n_users(ds), n = nu + rec_dataset_n_items(ds);
    double *A = calloc(n * n, sizeof *A), *d = calloc(n, sizeof *d);
    ck_assert(A && d);
    for (uint32_t u = 0; u < nu; u++) {
        const uint32_t *items;
        size_t k;
        ck_assert_rec(rec_dataset_user_items(ds, u, &items, NULL, NULL, &k), REC_OK, NULL);
        for (size_t t = 0; t < k; t++) {
            A[u * n + nu + items[t]] = 1;
            A[(nu + items[t]) * n + u] = 1;
        }
    }
    for (size_t r = 0; r < n; r++) {
        if (loops)
            A[r * n + r] = 1;
        for (size_t c = 0; c < n; c++)
            d[r] += A[r * n + c];
    }
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < n; c++) {
            if (A[r * n + c] == 0)
                continue;
            if (norm == REC_GRAPH_SYMMETRIC)
                A[r * n + c] = 1 / sqrt(d[r] * d[c]);
            else if (norm == REC_GRAPH_LEFT)
                A[r * n + c] = 1 / d[r];
        }
    free(d);
    *n_out = n;
    return A;
}

static float *random_rows(rec_rng *r, size_t n, size_t ld, size_t dim)
{
    float *x = rec_aligned_alloc(n * ld, sizeof(float));
    ck_assert_ptr_nonnull(x);
    for (size_t k = 0; k < n * ld; k++)
        x[k] = k % ld < dim ? (float)(2 * rec_rng_uniform(r) - 1) : 0.0f;
    return x;
}

static float *filled_rows(size_t n, size_t ld, float value)
{
    float *x = rec_aligned_alloc(n * ld, sizeof(float));
    ck_assert_ptr_nonnull(x);
    for (size_t k = 0; k < n * ld; k++)
        x[k] = value;
    return x;
}

/* The identity with n rows of stride ld >= n: the product M I gives row r
 * of M in out[r][0..n) exactly (one rounded term per element). */
static float *identity_rows(size_t n, size_t ld)
{
    float *x = filled_rows(n, ld, 0.0f);
    for (size_t r = 0; r < n; r++)
        x[r * ld + r] = 1.0f;
    return x;
}

/* |got - want| within a few float roundings of the magnitude. */
static void assert_close(double got, double want, double mag, const char *what)
{
    ck_assert_msg(fabs(got - want) <= 1e-5 * mag + 1e-30, "%s: got %.9g, want %.9g",
                  what, got, want);
}

/* ---- The hand-made graph ---- */

/* Degrees of nodes u0 u1 u2 i0 i1 i2 i3, and the edges. */
static const uint32_t hand_degree[7] = {2, 2, 0, 1, 2, 1, 0};
static int hand_edge(uint32_t r, uint32_t c)
{
    static const uint32_t e[4][2] = {{0, 3}, {0, 4}, {1, 4}, {1, 5}};
    for (int k = 0; k < 4; k++)
        if ((e[k][0] == r && e[k][1] == c) || (e[k][0] == c && e[k][1] == r))
            return 1;
    return 0;
}

/* The weight of (r, c) by the formulas of librec.h, 0 if no entry. */
static double hand_weight(rec_graph_norm norm, int loops, uint32_t r, uint32_t c)
{
    if (!hand_edge(r, c) && !(loops && r == c))
        return 0;
    double dr = hand_degree[r] + loops, dc = hand_degree[c] + loops;
    return norm == REC_GRAPH_SYMMETRIC ? 1 / sqrt(dr * dc)
           : norm == REC_GRAPH_LEFT    ? 1 / dr
                                       : 1;
}

START_TEST(test_hand_graph)
{
    rec_dataset *ds = hand_dataset();
    for (int q = 0; q < 3; q++)
        for (int loops = 0; loops <= 1; loops++) {
            rec_graph_norm norm = norms[q];
            struct rec_graph *g = build(ds, norm, loops);
            ck_assert_uint_eq(g->n_users, 3);
            ck_assert_uint_eq(g->n_items, 4);
            ck_assert_uint_eq(g->n_nodes, 7);
            ck_assert_uint_eq(g->nnz, 8 + (loops ? 7 : 0));
            ck_assert_uint_eq(g->ptr[7], g->nnz);
            for (uint32_t r = 0; r < 7; r++) {
                ck_assert_uint_eq(g->degree[r], hand_degree[r]);
                size_t e = g->ptr[r];
                for (uint32_t c = 0; c < 7; c++) {
                    double w = hand_weight(norm, loops, r, c);
                    if (w == 0)
                        continue;
                    /* Entries in ascending column order, each as computed. */
                    ck_assert_uint_lt(e, g->ptr[r + 1]);
                    ck_assert_uint_eq(g->col[e], c);
                    ck_assert_msg(fabs(g->val[e] - w) <= 1e-7 * w,
                                  "%s, loops %d, (%u, %u): %.9g, want %.9g",
                                  norm_names[q], loops, r, c, (double)g->val[e], w);
                    /* M^T: same pattern, entry (r, c) of M^T is M[c, r]. */
                    ck_assert_uint_eq(g->tcol[e], c);
                    ck_assert_msg(fabs(g->tval[e] - hand_weight(norm, loops, c, r)) <=
                                      1e-7,
                                  "%s: M^T (%u, %u)", norm_names[q], r, c);
                    e++;
                }
                ck_assert_uint_eq(e, g->ptr[r + 1]);
            }
            /* A node without edges: an empty row, or its self-loop of 1. */
            size_t a = g->ptr[2];
            ck_assert_uint_eq(g->ptr[3] - a, loops ? 1 : 0);
            if (loops)
                ck_assert(g->val[a] == 1.0f && g->col[a] == 2);
            ck_assert_ptr_eq(g->tptr, g->ptr);
            ck_assert_ptr_eq(g->tcol, g->col);
            if (norm == REC_GRAPH_LEFT)
                ck_assert_ptr_ne(g->tval, g->val);
            else
                ck_assert_ptr_eq(g->tval, g->val);
            ck_assert_ptr_eq(g->tblock_start, g->block_start);
            rec_graph_destroy(g);
        }
    /* A few of the values by hand. */
    struct rec_graph *g = build(ds, REC_GRAPH_SYMMETRIC, 0);
    ck_assert_float_eq_tol(g->val[0], (float)(1 / sqrt(2.0)), 1e-7f); /* u0-i0 */
    ck_assert_float_eq(g->val[1], 0.5f);                              /* u0-i1 */
    rec_graph_destroy(g);
    g = build(ds, REC_GRAPH_SYMMETRIC, 1);
    ck_assert_float_eq_tol(g->val[0], 1.0f / 3, 1e-7f);               /* u0-u0 */
    ck_assert_float_eq_tol(g->val[1], (float)(1 / sqrt(6.0)), 1e-7f); /* u0-i0 */
    rec_graph_destroy(g);
    g = build(ds, REC_GRAPH_LEFT, 1);
    ck_assert_float_eq_tol(g->val[g->ptr[4]], 1.0f / 3, 1e-7f);  /* i1-u0 */
    ck_assert_float_eq_tol(g->tval[g->ptr[4]], 1.0f / 3, 1e-7f); /* u0-i1 */
    ck_assert_float_eq_tol(g->val[g->ptr[3]], 0.5f, 1e-7f);      /* i0-u0 */
    ck_assert_float_eq_tol(g->tval[g->ptr[3]], 1.0f / 3, 1e-7f); /* u0-i0 */
    rec_graph_destroy(g);
    rec_dataset_free(ds);
}
END_TEST

/* Symmetric weights are equal to the bit in both orientations, and row
 * blocks cover the rows in order. */
START_TEST(test_structure)
{
    rec_dataset *ds = random_dataset(300, 200, 12, 3);
    for (int q = 0; q < 3; q++) {
        struct rec_graph *g = build(ds, norms[q], q == 1);
        for (uint32_t r = 0; r < g->n_nodes; r++)
            for (size_t e = g->ptr[r]; e < g->ptr[r + 1]; e++) {
                if (e > g->ptr[r])
                    ck_assert_uint_lt(g->col[e - 1], g->col[e]);
                uint32_t c = g->col[e];
                /* find (c, r) */
                size_t f = g->ptr[c];
                while (f < g->ptr[c + 1] && g->col[f] != r)
                    f++;
                ck_assert_uint_lt(f, g->ptr[c + 1]);
                ck_assert(g->tval[f] == g->val[e]);
                if (norms[q] != REC_GRAPH_LEFT)
                    ck_assert(g->val[f] == g->val[e]);
            }
        ck_assert_uint_gt(g->n_blocks, 0);
        ck_assert_uint_eq(g->block_start[0], 0);
        ck_assert_uint_eq(g->block_start[g->n_blocks], g->n_nodes);
        for (size_t b = 0; b < g->n_blocks; b++)
            ck_assert_uint_le(g->block_start[b], g->block_start[b + 1]);
        rec_graph_destroy(g);
    }
    rec_dataset_free(ds);
}
END_TEST

/* The locality build is the same operator in another numbering: rank is a
 * permutation keeping users first, every entry M[r, c] appears as
 * M'[rank r, rank c] with the same value, rows stay sorted, and a product
 * in the new numbering is the permuted product (to the bit for the
 * symmetric norm: the same terms in the same order need not hold, so the
 * values are compared with a tolerance). Allocation failures are clean. */
START_TEST(test_locality_order)
{
    rec_dataset *ds = random_dataset(300, 200, 12, 5);
    for (int q = 0; q < 3; q++) {
        struct rec_graph *g = build(ds, norms[q], q == 1), *h = NULL;
        ck_assert_rec(rec_graph_build_local(&h, ds, norms[q], q == 1), REC_OK, NULL);
        size_t n = g->n_nodes, nu = g->n_users;
        ck_assert_uint_eq(h->nnz, g->nnz);
        ck_assert_ptr_null(g->rank);
        ck_assert_ptr_nonnull(h->rank);
        uint8_t *hit = calloc(n, 1);
        int moved = 0;
        for (size_t v = 0; v < n; v++) {
            size_t r = rec_graph_node(h, v);
            ck_assert_uint_lt(r, n);
            ck_assert_int_eq(r < nu, v < nu);
            ck_assert(!hit[r]);
            hit[r] = 1;
            ck_assert_uint_eq(rec_graph_original(h, r), v);
            ck_assert_uint_eq(h->degree[r], g->degree[v]);
            moved |= r != v;
        }
        ck_assert(moved);
        free(hit);
        for (size_t v = 0; v < n; v++) {
            size_t r = rec_graph_node(h, v);
            ck_assert_uint_eq(h->ptr[r + 1] - h->ptr[r], g->ptr[v + 1] - g->ptr[v]);
            for (size_t e = h->ptr[r] + 1; e < h->ptr[r + 1]; e++)
                ck_assert_uint_lt(h->col[e - 1], h->col[e]);
            for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++) {
                uint32_t c = (uint32_t)rec_graph_node(h, g->col[e]);
                size_t f = h->ptr[r];
                while (f < h->ptr[r + 1] && h->col[f] != c)
                    f++;
                ck_assert_uint_lt(f, h->ptr[r + 1]);
                ck_assert(h->val[f] == g->val[e]);
                ck_assert(h->tval[f] == g->tval[e]);
            }
        }
        /* Products: propagate in both numberings and compare. */
        size_t ld = 16;
        float *in = rec_aligned_alloc(n * ld, sizeof(float));
        float *pin = rec_aligned_alloc(n * ld, sizeof(float));
        float *out = rec_aligned_alloc(n * ld, sizeof(float));
        float *pout = rec_aligned_alloc(n * ld, sizeof(float));
        ck_assert(in && pin && out && pout);
        rec_rng rng;
        rec_rng_seed(&rng, 9, 0, 0);
        for (size_t v = 0; v < n; v++)
            for (size_t x = 0; x < ld; x++) {
                in[v * ld + x] = (float)rec_rng_normal(&rng);
                pin[rec_graph_node(h, v) * ld + x] = in[v * ld + x];
            }
        for (int t = 0; t < 2; t++) {
            rec_graph_spmm(g, t, in, out, ld, NULL, 2);
            rec_graph_spmm(h, t, pin, pout, ld, NULL, 2);
            for (size_t v = 0; v < n; v++)
                for (size_t x = 0; x < ld; x++)
                    ck_assert_float_eq_tol(pout[rec_graph_node(h, v) * ld + x],
                                           out[v * ld + x], 1e-5f);
        }
        rec_free(in);
        rec_free(pin);
        rec_free(out);
        rec_free(pout);
        rec_graph_destroy(g);
        rec_graph_destroy(h);
    }
    for (long k = 1;; k++) {
        ck_assert_msg(k < 100, "no success after %ld allocations", k);
        struct rec_graph *h = SENTINEL;
        rec_alloc_fail_after(k);
        int rc = rec_graph_build_local(&h, ds, REC_GRAPH_SYMMETRIC, 0);
        rec_alloc_fail_after(0);
        if (rc == REC_OK) {
            rec_graph_destroy(h);
            break;
        }
        ck_assert_rec(rc, REC_ENOMEM, "out of memory");
        ck_assert_ptr_null(h);
    }
    rec_dataset_free(ds);
}
END_TEST

/* ---- Products against dense references ---- */

/* out = M in (M^T with transpose) for dense M in double. */
static void dense_product(const double *M, size_t n, int transpose, const float *in,
                          size_t ld, size_t dim, double *out, double *mag)
{
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < dim; j++) {
            double s = 0, m = 0;
            for (size_t c = 0; c < n; c++) {
                double w = transpose ? M[c * n + r] : M[r * n + c];
                s += w * in[c * ld + j];
                m += fabs(w * in[c * ld + j]);
            }
            out[r * dim + j] = s;
            mag[r * dim + j] = m;
        }
}

START_TEST(test_spmm_dense)
{
    rec_rng rng;
    rec_rng_seed(&rng, 5, 0, 0);
    for (int trial = 0; trial < 4; trial++) {
        rec_dataset *ds = trial == 0 ? hand_dataset()
                                     : random_dataset(20 + 7 * trial, 15, 6, trial);
        for (int q = 0; q < 3; q++)
            for (int loops = 0; loops <= 1; loops++) {
                size_t n;
                double *M = dense_matrix(ds, norms[q], loops, &n);
                struct rec_graph *g = build(ds, norms[q], loops);
                ck_assert_uint_eq(g->n_nodes, n);
                size_t dim = trial == 2 ? 16 : 5 + 9 * (size_t)trial, ld = rec_ld_for(dim);
                float *in = random_rows(&rng, n, ld, dim);
                float *out1 = filled_rows(n, ld, NAN), *out3 = filled_rows(n, ld, NAN);
                double *want = malloc(n * dim * sizeof *want),
                       *mag = malloc(n * dim * sizeof *mag);
                ck_assert(want && mag);
                for (int tr = 0; tr <= 1; tr++) {
                    rec_graph_spmm(g, tr, in, out1, ld, NULL, 1);
                    rec_graph_spmm(g, tr, in, out3, ld, NULL, 3);
                    ck_assert_int_eq(memcmp(out1, out3, n * ld * sizeof(float)), 0);
                    dense_product(M, n, tr, in, ld, dim, want, mag);
                    for (size_t r = 0; r < n; r++) {
                        for (size_t j = 0; j < dim; j++)
                            assert_close(out1[r * ld + j], want[r * dim + j],
                                         mag[r * dim + j], "spmm");
                        for (size_t j = dim; j < ld; j++) /* padding stays zero */
                            ck_assert(out1[r * ld + j] == 0.0f);
                    }
                }
                free(want);
                free(mag);
                free(M);
                rec_free(in);
                rec_free(out1);
                rec_free(out3);
                rec_graph_destroy(g);
            }
        rec_dataset_free(ds);
    }
}
END_TEST

/* A sorted random subset of [0, n), about a third of it. */
static size_t random_subset(rec_rng *r, size_t n, uint32_t *rows)
{
    size_t k = 0;
    for (uint32_t x = 0; x < n; x++)
        if (rec_rng_below(r, 3) == 0)
            rows[k++] = x;
    return k;
}

START_TEST(test_spmm_rows_and_scatter)
{
    rec_rng rng;
    rec_rng_seed(&rng, 6, 0, 0);
    rec_dataset *ds = random_dataset(60, 40, 8, 9);
    const size_t dim = 20, ld = 32;
    rec_dropout drops[2] = {{REC_DROPOUT_NONE, 0, 0}, {REC_DROPOUT_EDGE, 0.3f, 77}};
    for (int q = 0; q < 3; q++) {
        struct rec_graph *g = build(ds, norms[q], q != 0);
        size_t n = g->n_nodes;
        uint32_t *rows = malloc(n * sizeof *rows);
        ck_assert_ptr_nonnull(rows);
        size_t k = random_subset(&rng, n, rows);
        ck_assert_uint_gt(k, 0);
        float *in = random_rows(&rng, n, ld, dim);
        float *full = filled_rows(n, ld, 0), *part = filled_rows(n, ld, 0);
        float *masked = filled_rows(n, ld, 0);
        for (size_t t = 0; t < k; t++)
            memcpy(masked + rows[t] * ld, in + rows[t] * ld, ld * sizeof(float));
        for (int tr = 0; tr <= 1; tr++)
            for (int dr = 0; dr < 2; dr++) {
                /* spmm_rows: the listed rows of the full product, bit for
                 * bit; the other rows untouched. */
                rec_graph_spmm(g, tr, in, full, ld, &drops[dr], 2);
                for (size_t x = 0; x < n * ld; x++)
                    part[x] = 7.0f;
                rec_graph_spmm_rows(g, tr, rows, k, in, part, ld, &drops[dr], 3);
                size_t t = 0;
                for (uint32_t r = 0; r < n; r++) {
                    int listed = t < k && rows[t] == r;
                    t += (size_t)listed;
                    for (size_t j = 0; j < ld; j++)
                        ck_assert(part[r * ld + j] == (listed ? full[r * ld + j] : 7.0f));
                }
                /* scatter_rows from the listed rows: y + M^T (in masked to
                 * the rows), or y + M (...) with transpose. */
                float *y = random_rows(&rng, n, ld, dim);
                float *want = filled_rows(n, ld, 0);
                rec_graph_spmm(g, !tr, masked, want, ld, &drops[dr], 1);
                for (size_t x = 0; x < n * ld; x++)
                    want[x] += y[x];
                float *y3 = filled_rows(n, ld, 0);
                memcpy(y3, y, n * ld * sizeof *y3);
                rec_graph_scatter_rows(g, tr, rows, k, in, y, ld, &drops[dr], 1);
                rec_graph_scatter_rows(g, tr, rows, k, in, y3, ld, &drops[dr], 3);
                for (size_t x = 0; x < n * ld; x++)
                    assert_close(y[x], want[x], 4 + fabs(want[x]), "scatter_rows");
                /* The same bits whatever the thread count. */
                ck_assert_int_eq(memcmp(y, y3, n * ld * sizeof *y), 0);
                rec_free(y3);
                rec_free(y);
                rec_free(want);
            }
        free(rows);
        rec_free(in);
        rec_free(full);
        rec_free(part);
        rec_free(masked);
        rec_graph_destroy(g);
    }
    rec_dataset_free(ds);
}
END_TEST

/* ---- Dropout ---- */

START_TEST(test_dropout_zero_is_plain)
{
    rec_rng rng;
    rec_rng_seed(&rng, 7, 0, 0);
    rec_dataset *ds = random_dataset(50, 30, 8, 10);
    struct rec_graph *g = build(ds, REC_GRAPH_LEFT, 1);
    size_t n = g->n_nodes, ld = 16;
    float *in = random_rows(&rng, n, ld, ld);
    float *a = filled_rows(n, ld, 0), *b = filled_rows(n, ld, 1);
    for (int mode = REC_DROPOUT_NONE; mode <= REC_DROPOUT_NODE; mode++)
        for (int tr = 0; tr <= 1; tr++) {
            rec_dropout d = {(rec_dropout_mode)mode, mode == REC_DROPOUT_NONE ? 0.5f : 0.0f,
                             99};
            rec_graph_spmm(g, tr, in, a, ld, NULL, 1);
            rec_graph_spmm(g, tr, in, b, ld, &d, 1);
            ck_assert_int_eq(memcmp(a, b, n * ld * sizeof(float)), 0);
        }
    rec_free(in);
    rec_free(a);
    rec_free(b);
    rec_graph_destroy(g);
    rec_dataset_free(ds);
}
END_TEST

static double dot(const float *x, const float *y, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++)
        s += (double)x[k] * y[k];
    return s;
}

/* The forward product with M_drop and the backward product with M_drop^T
 * use one mask: M_drop^T computed by the transposed product is the
 * transpose of M_drop to the bit (both read off products with the
 * identity), and <y, M_drop x> = <M_drop^T y, x> for random x, y. */
START_TEST(test_dropout_adjoint)
{
    rec_rng rng;
    rec_rng_seed(&rng, 8, 0, 0);
    rec_dataset *ds = random_dataset(25, 20, 6, 11);
    for (int q = 0; q < 3; q++)
        for (int mode = REC_DROPOUT_EDGE; mode <= REC_DROPOUT_NODE; mode++) {
            struct rec_graph *g = build(ds, norms[q], 1);
            size_t n = g->n_nodes, ldI = rec_ld_for(n);
            rec_dropout d = {(rec_dropout_mode)mode, 0.4f, 1234 + (uint64_t)q};
            float *I = identity_rows(n, ldI);
            float *F = filled_rows(n, ldI, 0), *B = filled_rows(n, ldI, 0);
            rec_graph_spmm(g, 0, I, F, ldI, &d, 2); /* F[r][c] = M_drop[r, c] */
            rec_graph_spmm(g, 1, I, B, ldI, &d, 2); /* B[c][r] = M_drop[r, c] */
            size_t kept = 0;
            for (size_t r = 0; r < n; r++)
                for (size_t c = 0; c < n; c++) {
                    ck_assert_msg(F[r * ldI + c] == B[c * ldI + r],
                                  "%s, mode %d: (%zu, %zu) %g vs %g", norm_names[q], mode,
                                  r, c, (double)F[r * ldI + c], (double)B[c * ldI + r]);
                    kept += F[r * ldI + c] != 0;
                }
            ck_assert_uint_gt(kept, 0);
            ck_assert_uint_lt(kept, g->nnz);
            /* NODE: a column of M is kept or dropped whole, and kept
             * entries are scaled by 1 / (1 - p). */
            for (size_t c = 0; c < n; c++) {
                int seen_kept = 0, seen_dropped = 0;
                for (size_t e = 0; e < g->nnz; e++) {
                    if (g->col[e] != c)
                        continue;
                    size_t r = 0;
                    while (g->ptr[r + 1] <= e)
                        r++;
                    float w = F[r * ldI + c];
                    if (w != 0)
                        ck_assert(w == g->val[e] * (1.0f / (1.0f - d.p)));
                    seen_kept |= w != 0;
                    seen_dropped |= w == 0;
                }
                if (mode == REC_DROPOUT_NODE)
                    ck_assert(!(seen_kept && seen_dropped));
            }
            /* The adjoint identity on random vectors. */
            size_t ld = 16;
            float *x = random_rows(&rng, n, ld, ld), *y = random_rows(&rng, n, ld, ld);
            float *Mx = filled_rows(n, ld, 0), *Mty = filled_rows(n, ld, 0);
            rec_graph_spmm(g, 0, x, Mx, ld, &d, 1);
            rec_graph_spmm(g, 1, y, Mty, ld, &d, 3);
            double lhs = dot(y, Mx, n * ld), rhs = dot(Mty, x, n * ld);
            ck_assert_msg(fabs(lhs - rhs) <= 1e-5 * (fabs(lhs) + 1), "%g vs %g", lhs, rhs);
            /* The scatter form uses the same mask. */
            uint32_t *all = malloc(n * sizeof *all);
            ck_assert_ptr_nonnull(all);
            for (uint32_t r = 0; r < n; r++)
                all[r] = r;
            float *S = filled_rows(n, ldI, 0);
            rec_graph_scatter_rows(g, 0, all, n, I, S, ldI, &d, 2); /* M_drop^T I */
            ck_assert_int_eq(memcmp(S, B, n * ldI * sizeof(float)), 0);
            free(all);
            rec_free(S);
            rec_free(x);
            rec_free(y);
            rec_free(Mx);
            rec_free(Mty);
            rec_free(I);
            rec_free(F);
            rec_free(B);
            rec_graph_destroy(g);
        }
    rec_dataset_free(ds);
}
END_TEST

/* With NONE weights and an input of ones, out[r][0] (1 - p) counts the
 * kept entries of row r. */
static double kept_share(const struct rec_graph *g, int transpose, const rec_dropout *d)
{
    size_t n = g->n_nodes, ld = 16;
    float *ones = filled_rows(n, ld, 1), *out = filled_rows(n, ld, 0);
    rec_graph_spmm(g, transpose, ones, out, ld, d, 2);
    double kept = 0;
    for (size_t r = 0; r < n; r++)
        kept += round(out[r * ld] * (1.0 - d->p));
    rec_free(ones);
    rec_free(out);
    return kept / (double)g->nnz;
}

START_TEST(test_dropout_rate_and_seeds)
{
    rec_dataset *ds = rec_test_groups_dataset(2000, 1000, 4, 25, 3);
    struct rec_graph *g = build(ds, REC_GRAPH_NONE, 0);
    ck_assert_uint_gt(g->nnz, 80000);
    for (int p10 = 1; p10 <= 5; p10 += 2) {
        rec_dropout d = {REC_DROPOUT_EDGE, (float)p10 / 10, 5};
        /* Binomial standard deviation below 0.002 here. */
        ck_assert_double_eq_tol(kept_share(g, 0, &d), 1 - d.p, 0.01);
        ck_assert_double_eq_tol(kept_share(g, 1, &d), 1 - d.p, 0.01);
    }
    /* NODE drops whole columns, so its share varies with the degrees of
     * the dropped nodes: a looser bound. */
    rec_dropout node = {REC_DROPOUT_NODE, 0.3f, 5};
    ck_assert_double_eq_tol(kept_share(g, 0, &node), 0.7, 0.05);
    ck_assert_double_eq_tol(kept_share(g, 1, &node), 0.7, 0.05);

    /* Other seeds, other masks; the same seed, the same mask. */
    size_t n = g->n_nodes, ld = 16;
    float *ones = filled_rows(n, ld, 1);
    float *a = filled_rows(n, ld, 0), *b = filled_rows(n, ld, 0);
    for (int mode = REC_DROPOUT_EDGE; mode <= REC_DROPOUT_NODE; mode++) {
        rec_dropout d1 = {(rec_dropout_mode)mode, 0.2f, 1}, d2 = d1;
        d2.seed = 2;
        rec_graph_spmm(g, 0, ones, a, ld, &d1, 1);
        rec_graph_spmm(g, 0, ones, b, ld, &d1, 2);
        ck_assert_int_eq(memcmp(a, b, n * ld * sizeof(float)), 0);
        rec_graph_spmm(g, 0, ones, b, ld, &d2, 1);
        size_t differ = 0;
        for (size_t r = 0; r < n; r++)
            differ += a[r * ld] != b[r * ld];
        ck_assert_uint_gt(differ, n / 4);
    }
    rec_free(ones);
    rec_free(a);
    rec_free(b);
    rec_graph_destroy(g);
    rec_dataset_free(ds);
}
END_TEST

/* ---- The public API ---- */

START_TEST(test_api_args)
{
    rec_dataset *ds = hand_dataset();
    rec_graph_options o;
    memset(&o, 0xff, sizeof o);
    ck_assert_rec(rec_graph_options_init(&o), REC_OK, NULL);
    rec_graph_options init = REC_GRAPH_OPTIONS_INIT;
    ck_assert_int_eq(memcmp(&o, &init, sizeof o), 0);
    ck_assert_uint_eq(o.version, REC_GRAPH_OPTIONS_VERSION);
    ck_assert_int_eq(o.norm, REC_GRAPH_SYMMETRIC);
    ck_assert_int_eq(o.self_loops, 0);
    ck_assert_rec(rec_graph_options_init(NULL), REC_EINVAL, "opts is NULL");

    rec_graph *g = SENTINEL;
    ck_assert_rec(rec_graph_new(NULL, ds, NULL), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_graph_new(&g, NULL, NULL), REC_EINVAL, "ds is NULL");
    ck_assert_ptr_null(g);
    o.version = 0;
    g = SENTINEL;
    ck_assert_rec(rec_graph_new(&g, ds, &o), REC_EINVAL, "opts->version");
    ck_assert_ptr_null(g);
    o.version = REC_GRAPH_OPTIONS_VERSION + 1;
    ck_assert_rec(rec_graph_new(&g, ds, &o), REC_EINVAL, "opts->version");
    o.version = REC_GRAPH_OPTIONS_VERSION;
    o.norm = (rec_graph_norm)3;
    ck_assert_rec(rec_graph_new(&g, ds, &o), REC_EINVAL, "opts->norm");
    o.norm = (rec_graph_norm)-1;
    ck_assert_rec(rec_graph_new(&g, ds, &o), REC_EINVAL, "opts->norm");
    ck_assert_ptr_null(g);

    /* NULL handles: zero counts, free accepts NULL. */
    ck_assert_uint_eq(rec_graph_n_nodes(NULL), 0);
    ck_assert_uint_eq(rec_graph_n_edges(NULL), 0);
    rec_graph_free(NULL);

    o.norm = REC_GRAPH_LEFT;
    o.self_loops = 1;
    ck_assert_rec(rec_graph_new(&g, ds, &o), REC_OK, NULL);
    ck_assert_uint_eq(rec_graph_n_nodes(g), 7);
    ck_assert_uint_eq(rec_graph_n_edges(g), 15);

    const uint32_t *nodes = SENTINEL;
    const float *w = SENTINEL;
    size_t n = 99;
    ck_assert_rec(rec_graph_neighbors(NULL, 0, &nodes, &w, &n), REC_EINVAL, "graph is NULL");
    ck_assert(nodes == NULL && w == NULL && n == 0);
    ck_assert_rec(rec_graph_neighbors(g, 0, NULL, &w, &n), REC_EINVAL, "nodes is NULL");
    ck_assert_rec(rec_graph_neighbors(g, 0, &nodes, NULL, &n), REC_EINVAL, "weights is NULL");
    ck_assert_rec(rec_graph_neighbors(g, 0, &nodes, &w, NULL), REC_EINVAL, "n is NULL");
    n = 99;
    ck_assert_rec(rec_graph_neighbors(g, 7, &nodes, &w, &n), REC_EINVAL, "node 7");
    ck_assert(nodes == NULL && w == NULL && n == 0);
    /* Item i1 (node 4): u0, u1 and itself, each 1 / 3 (LEFT, d = 3). */
    ck_assert_rec(rec_graph_neighbors(g, 4, &nodes, &w, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(nodes[0], 0);
    ck_assert_uint_eq(nodes[1], 1);
    ck_assert_uint_eq(nodes[2], 4);
    for (int k = 0; k < 3; k++)
        ck_assert_float_eq_tol(w[k], 1.0f / 3, 1e-7f);
    /* u2 (node 2): only its self-loop. */
    ck_assert_rec(rec_graph_neighbors(g, 2, &nodes, &w, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 1);
    ck_assert(nodes[0] == 2 && w[0] == 1.0f);

    float in[7 * 3] = {0}, out[7 * 3];
    ck_assert_rec(rec_graph_propagate(NULL, in, out, 3, 0, 1), REC_EINVAL, "graph is NULL");
    ck_assert_rec(rec_graph_propagate(g, NULL, out, 3, 0, 1), REC_EINVAL, "in is NULL");
    ck_assert_rec(rec_graph_propagate(g, in, NULL, 3, 0, 1), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_graph_propagate(g, in, out, 0, 0, 1), REC_EINVAL, "dim is 0");
    ck_assert_rec(rec_graph_propagate(g, in, out, 65537, 0, 1), REC_EINVAL, "dim is 65537");
    ck_assert_rec(rec_graph_propagate(g, in, in, 3, 0, 1), REC_EINVAL, "overlap");
    ck_assert_rec(rec_graph_propagate(g, in, in + 20, 3, 0, 1), REC_EINVAL, "overlap");
    ck_assert_rec(rec_graph_propagate(g, in + 20, in, 3, 0, 1), REC_EINVAL, "overlap");
    /* Adjacent arrays do not overlap. */
    ck_assert_rec(rec_graph_propagate(g, in, in + 7, 1, 0, 1), REC_OK, NULL);
    rec_graph_free(g);
    rec_dataset_free(ds);
}
END_TEST

/* rec_graph_propagate against the internal product, for dimensions with
 * and without padding, both orientations and several thread counts. */
START_TEST(test_api_propagate)
{
    rec_rng rng;
    rec_rng_seed(&rng, 12, 0, 0);
    rec_dataset *ds = random_dataset(40, 30, 7, 13);
    static const size_t dims[] = {1, 5, 16, 20, 64};
    for (int q = 0; q < 3; q++) {
        rec_graph_options o = REC_GRAPH_OPTIONS_INIT;
        o.norm = norms[q];
        o.self_loops = q == 2;
        rec_graph *g = NULL;
        ck_assert_rec(rec_graph_new(&g, ds, &o), REC_OK, NULL);
        size_t n = rec_graph_n_nodes(g);
        ck_assert_uint_eq(n, rec_dataset_n_users(ds) + rec_dataset_n_items(ds));
        ck_assert_uint_eq(rec_graph_n_edges(g),
                          2 * rec_dataset_n_interactions(ds) + (o.self_loops ? n : 0));
        for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
            size_t dim = dims[t], ld = rec_ld_for(dim);
            float *in = malloc(n * dim * sizeof *in), *out = malloc(n * dim * sizeof *out);
            ck_assert(in && out);
            for (size_t k = 0; k < n * dim; k++)
                in[k] = (float)(2 * rec_rng_uniform(&rng) - 1);
            float *pin = filled_rows(n, ld, 0), *pout = filled_rows(n, ld, 0);
            for (size_t r = 0; r < n; r++)
                memcpy(pin + r * ld, in + r * dim, dim * sizeof(float));
            for (int tr = 0; tr <= 1; tr++)
                for (unsigned threads = 0; threads <= 2; threads++) {
                    ck_assert_rec(rec_graph_propagate(g, in, out, dim, tr, threads), REC_OK,
                                  NULL);
                    rec_graph_spmm(g, tr, pin, pout, ld, NULL, 1);
                    for (size_t r = 0; r < n; r++)
                        ck_assert_int_eq(memcmp(out + r * dim, pout + r * ld,
                                                dim * sizeof(float)),
                                         0);
                }
            free(in);
            free(out);
            rec_free(pin);
            rec_free(pout);
        }
        rec_graph_free(g);
    }
    rec_dataset_free(ds);
}
END_TEST

/* Users without any interaction: no edges, a zero product; with
 * self-loops the identity. */
START_TEST(test_api_no_interactions)
{
    rec_dataset *ds = adj_text("lonely.txt", "a\nb\nc\n", NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 0);
    for (int loops = 0; loops <= 1; loops++) {
        rec_graph_options o = REC_GRAPH_OPTIONS_INIT;
        o.self_loops = loops;
        rec_graph *g = NULL;
        ck_assert_rec(rec_graph_new(&g, ds, &o), REC_OK, NULL);
        ck_assert_uint_eq(rec_graph_n_nodes(g), 3);
        ck_assert_uint_eq(rec_graph_n_edges(g), loops ? 3 : 0);
        float in[6] = {1, 2, 3, 4, 5, 6}, out[6];
        ck_assert_rec(rec_graph_propagate(g, in, out, 2, 1, 0), REC_OK, NULL);
        for (int k = 0; k < 6; k++)
            ck_assert(out[k] == (loops ? in[k] : 0.0f));
        const uint32_t *nodes;
        const float *w;
        size_t n;
        ck_assert_rec(rec_graph_neighbors(g, 1, &nodes, &w, &n), REC_OK, NULL);
        ck_assert_uint_eq(n, (size_t)loops);
        rec_graph_free(g);
    }
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_alloc_failures)
{
    rec_dataset *ds = random_dataset(30, 20, 5, 14);
    for (int q = 0; q < 3; q++) {
        rec_graph_options o = REC_GRAPH_OPTIONS_INIT;
        o.norm = norms[q];
        for (long n = 1;; n++) {
            ck_assert_msg(n < 1000, "no success after %ld allocations", n);
            rec_graph *g = SENTINEL;
            rec_alloc_fail_after(n);
            int rc = rec_graph_new(&g, ds, &o);
            rec_alloc_fail_after(0);
            if (rc == REC_OK) {
                ck_assert_int_gt(n, 1);
                /* and the padded copies of rec_graph_propagate */
                size_t nn = rec_graph_n_nodes(g);
                float *in = calloc(nn * 3, sizeof *in), *out = calloc(nn * 3, sizeof *out);
                ck_assert(in && out);
                for (long m = 1;; m++) {
                    ck_assert_msg(m < 100, "no success after %ld allocations", m);
                    rec_alloc_fail_after(m);
                    int rc2 = rec_graph_propagate(g, in, out, 3, 0, 1);
                    rec_alloc_fail_after(0);
                    if (rc2 == REC_OK)
                        break;
                    ck_assert_rec(rc2, REC_ENOMEM, "out of memory");
                }
                free(in);
                free(out);
                rec_graph_free(g);
                break;
            }
            ck_assert_rec(rc, REC_ENOMEM, "out of memory");
            ck_assert_ptr_null(g);
        }
    }
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, test_hand_graph);
    tcase_add_test(tc, test_structure);
    tcase_add_test(tc, test_locality_order);
    tcase_add_test(tc, test_spmm_dense);
    tcase_add_test(tc, test_spmm_rows_and_scatter);
    tcase_add_test(tc, test_dropout_zero_is_plain);
    tcase_add_test(tc, test_dropout_adjoint);
    tcase_add_test(tc, test_dropout_rate_and_seeds);
    tcase_add_test(tc, test_api_args);
    tcase_add_test(tc, test_api_propagate);
    tcase_add_test(tc, test_api_no_interactions);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
