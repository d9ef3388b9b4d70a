/* Graph propagation on a real interaction graph (Gowalla by default): the
 * build of the symmetric normalised adjacency, then the products a graph
 * model's training step runs, at dimension 64.
 *
 *   bench_graph [DATA_DIR]
 *
 * DATA_DIR holds train.txt in the adjacency-list format (default
 * ../shared/data/gowalla). Each product time is the median of 20 runs;
 * "gathered" is the bytes of input rows the product reads (one row per
 * matrix entry) divided by that time. Prints figures only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "graph/graph.h"
#include "kernels/kernels.h"

#define LD 64
#define RUNS 20
#define N_ROWS 6144

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "bench_graph: out of memory\n");
        exit(1);
    }
    return p;
}

/* What one timed call does. */
typedef struct job {
    const struct rec_graph *g;
    const float *in;
    float *out;
    const rec_dropout *drop;
    unsigned threads;
    const uint32_t *rows;   /* NULL: the full product */
    int scatter;
} job;

static void run(const job *j)
{
    if (j->scatter)
        rec_graph_scatter_rows(j->g, 0, j->rows, N_ROWS, j->in, j->out, LD, j->drop,
                               j->threads);
    else if (j->rows)
        rec_graph_spmm_rows(j->g, 0, j->rows, N_ROWS, j->in, j->out, LD, j->drop,
                            j->threads);
    else
        rec_graph_spmm(j->g, 0, j->in, j->out, LD, j->drop, j->threads);
}

/* Median seconds of RUNS calls, after one warm-up call. */
static double median_time(const job *j)
{
    double t[RUNS];
    run(j);
    for (int k = 0; k < RUNS; k++) {
        double t0 = bench_now();
        run(j);
        t[k] = bench_now() - t0;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    return (t[RUNS / 2 - 1] + t[RUNS / 2]) / 2;
}

static void report(const char *what, const job *j, size_t entries)
{
    double s = median_time(j);
    double gathered = (double)entries * LD * sizeof(float);
    printf("%-44s %8.3f ms   gathered %6.1f GB/s\n", what, s * 1e3, gathered / s / 1e9);
}

/* The arrays of a graph (those of M^T only where they are its own). */
static size_t graph_bytes(const struct rec_graph *g)
{
    size_t b = sizeof *g + (g->n_nodes + 1) * sizeof(size_t) +
               g->nnz * (sizeof(uint32_t) + sizeof(float)) +
               g->n_nodes * sizeof(uint32_t) + (g->n_blocks + 1) * sizeof(uint32_t);
    if (g->tval != g->val)
        b += g->nnz * sizeof(float);
    if (g->rank)
        b += 2 * g->n_nodes * sizeof(uint32_t);
    return b;
}

/* N_ROWS distinct random nodes, sorted (a partial Fisher-Yates shuffle). */
static uint32_t *random_rows(size_t n_nodes, rec_rng *r)
{
    uint32_t *all = must(rec_malloc_array(n_nodes, sizeof *all));
    for (size_t k = 0; k < n_nodes; k++)
        all[k] = (uint32_t)k;
    for (size_t k = 0; k < N_ROWS; k++) {
        size_t p = k + rec_rng_below(r, (uint32_t)(n_nodes - k));
        uint32_t t = all[k];
        all[k] = all[p];
        all[p] = t;
    }
    for (size_t k = 1; k < N_ROWS; k++) /* insertion sort of a few thousand */
        for (size_t q = k; q > 0 && all[q - 1] > all[q]; q--) {
            uint32_t t = all[q];
            all[q] = all[q - 1];
            all[q - 1] = t;
        }
    return all;
}

/* Builds a graph and prints how long that took and its size. */
static struct rec_graph *timed_build(const rec_dataset *ds, rec_graph_norm norm, int loops,
                                     int local, const char *what)
{
    struct rec_graph *g = NULL;
    double t0 = bench_now();
    check(local ? rec_graph_build_local(&g, ds, norm, loops)
                : rec_graph_build(&g, ds, norm, loops),
          "building the graph");
    double t = bench_now() - t0;
    printf("build (%s): %.1f ms, %.1f MB\n", what, t * 1e3, (double)graph_bytes(g) / 1e6);
    return g;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/gowalla";
    char path[1024];
    snprintf(path, sizeof path, "%s/train.txt", dir);
    bench_print_machine();
    printf("librec %s, data %s, kernels %s, dimension %d\n", rec_version_string(), dir,
           rec_kernels_get()->name, LD);

    rec_dataset *ds = NULL;
    check(rec_dataset_load_adjlist(&ds, path, NULL, NULL), "loading");

    struct rec_graph *g =
        timed_build(ds, REC_GRAPH_SYMMETRIC, 0, 0, "symmetric, no self-loops");
    printf("graph: %zu users + %zu items = %zu nodes, %zu entries, %zu row blocks\n",
           g->n_users, g->n_items, g->n_nodes, g->nnz, g->n_blocks);
    rec_graph_destroy(timed_build(ds, REC_GRAPH_LEFT, 1, 0, "left, self-loops"));
    struct rec_graph *local =
        timed_build(ds, REC_GRAPH_SYMMETRIC, 0, 1, "symmetric, locality order");

    rec_rng r;
    rec_rng_seed(&r, 1, 0, 0);
    float *in = must(rec_aligned_alloc(g->n_nodes * LD, sizeof(float)));
    float *out = must(rec_aligned_alloc(g->n_nodes * LD, sizeof(float)));
    for (size_t k = 0; k < g->n_nodes * LD; k++)
        in[k] = (float)(0.1 * rec_rng_normal(&r));
    memset(out, 0, g->n_nodes * LD * sizeof(float));
    uint32_t *rows = random_rows(g->n_nodes, &r);
    size_t row_entries = 0;
    for (size_t k = 0; k < N_ROWS; k++)
        row_entries += g->ptr[rows[k] + 1] - g->ptr[rows[k]];
    rec_dropout edge = { REC_DROPOUT_EDGE, 0.1f, 12345 };

    printf("median of %d runs:\n", RUNS);
    for (unsigned t = 1; t <= 2; t++) {
        char what[64];
        snprintf(what, sizeof what, "spmm, %u thread%s", t, t > 1 ? "s" : "");
        report(what, &(job){ g, in, out, NULL, t, NULL, 0 }, g->nnz);
        snprintf(what, sizeof what, "spmm, edge dropout 0.1, %u thread%s", t,
                 t > 1 ? "s" : "");
        report(what, &(job){ g, in, out, &edge, t, NULL, 0 }, g->nnz * 9 / 10);
        snprintf(what, sizeof what, "spmm_rows, %d rows, %u thread%s", N_ROWS, t,
                 t > 1 ? "s" : "");
        report(what, &(job){ g, in, out, NULL, t, rows, 0 }, row_entries);
        snprintf(what, sizeof what, "scatter_rows, %d rows, %u thread%s", N_ROWS, t,
                 t > 1 ? "s" : "");
        report(what, &(job){ g, in, out, NULL, t, rows, 1 }, row_entries);
        snprintf(what, sizeof what, "spmm, locality order, %u thread%s", t,
                 t > 1 ? "s" : "");
        report(what, &(job){ local, in, out, NULL, t, NULL, 0 }, local->nnz);
    }

    rec_free(rows);
    rec_free(in);
    rec_free(out);
    rec_graph_destroy(g);
    rec_graph_destroy(local);
    rec_dataset_free(ds);
    return 0;
}
