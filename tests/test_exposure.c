/* Item-exposure measures: the worked examples of the item-fairness notes,
 * the undefined cases, the cut-off, and random lists against a slow
 * implementation written straight from the definitions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "eval/exposure.h"

/* The worked examples are given to 6 decimals. */
#define TABLE_EPS 1e-6
#define EPS 1e-9

/* got == want within tol, or both NaN. */
static void expect(double got, double want, double tol, rec_exposure_measure v, size_t at)
{
    if (isnan(want))
        ck_assert_msg(isnan(got), "%s (case %zu): %.12g, expected NaN",
                      rec_exposure_name(v), at, got);
    else
        ck_assert_msg(fabs(got - want) <= tol, "%s (case %zu): %.12g, expected %.12g",
                      rec_exposure_name(v), at, got, want);
}

/* The measures with a scratch of its own. */
static void measure(const uint32_t *items, size_t stride, const uint32_t *len,
                    size_t m, size_t n, unsigned k, double *out)
{
    rec_exposure_scratch *s = NULL;
    ck_assert_rec(rec_exposure_scratch_new(&s, n), REC_OK, NULL);
    rec_exposure_at(s, items, stride, len, m, n, k, out);
    rec_exposure_scratch_free(s);
}

/* Lists of equal length k, at cut-off k. */
static void measure_equal(const uint32_t *items, size_t m, size_t n, unsigned k, double *out)
{
    uint32_t len[8];
    ck_assert_uint_le(m, 8);
    for (size_t l = 0; l < m; l++)
        len[l] = k;
    measure(items, k, len, m, n, k, out);
}

/* A row of the worked-example table: H is the entropy in base n. */
struct worked {
    size_t n, m;
    unsigned k;
    uint32_t items[12];
    double qf, h, gini;
    double jain_our, qf_our, ent_our, fsat_our, gini_our, gini_w_our, vocd, ai_d;
};

static const struct worked table[] = {
    { 5, 3, 2, { 0, 1, 0, 2, 1, 3 }, 0.8, 0.826165, 0.333333,
      0.64, 0.666667, 0.733680, 0.666667, 0.428571, 0.633490, 0.333333, 0.059733 },
    /* The unfairest: everyone gets the same items. VoCD calls it fair. */
    { 5, 3, 2, { 0, 1, 0, 1, 0, 1 }, 0.4, 0.430677, 0.6,
      0, 0, 0, 0, 1, 1, 0, 0.198400 },
    /* The fairest counts; Gini-w stays above 0 (order, and Gw_min = 0 for
     * S > n is out of reach). */
    { 5, 3, 2, { 0, 1, 2, 3, 4, 0 }, 1, 0.969724, 0.133333,
      1, 1, 1, 1, 0, 0.300156, 0.2, 0.015289 },
    { 8, 4, 3, { 0, 1, 2, 3, 4, 5, 1, 0, 6, 2, 3, 7 }, 1, 0.972765, 0.166667,
      1, 1, 1, 1, 0, 0.382530, 0.285714, 0.018525 },
};

START_TEST(test_worked_examples)
{
    for (size_t c = 0; c < sizeof table / sizeof *table; c++) {
        const struct worked *w = &table[c];
        double v[REC_EXPOSURE_COUNT];
        measure_equal(w->items, w->m, w->n, w->k, v);
        expect(v[REC_EXPOSURE_COVERAGE], w->qf, TABLE_EPS, REC_EXPOSURE_COVERAGE, c);
        /* The table gives H in base n; entropy is in nats. */
        expect(v[REC_EXPOSURE_ENTROPY] / log((double)w->n), w->h, TABLE_EPS,
               REC_EXPOSURE_ENTROPY, c);
        expect(v[REC_EXPOSURE_GINI], w->gini, TABLE_EPS, REC_EXPOSURE_GINI, c);
        expect(v[REC_EXPOSURE_FAIR_JAIN], w->jain_our, TABLE_EPS, REC_EXPOSURE_FAIR_JAIN, c);
        expect(v[REC_EXPOSURE_FAIR_QF], w->qf_our, TABLE_EPS, REC_EXPOSURE_FAIR_QF, c);
        expect(v[REC_EXPOSURE_FAIR_ENTROPY], w->ent_our, TABLE_EPS,
               REC_EXPOSURE_FAIR_ENTROPY, c);
        expect(v[REC_EXPOSURE_FAIR_FSAT], w->fsat_our, TABLE_EPS, REC_EXPOSURE_FAIR_FSAT, c);
        expect(v[REC_EXPOSURE_FAIR_GINI], w->gini_our, TABLE_EPS, REC_EXPOSURE_FAIR_GINI, c);
        expect(v[REC_EXPOSURE_FAIR_GINI_W], w->gini_w_our, TABLE_EPS,
               REC_EXPOSURE_FAIR_GINI_W, c);
        expect(v[REC_EXPOSURE_VOCD], w->vocd, TABLE_EPS, REC_EXPOSURE_VOCD, c);
        expect(v[REC_EXPOSURE_AI_D], w->ai_d, TABLE_EPS, REC_EXPOSURE_AI_D, c);
    }
}
END_TEST

