/* KGAT: Knowledge Graph Attention Network (Wang et al., KDD 2019), as its
 * reference code trains it (model/kgat.h lists the files).
 *
 * An epoch runs the recommendation phase (BPR mini-batches over the
 * interactions, through attentive propagation: kgat_prop.c), then the
 * knowledge phase (TransR mini-batches over the graph's edges:
 * kgat_kge.c), then recomputes the attention weights. Each phase has its
 * own Adam moments, as the reference's two optimisers. The first epoch
 * propagates over the plain normalised adjacency D^-1 A, which is what the
 * reference starts from before its first attention update.
 *
 * The serving form is the final embedding [X_0 | N_1 | ... | N_L] of users
 * and items. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "graph/graph.h"
#include "model/common_params.h"
#include "model/item_set.h"
#include "model/kgat.h"
#include "model/model.h"
#include "model/row_norm.h"

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8f
#define DEFAULT_LAYERS "64,32,16"
/* Explanations store entity and relation ids as floats. */
#define EXACT_FLOAT_INT 16777216.0

static const rec_param_def kgat_params[] = {
    REC_PARAM_DIM("64"),
    { "kge_dim", REC_PARAM_INT, "64", 1, KGAT_DIM_MAX, 0, 0, NULL, "[1, 1024]",
      "size of the relation embeddings (TransR's relation space)" },
    { "layer_sizes", REC_PARAM_FLOATS, DEFAULT_LAYERS, 1, KGAT_DIM_MAX, 0, 0,
      DEFAULT_LAYERS, "1 to 8 integers in [1, 1024]",
      "output size of each propagation layer" },
    { "aggregator", REC_PARAM_CHOICE, "bi", 0, 0, 0, 0, "bi|gcn|graphsage",
      "bi|gcn|graphsage", "how a layer combines a node with its neighbours' message" },
    { "attention", REC_PARAM_BOOL, "1", 0, 1, 0, 0, NULL, "0|1",
      "1: knowledge-aware attention; 0: keep the normalised adjacency D^-1 A" },
    /* The schedule (docs/models.md): larger batches and a tenfold learning
     * rate reach the reference's accuracy in tens of epochs instead of its
     * 1000 (lr 0.0001, batches 1024 and 2048). */
    REC_PARAM_EPOCHS("20"),
    REC_PARAM_LR("0.001"),
    REC_PARAM_REG("0.00001"),
    { "reg_kg", REC_PARAM_FLOAT, "0.00001", 0, 1e6, 0, 0, NULL, "[0, 1e6]",
      "L2 weight on the projected embeddings of the TransR loss" },
    REC_PARAMS_LR_SCHEDULE("constant", "0.01"),
    { "batch", REC_PARAM_INT, "4096", 1, 16777216, 0, 0, NULL, "[1, 2^24]",
      "tuples per Adam step of the recommendation phase" },
    { "batch_kg", REC_PARAM_INT, "8192", 1, 16777216, 0, 0, NULL, "[1, 2^24]",
      "triples per Adam step of the knowledge phase" },
    { "mess_dropout", REC_PARAM_FLOAT, "0.1", 0, 1, 0, 1, NULL, "[0, 1)",
      "dropout of each layer's output during training" },
    REC_PARAM_THREADS,
    REC_PARAM_SEED,
    REC_PARAMS_EVALUATION("5", "3"),
    REC_PARAMS_OBJECTIVE("bpr", "1", "1", "uniform", "1"),
};

/* ---- Parameters ---- */

static void param_free(kgat_param *p)
{
    rec_free(p->w);
    rec_free(p->g);
    for (int q = 0; q < 2; q++) {
        rec_free(p->m[q]);
        rec_free(p->v[q]);
    }
    memset(p, 0, sizeof *p);
}

static float *zeroed(size_t n)
{
    float *m = rec_aligned_alloc(n ? n : 1, sizeof(float));
    if (m)
        memset(m, 0, (n ? n : 1) * sizeof(float));
    return m;
}

static int param_alloc(kgat_param *p, size_t rows, size_t cols)
{
    p->rows = rows;
    p->cols = cols;
    p->ld = rec_ld_for(cols);
    size_t n = rows * p->ld;
    p->w = zeroed(n);
    p->g = zeroed(n);
    for (int q = 0; q < 2; q++) {
        p->m[q] = zeroed(n);
        p->v[q] = zeroed(n);
    }
    return p->w && p->g && p->m[0] && p->v[0] && p->m[1] && p->v[1] ? REC_OK : REC_ENOMEM;
}

/* Xavier uniform over rows [a, a + rows) of p, as one rows x cols matrix. */
static void xavier(kgat_param *p, size_t a, size_t rows, rec_rng *r)
{
    double bound = sqrt(6.0 / (double)(rows + p->cols));
    for (size_t i = a; i < a + rows; i++)
        for (size_t c = 0; c < p->cols; c++)
            p->w[i * p->ld + c] = (float)(bound * (2.0 * rec_rng_uniform(r) - 1.0));
}

