/* The engine's setup, epochs and export (model/mf_engine.h), and the mf
 * family: matrix factorization, score(u, i) = <U[u], V[i]>, trained with
 * BPR on uniform negatives by default (Rendle et al., UAI 2009) or with any
 * loss and sampler of docs/losses.md and docs/sampling.md. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"
#include "model/common_params.h"
#include "model/mf_engine.h"

static const rec_param_def mf_params[] = {
    REC_MF_PARAMS_HEAD("400", "0.05", "0.005", "constant"),
    REC_PARAM_OPTIMIZER("sgd"),
    REC_PARAMS_OBJECTIVE("bpr", "1", "1", "uniform", "1"),
    REC_MF_PARAMS_TAIL("20", "5"),
};

enum { OPT_SGD = 0, OPT_ADAM = 1 };

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

static void free_worker(rec_mf_worker *w)
{
    void *bufs[] = { w->users, w->pos, w->neg, w->cum, w->items, w->ids, w->s, w->ds,
                     w->dflip, w->flip, (void *)w->v, w->dv, w->grad, w->flip_grad,
                     w->cov_x, w->cov_g, w->cov_c };
    for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++)
        rec_free(bufs[b]);
    rec_sparse_grad_free(&w->gu);
    rec_sparse_grad_free(&w->gv);
}

void rec_mf_destroy(void *state)
{
    mf_run *r = state;
    if (!r)
        return;
    rec_free(r->user_of);
    rec_table_free(&r->U);
    rec_table_free(&r->V);
    rec_table_free(&r->P);
    rec_table_free(&r->Q);
    rec_free(r->unit_loss);
    rec_free(r->unit_count);
    rec_free(r->item_weight);
    rec_adam_free(&r->adam_u);
    rec_adam_free(&r->adam_v);
    for (unsigned w = 0; r->work && w < r->threads; w++)
        free_worker(&r->work[w]);
    rec_free(r->work);
    rec_objective_free(&r->ob);
    rec_free(r);
}

static float *floats(size_t n)
{
    return rec_aligned_alloc(n ? n : 1, sizeof(float));
}

/* A unit touches at most `batch` users and (k + 1) * batch items; the
 * covariance gathers a user and a positive per tuple. */
static int setup_worker(const mf_run *r, rec_mf_worker *w)
{
    size_t k1 = r->ob.negatives + 1, b = r->batch, ld = r->U.ld, n_items = r->V.rows;
    w->users = rec_malloc_array(b, sizeof *w->users);
    w->pos = rec_malloc_array(b, sizeof *w->pos);
    w->neg = rec_malloc_array(b * (k1 - 1), sizeof *w->neg);
    w->ids = rec_malloc_array(k1, sizeof *w->ids);
    w->s = floats(k1);
    w->ds = floats(k1);
    w->dflip = floats(k1);
    w->flip = floats(k1);
    w->v = rec_malloc_array(k1, sizeof *w->v);
    w->dv = rec_malloc_array(k1, sizeof *w->dv);
    w->grad = floats((k1 + 1) * ld);
    if (!w->users || !w->pos || !w->neg || !w->ids || !w->s || !w->ds || !w->dflip || !w->flip ||
        !w->v || !w->dv || !w->grad)
        return REC_ENOMEM;
    if (r->ob.sampler->dist.weight) {
        w->cum = rec_malloc_array(n_items, sizeof *w->cum);
        w->items = rec_malloc_array(n_items, sizeof *w->items);
        if (!w->cum || !w->items)
            return REC_ENOMEM;
    }
    if (r->adam && (rec_sparse_grad_init(&w->gu, ld, b) != REC_OK ||
                    rec_sparse_grad_init(&w->gv, ld, k1 * b) != REC_OK))
        return REC_ENOMEM;
    if (r->kind == REC_MF_CML && r->cov_reg > 0.0f) {
        w->cov_x = floats(2 * b * ld);
        w->cov_g = floats(2 * b * ld);
        w->cov_c = floats(r->U.dim * r->U.dim);
        if (!w->cov_x || !w->cov_g || !w->cov_c)
            return REC_ENOMEM;
        /* The products write the first dim columns only: padding stays 0. */
        memset(w->cov_g, 0, 2 * b * ld * sizeof(float));
    }
    if (r->learn_flip && !(w->flip_grad = floats((k1 + 1) * r->P.ld)))
        return REC_ENOMEM;
    return REC_OK;
}

static int setup_tuple_path(mf_run *r)
{
    if (r->adam) {
        int rc = rec_adam_init(&r->adam_u, r->U.rows, r->U.dim, ADAM_BETA1, ADAM_BETA2,
                               ADAM_EPS);
        if (rc == REC_OK)
            rc = rec_adam_init(&r->adam_v, r->V.rows, r->V.dim, ADAM_BETA1, ADAM_BETA2,
                               ADAM_EPS);
        if (rc != REC_OK)
            return rc;
    }
    r->work = rec_calloc(r->threads, sizeof *r->work);
    if (!r->work)
        return REC_ENOMEM;
    for (unsigned w = 0; w < r->threads; w++)
        if (setup_worker(r, &r->work[w]) != REC_OK)
            return REC_ENOMEM;
    return REC_OK;
}

