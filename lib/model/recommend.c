#include "model/recommend.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"
#include "core/threads.h"
#include "model/item_set.h"

int rec_rank_request_init(rec_rank_request *r, const rec_serving *s, size_t k,
                          const rec_dataset *train, const uint32_t *block, size_t n_block,
                          const uint32_t *candidates, size_t n_candidates)
{
    memset(r, 0, sizeof *r);
    r->k = k < s->n_items ? k : s->n_items;
    r->train = train;
    r->block = rec_item_set(block, n_block, &r->n_block);
    if (!r->block)
        return REC_ENOMEM;
    if (candidates && !(r->candidates = rec_item_set(candidates, n_candidates,
                                                     &r->n_candidates))) {
        rec_rank_request_free(r);
        return REC_ENOMEM;
    }
    return REC_OK;
}

void rec_rank_request_free(rec_rank_request *r)
{
    rec_free(r->block);
    rec_free(r->candidates);
    memset(r, 0, sizeof *r);
}

int rec_rank_scratch_init(rec_rank_scratch *w, const rec_serving *s,
                          const rec_rank_request *r, size_t rows, size_t max_row)
{
    size_t n = r->candidates ? r->n_candidates : s->n_items;
    n = n ? n : 1;
    w->scores = rec_aligned_alloc(r->candidates ? n : rows * n, sizeof *w->scores);
    w->ids = rec_malloc_array(n, sizeof *w->ids);
    w->excluded = rec_malloc_array(max_row + r->n_block + 1, sizeof *w->excluded);
    w->fast = rec_malloc_array(r->k + 1, sizeof *w->fast);
    if (!w->scores || !w->ids || !w->excluded || !w->fast) {
        rec_rank_scratch_free(w);
        return rec_error_nomem();
    }
    return REC_OK;
}

void rec_rank_scratch_free(rec_rank_scratch *w)
{
    rec_free(w->scores);
    rec_free(w->ids);
    rec_free(w->excluded);
    rec_free(w->fast);
    memset(w, 0, sizeof *w);
}

/* The items the user may not get, sorted (duplicates allowed). */
static const uint32_t *excluded_for(const rec_rank_request *r, rec_rank_scratch *w,
                                    uint32_t user, size_t *n)
{
    if (!r->train || user == UINT32_MAX) {
        *n = r->n_block;
        return r->block;
    }
    const rec_dataset *t = r->train;
    const uint32_t *row = t->user_items + t->user_ptr[user];
    size_t n_row = t->user_ptr[user + 1] - t->user_ptr[user];
    if (r->n_block == 0) {
        *n = n_row;
        return row;
    }
    *n = rec_sorted_union(row, n_row, r->block, r->n_block, w->excluded);
    return w->excluded;
}

/* The items of the whole catalogue whose exact scores can be among the
 * top k, ascending, into w->ids (recommend.h gives the argument). */
static size_t near_top(const rec_serving *s, const rec_rank_request *r, rec_rank_scratch *w,
                       const float *u, const float *fast, const uint32_t *excl,
                       size_t n_excl)
{
    size_t n = rec_topk(fast, s->n_items, r->k, excl, n_excl, w->fast);
    if (n < r->k) { /* every eligible item is in the list */
        for (size_t j = 0; j < n; j++)
            w->ids[j] = w->fast[j].item;
        qsort(w->ids, n, sizeof *w->ids, rec_cmp_u32);
        return n;
    }
    double floor = (double)w->fast[n - 1].score - 2.0 * rec_serving_score_margin(s, u);
    /* Everything at or above the floor, the floor rounded down. */
    float t = isfinite(floor) ? nextafterf(nextafterf((float)floor, -INFINITY), -INFINITY)
                              : -INFINITY;
    return rec_topk_above(fast, s->n_items, t, excl, n_excl, w->ids);
}

size_t rec_rank_user(const rec_serving *s, const rec_rank_request *r, rec_rank_scratch *w,
                     const float *u, uint32_t user, float *fast, rec_scored *out)
{
    if (r->k == 0)
        return 0;
    size_t n_excl, n = 0;
    const uint32_t *excl = excluded_for(r, w, user, &n_excl);
    /* Exact scores go to the front of the user's fast row (or of the
     * scratch row with candidates), behind the reading of it. */
    float *exact = fast ? fast : w->scores;
    if (r->candidates) {
        size_t e = 0;
        for (size_t c = 0; c < r->n_candidates; c++) {
            uint32_t i = r->candidates[c];
            while (e < n_excl && excl[e] < i)
                e++;
            if (e < n_excl && excl[e] == i)
                continue;
            w->ids[n] = i;
            exact[n++] = rec_serving_score(s, u, i);
        }
    } else {
        n = near_top(s, r, w, u, fast, excl, n_excl);
        for (size_t j = 0; j < n; j++)
            exact[j] = rec_serving_score(s, u, w->ids[j]);
    }
    /* ids ascend, so rec_topk's tie rule (lower index) is lower id. */
    size_t got = rec_topk(exact, n, r->k, NULL, 0, out);
    for (size_t j = 0; j < got; j++)
        out[j].item = w->ids[out[j].item];
    return got;
}

