/* KGAT's recommendation phase: attentive propagation and its gradient.
 *
 * With A the attention-weighted adjacency (rows sum to 1) and X_0 = E:
 *
 *   S_l = A X_{l-1}
 *   bi:        Y_l = lrelu((X + S) W1 + b1) + lrelu((X o S) W2 + b2)
 *   gcn:       Y_l = lrelu((X + S) W1 + b1)
 *   graphsage: Y_l = lrelu([X | S] W1 + b1)
 *   X_l = dropout(Y_l),  N_l = X_l / |X_l|
 *
 * (X = X_{l-1}, S = S_l). The final embedding is [X_0 | N_1 | ... | N_L]
 * and scores are inner products of final embeddings. A is a constant here:
 * the reference recomputes it from TransR's parameters between epochs and
 * does not differentiate through it (kgat_kge.c).
 *
 * Every layer is computed on every node (the graphs KGAT is used on are
 * small), in chunks of rows spread over the threads; weight gradients are
 * summed per chunk, then over chunks in order, so results do not depend on
 * the thread count. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "kernels/gemm.h"
#include "model/kgat.h"
#include "model/row_norm.h"


static size_t n_chunks(size_t n)
{
    return (n + KGAT_ROW_CHUNK - 1) / KGAT_ROW_CHUNK;
}

/* Message dropout: element (layer l, node, column c) is kept iff 16 bits of
 * a hash of (step seed, l, node, c / 4) reach the threshold, so the forward
 * and backward passes of a step agree without storing a mask. */
static void drop_factors(const kgat *s, unsigned l, uint32_t node, size_t d, float *f)
{
    if (!(s->mess_p > 0.0f) || s->drop_seed == 0) {
        for (size_t c = 0; c < d; c++)
            f[c] = 1.0f;
        return;
    }
    uint32_t threshold = (uint32_t)((double)s->mess_p * 65536.0);
    float keep = 1.0f / (1.0f - s->mess_p);
    uint64_t base = s->drop_seed ^ ((uint64_t)l << 56) ^ ((uint64_t)node << 24);
    for (size_t c = 0; c < d; c += 4) {
        uint64_t h = rec_mix64(base ^ (c >> 2));
        for (size_t q = 0; q < 4 && c + q < d; q++)
            f[c + q] = ((h >> (16 * q)) & 0xffff) >= threshold ? keep : 0.0f;
    }
}

/* The inputs of the layer's products for rows [a, b): P1 (x + s, or
 * [x | s] for graphsage, in rows of pld) and, for bi, P2 = x o s. */
static void layer_inputs(const kgat_layer *l, kgat_aggregator agg, const float *X,
                         const float *S, size_t a, size_t b, float *P1, float *P2, size_t pld)
{
    size_t d = l->din, ld = l->ld_in;
    for (size_t r = a; r < b; r++) {
        const float *x = X + r * ld, *s = S + r * ld;
        float *p1 = P1 + (r - a) * pld;
        memset(p1, 0, pld * sizeof(float));
        if (agg == KGAT_SAGE) {
            memcpy(p1, x, d * sizeof(float));
            memcpy(p1 + d, s, d * sizeof(float));
        } else {
            for (size_t c = 0; c < d; c++)
                p1[c] = x[c] + s[c];
        }
        if (agg == KGAT_BI) {
            float *p2 = P2 + (r - a) * ld;
            memset(p2, 0, ld * sizeof(float));
            for (size_t c = 0; c < d; c++)
                p2[c] = x[c] * s[c];
        }
    }
}

static size_t p1_cols(const kgat_layer *l, kgat_aggregator agg)
{
    return agg == KGAT_SAGE ? 2 * l->din : l->din;
}

void kgat_layer_row(const kgat_layer *l, kgat_aggregator agg, const float *x, const float *s,
                    float *out)
{
    size_t din = l->din;
    for (size_t c = 0; c < l->dout; c++) {
        double z1 = l->b1.w[c], z2 = agg == KGAT_BI ? l->b2.w[c] : 0.0;
        for (size_t q = 0; q < din; q++) {
            if (agg == KGAT_SAGE) {
                z1 += (double)x[q] * l->W1.w[q * l->W1.ld + c] +
                      (double)s[q] * l->W1.w[(din + q) * l->W1.ld + c];
            } else {
                z1 += ((double)x[q] + s[q]) * l->W1.w[q * l->W1.ld + c];
            }
            if (agg == KGAT_BI)
                z2 += (double)x[q] * s[q] * l->W2.w[q * l->W2.ld + c];
        }
        out[c] = kgat_lrelu((float)z1) + (agg == KGAT_BI ? kgat_lrelu((float)z2) : 0.0f);
    }
}

