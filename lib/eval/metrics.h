/* Ranking measures of one user's list (docs/metrics.md has the formulas).
 * The first four follow the LightGCN evaluation code: binary relevance,
 * Recall@K = hits / |T_u|, Precision@K = hits / K, NDCG@K with the ideal DCG
 * of min(K, |T_u|) hits, Hit@K = 1 if any hit. Then MRR@K, MAP@K (average
 * precision over min(K, |T_u|)) and the NGCF/KGAT code's NDCG, whose ideal
 * DCG is that of the hits retrieved in the whole list moved to the top. */
#ifndef REC_EVAL_METRICS_H
#define REC_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The measures computed at every cut-off, in output order. */
typedef enum rec_measure {
    REC_MEASURE_RECALL = 0,
    REC_MEASURE_NDCG,
    REC_MEASURE_PRECISION,
    REC_MEASURE_HIT,
    REC_MEASURE_MRR,
    REC_MEASURE_MAP,
    REC_MEASURE_NDCG_RETRIEVED,
    REC_MEASURE_COUNT
} rec_measure;

const char *rec_measure_name(rec_measure m);

/* hit[r] = 1 if the item at rank r (0-based) of the user's list is relevant,
 * for r < n_ranked (the list is as long as the largest cut-off allows).
 * n_relevant = |T_u| > 0. For each cut-off ks[c], adds the user's measures
 * to sums[(c * REC_MEASURE_COUNT + m) * stride]. */
void rec_metrics_add_user(const uint8_t *hit, size_t n_ranked, size_t n_relevant,
                          const unsigned *ks, size_t n_ks, double *sums, size_t stride);

#endif