void kgat_adam(kgat *s, kgat_param *p, int phase, float step)
{
    s->k->adam_row(p->w, p->m[phase], p->v[phase], p->g, p->rows * p->ld, step,
                   (float)ADAM_BETA1, (float)ADAM_BETA2, ADAM_EPS);
}

static float step_size(kgat *s, int phase)
{
    double t = (double)++s->t[phase];
    return (float)(s->lr * sqrt(1.0 - pow(ADAM_BETA2, t)) / (1.0 - pow(ADAM_BETA1, t)));
}

static void kgat_destroy(void *state)
{
    kgat *s = state;
    if (!s)
        return;
    rec_ckg_destroy(s->g);
    param_free(&s->E);
    param_free(&s->R);
    param_free(&s->W);
    for (unsigned l = 1; l <= KGAT_MAX_LAYERS; l++) {
        kgat_layer *ly = &s->lay[l];
        param_free(&ly->W1);
        param_free(&ly->b1);
        param_free(&ly->W2);
        param_free(&ly->b2);
        rec_free(ly->S);
        rec_free(ly->Z1);
        rec_free(ly->Z2);
        rec_free(ly->X);
    }
    rec_graph_batch_free(&s->b);
    void *bufs[] = { s->active, s->rows, s->slot, s->mark, s->F, s->GF, s->dX, s->dXp,
                     s->dS, s->scratch, s->partial, s->heads, s->kh, s->kr, s->kt, s->kn,
                     s->kgrad, s->rel_ptr, s->rel_edge, s->proj, s->proj_row,
                     s->proj_nodes };
    for (size_t q = 0; q < sizeof bufs / sizeof bufs[0]; q++)
        rec_free(bufs[q]);
    rec_free(s);
}

/* ---- Setup ---- */

/* The layer sizes from the settings; REC_EINVAL unless whole numbers. */
static int layer_sizes(kgat *s, const rec_train_options *o)
{
    static const size_t reference[] = { 64, 32, 16 };
    size_t n;
    const double *list = rec_opt_list(o, "layer_sizes", &n);
    if (n > KGAT_MAX_LAYERS)
        return rec_error(REC_EINVAL, "layer_sizes: at most %d layers", KGAT_MAX_LAYERS);
    s->L = n ? (unsigned)n : 3;
    for (unsigned l = 1; l <= s->L; l++) {
        double x = n ? list[l - 1] : (double)reference[l - 1];
        if (x != floor(x))
            return rec_error(REC_EINVAL, "layer_sizes: %g is not a whole number", x);
        s->lay[l].dout = (size_t)x;
    }
    return REC_OK;
}

static int allocate_layers(kgat *s)
{
    size_t n = s->n_nodes, din = s->dim;
    s->fdim = s->dim;
    s->wld = s->ld;
    s->partial_floats = 0;
    for (unsigned l = 1; l <= s->L; l++) {
        kgat_layer *ly = &s->lay[l];
        ly->din = din;
        ly->ld_in = rec_ld_for(din);
        ly->ld_out = rec_ld_for(ly->dout);
        size_t c1 = s->agg == KGAT_SAGE ? 2 * din : din;
        if (param_alloc(&ly->W1, c1, ly->dout) || param_alloc(&ly->b1, 1, ly->dout))
            return REC_ENOMEM;
        if (s->agg == KGAT_BI &&
            (param_alloc(&ly->W2, din, ly->dout) || param_alloc(&ly->b2, 1, ly->dout)))
            return REC_ENOMEM;
        if (!(ly->S = zeroed(n * ly->ld_in)) || !(ly->Z1 = zeroed(n * ly->ld_out)) ||
            !(ly->Z2 = zeroed(n * ly->ld_out)) || !(ly->X = zeroed(n * ly->ld_out)))
            return REC_ENOMEM;
        size_t pf = (c1 + 1 + din + 1) * ly->ld_out;
        s->partial_floats = pf > s->partial_floats ? pf : s->partial_floats;
        s->wld = ly->ld_out > s->wld ? ly->ld_out : s->wld;
        s->fdim += ly->dout;
        din = ly->dout;
    }
    return REC_OK;
}

