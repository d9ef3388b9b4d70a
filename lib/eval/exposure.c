#include "eval/exposure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/item_set.h"

/* Patience of the AI-D browsing model: the chance of reading on to the
 * next rank, as in the reference code. */
#define AI_D_GAMMA 0.8

struct rec_exposure_scratch {
    size_t n;        /* items every array holds */
    uint32_t *count; /* c_i; sorted ascending once the item-order sums are done */
    double *w;       /* sum of 1/log2(p + 1) over the lists; sorted likewise */
    double *e;       /* sum of AI_D_GAMMA^(p - 1) over the lists */
    double *disc;    /* 1/log2(r + 2) of rank r (0-based): no log in the slot loop */
    double *gain;    /* AI_D_GAMMA^r of rank r */
};

/* What the pass over the lists and the pass over the items find. */
struct tally {
    size_t m, n;
    size_t depth;   /* k' of the first list */
    int equal;      /* every list holds depth entries at the cut-off */
    double slots;   /* S */
    double exposed; /* U */
    double sumsq;   /* sum of c_i^2 */
    double sat;     /* items with c_i >= floor(S / n) */
    double h;       /* entropy in nats */
    double wsum;    /* sum of w_i */
    double ai_d;
};

const char *rec_exposure_name(rec_exposure_measure m)
{
    switch (m) {
    case REC_EXPOSURE_COVERAGE:     return "coverage";
    case REC_EXPOSURE_ENTROPY:      return "entropy";
    case REC_EXPOSURE_GINI:         return "gini";
    case REC_EXPOSURE_FAIR_JAIN:    return "fair_jain";
    case REC_EXPOSURE_FAIR_QF:      return "fair_qf";
    case REC_EXPOSURE_FAIR_ENTROPY: return "fair_entropy";
    case REC_EXPOSURE_FAIR_FSAT:    return "fair_fsat";
    case REC_EXPOSURE_FAIR_GINI:    return "fair_gini";
    case REC_EXPOSURE_FAIR_GINI_W:  return "fair_gini_w";
    case REC_EXPOSURE_AI_D:         return "ai_d";
    case REC_EXPOSURE_VOCD:         return "vocd";
    default:                        return "?";
    }
}

void rec_exposure_scratch_free(rec_exposure_scratch *s)
{
    if (!s)
        return;
    rec_free(s->count);
    rec_free(s->w);
    rec_free(s->e);
    rec_free(s->disc);
    rec_free(s->gain);
    rec_free(s);
}

