/* A family's training objective from its settings: the loss (model/loss.h)
 * and the sampler of negatives (sample/sampler.h), for families whose
 * tables include REC_PARAMS_OBJECTIVE. */
#ifndef REC_MODEL_OBJECTIVE_H
#define REC_MODEL_OBJECTIVE_H

#include "model/family.h"
#include "model/loss.h"
#include "sample/sampler.h"

typedef struct rec_objective {
    rec_loss loss;
    struct rec_sampler *sampler;   /* seeded with the family's seed */
    unsigned negatives;
    /* 1 when the sampler is uniform with one negative and the loss BPR:
     * families may keep a fused fast path for it. */
    int plain_bpr;
} rec_objective;

/* Reads the settings and builds the sampler over train. */
int rec_objective_init(rec_objective *ob, const rec_train_options *o,
                       const rec_dataset *train);
void rec_objective_free(rec_objective *ob);

#endif