START_TEST(test_names)
{
    const char *want[] = { "coverage", "entropy", "gini", "fair_jain", "fair_qf",
                           "fair_entropy", "fair_fsat", "fair_gini", "fair_gini_w",
                           "ai_d", "vocd" };
    ck_assert_uint_eq(sizeof want / sizeof *want, REC_EXPOSURE_COUNT);
    for (int v = 0; v < REC_EXPOSURE_COUNT; v++)
        ck_assert_str_eq(rec_exposure_name((rec_exposure_measure)v), want[v]);
    ck_assert_str_eq(rec_exposure_name(REC_EXPOSURE_COUNT), "?");
}
END_TEST

/* With q = 3 slots per item as the maximin share, counts 4, 4, 2, 2 satisfy
 * half the items: less than the k/n the correction takes as its floor. */
START_TEST(test_fsat_negative)
{
    const uint32_t items[] = { 0, 1, 2, 0, 1, 2, 0, 1, 3, 0, 1, 3 };
    double v[REC_EXPOSURE_COUNT];
    measure_equal(items, 4, 4, 3, v);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_FAIR_FSAT], -1.0, EPS);
}
END_TEST

START_TEST(test_undefined)
{
    double v[REC_EXPOSURE_COUNT];

    /* One list: every bound but FSat's (always 1 when S < n) and Gini-w's
     * is 0/0; Gini-w's bounds coincide too. */
    const uint32_t one[] = { 3, 1 };
    measure_equal(one, 1, 5, 2, v);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_COVERAGE], 0.4, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_ENTROPY], log(2.0), EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_GINI], 0.6, EPS);
    ck_assert(isnan(v[REC_EXPOSURE_FAIR_JAIN]));
    ck_assert(isnan(v[REC_EXPOSURE_FAIR_QF]));
    ck_assert(isnan(v[REC_EXPOSURE_FAIR_ENTROPY]));
    ck_assert_double_eq_tol(v[REC_EXPOSURE_FAIR_FSAT], 1.0, EPS);
    ck_assert(isnan(v[REC_EXPOSURE_FAIR_GINI]));
    ck_assert(isnan(v[REC_EXPOSURE_FAIR_GINI_W]));
    ck_assert(isfinite(v[REC_EXPOSURE_AI_D]));
    ck_assert_double_eq_tol(v[REC_EXPOSURE_VOCD], 0.0, EPS);

    /* Lists holding the whole catalogue: exposure is even whatever they
     * hold, only its order (Gini-w) can differ. */
    const uint32_t all[] = { 0, 1, 2, 2, 1, 0 };
    measure_equal(all, 2, 3, 3, v);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_COVERAGE], 1.0, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_GINI], 0.0, EPS);
    for (int f = REC_EXPOSURE_FAIR_JAIN; f <= REC_EXPOSURE_FAIR_GINI; f++)
        ck_assert_msg(isnan(v[f]), "%s", rec_exposure_name((rec_exposure_measure)f));
    ck_assert(isfinite(v[REC_EXPOSURE_FAIR_GINI_W]));
    ck_assert(isfinite(v[REC_EXPOSURE_AI_D]));

    /* Lists of different lengths at the cut-off: no common k', no bounds;
     * the counts 2, 1 still give the rest. */
    const uint32_t ragged[] = { 0, 1, 0, 9 };
    const uint32_t rlen[] = { 2, 1 };
    measure(ragged, 2, rlen, 2, 4, 5, v);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_COVERAGE], 0.5, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_ENTROPY],
                            -(2.0 / 3) * log(2.0 / 3) - (1.0 / 3) * log(1.0 / 3), EPS);
    /* Sorted 0, 0, 1, 2: (1 * 1 + 3 * 2) / (4 * 3). */
    ck_assert_double_eq_tol(v[REC_EXPOSURE_GINI], 7.0 / 12, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_VOCD], 0.5, EPS);
    for (int f = REC_EXPOSURE_FAIR_JAIN; f <= REC_EXPOSURE_AI_D; f++)
        ck_assert_msg(isnan(v[f]), "%s", rec_exposure_name((rec_exposure_measure)f));

    /* No slot at all (empty lists, cut-off 0, no list): coverage 0, the
     * rest NaN. Then an empty catalogue: all NaN. */
    const uint32_t empty_len[] = { 0, 0 };
    const uint32_t lens[] = { 2, 2 };
    double z[3][REC_EXPOSURE_COUNT];
    measure(one, 2, empty_len, 2, 5, 3, z[0]);
    measure(one, 2, lens, 1, 5, 0, z[1]);
    measure(one, 2, lens, 0, 5, 3, z[2]);
    for (int c = 0; c < 3; c++) {
        ck_assert_double_eq(z[c][REC_EXPOSURE_COVERAGE], 0.0);
        for (int f = 1; f < REC_EXPOSURE_COUNT; f++)
            ck_assert_msg(isnan(z[c][f]), "%d %s", c,
                          rec_exposure_name((rec_exposure_measure)f));
    }
    measure(one, 2, empty_len, 2, 0, 3, v);
    for (int f = 0; f < REC_EXPOSURE_COUNT; f++)
        ck_assert(isnan(v[f]));

    /* A single exposed item: no pair for VoCD. */
    const uint32_t same[] = { 2, 2 };
    measure_equal(same, 2, 3, 1, v);
    ck_assert(isnan(v[REC_EXPOSURE_VOCD]));
    ck_assert_double_eq_tol(v[REC_EXPOSURE_COVERAGE], 1.0 / 3, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_GINI], 2.0 / 3, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_FAIR_GINI], 1.0, EPS);
    ck_assert_double_eq_tol(v[REC_EXPOSURE_FAIR_QF], 0.0, EPS);
}
END_TEST