static int setup(mf_run *r, const rec_dataset *ds, const rec_train_options *o,
                 rec_mf_kind kind)
{
    r->ds = ds;
    r->opts = o;
    r->k = rec_kernels_get();
    r->kind = kind;
    r->scoring = kind == REC_MF_CML ? REC_SCORING_NEG_SQDIST : REC_SCORING_DOT;
    size_t dim = (size_t)rec_opt_int(o, "dim");
    r->lr = (float)rec_opt_float(o, "lr");
    r->reg = (float)rec_opt_float(o, "reg");
    r->batch = (size_t)rec_opt_int(o, "batch");
    r->seed = (uint64_t)rec_opt_int(o, "seed");
    r->threads = rec_threads_resolve((unsigned)rec_opt_int(o, "threads"));
    r->adam = rec_opt_int(o, "optimizer") == OPT_ADAM;
    r->n_units = (ds->nnz + r->batch - 1) / r->batch;

    int rc = rec_objective_init(&r->ob, o, ds);
    if (rc != REC_OK)
        return rc;
    if (kind == REC_MF_RELMF)
        r->ob.loss.kind = REC_LOSS_IPS;
    if (kind == REC_MF_NBPO)
        r->ob.loss.kind = REC_LOSS_NBPO;
    if (kind == REC_MF_CML) {
        r->cov_reg = (float)rec_opt_float(o, "cov_reg");
        if (r->ob.loss.kind == REC_LOSS_HINGE && rec_opt_int(o, "rank_weight"))
            r->ob.loss.kind = REC_LOSS_HINGE_RANKED;
    }
    r->fused = kind == REC_MF_PLAIN && r->ob.plain_bpr && !r->adam;

    rc = rec_table_alloc(&r->U, rec_ds_n_users(ds), dim);
    if (rc == REC_OK)
        rc = rec_table_alloc(&r->V, rec_ds_n_items(ds), dim);
    if (rc == REC_OK && kind == REC_MF_RELMF)
        rc = rec_relmf_weights(r);
    if (rc == REC_OK && kind == REC_MF_NBPO)
        rc = rec_nbpo_setup(r);
    if (rc != REC_OK)
        return rc;
    r->user_of = rec_malloc_array(ds->nnz, sizeof *r->user_of);
    r->unit_loss = rec_malloc_array(r->n_units, sizeof *r->unit_loss);
    r->unit_count = rec_malloc_array(r->n_units, sizeof *r->unit_count);
    if (!r->user_of || !r->unit_loss || !r->unit_count)
        return REC_ENOMEM;
    if (!r->fused && (rc = setup_tuple_path(r)) != REC_OK)
        return rc;

    for (size_t u = 0; u < rec_ds_n_users(ds); u++)
        for (size_t e = ds->user_ptr[u]; e < ds->user_ptr[u + 1]; e++)
            r->user_of[e] = (uint32_t)u;
    rec_init init = (rec_init)rec_opt_int(o, "init");
    double scale = rec_opt_float(o, "init_scale");
    rec_table_init(&r->U, init, scale, r->seed, 0, r->threads);
    rec_table_init(&r->V, init, scale, r->seed, 1, r->threads);
    if (kind == REC_MF_CML) {
        for (size_t u = 0; u < r->U.rows; u++)
            rec_cml_clip(rec_table_row(&r->U, u), r->U.ld);
        for (size_t i = 0; i < r->V.rows; i++)
            rec_cml_clip(rec_table_row(&r->V, i), r->V.ld);
    }
    return REC_OK;
}

int rec_mf_setup(void **state, const rec_dataset *ds, const rec_train_options *o,
                 rec_mf_kind kind)
{
    *state = NULL;
    mf_run *r = rec_calloc(1, sizeof *r);
    if (!r)
        return rec_error_nomem();
    int rc = setup(r, ds, o, kind);
    if (rc != REC_OK) {
        rec_mf_destroy(r);
        return rc == REC_ENOMEM ? rec_error_nomem() : rc;
    }
    *state = r;
    return REC_OK;
}

int rec_mf_epoch(void *state, unsigned epoch, rec_epoch_report *rep)
{
    mf_run *r = state;
    r->epoch = epoch;
    r->lr = (float)rec_lr_for_epoch(r->opts, epoch);
    rec_parallel_for(r->threads, r->n_units, r->fused ? rec_mf_fused_unit : rec_mf_tuple_unit,
                     r);
    double sum = 0.0;
    size_t count = 0;
    for (size_t b = 0; b < r->n_units; b++) {
        sum += r->unit_loss[b];
        count += r->unit_count[b];
    }
    if (count == 0)
        return rec_error(REC_EINVAL, "no training tuple can be drawn: every user has "
                                     "interacted with every item");
    /* Sampling and updates are one fused loop: all of it is update time. */
    rep->loss = sum / (double)count;
    return REC_OK;
}

int rec_mf_export(void *state, rec_serving *out, rec_tensors *tensors)
{
    (void)tensors;
    mf_run *r = state;
    int rc = rec_serving_alloc(out, r->U.rows, r->V.rows, r->U.dim, r->scoring, 0);
    if (rc != REC_OK)
        return rc;
    memcpy(out->U, r->U.data, r->U.rows * r->U.ld * sizeof(float));
    memcpy(out->V, r->V.data, r->V.rows * r->V.ld * sizeof(float));
    return REC_OK;
}

REC_MF_FAMILY(rec_family_mf, "mf",
              "matrix factorization; BPR on uniform negatives unless another loss or "
              "sampler is chosen",
              mf_params, REC_MF_PLAIN);
