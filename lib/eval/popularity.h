/* Popularity of items in the training data and the per-user measures built
 * on it (docs/metrics.md, "Beyond accuracy"): the mean training popularity
 * of a user's list, its share of long-tail items and its novelty (mean
 * self-information). */
#ifndef REC_EVAL_POPULARITY_H
#define REC_EVAL_POPULARITY_H

#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"

typedef enum rec_pop_measure {
    REC_POP_AVG = 0,   /* "avg_pop": mean training count of the listed items */
    REC_POP_LONG_TAIL, /* "long_tail": share of the listed items in the tail */
    REC_POP_NOVELTY,   /* "novelty": mean of log2(n_train_users / max(c_i, 1)) */
    REC_POP_COUNT
} rec_pop_measure;

const char *rec_pop_name(rec_pop_measure m);

typedef struct rec_popularity {
    size_t n_items;
    size_t n_train_users;  /* users with at least one training interaction */
    uint32_t *counts;      /* c_i: training users of item i */
    uint8_t *tail;         /* 1 for the long-tail items */
    double *info;          /* self-information of item i, in bits */
} rec_popularity;

/* From per-item training counts (copied). n_train_users >= every count and
 * >= 1. The tail: items ranked by count, most popular first, ties by
 * ascending id; the first n_items - floor(0.8 n_items) are the head, the
 * rest (the 80 % least popular) the tail. */
int rec_popularity_init(rec_popularity *p, const uint32_t *counts, size_t n_items,
                        size_t n_train_users);
/* The same from a training dataset's item degrees. */
int rec_popularity_from_dataset(rec_popularity *p, const rec_dataset *train);
void rec_popularity_free(rec_popularity *p);

/* The popularity measures of one user's list (best first, len items, ids
 * < n_items) at each cut-off ks[c]: measure m goes to
 * out[(c * REC_POP_COUNT + m) * stride]. An empty list scores 0. */
void rec_popularity_add_user(const rec_popularity *p, const uint32_t *list, size_t len,
                             const unsigned *ks, size_t n_ks, double *out, size_t stride);

#endif
