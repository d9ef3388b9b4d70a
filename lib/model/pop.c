/* Popularity ranking: every user gets the items with the most training
 * interactions. The baseline any personalised model has to beat. Its
 * serving form is rank 1: U[u] = 1, V[i] = number of interactions of i. */
#include "model/family.h"

#include "core/alloc.h"
#include "core/error.h"

static int pop_setup(void **state, const rec_dataset *train, const rec_train_options *opts)
{
    (void)opts;
    *state = (void *)train; /* the counts are all there is: nothing to train */
    return REC_OK;
}

static int pop_export(void *state, rec_serving *out, rec_tensors *tensors)
{
    (void)tensors;
    const rec_dataset *train = state;
    int rc = rec_serving_alloc(out, rec_ds_n_users(train), rec_ds_n_items(train), 1,
                               REC_SCORING_DOT, 0);
    if (rc != REC_OK)
        return rc;
    for (size_t u = 0; u < out->n_users; u++)
        out->U[u * out->ld] = 1.0f;
    for (size_t i = 0; i < out->n_items; i++)
        out->V[i * out->ld] = (float)(train->item_ptr[i + 1] - train->item_ptr[i]);
    return REC_OK;
}

static void pop_destroy(void *state)
{
    (void)state;
}

/* A folded-in user ranks items by popularity like everyone else. */
static int pop_fold_in(const struct rec_model *m, const uint32_t *items, size_t n, float *out)
{
    (void)m;
    (void)items;
    (void)n;
    out[0] = 1.0f;
    return REC_OK;
}

const rec_family rec_family_pop = {
    .name = "pop",
    .summary = "popularity ranking: items by their number of training interactions",
    .params = NULL,
    .n_params = 0,
    .setup = pop_setup,
    .epoch = NULL,
    .export_state = pop_export,
    .destroy = pop_destroy,
    .fold_in = pop_fold_in,
};
