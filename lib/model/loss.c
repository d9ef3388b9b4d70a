#include "model/loss.h"

#include <math.h>

#include "kernels/kernels.h"

static double sigmoid(double x)
{
    return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

static double bpr(size_t k, const float *s, float *ds)
{
    double loss = 0.0, d0 = 0.0;
    for (size_t q = 1; q <= k; q++) {
        double x = (double)s[0] - s[q];
        double g = sigmoid(-x) / (double)k;
        loss += rec_softplus(-x);
        d0 -= g;
        ds[q] = (float)g;
    }
    ds[0] = (float)d0;
    return loss / (double)k;
}

static double bce(size_t k, const float *s, float *ds)
{
    double loss = rec_softplus(-(double)s[0]);
    ds[0] = (float)-sigmoid(-(double)s[0]);
    for (size_t q = 1; q <= k; q++) {
        loss += rec_softplus(s[q]);
        ds[q] = (float)sigmoid(s[q]);
    }
    return loss;
}

/* log-sum-exp shifted by the largest logit, so nothing overflows. */
static double softmax(size_t k, const float *s, double temperature, float *ds)
{
    double top = s[0];
    for (size_t q = 1; q <= k; q++)
        top = s[q] > top ? s[q] : top;
    double sum = 0.0;
    for (size_t q = 0; q <= k; q++)
        sum += exp(((double)s[q] - top) / temperature);
    double lse = log(sum) + top / temperature;
    for (size_t q = 0; q <= k; q++) {
        double p = exp((double)s[q] / temperature - lse);
        ds[q] = (float)((p - (q == 0)) / temperature);
    }
    return lse - (double)s[0] / temperature;
}

static double hinge(size_t k, const float *s, double margin, float *ds)
{
    double loss = 0.0, d0 = 0.0, share = 1.0 / (double)k;
    for (size_t q = 1; q <= k; q++) {
        double x = margin - s[0] + s[q];
        ds[q] = 0.0f;
        if (x > 0.0) {
            loss += x;
            d0 -= share;
            ds[q] = (float)share;
        }
    }
    ds[0] = (float)d0;
    return loss * share;
}

/* Hsieh et al. (WWW 2017) estimate the positive's rank from the share of
 * sampled negatives inside the margin and weight the hardest violation by
 * log(1 + estimated rank), as WARP does. The weight is piecewise constant
 * in the scores, so it carries no gradient of its own. */
static double hinge_ranked(size_t k, const float *s, double margin, size_t n_items, float *ds)
{
    size_t violators = 0, hardest = 1;
    for (size_t q = 1; q <= k; q++) {
        ds[q] = 0.0f;
        violators += margin - s[0] + s[q] > 0.0;
        if (s[q] > s[hardest])
            hardest = q;
    }
    ds[0] = 0.0f;
    if (violators == 0)
        return 0.0;
    double rank = floor((double)n_items * (double)violators / (double)k);
    double weight = log(1.0 + rank);
    ds[0] = (float)-weight;
    ds[hardest] = (float)weight;
    return weight * (margin - s[0] + s[hardest]);
}

static double ips(size_t k, const float *s, double w, float *ds)
{
    double s0 = s[0], capped = s0 < REC_IPS_SCORE_CAP ? s0 : REC_IPS_SCORE_CAP;
    double loss = w * rec_softplus(-s0) + (1.0 - w) * rec_softplus(capped);
    ds[0] = (float)(-w * sigmoid(-s0) + (s0 < REC_IPS_SCORE_CAP ? (1.0 - w) * sigmoid(s0) : 0.0));
    for (size_t q = 1; q <= k; q++) {
        loss += rec_softplus(s[q]);
        ds[q] = (float)sigmoid(s[q]);
    }
    return loss;
}

/* An unobserved item is negative, or a positive whose label flipped:
 * P(unobserved) = sigmoid(-s) + rho sigmoid(s), a sum of two positive
 * terms, so its logarithm loses no precision to cancellation. */
static double nbpo(size_t k, const float *s, const float *z, float *ds, float *dz)
{
    double s0 = s[0], z0 = z[0];
    double loss = rec_softplus(-s0) + rec_softplus(z0);
    ds[0] = (float)-sigmoid(-s0);
    dz[0] = (float)sigmoid(z0);
    for (size_t q = 1; q <= k; q++) {
        double p = sigmoid(s[q]), np = sigmoid(-(double)s[q]);
        double rho = sigmoid(z[q]), keep = sigmoid(-(double)z[q]);
        double unobserved = np + p * rho;
        loss -= log(unobserved);
        ds[q] = (float)(p * np * keep / unobserved);
        dz[q] = (float)(-p * rho * keep / unobserved);
    }
    return loss;
}

double rec_loss_eval(const rec_loss *l, size_t k, const float *s, double w, const float *z,
                     float *ds, float *dz)
{
    switch (l->kind) {
    case REC_LOSS_BPR:
        return bpr(k, s, ds);
    case REC_LOSS_BCE:
        return bce(k, s, ds);
    case REC_LOSS_SOFTMAX:
        return softmax(k, s, l->temperature, ds);
    case REC_LOSS_HINGE:
        return hinge(k, s, l->margin, ds);
    case REC_LOSS_HINGE_RANKED:
        return hinge_ranked(k, s, l->margin, l->n_items, ds);
    case REC_LOSS_IPS:
        return ips(k, s, w, ds);
    case REC_LOSS_NBPO:
        return nbpo(k, s, z, ds, dz);
    }
    return NAN;
}