static int allocate_buffers(kgat *s)
{
    size_t n = s->n_nodes, cap = rec_graph_batch_max_rows(&s->b, n);
    size_t chunks = (n + KGAT_ROW_CHUNK - 1) / KGAT_ROW_CHUNK;
    size_t pld = rec_ld_for(2 * s->wld), nnz = s->g->nnz;
    s->rows = rec_malloc_array(cap, sizeof *s->rows);
    s->slot = rec_malloc_array(n ? n : 1, sizeof *s->slot);
    s->mark = rec_calloc(n ? n : 1, 1);
    s->F = zeroed(cap * s->fld);
    s->GF = zeroed(cap * s->fld);
    s->dX = zeroed(n * s->wld);
    s->dXp = zeroed(n * s->wld);
    s->dS = zeroed(n * s->wld);
    s->scratch = zeroed((size_t)s->threads * 4 * KGAT_ROW_CHUNK * pld);
    s->partial = zeroed(chunks * s->partial_floats);
    s->active = rec_malloc_array(s->n_users ? s->n_users : 1, sizeof *s->active);
    s->heads = rec_malloc_array(n ? n : 1, sizeof *s->heads);
    s->kh = rec_malloc_array(s->batch_kg, sizeof *s->kh);
    s->kr = rec_malloc_array(s->batch_kg, sizeof *s->kr);
    s->kt = rec_malloc_array(s->batch_kg, sizeof *s->kt);
    s->kn = rec_malloc_array(s->batch_kg, sizeof *s->kn);
    s->kgrad = zeroed(s->batch_kg * (4 * s->kld + 3 * s->ld + 16));
    s->rel_ptr = rec_calloc(s->g->n_relations + 1, sizeof *s->rel_ptr);
    s->rel_edge = rec_malloc_array(nnz ? nnz : 1, sizeof *s->rel_edge);
    s->proj = zeroed(n * s->kld);
    s->proj_row = rec_malloc_array(n ? n : 1, sizeof *s->proj_row);
    s->proj_nodes = rec_malloc_array(n ? n : 1, sizeof *s->proj_nodes);
    if (!s->rows || !s->slot || !s->mark || !s->F || !s->GF || !s->dX || !s->dXp ||
        !s->dS || !s->scratch || !s->partial || !s->active || !s->heads || !s->kh ||
        !s->kr || !s->kt || !s->kn || !s->kgrad || !s->rel_ptr || !s->rel_edge ||
        !s->proj || !s->proj_row || !s->proj_nodes)
        return REC_ENOMEM;
    return REC_OK;
}

/* Heads with edges, the edges grouped by relation, the projection map. */
static void index_graph(kgat *s)
{
    const rec_ckg *g = s->g;
    s->n_heads = 0;
    for (size_t v = 0; v < g->n_nodes; v++) {
        if (g->ptr[v + 1] > g->ptr[v])
            s->heads[s->n_heads++] = (uint32_t)v;
        s->proj_row[v] = UINT32_MAX;
    }
    for (size_t e = 0; e < g->nnz; e++)
        s->rel_ptr[g->rel[e] + 1]++;
    for (size_t r = 0; r < g->n_relations; r++)
        s->rel_ptr[r + 1] += s->rel_ptr[r];
    size_t *cursor = s->rel_ptr; /* filled in order, then shifted back */
    for (size_t e = 0; e < g->nnz; e++)
        s->rel_edge[cursor[g->rel[e]]++] = e;
    for (size_t r = g->n_relations; r > 0; r--)
        s->rel_ptr[r] = s->rel_ptr[r - 1];
    s->rel_ptr[0] = 0;
}

static void initialise(kgat *s)
{
    rec_rng r;
    rec_rng_seed(&r, s->seed, REC_STREAM_INIT, 0);
    /* Users and entities are separate tables in the reference. */
    xavier(&s->E, 0, s->n_users, &r);
    xavier(&s->E, s->n_users, s->n_nodes - s->n_users, &r);
    xavier(&s->R, 0, s->R.rows, &r);
    for (size_t q = 0; q < s->g->n_relations; q++)
        xavier(&s->W, q * s->dim, s->dim, &r);
    for (unsigned l = 1; l <= s->L; l++) {
        kgat_layer *ly = &s->lay[l];
        xavier(&ly->W1, 0, ly->W1.rows, &r);
        xavier(&ly->b1, 0, 1, &r);
        if (s->agg == KGAT_BI) {
            xavier(&ly->W2, 0, ly->W2.rows, &r);
            xavier(&ly->b2, 0, 1, &r);
        }
    }
}

