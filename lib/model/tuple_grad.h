/* A loss (model/loss.h) carried back to embedding rows: the user row u
 * against item rows v[0..k] (the positive first), under a scoring rule
 *
 *   DOT:         s_t = <u, v_t>          ds/du = v_t,           ds/dv_t = u
 *   NEG_SQDIST:  s_t = -|u - v_t|^2      ds/du = 2 (v_t - u),   ds/dv_t = 2 (u - v_t)
 *
 * Used by every family that trains on sampled tuples: matrix factorization
 * and its variants on their tables, the graph models on their final
 * embeddings. */
#ifndef REC_MODEL_TUPLE_GRAD_H
#define REC_MODEL_TUPLE_GRAD_H

#include <stddef.h>

#include "librec/librec.h"
#include "kernels/kernels.h"
#include "model/loss.h"

typedef struct rec_tuple {
    const float *u;            /* the user row (n floats) */
    const float *const *v;     /* k + 1 item rows, the positive first */
    size_t k;                  /* negatives, >= 1 */
    double weight;             /* the IPS weight of the positive (else 1) */
    const float *flip;         /* NBPO: k + 1 flip logits; else NULL */
} rec_tuple;

/* Scratch for one tuple: scores, dL/ds and dL/dflip, k + 1 each. */
typedef struct rec_tuple_scratch {
    float *s, *ds, *dflip;
} rec_tuple_scratch;

/* The scores of t under `scoring` into sc->s. */
void rec_tuple_scores(const rec_kernels *kern, rec_scoring scoring, const rec_tuple *t,
                      size_t n, float *s);

/* The loss of t, and its gradient times `scale` added to du and to dv[0..k]
 * (n floats each). Rows of dv may repeat (a negative drawn twice): each
 * addition reads the inputs only. dL/dflip (unscaled) is left in
 * sc->dflip for NBPO. Returns the unscaled loss. */
double rec_tuple_grad(const rec_kernels *kern, const rec_loss *l, rec_scoring scoring,
                      const rec_tuple *t, size_t n, float scale, float *du, float *const *dv,
                      const rec_tuple_scratch *sc);

#endif
