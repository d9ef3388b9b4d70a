#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"
#include "core/threads.h"
#include "eval/eval.h"
#include "eval/metrics.h"
#include "kernels/kernels.h"

/* Scores held per worker: a block of users times all items. 4M floats
 * (16 MiB) keeps blocks of 64 users up to 65k items and shrinks the block
 * for larger catalogues. */
#define SCORE_BUDGET ((size_t)4 << 20)
#define BLOCK_MAX 64

typedef struct worker {
    float *scores;        /* block * n_items */
    rec_scored *top;      /* k_max */
    uint8_t *hit;         /* k_max */
} worker;

typedef struct job {
    const rec_serving *s;
    const rec_dataset *exclude, *test;
    const uint32_t *users;  /* test users */
    size_t n_users;
    size_t block;
    const unsigned *ks;
    size_t n_ks;
    size_t k_max;
    worker *workers;
    const rec_kernels *K;
    double *per_user;       /* measure v of user i at [v * n_users + i] */
    atomic_int failed;
} job;

/* The user's AUC over all items outside `seen`: the probability that a test
 * item not in `seen` outscores such a non-test item, ties counting one
 * half (docs/metrics.md). seen and rel are sorted and distinct. */
static double user_auc(const rec_kernels *K, const float *row, size_t n_items,
                       const uint32_t *seen, size_t n_seen, const uint32_t *rel, size_t n_rel)
{
    size_t union_size = 0, positives = 0;
    double sum = 0.0;
    for (size_t a = 0, b = 0; a < n_seen || b < n_rel;) {
        uint32_t x = b == n_rel || (a < n_seen && seen[a] < rel[b]) ? seen[a] : rel[b];
        a += a < n_seen && seen[a] == x;
        b += b < n_rel && rel[b] == x;
        union_size += x < n_items;
    }
    size_t negatives = n_items - union_size;
    for (size_t t = 0; t < n_rel; t++) {
        if (rel[t] >= n_items || rec_sorted_has(seen, 0, n_seen, rel[t]))
            continue;
        positives++;
        float st = row[rel[t]];
        size_t below, equal;
        K->count_below(row, n_items, st, &below, &equal);
        /* Take the excluded and the test items back out of the counts. */
        for (size_t a = 0, b = 0; a < n_seen || b < n_rel;) {
            uint32_t x = b == n_rel || (a < n_seen && seen[a] < rel[b]) ? seen[a] : rel[b];
            a += a < n_seen && seen[a] == x;
            b += b < n_rel && rel[b] == x;
            if (x < n_items) {
                below -= row[x] < st;
                equal -= row[x] == st;
            }
        }
        sum += (double)below + 0.5 * (double)equal;
    }
    if (positives == 0)
        return 0.0; /* every test item was excluded: none could be ranked */
    if (negatives == 0)
        return 1.0; /* nothing to rank below them */
    return sum / ((double)positives * (double)negatives);
}

