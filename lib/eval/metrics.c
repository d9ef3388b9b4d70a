#include "eval/metrics.h"

#include <math.h>

const char *rec_measure_name(rec_measure m)
{
    switch (m) {
    case REC_MEASURE_RECALL:    return "recall";
    case REC_MEASURE_NDCG:      return "ndcg";
    case REC_MEASURE_PRECISION: return "precision";
    case REC_MEASURE_HIT:       return "hit";
    default:                    return "?";
    }
}

/* Discount of rank r (0-based): 1 / log2(r + 2). */
static double discount(size_t r)
{
    return 1.0 / log2((double)r + 2.0);
}

void rec_metrics_add_user(const uint8_t *hit, size_t n_ranked, size_t n_relevant,
                          const unsigned *ks, size_t n_ks, double *sums)
{
    for (size_t c = 0; c < n_ks; c++) {
        size_t k = ks[c];
        size_t top = n_ranked < k ? n_ranked : k;
        size_t hits = 0;
        double dcg = 0.0, idcg = 0.0;
        for (size_t r = 0; r < top; r++) {
            if (hit[r]) {
                hits++;
                dcg += discount(r);
            }
        }
        size_t ideal = n_relevant < k ? n_relevant : k;
        for (size_t r = 0; r < ideal; r++)
            idcg += discount(r);
        double *s = sums + c * REC_MEASURE_COUNT;
        s[REC_MEASURE_RECALL] += (double)hits / (double)n_relevant;
        s[REC_MEASURE_NDCG] += dcg / idcg;
        s[REC_MEASURE_PRECISION] += (double)hits / (double)k;
        s[REC_MEASURE_HIT] += hits > 0 ? 1.0 : 0.0;
    }
}
