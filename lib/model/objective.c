#include "model/objective.h"

#include <string.h>

int rec_objective_init(rec_objective *ob, const rec_train_options *o,
                       const rec_dataset *train)
{
    memset(ob, 0, sizeof *ob);
    /* Families with a loss of their own leave these out of their tables. */
    ob->loss.kind = rec_opt_has(o, "loss") ? (rec_loss_kind)rec_opt_int(o, "loss")
                                           : REC_LOSS_BPR;
    ob->loss.temperature = rec_opt_has(o, "temperature") ? rec_opt_float(o, "temperature")
                                                         : 1.0;
    ob->loss.margin = rec_opt_has(o, "margin") ? rec_opt_float(o, "margin") : 0.0;
    ob->loss.n_items = rec_ds_n_items(train);
    rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
    so.kind = (rec_sampler_kind)rec_opt_int(o, "sampler");
    so.alpha = rec_opt_float(o, "alpha");
    so.candidates = (unsigned)rec_opt_int(o, "candidates");
    so.negatives = (unsigned)rec_opt_int(o, "negatives");
    so.seed = (uint64_t)rec_opt_int(o, "seed");
    ob->negatives = so.negatives;
    ob->plain_bpr = ob->loss.kind == REC_LOSS_BPR && so.kind == REC_SAMPLER_UNIFORM &&
                    so.negatives == 1;
    return rec_sampler_create(&ob->sampler, train, &so);
}

void rec_objective_free(rec_objective *ob)
{
    rec_sampler_destroy(ob->sampler);
    ob->sampler = NULL;
}
