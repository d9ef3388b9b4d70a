#include "model/model.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

void rec_settings_free(rec_setting *s, size_t n)
{
    for (size_t k = 0; s && k < n; k++) {
        rec_free(s[k].name);
        rec_free(s[k].value);
    }
    rec_free(s);
}

int rec_settings_from_options(const rec_train_options *o, rec_setting **out, size_t *n_out)
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
            rec_settings_free(s, f->n_params);
            return rec_error_nomem();
        }
    }
    *out = s;
    *n_out = f->n_params;
    return REC_OK;
}

int rec_model_assemble(rec_model **out, const rec_family *family,
                       rec_serving *serving, rec_tensors *tensors, rec_dataset *train,
                       int has_interactions, rec_setting *settings, size_t n_settings,
                       const rec_train_summary *summary)
{
    *out = NULL;
    rec_model *m = rec_calloc(1, sizeof *m);
    if (!m) {
        rec_serving_free(serving);
        rec_tensors_free(tensors);
        rec_dataset_release(train);
        rec_settings_free(settings, n_settings);
        return rec_error_nomem();
    }
    m->family = family;
    m->serving = *serving;
    memset(serving, 0, sizeof *serving);
    m->tensors = *tensors;
    memset(tensors, 0, sizeof *tensors);
    m->train = train;
    m->has_interactions = has_interactions;
    m->settings = settings;
    m->n_settings = n_settings;
    m->summary = *summary;
    *out = m;
    return REC_OK;
}

void rec_model_destroy(rec_model *m)
{
    if (!m)
        return;
    rec_serving_free(&m->serving);
    rec_tensors_free(&m->tensors);
    rec_dataset_release(m->train);
    rec_settings_free(m->settings, m->n_settings);
    rec_free(m);
}

const char *rec_model_setting_value(const rec_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_settings; k++)
        if (strcmp(m->settings[k].name, name) == 0)
            return m->settings[k].value;
    return NULL;
}
