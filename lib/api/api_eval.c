/* Public entry points for evaluation. */
#include <math.h>
#include <string.h>

#include "librec/librec.h"

#include "api/api_util.h"
#include "core/alloc.h"
#include "eval/eval.h"
#include "eval/stats.h"
#include "model/model.h"

int rec_eval_options_init(rec_eval_options *opts)
{
    REC_CHECK_NULL("rec_eval_options_init", opts);
    *opts = (rec_eval_options)REC_EVAL_OPTIONS_INIT;
    return REC_OK;
}

/* The options (defaults for NULL) and their cut-offs, checked. */
static int check_options(const char *fn, const rec_eval_options **opts, const unsigned **ks,
                         size_t *n_ks)
{
    static const rec_eval_options defaults = REC_EVAL_OPTIONS_INIT;
    static const unsigned default_k = 20;
    if (!*opts)
        *opts = &defaults;
    const rec_eval_options *o = *opts;
    int rc = rec_check_version(fn, "opts", o->version, REC_EVAL_OPTIONS_VERSION);
    if (rc != REC_OK)
        return rc;
    *ks = o->ks ? o->ks : &default_k;
    *n_ks = o->ks ? o->n_ks : 1;
    if (*n_ks == 0)
        return rec_error(REC_EINVAL, "%s: opts->n_ks is 0; give at least one cut-off", fn);
    for (size_t c = 0; c < *n_ks; c++)
        if ((*ks)[c] == 0 || (*ks)[c] > REC_EVAL_K_MAX)
            return rec_error(REC_EINVAL, "%s: opts->ks[%zu] = %u is outside [1, %u]", fn,
                             c, (*ks)[c], (unsigned)REC_EVAL_K_MAX);
    if (o->threads > 256)
        return rec_error(REC_EINVAL, "%s: opts->threads = %u is above 256", fn, o->threads);
    return REC_OK;
}

int rec_eval_run(rec_eval **out, const rec_model *model, const rec_dataset *train,
                 const rec_dataset *test, const rec_eval_options *opts)
{
    static const char fn[] = "rec_eval_run";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, test);
    const unsigned *ks;
    size_t n_ks;
    int rc = check_options(fn, &opts, &ks, &n_ks);
    if (rc != REC_OK)
        return rc;

    if (!rec_dataset_same_space(test, model->train))
        return rec_error(REC_EINVAL, "%s: the test dataset is not in the model's id "
                         "space; load it with rec_model_dataset(model) (or the training "
                         "dataset) as the reference", fn);
    const rec_dataset *exclude = NULL;
    if (opts->exclude_train) {
        if (train) {
            if (!rec_dataset_same_space(train, model->train))
                return rec_error(REC_EINVAL, "%s: the training dataset is not in the "
                                 "model's id space; load it with rec_model_dataset(model) "
                                 "as the reference", fn);
            exclude = train;
        } else if (model->has_interactions) {
            exclude = model->train;
        } else {
            return rec_error(REC_EINVAL, "%s: the model was saved without its training "
                             "interactions; pass the training dataset or set "
                             "opts->exclude_train = 0", fn);
        }
    }
    return rec_evaluate(out, &model->serving, exclude, test, ks, n_ks, opts->threads);
}

int rec_eval_lists(rec_eval **out, size_t n_users, const size_t *list_ptr,
                   const uint32_t *list_items, const size_t *rel_ptr,
                   const uint32_t *rel_items, const rec_eval_options *opts)
{
    static const char fn[] = "rec_eval_lists";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, list_ptr);
    REC_CHECK_NULL(fn, rel_ptr);
    if (list_ptr[n_users] > 0)
        REC_CHECK_NULL(fn, list_items);
    if (rel_ptr[n_users] > 0)
        REC_CHECK_NULL(fn, rel_items);
    const unsigned *ks;
    size_t n_ks;
    int rc = check_options(fn, &opts, &ks, &n_ks);
    if (rc != REC_OK)
        return rc;
    for (size_t i = 0; i < n_users; i++) {
        if (list_ptr[i + 1] < list_ptr[i])
            return rec_error(REC_EINVAL, "%s: list_ptr[%zu] > list_ptr[%zu]", fn, i, i + 1);
        if (rel_ptr[i + 1] < rel_ptr[i])
            return rec_error(REC_EINVAL, "%s: rel_ptr[%zu] > rel_ptr[%zu]", fn, i, i + 1);
    }
    return rec_evaluate_lists(out, n_users, list_ptr, list_items, rel_ptr, rel_items, ks,
                              n_ks);
}

