/* Rel-MF (Saito, Yaginuma, Nishino, Sakata and Nakata, WSDM 2020:
 * unbiased recommender learning from missing-not-at-random implicit
 * feedback) on the engine of model/mf_engine.h.
 *
 * A click needs exposure and relevance; popular items are exposed more,
 * so their clicks say less about relevance. The propensity of item i is
 * its relative popularity theta_i = (n_i / max_j n_j)^eta, and each
 * observed pair (u, i) enters the point-wise log loss with weight
 * w_i = 1 / theta_i on "relevant" and 1 - w_i on "not relevant": in
 * expectation over exposure this is the loss on true relevance (the
 * unbiased estimator). Rare items get large weights; the clipped
 * estimator bounds them by using max(theta_i, clip). Sampled negatives are
 * unobserved pairs and enter as "not relevant" with weight 1. */
#include <math.h>

#include "core/alloc.h"
#include "model/common_params.h"
#include "model/mf_engine.h"

static const rec_param_def relmf_params[] = {
    REC_MF_PARAMS_HEAD("40", "0.01", "0.005", "constant"),
    REC_PARAM_OPTIMIZER("sgd"),
    { "eta", REC_PARAM_FLOAT, "0.5", 0, 10, 0, 0, NULL, "[0, 10]",
      "propensity of item i: (n_i / max n)^eta, n_i its training interactions" },
    { "clip", REC_PARAM_FLOAT, "0.1", 0, 1, 0, 0, NULL, "[0, 1]",
      "clipped estimator: propensities below this are raised to it (0: unclipped)" },
    REC_PARAM_SAMPLER("uniform"),
    REC_PARAM_ALPHA,
    REC_PARAM_CANDIDATES,
    REC_PARAM_NEGATIVES("20"),
    REC_MF_PARAMS_TAIL("20", "5"),
};

int rec_relmf_weights(mf_run *r)
{
    const rec_dataset *ds = r->ds;
    size_t n_items = rec_ds_n_items(ds), top = 0;
    double eta = rec_opt_float(r->opts, "eta"), clip = rec_opt_float(r->opts, "clip");
    r->item_weight = rec_malloc_array(n_items ? n_items : 1, sizeof *r->item_weight);
    if (!r->item_weight)
        return REC_ENOMEM;
    for (size_t i = 0; i < n_items; i++) {
        size_t n = ds->item_ptr[i + 1] - ds->item_ptr[i];
        top = n > top ? n : top;
    }
    for (size_t i = 0; i < n_items; i++) {
        size_t n = ds->item_ptr[i + 1] - ds->item_ptr[i];
        double theta = top ? pow((double)n / (double)top, eta) : 1.0;
        theta = theta > clip ? theta : clip;
        /* An item nobody trained on is never a positive: its weight is
         * never read. */
        r->item_weight[i] = theta > 0.0 ? (float)(1.0 / theta) : 1.0f;
    }
    return REC_OK;
}

REC_MF_FAMILY(rec_family_relmf, "relmf",
              "Rel-MF: matrix factorization under the inverse-propensity estimator of "
              "the relevance loss",
              relmf_params, REC_MF_RELMF);