/* ---- Forward ---- */

typedef struct pass {
    kgat *s;
    unsigned l;
    const float *X;     /* the layer's input, rows of ld_in */
    int dropout;
} pass;

/* Rows [a, b) of chunk t. */
static void chunk_rows(const kgat *s, size_t t, size_t *a, size_t *b)
{
    *a = t * KGAT_ROW_CHUNK;
    *b = *a + KGAT_ROW_CHUNK < s->n_nodes ? *a + KGAT_ROW_CHUNK : s->n_nodes;
}

static float *worker_scratch(const kgat *s, unsigned w)
{
    size_t pld = rec_ld_for(2 * s->wld);
    return s->scratch + (size_t)w * 4 * KGAT_ROW_CHUNK * pld;
}

static void forward_chunk(void *p, size_t t, unsigned w)
{
    pass *ps = p;
    kgat *s = ps->s;
    kgat_layer *l = &s->lay[ps->l];
    size_t a, b;
    chunk_rows(s, t, &a, &b);
    size_t n = b - a, pld = rec_ld_for(2 * s->wld), lo = l->ld_out;
    float *P1 = worker_scratch(s, w), *P2 = P1 + KGAT_ROW_CHUNK * pld;
    layer_inputs(l, s->agg, ps->X, l->S, a, b, P1, P2, pld);
    rec_gemm(0, 0, n, l->dout, p1_cols(l, s->agg), 1.0f, P1, pld, l->W1.w, l->W1.ld, 0.0f,
             l->Z1 + a * lo, lo);
    if (s->agg == KGAT_BI)
        rec_gemm(0, 0, n, l->dout, l->din, 1.0f, P2, l->ld_in, l->W2.w, l->W2.ld, 0.0f,
                 l->Z2 + a * lo, lo);
    float factor[KGAT_DIM_MAX];
    for (size_t r = a; r < b; r++) {
        float *z1 = l->Z1 + r * lo, *z2 = l->Z2 + r * lo, *x = l->X + r * lo;
        drop_factors(s, ps->l, (uint32_t)r, l->dout, factor);
        for (size_t c = 0; c < l->dout; c++) {
            z1[c] += l->b1.w[c];
            float y = kgat_lrelu(z1[c]);
            if (s->agg == KGAT_BI) {
                z2[c] += l->b2.w[c];
                y += kgat_lrelu(z2[c]);
            }
            x[c] = ps->dropout ? y * factor[c] : y;
        }
    }
}

static void layers_forward(kgat *s, float *const *X, int dropout)
{
    for (unsigned l = 1; l <= s->L; l++) {
        kgat_layer *ly = &s->lay[l];
        rec_graph_spmm(s->g->op, 0, X[l - 1], ly->S, ly->ld_in, NULL, s->threads);
        float *keep = ly->X;
        ly->X = X[l];
        pass ps = { s, l, X[l - 1], dropout };
        rec_parallel_for(s->threads, n_chunks(s->n_nodes), forward_chunk, &ps);
        ly->X = keep;
    }
}

void kgat_final_row(const kgat *s, float *const *X, size_t v, float *f)
{
    memset(f, 0, s->fld * sizeof(float));
    memcpy(f, X[0] + v * s->ld, s->dim * sizeof(float));
    size_t off = s->dim;
    for (unsigned l = 1; l <= s->L; l++) {
        const kgat_layer *ly = &s->lay[l];
        rec_row_normalise(X[l] + v * ly->ld_out, f + off, ly->dout, NULL);
        off += ly->dout;
    }
}

/* The layers' outputs of the training state, as an array for
 * kgat_final_row. */
static void layer_outputs(kgat *s, float **X)
{
    X[0] = s->E.w;
    for (unsigned l = 1; l <= s->L; l++)
        X[l] = s->lay[l].X;
}

