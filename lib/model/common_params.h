/* Hyperparameter table entries shared by several families, so that every
 * family names and bounds them the same way. */
#ifndef REC_MODEL_COMMON_PARAMS_H
#define REC_MODEL_COMMON_PARAMS_H

#include "model/params.h"

#define REC_PARAM_DIM(def) \
    { "dim", REC_PARAM_INT, def, 1, 65536, 0, 0, NULL, "[1, 65536]", \
      "embedding dimension" }
#define REC_PARAM_EPOCHS(def) \
    { "epochs", REC_PARAM_INT, def, 1, 1000000, 0, 0, NULL, "[1, 1000000]", \
      "passes over the training interactions" }
#define REC_PARAM_LR(def) \
    { "lr", REC_PARAM_FLOAT, def, 0, 10, 1, 0, NULL, "(0, 10]", "learning rate" }
#define REC_PARAM_REG(def) \
    { "reg", REC_PARAM_FLOAT, def, 0, 1000, 0, 0, NULL, "[0, 1000]", \
      "L2 regularisation weight" }
#define REC_PARAM_THREADS \
    { "threads", REC_PARAM_INT, "0", 0, 256, 0, 0, NULL, "[0, 256]", \
      "worker threads (0: all online CPUs; 1: bit-for-bit repeatable)" }
#define REC_PARAM_SEED \
    { "seed", REC_PARAM_INT, "1", 0, 4611686018427387904.0, 0, 0, NULL, \
      "[0, 2^62]", "random seed" }
#define REC_PARAM_INIT(def) \
    { "init", REC_PARAM_CHOICE, def, 0, 0, 0, 0, "normal|uniform|xavier", \
      "normal|uniform|xavier", "initial embedding distribution" }
#define REC_PARAM_INIT_SCALE(def) \
    { "init_scale", REC_PARAM_FLOAT, def, 0, 10, 1, 0, NULL, "(0, 10]", \
      "standard deviation (normal) or bound (uniform) of the initial values" }
#define REC_PARAM_OPTIMIZER(def) \
    { "optimizer", REC_PARAM_CHOICE, def, 0, 0, 0, 0, "sgd|adam", "sgd|adam", \
      "sgd: per-sample steps, lock-free across threads; adam: lazy sparse " \
      "Adam on mini-batches" }

/* The learning rate over the epochs: constant, or decayed from lr to
 * lr * lr_final along half a cosine (Loshchilov and Hutter, SGDR, ICLR 2017,
 * without restarts) for families whose epochs apply it. */
#define REC_PARAM_LR_SCHEDULE(def) \
    { "lr_schedule", REC_PARAM_CHOICE, def, 0, 0, 0, 0, "constant|cosine", \
      "constant|cosine", "learning rate over the epochs: constant, or from lr to " \
      "lr * lr_final along half a cosine over `epochs`" }
#define REC_PARAM_LR_FINAL(def) \
    { "lr_final", REC_PARAM_FLOAT, def, 0, 1, 0, 0, NULL, "[0, 1]", \
      "with lr_schedule = cosine: the last epoch's learning rate as a fraction of lr" }
#define REC_PARAMS_LR_SCHEDULE(schedule, final) \
    REC_PARAM_LR_SCHEDULE(schedule), REC_PARAM_LR_FINAL(final)

/* Evaluation during training, for families that train in epochs. They act
 * only when validation data is given (rec_train_options_set_validation). */
#define REC_PARAM_EVAL_EVERY(def) \
    { "eval_every", REC_PARAM_INT, def, 1, 1000000, 0, 0, NULL, "[1, 1000000]", \
      "evaluate on the validation data every this many epochs (and after the last)" }
#define REC_PARAM_EARLY_STOP(def) \
    { "early_stop", REC_PARAM_INT, def, 0, 1000000, 0, 0, NULL, "[0, 1000000]", \
      "stop after this many evaluations without a better Recall@eval_k (0: never); " \
      "the best model is kept" }
#define REC_PARAM_EVAL_K \
    { "eval_k", REC_PARAM_INT, "20", 1, 100000, 0, 0, NULL, "[1, 100000]", \
      "cut-off of the Recall and NDCG computed during training" }
#define REC_PARAMS_EVALUATION(every, stop) \
    REC_PARAM_EVAL_EVERY(every), REC_PARAM_EARLY_STOP(stop), REC_PARAM_EVAL_K

/* The training objective: the loss over a positive and its sampled
 * negatives, and the sampler that draws them (model/objective.h). The
 * choices' order is that of rec_loss_kind and rec_sampler_kind. */
#define REC_PARAM_LOSS(def) \
    { "loss", REC_PARAM_CHOICE, def, 0, 0, 0, 0, "bpr|bce|softmax|hinge", \
      "bpr|bce|softmax|hinge", "training loss over a positive and its negatives " \
      "(docs/losses.md)" }
#define REC_PARAM_TEMPERATURE(def) \
    { "temperature", REC_PARAM_FLOAT, def, 0, 100, 1, 0, NULL, "(0, 100]", \
      "with loss = softmax: the temperature dividing the scores" }
#define REC_PARAM_MARGIN(def) \
    { "margin", REC_PARAM_FLOAT, def, 0, 100, 0, 0, NULL, "[0, 100]", \
      "with a hinge loss: the margin a positive must keep over each negative" }
#define REC_PARAM_SAMPLER(def) \
    { "sampler", REC_PARAM_CHOICE, def, 0, 0, 0, 0, "uniform|pop|dns|inbatch", \
      "uniform|pop|dns|inbatch", "negative sampler (docs/sampling.md)" }
#define REC_PARAM_ALPHA \
    { "alpha", REC_PARAM_FLOAT, "1", 0, 10, 0, 0, NULL, "[0, 10]", \
      "with sampler = pop: negatives in proportion to popularity^alpha" }
#define REC_PARAM_CANDIDATES \
    { "candidates", REC_PARAM_INT, "10", 1, 10000, 0, 0, NULL, "[1, 10000]", \
      "with sampler = dns: uniform candidates scored to keep the hardest" }
#define REC_PARAM_NEGATIVES(def) \
    { "negatives", REC_PARAM_INT, def, 1, 10000, 0, 0, NULL, "[1, 10000]", \
      "negatives drawn per positive" }
#define REC_PARAMS_OBJECTIVE(loss, temperature, margin, sampler, negatives) \
    REC_PARAM_LOSS(loss), REC_PARAM_TEMPERATURE(temperature), REC_PARAM_MARGIN(margin), \
    REC_PARAM_SAMPLER(sampler), REC_PARAM_ALPHA, REC_PARAM_CANDIDATES, \
    REC_PARAM_NEGATIVES(negatives)

#endif
