/* Model families: each is a small vtable plus its hyperparameter table.
 * Family code only trains (one epoch at a time) and folds in users who were
 * not in training; everything else works on the serving form. The training
 * loop itself (epochs, evaluation, early stopping, progress) is shared:
 * lib/train/. */
#ifndef REC_MODEL_FAMILY_H
#define REC_MODEL_FAMILY_H

#include "model/params.h"
#include "model/serving.h"
#include "model/tensors.h"
#include "data/dataset.h"

typedef struct rec_family rec_family;
struct rec_model;

/* Initial user and item embeddings (rec_train_options_set_init_model),
 * copied out of the model they came from. */
typedef struct rec_init_embeddings {
    rec_dataset *space;     /* the model's id maps (a reference) */
    size_t dim;
    float *users;           /* n_users x dim, packed */
    float *items;           /* n_items x dim, packed */
} rec_init_embeddings;

struct rec_train_options {
    const rec_family *family;
    rec_param_value values[REC_PARAMS_MAX];
    rec_progress_fn progress;
    void *progress_data;
    rec_dataset *valid;     /* validation data (a reference), or NULL */
    rec_init_embeddings *init;  /* or NULL */
    struct rec_kg *kg;          /* a reference, or NULL */
};

/* What one epoch reports. Phases a family does not separate stay 0. */
typedef struct rec_epoch_report {
    double loss;              /* mean training loss over the epoch */
    double sample_seconds;
    double forward_seconds;
    double backward_seconds;
    double update_seconds;
} rec_epoch_report;

struct rec_family {
    const char *name;
    const char *summary;               /* one line for listings */
    const rec_param_def *params;
    size_t n_params;
    /* Builds the training state. On failure *state is NULL. */
    int (*setup)(void **state, const rec_dataset *train, const rec_train_options *opts);
    /* Runs epoch number `epoch` (0-based). NULL for families that do not
     * iterate (their state is final after setup). */
    int (*epoch)(void *state, unsigned epoch, rec_epoch_report *report);
    /* The serving form of the current state (allocated into *out) and, if
     * tensors is not NULL, the tensors fold-in needs (added to *tensors).
     * Does not change the state. */
    int (*export_state)(void *state, rec_serving *out, rec_tensors *tensors);
    void (*destroy)(void *state);
    /* Optional (all three or none): a copy of the trainable parameters and
     * its restoration, so that keeping the best state during training costs
     * the parameters rather than a whole exported model. */
    int (*snapshot)(void *state, void **snap);
    void (*restore)(void *state, const void *snap);
    void (*free_snapshot)(void *snap);
    /* Folds in a user from the items they interacted with: writes the user's
     * serving vector (serving.dim floats) into out. NULL: not available for
     * this family. */
    int (*fold_in)(const struct rec_model *m, const uint32_t *items, size_t n, float *out);
    /* 1 if setup takes initial embeddings (rec_init_embeddings_apply). */
    int warm_start;
    /* 1 if setup needs a knowledge graph (opts->kg); families with 0 refuse
     * one. */
    int uses_kg;
};

const rec_family *rec_family_find(const char *name);
const rec_family *rec_family_at(size_t index);

/* Typed access to a setting by name; the name must be in the family's
 * table (a programming error otherwise, caught by tests). */
int64_t rec_opt_int(const rec_train_options *o, const char *name);
double rec_opt_float(const rec_train_options *o, const char *name);
/* The learning rate of epoch `epoch` (0-based) under the family's lr,
 * lr_schedule and lr_final settings (plain lr without a schedule). */
double rec_lr_for_epoch(const rec_train_options *o, unsigned epoch);

/* The value of a FLOATS setting: *n numbers (0 for the default word). */
const double *rec_opt_list(const rec_train_options *o, const char *name, size_t *n);
/* 1 if the family's table has `name`. */
int rec_opt_has(const rec_train_options *o, const char *name);

struct rec_graph;
/* With initial embeddings in the options: checks that they fit (the
 * training dataset's id space, dimension dim) and copies user u into row
 * rec_graph_node(g, u) and item i into row rec_graph_node(g, n_users + i) of
 * E (stride ld; padding untouched). g NULL: rows u and n_users + i. Without
 * initial embeddings: REC_OK and E unchanged. */
int rec_init_embeddings_apply(const rec_train_options *o, const rec_dataset *train,
                              size_t dim, float *E, size_t ld, const struct rec_graph *g);
/* The embeddings of a model scoring by plain inner products, copied
 * (REC_EINVAL naming fn otherwise). */
int rec_init_embeddings_from_model(rec_init_embeddings **out, const struct rec_model *m,
                                   const char *fn);
void rec_init_embeddings_free(rec_init_embeddings *init);

/* The families. */
extern const rec_family rec_family_mf;
extern const rec_family rec_family_lightgcn;
extern const rec_family rec_family_ngcf;
extern const rec_family rec_family_pop;
extern const rec_family rec_family_cml;
extern const rec_family rec_family_relmf;
extern const rec_family rec_family_nbpo;
extern const rec_family rec_family_kgat;

#endif