void kgat_forward(kgat *s)
{
    float *X[KGAT_MAX_LAYERS + 1];
    layer_outputs(s, X);
    layers_forward(s, X, 1);
    for (size_t r = 0; r < s->n_rows; r++)
        kgat_final_row(s, X, s->rows[r], s->F + r * s->fld);
}

double kgat_loss(kgat *s, size_t m)
{
    memset(s->GF, 0, s->n_rows * s->fld * sizeof(float));
    return rec_graph_batch_loss(&s->b, m, s->F, s->GF, s->fld, s->slot, s->reg);
}

int kgat_propagate_all(kgat *s, float **X)
{
    X[0] = s->E.w;
    for (unsigned l = 1; l <= s->L; l++) {
        size_t size = s->n_nodes * s->lay[l].ld_out;
        X[l] = rec_aligned_alloc(size ? size : 1, sizeof(float));
        if (!X[l]) {
            for (unsigned q = 1; q < l; q++)
                rec_free(X[q]);
            return rec_error_nomem();
        }
        memset(X[l], 0, size * sizeof(float));
    }
    layers_forward(s, X, 0);
    return REC_OK;
}

/* ---- Backward ---- */

typedef struct back {
    kgat *s;
    unsigned l;
    const float *X;      /* the layer's input */
    const float *dX;     /* gradient of the layer's output */
} back;

/* One chunk: dZ (in place of Z), the chunk's weight-gradient partials, and
 * its rows of dXp (gradient of the input, direct terms) and dS. */
static void backward_chunk(void *p, size_t t, unsigned w)
{
    back *bk = p;
    kgat *s = bk->s;
    kgat_layer *l = &s->lay[bk->l];
    size_t a, b;
    chunk_rows(s, t, &a, &b);
    size_t n = b - a, pld = rec_ld_for(2 * s->wld), lo = l->ld_out, li = l->ld_in;
    size_t din = l->din, dout = l->dout, c1 = p1_cols(l, s->agg);
    float *P1 = worker_scratch(s, w), *P2 = P1 + KGAT_ROW_CHUNK * pld;
    float *Q1 = P2 + KGAT_ROW_CHUNK * pld, *Q2 = Q1 + KGAT_ROW_CHUNK * pld;
    float factor[KGAT_DIM_MAX];
    for (size_t r = a; r < b; r++) {
        float *z1 = l->Z1 + r * lo, *z2 = l->Z2 + r * lo;
        const float *dx = bk->dX + r * lo;
        drop_factors(s, bk->l, (uint32_t)r, dout, factor);
        for (size_t c = 0; c < dout; c++) {
            float dy = dx[c] * factor[c];
            z1[c] = z1[c] > 0.0f ? dy : KGAT_SLOPE * dy;
            if (s->agg == KGAT_BI)
                z2[c] = z2[c] > 0.0f ? dy : KGAT_SLOPE * dy;
        }
    }
    layer_inputs(l, s->agg, bk->X, l->S, a, b, P1, P2, pld);
    float *part = s->partial + t * s->partial_floats;
    float *gW1 = part, *gb1 = gW1 + c1 * lo, *gW2 = gb1 + lo, *gb2 = gW2 + din * lo;
    rec_gemm(1, 0, c1, dout, n, 1.0f, P1, pld, l->Z1 + a * lo, lo, 0.0f, gW1, lo);
    memset(gb1, 0, lo * sizeof(float));
    for (size_t r = a; r < b; r++)
        for (size_t c = 0; c < dout; c++)
            gb1[c] += l->Z1[r * lo + c];
    rec_gemm(0, 1, n, c1, dout, 1.0f, l->Z1 + a * lo, lo, l->W1.w, l->W1.ld, 0.0f, Q1, pld);
    if (s->agg == KGAT_BI) {
        rec_gemm(1, 0, din, dout, n, 1.0f, P2, li, l->Z2 + a * lo, lo, 0.0f, gW2, lo);
        memset(gb2, 0, lo * sizeof(float));
        for (size_t r = a; r < b; r++)
            for (size_t c = 0; c < dout; c++)
                gb2[c] += l->Z2[r * lo + c];
        rec_gemm(0, 1, n, din, dout, 1.0f, l->Z2 + a * lo, lo, l->W2.w, l->W2.ld, 0.0f, Q2,
                 pld);
    }
    for (size_t r = a; r < b; r++) {
        const float *q1 = Q1 + (r - a) * pld, *q2 = Q2 + (r - a) * pld;
        const float *x = bk->X + r * li, *sv = l->S + r * li;
        float *dxp = s->dXp + r * li, *ds = s->dS + r * li;
        for (size_t c = 0; c < din; c++) {
            float gx, gs;
            if (s->agg == KGAT_SAGE) {
                gx = q1[c];
                gs = q1[din + c];
            } else {
                gx = gs = q1[c];
                if (s->agg == KGAT_BI) {
                    gx += q2[c] * sv[c];
                    gs += q2[c] * x[c];
                }
            }
            dxp[c] = gx;
            ds[c] = gs;
        }
        /* The buffers serve layers of several widths: keep padding zero. */
        memset(dxp + din, 0, (li - din) * sizeof(float));
        memset(ds + din, 0, (li - din) * sizeof(float));
    }
}