/* The index of a measure by name, or REC_ENOTFOUND naming fn. */
static int find_measure(const char *fn, const rec_eval *ev, const char *name, size_t *index)
{
    for (size_t v = 0; v < ev->n_values; v++) {
        if (strcmp(ev->names[v], name) == 0) {
            *index = v;
            return REC_OK;
        }
    }
    return rec_error(REC_ENOTFOUND, "%s: this evaluation has no measure '%.64s'", fn, name);
}

int rec_eval_get(const rec_eval *ev, const char *name, double *value)
{
    static const char fn[] = "rec_eval_get";
    REC_CHECK_NULL(fn, ev);
    REC_CHECK_NULL(fn, name);
    REC_CHECK_NULL(fn, value);
    size_t v = 0;
    int rc = find_measure(fn, ev, name, &v);
    if (rc == REC_OK)
        *value = ev->values[v];
    return rc;
}

int rec_eval_user_values(const rec_eval *ev, const char *name, const uint32_t **users,
                         const double **values)
{
    static const char fn[] = "rec_eval_user_values";
    REC_CHECK_NULL(fn, ev);
    REC_CHECK_NULL(fn, name);
    REC_CHECK_NULL(fn, users);
    REC_CHECK_NULL(fn, values);
    size_t v = 0;
    int rc = find_measure(fn, ev, name, &v);
    if (rc == REC_OK) {
        *users = ev->users;
        *values = ev->per_user + v * ev->n_users;
    }
    return rc;
}

size_t rec_eval_count(const rec_eval *ev)
{
    return ev ? ev->n_values : 0;
}

int rec_eval_at(const rec_eval *ev, size_t index, const char **name, double *value)
{
    static const char fn[] = "rec_eval_at";
    REC_CHECK_NULL(fn, ev);
    REC_CHECK_NULL(fn, name);
    REC_CHECK_NULL(fn, value);
    if (index >= ev->n_values)
        return rec_error(REC_EINVAL, "%s: index %zu is past the %zu measures", fn, index,
                         ev->n_values);
    *name = ev->names[index];
    *value = ev->values[index];
    return REC_OK;
}

size_t rec_eval_n_users(const rec_eval *ev)
{
    return ev ? ev->n_users : 0;
}

void rec_eval_free(rec_eval *ev)
{
    rec_eval_destroy(ev);
}

int rec_paired_test_run(const double *a, const double *b, size_t n, rec_paired_test *out)
{
    static const char fn[] = "rec_paired_test_run";
    REC_CHECK_NULL(fn, a);
    REC_CHECK_NULL(fn, b);
    REC_CHECK_NULL(fn, out);
    if (out->version < 1 || out->version > REC_PAIRED_TEST_VERSION)
        return rec_error(REC_EINVAL, "%s: out->version %u is not one this library knows "
                         "(set it to REC_PAIRED_TEST_VERSION)", fn, (unsigned)out->version);
    if (n < 2)
        return rec_error(REC_EINVAL, "%s: n = %zu; a paired test needs at least 2 pairs", fn,
                         n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i]) || !isfinite(b[i]))
            return rec_error(REC_EINVAL, "%s: pair %zu is not finite (%g, %g)", fn, i, a[i],
                             b[i]);
    double *d = rec_malloc_array(3 * n, sizeof *d);
    if (!d)
        return rec_error_nomem();
    double sa = 0.0, sb = 0.0, sd = 0.0;
    for (size_t i = 0; i < n; i++) {
        d[i] = b[i] - a[i];
        sa += a[i];
        sb += b[i];
        sd += d[i];
    }
    double mean = sd / (double)n, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (d[i] - mean) * (d[i] - mean);
    double se = sqrt(ss / (double)(n - 1) / (double)n);
    rec_paired_test r = *out;
    r.n = n;
    r.mean_a = sa / (double)n;
    r.mean_b = sb / (double)n;
    r.mean_diff = mean;
    /* No spread: identical differences are either all zero (nothing to
     * test) or a certain shift. */
    r.t = se > 0.0 ? mean / se : mean == 0.0 ? 0.0 : copysign(INFINITY, mean);
    r.t_p = se > 0.0 || mean != 0.0 ? rec_student_t_p(r.t, (double)(n - 1)) : 1.0;
    double ties;
    rec_signed_ranks(d, n, d + n, &r.w_plus, &r.w_n, &ties);
    double m = (double)r.w_n;
    double var = m * (m + 1.0) * (2.0 * m + 1.0) / 24.0 - ties / 48.0;
    r.w_z = var > 0.0 ? (r.w_plus - m * (m + 1.0) / 4.0) / sqrt(var) : 0.0;
    r.w_p = var > 0.0 ? rec_normal_p(r.w_z) : 1.0;
    rec_free(d);
    *out = r;
    return REC_OK;
}
