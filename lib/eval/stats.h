/* Paired significance tests between two runs' per-user values. */
#ifndef REC_EVAL_STATS_H
#define REC_EVAL_STATS_H

#include <stddef.h>

/* The regularised incomplete beta function I_x(a, b), a, b > 0, x in
 * [0, 1]. */
double rec_incomplete_beta(double a, double b, double x);

/* Two-sided p-value of Student's t with df degrees of freedom. */
double rec_student_t_p(double t, double df);

/* Two-sided p-value of a standard normal z. */
double rec_normal_p(double z);

/* Wilcoxon's signed-rank statistic of the differences d[0..n): zero
 * differences dropped, tied |d| given their mean rank. W+ (the rank sum
 * of the positive differences), the number of non-zero differences, and
 * the tie correction sum over tie groups of (t^3 - t). scratch holds 2 n
 * doubles. */
void rec_signed_ranks(const double *d, size_t n, double *scratch, double *w_plus,
                      size_t *n_nonzero, double *tie_term);

#endif
