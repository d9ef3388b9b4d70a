/* Public entry points for model families, training options, training,
 * model inspection and serving. Argument checks and dispatch only. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "librec/librec.h"

#include "api/api_util.h"
#include "core/alloc.h"
#include "core/layout.h"
#include "core/parse.h"
#include "core/threads.h"
#include "data/kg.h"
#include "model/model.h"
#include "model/recommend.h"
#include "model/similar.h"
#include "train/train.h"

/* ---- Families ---- */

const char *rec_family_name(size_t index)
{
    const rec_family *f = rec_family_at(index);
    return f ? f->name : NULL;
}

static int find_family(const char *fn, const char *family, const rec_family **out)
{
    REC_CHECK_NULL(fn, family);
    *out = rec_family_find(family);
    if (!*out) {
        char list[256] = "";
        for (size_t k = 0; rec_family_at(k); k++) {
            if (k)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, rec_family_at(k)->name, sizeof list - strlen(list) - 1);
        }
        return rec_error(REC_ENOTFOUND, "%s: unknown model family '%.64s' (known: %s)",
                         fn, family, list);
    }
    return REC_OK;
}

static const char *type_name(rec_param_type t)
{
    switch (t) {
    case REC_PARAM_INT:    return "int";
    case REC_PARAM_FLOAT:  return "float";
    case REC_PARAM_BOOL:   return "bool";
    case REC_PARAM_CHOICE: return "choice";
    case REC_PARAM_FLOATS: return "floats";
    }
    return "?";
}

int rec_family_param(const char *family, size_t index, rec_param_info *info)
{
    static const char fn[] = "rec_family_param";
    const rec_family *f;
    int rc = find_family(fn, family, &f);
    if (rc != REC_OK)
        return rc;
    REC_CHECK_NULL(fn, info);
    if ((rc = rec_check_version(fn, "info", info->version, REC_PARAM_INFO_VERSION)) != REC_OK)
        return rc;
    if (index >= f->n_params)
        return rec_error(REC_ENOTFOUND, "%s: model '%s' has %zu parameters; index %zu "
                         "is past the end", fn, f->name, f->n_params, index);
    const rec_param_def *d = &f->params[index];
    info->name = d->name;
    info->type = type_name(d->type);
    info->default_value = d->default_value;
    info->range = d->range_text;
    info->help = d->help;
    return REC_OK;
}

/* ---- Training options ---- */

int rec_train_options_new(rec_train_options **out, const char *family)
{
    static const char fn[] = "rec_train_options_new";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    const rec_family *f;
    int rc = find_family(fn, family, &f);
    if (rc != REC_OK)
        return rc;
    rec_train_options *o = rec_calloc(1, sizeof *o);
    if (!o)
        return rec_error_nomem();
    o->family = f;
    for (size_t k = 0; k < f->n_params; k++) {
        rc = rec_param_parse(&f->params[k], f->params[k].default_value, &o->values[k]);
        if (rc != REC_OK) { /* a bad table entry: caught by the tests */
            rec_free(o);
            return rec_error_context(rc, "%s: default of '%s': ", fn, f->params[k].name);
        }
    }
    *out = o;
    return REC_OK;
}

static int find_param(const char *fn, const rec_train_options *opts, const char *name,
                      int *index)
{
    *index = -1;
    REC_CHECK_NULL(fn, opts);
    REC_CHECK_NULL(fn, name);
    const rec_family *f = opts->family;
    *index = rec_param_index(f->params, f->n_params, name);
    if (*index < 0)
        return rec_param_unknown(f->params, f->n_params, f->name, name);
    return REC_OK;
}

int rec_train_options_set(rec_train_options *opts, const char *name, const char *value)
{
    static const char fn[] = "rec_train_options_set";
    int k, rc = find_param(fn, opts, name, &k);
    if (rc != REC_OK)
        return rc;
    REC_CHECK_NULL(fn, value);
    return rec_param_parse(&opts->family->params[k], value, &opts->values[k]);
}

