/* The model handle: a serving form, the tensors its family needs for
 * fold-in, the id space and training interactions it came from, the settings
 * it was trained with and a summary of its training. Immutable once built. */
#ifndef REC_MODEL_MODEL_H
#define REC_MODEL_MODEL_H

#include "model/family.h"

typedef struct rec_setting {
    char *name;
    char *value;    /* text form */
} rec_setting;

typedef struct rec_train_summary {
    unsigned epochs;        /* epochs run */
    unsigned best_epoch;    /* epoch whose state the model holds */
    double final_loss;      /* mean loss of the last epoch run; NaN if none */
    unsigned eval_k;        /* cut-off of the validation measures; 0: none */
    double valid_recall;    /* Recall@eval_k at best_epoch; NaN if none */
    double valid_ndcg;      /* NDCG@eval_k at best_epoch; NaN if none */
} rec_train_summary;

struct rec_model {
    const rec_family *family;
    rec_serving serving;
    rec_tensors tensors;
    /* The id maps and, when has_interactions, the training interactions
     * (otherwise a dataset with the maps and no interactions). Never NULL. */
    rec_dataset *train;
    int has_interactions;
    rec_setting *settings;
    size_t n_settings;
    rec_train_summary summary;
};

/* The settings of `o` in text form, in table order. */
int rec_settings_from_options(const rec_train_options *o, rec_setting **out, size_t *n);
void rec_settings_free(rec_setting *s, size_t n);

/* Builds a model from its parts, taking ownership of all of them (they are
 * released on failure too): a completed serving form (rec_serving_finish),
 * the tensors, a reference to the training dataset, the settings. */
int rec_model_assemble(rec_model **out, const rec_family *family,
                       rec_serving *serving, rec_tensors *tensors, rec_dataset *train,
                       int has_interactions, rec_setting *settings, size_t n_settings,
                       const rec_train_summary *summary);

void rec_model_destroy(rec_model *m);

/* Value of a setting by name, or NULL. */
const char *rec_model_setting_value(const rec_model *m, const char *name);

#endif
