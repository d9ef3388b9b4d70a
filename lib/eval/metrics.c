#include "eval/metrics.h"

#include <math.h>

const char *rec_measure_name(rec_measure m)
{
    switch (m) {
    case REC_MEASURE_RECALL:    return "recall";
    case REC_MEASURE_NDCG:      return "ndcg";
    case REC_MEASURE_PRECISION: return "precision";
    case REC_MEASURE_HIT:       return "hit";
    case REC_MEASURE_MRR:       return "mrr";
    case REC_MEASURE_MAP:       return "map";
    case REC_MEASURE_NDCG_RETRIEVED: return "ndcg_retrieved";
    default:                    return "?";
    }
}

/* Discount of rank r (0-based): 1 / log2(r + 2). */
static double discount(size_t r)
{
    return 1.0 / log2((double)r + 2.0);
}

/* Sum of the discounts of ranks 0..n-1: the DCG of n hits at the top. */
static double ideal_dcg(size_t n)
{
    double d = 0.0;
    for (size_t r = 0; r < n; r++)
        d += discount(r);
    return d;
}

void rec_metrics_add_user(const uint8_t *hit, size_t n_ranked, size_t n_relevant,
                          const unsigned *ks, size_t n_ks, double *sums, size_t stride)
{
    size_t retrieved = 0; /* hits in the whole list, for NDCG_RETRIEVED */
    for (size_t r = 0; r < n_ranked; r++)
        retrieved += hit[r];
    for (size_t c = 0; c < n_ks; c++) {
        size_t k = ks[c];
        size_t top = n_ranked < k ? n_ranked : k;
        size_t hits = 0, first = 0;
        double dcg = 0.0, ap = 0.0;
        for (size_t r = 0; r < top; r++) {
            if (hit[r]) {
                hits++;
                dcg += discount(r);
                ap += (double)hits / (double)(r + 1);
                if (!first)
                    first = r + 1;
            }
        }
        size_t ideal = n_relevant < k ? n_relevant : k;
        size_t ideal_retrieved = retrieved < k ? retrieved : k;
        double v[REC_MEASURE_COUNT];
        v[REC_MEASURE_RECALL] = (double)hits / (double)n_relevant;
        v[REC_MEASURE_NDCG] = dcg / ideal_dcg(ideal);
        v[REC_MEASURE_PRECISION] = (double)hits / (double)k;
        v[REC_MEASURE_HIT] = hits > 0 ? 1.0 : 0.0;
        v[REC_MEASURE_MRR] = first ? 1.0 / (double)first : 0.0;
        v[REC_MEASURE_MAP] = ap / (double)ideal;
        v[REC_MEASURE_NDCG_RETRIEVED] = hits ? dcg / ideal_dcg(ideal_retrieved) : 0.0;
        for (int m = 0; m < REC_MEASURE_COUNT; m++)
            sums[(c * REC_MEASURE_COUNT + (size_t)m) * stride] += v[m];
    }
}