int rec_train_options_get(const rec_train_options *opts, const char *name,
                          char *buf, size_t size)
{
    static const char fn[] = "rec_train_options_get";
    int k, rc = find_param(fn, opts, name, &k);
    if (rc != REC_OK)
        return rc;
    REC_CHECK_NULL(fn, buf);
    char text[64];
    rec_param_format(&opts->family->params[k], &opts->values[k], text, sizeof text);
    return rec_copy_out(fn, text, buf, size);
}

int rec_train_options_set_progress(rec_train_options *opts, rec_progress_fn fn_,
                                   void *user_data)
{
    REC_CHECK_NULL("rec_train_options_set_progress", opts);
    opts->progress = fn_;
    opts->progress_data = user_data;
    return REC_OK;
}

int rec_train_options_set_validation(rec_train_options *opts, const rec_dataset *valid)
{
    REC_CHECK_NULL("rec_train_options_set_validation", opts);
    rec_dataset_release(opts->valid);
    opts->valid = valid ? rec_dataset_retain(valid) : NULL;
    return REC_OK;
}

int rec_train_options_set_init_model(rec_train_options *opts, const rec_model *init)
{
    static const char fn[] = "rec_train_options_set_init_model";
    REC_CHECK_NULL(fn, opts);
    rec_init_embeddings *e = NULL;
    if (init) {
        int rc = rec_init_embeddings_from_model(&e, init, fn);
        if (rc != REC_OK)
            return rc;
    }
    rec_init_embeddings_free(opts->init);
    opts->init = e;
    return REC_OK;
}

int rec_train_options_set_kg(rec_train_options *opts, const rec_kg *kg)
{
    REC_CHECK_NULL("rec_train_options_set_kg", opts);
    /* Retain first: kg may be the graph the options already hold. */
    rec_kg *keep = rec_kg_retain((rec_kg *)kg);
    rec_kg_release(opts->kg);
    opts->kg = keep;
    return REC_OK;
}

void rec_train_options_free(rec_train_options *opts)
{
    if (!opts)
        return;
    rec_dataset_release(opts->valid);
    rec_kg_release(opts->kg);
    rec_init_embeddings_free(opts->init);
    rec_free(opts);
}

/* ---- Training and inspection ---- */

int rec_model_train(rec_model **out, const rec_dataset *train,
                    const rec_train_options *opts)
{
    static const char fn[] = "rec_model_train";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, train);
    REC_CHECK_NULL(fn, opts);
    return rec_train_model(out, train, opts);
}

void rec_model_free(rec_model *model)
{
    rec_model_destroy(model);
}

size_t rec_model_n_users(const rec_model *model)
{
    return model ? model->serving.n_users : 0;
}

size_t rec_model_n_items(const rec_model *model)
{
    return model ? model->serving.n_items : 0;
}

size_t rec_model_dim(const rec_model *model)
{
    return model ? model->serving.dim : 0;
}

const rec_dataset *rec_model_dataset(const rec_model *model)
{
    return model ? model->train : NULL;
}

int rec_model_info_get(const rec_model *model, rec_model_info *info)
{
    static const char fn[] = "rec_model_info_get";
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, info);
    int rc = rec_check_version(fn, "info", info->version, REC_MODEL_INFO_VERSION);
    if (rc != REC_OK)
        return rc;
    info->family = model->family->name;
    info->n_users = model->serving.n_users;
    info->n_items = model->serving.n_items;
    info->dim = model->serving.dim;
    info->scoring = model->serving.scoring;
    info->has_item_bias = model->serving.item_bias != NULL;
    info->has_interactions = model->has_interactions;
    info->n_interactions = model->train->nnz;
    info->epochs = model->summary.epochs;
    info->final_loss = model->summary.final_loss;
    if (info->version >= 2) {
        info->best_epoch = model->summary.best_epoch;
        info->eval_k = model->summary.eval_k;
        info->valid_recall = model->summary.valid_recall;
        info->valid_ndcg = model->summary.valid_ndcg;
        info->can_fold_in = model->family->fold_in != NULL;
    }
    return REC_OK;
}