int rec_exposure_scratch_new(rec_exposure_scratch **out, size_t n_items)
{
    *out = NULL;
    rec_exposure_scratch *s = rec_calloc(1, sizeof *s);
    if (!s)
        return rec_error_nomem();
    s->n = n_items;
    s->count = rec_malloc_array(n_items, sizeof *s->count);
    s->w = rec_malloc_array(n_items, sizeof *s->w);
    s->e = rec_malloc_array(n_items, sizeof *s->e);
    s->disc = rec_malloc_array(n_items, sizeof *s->disc);
    s->gain = rec_malloc_array(n_items, sizeof *s->gain);
    if (!s->count || !s->w || !s->e || !s->disc || !s->gain) {
        rec_exposure_scratch_free(s);
        return rec_error_nomem();
    }
    *out = s;
    return REC_OK;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* num / den, NaN rather than inf or a 0/0 that depends on rounding. */
static double ratio(double num, double den)
{
    return den != 0.0 ? num / den : NAN;
}

/* k' of a list of len entries at cut-off k. */
static size_t depth_at(uint32_t len, unsigned k)
{
    return len < k ? len : k;
}

/* Counts, weights and exposures of the first min(k, len) entries of every
 * list, in list order; S and whether all lists agree on k'. A list of
 * distinct items below n holds at most n of them, so the rank tables of n
 * entries suffice. */
static void tally_lists(rec_exposure_scratch *s, const uint32_t *items, size_t stride,
                        const uint32_t *len, struct tally *t, unsigned k)
{
    size_t n = t->n, top = k < n ? k : n;
    for (size_t r = 0; r < top; r++) {
        s->disc[r] = 1.0 / log2((double)r + 2.0);
        s->gain[r] = pow(AI_D_GAMMA, (double)r);
    }
    memset(s->count, 0, n * sizeof *s->count);
    memset(s->w, 0, n * sizeof *s->w);
    memset(s->e, 0, n * sizeof *s->e);
    size_t slots = 0;
    t->depth = t->m ? depth_at(len[0], k) : 0;
    t->equal = 1;
    for (size_t l = 0; l < t->m; l++) {
        size_t depth = depth_at(len[l], k);
        const uint32_t *list = items + l * stride;
        t->equal &= depth == t->depth;
        for (size_t r = 0; r < depth; r++) {
            uint32_t i = list[r];
            s->count[i]++;
            s->w[i] += s->disc[r];
            s->e[i] += s->gain[r];
        }
        slots += depth;
    }
    t->slots = (double)slots;
}

/* The sums over items, in item order, before the counts are sorted. */
static void tally_items(const rec_exposure_scratch *s, struct tally *t)
{
    double n = (double)t->n, m = (double)t->m, S = t->slots;
    double q = floor(S / n);
    /* AI-D's uniform target: one list's total exposure spread over n. */
    double target = (1.0 - pow(AI_D_GAMMA, (double)t->depth)) / ((1.0 - AI_D_GAMMA) * n);
    t->exposed = t->sumsq = t->sat = t->h = t->wsum = t->ai_d = 0.0;
    for (size_t i = 0; i < t->n; i++) {
        double c = (double)s->count[i], gap = s->e[i] / m - target;
        if (c > 0.0) {
            t->exposed += 1.0;
            t->h -= c / S * log(c / S);
        }
        t->sumsq += c * c;
        t->sat += c >= q;
        t->wsum += s->w[i];
        t->ai_d += gap * gap;
    }
    t->ai_d /= n;
}

/* sum_j (2j - n - 1) c_(j), j 1-based, over ascending counts: n S Gini. */
static double gini_sum_counts(const uint32_t *c, size_t n)
{
    double g = 0.0;
    for (size_t j = 0; j < n; j++)
        g += (2.0 * (double)j + 1.0 - (double)n) * c[j];
    return g;
}

static double gini_sum_weights(const double *w, size_t n)
{
    double g = 0.0;
    for (size_t j = 0; j < n; j++)
        g += (2.0 * (double)j + 1.0 - (double)n) * w[j];
    return g;
}

/* Mean of (c[l] - c[j]) / c[l] over pairs j < l of the ascending exposed
 * counts c[0..u): each c[l] contributes l - (c[0] + .. + c[l - 1]) / c[l],
 * whose numerator l c[l] - prefix is an exact integer. O(u), where the
 * pairs themselves are O(u^2). */
static double vocd(const uint32_t *c, size_t u)
{
    if (u < 2)
        return NAN;
    uint64_t prefix = 0;
    double sum = 0.0;
    for (size_t l = 0; l < u; l++) {
        sum += (double)((uint64_t)l * c[l] - prefix) / c[l];
        prefix += c[l];
    }
    return sum / ((double)u * (double)(u - 1) / 2.0);
}

/* (Jain - k'/n) / (J_max - k'/n) with both differences over the common
 * factor: Jain - k'/n = (S^2 - k' sum c^2) / (n sum c^2), and J_max the
 * same with sum c^2 of the most even exposure, n q^2 + r (2q + 1). */
static double fair_jain(const struct tally *t, double q, double r)
{
    double k = (double)t->depth, S2 = t->slots * t->slots;
    double even = (double)t->n * q * q + r * (2.0 * q + 1.0);
    return ratio(S2 - k * t->sumsq, S2 - k * even) * (even / t->sumsq);
}

/* (H - ln k') / (H_max - ln k'): the base-n logs of the definition share
 * the factor 1 / ln n, which cancels. */
static double fair_entropy(const struct tally *t, double q, double r)
{
    double n = (double)t->n, S = t->slots, hmax;
    if (S < n)
        hmax = log(S);
    else
        hmax = -(n - r) * (q / S) * log(q / S) - r * ((q + 1.0) / S) * log((q + 1.0) / S);
    double lk = log((double)t->depth);
    return ratio(t->h - lk, hmax - lk);
}

/* Gw_max: every list the same, in the same order, so the item at rank p
 * carries m/log2(p + 1) and takes sorted place n - p + 1; m cancels.
 * Gw_min for S <= n: m distinct items at each rank p, in places
 * n - p m + 1 .. n - p m + m, whose (2j - n - 1) sum to m (n - (2p - 1) m);
 * the reference code's 0 for S > n. */
static void gini_w_bounds(const rec_exposure_scratch *s, const struct tally *t,
                          double *gmax, double *gmin)
{
    double n = (double)t->n, m = (double)t->m;
    double total = 0.0, hi = 0.0, lo = 0.0;
    for (size_t r = 0; r < t->depth; r++) {
        double p = (double)r + 1.0;
        total += s->disc[r];
        hi += (2.0 * (n - p + 1.0) - n - 1.0) * s->disc[r];
        lo += (n - (2.0 * p - 1.0) * m) * s->disc[r];
    }
    *gmax = hi / (n * total);
    *gmin = t->slots <= n ? lo / (n * total) : 0.0;
}

/* The corrected measures, for lists that all hold k' >= 1 entries. */
static void fair_measures(const rec_exposure_scratch *s, const struct tally *t,
                          double gini_sum, double w_gini, double *out)
{
    double n = (double)t->n, k = (double)t->depth, S = t->slots;
    double q = floor(S / n), r = S - q * n;
    double even = r * (n - r); /* n S G_min */
    /* One list, or lists holding the whole catalogue: the fairest and the
     * unfairest recommendation are the same, so Jain, QF, Ent and Gini are
     * 0/0. Tested as such: in floating point the bounds may differ by a
     * rounding error. FSat only needs k' < n. */
    int flat = t->m == 1 || t->depth == t->n;
    out[REC_EXPOSURE_FAIR_JAIN] = flat ? NAN : fair_jain(t, q, r);
    out[REC_EXPOSURE_FAIR_QF] = flat ? NAN : ratio(t->exposed - k, fmin(n, S) - k);
    out[REC_EXPOSURE_FAIR_ENTROPY] = flat ? NAN : fair_entropy(t, q, r);
    out[REC_EXPOSURE_FAIR_FSAT] = ratio(t->sat - k, n - k);
    /* Both differences times n S, which leaves integers. */
    out[REC_EXPOSURE_FAIR_GINI] = flat ? NAN : ratio(gini_sum - even, (n - k) * S - even);
    double gmax, gmin;
    gini_w_bounds(s, t, &gmax, &gmin);
    /* One list: Gw_min's sum is Gw_max's in reverse order, the same value
     * up to rounding. */
    out[REC_EXPOSURE_FAIR_GINI_W] = t->m == 1 ? NAN : ratio(w_gini - gmin, gmax - gmin);
    out[REC_EXPOSURE_AI_D] = t->ai_d;
}

void rec_exposure_at(rec_exposure_scratch *s, const uint32_t *items, size_t stride,
                     const uint32_t *len, size_t n_lists, size_t n_items, unsigned k,
                     double *out)
{
    for (int v = 0; v < REC_EXPOSURE_COUNT; v++)
        out[v] = NAN;
    if (n_items == 0)
        return;
    struct tally t = { .m = n_lists, .n = n_items };
    tally_lists(s, items, stride, len, &t, k);
    if (t.slots == 0.0) {
        out[REC_EXPOSURE_COVERAGE] = 0.0;
        return;
    }
    tally_items(s, &t);
    double n = (double)n_items;
    out[REC_EXPOSURE_COVERAGE] = t.exposed / n;
    out[REC_EXPOSURE_ENTROPY] = t.h;

    qsort(s->count, n_items, sizeof *s->count, rec_cmp_u32);
    qsort(s->w, n_items, sizeof *s->w, cmp_double);
    double gini_sum = gini_sum_counts(s->count, n_items);
    out[REC_EXPOSURE_GINI] = gini_sum / (n * t.slots);
    size_t u = (size_t)t.exposed;
    out[REC_EXPOSURE_VOCD] = vocd(s->count + (n_items - u), u);
    if (t.equal)
        fair_measures(s, &t, gini_sum,
                      gini_sum_weights(s->w, n_items) / (n * t.wsum), out);
}