static int kgat_setup(void **state, const rec_dataset *ds, const rec_train_options *o)
{
    *state = NULL;
    if (!o->kg)
        return rec_error(REC_EINVAL, "the kgat family needs a knowledge graph "
                                     "(rec_train_options_set_kg)");
    kgat *s = rec_calloc(1, sizeof *s);
    if (!s)
        return rec_error_nomem();
    s->ds = ds;
    s->opts = o;
    s->k = rec_kernels_get();
    s->dim = (size_t)rec_opt_int(o, "dim");
    s->kdim = (size_t)rec_opt_int(o, "kge_dim");
    s->ld = rec_ld_for(s->dim);
    s->kld = rec_ld_for(s->kdim);
    s->agg = (kgat_aggregator)rec_opt_int(o, "aggregator");
    s->attention = (int)rec_opt_int(o, "attention");
    s->lr = (float)rec_opt_float(o, "lr");
    s->reg = (float)rec_opt_float(o, "reg");
    s->reg_kg = (float)rec_opt_float(o, "reg_kg");
    s->mess_p = (float)rec_opt_float(o, "mess_dropout");
    s->batch = (size_t)rec_opt_int(o, "batch");
    s->batch_kg = (size_t)rec_opt_int(o, "batch_kg");
    s->threads = rec_threads_resolve((unsigned)rec_opt_int(o, "threads"));
    s->seed = (uint64_t)rec_opt_int(o, "seed");
    int rc = layer_sizes(s, o);
    if (rc == REC_OK && s->dim > KGAT_DIM_MAX)
        rc = rec_error(REC_ELIMIT, "kgat: dim %zu is above %d", s->dim, KGAT_DIM_MAX);
    if (rc == REC_OK)
        rc = rec_ckg_build(&s->g, ds, o->kg);
    if (rc != REC_OK) {
        kgat_destroy(s);
        return rc;
    }
    s->n_users = s->g->n_users;
    s->n_items = s->g->n_items;
    s->n_nodes = s->g->n_nodes;
    rc = param_alloc(&s->E, s->n_nodes, s->dim);
    if (rc == REC_OK)
        rc = param_alloc(&s->R, s->g->n_relations, s->kdim);
    if (rc == REC_OK)
        rc = param_alloc(&s->W, s->g->n_relations * s->dim, s->kdim);
    if (rc == REC_OK)
        rc = allocate_layers(s);
    if (rc == REC_OK && s->fdim > REC_DIM_MAX)
        rc = rec_error(REC_ELIMIT, "kgat: the final embedding (%zu) is above %d", s->fdim,
                       REC_DIM_MAX);
    s->fld = rec_ld_for(s->fdim);
    if (rc == REC_OK)
        rc = rec_graph_batch_init(&s->b, o, ds, s->g->op, s->k, s->batch, s->fld);
    if (rc == REC_OK)
        rc = allocate_buffers(s);
    if (rc != REC_OK) {
        kgat_destroy(s);
        return rc == REC_ENOMEM ? rec_error_nomem() : rc;
    }
    s->n_active = rec_active_users(ds, s->active);
    index_graph(s);
    initialise(s);
    rc = rec_init_embeddings_apply(o, ds, s->dim, s->E.w, s->ld, NULL);
    if (rc != REC_OK) {
        kgat_destroy(s);
        return rc;
    }
    kgat_plain_weights(s);
    *state = s;
    return REC_OK;
}

/* ---- Epochs ---- */

static void collect_rows(kgat *s)
{
    s->n_rows = rec_collect_marked(s->mark, s->n_nodes, s->rows);
    for (size_t r = 0; r < s->n_rows; r++)
        s->slot[s->rows[r]] = (uint32_t)r;
}

/* DNS scores its candidates on the final embeddings as of the epoch's
 * start. */
static int step_start(void *state)
{
    kgat *s = state;
    if (!s->b.dns)
        return REC_OK;
    float *X[KGAT_MAX_LAYERS + 1];
    int rc = kgat_propagate_all(s, X);
    if (rc != REC_OK)
        return rc;
    for (size_t v = 0; v < s->n_nodes; v++)
        kgat_final_row(s, X, v, s->b.dns + v * s->fld);
    for (unsigned l = 1; l <= s->L; l++)
        rec_free(X[l]);
    return REC_OK;
}

static size_t step_sample(void *state, size_t n, rec_rng *rng)
{
    kgat *s = state;
    size_t m = rec_graph_batch_draw(&s->b, s->ds, s->active, s->n_active, n, rng, s->mark);
    collect_rows(s);
    return m;
}

static void step_forward(void *state, rec_rng *rng)
{
    kgat *s = state;
    s->drop_seed = rec_rng_next(rng) | 1u;   /* 0 means no dropout */
    kgat_forward(s);
}

static double step_loss(void *state, size_t m)
{
    return kgat_loss(state, m);
}

static int step_backward(void *state)
{
    return kgat_backward(state);
}

static int step_update(void *state, size_t m)
{
    (void)m;
    kgat *s = state;
    float step = step_size(s, 0);
    kgat_adam(s, &s->E, 0, step);
    for (unsigned l = 1; l <= s->L; l++) {
        kgat_layer *ly = &s->lay[l];
        kgat_adam(s, &ly->W1, 0, step);
        kgat_adam(s, &ly->b1, 0, step);
        if (s->agg == KGAT_BI) {
            kgat_adam(s, &ly->W2, 0, step);
            kgat_adam(s, &ly->b2, 0, step);
        }
    }
    return REC_OK;
}