int rec_model_setting(const rec_model *model, const char *name, char *buf, size_t size)
{
    static const char fn[] = "rec_model_setting";
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, name);
    REC_CHECK_NULL(fn, buf);
    const char *v = rec_model_setting_value(model, name);
    if (!v)
        return rec_param_unknown(model->family->params, model->family->n_params,
                                 model->family->name, name);
    return rec_copy_out(fn, v, buf, size);
}

/* ---- Serving ---- */

static int check_user(const char *fn, const rec_model *m, uint32_t user)
{
    if (user >= m->serving.n_users)
        return rec_error(REC_EINVAL, "%s: user %u is out of range (the model has %zu users)",
                         fn, (unsigned)user, m->serving.n_users);
    return REC_OK;
}

int rec_model_score(const rec_model *model, uint32_t user, const uint32_t *items,
                    size_t n, float *scores)
{
    static const char fn[] = "rec_model_score";
    REC_CHECK_NULL(fn, model);
    int rc = check_user(fn, model, user);
    if (rc != REC_OK)
        return rc;
    if (n == 0)
        return REC_OK;
    REC_CHECK_NULL(fn, items);
    REC_CHECK_NULL(fn, scores);
    for (size_t j = 0; j < n; j++)
        if (items[j] >= model->serving.n_items)
            return rec_error(REC_EINVAL, "%s: items[%zu] = %u is out of range (the model "
                             "has %zu items)", fn, j, (unsigned)items[j],
                             model->serving.n_items);
    const float *u = rec_serving_user(&model->serving, user);
    for (size_t j = 0; j < n; j++)
        scores[j] = rec_serving_score(&model->serving, u, items[j]);
    return REC_OK;
}

int rec_recommend_options_init(rec_recommend_options *opts)
{
    REC_CHECK_NULL("rec_recommend_options_init", opts);
    *opts = (rec_recommend_options)REC_RECOMMEND_OPTIONS_INIT;
    return REC_OK;
}

/* A list of n dense item ids in opts (may be NULL when n = 0). */
static int check_item_list(const char *fn, const rec_model *m, const char *name,
                           const uint32_t *list, size_t n)
{
    if (n && !list)
        return rec_error(REC_EINVAL, "%s: opts->%s is NULL but n_%s is %zu", fn, name, name,
                         n);
    for (size_t j = 0; j < n; j++)
        if (list[j] >= m->serving.n_items)
            return rec_error(REC_EINVAL, "%s: opts->%s[%zu] = %u is out of range (the model "
                             "has %zu items)", fn, name, j, (unsigned)list[j],
                             m->serving.n_items);
    return REC_OK;
}

/* The options (NULL: defaults) checked against the model, as a request for
 * k items. with_user: the request is for users of the model, whose training
 * items exclude_train removes (not for vectors). */
static int make_request(const char *fn, const rec_model *m, int with_user, size_t k,
                        const rec_recommend_options *opts, rec_rank_request *req)
{
    memset(req, 0, sizeof *req);
    /* Read at the caller's version: a version-1 struct ends before the
     * candidates, which keep their default. */
    rec_recommend_options o = REC_RECOMMEND_OPTIONS_INIT;
    if (opts) {
        int rc = rec_check_version(fn, "opts", opts->version, REC_RECOMMEND_OPTIONS_VERSION);
        if (rc != REC_OK)
            return rc;
        memcpy(&o, opts, opts->version == 1 ? offsetof(rec_recommend_options, candidates)
                                            : sizeof o);
    }
    int rc = check_item_list(fn, m, "blocklist", o.blocklist, o.n_blocklist);
    if (rc == REC_OK && o.candidates)
        rc = check_item_list(fn, m, "candidates", o.candidates, o.n_candidates);
    if (rc == REC_OK && !o.candidates && o.n_candidates)
        rc = rec_error(REC_EINVAL, "%s: opts->candidates is NULL but n_candidates is %zu",
                       fn, o.n_candidates);
    if (rc != REC_OK)
        return rc;
    const rec_dataset *train = NULL;
    if (o.exclude_train && with_user) {
        if (!m->has_interactions)
            return rec_error(REC_EINVAL, "%s: the model was saved without its training "
                             "interactions, so they cannot be excluded; set "
                             "opts->exclude_train = 0", fn);
        train = m->train;
    }
    return rec_rank_request_init(req, &m->serving, k, train, o.blocklist, o.n_blocklist,
                                 o.candidates, o.n_candidates);
}

