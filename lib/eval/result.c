/* The evaluation result handle: measure names, their values and, for the
 * measures averaged over users, every user's value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "eval/eval.h"

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

int rec_eval_new(struct rec_eval **out, uint32_t *users, size_t n_users, size_t n_per_user,
                 size_t n_aggregate)
{
    *out = NULL;
    struct rec_eval *ev = rec_calloc(1, sizeof *ev);
    if (!ev) {
        rec_free(users);
        return rec_error_nomem();
    }
    size_t n = n_per_user + n_aggregate;
    ev->users = users;
    ev->n_users = n_users;
    ev->n_per_user = n_per_user;
    ev->n_values = n;
    ev->names = rec_calloc(n + 1, sizeof *ev->names);
    ev->values = rec_calloc(n + 1, sizeof *ev->values);
    /* Zeroed: workers add into it, and an unevaluated user reads 0. */
    if (n_users == 0 || n_per_user <= (SIZE_MAX - 1) / n_users)
        ev->per_user = rec_calloc(n_per_user * n_users + 1, sizeof *ev->per_user);
    if (!ev->names || !ev->values || !ev->per_user) {
        rec_eval_destroy(ev);
        return rec_error_nomem();
    }
    *out = ev;
    return REC_OK;
}

void rec_eval_name(struct rec_eval *ev, size_t v, const char *name, unsigned k)
{
    if (k)
        snprintf(ev->names[v], REC_EVAL_NAME_MAX, "%s@%u", name, k);
    else
        snprintf(ev->names[v], REC_EVAL_NAME_MAX, "%s", name);
}

void rec_eval_average(struct rec_eval *ev)
{
    for (size_t v = 0; v < ev->n_per_user; v++) {
        /* In user order: the same mean whatever the thread count. */
        const double *col = ev->per_user + v * ev->n_users;
        double sum = 0.0;
        for (size_t i = 0; i < ev->n_users; i++)
            sum += col[i];
        ev->values[v] = ev->n_users ? sum / (double)ev->n_users : 0.0;
    }
}

uint32_t *rec_eval_test_users(const rec_dataset *test, size_t *n)
{
    uint32_t *users = rec_malloc_array(rec_ds_n_users(test) + 1, sizeof *users);
    *n = 0;
    for (size_t u = 0; users && u < rec_ds_n_users(test); u++)
        if (test->user_ptr[u + 1] > test->user_ptr[u])
            users[(*n)++] = (uint32_t)u;
    return users;
}
