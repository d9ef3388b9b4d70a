/* Public entry points for interaction graphs: argument and option checks,
 * then dispatch to lib/graph. Messages name the function and the argument. */
#include <stdint.h>
#include <string.h>

#include "librec/librec.h"

#include "api/api_util.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/layout.h"
#include "core/threads.h"
#include "graph/graph.h"

#define BAD(...) rec_error(REC_EINVAL, __VA_ARGS__)

int rec_graph_options_init(rec_graph_options *opts)
{
    if (!opts)
        return BAD("rec_graph_options_init: opts is NULL");
    rec_graph_options d = REC_GRAPH_OPTIONS_INIT;
    *opts = d;
    return REC_OK;
}

int rec_graph_new(rec_graph **out, const rec_dataset *ds, const rec_graph_options *opts)
{
    static const char fn[] = "rec_graph_new";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, ds);
    rec_graph_options o = REC_GRAPH_OPTIONS_INIT;
    if (opts) {
        int rc = rec_check_version(fn, "opts", opts->version, REC_GRAPH_OPTIONS_VERSION);
        if (rc)
            return rc;
        /* Version 1 is the whole struct today; a later version copies only
         * the fields the caller's version has. */
        o = *opts;
        o.version = REC_GRAPH_OPTIONS_VERSION;
    }
    if ((int)o.norm < REC_GRAPH_SYMMETRIC || (int)o.norm > REC_GRAPH_NONE)
        return BAD("%s: opts->norm is %d, not a rec_graph_norm value", fn, (int)o.norm);
    return rec_graph_build(out, ds, o.norm, o.self_loops != 0);
}

void rec_graph_free(rec_graph *graph)
{
    rec_graph_destroy(graph);
}

size_t rec_graph_n_nodes(const rec_graph *graph)
{
    return graph ? graph->n_nodes : 0;
}

size_t rec_graph_n_edges(const rec_graph *graph)
{
    return graph ? graph->nnz : 0;
}

int rec_graph_neighbors(const rec_graph *graph, uint32_t node, const uint32_t **nodes,
                        const float **weights, size_t *n)
{
    static const char fn[] = "rec_graph_neighbors";
    if (nodes)
        *nodes = NULL;
    if (weights)
        *weights = NULL;
    if (n)
        *n = 0;
    REC_CHECK_NULL(fn, graph);
    REC_CHECK_NULL(fn, nodes);
    REC_CHECK_NULL(fn, weights);
    REC_CHECK_NULL(fn, n);
    if (node >= graph->n_nodes)
        return BAD("%s: node %u is out of range (%zu nodes)", fn, (unsigned)node,
                   graph->n_nodes);
    size_t a = graph->ptr[node];
    *nodes = graph->col + a;
    *weights = graph->val + a;
    *n = graph->ptr[node + 1] - a;
    return REC_OK;
}

/* Copies n rows of dim floats between stride src_ld and stride dst_ld,
 * zeroing the padding of the destination when it is the wider one. */
static void copy_rows(float *dst, size_t dst_ld, const float *src, size_t src_ld,
                      size_t n, size_t dim)
{
    for (size_t r = 0; r < n; r++) {
        memcpy(dst + r * dst_ld, src + r * src_ld, dim * sizeof(float));
        if (dst_ld > dim)
            memset(dst + r * dst_ld + dim, 0, (dst_ld - dim) * sizeof(float));
    }
}

int rec_graph_propagate(const rec_graph *graph, const float *in, float *out, size_t dim,
                        int transpose, unsigned threads)
{
    static const char fn[] = "rec_graph_propagate";
    REC_CHECK_NULL(fn, graph);
    REC_CHECK_NULL(fn, in);
    REC_CHECK_NULL(fn, out);
    if (dim == 0 || dim > REC_DIM_MAX)
        return BAD("%s: dim is %zu; it must be in 1..%d", fn, dim, REC_DIM_MAX);
    size_t n = graph->n_nodes;
    /* n < 2^32 and dim <= 2^16: no overflow. */
    uintptr_t a = (uintptr_t)in, b = (uintptr_t)out, bytes = n * dim * sizeof(float);
    if (bytes > 0 && a < b + bytes && b < a + bytes)
        return BAD("%s: in and out overlap", fn);
    if (n == 0)
        return REC_OK;
    unsigned t = rec_threads_resolve(threads);
    size_t ld = rec_ld_for(dim);
    /* A dimension that is a multiple of 16 needs no padding: the caller's
     * arrays already have the row layout, apart from the alignment, which
     * the kernels do not need (their loads are the unaligned form). */
    if (ld == dim) {
        rec_graph_spmm(graph, transpose != 0, in, out, ld, NULL, t);
        return REC_OK;
    }
    float *pin = rec_aligned_alloc(n * ld, sizeof(float));
    float *pout = rec_aligned_alloc(n * ld, sizeof(float));
    if (!pin || !pout) {
        rec_free(pin);
        rec_free(pout);
        return rec_error_nomem();
    }
    copy_rows(pin, ld, in, dim, n, dim);
    rec_graph_spmm(graph, transpose != 0, pin, pout, ld, NULL, t);
    copy_rows(out, dim, pout, ld, n, dim);
    rec_free(pin);
    rec_free(pout);
    return REC_OK;
}
