/* Special functions and rank statistics behind rec_paired_test_run().
 *
 * The incomplete beta function is evaluated by its continued fraction
 * (modified Lentz's method), on the side of the symmetry
 * I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges quickly; the
 * prefactor x^a (1-x)^b / (a B(a, b)) is formed through lgamma. Both are
 * the textbook route; tests/test_eval.c checks the p-values against values
 * computed independently by numerical integration. */
#include "eval/stats.h"

#include <math.h>
#include <stdlib.h>

#define CF_ITERATIONS 500
#define CF_EPS 1e-15
#define CF_TINY 1e-300

/* One term aa of the modified Lentz recurrence: updates c and d and
 * returns the factor the fraction's value is multiplied by. */
static double lentz(double aa, double *c, double *d)
{
    *d = 1.0 + aa * *d;
    if (fabs(*d) < CF_TINY)
        *d = CF_TINY;
    *c = 1.0 + aa / *c;
    if (fabs(*c) < CF_TINY)
        *c = CF_TINY;
    *d = 1.0 / *d;
    return *d * *c;
}

/* The continued fraction of I_x(a, b) without its prefactor. */
static double beta_fraction(double a, double b, double x)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < CF_TINY)
        d = CF_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= CF_ITERATIONS; m++) {
        double m2 = 2.0 * m;
        h *= lentz(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
        double step = lentz(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
        h *= step;
        if (fabs(step - 1.0) < CF_EPS)
            break;
    }
    return h;
}

double rec_incomplete_beta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
                       b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_fraction(a, b, x) / a;
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

double rec_student_t_p(double t, double df)
{
    if (isnan(t))
        return NAN;
    if (isinf(t))
        return 0.0;
    return rec_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

double rec_normal_p(double z)
{
    return isnan(z) ? NAN : erfc(fabs(z) / sqrt(2.0));
}

static int cmp_abs(const void *pa, const void *pb)
{
    double a = fabs(*(const double *)pa), b = fabs(*(const double *)pb);
    return (a > b) - (a < b);
}

void rec_signed_ranks(const double *d, size_t n, double *scratch, double *w_plus,
                      size_t *n_nonzero, double *tie_term)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0.0)
            scratch[m++] = d[i];
    qsort(scratch, m, sizeof *scratch, cmp_abs);
    double w = 0.0, ties = 0.0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && fabs(scratch[j]) == fabs(scratch[i]))
            j++;
        /* ranks i+1 .. j share their mean */
        double rank = (double)(i + 1 + j) / 2.0, t = (double)(j - i);
        for (size_t k = i; k < j; k++)
            if (scratch[k] > 0.0)
                w += rank;
        ties += t * t * t - t;
        i = j;
    }
    *w_plus = w;
    *n_nonzero = m;
    *tie_term = ties;
}
