/* The rec_sampler handle: training pairs drawn uniformly over a dataset's
 * interactions, each with negatives from one of the samplers of
 * docs/sampling.md. */
#ifndef REC_SAMPLE_SAMPLER_H
#define REC_SAMPLE_SAMPLER_H

#include "librec/librec.h"
#include "data/dataset.h"
#include "model/serving.h"
#include "sample/complement.h"

/* Most negatives, DNS candidates and popularity exponent. */
#define REC_SAMPLER_COUNT_MAX 10000
#define REC_SAMPLER_ALPHA_MAX 10.0
/* In-batch draws that may land on the user's positives before falling back
 * to a uniform negative. */
#define REC_IN_BATCH_TRIES 32

struct rec_sampler {
    rec_dataset *train;        /* retained */
    rec_sampler_options opts;
    rec_item_dist dist;        /* by popularity^alpha, or uniform */
    double *user_weight;       /* weighted: each user's positives' weight */
    double *cum;               /* complement space (n_items each) */
    uint32_t *items;
    uint64_t batch;            /* batches drawn so far */
};

/* opts checked by the caller. */
int rec_sampler_create(struct rec_sampler **out, const rec_dataset *train,
                       const rec_sampler_options *opts);
void rec_sampler_destroy(struct rec_sampler *s);

/* One batch (rec_sampler_next); s_model: the serving form scoring DNS
 * candidates (NULL for the other kinds). */
void rec_sampler_draw(struct rec_sampler *s, const rec_serving *s_model, size_t n,
                      uint32_t *users, uint32_t *pos, uint32_t *neg);

/* The current model's score of item i for user u (DNS candidates). */
typedef float (*rec_item_scorer)(const void *model, uint32_t u, uint32_t i);

/* Where a batch's negatives are drawn from and what they may use. */
typedef struct rec_negative_draw {
    rec_item_scorer score;     /* DNS only */
    const void *model;         /* its argument */
    double *cum;               /* n_items entries each, for a weighted */
    uint32_t *items;           /* distribution's dense users (else NULL) */
} rec_negative_draw;

/* For each of the n pairs (users[j], pos[j]), opts.negatives negatives into
 * neg[j * negatives ...] from r: the draws of rec_sampler_next after its
 * pairs, for training loops that draw pairs their own way. Reads s only,
 * so threads may share s with their own streams and rec_negative_draw. */
void rec_sampler_negatives(const struct rec_sampler *s, const rec_negative_draw *d,
                           rec_rng *r, size_t n, const uint32_t *users, const uint32_t *pos,
                           uint32_t *neg);

#endif
