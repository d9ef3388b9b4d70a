/* Per-user train/test splits. How many interactions of a user go to
 * training depends only on the user's count, so both outputs' row pointers
 * are known before any choice is made; each user's choice then uses its own
 * random stream (seed, REC_STREAM_SPLIT, user), so the result is the same
 * whatever the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "data/loaders.h"

/* Users per parallel task, and the size below which threads cost more than
 * they save. */
#define USERS_PER_TASK 512
#define PARALLEL_MIN_NNZ 200000

typedef struct by_time {
    double time;
    uint32_t item;
    uint32_t pos;
} by_time;

typedef struct part {
    size_t *ptr;
    uint32_t *items;
    float *ratings;
    double *times;
} part;

typedef struct split_ctx {
    const rec_dataset *ds;
    rec_split_options opts;
    part train, test;
    unsigned char *marks;   /* per worker: max_row bytes */
    uint32_t *perm;         /* per worker: max_row entries (random) */
    by_time *order;         /* per worker: max_row entries (temporal) */
    size_t max_row;
} split_ctx;

/* Interactions of a user with n of them that stay in training. */
static size_t train_count(const rec_split_options *o, size_t n)
{
    if (o->method == REC_SPLIT_LEAVE_ONE_OUT)
        return n >= 2 ? n - 1 : n;
    if (n == 0)
        return 0;
    double k = round(o->train_ratio * (double)n);
    if (k < 1.0)
        return 1;
    return k >= (double)n ? n : (size_t)k;
}