int rec_recommend_one(const rec_serving *s, const rec_rank_request *r, const float *u,
                      uint32_t user, rec_scored *out, size_t *n_out)
{
    *n_out = 0;
    if (r->k == 0)
        return REC_OK;
    const rec_dataset *t = r->train;
    size_t row = t && user != UINT32_MAX ? t->user_ptr[user + 1] - t->user_ptr[user] : 0;
    rec_rank_scratch w;
    int rc = rec_rank_scratch_init(&w, s, r, 1, row);
    if (rc != REC_OK)
        return rc;
    if (!r->candidates)
        rec_serving_score_all(s, u, w.scores);
    *n_out = rec_rank_user(s, r, &w, u, user, r->candidates ? NULL : w.scores, out);
    rec_rank_scratch_free(&w);
    return REC_OK;
}

/* ---- Batches ---- */

typedef struct batch {
    const rec_serving *s;
    const rec_rank_request *r;
    const uint32_t *users;
    size_t n_users;
    size_t block;            /* users per task */
    size_t k_row;
    uint32_t *items;
    float *scores;
    size_t *n_out;
    rec_rank_scratch *work; /* per worker */
    rec_scored **top;       /* per worker, k entries */
    atomic_int failed;
} batch;

static void batch_block(void *p, size_t b, unsigned worker)
{
    batch *j = p;
    rec_rank_scratch *w = &j->work[worker];
    rec_scored *top = j->top[worker];
    size_t first = b * j->block;
    size_t nu = j->n_users - first < j->block ? j->n_users - first : j->block;
    size_t n_items = j->s->n_items;
    int full = !j->r->candidates;
    if (full && rec_serving_score_block(j->s, j->users + first, nu, w->scores) != REC_OK) {
        atomic_store(&j->failed, 1);
        return;
    }
    for (size_t q = 0; q < nu; q++) {
        uint32_t u = j->users[first + q];
        size_t n = rec_rank_user(j->s, j->r, w, rec_serving_user(j->s, u), u,
                                 full ? w->scores + q * n_items : NULL, top);
        uint32_t *items = j->items + (first + q) * j->k_row;
        float *scores = j->scores ? j->scores + (first + q) * j->k_row : NULL;
        for (size_t t = 0; t < j->k_row; t++) {
            items[t] = t < n ? top[t].item : REC_NO_ITEM;
            if (scores)
                scores[t] = t < n ? top[t].score : -INFINITY;
        }
        j->n_out[first + q] = n;
    }
}

int rec_recommend_batch(const rec_serving *s, const rec_rank_request *r,
                        const uint32_t *users, size_t n_users, unsigned threads,
                        size_t k_row, uint32_t *items, float *scores, size_t *n_out)
{
    if (n_users == 0) /* the arrays may then be NULL */
        return REC_OK;
    memset(n_out, 0, n_users * sizeof *n_out);
    if (k_row == 0)
        return REC_OK;
    /* Blocks of at most rec_serving_block_rows() users, and at least one
     * per thread; a list of candidates needs no block of scores. */
    size_t block = r->candidates ? 16 : rec_serving_block_rows(s);
    size_t per_thread = (n_users + threads - 1) / threads;
    block = block < per_thread ? block : per_thread;
    size_t n_blocks = (n_users + block - 1) / block;
    if ((size_t)threads > n_blocks)
        threads = (unsigned)n_blocks;

    size_t max_row = 0;
    for (size_t q = 0; r->train && q < n_users; q++) {
        size_t row = r->train->user_ptr[users[q] + 1] - r->train->user_ptr[users[q]];
        max_row = row > max_row ? row : max_row;
    }
    batch j = { .s = s, .r = r, .users = users, .n_users = n_users, .block = block,
                .k_row = k_row, .items = items, .scores = scores, .n_out = n_out };
    j.work = rec_calloc(threads, sizeof *j.work);
    j.top = rec_calloc(threads, sizeof *j.top);
    int rc = j.work && j.top ? REC_OK : rec_error_nomem();
    for (unsigned t = 0; rc == REC_OK && t < threads; t++) {
        rc = rec_rank_scratch_init(&j.work[t], s, r, block, max_row);
        if (rc == REC_OK && !(j.top[t] = rec_malloc_array(r->k + 1, sizeof **j.top)))
            rc = rec_error_nomem();
    }
    if (rc == REC_OK) {
        rec_parallel_for(threads, n_blocks, batch_block, &j);
        if (atomic_load(&j.failed))
            rc = rec_error_nomem();
    }
    for (unsigned t = 0; t < threads; t++) {
        if (j.work)
            rec_rank_scratch_free(&j.work[t]);
        if (j.top)
            rec_free(j.top[t]);
    }
    rec_free(j.work);
    rec_free(j.top);
    if (rc != REC_OK)
        memset(n_out, 0, n_users * sizeof *n_out);
    return rc;
}
