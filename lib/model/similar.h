/* Items similar to an item, users similar to a user: nearest rows of the
 * serving form's V or U under a similarity of vectors. */
#ifndef REC_MODEL_SIMILAR_H
#define REC_MODEL_SIMILAR_H

#include "kernels/kernels.h"
#include "model/serving.h"

/* The k rows of U (users non-zero) or V most similar to row q, best first,
 * ties by lower id, q itself left out, into out (k entries, k < the row
 * count); returns how many. Item biases are not used. sim is checked by
 * the caller. REC_ENOMEM (message set). */
int rec_similar_rows(const rec_serving *s, int users, uint32_t q, size_t k,
                     rec_similarity sim, rec_scored *out, size_t *n_out);

#endif
