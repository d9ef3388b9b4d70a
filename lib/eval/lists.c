/* Evaluating ranked lists made elsewhere (rec_eval_lists): the same
 * measures as a full ranking, on the caller's lists and relevant items. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"
#include "eval/eval.h"
#include "eval/metrics.h"
#include "model/item_set.h"

/* REC_EINVAL when the list holds an item twice; sorted is scratch. */
static int check_distinct(size_t user, const uint32_t *list, size_t n, uint32_t *sorted)
{
    memcpy(sorted, list, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, rec_cmp_u32);
    for (size_t r = 1; r < n; r++)
        if (sorted[r] == sorted[r - 1]) {
            size_t first = 0;
            while (list[first] != sorted[r])
                first++;
            size_t again = first + 1;
            while (list[again] != sorted[r])
                again++;
            return rec_error(REC_EINVAL, "rec_eval_lists: user %zu lists item %u twice (at "
                             "positions %zu and %zu)", user, (unsigned)sorted[r], first,
                             again);
        }
    return REC_OK;
}

/* REC_EINVAL for an item of the list outside the catalogue. */
static int check_catalog(size_t user, const uint32_t *list, size_t n, size_t n_catalog)
{
    for (size_t r = 0; r < n; r++)
        if (list[r] >= n_catalog)
            return rec_error(REC_EINVAL, "rec_eval_lists: user %zu lists item %u at "
                             "position %zu, outside the catalogue of opts->n_catalog = %zu "
                             "items", user, (unsigned)list[r], r, n_catalog);
    return REC_OK;
}

int rec_evaluate_lists(struct rec_eval **out, size_t n_users, const size_t *list_ptr,
                       const uint32_t *list_items, const size_t *rel_ptr,
                       const uint32_t *rel_items, size_t n_catalog,
                       const rec_eval_plan *plan_in)
{
    *out = NULL;
    rec_eval_plan plan = *plan_in;
    if (n_catalog == 0)
        plan.beyond_accuracy = 0; /* no catalogue to measure against */
    size_t longest_list = 0, evaluated = 0, k_max = plan.ks[plan.n_ks - 1];
    for (size_t i = 0; i < n_users; i++) {
        size_t nl = list_ptr[i + 1] - list_ptr[i];
        longest_list = nl > longest_list ? nl : longest_list;
        evaluated += rel_ptr[i + 1] > rel_ptr[i];
    }
    uint32_t *users = rec_malloc_array(evaluated + 1, sizeof *users);
    if (!users)
        return rec_error_nomem();
    rec_eval_layout lay = rec_eval_plan_layout(&plan, 0, 0);
    struct rec_eval *ev = NULL;
    int rc = rec_eval_new_laid_out(&ev, &plan, &lay, users, evaluated);
    if (rc != REC_OK)
        return rc;
    users = ev->users;
    /* The evaluated users' lists cut to the largest K, for the list groups. */
    uint32_t *kept = NULL, *kept_len = NULL;
    if (plan.beyond_accuracy) {
        kept = rec_malloc_array(evaluated * k_max + 1, sizeof *kept);
        kept_len = rec_malloc_array(evaluated + 1, sizeof *kept_len);
    }
    uint32_t *scratch = rec_malloc_array(longest_list + 1, sizeof *scratch);
    uint32_t *rel = NULL;
    uint8_t *hit = rec_malloc(longest_list + 1);
    if (!scratch || !hit || (plan.beyond_accuracy && (!kept || !kept_len)))
        rc = rec_error_nomem();
    size_t e = 0;
    for (size_t i = 0; rc == REC_OK && i < n_users; i++) {
        const uint32_t *list = list_items + list_ptr[i];
        size_t nl = list_ptr[i + 1] - list_ptr[i];
        if ((rc = check_distinct(i, list, nl, scratch)) != REC_OK)
            break;
        if (n_catalog && (rc = check_catalog(i, list, nl, n_catalog)) != REC_OK)
            break;
        size_t nr_in = rel_ptr[i + 1] - rel_ptr[i];
        if (nr_in == 0)
            continue;
        /* The relevant items as a set: given in any order, repeats once. */
        size_t nr;
        rec_free(rel);
        rel = rec_item_set(rel_items + rel_ptr[i], nr_in, &nr);
        if (!rel) {
            rc = REC_ENOMEM;
            break;
        }
        size_t n_ranked = nl < k_max ? nl : k_max;
        for (size_t r = 0; r < n_ranked; r++)
            hit[r] = (uint8_t)rec_sorted_has(rel, 0, nr, list[r]);
        users[e] = (uint32_t)i;
        rec_metrics_add_user(hit, n_ranked, nr, plan.ks, plan.n_ks, ev->per_user + e,
                             evaluated);
        if (kept) {
            memcpy(kept + e * k_max, list, n_ranked * sizeof *kept);
            kept_len[e] = (uint32_t)n_ranked;
        }
        e++;
    }
    rec_free(rel);
    rec_free(scratch);
    rec_free(hit);
    if (rc == REC_OK)
        rc = rec_eval_list_groups(ev, &plan, &lay, kept, k_max, kept_len, n_catalog);
    rec_free(kept);
    rec_free(kept_len);
    if (rc != REC_OK) {
        rec_eval_destroy(ev);
        return rc;
    }
    rec_eval_average(ev);
    *out = ev;
    return REC_OK;
}
