#include "model/recommend.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/item_set.h"

/* Merges two sorted id lists into out (duplicates allowed). */
static size_t merge(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                    uint32_t *out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na && j < nb)
        out[n++] = a[i] <= b[j] ? a[i++] : b[j++];
    while (i < na)
        out[n++] = a[i++];
    while (j < nb)
        out[n++] = b[j++];
    return n;
}

int rec_recommend_items(const rec_serving *s, const float *u, const uint32_t *seen,
                        size_t n_seen, size_t k, const uint32_t *block,
                        size_t n_block, rec_scored *out, size_t *n_out)
{
    *n_out = 0;
    if (k == 0 || s->n_items == 0)
        return REC_OK;

    float *scores = rec_malloc_array(s->n_items, sizeof *scores);
    uint32_t *excluded = NULL;
    if (n_block) {
        excluded = rec_malloc_array(n_seen + 2 * n_block, sizeof *excluded);
        if (excluded) {
            /* The caller's blocklist may be in any order: sort a copy, then
             * merge it with the (sorted) training row. */
            uint32_t *sorted = excluded + n_seen + n_block;
            memcpy(sorted, block, n_block * sizeof *sorted);
            qsort(sorted, n_block, sizeof *sorted, rec_cmp_u32);
            n_seen = merge(seen, n_seen, sorted, n_block, excluded);
            seen = excluded;
        }
    }
    if (!scores || (n_block && !excluded)) {
        rec_free(scores);
        rec_free(excluded);
        return rec_error_nomem();
    }

    rec_serving_score_all(s, u, scores);
    *n_out = rec_topk(scores, s->n_items, k, seen, n_seen, out);
    rec_free(scores);
    rec_free(excluded);
    return REC_OK;
}
