#include "train/train.h"

#include <math.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "eval/eval.h"

/* A serving form with its tensors: the current or the best state. */
typedef struct snapshot {
    rec_serving serving;
    rec_tensors tensors;
    int held;
} snapshot;

static void snapshot_free(snapshot *s)
{
    if (s->held) {
        rec_serving_free(&s->serving);
        rec_tensors_free(&s->tensors);
    }
    memset(s, 0, sizeof *s);
}

/* Exports the current state; with_tensors = 0 for a form that is only
 * evaluated. */
static int snapshot_take(snapshot *s, const rec_family *f, void *state, int with_tensors)
{
    memset(s, 0, sizeof *s);
    int rc = f->export_state(state, &s->serving, with_tensors ? &s->tensors : NULL);
    if (rc == REC_OK)
        rc = rec_serving_finish(&s->serving);
    if (rc != REC_OK) {
        rec_serving_free(&s->serving);
        rec_tensors_free(&s->tensors);
        return rc;
    }
    s->held = 1;
    return REC_OK;
}

typedef struct run {
    const rec_dataset *train;
    const rec_train_options *opts;
    const rec_family *f;
    void *state;
    rec_train_summary summary;
    /* The best state so far: the family's parameter snapshot when it has
     * one (exported at the end), else an exported model. */
    void *best_params;
    snapshot best;
    int have_best;
    /* evaluation */
    int evaluating;
    unsigned eval_every, early_stop, threads;
    unsigned bad_evaluations;
} run;

static void forget_best(run *r)
{
    if (r->best_params)
        r->f->free_snapshot(r->best_params);
    r->best_params = NULL;
    snapshot_free(&r->best);
    r->have_best = 0;
}

/* Keeps the current state as the best: its parameters, or `now` itself. */
static int keep_best(run *r, snapshot *now)
{
    forget_best(r);
    if (r->f->snapshot) {
        snapshot_free(now);
        int rc = r->f->snapshot(r->state, &r->best_params);
        if (rc != REC_OK)
            return rc;
    } else {
        r->best = *now;
        memset(now, 0, sizeof *now);
    }
    r->have_best = 1;
    return REC_OK;
}

/* Evaluates the current state; keeps it if it is the best so far. */
static int evaluate(run *r, unsigned epoch, double *recall, double *ndcg, double *seconds)
{
    double t0 = rec_now();
    snapshot now;
    /* Families without a parameter snapshot keep this export as their best,
     * so it needs the tensors; the others only evaluate it. */
    int rc = snapshot_take(&now, r->f, r->state, r->f->snapshot == NULL);
    if (rc != REC_OK)
        return rc;
    struct rec_eval *ev = NULL;
    unsigned k = r->summary.eval_k;
    /* Validation needs the ranking measures only. */
    rec_eval_plan plan = { .ks = &k, .n_ks = 1, .threads = r->threads };
    rc = rec_evaluate(&ev, &now.serving, r->train, r->opts->valid, &plan);
    if (rc != REC_OK) {
        snapshot_free(&now);
        return rc;
    }
    /* The measures come out in the order recall, ndcg, ... (eval/metrics.h). */
    *recall = ev->values[0];
    *ndcg = ev->values[1];
    rec_eval_destroy(ev);
    if (!r->have_best || *recall > r->summary.valid_recall) {
        if ((rc = keep_best(r, &now)) != REC_OK)
            return rc;
        r->summary.best_epoch = epoch;
        r->summary.valid_recall = *recall;
        r->summary.valid_ndcg = *ndcg;
        r->bad_evaluations = 0;
    } else {
        snapshot_free(&now);
        r->bad_evaluations++;
    }
    *seconds = rec_now() - t0;
    return REC_OK;
}

static int report(const run *r, unsigned epoch, unsigned epochs, const rec_epoch_report *rep,
                  double epoch_s, double total_s, int evaluated, double recall,
                  double ndcg, double eval_s)
{
    const rec_train_options *o = r->opts;
    if (!o->progress)
        return REC_OK;
    rec_progress p;
    memset(&p, 0, sizeof p);
    p.version = REC_PROGRESS_VERSION;
    p.epoch = epoch;
    p.epochs = epochs;
    p.loss = rep->loss;
    p.seconds = epoch_s;
    p.total_seconds = total_s;
    p.evaluated = evaluated;
    p.valid_recall = recall;
    p.valid_ndcg = ndcg;
    p.best_epoch = r->summary.best_epoch;
    p.eval_seconds = eval_s;
    p.sample_seconds = rep->sample_seconds;
    p.forward_seconds = rep->forward_seconds;
    p.backward_seconds = rep->backward_seconds;
    p.update_seconds = rep->update_seconds;
    if (o->progress(o->progress_data, &p) != 0)
        return rec_error(REC_ECANCELED, "training stopped by the progress callback after "
                         "epoch %u of %u", epoch, epochs);
    return REC_OK;
}

