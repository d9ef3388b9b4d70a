/* The serving form (DESIGN §2): what every model family exports and what
 * scoring, recommendation, evaluation and model files work on.
 *
 *   score(u, i) = <U[u], V[i]> + b[i]           (REC_SCORING_DOT)
 *   score(u, i) = -|U[u] - V[i]|^2 + b[i]       (REC_SCORING_NEG_SQDIST)
 *
 * Matrices use the common row layout of core/layout.h. */
#ifndef REC_MODEL_SERVING_H
#define REC_MODEL_SERVING_H

#include <stddef.h>
#include <stdint.h>

#include "librec/librec.h"
#include "core/layout.h"

typedef struct rec_serving {
    size_t n_users;
    size_t n_items;
    size_t dim;
    size_t ld;              /* row stride in floats */
    rec_scoring scoring;
    float *U;               /* n_users * ld, REC_ALIGN-aligned */
    float *V;               /* n_items * ld */
    float *item_bias;       /* n_items, or NULL */
    /* Derived when the form is completed (rec_serving_finish), never
     * lazily, so that a model is read-only while serving: */
    float *item_sqnorm;     /* |V[i]|^2, only for NEG_SQDIST */
    double item_norm_max;   /* max |V[i]| */
    double bias_abs_max;    /* max |item_bias[i]|, 0 without a bias */
    /* A model loaded mapped: U and V point into this read-only mapping of
     * its file, which the form owns instead of the matrices. */
    void *mapping;
    size_t mapping_size;
} rec_serving;

/* Allocates zeroed matrices (and a zeroed bias when with_bias). */
int rec_serving_alloc(rec_serving *s, size_t n_users, size_t n_items,
                      size_t dim, rec_scoring scoring, int with_bias);
/* Computes the derived arrays; call once the matrices hold their values. */
int rec_serving_finish(rec_serving *s);
void rec_serving_free(rec_serving *s);

static inline const float *rec_serving_user(const rec_serving *s, uint32_t u)
{
    return s->U + (size_t)u * s->ld;
}
static inline const float *rec_serving_item(const rec_serving *s, uint32_t i)
{
    return s->V + (size_t)i * s->ld;
}

/* Score of item i for a user vector u (ld floats, aligned, zero padding):
 * a row of U, or a folded-in vector. This is "the" score: what
 * rec_model_score() returns and what recommendation ranks by. */
float rec_serving_score(const rec_serving *s, const float *u, uint32_t i);

/* The fast scores: a user vector against all items into out[n_items]
 * (items sixteen at a time), and users[0..nu) against all items into out
 * (nu rows of n_items, row stride n_items) through BLIS sgemm on one thread
 * (callers parallelise over blocks). They sum in other orders than
 * rec_serving_score(), so they differ from it in the last bits, by at most
 * rec_serving_score_margin(). */
void rec_serving_score_all(const rec_serving *s, const float *u, float *out);
int rec_serving_score_block(const rec_serving *s, const uint32_t *users,
                            size_t nu, float *out);

/* A bound on |fast score - rec_serving_score()| over all items for the user
 * vector u, from the rounding error bounds of the two evaluations (twice
 * over, for safety). Finite for a finite model and vector. */
double rec_serving_score_margin(const rec_serving *s, const float *u);

/* Users per block of rec_serving_score_block() that keeps a block's scores
 * within a fixed budget (16 MiB), at most 64. */
size_t rec_serving_block_rows(const rec_serving *s);

#endif
