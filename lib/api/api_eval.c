/* Public entry points for evaluation. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
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

/* The options, read at their version (the fields a version-1 caller does
 * not have take their defaults), and their cut-offs, checked; cut-offs
 * sorted and distinct into ks[n_ks_max]. */
static int read_options(const char *fn, const rec_eval_options *in, rec_eval_options *o,
                        unsigned *ks, size_t *n_ks)
{
    static const unsigned default_k = 20;
    *o = (rec_eval_options)REC_EVAL_OPTIONS_INIT;
    if (in) {
        int rc = rec_check_version(fn, "opts", in->version, REC_EVAL_OPTIONS_VERSION);
        if (rc != REC_OK)
            return rc;
        memcpy(o, in, in->version == 1 ? offsetof(rec_eval_options, beyond_accuracy)
                                       : sizeof *o);
    }
    const unsigned *given = o->ks ? o->ks : &default_k;
    size_t n_given = o->ks ? o->n_ks : 1;
    if (n_given == 0)
        return rec_error(REC_EINVAL, "%s: opts->n_ks is 0; give at least one cut-off", fn);
    if (n_given > REC_EVAL_KS_MAX)
        return rec_error(REC_EINVAL, "%s: opts->n_ks = %zu is above %u", fn, n_given,
                         (unsigned)REC_EVAL_KS_MAX);
    for (size_t c = 0; c < n_given; c++)
        if (given[c] == 0 || given[c] > REC_EVAL_K_MAX)
            return rec_error(REC_EINVAL, "%s: opts->ks[%zu] = %u is outside [1, %u]", fn,
                             c, given[c], (unsigned)REC_EVAL_K_MAX);
    *n_ks = rec_eval_cutoffs(given, n_given, ks);
    if (o->threads > 256)
        return rec_error(REC_EINVAL, "%s: opts->threads = %u is above 256", fn, o->threads);
    if (o->protocol < REC_EVAL_FULL || o->protocol > REC_EVAL_SAMPLED_POPULARITY)
        return rec_error(REC_EINVAL, "%s: opts->protocol = %d is not a rec_eval_protocol",
                         fn, (int)o->protocol);
    if (o->protocol != REC_EVAL_FULL &&
        (o->sample_negatives == 0 || o->sample_negatives > REC_EVAL_NEGATIVES_MAX))
        return rec_error(REC_EINVAL, "%s: opts->sample_negatives = %u is outside [1, %u]",
                         fn, o->sample_negatives, (unsigned)REC_EVAL_NEGATIVES_MAX);
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
    rec_eval_options o;
    unsigned ks[REC_EVAL_KS_MAX];
    size_t n_ks = 0;
    int rc = read_options(fn, opts, &o, ks, &n_ks);
    if (rc != REC_OK)
        return rc;

    if (!rec_dataset_same_space(test, model->train))
        return rec_error(REC_EINVAL, "%s: the test dataset is not in the model's id "
                         "space; load it with rec_model_dataset(model) (or the training "
                         "dataset) as the reference", fn);
    if (train && !rec_dataset_same_space(train, model->train))
        return rec_error(REC_EINVAL, "%s: the training dataset is not in the model's id "
                         "space; load it with rec_model_dataset(model) as the reference", fn);
    /* The training interactions: what to exclude, and the popularity. */
    const rec_dataset *known = train ? train : model->has_interactions ? model->train : NULL;
    if (o.exclude_train && !known)
        return rec_error(REC_EINVAL, "%s: the model was saved without its training "
                         "interactions; pass the training dataset or set "
                         "opts->exclude_train = 0", fn);
    if (o.protocol == REC_EVAL_SAMPLED_POPULARITY && (!known || known->nnz == 0))
        return rec_error(REC_EINVAL, "%s: popularity-sampled negatives need training "
                         "interactions; pass the training dataset", fn);
    rec_popularity pop;
    int have_pop = known && known->nnz > 0 &&
                   (o.protocol == REC_EVAL_SAMPLED_POPULARITY ||
                    (o.protocol == REC_EVAL_FULL && o.beyond_accuracy));
    if (have_pop && (rc = rec_popularity_from_dataset(&pop, known)) != REC_OK)
        return rc;
    rec_eval_plan plan = { .ks = ks, .n_ks = n_ks, .threads = o.threads,
                           .beyond_accuracy = o.beyond_accuracy != 0,
                           .pop = have_pop ? &pop : NULL, .sampling = o.protocol,
                           .negatives = o.sample_negatives, .seed = o.seed };
    rc = rec_evaluate(out, &model->serving, o.exclude_train ? known : NULL, test, &plan);
    if (have_pop)
        rec_popularity_free(&pop);
    return rc;
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
    rec_eval_options o;
    unsigned ks[REC_EVAL_KS_MAX];
    size_t n_ks = 0;
    int rc = read_options(fn, opts, &o, ks, &n_ks);
    if (rc != REC_OK)
        return rc;
    if (o.protocol != REC_EVAL_FULL)
        return rec_error(REC_EINVAL, "%s: opts->protocol: caller-made lists cannot be "
                         "evaluated with sampled negatives", fn);
    if (o.n_catalog > UINT32_MAX)
        return rec_error(REC_EINVAL, "%s: opts->n_catalog = %zu is above 2^32 - 1", fn,
                         o.n_catalog);
    for (size_t i = 0; i < n_users; i++) {
        if (list_ptr[i + 1] < list_ptr[i])
            return rec_error(REC_EINVAL, "%s: list_ptr[%zu] > list_ptr[%zu]", fn, i, i + 1);
        if (rel_ptr[i + 1] < rel_ptr[i])
            return rec_error(REC_EINVAL, "%s: rel_ptr[%zu] > rel_ptr[%zu]", fn, i, i + 1);
    }
    rec_popularity pop;
    int have_pop = o.beyond_accuracy && o.n_catalog && o.item_counts;
    if (have_pop) {
        for (size_t i = 0; i < o.n_catalog; i++)
            if (o.item_counts[i] > o.n_train_users)
                return rec_error(REC_EINVAL, "%s: opts->item_counts[%zu] = %u is above "
                                 "opts->n_train_users = %zu", fn, i,
                                 (unsigned)o.item_counts[i], o.n_train_users);
        if (o.n_train_users == 0)
            return rec_error(REC_EINVAL, "%s: opts->n_train_users is 0 with "
                             "opts->item_counts set", fn);
        if ((rc = rec_popularity_init(&pop, o.item_counts, o.n_catalog, o.n_train_users)) !=
            REC_OK)
            return rc;
    }
    rec_eval_plan plan = { .ks = ks, .n_ks = n_ks, .beyond_accuracy = o.beyond_accuracy != 0,
                           .pop = have_pop ? &pop : NULL };
    rc = rec_evaluate_lists(out, n_users, list_ptr, list_items, rel_ptr, rel_items,
                            o.n_catalog, &plan);
    if (have_pop)
        rec_popularity_free(&pop);
    return rc;
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
    if (rc == REC_OK && v >= ev->n_per_user)
        return rec_error(REC_EINVAL, "%s: '%s' is computed over all users together; it has "
                         "no per-user values", fn, name);
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

size_t rec_eval_count_per_user(const rec_eval *ev)
{
    return ev ? ev->n_per_user : 0;
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
