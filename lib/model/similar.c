#include "model/similar.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"

int rec_similar_rows(const rec_serving *s, int users, uint32_t q, size_t k,
                     rec_similarity sim, rec_scored *out, size_t *n_out)
{
    *n_out = 0;
    const float *T = users ? s->U : s->V;
    size_t n = users ? s->n_users : s->n_items, ld = s->ld;
    if (k == 0 || n == 0)
        return REC_OK;
    float *scores = rec_malloc_array(n, sizeof *scores);
    if (!scores)
        return rec_error_nomem();
    const rec_kernels *K = rec_kernels_get();
    const float *a = T + (size_t)q * ld;
    switch (sim) {
    case REC_SIMILARITY_DOT:
        K->score_dot(a, T, ld, n, NULL, scores);
        break;
    case REC_SIMILARITY_COSINE: {
        double aa = K->dot(a, a, ld);
        for (size_t j = 0; j < n; j++) {
            const float *b = T + j * ld;
            double bb = K->dot(b, b, ld);
            /* A zero vector points nowhere: it is similar to nothing. */
            scores[j] = aa > 0.0 && bb > 0.0
                            ? (float)(K->dot(a, b, ld) / (sqrt(aa) * sqrt(bb)))
                            : 0.0f;
        }
        break;
    }
    case REC_SIMILARITY_NEG_SQDIST:
        for (size_t j = 0; j < n; j++)
            scores[j] = -K->sqdist(a, T + j * ld, ld);
        break;
    }
    *n_out = rec_topk(scores, n, k, &q, 1, out);
    rec_free(scores);
    return REC_OK;
}