static const rec_graph_step kgat_step = { step_start, step_sample, step_forward, step_loss,
                                          step_backward, step_update };

/* The knowledge phase: as many triples as the graph has edges. */
static void knowledge_phase(kgat *s, unsigned epoch)
{
    size_t total = s->g->nnz, steps = (total + s->batch_kg - 1) / s->batch_kg;
    for (size_t st = 0; st < steps && s->n_heads; st++) {
        size_t n = total - st * s->batch_kg < s->batch_kg ? total - st * s->batch_kg
                                                           : s->batch_kg;
        rec_rng rng;
        rec_rng_seed(&rng, s->seed, REC_STREAM_SAMPLE + epoch, ((uint64_t)1 << 40) + st);
        kgat_kge_draw(s, n, &rng);
        kgat_kge_gradient(s, n);
        float step = step_size(s, 1);
        kgat_adam(s, &s->E, 1, step);
        kgat_adam(s, &s->R, 1, step);
        kgat_adam(s, &s->W, 1, step);
    }
}

static int kgat_epoch(void *state, unsigned epoch, rec_epoch_report *rep)
{
    kgat *s = state;
    s->lr = (float)rec_lr_for_epoch(s->opts, epoch);
    int rc = rec_graph_epoch(s, &kgat_step, s->ds, s->batch, s->seed, epoch, rep);
    if (rc != REC_OK)
        return rc;
    knowledge_phase(s, epoch);
    if (s->attention)
        kgat_attention(s);
    return REC_OK;
}

/* ---- Test hooks ---- */

int rec_kgat_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                       const uint32_t *tj, size_t m, uint64_t dropout_seed, double *loss)
{
    kgat *s = state;
    if (m == 0 || m > s->batch)
        return rec_error(REC_EINVAL, "between 1 and batch tuples");
    rec_graph_batch_set(&s->b, m, tu, ti, tj, s->mark);
    collect_rows(s);
    s->drop_seed = dropout_seed;
    kgat_forward(s);
    double sum = kgat_loss(s, m);
    double sq = rec_graph_batch_sq(&s->b, m, s->F, s->fld, s->slot);
    *loss = sum / (double)m + 0.5 * s->reg * sq / (double)m;
    return kgat_backward(s);
}

double rec_kgat_kge_objective(void *state, const uint32_t *h, const uint32_t *r,
                              const uint32_t *t, const uint32_t *neg, size_t n)
{
    kgat *s = state;
    memcpy(s->kh, h, n * sizeof *h);
    memcpy(s->kr, r, n * sizeof *r);
    memcpy(s->kt, t, n * sizeof *t);
    memcpy(s->kn, neg, n * sizeof *neg);
    double loss = kgat_kge_gradient(s, n) / (double)n, sq = 0.0;
    float p[KGAT_DIM_MAX];
    for (size_t q = 0; q < n; q++) {
        const uint32_t nodes[3] = { h[q], t[q], neg[q] };
        for (int k = 0; k < 3; k++) {
            kgat_project(s, s->E.w + (size_t)nodes[k] * s->ld, r[q], p);
            for (size_t c = 0; c < s->kdim; c++)
                sq += (double)p[c] * p[c];
        }
        const float *er = s->R.w + (size_t)r[q] * s->kld;
        for (size_t c = 0; c < s->kdim; c++)
            sq += (double)er[c] * er[c];
    }
    return loss + 0.5 * s->reg_kg * sq / (double)n;
}

/* ---- Snapshots: the parameters and the attention weights ---- */

static size_t snapshot_floats(const kgat *s)
{
    size_t n = s->E.rows * s->E.ld + s->R.rows * s->R.ld + s->W.rows * s->W.ld + s->g->nnz;
    for (unsigned l = 1; l <= s->L; l++) {
        const kgat_layer *ly = &s->lay[l];
        n += ly->W1.rows * ly->W1.ld + ly->b1.ld + ly->W2.rows * ly->W2.ld + ly->b2.ld;
    }
    return n;
}

static void copy_state(kgat *s, float *buf, int out)
{
    kgat_param *ps[3 + 4 * KGAT_MAX_LAYERS];
    size_t np = 0;
    ps[np++] = &s->E;
    ps[np++] = &s->R;
    ps[np++] = &s->W;
    for (unsigned l = 1; l <= s->L; l++) {
        ps[np++] = &s->lay[l].W1;
        ps[np++] = &s->lay[l].b1;
        ps[np++] = &s->lay[l].W2;
        ps[np++] = &s->lay[l].b2;
    }
    for (size_t q = 0; q < np; q++) {
        size_t m = ps[q]->rows * ps[q]->ld;
        if (m && out)
            memcpy(buf, ps[q]->w, m * sizeof(float));
        else if (m)
            memcpy(ps[q]->w, buf, m * sizeof(float));
        buf += m;
    }
    if (out) {
        memcpy(buf, s->g->op->val, s->g->nnz * sizeof(float));
    } else {
        memcpy(s->g->op->val, buf, s->g->nnz * sizeof(float));
        rec_ckg_transpose_values(s->g);
    }
}

