/* Popularity ranking: every user gets the items with the most training
 * interactions. The baseline any personalised model has to beat. Its
 * serving form is rank 1: U[u] = 1, V[i] = number of interactions of i. */
#include "model/family.h"

#include <math.h>

#include "core/error.h"

static int pop_train(const rec_dataset *train, const rec_train_options *opts,
                     rec_serving *out, rec_train_result *res)
{
    (void)opts;
    int rc = rec_serving_alloc(out, rec_ds_n_users(train), rec_ds_n_items(train), 1,
                               REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    for (size_t u = 0; u < out->n_users; u++)
        out->U[u * out->ld] = 1.0f;
    for (size_t i = 0; i < out->n_items; i++)
        out->V[i * out->ld] = (float)(train->item_ptr[i + 1] - train->item_ptr[i]);
    res->epochs = 0;
    res->final_loss = NAN;
    return REC_OK;
}

const rec_family rec_family_pop = {
    "pop",
    "popularity ranking: items by their number of training interactions",
    NULL,
    0,
    pop_train,
};