static int train_epochs(run *r)
{
    const rec_train_options *o = r->opts;
    unsigned epochs = (unsigned)rec_opt_int(o, "epochs");
    double start = rec_now();
    for (unsigned e = 0; e < epochs; e++) {
        double t0 = rec_now();
        rec_epoch_report rep;
        memset(&rep, 0, sizeof rep);
        int rc = r->f->epoch(r->state, e, &rep);
        if (rc != REC_OK)
            return rc;
        if (!isfinite(rep.loss))
            return rec_error(REC_EINVAL, "training diverged at epoch %u (the loss is not "
                             "finite); try a smaller lr", e + 1);
        double epoch_s = rec_now() - t0;
        r->summary.epochs = e + 1;
        r->summary.final_loss = rep.loss;

        int evaluated = 0;
        double recall = NAN, ndcg = NAN, eval_s = 0.0;
        if (r->evaluating && ((e + 1) % r->eval_every == 0 || e + 1 == epochs)) {
            if ((rc = evaluate(r, e + 1, &recall, &ndcg, &eval_s)) != REC_OK)
                return rc;
            evaluated = 1;
        }
        rc = report(r, e + 1, epochs, &rep, epoch_s, rec_now() - start, evaluated, recall,
                    ndcg, eval_s);
        if (rc != REC_OK)
            return rc;
        if (evaluated && r->early_stop && r->bad_evaluations >= r->early_stop)
            break;
    }
    return REC_OK;
}

int rec_train_model(rec_model **out, const rec_dataset *train,
                    const rec_train_options *opts)
{
    *out = NULL;
    if (train->nnz == 0)
        return rec_error(REC_EINVAL, "the training dataset has no interactions");
    if (opts->valid && !rec_dataset_same_space(opts->valid, train))
        return rec_error(REC_EINVAL, "the validation dataset is not in the training "
                         "dataset's id space; load it with the training dataset as the "
                         "reference");

    if (opts->init && !opts->family->warm_start)
        return rec_error(REC_EUNSUPPORTED, "the %s family cannot start from another model's "
                         "embeddings", opts->family->name);
    if (opts->kg && !opts->family->uses_kg)
        return rec_error(REC_EUNSUPPORTED, "the %s family does not use a knowledge graph "
                         "(rec_train_options_set_kg)", opts->family->name);
    if (!opts->kg && opts->family->uses_kg)
        return rec_error(REC_EINVAL, "the %s family needs a knowledge graph: load one "
                         "with rec_kg_load and set it with rec_train_options_set_kg",
                         opts->family->name);

    run r;
    memset(&r, 0, sizeof r);
    r.train = train;
    r.opts = opts;
    r.f = opts->family;
    r.summary.final_loss = NAN;
    r.summary.valid_recall = NAN;
    r.summary.valid_ndcg = NAN;
    r.evaluating = opts->valid && r.f->epoch && rec_opt_has(opts, "eval_every");
    if (r.evaluating) {
        r.eval_every = (unsigned)rec_opt_int(opts, "eval_every");
        r.early_stop = (unsigned)rec_opt_int(opts, "early_stop");
        r.summary.eval_k = (unsigned)rec_opt_int(opts, "eval_k");
        r.threads = rec_opt_has(opts, "threads") ? (unsigned)rec_opt_int(opts, "threads") : 0;
    }

    int rc = r.f->setup(&r.state, train, opts);
    if (rc != REC_OK)
        return rc;
    if (r.f->epoch)
        rc = train_epochs(&r);
    snapshot final;
    memset(&final, 0, sizeof final);
    if (rc == REC_OK) {
        if (r.best_params) {
            /* Back to the best evaluation's parameters, then export. */
            r.f->restore(r.state, r.best_params);
            rc = snapshot_take(&final, r.f, r.state, 1);
        } else if (r.have_best) {
            final = r.best; /* the exported state of the best evaluation */
            memset(&r.best, 0, sizeof r.best);
        } else {
            rc = snapshot_take(&final, r.f, r.state, 1);
            r.summary.best_epoch = r.summary.epochs;
        }
    }
    r.f->destroy(r.state);
    forget_best(&r);
    if (rc != REC_OK)
        return rc;

    rec_setting *settings;
    size_t n_settings;
    if ((rc = rec_settings_from_options(opts, &settings, &n_settings)) != REC_OK) {
        snapshot_free(&final);
        return rc;
    }
    return rec_model_assemble(out, r.f, &final.serving, &final.tensors,
                              rec_dataset_retain(train), 1, settings, n_settings,
                              &r.summary);
}