/* Only the first min(k, len) entries count: a cut-off beyond every list
 * measures the lists as they are, a shorter one their prefixes. */
START_TEST(test_cutoff)
{
    /* Stride 4, lists of 2 then junk that must not be read as items. */
    const uint32_t padded[] = { 0, 1, 99, 99, 0, 2, 99, 99, 1, 3, 99, 99 };
    const uint32_t two[] = { 2, 2, 2 };
    double v[REC_EXPOSURE_COUNT];
    measure(padded, 4, two, 3, 5, 10, v);
    double want[REC_EXPOSURE_COUNT];
    measure_equal(table[0].items, 3, 5, 2, want);
    for (int f = 0; f < REC_EXPOSURE_COUNT; f++)
        expect(v[f], want[f], EPS, (rec_exposure_measure)f, 0);

    /* The same lists continued to 4 items, cut at 2. */
    const uint32_t longer[] = { 0, 1, 4, 3, 0, 2, 3, 4, 1, 3, 4, 0 };
    const uint32_t four[] = { 4, 4, 4 };
    measure(longer, 4, four, 3, 5, 2, v);
    for (int f = 0; f < REC_EXPOSURE_COUNT; f++)
        expect(v[f], want[f], EPS, (rec_exposure_measure)f, 1);
}
END_TEST

START_TEST(test_scratch_nomem)
{
    for (long fail = 1;; fail++) {
        rec_exposure_scratch *s = NULL;
        rec_alloc_fail_after(fail);
        int rc = rec_exposure_scratch_new(&s, 10);
        rec_alloc_fail_after(0);
        if (rc == REC_OK) {
            rec_exposure_scratch_free(s);
            break;
        }
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        ck_assert_ptr_null(s);
    }
    rec_exposure_scratch_free(NULL);
}
END_TEST

