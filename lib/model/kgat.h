/* KGAT (Wang et al., KDD 2019) as its reference code computes it: the
 * training state shared by the family's files.
 *
 *   kgat.c       settings, setup, epochs, export, fold-in, explanations
 *   kgat_prop.c  the recommendation phase: attentive propagation over the
 *                collaborative knowledge graph, its BPR loss and gradient
 *   kgat_kge.c   the knowledge phase: TransR and its loss, and the
 *                attention weights computed from TransR's parameters
 *
 * Nodes are those of graph/ckg.h (users, items, other entities). */
#ifndef REC_MODEL_KGAT_H
#define REC_MODEL_KGAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "graph/ckg.h"
#include "kernels/kernels.h"
#include "model/family.h"
#include "model/graph_batch.h"

#define KGAT_MAX_LAYERS 8
#define KGAT_ROW_CHUNK 256      /* rows per task of the dense passes */
#define KGAT_SLOPE 0.2f         /* leaky ReLU, TensorFlow's default */
#define KGAT_DIM_MAX 1024       /* largest layer: per-row factors live on the stack */

typedef enum kgat_aggregator {
    KGAT_BI = 0,        /* lrelu((x + s) W1 + b1) + lrelu((x o s) W2 + b2) */
    KGAT_GCN = 1,       /* lrelu((x + s) W1 + b1) */
    KGAT_SAGE = 2,      /* lrelu([x | s] W1 + b1) */
} kgat_aggregator;

/* A dense parameter with its gradient and the Adam moments of each phase
 * (the reference runs one Adam optimiser per phase, each with its own
 * moments). rows x cols in rows of ld floats. */
typedef struct kgat_param {
    float *w, *g, *m[2], *v[2];
    size_t rows, cols, ld;
} kgat_param;

typedef struct kgat_layer {
    size_t din, dout, ld_in, ld_out;
    kgat_param W1, b1, W2, b2;      /* W2, b2: bi-interaction only */
    /* Forward values on every node: S = A X_prev, the pre-activations and
     * the layer's output (after dropout). */
    float *S, *Z1, *Z2, *X;
} kgat_layer;

typedef struct kgat {
    const rec_dataset *ds;
    const rec_train_options *opts;
    rec_ckg *g;
    const rec_kernels *k;
    size_t n_users, n_items, n_nodes;
    size_t dim, ld, kdim, kld;          /* node and relation embedding sizes */
    size_t fdim, fld;                   /* the final embedding */
    size_t wld;                         /* the widest row of any layer */
    unsigned L;
    kgat_aggregator agg;
    int attention;                      /* 0: keep the normalised adjacency */
    float lr, reg, reg_kg, mess_p;
    size_t batch, batch_kg;
    unsigned threads;
    uint64_t seed;
    uint32_t *active;
    size_t n_active;
    /* Parameters: node embeddings, relation embeddings, relation projections
     * (n_relations blocks of dim rows), the layers. */
    kgat_param E, R, W;
    kgat_layer lay[KGAT_MAX_LAYERS + 1];   /* 1..L */
    uint64_t t[2];                          /* Adam steps per phase */
    /* The recommendation batch. */
    rec_graph_batch b;
    uint32_t *rows, *slot;
    uint8_t *mark;
    size_t n_rows;
    float *F, *GF;                          /* compact: n_rows x fld */
    float *dX, *dXp, *dS;                   /* backward, n_nodes x ld */
    float *scratch;                         /* per worker: 2 x KGAT_ROW_CHUNK x 2 ld */
    float *partial;                         /* per chunk: weight gradients */
    size_t partial_floats;                  /* per chunk */
    uint64_t drop_seed;
    /* The knowledge batch and the attention pass. */
    uint32_t *heads;                        /* nodes with edges */
    size_t n_heads;
    uint32_t *kh, *kr, *kt, *kn;            /* batch_kg triples and negatives */
    float *kgrad;                           /* per triple: 4 gradient vectors (kld) */
    size_t *rel_ptr, *rel_edge;             /* edges grouped by relation */
    float *proj;                            /* projections of one relation's nodes */
    uint32_t *proj_row;                     /* node -> row of proj */
    uint32_t *proj_nodes;
} kgat;

/* The normalised adjacency the reference starts from (D^-1 A, rows summing
 * to 1), into g->op's values. */
void kgat_plain_weights(kgat *s);
/* The attention weights: pi(h, r, t) = (e_t W_r) . tanh(e_h W_r + e_r),
 * softmax over each head's edges, into g->op's values. Each relation's
 * nodes are projected once, then every edge of the relation is scored. */
void kgat_attention(kgat *s);
/* out (kld floats, padding zero) = x (dim) W_r: TransR's projection. */
void kgat_project(const kgat *s, const float *x, uint32_t r, float *out);
/* The logit of one edge, for tests and explanations. */
double kgat_attention_logit(const kgat *s, uint32_t h, uint32_t r, uint32_t t);

/* One knowledge step on the triples in kh/kr/kt/kn (n of them): the mean
 * TransR loss plus reg_kg/2 of the projected embeddings' squares, its
 * gradient into E.g, R.g and W.g (zeroed first). Returns the summed loss
 * (without the regulariser). */
double kgat_kge_gradient(kgat *s, size_t n);
/* Draws n triples and negative tails for a knowledge step. */
void kgat_kge_draw(kgat *s, size_t n, rec_rng *rng);

/* The recommendation phase's forward pass on every node, the loss of the
 * batch (tuples in s->b, rows collected) and its gradient into the
 * parameters' g arrays (zeroed first). Returns the summed tuple loss. */
void kgat_forward(kgat *s);
double kgat_loss(kgat *s, size_t m);
int kgat_backward(kgat *s);
/* Every node's final embedding without dropout into X[0..L] (X[0] = E,
 * the others allocated here, freed by the caller). */
int kgat_propagate_all(kgat *s, float **X);
/* Node v's final embedding [X_0 | N_1 | ... | N_L] into f (fdim floats). */
void kgat_final_row(const kgat *s, float *const *X, size_t v, float *f);
/* One node's layer from its own previous layer x and its message s. */
void kgat_layer_row(const kgat_layer *l, kgat_aggregator agg, const float *x, const float *s,
                    float *out);

/* Adam on a parameter with the given phase's moments. */
void kgat_adam(kgat *s, kgat_param *p, int phase, float step);

static inline float kgat_lrelu(float z)
{
    return z > 0.0f ? z : KGAT_SLOPE * z;
}

struct rec_model;
/* A trained model's top-k knowledge neighbours of an item by attention
 * weight (rec_model_kg_neighbors; arguments checked). */
int rec_kgat_neighbors(const struct rec_model *m, uint32_t item, rec_kg_neighbor *out,
                       size_t k, size_t *n_out);

/* Test hooks (tests/test_kgat.c). */
int rec_kgat_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                       const uint32_t *tj, size_t m, uint64_t dropout_seed, double *loss);
double rec_kgat_kge_objective(void *state, const uint32_t *h, const uint32_t *r,
                              const uint32_t *t, const uint32_t *neg, size_t n);

#endif
