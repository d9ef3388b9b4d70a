/* KGAT's knowledge phase: TransR on the collaborative knowledge graph, and
 * the attention weights computed from TransR's parameters.
 *
 * TransR (as KGAT's reference code): with the projection W_r of relation r
 * (dim x kdim) and its embedding e_r,
 *
 *   g(h, r, t) = |e_h W_r + e_r - e_t W_r|^2
 *   loss       = mean softplus(g(h, r, t) - g(h, r, t'))
 *                + reg_kg/2 mean(|e_h W_r|^2 + |e_r|^2 + |e_t W_r|^2 + |e_t' W_r|^2)
 *
 * over triples drawn as the reference draws them (a head with edges
 * uniformly, then one of its edges) with a corrupted tail t'.
 *
 * Attention: pi(h, r, t) = (e_t W_r) . tanh(e_h W_r + e_r), normalised by a
 * softmax over the edges leaving h. As in the reference, it is recomputed
 * between epochs and is a constant to the recommendation loss. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "kernels/gemm.h"
#include "model/kgat.h"

#define KGE_CHUNK 64          /* triples per task */
#define NEGATIVE_TRIES 8      /* corrupted tails drawn before one is kept */

static inline const float *relation_block(const kgat *s, uint32_t r)
{
    return s->W.w + (size_t)r * s->dim * s->kld;
}

void kgat_project(const kgat *s, const float *x, uint32_t r, float *out)
{
    const float *W = relation_block(s, r);
    memset(out, 0, s->kld * sizeof(float));
    for (size_t q = 0; q < s->dim; q++)
        s->k->axpy(x[q], W + q * s->kld, out, s->kld);
}

void kgat_plain_weights(kgat *s)
{
    const rec_ckg *g = s->g;
    for (size_t v = 0; v < g->n_nodes; v++) {
        size_t deg = g->ptr[v + 1] - g->ptr[v];
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++)
            g->op->val[e] = (float)(1.0 / (double)deg);
    }
    rec_ckg_transpose_values(s->g);
}

double kgat_attention_logit(const kgat *s, uint32_t h, uint32_t r, uint32_t t)
{
    float ph[KGAT_DIM_MAX], pt[KGAT_DIM_MAX];
    kgat_project(s, s->E.w + (size_t)h * s->ld, r, ph);
    kgat_project(s, s->E.w + (size_t)t * s->ld, r, pt);
    const float *er = s->R.w + (size_t)r * s->kld;
    double z = 0.0;
    for (size_t c = 0; c < s->kdim; c++)
        z += (double)pt[c] * tanh((double)ph[c] + er[c]);
    return z;
}

/* ---- Attention ---- */

typedef struct att_job {
    kgat *s;
    uint32_t r;
    size_t n_nodes;       /* nodes of relation r, rows of proj */
    const size_t *edges;  /* relation r's edges */
    size_t n_edges;
} att_job;

static void project_chunk(void *p, size_t t, unsigned w)
{
    (void)w;
    att_job *j = p;
    kgat *s = j->s;
    size_t a = t * KGAT_ROW_CHUNK, b = a + KGAT_ROW_CHUNK < j->n_nodes ? a + KGAT_ROW_CHUNK
                                                                     : j->n_nodes;
    for (size_t q = a; q < b; q++)
        kgat_project(s, s->E.w + (size_t)s->proj_nodes[q] * s->ld, j->r, s->proj + q * s->kld);
}

static void logit_chunk(void *p, size_t t, unsigned w)
{
    (void)w;
    att_job *j = p;
    kgat *s = j->s;
    const rec_ckg *g = s->g;
    const float *er = s->R.w + (size_t)j->r * s->kld;
    size_t a = t * 1024, b = a + 1024 < j->n_edges ? a + 1024 : j->n_edges;
    for (size_t q = a; q < b; q++) {
        size_t e = j->edges[q];
        /* The head of edge e: its row, found from the mirror's column. */
        uint32_t h = g->col[g->mirror[e]], tl = g->col[e];
        const float *ph = s->proj + (size_t)s->proj_row[h] * s->kld;
        const float *pt = s->proj + (size_t)s->proj_row[tl] * s->kld;
        float z = 0.0f;
        for (size_t c = 0; c < s->kdim; c++)
            z += pt[c] * tanhf(ph[c] + er[c]);
        g->op->val[e] = z;
    }
}

typedef struct softmax_job {
    kgat *s;
} softmax_job;