static int kgat_snapshot(void *state, void **snap)
{
    kgat *s = state;
    float *buf = rec_aligned_alloc(snapshot_floats(s), sizeof(float));
    if (!buf)
        return rec_error_nomem();
    copy_state(s, buf, 1);
    *snap = buf;
    return REC_OK;
}

static void kgat_restore(void *state, const void *snap)
{
    copy_state(state, (float *)snap, 0);
}

/* ---- Export ---- */

/* Tensors: "kgat_form" [L, aggregator, dim, d_1..d_L]; the items' layers
 * 0..L-1 ("item_layer_l"); every layer's weights ("W1_l", "b1_l", and for
 * bi "W2_l", "b2_l"); "item_logit", the attention logit of each item seen
 * from a new user (layer 0 zero): (e_i W_0) . tanh(e_0); and
 * "item_kg_edges", one row [item, entity, relation, weight] per knowledge
 * edge leaving an item, for explanations (relation 2r: the triple's
 * direction, 2r + 1: inverse). */
static int add_tensor(rec_tensors *ts, const char *name, unsigned l, size_t rows,
                      size_t cols, const float *src, size_t src_ld)
{
    char full[REC_TENSOR_NAME_MAX];
    snprintf(full, sizeof full, "%s_%u", name, l);
    float *t;
    int rc = rec_tensors_add(ts, full, rows, cols, &t);
    if (rc != REC_OK)
        return rc;
    size_t ld = rec_ld_for(cols);
    for (size_t r = 0; r < rows; r++)
        memcpy(t + r * ld, src + r * src_ld, cols * sizeof(float));
    return REC_OK;
}

static int export_explanations(kgat *s, rec_tensors *ts)
{
    const rec_ckg *g = s->g;
    size_t nu = s->n_users, n = 0;
    if ((double)g->n_nodes >= EXACT_FLOAT_INT || (double)g->n_relations >= EXACT_FLOAT_INT)
        return REC_OK;   /* documented: no explanations for graphs this large */
    for (size_t v = nu; v < nu + s->n_items; v++)
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++)
            n += g->rel[e] >= 2;
    float *t;
    int rc = rec_tensors_add(ts, "item_kg_edges", n, 4, &t);
    if (rc != REC_OK)
        return rc;
    size_t ld = rec_ld_for(4), row = 0;
    for (size_t v = nu; v < nu + s->n_items; v++)
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++) {
            if (g->rel[e] < 2)
                continue;
            float *x = t + row++ * ld;
            x[0] = (float)(v - nu);
            x[1] = (float)g->node_entity[g->col[e]];
            x[2] = (float)(g->rel[e] - 2);
            x[3] = g->op->val[e];
        }
    return REC_OK;
}

static int export_fold_in(kgat *s, float *const *X, rec_tensors *ts)
{
    float *form, *logit;
    int rc = rec_tensors_add(ts, "kgat_form", 1, 3 + s->L, &form);
    if (rc != REC_OK)
        return rc;
    form[0] = (float)s->L;
    form[1] = (float)s->agg;
    form[2] = (float)s->dim;
    for (unsigned l = 1; l <= s->L; l++)
        form[2 + l] = (float)s->lay[l].dout;
    for (unsigned l = 0; l < s->L && rc == REC_OK; l++) {
        size_t d = l == 0 ? s->dim : s->lay[l].dout, ld = l == 0 ? s->ld : s->lay[l].ld_out;
        rc = add_tensor(ts, "item_layer", l, s->n_items, d, X[l] + s->n_users * ld, ld);
    }
    for (unsigned l = 1; l <= s->L && rc == REC_OK; l++) {
        kgat_layer *ly = &s->lay[l];
        rc = add_tensor(ts, "W1", l, ly->W1.rows, ly->dout, ly->W1.w, ly->W1.ld);
        if (rc == REC_OK)
            rc = add_tensor(ts, "b1", l, 1, ly->dout, ly->b1.w, ly->b1.ld);
        if (rc == REC_OK && s->agg == KGAT_BI)
            rc = add_tensor(ts, "W2", l, ly->W2.rows, ly->dout, ly->W2.w, ly->W2.ld);
        if (rc == REC_OK && s->agg == KGAT_BI)
            rc = add_tensor(ts, "b2", l, 1, ly->dout, ly->b2.w, ly->b2.ld);
    }
    if (rc == REC_OK)
        rc = rec_tensors_add(ts, "item_logit", s->n_items, 1, &logit);
    if (rc != REC_OK)
        return rc;
    /* A new user's layer 0 is zero, so its attention logit on item i is
     * (e_i W_0) . tanh(e_0). */
    size_t lld = rec_ld_for(1);
    for (size_t i = 0; i < s->n_items; i++) {
        float p[KGAT_DIM_MAX];
        kgat_project(s, s->E.w + (s->n_users + i) * s->ld, 0, p);
        double z = 0.0;
        for (size_t c = 0; c < s->kdim; c++)
            z += (double)p[c] * tanh((double)s->R.w[c]);
        logit[i * lld] = (float)z;
    }
    return export_explanations(s, ts);
}

