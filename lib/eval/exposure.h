/* Item-exposure measures of a set of top-K lists: how evenly a recommender
 * spreads its slots over the catalogue, regardless of relevance. The
 * corrected ("fair_*") forms are those of Rampisela et al., "Evaluation
 * Measures of Individual Item Fairness for Recommender Systems: A Critical
 * Study" (ACM TORS 3(2), 2024, doi 10.1145/3631943), as the authors'
 * reference code computes them.
 *
 * Notation: n = n_items, the whole catalogue (items never recommended count
 * with c_i = 0, as in the paper: dropping them would change every measure);
 * m = n_lists; k' = the number of entries each list holds at the cut-off;
 * c_i = the number of lists whose first k' entries hold item i; S = the
 * sum of c_i (m k'); U = the number of items with c_i > 0; q = floor(S / n),
 * r = S mod n (the most even exposure gives r items q + 1 and the rest q).
 *
 * NaN marks a value that is undefined, never 0 or inf:
 *  - n = 0: everything;
 *  - m = 0 or S = 0: everything except coverage (then 0);
 *  - lists of different lengths at the cut-off: the fair_* measures and ai_d,
 *    whose bounds assume one common k'; coverage, entropy, gini and vocd
 *    still come from the counts;
 *  - m = 1 or k' = n: fair_jain, fair_qf, fair_entropy and fair_gini (the
 *    fairest and unfairest attainable values coincide: 0/0; for Gini with
 *    m = 1 too, as G_min = 1 - k'/n then);
 *  - k' = n: fair_fsat; m = 1 or Gw_max = Gw_min: fair_gini_w;
 *  - fewer than 2 exposed items: vocd (a mean over no pair).
 * II-D is not reported: for lists of k' distinct items it depends on n and
 * k' only, so it cannot tell two recommenders apart. */
#ifndef REC_EVAL_EXPOSURE_H
#define REC_EVAL_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

/* The measures, in output order. "Fairer" is higher for coverage, entropy,
 * fair_jain, fair_qf, fair_entropy and fair_fsat, lower for the rest. */
typedef enum rec_exposure_measure {
    /* "coverage": U / n, the share of the catalogue recommended at least
     * once (QF). */
    REC_EXPOSURE_COVERAGE = 0,
    /* "entropy": -sum p_i ln p_i with p_i = c_i / S, in nats, over the
     * exposed items (0 log 0 = 0). */
    REC_EXPOSURE_ENTROPY,
    /* "gini": sum_j (2j - n - 1) c_(j) / (n S) over all n counts sorted
     * ascending, zeros included (Gini_ori). */
    REC_EXPOSURE_GINI,
    /* "fair_jain": (Jain - k'/n) / (J_max - k'/n), Jain = S^2 / (n sum c_i^2),
     * J_max = S^2 / (n (n q^2 + r (2q + 1))). */
    REC_EXPOSURE_FAIR_JAIN,
    /* "fair_qf": (U - k') / (min(n, S) - k'). */
    REC_EXPOSURE_FAIR_QF,
    /* "fair_entropy": (H - log_n k') / (H_max - log_n k'), H the entropy in
     * base n; H_max = log_n S if S < n, else that of the most even exposure. */
    REC_EXPOSURE_FAIR_ENTROPY,
    /* "fair_fsat": (FSat - k'/n) / (1 - k'/n), FSat the share of items with
     * c_i >= q. Not clamped: it is negative for some lists once q >= 2 and
     * k' >= 2 (k'/n is not the true minimum), and always 1 when S < n
     * (q = 0 satisfies every item). */
    REC_EXPOSURE_FAIR_FSAT,
    /* "fair_gini": (Gini - G_min) / (1 - k'/n - G_min),
     * G_min = r (n - r) / (n S). */
    REC_EXPOSURE_FAIR_GINI,
    /* "fair_gini_w": (Gini_w - Gw_min) / (Gw_max - Gw_min), Gini_w the gini
     * of w_i = sum over lists of 1/log2(p + 1), p the 1-based rank of i.
     * Gw_max: every list the same, in the same order. Gw_min: S <= n slots
     * all on distinct items; when S > n the reference code's 0, which is
     * not attainable in general, so 0 is out of reach there. */
    REC_EXPOSURE_FAIR_GINI_W,
    /* "ai_d": (1/n) sum_i ((1/m) sum_u E_ui - E~)^2, E_ui = 0.8^(p - 1) at
     * rank p, E~ = (1 - 0.8^k') / (0.2 n). No normalised form. */
    REC_EXPOSURE_AI_D,
    /* "vocd": the mean over pairs of exposed items of
     * |c_i - c_j| / max(c_i, c_j). Unexposed items are ignored, so the same
     * k' items for everyone score 0: read it with coverage. */
    REC_EXPOSURE_VOCD,
    REC_EXPOSURE_COUNT
} rec_exposure_measure;

const char *rec_exposure_name(rec_exposure_measure m);

/* Per-item working space for rec_exposure_at, so that evaluating many
 * cut-offs allocates once. */
typedef struct rec_exposure_scratch rec_exposure_scratch;

/* Space for a catalogue of n_items. REC_OK or REC_ENOMEM. */
int rec_exposure_scratch_new(rec_exposure_scratch **out, size_t n_items);
void rec_exposure_scratch_free(rec_exposure_scratch *s);

/* The measures at cut-off k of n_lists lists into out[REC_EXPOSURE_COUNT].
 * List l is items[l * stride .. l * stride + len[l]), best first, of
 * distinct items, each < n_items (s must have been made for at least
 * n_items); only its first k' = min(k, len[l]) entries count. Sums run in
 * list order, then item order, so the result is deterministic. */
void rec_exposure_at(rec_exposure_scratch *s, const uint32_t *items, size_t stride,
                     const uint32_t *len, size_t n_lists, size_t n_items, unsigned k,
                     double *out);

#endif
