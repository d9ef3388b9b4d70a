#include "model/model.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static void free_settings(rec_setting *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        rec_free(s[k].name);
        rec_free(s[k].value);
    }
    rec_free(s);
}

/* The settings of `o` in text form, in table order. */
static int record_settings(const rec_train_options *o, rec_setting **out, size_t *n_out)
{
    const rec_family *f = o->family;
    *out = NULL;
    *n_out = 0;
    if (f->n_params == 0)
        return REC_OK;
    rec_setting *s = rec_calloc(f->n_params, sizeof *s);
    if (!s)
        return rec_error_nomem();
    for (size_t k = 0; k < f->n_params; k++) {
        char buf[64];
        rec_param_format(&f->params[k], &o->values[k], buf, sizeof buf);
        s[k].name = rec_strdup(f->params[k].name);
        s[k].value = rec_strdup(buf);
        if (!s[k].name || !s[k].value) {
            free_settings(s, f->n_params);
            return rec_error_nomem();
        }
    }
    *out = s;
    *n_out = f->n_params;
    return REC_OK;
}

int rec_model_assemble(rec_model **out, const rec_family *family,
                       rec_serving *serving, rec_dataset *train,
                       int has_interactions, rec_setting *settings,
                       size_t n_settings, unsigned epochs, double final_loss)
{
    *out = NULL;
    rec_model *m = rec_calloc(1, sizeof *m);
    if (!m) {
        rec_serving_free(serving);
        rec_dataset_release(train);
        free_settings(settings, n_settings);
        return rec_error_nomem();
    }
    m->family = family;
    m->serving = *serving;
    memset(serving, 0, sizeof *serving);
    m->train = train;
    m->has_interactions = has_interactions;
    m->settings = settings;
    m->n_settings = n_settings;
    m->epochs = epochs;
    m->final_loss = final_loss;
    *out = m;
    return REC_OK;
}

int rec_model_build(rec_model **out, const rec_dataset *train,
                    const rec_train_options *opts)
{
    *out = NULL;
    if (train->nnz == 0)
        return rec_error(REC_EINVAL, "the training dataset has no interactions");

    rec_serving s;
    rec_train_result res = { 0, NAN };
    int rc = opts->family->train(train, opts, &s, &res);
    if (rc != REC_OK)
        return rc;
    rc = rec_serving_finish(&s);
    if (rc != REC_OK) {
        rec_serving_free(&s);
        return rc;
    }
    rec_setting *settings;
    size_t n_settings;
    rc = record_settings(opts, &settings, &n_settings);
    if (rc != REC_OK) {
        rec_serving_free(&s);
        return rc;
    }
    return rec_model_assemble(out, opts->family, &s, rec_dataset_retain(train), 1,
                              settings, n_settings, res.epochs, res.final_loss);
}

void rec_model_destroy(rec_model *m)
{
    if (!m)
        return;
    rec_serving_free(&m->serving);
    rec_dataset_release(m->train);
    free_settings(m->settings, m->n_settings);
    rec_free(m);
}

const char *rec_model_setting_value(const rec_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_settings; k++)
        if (strcmp(m->settings[k].name, name) == 0)
            return m->settings[k].value;
    return NULL;
}