static void softmax_chunk(void *p, size_t t, unsigned w)
{
    (void)w;
    kgat *s = ((softmax_job *)p)->s;
    const rec_ckg *g = s->g;
    size_t a = t * KGAT_ROW_CHUNK, b = a + KGAT_ROW_CHUNK < g->n_nodes ? a + KGAT_ROW_CHUNK
                                                                       : g->n_nodes;
    float *val = g->op->val;
    for (size_t v = a; v < b; v++) {
        size_t lo = g->ptr[v], hi = g->ptr[v + 1];
        if (lo == hi)
            continue;
        float mx = val[lo];
        for (size_t e = lo + 1; e < hi; e++)
            mx = val[e] > mx ? val[e] : mx;
        double sum = 0.0;
        for (size_t e = lo; e < hi; e++)
            sum += exp((double)val[e] - mx);
        for (size_t e = lo; e < hi; e++)
            val[e] = (float)(exp((double)val[e] - mx) / sum);
    }
}

void kgat_attention(kgat *s)
{
    rec_ckg *g = s->g;
    for (uint32_t r = 0; r < g->n_relations; r++) {
        const size_t *edges = s->rel_edge + s->rel_ptr[r];
        size_t ne = s->rel_ptr[r + 1] - s->rel_ptr[r], nn = 0;
        if (ne == 0)
            continue;
        /* The relation's nodes, each once: heads (rows) and tails. */
        for (size_t q = 0; q < ne; q++) {
            size_t e = edges[q];
            uint32_t ends[2] = { g->col[g->mirror[e]], g->col[e] };
            for (int k = 0; k < 2; k++)
                if (s->proj_row[ends[k]] == UINT32_MAX) {
                    s->proj_row[ends[k]] = (uint32_t)nn;
                    s->proj_nodes[nn++] = ends[k];
                }
        }
        att_job j = { s, r, nn, edges, ne };
        rec_parallel_for(s->threads, (nn + KGAT_ROW_CHUNK - 1) / KGAT_ROW_CHUNK,
                         project_chunk, &j);
        rec_parallel_for(s->threads, (ne + 1023) / 1024, logit_chunk, &j);
        for (size_t q = 0; q < nn; q++)
            s->proj_row[s->proj_nodes[q]] = UINT32_MAX;
    }
    softmax_job sj = { s };
    rec_parallel_for(s->threads, (g->n_nodes + KGAT_ROW_CHUNK - 1) / KGAT_ROW_CHUNK,
                     softmax_chunk, &sj);
    rec_ckg_transpose_values(g);
}

/* ---- TransR ---- */

void kgat_kge_draw(kgat *s, size_t n, rec_rng *rng)
{
    const rec_ckg *g = s->g;
    for (size_t q = 0; q < n; q++) {
        uint32_t h = s->heads[rec_rng_below(rng, (uint32_t)s->n_heads)];
        size_t e = g->ptr[h] + rec_rng_below(rng, (uint32_t)(g->ptr[h + 1] - g->ptr[h]));
        uint32_t r = g->rel[e], neg = 0;
        for (int tries = 0; tries < NEGATIVE_TRIES; tries++) {
            neg = rec_rng_below(rng, (uint32_t)g->n_nodes);
            if (rec_ckg_find(g, h, neg, r) == SIZE_MAX)
                break;
        }
        s->kh[q] = h;
        s->kr[q] = r;
        s->kt[q] = g->col[e];
        s->kn[q] = neg;
    }
}

/* Per triple: 4 vectors of kld (d/d of e_h W_r, e_r, e_t W_r, e_t' W_r),
 * 3 of ld (their pull-back to e_h, e_t, e_t') and the loss. */
static size_t triple_floats(const kgat *s)
{
    return 4 * s->kld + 3 * s->ld + 16;
}

typedef struct kge_job {
    kgat *s;
    size_t n;
    float scale;          /* 1 / n: the mean */
} kge_job;

/* out (dim) = W_r g (kdim) */
static void pull_back(const kgat *s, uint32_t r, const float *g, float *out)
{
    const float *W = relation_block(s, r);
    memset(out, 0, s->ld * sizeof(float));
    for (size_t q = 0; q < s->dim; q++)
        out[q] = s->k->dot(W + q * s->kld, g, s->kld);
}

