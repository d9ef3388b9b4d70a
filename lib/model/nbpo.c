/* NBPO, noisy-label robust Bayesian point-wise optimization (Yu and Qin,
 * SIGIR 2020: sampler design for implicit feedback data by noisy-label
 * robust learning), on the engine of model/mf_engine.h.
 *
 * An unobserved pair is either a true negative or a true positive whose
 * label flipped to unobserved (the user never met the item). With
 * p = sigmoid(score) the probability of a true positive and rho the flip
 * probability, the likelihood of the observations is
 *
 *   P(observed)   = (1 - rho) p
 *   P(unobserved) = rho p + (1 - p)
 *
 * and training maximises it over each positive and its sampled negatives
 * (REC_LOSS_NBPO). A sampled negative the model scores high costs little
 * when rho is large: it may be a missed positive, which is the point.
 *
 * The flip rate: rho_ui = sigmoid(logit(flip) + <P[u], Q[i]>). With
 * flip_dim = 0 it is the constant `flip`; with flip_dim > 0 low-rank
 * factors P and Q (as the paper models the flip probabilities) start at
 * zero-mean values of scale 0.01 and are learned with the model by SGD on
 * the same likelihood, regularised by reg. */
#include <math.h>
#include <string.h>

#include "model/common_params.h"
#include "model/mf_engine.h"

static const rec_param_def nbpo_params[] = {
    REC_MF_PARAMS_HEAD("100", "0.05", "0.005", "constant"),
    { "flip", REC_PARAM_FLOAT, "0.1", 0, 1, 1, 1, NULL, "(0, 1)",
      "flip rate: the probability that a true positive goes unobserved (the base "
      "rate when flip_dim > 0)" },
    { "flip_dim", REC_PARAM_INT, "0", 0, 1024, 0, 0, NULL, "[0, 1024]",
      "dimension of the learned low-rank flip factors (0: the constant rate `flip`)" },
    REC_PARAM_SAMPLER("uniform"),
    REC_PARAM_ALPHA,
    REC_PARAM_CANDIDATES,
    REC_PARAM_NEGATIVES("4"),
    REC_MF_PARAMS_TAIL("20", "5"),
};

#define FLIP_INIT_SCALE 0.01
/* Table ids of the flip factors' initial values (U and V are 0 and 1). */
enum { TABLE_P = 2, TABLE_Q = 3 };

int rec_nbpo_setup(mf_run *r)
{
    double flip = rec_opt_float(r->opts, "flip");
    size_t fdim = (size_t)rec_opt_int(r->opts, "flip_dim");
    r->flip_bias = (float)log(flip / (1.0 - flip));
    r->learn_flip = fdim > 0;
    if (!r->learn_flip)
        return REC_OK;
    int rc = rec_table_alloc(&r->P, r->U.rows, fdim);
    if (rc == REC_OK)
        rc = rec_table_alloc(&r->Q, r->V.rows, fdim);
    if (rc != REC_OK)
        return rc;
    rec_table_init(&r->P, REC_INIT_NORMAL, FLIP_INIT_SCALE, r->seed, TABLE_P, r->threads);
    rec_table_init(&r->Q, REC_INIT_NORMAL, FLIP_INIT_SCALE, r->seed, TABLE_Q, r->threads);
    return REC_OK;
}

void rec_nbpo_flip_logits(const mf_run *r, uint32_t u, const uint32_t *items, size_t n,
                          float *z)
{
    for (size_t t = 0; t < n; t++)
        z[t] = r->flip_bias + (r->learn_flip ? r->k->dot(rec_table_row(&r->P, u),
                                                         rec_table_row(&r->Q, items[t]),
                                                         r->P.ld)
                                             : 0.0f);
}

void rec_nbpo_flip_step(mf_run *r, rec_mf_worker *w, uint32_t u, const uint32_t *items,
                        size_t n, const float *dz)
{
    size_t ld = r->P.ld;
    float *pu = rec_table_row(&r->P, u), *gp = w->flip_grad;
    memset(gp, 0, (n + 1) * ld * sizeof(float));
    for (size_t t = 0; t < n; t++) {
        float *gq = gp + (t + 1) * ld;
        r->k->axpy(dz[t], rec_table_row(&r->Q, items[t]), gp, ld);
        r->k->axpy(dz[t], pu, gq, ld);
        r->k->axpy(r->reg, rec_table_row(&r->Q, items[t]), gq, ld);
    }
    r->k->axpy(r->reg, pu, gp, ld);
    r->k->axpy(-r->lr, gp, pu, ld);
    for (size_t t = 0; t < n; t++)
        r->k->axpy(-r->lr, gp + (t + 1) * ld, rec_table_row(&r->Q, items[t]), ld);
}

REC_MF_FAMILY(rec_family_nbpo, "nbpo",
              "NBPO: matrix factorization under a noisy-label likelihood in which "
              "unobserved items may be missed positives",
              nbpo_params, REC_MF_NBPO);
