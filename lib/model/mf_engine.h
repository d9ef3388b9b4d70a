/* The training engine of the embedding-table families: a user table U and
 * an item table V trained on sampled tuples (a training interaction and
 * negatives), one epoch being as many tuples as there are interactions.
 *
 *   mf     matrix factorization, inner products, any loss and sampler
 *   cml    collaborative metric learning: negative squared distances,
 *          rows kept in the unit ball, a covariance regulariser
 *   relmf  matrix factorization under Rel-MF's inverse-propensity loss
 *   nbpo   matrix factorization under NBPO's noisy-label likelihood
 *
 * Tuples are split into units of `batch`; unit b of epoch e draws from the
 * random stream (seed, REC_STREAM_SAMPLE + e, b). Threads take units in
 * order and update the shared tables without locks (Hogwild!, Recht et al.
 * 2011): with one thread a run is bit-for-bit repeatable, with several it
 * is statistically the same.
 *
 * Two paths run a unit. BPR with one uniform negative on inner products
 * under SGD, the most common setting by far, takes a fused, prefetching
 * loop (mf_fused.c); every other setting takes the general tuple path
 * (mf_tuple.c), which draws pairs, then negatives from the sampler, and
 * steps on each tuple (SGD) or on the unit's mean gradient (lazy Adam). */
#ifndef REC_MODEL_MF_ENGINE_H
#define REC_MODEL_MF_ENGINE_H

#include <stdatomic.h>

#include "embed/adam.h"
#include "embed/sparse_grad.h"
#include "embed/table.h"
#include "kernels/kernels.h"
#include "model/common_params.h"
#include "model/family.h"
#include "model/objective.h"
#include "model/tuple_grad.h"

typedef enum rec_mf_kind { REC_MF_PLAIN, REC_MF_CML, REC_MF_RELMF, REC_MF_NBPO } rec_mf_kind;

/* One thread's scratch for the tuple path. */
typedef struct rec_mf_worker {
    uint32_t *users, *pos, *neg;   /* the unit's pairs and negatives */
    double *cum;                   /* popularity sampler's dense users */
    uint32_t *items;
    uint32_t *ids;                 /* the tuple's items, the positive first */
    float *s, *ds, *dflip, *flip;  /* per tuple, k + 1 each */
    const float **v;               /* the tuple's item rows */
    float **dv;                    /* their gradient rows */
    float *grad;                   /* SGD: the user's and k + 1 items' rows */
    float *flip_grad;              /* NBPO: the same for the flip factors */
    rec_sparse_grad gu, gv;        /* Adam accumulators */
    float *cov_x, *cov_g, *cov_c;  /* CML: gathered rows, their gradient,
                                    * the covariance */
} rec_mf_worker;

typedef struct mf_run {
    const rec_dataset *ds;
    const rec_train_options *opts;   /* for the learning-rate schedule */
    const rec_kernels *k;
    rec_mf_kind kind;
    rec_scoring scoring;
    uint32_t *user_of;           /* user of each interaction (COO rows) */
    rec_table U, V;
    float lr, reg;
    size_t batch;
    uint64_t seed;
    unsigned epoch;
    unsigned threads;
    size_t n_units;
    double *unit_loss;           /* per unit, summed in unit order */
    size_t *unit_count;
    int fused;                   /* the fused BPR path (mf_fused.c) */
    int adam;
    rec_objective ob;
    rec_mf_worker *work;         /* one per thread, tuple path only */
    rec_adam adam_u, adam_v;
    atomic_uint_fast64_t step;
    /* relmf: the inverse propensity of each item, 1 / max(theta_i, clip) */
    float *item_weight;
    /* cml */
    float cov_reg;
    /* nbpo: flip logit of (u, i) = flip_bias + <P[u], Q[i]>, the factors
     * learned only when learn_flip */
    float flip_bias;
    int learn_flip;
    rec_table P, Q;
} mf_run;

/* The families' setup, epoch, export and destroy over the engine. */
int rec_mf_setup(void **state, const rec_dataset *ds, const rec_train_options *o,
                 rec_mf_kind kind);
int rec_mf_epoch(void *state, unsigned epoch, rec_epoch_report *report);
int rec_mf_export(void *state, rec_serving *out, rec_tensors *tensors);
void rec_mf_destroy(void *state);