static int cmp_time(const void *a, const void *b)
{
    const by_time *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* Sets mark[p] = 1 for the positions of user u's row that go to training. */
static void choose(split_ctx *c, uint32_t u, unsigned worker, size_t n, size_t k,
                   unsigned char *mark)
{
    const rec_dataset *ds = c->ds;
    size_t base = ds->user_ptr[u];
    if (k == n) {
        memset(mark, 1, n);
        return;
    }
    memset(mark, 0, n);
    rec_rng rng;
    switch (c->opts.method) {
    case REC_SPLIT_TEMPORAL: {
        by_time *o = c->order + (size_t)worker * c->max_row;
        for (size_t p = 0; p < n; p++)
            o[p] = (by_time){ ds->times[base + p], ds->user_items[base + p], (uint32_t)p };
        qsort(o, n, sizeof *o, cmp_time);
        for (size_t j = 0; j < k; j++)
            mark[o[j].pos] = 1;
        break;
    }
    case REC_SPLIT_LEAVE_ONE_OUT: {
        size_t out = 0;
        if (ds->times) {
            /* The latest; the row is sorted by item, so ">=" leaves the
             * highest item id among equal timestamps. */
            for (size_t p = 1; p < n; p++)
                if (ds->times[base + p] >= ds->times[base + out])
                    out = p;
        } else {
            rec_rng_seed(&rng, c->opts.seed, REC_STREAM_SPLIT, u);
            out = rec_rng_below(&rng, (uint32_t)n);
        }
        memset(mark, 1, n);
        mark[out] = 0;
        break;
    }
    default: {
        /* The first k draws of a Fisher-Yates shuffle. */
        uint32_t *perm = c->perm + (size_t)worker * c->max_row;
        for (size_t p = 0; p < n; p++)
            perm[p] = (uint32_t)p;
        rec_rng_seed(&rng, c->opts.seed, REC_STREAM_SPLIT, u);
        for (size_t j = 0; j < k; j++) {
            size_t r = j + rec_rng_below(&rng, (uint32_t)(n - j));
            uint32_t t = perm[j];
            perm[j] = perm[r];
            perm[r] = t;
            mark[perm[j]] = 1;
        }
        break;
    }
    }
}

static void split_task(void *ctx, size_t task, unsigned worker)
{
    split_ctx *c = ctx;
    const rec_dataset *ds = c->ds;
    size_t nu = rec_ds_n_users(ds);
    size_t lo = task * USERS_PER_TASK;
    size_t hi = lo + USERS_PER_TASK < nu ? lo + USERS_PER_TASK : nu;
    unsigned char *mark = c->marks + (size_t)worker * c->max_row;
    for (size_t u = lo; u < hi; u++) {
        size_t base = ds->user_ptr[u], n = ds->user_ptr[u + 1] - base;
        if (n == 0)
            continue;
        choose(c, (uint32_t)u, worker, n, c->train.ptr[u + 1] - c->train.ptr[u], mark);
        size_t tr = c->train.ptr[u], te = c->test.ptr[u];
        for (size_t p = 0; p < n; p++) {
            part *dst = mark[p] ? &c->train : &c->test;
            size_t o = mark[p] ? tr++ : te++;
            dst->items[o] = ds->user_items[base + p];
            if (dst->ratings)
                dst->ratings[o] = ds->ratings[base + p];
            if (dst->times)
                dst->times[o] = ds->times[base + p];
        }
    }
}

static int alloc_part(part *p, size_t nu, size_t nnz, const rec_dataset *ds)
{
    p->ptr = rec_calloc(nu + 1, sizeof *p->ptr);
    p->items = rec_malloc_array(nnz, sizeof *p->items);
    p->ratings = ds->ratings ? rec_malloc_array(nnz, sizeof *p->ratings) : NULL;
    p->times = ds->times ? rec_malloc_array(nnz, sizeof *p->times) : NULL;
    if (!p->ptr || !p->items || (ds->ratings && !p->ratings) || (ds->times && !p->times))
        return REC_ENOMEM;
    return REC_OK;
}

static void free_part(part *p)
{
    rec_free(p->ptr);
    rec_free(p->items);
    rec_free(p->ratings);
    rec_free(p->times);
    memset(p, 0, sizeof *p);
}

int rec_data_split(rec_dataset **train, rec_dataset **test, const rec_dataset *ds,
                   const rec_split_options *opts)
{
    return rec_data_split_threads(train, test, ds, opts, 0);
}

int rec_data_split_threads(rec_dataset **train, rec_dataset **test,
                           const rec_dataset *ds, const rec_split_options *opts,
                           unsigned threads)
{
    *train = NULL;
    *test = NULL;
    if (opts->method == REC_SPLIT_TEMPORAL && !ds->times)
        return rec_error(REC_EINVAL,
                         "a temporal split needs timestamps; this dataset has none");

    split_ctx c;
    memset(&c, 0, sizeof c);
    c.ds = ds;
    c.opts = *opts;
    size_t nu = rec_ds_n_users(ds);

    /* Row pointers of both parts, and the longest row for the scratch. */
    size_t n_train = 0, n_test = 0;
    for (size_t u = 0; u < nu; u++) {
        size_t n = ds->user_ptr[u + 1] - ds->user_ptr[u];
        if (n > c.max_row)
            c.max_row = n;
        size_t k = train_count(opts, n);
        n_train += k;
        n_test += n - k;
    }
    if (threads == 0)
        threads = ds->nnz >= PARALLEL_MIN_NNZ ? rec_threads_resolve(0) : 1;
    else
        threads = rec_threads_resolve(threads);
    size_t tasks = (nu + USERS_PER_TASK - 1) / USERS_PER_TASK;
    if (threads > tasks)
        threads = tasks ? (unsigned)tasks : 1;
    int rc = REC_ENOMEM;
    if (alloc_part(&c.train, nu, n_train, ds) || alloc_part(&c.test, nu, n_test, ds))
        goto fail;
    c.marks = rec_malloc_array((size_t)threads, c.max_row);
    if (!c.marks)
        goto fail;
    if (opts->method == REC_SPLIT_RANDOM) {
        c.perm = rec_malloc_array((size_t)threads * c.max_row, sizeof *c.perm);
        if (!c.perm)
            goto fail;
    } else if (opts->method == REC_SPLIT_TEMPORAL) {
        c.order = rec_malloc_array((size_t)threads * c.max_row, sizeof *c.order);
        if (!c.order)
            goto fail;
    }
    for (size_t u = 0; u < nu; u++) {
        size_t n = ds->user_ptr[u + 1] - ds->user_ptr[u];
        size_t k = train_count(opts, n);
        c.train.ptr[u + 1] = c.train.ptr[u] + k;
        c.test.ptr[u + 1] = c.test.ptr[u] + (n - k);
    }

    rec_parallel_for(threads, tasks, split_task, &c);
    rec_free(c.marks);
    rec_free(c.perm);
    rec_free(c.order);
    c.marks = NULL;
    c.perm = NULL;
    c.order = NULL;

    rec_dataset *a = NULL, *b = NULL;
    rc = rec_dataset_from_csr(&a, ds->users, ds->items, c.train.ptr, c.train.items,
                              c.train.ratings, c.train.times);
    memset(&c.train, 0, sizeof c.train);
    if (rc)
        goto fail;
    rc = rec_dataset_from_csr(&b, ds->users, ds->items, c.test.ptr, c.test.items,
                              c.test.ratings, c.test.times);
    memset(&c.test, 0, sizeof c.test);
    if (rc) {
        rec_dataset_release(a);
        goto fail;
    }
    /* The parts carry the source's record of what its input held. */
    a->stats.has_ratings = b->stats.has_ratings = ds->stats.has_ratings;
    a->stats.has_timestamps = b->stats.has_timestamps = ds->stats.has_timestamps;
    *train = a;
    *test = b;
    return REC_OK;

fail:
    if (rc == REC_ENOMEM)
        rec_error_nomem();
    free_part(&c.train);
    free_part(&c.test);
    rec_free(c.marks);
    rec_free(c.perm);
    rec_free(c.order);
    return rc;
}
