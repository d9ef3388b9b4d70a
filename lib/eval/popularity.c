#include "eval/popularity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

const char *rec_pop_name(rec_pop_measure m)
{
    switch (m) {
    case REC_POP_AVG:       return "avg_pop";
    case REC_POP_LONG_TAIL: return "long_tail";
    case REC_POP_NOVELTY:   return "novelty";
    default:                return "?";
    }
}

void rec_popularity_free(rec_popularity *p)
{
    rec_free(p->counts);
    rec_free(p->tail);
    rec_free(p->info);
    memset(p, 0, sizeof *p);
}

/* qsort over item ids by the counts they index: most popular first, ties by
 * ascending id. qsort has no context argument, so the ids carry their count
 * with them. */
typedef struct ranked_item {
    uint32_t count, item;
} ranked_item;

static int cmp_popular_first(const void *a, const void *b)
{
    const ranked_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

int rec_popularity_init(rec_popularity *p, const uint32_t *counts, size_t n_items,
                        size_t n_train_users)
{
    memset(p, 0, sizeof *p);
    p->n_items = n_items;
    p->n_train_users = n_train_users;
    p->counts = rec_malloc_array(n_items + 1, sizeof *p->counts);
    p->tail = rec_calloc(n_items + 1, 1);
    p->info = rec_malloc_array(n_items + 1, sizeof *p->info);
    ranked_item *order = rec_malloc_array(n_items + 1, sizeof *order);
    if (!p->counts || !p->tail || !p->info || !order) {
        rec_free(order);
        rec_popularity_free(p);
        return rec_error_nomem();
    }
    for (size_t i = 0; i < n_items; i++) {
        p->counts[i] = counts[i];
        /* An item nobody had in training counts as seen once: the largest
         * finite self-information, rather than an infinite one. */
        double c = counts[i] ? (double)counts[i] : 1.0;
        p->info[i] = log2((double)n_train_users / c);
        order[i] = (ranked_item){ counts[i], (uint32_t)i };
    }
    qsort(order, n_items, sizeof *order, cmp_popular_first);
    size_t head = n_items - (n_items * 4) / 5;
    for (size_t r = head; r < n_items; r++)
        p->tail[order[r].item] = 1;
    rec_free(order);
    return REC_OK;
}

int rec_popularity_from_dataset(rec_popularity *p, const rec_dataset *train)
{
    size_t n_items = rec_ds_n_items(train), n_users = rec_ds_n_users(train), active = 0;
    uint32_t *counts = rec_malloc_array(n_items + 1, sizeof *counts);
    if (!counts)
        return rec_error_nomem();
    for (size_t i = 0; i < n_items; i++)
        counts[i] = (uint32_t)(train->item_ptr[i + 1] - train->item_ptr[i]);
    for (size_t u = 0; u < n_users; u++)
        active += train->user_ptr[u + 1] > train->user_ptr[u];
    int rc = rec_popularity_init(p, counts, n_items, active ? active : 1);
    rec_free(counts);
    return rc;
}

void rec_popularity_add_user(const rec_popularity *p, const uint32_t *list, size_t len,
                             const unsigned *ks, size_t n_ks, double *out, size_t stride)
{
    double pop = 0.0, tail = 0.0, info = 0.0;
    size_t r = 0;
    for (size_t c = 0; c < n_ks; c++) {
        size_t top = len < ks[c] ? len : ks[c];
        for (; r < top; r++) {
            uint32_t i = list[r];
            pop += (double)p->counts[i];
            tail += p->tail[i];
            info += p->info[i];
        }
        double v[REC_POP_COUNT] = { 0 };
        if (top) {
            v[REC_POP_AVG] = pop / (double)top;
            v[REC_POP_LONG_TAIL] = tail / (double)top;
            v[REC_POP_NOVELTY] = info / (double)top;
        }
        for (int m = 0; m < REC_POP_COUNT; m++)
            out[(c * REC_POP_COUNT + (size_t)m) * stride] = v[m];
    }
}
