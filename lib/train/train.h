/* The training loop shared by every model family: epochs, progress reports,
 * evaluation on validation data, early stopping and keeping the best state.
 * It sits above lib/eval/ because it evaluates while training. */
#ifndef REC_TRAIN_TRAIN_H
#define REC_TRAIN_TRAIN_H

#include "model/model.h"

/* Trains a model of opts->family on `train`. With validation data
 * (opts->valid), evaluates every eval_every epochs and after the last,
 * stops after early_stop evaluations without a better Recall@eval_k, and
 * returns the state of the best evaluation. */
int rec_train_model(rec_model **out, const rec_dataset *train,
                    const rec_train_options *opts);

#endif
