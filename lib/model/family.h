/* Model families: each is a small vtable plus its hyperparameter table.
 * Family code only trains (and later folds in unseen users); everything
 * else works on the serving form. */
#ifndef REC_MODEL_FAMILY_H
#define REC_MODEL_FAMILY_H

#include "model/params.h"
#include "model/serving.h"
#include "data/dataset.h"

typedef struct rec_family rec_family;

struct rec_train_options {
    const rec_family *family;
    rec_param_value values[REC_PARAMS_MAX];
    rec_progress_fn progress;
    void *progress_data;
};

/* What a family's train function reports besides the serving form. */
typedef struct rec_train_result {
    unsigned epochs;
    double final_loss;   /* NaN when the family has no loss */
} rec_train_result;

struct rec_family {
    const char *name;
    const char *summary;               /* one line for listings */
    const rec_param_def *params;
    size_t n_params;
    /* Trains on `train` and fills *out (allocated by the family) and *res.
     * On failure *out holds nothing that needs freeing. */
    int (*train)(const rec_dataset *train, const rec_train_options *opts,
                 rec_serving *out, rec_train_result *res);
};

const rec_family *rec_family_find(const char *name);
const rec_family *rec_family_at(size_t index);

/* Typed access to a setting by name; the name must be in the family's
 * table (a programming error otherwise, caught by tests). */
int64_t rec_opt_int(const rec_train_options *o, const char *name);
double rec_opt_float(const rec_train_options *o, const char *name);

/* Calls the progress callback, if any: REC_ECANCELED if it asks to stop. */
int rec_report_progress(const rec_train_options *o, unsigned epoch,
                        unsigned epochs, double loss, double epoch_seconds,
                        double total_seconds);

/* The families. */
extern const rec_family rec_family_mf;
extern const rec_family rec_family_pop;

#endif
