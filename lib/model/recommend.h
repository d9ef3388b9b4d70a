/* Top-K recommendation on the serving form, shared by every model family. */
#ifndef REC_MODEL_RECOMMEND_H
#define REC_MODEL_RECOMMEND_H

#include "data/dataset.h"
#include "kernels/kernels.h"
#include "model/serving.h"

/* The k best items for user u (best first, ties by lower item id),
 * excluding u's items in `exclude` (NULL: none) and the sorted-or-not
 * `block` ids (all < n_items). out must hold min(k, n_items) entries.
 * REC_ENOMEM (message set). */
int rec_recommend_items(const rec_serving *s, const rec_dataset *exclude,
                        uint32_t u, size_t k, const uint32_t *block,
                        size_t n_block, rec_scored *out, size_t *n_out);

#endif
