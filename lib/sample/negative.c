#include "sample/negative.h"

#include "sample/complement.h"

uint32_t rec_sample_negative(const rec_dataset *ds, uint32_t u, rec_rng *r)
{
    /* A uniform distribution owns no memory: nothing to free. */
    rec_item_dist uniform = { .n_items = rec_ds_n_items(ds), .total = (double)rec_ds_n_items(ds) };
    rec_complement c;
    rec_complement_init(&c, &uniform, ds->user_items + ds->user_ptr[u],
                        ds->user_ptr[u + 1] - ds->user_ptr[u], NULL, NULL);
    return rec_complement_empty(&c) ? REC_NO_ITEM : rec_complement_draw(&c, r);
}