static void triple_chunk(void *p, size_t t, unsigned w)
{
    (void)w;
    kge_job *j = p;
    kgat *s = j->s;
    size_t a = t * KGE_CHUNK, b = a + KGE_CHUNK < j->n ? a + KGE_CHUNK : j->n;
    size_t kld = s->kld, kd = s->kdim;
    float ph[KGAT_DIM_MAX], pt[KGAT_DIM_MAX], pn[KGAT_DIM_MAX];
    for (size_t q = a; q < b; q++) {
        uint32_t r = s->kr[q];
        const float *er = s->R.w + (size_t)r * kld;
        kgat_project(s, s->E.w + (size_t)s->kh[q] * s->ld, r, ph);
        kgat_project(s, s->E.w + (size_t)s->kt[q] * s->ld, r, pt);
        kgat_project(s, s->E.w + (size_t)s->kn[q] * s->ld, r, pn);
        double pos = 0.0, neg = 0.0;
        for (size_t c = 0; c < kd; c++) {
            double x = (double)ph[c] + er[c] - pt[c], y = (double)ph[c] + er[c] - pn[c];
            pos += x * x;
            neg += y * y;
        }
        double z = pos - neg;
        double loss = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
        double sg = 1.0 / (1.0 + exp(-z)), sc = j->scale, rg = s->reg_kg;
        float *out = s->kgrad + q * triple_floats(s);
        float *dh = out, *dr = dh + kld, *dt = dr + kld, *dn = dt + kld;
        memset(out, 0, 4 * kld * sizeof(float));
        for (size_t c = 0; c < kd; c++) {
            double x = (double)ph[c] + er[c] - pt[c], y = (double)ph[c] + er[c] - pn[c];
            dh[c] = (float)(sc * (2.0 * sg * (x - y) + rg * ph[c]));
            dr[c] = (float)(sc * (2.0 * sg * (x - y) + rg * er[c]));
            dt[c] = (float)(sc * (-2.0 * sg * x + rg * pt[c]));
            dn[c] = (float)(sc * (2.0 * sg * y + rg * pn[c]));
        }
        float *eh = dn + kld, *et = eh + s->ld, *en = et + s->ld;
        pull_back(s, r, dh, eh);
        pull_back(s, r, dt, et);
        pull_back(s, r, dn, en);
        en[s->ld] = (float)loss;     /* the triple's loss, after its vectors */
    }
}

/* dW_r and de_r from the triples of relation r (tasks by relation keep the
 * sums in batch order without locks). */
static void relation_chunk(void *p, size_t r, unsigned w)
{
    (void)w;
    kge_job *j = p;
    kgat *s = j->s;
    size_t kld = s->kld, tf = triple_floats(s);
    float *dW = s->W.g + r * s->dim * kld, *dR = s->R.g + r * kld;
    for (size_t q = 0; q < j->n; q++) {
        if (s->kr[q] != r)
            continue;
        const float *out = s->kgrad + q * tf;
        const float *dh = out, *dr = dh + kld, *dt = dr + kld, *dn = dt + kld;
        const float *xh = s->E.w + (size_t)s->kh[q] * s->ld;
        const float *xt = s->E.w + (size_t)s->kt[q] * s->ld;
        const float *xn = s->E.w + (size_t)s->kn[q] * s->ld;
        for (size_t c = 0; c < kld; c++)
            dR[c] += dr[c];
        for (size_t d = 0; d < s->dim; d++) {
            float *row = dW + d * kld;
            s->k->axpy(xh[d], dh, row, kld);
            s->k->axpy(xt[d], dt, row, kld);
            s->k->axpy(xn[d], dn, row, kld);
        }
    }
}

double kgat_kge_gradient(kgat *s, size_t n)
{
    size_t tf = triple_floats(s), ld = s->ld;
    kge_job j = { s, n, n ? 1.0f / (float)n : 0.0f };
    rec_parallel_for(s->threads, (n + KGE_CHUNK - 1) / KGE_CHUNK, triple_chunk, &j);
    memset(s->W.g, 0, s->W.rows * s->W.ld * sizeof(float));
    memset(s->R.g, 0, s->R.rows * s->R.ld * sizeof(float));
    rec_parallel_for(s->threads, s->g->n_relations, relation_chunk, &j);
    memset(s->E.g, 0, s->n_nodes * ld * sizeof(float));
    double loss = 0.0;
    for (size_t q = 0; q < n; q++) {
        const float *out = s->kgrad + q * tf + 4 * s->kld;
        s->k->axpy(1.0f, out, s->E.g + (size_t)s->kh[q] * ld, ld);
        s->k->axpy(1.0f, out + ld, s->E.g + (size_t)s->kt[q] * ld, ld);
        s->k->axpy(1.0f, out + 2 * ld, s->E.g + (size_t)s->kn[q] * ld, ld);
        loss += out[3 * ld];
    }
    return loss;
}