static int kgat_export(void *state, rec_serving *out, rec_tensors *ts)
{
    kgat *s = state;
    int rc = rec_serving_alloc(out, s->n_users, s->n_items, s->fdim, REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    float *X[KGAT_MAX_LAYERS + 1];
    if ((rc = kgat_propagate_all(s, X)) != REC_OK) {
        rec_serving_free(out);
        return rc;
    }
    for (size_t v = 0; v < s->n_users + s->n_items; v++)
        kgat_final_row(s, X, v, v < s->n_users ? out->U + v * out->ld
                                               : out->V + (v - s->n_users) * out->ld);
    if (ts)
        rc = export_fold_in(s, X, ts);
    for (unsigned l = 1; l <= s->L; l++)
        rec_free(X[l]);
    if (rc != REC_OK)
        rec_serving_free(out);
    return rc;
}

/* ---- Fold-in ---- */

static const rec_tensor *find_tensor(const rec_model *m, const char *name, unsigned l)
{
    char full[REC_TENSOR_NAME_MAX];
    snprintf(full, sizeof full, "%s_%u", name, l);
    return rec_tensors_find(&m->tensors, full);
}

/* The layer l of a model's weights as a kgat_layer view (weights only). */
static int weights_view(const rec_model *m, unsigned l, kgat_aggregator agg, size_t din,
                        size_t dout, kgat_layer *ly)
{
    memset(ly, 0, sizeof *ly);
    const rec_tensor *t[4] = { find_tensor(m, "W1", l), find_tensor(m, "b1", l),
                               find_tensor(m, "W2", l), find_tensor(m, "b2", l) };
    size_t c1 = agg == KGAT_SAGE ? 2 * din : din;
    if (!t[0] || !t[1] || t[0]->rows != c1 || t[0]->cols != dout || t[1]->cols != dout)
        return REC_EUNSUPPORTED;
    if (agg == KGAT_BI && (!t[2] || !t[3] || t[2]->rows != din || t[2]->cols != dout ||
                           t[3]->cols != dout))
        return REC_EUNSUPPORTED;
    ly->din = din;
    ly->dout = dout;
    kgat_param *p[4] = { &ly->W1, &ly->b1, &ly->W2, &ly->b2 };
    for (int q = 0; q < (agg == KGAT_BI ? 4 : 2); q++) {
        p[q]->w = t[q]->data;
        p[q]->ld = t[q]->ld;
        p[q]->rows = t[q]->rows;
        p[q]->cols = t[q]->cols;
    }
    return REC_OK;
}

static int kgat_fold_in(const rec_model *m, const uint32_t *items, size_t n, float *out)
{
    const rec_tensor *form = rec_tensors_find(&m->tensors, "kgat_form");
    const rec_tensor *logit = rec_tensors_find(&m->tensors, "item_logit");
    if (!form || form->cols < 4 || !logit || logit->rows != m->serving.n_items)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: this model holds no fold-in "
                                           "data");
    /* Checked as floats before any conversion: a damaged file must not
     * reach an out-of-range cast. */
    float Lf = form->data[0], aggf = form->data[1];
    if (!(Lf >= 1 && Lf <= KGAT_MAX_LAYERS && Lf == floorf(Lf) && aggf >= 0 &&
          aggf <= KGAT_SAGE && aggf == floorf(aggf)) || form->cols != 3 + (size_t)Lf)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: invalid fold-in data");
    unsigned L = (unsigned)Lf;
    kgat_aggregator agg = (kgat_aggregator)aggf;
    size_t d[KGAT_MAX_LAYERS + 1], total = 0;
    for (unsigned l = 0; l <= L; l++) {
        float x = form->data[2 + l];
        if (!(x >= 1 && x <= KGAT_DIM_MAX && x == floorf(x)))
            return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: invalid fold-in data");
        d[l] = (size_t)x;
        total += d[l];
    }
    if (total != m->serving.dim)
        return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: invalid fold-in data");
    kgat_layer lay[KGAT_MAX_LAYERS + 1];
    const rec_tensor *items_at[KGAT_MAX_LAYERS];
    for (unsigned l = 1; l <= L; l++) {
        items_at[l - 1] = find_tensor(m, "item_layer", l - 1);
        if (!items_at[l - 1] || items_at[l - 1]->cols != d[l - 1] ||
            items_at[l - 1]->rows != m->serving.n_items ||
            weights_view(m, l, agg, d[l - 1], d[l], &lay[l]) != REC_OK)
            return rec_error(REC_EUNSUPPORTED, "rec_model_fold_in: missing fold-in data");
    }
    size_t du;
    uint32_t *u = rec_item_set(items, n, &du);
    double *w = rec_malloc_array(du ? du : 1, sizeof *w);
    float *buf = rec_calloc(3 * KGAT_DIM_MAX, sizeof(float));
    if (!u || !w || !buf) {
        rec_free(u);
        rec_free(w);
        rec_free(buf);
        return rec_error_nomem();
    }
    /* The attention of the new user over its items: a softmax of the items'
     * logits, as the trained users' rows are. */
    double mx = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < du; j++)
        mx = fmax(mx, logit->data[(size_t)u[j] * logit->ld]);
    for (size_t j = 0; j < du; j++)
        sum += (w[j] = exp(logit->data[(size_t)u[j] * logit->ld] - mx));
    for (size_t j = 0; j < du; j++)
        w[j] /= sum;
    float *x = buf, *side = buf + KGAT_DIM_MAX, *next = buf + 2 * KGAT_DIM_MAX;
    memset(out, 0, m->serving.dim * sizeof(float));
    size_t off = d[0];
    for (unsigned l = 1; l <= L; l++) {
        memset(side, 0, d[l - 1] * sizeof(float));
        for (size_t j = 0; j < du; j++) {
            const float *e = items_at[l - 1]->data + (size_t)u[j] * items_at[l - 1]->ld;
            for (size_t c = 0; c < d[l - 1]; c++)
                side[c] += (float)(w[j] * e[c]);
        }
        kgat_layer_row(&lay[l], agg, x, side, next);
        rec_row_normalise(next, out + off, d[l], NULL);
        memcpy(x, next, d[l] * sizeof(float));
        off += d[l];
    }
    rec_free(u);
    rec_free(w);
    rec_free(buf);
    return REC_OK;
}

