#include "model/family.h"

#include <math.h>
#include <string.h>

#include "core/error.h"

static const rec_family *const families[] = {
    &rec_family_mf,
    &rec_family_lightgcn,
    &rec_family_ngcf,
    &rec_family_pop,
    &rec_family_cml,
    &rec_family_relmf,
    &rec_family_nbpo,
    &rec_family_kgat,
};

#define N_FAMILIES (sizeof families / sizeof families[0])

const rec_family *rec_family_find(const char *name)
{
    for (size_t k = 0; k < N_FAMILIES; k++)
        if (strcmp(families[k]->name, name) == 0)
            return families[k];
    return NULL;
}

const rec_family *rec_family_at(size_t index)
{
    return index < N_FAMILIES ? families[index] : NULL;
}

static const rec_param_value *value_of(const rec_train_options *o, const char *name)
{
    int k = rec_param_index(o->family->params, o->family->n_params, name);
    return k < 0 ? NULL : &o->values[k];
}

int64_t rec_opt_int(const rec_train_options *o, const char *name)
{
    const rec_param_value *v = value_of(o, name);
    return v ? v->i : 0;
}

const double *rec_opt_list(const rec_train_options *o, const char *name, size_t *n)
{
    const rec_param_value *v = value_of(o, name);
    *n = v ? (size_t)v->i : 0;
    return v ? v->list : NULL;
}

double rec_lr_for_epoch(const rec_train_options *o, unsigned epoch)
{
    double lr = rec_opt_float(o, "lr");
    if (!rec_opt_has(o, "lr_schedule") || rec_opt_int(o, "lr_schedule") == 0)
        return lr;
    double epochs = (double)rec_opt_int(o, "epochs");
    double fin = rec_opt_float(o, "lr_final");
    double t = epochs > 1 ? epoch / (epochs - 1) : 1.0;
    const double pi = 3.14159265358979323846;
    return lr * (fin + (1.0 - fin) * 0.5 * (1.0 + cos(pi * t)));
}

int rec_opt_has(const rec_train_options *o, const char *name)
{
    return value_of(o, name) != NULL;
}

double rec_opt_float(const rec_train_options *o, const char *name)
{
    const rec_param_value *v = value_of(o, name);
    return v ? v->f : 0.0;
}
