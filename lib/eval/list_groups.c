/* The measures that come from the users' top-K lists themselves, beyond
 * their hits: per-user popularity measures and the exposure measures over
 * all lists. Full ranking and caller-made lists share this code, and the
 * layout of a result that holds them. */
#include <stdint.h>

#include "core/alloc.h"
#include "core/error.h"
#include "eval/eval.h"
#include "eval/exposure.h"
#include "eval/metrics.h"

rec_eval_layout rec_eval_plan_layout(const rec_eval_plan *plan, int with_auc,
                                     int with_rating)
{
    rec_eval_layout lay = { SIZE_MAX, SIZE_MAX, 0, SIZE_MAX, SIZE_MAX, 0 };
    size_t v = plan->n_ks * REC_MEASURE_COUNT;
    if (with_auc)
        lay.auc = v++;
    if (plan->beyond_accuracy && plan->pop) {
        lay.popularity = v;
        v += plan->n_ks * REC_POP_COUNT;
    }
    lay.n_per_user = v;
    size_t a = v;
    if (plan->beyond_accuracy) {
        lay.exposure = a;
        a += plan->n_ks * REC_EXPOSURE_COUNT;
    }
    if (with_rating) {
        lay.rating = a;
        a += 2;
    }
    lay.n_aggregate = a - v;
    return lay;
}

int rec_eval_new_laid_out(struct rec_eval **out, const rec_eval_plan *plan,
                          const rec_eval_layout *lay, uint32_t *users, size_t n_users)
{
    int rc = rec_eval_new(out, users, n_users, lay->n_per_user, lay->n_aggregate);
    if (rc != REC_OK)
        return rc;
    struct rec_eval *ev = *out;
    for (size_t c = 0; c < plan->n_ks; c++) {
        unsigned k = plan->ks[c];
        for (int m = 0; m < REC_MEASURE_COUNT; m++)
            rec_eval_name(ev, c * REC_MEASURE_COUNT + (size_t)m,
                          rec_measure_name((rec_measure)m), k);
        for (int m = 0; lay->popularity != SIZE_MAX && m < REC_POP_COUNT; m++)
            rec_eval_name(ev, lay->popularity + c * REC_POP_COUNT + (size_t)m,
                          rec_pop_name((rec_pop_measure)m), k);
        for (int m = 0; lay->exposure != SIZE_MAX && m < REC_EXPOSURE_COUNT; m++)
            rec_eval_name(ev, lay->exposure + c * REC_EXPOSURE_COUNT + (size_t)m,
                          rec_exposure_name((rec_exposure_measure)m), k);
    }
    if (lay->auc != SIZE_MAX)
        rec_eval_name(ev, lay->auc, "auc", 0);
    if (lay->rating != SIZE_MAX) {
        rec_eval_name(ev, lay->rating, "rmse", 0);
        rec_eval_name(ev, lay->rating + 1, "mae", 0);
    }
    return REC_OK;
}

int rec_eval_list_groups(struct rec_eval *ev, const rec_eval_plan *plan,
                         const rec_eval_layout *lay, const uint32_t *items, size_t stride,
                         const uint32_t *len, size_t n_items)
{
    if (lay->popularity != SIZE_MAX)
        for (size_t i = 0; i < ev->n_users; i++)
            rec_popularity_add_user(plan->pop, items + i * stride, len[i], plan->ks,
                                    plan->n_ks,
                                    ev->per_user + lay->popularity * ev->n_users + i,
                                    ev->n_users);
    if (lay->exposure == SIZE_MAX)
        return REC_OK;
    rec_exposure_scratch *scratch = NULL;
    int rc = rec_exposure_scratch_new(&scratch, n_items);
    if (rc != REC_OK)
        return rc;
    for (size_t c = 0; c < plan->n_ks; c++)
        rec_exposure_at(scratch, items, stride, len, ev->n_users, n_items, plan->ks[c],
                        ev->values + lay->exposure + c * REC_EXPOSURE_COUNT);
    rec_exposure_scratch_free(scratch);
    return REC_OK;
}
