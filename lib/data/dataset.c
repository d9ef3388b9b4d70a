/* Dataset life cycle and the CSR invariants. */
#include "data/dataset.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"

rec_dataset *rec_dataset_retain(const rec_dataset *ds)
{
    /* The reference count is the one mutable part of an immutable dataset. */
    rec_dataset *d = (rec_dataset *)ds;
    atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
    return d;
}

void rec_dataset_release(rec_dataset *ds)
{
    if (!ds)
        return;
    if (atomic_fetch_sub_explicit(&ds->refs, 1, memory_order_acq_rel) != 1)
        return;
    rec_idmap_release(ds->users);
    rec_idmap_release(ds->items);
    rec_free(ds->user_ptr);
    rec_free(ds->user_items);
    rec_free(ds->ratings);
    rec_free(ds->times);
    rec_free(ds->item_ptr);
    rec_free(ds->item_users);
    rec_free(ds);
}

int rec_dataset_same_space(const rec_dataset *a, const rec_dataset *b)
{
    return rec_idmap_equal(a->users, b->users) && rec_idmap_equal(a->items, b->items);
}

size_t rec_dataset_max_row(const rec_dataset *ds)
{
    size_t m = 0;
    for (size_t u = 0; ds && u < rec_ds_n_users(ds); u++)
        if (ds->user_ptr[u + 1] - ds->user_ptr[u] > m)
            m = ds->user_ptr[u + 1] - ds->user_ptr[u];
    return m;
}

int rec_dataset_has(const rec_dataset *ds, uint32_t u, uint32_t i)
{
    if (u >= rec_ds_n_users(ds))
        return 0;
    return rec_sorted_has(ds->user_items, ds->user_ptr[u], ds->user_ptr[u + 1], i);
}

static int check_csr(const size_t *user_ptr, const uint32_t *user_items,
                     size_t nu, size_t ni)
{
    if (user_ptr[0] != 0)
        return rec_error(REC_EINVAL, "CSR: row pointers must start at 0");
    for (size_t u = 0; u < nu; u++) {
        size_t a = user_ptr[u], b = user_ptr[u + 1];
        if (b < a)
            return rec_error(REC_EINVAL, "CSR: row pointers decrease at user %zu", u);
        for (size_t k = a; k < b; k++) {
            if (user_items[k] >= ni)
                return rec_error(REC_EINVAL, "CSR: user %zu has item %u, beyond %zu items",
                                 u, (unsigned)user_items[k], ni);
            if (k > a && user_items[k] <= user_items[k - 1])
                return rec_error(REC_EINVAL,
                                 "CSR: items of user %zu are not sorted and distinct", u);
        }
    }
    return REC_OK;
}

int rec_dataset_from_csr(rec_dataset **out, rec_idmap *users, rec_idmap *items,
                         size_t *user_ptr, uint32_t *user_items, float *ratings,
                         double *times)
{
    *out = NULL;
    size_t nu = rec_idmap_size(users), ni = rec_idmap_size(items);
    rec_dataset *ds = NULL;
    int rc = check_csr(user_ptr, user_items, nu, ni);
    if (rc != REC_OK)
        goto fail;
    size_t nnz = user_ptr[nu];

    rc = REC_ENOMEM;
    ds = rec_calloc(1, sizeof *ds);
    if (!ds)
        goto fail;
    ds->item_ptr = rec_calloc(ni + 1, sizeof *ds->item_ptr);
    ds->item_users = rec_malloc_array(nnz, sizeof *ds->item_users);
    if (!ds->item_ptr || !ds->item_users)
        goto fail;

    /* Item CSR by counting: visiting users in increasing order leaves every
     * item's users sorted. */
    size_t *ip = ds->item_ptr;
    for (size_t k = 0; k < nnz; k++)
        ip[user_items[k] + 1]++;
    for (size_t i = 0; i < ni; i++)
        ip[i + 1] += ip[i];
    size_t users_without_items = 0;
    for (size_t u = 0; u < nu; u++) {
        if (user_ptr[u] == user_ptr[u + 1])
            users_without_items++;
        for (size_t k = user_ptr[u]; k < user_ptr[u + 1]; k++)
            ds->item_users[ip[user_items[k]]++] = (uint32_t)u;
    }
    /* The scatter advanced each item's start to the next item's start:
     * shift back. */
    for (size_t i = ni; i > 0; i--)
        ip[i] = ip[i - 1];
    ip[0] = 0;

    atomic_init(&ds->refs, 1);
    ds->users = rec_idmap_retain(users);
    ds->items = rec_idmap_retain(items);
    ds->nnz = nnz;
    ds->user_ptr = user_ptr;
    ds->user_items = user_items;
    ds->ratings = ratings;
    ds->times = times;
    rec_dataset_stats st = REC_DATASET_STATS_INIT;
    st.n_users = nu;
    st.n_items = ni;
    st.n_interactions = nnz;
    st.rows_read = nnz;
    st.users_without_items = users_without_items;
    st.has_ratings = ratings != NULL;
    st.has_timestamps = times != NULL;
    ds->stats = st;
    *out = ds;
    return REC_OK;

fail:
    if (rc == REC_ENOMEM)
        rec_error_nomem();
    if (ds) {
        rec_free(ds->item_ptr);
        rec_free(ds->item_users);
        rec_free(ds);
    }
    rec_free(user_ptr);
    rec_free(user_items);
    rec_free(ratings);
    rec_free(times);
    return rc;
}
