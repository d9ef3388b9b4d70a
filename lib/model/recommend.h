/* Top-K recommendation on the serving form, shared by every model family
 * and by the single-user, vector and batch entry points.
 *
 * Every path returns the exact top k under rec_serving_score(), the score
 * rec_model_score() returns: best first, ties by lower item id, NaN scores
 * never. Scoring the whole catalogue that way, one item at a time, is slow,
 * so over the whole catalogue the fast scores (rec_serving_score_all() for
 * one user, a BLIS block for many) are ranked first. They are within M =
 * rec_serving_score_margin() of the exact scores. With t the k-th best fast
 * score, k items have exact scores of at least t - M, so every item of the
 * exact top k has a fast score of at least t - 2M. Those items, usually
 * little more than k, are scored exactly and the top k taken among them.
 * The result is therefore the same whichever fast scores were used: one
 * user's recommendations do not depend on the batch they came in. A list of
 * candidates is scored exactly, item by item. */
#ifndef REC_MODEL_RECOMMEND_H
#define REC_MODEL_RECOMMEND_H

#include "data/dataset.h"
#include "kernels/kernels.h"
#include "model/serving.h"

/* One request: what to leave out and what to rank, checked and sorted. */
typedef struct rec_rank_request {
    size_t k;                  /* at most n_items */
    const rec_dataset *train;  /* whose rows to exclude, or NULL */
    uint32_t *block;           /* sorted, distinct; owned */
    size_t n_block;
    uint32_t *candidates;      /* sorted, distinct; owned; NULL: all items */
    size_t n_candidates;
} rec_rank_request;

/* Builds a request from the caller's lists (ids < n_items, any order,
 * repeats allowed; candidates NULL for all items). k is capped to n_items.
 * REC_ENOMEM (message set). */
int rec_rank_request_init(rec_rank_request *r, const rec_serving *s, size_t k,
                          const rec_dataset *train, const uint32_t *block, size_t n_block,
                          const uint32_t *candidates, size_t n_candidates);
void rec_rank_request_free(rec_rank_request *r);

/* One thread's buffers for `rows` users at a time (1 with candidates). */
typedef struct rec_rank_scratch {
    float *scores;        /* rows * n_items: fast scores, then exact ones;
                           * n_candidates with candidates */
    uint32_t *ids;        /* n_items or n_candidates: the items scored exactly */
    uint32_t *excluded;   /* a user's training row and the block, merged */
    rec_scored *fast;     /* k: the fast top k */
} rec_rank_scratch;

/* max_row: the longest training row of the users to be served (0 when
 * r->train is NULL). */
int rec_rank_scratch_init(rec_rank_scratch *w, const rec_serving *s,
                          const rec_rank_request *r, size_t rows, size_t max_row);
void rec_rank_scratch_free(rec_rank_scratch *w);

/* The exact top r->k for the user vector u into out (r->k entries); returns
 * how many. user: the dense user whose training row r->train excludes, or
 * UINT32_MAX for none. fast: u's fast scores over all items (overwritten),
 * or NULL when r has candidates. Never fails. */
size_t rec_rank_user(const rec_serving *s, const rec_rank_request *r, rec_rank_scratch *w,
                     const float *u, uint32_t user, float *fast, rec_scored *out);

/* rec_rank_user() for one user vector, with its own buffers. out: r->k
 * entries. REC_ENOMEM (message set). */
int rec_recommend_one(const rec_serving *s, const rec_rank_request *r, const float *u,
                      uint32_t user, rec_scored *out, size_t *n_out);

/* The top lists of users[0..n_users) (all < n_users of s) into row j of
 * items and scores (stride k_row >= r->k; scores may be NULL), n_out[j]
 * entries each and the rest of the row REC_NO_ITEM and -INFINITY. Blocks
 * of users are scored through BLIS and spread over `threads` threads (at
 * least 1). REC_ENOMEM (message set), with every n_out[j] 0. */
int rec_recommend_batch(const rec_serving *s, const rec_rank_request *r,
                        const uint32_t *users, size_t n_users, unsigned threads,
                        size_t k_row, uint32_t *items, float *scores, size_t *n_out);

#endif
