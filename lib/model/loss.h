/* Training objectives over the scores of one training tuple: a user's
 * positive item and k negatives (docs/losses.md has the formulas).
 *
 * A loss sees scores only, so one definition serves every scoring rule and
 * every model: the caller computes s[0] (the positive) and s[1..k] (the
 * negatives), asks for the loss and dL/ds, and carries dL/ds back through
 * its own scoring (model/tuple_grad.h for embedding rows). */
#ifndef REC_MODEL_LOSS_H
#define REC_MODEL_LOSS_H

#include <stddef.h>

typedef enum rec_loss_kind {
    /* mean over the k pairs of softplus(-(s0 - sq)) */
    REC_LOSS_BPR,
    /* softplus(-s0) + sum_q softplus(sq): each item a labelled example */
    REC_LOSS_BCE,
    /* -log softmax(s / temperature)[0] over the positive and k negatives */
    REC_LOSS_SOFTMAX,
    /* mean over the k pairs of max(0, margin - s0 + sq) */
    REC_LOSS_HINGE,
    /* CML's weighted approximate-rank hinge: the pair of the hardest
     * negative, weighted by log(1 + floor(n_items * M / k)) where M of the
     * k negatives violate the margin (0 when none does) */
    REC_LOSS_HINGE_RANKED,
    /* Rel-MF's inverse-propensity estimator: with w = 1 / propensity of the
     * positive item, w softplus(-s0) + (1 - w) softplus(min(s0, cap))
     * + sum_q softplus(sq), cap = REC_IPS_SCORE_CAP. For w > 1 the middle
     * term is negative and falls without bound as s0 grows; the cap (the
     * point where sigmoid(s0) = 0.999) bounds it, and beyond it only the
     * first term acts. */
    REC_LOSS_IPS,
    /* NBPO's noisy-label likelihood, with flip logits z (rho = sigmoid(z),
     * the probability that a true positive goes unobserved):
     * -log((1 - rho_0) sigmoid(s0)) - sum_q log(1 - (1 - rho_q) sigmoid(sq)) */
    REC_LOSS_NBPO,
} rec_loss_kind;

/* logit(0.999) */
#define REC_IPS_SCORE_CAP 6.906754778648554

typedef struct rec_loss {
    rec_loss_kind kind;
    double temperature;   /* SOFTMAX, > 0 */
    double margin;        /* HINGE, HINGE_RANKED, >= 0 */
    size_t n_items;       /* HINGE_RANKED: the catalogue size */
} rec_loss;

/* The loss of one tuple and its derivatives. s: k + 1 scores (positive
 * first), k >= 1. w: the IPS weight of the positive (IPS only; 1
 * otherwise). z: k + 1 flip logits (NBPO only; NULL otherwise). Writes
 * dL/ds into ds[0..k] and, for NBPO, dL/dz into dz[0..k]. All arithmetic
 * is in double: the gradient checks compare against finite differences. */
double rec_loss_eval(const rec_loss *l, size_t k, const float *s, double w, const float *z,
                     float *ds, float *dz);

/* 1 if the loss reads flip logits (NBPO). */
static inline int rec_loss_has_flip(const rec_loss *l)
{
    return l->kind == REC_LOSS_NBPO;
}

#endif
