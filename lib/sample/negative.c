#include "sample/negative.h"

uint32_t rec_sample_negative(const rec_dataset *ds, uint32_t u, rec_rng *r)
{
    size_t n_items = rec_ds_n_items(ds);
    const uint32_t *row = ds->user_items + ds->user_ptr[u];
    size_t deg = ds->user_ptr[u + 1] - ds->user_ptr[u];
    if (deg >= n_items)
        return REC_NO_ITEM;

    if (deg * 2 <= n_items) {
        /* Rejection: each draw succeeds with probability >= 1/2. */
        for (;;) {
            uint32_t j = rec_rng_below(r, (uint32_t)n_items);
            if (!rec_dataset_has(ds, u, j))
                return j;
        }
    }

    /* Dense row: take the k-th item of the complement. Walking the sorted
     * row, every positive at or below the candidate shifts it up by one. */
    uint32_t j = rec_rng_below(r, (uint32_t)(n_items - deg));
    for (size_t p = 0; p < deg && row[p] <= j; p++)
        j++;
    return j;
}