/* The weight gradients: the chunks' partials, summed in chunk order. */
static void sum_partials(kgat *s, kgat_layer *l)
{
    size_t lo = l->ld_out, c1 = p1_cols(l, s->agg), nc = n_chunks(s->n_nodes);
    size_t nW1 = c1 * lo, nW2 = l->din * lo;
    memset(l->W1.g, 0, nW1 * sizeof(float));
    memset(l->b1.g, 0, lo * sizeof(float));
    if (s->agg == KGAT_BI) {
        memset(l->W2.g, 0, nW2 * sizeof(float));
        memset(l->b2.g, 0, lo * sizeof(float));
    }
    for (size_t t = 0; t < nc; t++) {
        const float *part = s->partial + t * s->partial_floats;
        for (size_t q = 0; q < nW1; q++)
            l->W1.g[q] += part[q];
        for (size_t q = 0; q < lo; q++)
            l->b1.g[q] += part[nW1 + q];
        if (s->agg == KGAT_BI) {
            for (size_t q = 0; q < nW2; q++)
                l->W2.g[q] += part[nW1 + lo + q];
            for (size_t q = 0; q < lo; q++)
                l->b2.g[q] += part[nW1 + lo + nW2 + q];
        }
    }
}

/* Adds the batch's gradient on block `l` of the final embedding (layer l's
 * normalised output, or X_0 itself for l = 0) to dX (rows of ld). */
static void add_final_gradient(kgat *s, unsigned l, const float *Xl, float *dX, size_t ld)
{
    size_t off = 0, d = s->dim;
    for (unsigned q = 1; q <= l; q++) {
        off += q == 1 ? s->dim : s->lay[q - 1].dout;
        d = s->lay[q].dout;
    }
    for (size_t r = 0; r < s->n_rows; r++) {
        size_t v = s->rows[r];
        const float *g = s->GF + r * s->fld + off;
        if (l == 0) {
            for (size_t c = 0; c < d; c++)
                dX[v * ld + c] += g[c];
        } else {
            rec_row_normalise_backward(Xl + v * ld, g, dX + v * ld, d);
        }
    }
}

int kgat_backward(kgat *s)
{
    size_t n = s->n_nodes;
    unsigned L = s->L;
    memset(s->dX, 0, n * s->lay[L].ld_out * sizeof(float));
    add_final_gradient(s, L, s->lay[L].X, s->dX, s->lay[L].ld_out);
    for (unsigned l = L; l >= 1; l--) {
        kgat_layer *ly = &s->lay[l];
        const float *Xin = l == 1 ? s->E.w : s->lay[l - 1].X;
        back bk = { s, l, Xin, s->dX };
        rec_parallel_for(s->threads, n_chunks(n), backward_chunk, &bk);
        sum_partials(s, ly);
        /* dX_{l-1} = direct terms + A^T dS: the product goes to dX, whose
         * layer-l gradient is spent. */
        rec_graph_spmm(s->g->op, 1, s->dS, s->dX, ly->ld_in, NULL, s->threads);
        size_t li = ly->ld_in;
        for (size_t q = 0; q < n * li; q++)
            s->dX[q] += s->dXp[q];
        add_final_gradient(s, l - 1, Xin, s->dX, li);
    }
    memcpy(s->E.g, s->dX, n * s->ld * sizeof(float));
    return REC_OK;
}