/* The two ways of running unit `unit` (rec_parallel_for tasks). */
void rec_mf_fused_unit(void *run, size_t unit, unsigned worker);
void rec_mf_tuple_unit(void *run, size_t unit, unsigned worker);

/* Tuples in unit `unit`. */
static inline size_t rec_mf_unit_size(const mf_run *r, size_t unit)
{
    size_t first = unit * r->batch;
    size_t left = r->ds->nnz - first;
    return left < r->batch ? left : r->batch;
}

/* The first entries of every engine family's table: the table size and
 * the step. */
#define REC_MF_PARAMS_HEAD(epochs, lr, reg, schedule) \
    REC_PARAM_DIM("64"), REC_PARAM_EPOCHS(epochs), REC_PARAM_LR(lr), REC_PARAM_REG(reg), \
    REC_PARAMS_LR_SCHEDULE(schedule, "0.01"), \
    { "batch", REC_PARAM_INT, "1024", 1, 16777216, 0, 0, NULL, "[1, 2^24]", \
      "tuples per unit: drawn from one random stream; the mini-batch of one adam " \
      "step (and of CML's covariance term)" }
/* ... and the last. */
#define REC_MF_PARAMS_TAIL(eval_every, early_stop) \
    REC_PARAM_INIT("normal"), REC_PARAM_INIT_SCALE("0.1"), REC_PARAM_THREADS, \
    REC_PARAM_SEED, REC_PARAMS_EVALUATION(eval_every, early_stop)

/* Fold-in (family.h; mf_fold_in.c): inner-product families by ridge
 * regression onto the user's items, cml by their centroid. */
int rec_mf_fold_in(const struct rec_model *m, const uint32_t *items, size_t n, float *out);
int rec_cml_fold_in(const struct rec_model *m, const uint32_t *items, size_t n, float *out);
/* The ridge weight of rec_mf_fold_in() in units of the mean eigenvalue of
 * V_I^T V_I. */
#define REC_FOLD_IN_RIDGE 10.0

/* Defines the family `ident` named `name` over the engine. */
#define REC_MF_FAMILY(ident, fname, text, table, kind)                                    \
    static int ident##_setup(void **state, const rec_dataset *ds,                          \
                             const rec_train_options *o)                                   \
    {                                                                                      \
        return rec_mf_setup(state, ds, o, kind);                                           \
    }                                                                                      \
    const rec_family ident = { .name = fname, .summary = text, .params = table,            \
                               .n_params = sizeof table / sizeof table[0],                 \
                               .setup = ident##_setup, .epoch = rec_mf_epoch,              \
                               .export_state = rec_mf_export, .destroy = rec_mf_destroy,   \
                               .fold_in = kind == REC_MF_CML ? rec_cml_fold_in        \
                                                             : rec_mf_fold_in }

/* Rows of the tables sit at random places in megabytes of memory: both
 * paths ask for them a few tuples ahead. */
static inline void rec_prefetch_row(const float *row, size_t ld)
{
    for (size_t c = 0; c < ld; c += 16) /* one 64-byte line per 16 floats */
        __builtin_prefetch(row + c, 1, 3);
}

/* Family pieces the engine calls. */
int rec_relmf_weights(mf_run *r);             /* item_weight from eta, clip */
int rec_nbpo_setup(mf_run *r);                /* flip settings and tables */
void rec_nbpo_flip_logits(const mf_run *r, uint32_t u, const uint32_t *items, size_t n,
                          float *z);
/* SGD step on the flip parameters from dL/dz of a tuple. */
void rec_nbpo_flip_step(mf_run *r, rec_mf_worker *w, uint32_t u, const uint32_t *items,
                        size_t n, const float *dz);
/* Scales a row back onto the unit ball if it left it. */
void rec_cml_clip(float *row, size_t n);
/* CML's covariance regulariser on the n rows gathered into w->cov_x (ld
 * floats apart; centred in place): its gradient into the rows of
 * w->cov_g, for the caller to scatter. Returns the loss. */
double rec_cml_covariance_grad(const mf_run *r, rec_mf_worker *w, size_t n);

#endif
