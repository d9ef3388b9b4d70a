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

int rec_evaluate_lists(struct rec_eval **out, size_t n_users, const size_t *list_ptr,
                       const uint32_t *list_items, const size_t *rel_ptr,
                       const uint32_t *rel_items, const unsigned *ks_in, size_t n_ks_in)
{
    *out = NULL;
    size_t longest_list = 0, evaluated = 0;
    for (size_t i = 0; i < n_users; i++) {
        size_t nl = list_ptr[i + 1] - list_ptr[i];
        longest_list = nl > longest_list ? nl : longest_list;
        evaluated += rel_ptr[i + 1] > rel_ptr[i];
    }
    unsigned *ks = rec_malloc_array(n_ks_in, sizeof *ks);
    uint32_t *users = rec_malloc_array(evaluated + 1, sizeof *users);
    uint32_t *scratch = rec_malloc_array(longest_list + 1, sizeof *scratch);
    uint32_t *rel = NULL;
    uint8_t *hit = rec_malloc(longest_list + 1);
    size_t n_ks = ks ? rec_eval_cutoffs(ks_in, n_ks_in, ks) : 0;
    double *per_user = rec_calloc((evaluated + 1) * n_ks * REC_MEASURE_COUNT + 1,
                                  sizeof(double));
    int rc = ks && users && scratch && hit && per_user ? REC_OK : rec_error_nomem();
    size_t k_max = n_ks ? ks[n_ks - 1] : 0, e = 0;
    for (size_t i = 0; rc == REC_OK && i < n_users; i++) {
        const uint32_t *list = list_items + list_ptr[i];
        size_t nl = list_ptr[i + 1] - list_ptr[i];
        if ((rc = check_distinct(i, list, nl, scratch)) != REC_OK)
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
        rec_metrics_add_user(hit, n_ranked, nr, ks, n_ks, per_user + e, evaluated);
        e++;
    }
    rec_free(rel);
    rec_free(scratch);
    rec_free(hit);
    if (rc == REC_OK) {
        rc = rec_eval_result(out, ks, n_ks, 0, users, per_user, evaluated);
    } else {
        rec_free(users);
        rec_free(per_user);
    }
    rec_free(ks);
    return rc;
}