/* Validates options and runs the selection for the user vector u into a
 * temporary buffer. user: the dense user whose training items exclude_train
 * removes, or UINT32_MAX for a vector without training items. */
static int recommend(const char *fn, const rec_model *m, const float *u, uint32_t user,
                     size_t k, const rec_recommend_options *opts, rec_scored **out,
                     size_t *n)
{
    *out = NULL;
    *n = 0;
    rec_rank_request req;
    int rc = make_request(fn, m, user != UINT32_MAX, k, opts, &req);
    if (rc != REC_OK || req.k == 0) {
        rec_rank_request_free(&req);
        return rc;
    }
    *out = rec_malloc_array(req.k, sizeof **out);
    rc = *out ? rec_recommend_one(&m->serving, &req, u, user, *out, n) : rec_error_nomem();
    rec_rank_request_free(&req);
    if (rc != REC_OK) {
        rec_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Copies the k best into the caller's arrays. */
static void copy_best(const rec_scored *best, size_t n, uint32_t *items, float *scores)
{
    for (size_t j = 0; j < n; j++) {
        items[j] = best[j].item;
        if (scores)
            scores[j] = best[j].score;
    }
}

int rec_model_recommend(const rec_model *model, uint32_t user, size_t k,
                        const rec_recommend_options *opts, uint32_t *items,
                        float *scores, size_t *n_out)
{
    static const char fn[] = "rec_model_recommend";
    REC_CHECK_NULL(fn, n_out);
    *n_out = 0;
    REC_CHECK_NULL(fn, model);
    int rc = check_user(fn, model, user);
    if (rc != REC_OK)
        return rc;
    if (k > 0)
        REC_CHECK_NULL(fn, items);
    rec_scored *best;
    size_t n;
    rc = recommend(fn, model, rec_serving_user(&model->serving, user), user, k, opts, &best,
                   &n);
    if (rc != REC_OK)
        return rc;
    copy_best(best, n, items, scores);
    *n_out = n;
    rec_free(best);
    return REC_OK;
}

int rec_model_recommend_batch(const rec_model *model, const uint32_t *users,
                              size_t n_users, size_t k, const rec_recommend_options *opts,
                              unsigned threads, uint32_t *items, float *scores,
                              size_t *n_out)
{
    static const char fn[] = "rec_model_recommend_batch";
    if (n_users > 0) {
        REC_CHECK_NULL(fn, n_out);
        memset(n_out, 0, n_users * sizeof *n_out);
    }
    REC_CHECK_NULL(fn, model);
    if (n_users > 0) {
        REC_CHECK_NULL(fn, users);
        if (k > 0)
            REC_CHECK_NULL(fn, items);
    }
    if (n_users > 0 && k > SIZE_MAX / sizeof *items / n_users)
        return rec_error(REC_EINVAL, "%s: n_users * k = %zu * %zu is too large", fn,
                         n_users, k);
    if (threads > REC_MAX_THREADS)
        return rec_error(REC_EINVAL, "%s: threads = %u is above %u", fn, threads,
                         (unsigned)REC_MAX_THREADS);
    for (size_t j = 0; j < n_users; j++)
        if (users[j] >= model->serving.n_users)
            return rec_error(REC_EINVAL, "%s: users[%zu] = %u is out of range (the model "
                             "has %zu users)", fn, j, (unsigned)users[j],
                             model->serving.n_users);
    rec_rank_request req;
    int rc = make_request(fn, model, 1, k, opts, &req);
    if (rc == REC_OK)
        rc = rec_recommend_batch(&model->serving, &req, users, n_users,
                                 rec_threads_resolve(threads), k, items, scores, n_out);
    rec_rank_request_free(&req);
    return rc;
}

/* Similar items (users = 0) or users to row q. */
static int similar(const char *fn, const rec_model *model, int users, uint32_t q, size_t k,
                   rec_similarity sim, uint32_t *ids, float *scores, size_t *n_out)
{
    REC_CHECK_NULL(fn, n_out);
    *n_out = 0;
    REC_CHECK_NULL(fn, model);
    const char *kind = users ? "user" : "item";
    size_t n = users ? model->serving.n_users : model->serving.n_items;
    if (q >= n)
        return rec_error(REC_EINVAL, "%s: %s %u is out of range (the model has %zu %ss)", fn,
                         kind, (unsigned)q, n, kind);
    if (k > 0 && !ids)
        return rec_error(REC_EINVAL, "%s: %ss is NULL", fn, kind);
    if (sim != REC_SIMILARITY_DOT && sim != REC_SIMILARITY_COSINE &&
        sim != REC_SIMILARITY_NEG_SQDIST)
        return rec_error(REC_EINVAL, "%s: sim = %d is not a rec_similarity", fn, (int)sim);
    if (model->serving.scoring == REC_SCORING_NEG_SQDIST && sim != REC_SIMILARITY_NEG_SQDIST)
        return rec_error(REC_EUNSUPPORTED, "%s: model family '%s' scores by distance, so "
                         "only REC_SIMILARITY_NEG_SQDIST compares its vectors meaningfully",
                         fn, model->family->name);
    size_t cap = k < n - 1 ? k : n - 1;
    if (cap == 0)
        return REC_OK;
    rec_scored *best = rec_malloc_array(cap, sizeof *best);
    if (!best)
        return rec_error_nomem();
    size_t got;
    int rc = rec_similar_rows(&model->serving, users, q, cap, sim, best, &got);
    if (rc == REC_OK) {
        copy_best(best, got, ids, scores);
        *n_out = got;
    }
    rec_free(best);
    return rc;
}

int rec_model_similar_items(const rec_model *model, uint32_t item, size_t k,
                            rec_similarity sim, uint32_t *items, float *scores,
                            size_t *n_out)
{
    return similar("rec_model_similar_items", model, 0, item, k, sim, items, scores, n_out);
}

int rec_model_similar_users(const rec_model *model, uint32_t user, size_t k,
                            rec_similarity sim, uint32_t *users, float *scores,
                            size_t *n_out)
{
    return similar("rec_model_similar_users", model, 1, user, k, sim, users, scores, n_out);
}

static int find_id(const char *fn, const rec_idmap *map, const char *kind,
                   const char *id, uint32_t *out)
{
    if (rec_idmap_find(map, id, strlen(id), out) != REC_OK) {
        char shown[80];
        rec_excerpt(shown, 64, id, strlen(id));
        return rec_error(REC_ENOTFOUND, "%s: unknown %s id '%s'", fn, kind, shown);
    }
    return REC_OK;
}

int rec_model_score_ext(const rec_model *model, const char *user,
                        const char *const *items, size_t n, float *scores)
{
    static const char fn[] = "rec_model_score_ext";
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, user);
    uint32_t u;
    int rc = find_id(fn, model->train->users, "user", user, &u);
    if (rc != REC_OK)
        return rc;
    if (n == 0)
        return REC_OK;
    REC_CHECK_NULL(fn, items);
    REC_CHECK_NULL(fn, scores);
    for (size_t j = 0; j < n; j++) {
        if (!items[j])
            return rec_error(REC_EINVAL, "%s: items[%zu] is NULL", fn, j);
        uint32_t i;
        if ((rc = find_id(fn, model->train->items, "item", items[j], &i)) != REC_OK)
            return rc;
        scores[j] = rec_serving_score(&model->serving, rec_serving_user(&model->serving, u), i);
    }
    return REC_OK;
}

int rec_model_recommend_ext(const rec_model *model, const char *user, size_t k,
                            const rec_recommend_options *opts, const char **items,
                            float *scores, size_t *n_out)
{
    static const char fn[] = "rec_model_recommend_ext";
    REC_CHECK_NULL(fn, n_out);
    *n_out = 0;
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, user);
    if (k > 0)
        REC_CHECK_NULL(fn, items);
    uint32_t u;
    int rc = find_id(fn, model->train->users, "user", user, &u);
    if (rc != REC_OK)
        return rc;
    rec_scored *best;
    size_t n;
    if ((rc = recommend(fn, model, rec_serving_user(&model->serving, u), u, k, opts, &best,
                        &n)) != REC_OK)
        return rc;
    for (size_t j = 0; j < n; j++) {
        items[j] = rec_idmap_get(model->train->items, best[j].item);
        if (scores)
            scores[j] = best[j].score;
    }
    *n_out = n;
    rec_free(best);
    return REC_OK;
}

