/* The model handle: a serving form, the id space and training interactions
 * it came from, and the settings it was trained with. Immutable once built. */
#ifndef REC_MODEL_MODEL_H
#define REC_MODEL_MODEL_H

#include "model/family.h"

typedef struct rec_setting {
    char *name;
    char *value;    /* text form */
} rec_setting;

struct rec_model {
    const rec_family *family;
    rec_serving serving;
    /* The id maps and, when has_interactions, the training interactions
     * (otherwise a dataset with the maps and no interactions). Never NULL. */
    rec_dataset *train;
    int has_interactions;
    rec_setting *settings;
    size_t n_settings;
    unsigned epochs;
    double final_loss;
};

/* Trains: validates the dataset, runs the family, records the settings. */
int rec_model_build(rec_model **out, const rec_dataset *train,
                    const rec_train_options *opts);

/* An empty model shell for loaders: takes ownership of `train` (a reference)
 * and of a completed serving form. */
int rec_model_assemble(rec_model **out, const rec_family *family,
                       rec_serving *serving, rec_dataset *train,
                       int has_interactions, rec_setting *settings,
                       size_t n_settings, unsigned epochs, double final_loss);

void rec_model_destroy(rec_model *m);

/* Value of a setting by name, or NULL. */
const char *rec_model_setting_value(const rec_model *m, const char *name);

#endif