/* --- The slow implementation, straight from the definitions. --- */

/* sum_i sum_j |x_i - x_j| / (2 n sum x): the Gini index as the mean absolute
 * difference over twice the mean. */
static double gini_pairs(const double *x, size_t n)
{
    double diff = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        for (size_t j = 0; j < n; j++)
            diff += fabs(x[i] - x[j]);
    }
    return diff / (2.0 * (double)n * sum);
}

static void reference(const uint32_t *items, size_t stride, const uint32_t *len,
                      size_t m, size_t n, unsigned k, double *out)
{
    for (int f = 0; f < REC_EXPOSURE_COUNT; f++)
        out[f] = NAN;
    double *c = calloc(n + 1, sizeof *c), *w = calloc(n + 1, sizeof *w);
    double *e = calloc(m * n + 1, sizeof *e); /* E_ui at [u * n + i] */
    ck_assert(c && w && e);
    int equal = 1;
    size_t kk = m ? (len[0] < k ? len[0] : k) : 0;
    for (size_t u = 0; u < m; u++) {
        size_t d = len[u] < k ? len[u] : k;
        equal = equal && d == kk;
        for (size_t p = 1; p <= d; p++) {
            uint32_t i = items[u * stride + p - 1];
            c[i] += 1.0;
            w[i] += 1.0 / log2((double)p + 1.0);
            e[u * n + i] = pow(0.8, (double)p - 1.0);
        }
    }
    double S = 0.0, U = 0.0, sumsq = 0.0;
    for (size_t i = 0; i < n; i++) {
        S += c[i];
        U += c[i] > 0;
        sumsq += c[i] * c[i];
    }
    double dn = (double)n, dm = (double)m, dk = (double)kk;
    out[REC_EXPOSURE_COVERAGE] = n ? U / dn : NAN;
    if (n == 0 || S == 0.0)
        goto done;
    double H = 0.0;
    for (size_t i = 0; i < n; i++)
        if (c[i] > 0)
            H -= c[i] / S * log(c[i] / S);
    out[REC_EXPOSURE_ENTROPY] = H;
    double gini = gini_pairs(c, n);
    out[REC_EXPOSURE_GINI] = gini;
    double pairs = 0.0, rel = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (c[i] > 0 && c[j] > 0) {
                pairs += 1.0;
                rel += fabs(c[i] - c[j]) / fmax(c[i], c[j]);
            }
    out[REC_EXPOSURE_VOCD] = pairs > 0 ? rel / pairs : NAN;
    if (!equal)
        goto done;

    double q = floor(S / dn), r = S - q * dn;
    int flat = m == 1 || kk == n;
    double jain = S * S / (dn * sumsq);
    double jmax = S * S / (dn * (dn * q * q + r * (2 * q + 1)));
    out[REC_EXPOSURE_FAIR_JAIN] = flat ? NAN : (jain - dk / dn) / (jmax - dk / dn);
    out[REC_EXPOSURE_FAIR_QF] = flat ? NAN : (U - dk) / (fmin(dn, S) - dk);
    double hn = H / log(dn), hmax;
    if (S >= dn)
        hmax = -(dn - r) * (q / S) * (log(q / S) / log(dn))
               - r * ((q + 1) / S) * (log((q + 1) / S) / log(dn));
    else
        hmax = log(S) / log(dn);
    double lk = log(dk) / log(dn);
    out[REC_EXPOSURE_FAIR_ENTROPY] = flat ? NAN : (hn - lk) / (hmax - lk);
    double sat = 0.0;
    for (size_t i = 0; i < n; i++)
        sat += c[i] >= q;
    out[REC_EXPOSURE_FAIR_FSAT] = kk == n ? NAN : (sat / dn - dk / dn) / (1 - dk / dn);
    double gmin = r * (dn - r) / (dn * S);
    out[REC_EXPOSURE_FAIR_GINI] = flat ? NAN : (gini - gmin) / (1 - dk / dn - gmin);

    double disc = 0.0, wmax = 0.0, wmin = 0.0;
    for (size_t p = 1; p <= kk; p++)
        disc += 1.0 / log2((double)p + 1.0);
    for (size_t t = 1; t <= kk; t++)
        wmax += (2.0 * (dn - dk + (double)t) - dn - 1.0) / log2(dk - (double)t + 2.0);
    wmax /= dn * disc;
    if (S <= dn) {
        for (size_t p = 1; p <= kk; p++)
            for (size_t j = n - p * m + 1; j <= n - p * m + m; j++)
                wmin += (2.0 * (double)j - dn - 1.0) / log2((double)p + 1.0);
        wmin /= dn * dm * disc;
    }
    out[REC_EXPOSURE_FAIR_GINI_W] = m == 1 || wmax == wmin ? NAN
        : (gini_pairs(w, n) - wmin) / (wmax - wmin);

    double target = (1 - pow(0.8, dk)) / ((1 - 0.8) * dn), aid = 0.0;
    for (size_t i = 0; i < n; i++) {
        double mean = 0.0;
        for (size_t u = 0; u < m; u++)
            mean += e[u * n + i];
        aid += (mean / dm - target) * (mean / dm - target);
    }
    out[REC_EXPOSURE_AI_D] = aid / dn;
done:
    free(c);
    free(w);
    free(e);
}