/* ---- Users who were not in training ---- */

/* The caller's unpadded vector in the row layout, in a new aligned buffer. */
static float *padded_vector(const rec_model *m, const float *vector)
{
    float *u = rec_aligned_alloc(m->serving.ld, sizeof(float));
    if (!u)
        return NULL;
    memset(u, 0, m->serving.ld * sizeof(float));
    memcpy(u, vector, m->serving.dim * sizeof(float));
    return u;
}

int rec_model_fold_in(const rec_model *model, const uint32_t *items, size_t n, float *vector)
{
    static const char fn[] = "rec_model_fold_in";
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, vector);
    if (n)
        REC_CHECK_NULL(fn, items);
    if (!model->family->fold_in)
        return rec_error(REC_EUNSUPPORTED, "%s: model family '%s' does not offer fold-in "
                         "in this version", fn, model->family->name);
    for (size_t j = 0; j < n; j++)
        if (items[j] >= model->serving.n_items)
            return rec_error(REC_EINVAL, "%s: items[%zu] = %u is out of range (the model "
                             "has %zu items)", fn, j, (unsigned)items[j],
                             model->serving.n_items);
    return model->family->fold_in(model, items, n, vector);
}

int rec_model_score_vector(const rec_model *model, const float *vector,
                           const uint32_t *items, size_t n, float *scores)
{
    static const char fn[] = "rec_model_score_vector";
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, vector);
    if (n == 0)
        return REC_OK;
    REC_CHECK_NULL(fn, items);
    REC_CHECK_NULL(fn, scores);
    for (size_t j = 0; j < n; j++)
        if (items[j] >= model->serving.n_items)
            return rec_error(REC_EINVAL, "%s: items[%zu] = %u is out of range (the model "
                             "has %zu items)", fn, j, (unsigned)items[j],
                             model->serving.n_items);
    float *u = padded_vector(model, vector);
    if (!u)
        return rec_error_nomem();
    for (size_t j = 0; j < n; j++)
        scores[j] = rec_serving_score(&model->serving, u, items[j]);
    rec_free(u);
    return REC_OK;
}

int rec_model_recommend_vector(const rec_model *model, const float *vector, size_t k,
                               const rec_recommend_options *opts, uint32_t *items,
                               float *scores, size_t *n_out)
{
    static const char fn[] = "rec_model_recommend_vector";
    REC_CHECK_NULL(fn, n_out);
    *n_out = 0;
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, vector);
    if (k > 0)
        REC_CHECK_NULL(fn, items);
    float *u = padded_vector(model, vector);
    if (!u)
        return rec_error_nomem();
    rec_scored *best;
    size_t n;
    int rc = recommend(fn, model, u, UINT32_MAX, k, opts, &best, &n);
    rec_free(u);
    if (rc != REC_OK)
        return rc;
    copy_best(best, n, items, scores);
    *n_out = n;
    rec_free(best);
    return REC_OK;
}
