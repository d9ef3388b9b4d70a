/* Top-K recommendation on the serving form, shared by every model family. */
#ifndef REC_MODEL_RECOMMEND_H
#define REC_MODEL_RECOMMEND_H

#include "kernels/kernels.h"
#include "model/serving.h"

/* The k best items for the user vector u (best first, ties by lower item
 * id), excluding the sorted ids `seen` and the ids `block` in any order (all
 * < n_items). out must hold min(k, n_items) entries. REC_ENOMEM (message
 * set). */
int rec_recommend_items(const rec_serving *s, const float *u, const uint32_t *seen,
                        size_t n_seen, size_t k, const uint32_t *block,
                        size_t n_block, rec_scored *out, size_t *n_out);

#endif