/* ---- Explanations ---- */

static int by_weight(const void *a, const void *b)
{
    const rec_kg_neighbor *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    if (x->entity != y->entity)
        return x->entity < y->entity ? -1 : 1;
    return (x->relation * 2 + (unsigned)x->inverse > y->relation * 2 + (unsigned)y->inverse) -
           (x->relation * 2 + (unsigned)x->inverse < y->relation * 2 + (unsigned)y->inverse);
}

int rec_kgat_neighbors(const rec_model *m, uint32_t item, rec_kg_neighbor *out, size_t k,
                       size_t *n_out)
{
    const rec_tensor *t = rec_tensors_find(&m->tensors, "item_kg_edges");
    if (!t || t->cols != 4)
        return rec_error(REC_EUNSUPPORTED, "rec_model_kg_neighbors: the model holds no "
                         "explanations (its graph has 2^24 nodes or relations or more)");
    /* Rows are grouped by item, ascending. */
    size_t lo = 0, hi = t->rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->data[mid * t->ld] < (float)item)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < t->rows && t->data[end * t->ld] == (float)item)
        end++;
    size_t n = end - lo;
    rec_kg_neighbor *all = rec_malloc_array(n ? n : 1, sizeof *all);
    if (!all)
        return rec_error_nomem();
    for (size_t q = 0; q < n; q++) {
        const float *x = t->data + (lo + q) * t->ld;
        if (!(x[1] >= 0 && x[1] < EXACT_FLOAT_INT && x[2] >= 0 && x[2] < EXACT_FLOAT_INT &&
              x[1] == floorf(x[1]) && x[2] == floorf(x[2]))) {
            rec_free(all);
            return rec_error(REC_ECORRUPT, "rec_model_kg_neighbors: invalid explanation "
                                           "row %zu", lo + q);
        }
        uint32_t code = (uint32_t)x[2];
        all[q] = (rec_kg_neighbor){ (uint32_t)x[1], code / 2, (int)(code % 2), x[3] };
    }
    qsort(all, n, sizeof *all, by_weight);
    *n_out = n < k ? n : k;
    if (*n_out)
        memcpy(out, all, *n_out * sizeof *out);
    rec_free(all);
    return REC_OK;
}

const rec_family rec_family_kgat = {
    .name = "kgat",
    .summary = "KGAT: attentive propagation over the user-item and knowledge graph, "
               "TransR, BPR",
    .params = kgat_params,
    .n_params = sizeof kgat_params / sizeof kgat_params[0],
    .setup = kgat_setup,
    .epoch = kgat_epoch,
    .export_state = kgat_export,
    .destroy = kgat_destroy,
    .snapshot = kgat_snapshot,
    .restore = kgat_restore,
    .free_snapshot = rec_free,
    .fold_in = kgat_fold_in,
    .warm_start = 1,
    .uses_kg = 1,
};