/* A 64-bit LCG (Knuth's MMIX constants); the high bits are the good ones. */
static uint32_t next(uint64_t *state, uint32_t bound)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((*state >> 33) % bound);
}

/* len distinct items of n, drawn with a popularity skew (the square of a
 * uniform) so that counts spread out. */
static void random_list(uint64_t *state, uint32_t *list, uint32_t len, uint32_t n)
{
    for (uint32_t p = 0; p < len; p++) {
        uint32_t i;
        int again;
        do {
            double x = next(state, 1u << 20) / (double)(1u << 20);
            i = (uint32_t)(x * x * n);
            again = 0;
            for (uint32_t j = 0; j < p; j++)
                again |= list[j] == i;
        } while (again);
        list[p] = i;
    }
}

START_TEST(test_random_against_definitions)
{
    enum { MAX_N = 300, MAX_M = 120, MAX_LEN = 12 };
    uint32_t *items = calloc(MAX_M * MAX_LEN, sizeof *items);
    uint32_t len[MAX_M];
    rec_exposure_scratch *s = NULL;
    ck_assert_rec(rec_exposure_scratch_new(&s, MAX_N), REC_OK, NULL);
    uint64_t state = 20240611;
    size_t fair = 0;
    for (size_t c = 0; c < 400; c++) {
        /* Mostly small catalogues, where S > n and the lists overlap; a
         * few large ones, where S < n. */
        uint32_t n = c % 10 == 9 ? 100 + next(&state, MAX_N - 99) : 1 + next(&state, 30);
        uint32_t m = 1 + next(&state, c % 10 == 9 ? MAX_M : 25);
        uint32_t longest = n < MAX_LEN ? n : MAX_LEN;
        uint32_t base = 1 + next(&state, longest);
        int ragged = next(&state, 5) == 0;
        for (uint32_t l = 0; l < m; l++) {
            len[l] = ragged ? next(&state, longest + 1) : base;
            random_list(&state, items + l * MAX_LEN, len[l], n);
        }
        /* Cut-offs from 0 to past the longest list. */
        unsigned k = next(&state, longest + 3);
        double got[REC_EXPOSURE_COUNT], want[REC_EXPOSURE_COUNT];
        rec_exposure_at(s, items, MAX_LEN, len, m, n, k, got);
        reference(items, MAX_LEN, len, m, n, k, want);
        for (int f = 0; f < REC_EXPOSURE_COUNT; f++)
            expect(got[f], want[f], EPS, (rec_exposure_measure)f, c);
        fair += !isnan(want[REC_EXPOSURE_FAIR_GINI_W]);
    }
    /* Most cases must have reached the corrected measures. */
    ck_assert_uint_ge(fair, 200);
    rec_exposure_scratch_free(s);
    free(items);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("exposure");
    TCase *tc = tcase_create("exposure");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_worked_examples);
    tcase_add_test(tc, test_fsat_negative);
    tcase_add_test(tc, test_undefined);
    tcase_add_test(tc, test_cutoff);
    tcase_add_test(tc, test_scratch_nomem);
    tcase_add_test(tc, test_random_against_definitions);
    suite_add_tcase(s, tc);
    return s;
}