static void eval_block(void *p, size_t b, unsigned w)
{
    job *j = p;
    worker *wk = &j->workers[w];
    size_t first = b * j->block;
    size_t nu = j->n_users - first < j->block ? j->n_users - first : j->block;
    size_t n_items = j->s->n_items;

    if (rec_serving_score_block(j->s, j->users + first, nu, wk->scores) != REC_OK) {
        atomic_store(&j->failed, 1);
        return;
    }
    for (size_t r = 0; r < nu; r++) {
        uint32_t u = j->users[first + r];
        const uint32_t *seen = NULL;
        size_t n_seen = 0;
        if (j->exclude) {
            seen = j->exclude->user_items + j->exclude->user_ptr[u];
            n_seen = j->exclude->user_ptr[u + 1] - j->exclude->user_ptr[u];
        }
        size_t n_top = rec_topk(wk->scores + r * n_items, n_items, j->k_max, seen,
                                n_seen, wk->top);
        const uint32_t *rel = j->test->user_items + j->test->user_ptr[u];
        size_t n_rel = j->test->user_ptr[u + 1] - j->test->user_ptr[u];
        for (size_t t = 0; t < n_top; t++)
            wk->hit[t] = (uint8_t)rec_sorted_has(rel, 0, n_rel, wk->top[t].item);
        rec_metrics_add_user(wk->hit, n_top, n_rel, j->ks, j->n_ks,
                             j->per_user + first + r, j->n_users);
        j->per_user[j->n_ks * REC_MEASURE_COUNT * j->n_users + first + r] =
            user_auc(j->K, wk->scores + r * n_items, n_items, seen, n_seen, rel, n_rel);
    }
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

size_t rec_eval_cutoffs(const unsigned *ks, size_t n_ks, unsigned *out)
{
    memcpy(out, ks, n_ks * sizeof *out);
    qsort(out, n_ks, sizeof *out, cmp_unsigned);
    size_t n = 0;
    for (size_t c = 0; c < n_ks; c++)
        if (n == 0 || out[n - 1] != out[c])
            out[n++] = out[c];
    return n;
}

void rec_eval_destroy(struct rec_eval *ev)
{
    if (!ev)
        return;
    rec_free(ev->names);
    rec_free(ev->values);
    rec_free(ev->users);
    rec_free(ev->per_user);
    rec_free(ev);
}

/* The result handle: a name, the per-user values and their mean per
 * (cut-off, measure). Takes over users and per_user (freed on failure). */
int rec_eval_result(struct rec_eval **out, const unsigned *ks, size_t n_ks, int with_auc,
                    uint32_t *users, double *per_user, size_t n_users)
{
    struct rec_eval *ev = rec_calloc(1, sizeof *ev);
    size_t n = n_ks * REC_MEASURE_COUNT + (with_auc ? 1 : 0);
    if (ev) {
        ev->users = users;
        ev->per_user = per_user;
        ev->names = rec_calloc(n, sizeof *ev->names);
        ev->values = rec_calloc(n, sizeof *ev->values);
    }
    if (!ev || !ev->names || !ev->values) {
        if (!ev) {
            rec_free(users);
            rec_free(per_user);
        }
        rec_eval_destroy(ev);
        return rec_error_nomem();
    }
    for (size_t c = 0; c < n_ks; c++) {
        for (int m = 0; m < REC_MEASURE_COUNT; m++) {
            size_t v = c * REC_MEASURE_COUNT + (size_t)m;
            snprintf(ev->names[v], REC_EVAL_NAME_MAX, "%s@%u",
                     rec_measure_name((rec_measure)m), ks[c]);
            /* In user order: the same mean whatever the thread count. */
            double sum = 0.0;
            for (size_t i = 0; i < n_users; i++)
                sum += per_user[v * n_users + i];
            ev->values[v] = n_users ? sum / (double)n_users : 0.0;
        }
    }
    if (with_auc) {
        size_t v = n - 1;
        snprintf(ev->names[v], REC_EVAL_NAME_MAX, "auc");
        double sum = 0.0;
        for (size_t i = 0; i < n_users; i++)
            sum += per_user[v * n_users + i];
        ev->values[v] = n_users ? sum / (double)n_users : 0.0;
    }
    ev->n_values = n;
    ev->n_users = n_users;
    *out = ev;
    return REC_OK;
}

static void free_workers(worker *w, unsigned n)
{
    for (unsigned t = 0; w && t < n; t++) {
        rec_free(w[t].scores);
        rec_free(w[t].top);
        rec_free(w[t].hit);
    }
    rec_free(w);
}

int rec_evaluate(struct rec_eval **out, const rec_serving *s,
                 const rec_dataset *exclude, const rec_dataset *test,
                 const unsigned *ks_in, size_t n_ks_in, unsigned threads)
{
    *out = NULL;
    int rc = REC_OK;
    job j;
    memset(&j, 0, sizeof j);
    unsigned *ks = rec_malloc_array(n_ks_in, sizeof *ks);
    uint32_t *users = rec_malloc_array(rec_ds_n_users(test) + 1, sizeof *users);
    if (!ks || !users) {
        rec_free(ks);
        rec_free(users);
        return rec_error_nomem();
    }
    size_t n_ks = rec_eval_cutoffs(ks_in, n_ks_in, ks);

    size_t n_users = 0;
    for (size_t u = 0; u < rec_ds_n_users(test); u++)
        if (test->user_ptr[u + 1] > test->user_ptr[u])
            users[n_users++] = (uint32_t)u;

    threads = rec_threads_resolve(threads);
    size_t n_items = s->n_items ? s->n_items : 1;
    size_t block = SCORE_BUDGET / n_items;
    block = block < 1 ? 1 : block > BLOCK_MAX ? BLOCK_MAX : block;
    size_t n_blocks = (n_users + block - 1) / block;
    if ((size_t)threads > n_blocks)
        threads = n_blocks ? (unsigned)n_blocks : 1;

    j = (job){ .s = s, .exclude = exclude, .test = test, .users = users,
               .n_users = n_users, .block = block, .ks = ks, .n_ks = n_ks,
               .k_max = ks[n_ks - 1] };
    j.K = rec_kernels_get();
    j.per_user = rec_calloc(n_users * (n_ks * REC_MEASURE_COUNT + 1) + 1, sizeof(double));
    j.workers = rec_calloc(threads, sizeof *j.workers);
    if (!j.per_user || !j.workers)
        rc = rec_error_nomem();
    for (unsigned t = 0; rc == REC_OK && t < threads; t++) {
        worker *w = &j.workers[t];
        w->scores = rec_aligned_alloc(block * n_items, sizeof(float));
        w->top = rec_malloc_array(j.k_max, sizeof *w->top);
        w->hit = rec_malloc_array(j.k_max, sizeof *w->hit);
        if (!w->scores || !w->top || !w->hit)
            rc = rec_error_nomem();
    }
    if (rc == REC_OK && n_users > 0) {
        rec_parallel_for(threads, n_blocks, eval_block, &j);
        if (atomic_load(&j.failed))
            rc = rec_error_nomem();
    }
    if (rc == REC_OK) {
        rc = rec_eval_result(out, ks, n_ks, 1, users, j.per_user, n_users);
        users = NULL; /* taken over */
        j.per_user = NULL;
    }
    free_workers(j.workers, threads);
    rec_free(j.per_user);
    rec_free(users);
    rec_free(ks);
    return rc;
}
