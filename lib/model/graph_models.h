/* Test hooks of the graph models: their objective and gradient on given
 * triples, so that a finite-difference check reaches through propagation.
 * Not part of the library's interface. */
#ifndef REC_MODEL_GRAPH_MODELS_H
#define REC_MODEL_GRAPH_MODELS_H

#include <stddef.h>
#include <stdint.h>

/* state: from rec_family_lightgcn.setup. Triples are dataset node ids
 * (items offset by n_users). The parameters and the gradient are stored in
 * the graph's locality order: dataset node v is row rec_lightgcn_row(v). */
int rec_lightgcn_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                           const uint32_t *tj, size_t m, double *loss, const float **grad);
float *rec_lightgcn_parameters(void *state, size_t *ld);
size_t rec_lightgcn_row(void *state, size_t v);

/* state: from rec_family_ngcf.setup. The objective of the triples with
 * message dropout drawn from dropout_seed (node dropout off or on as the
 * options set), and the gradients: with respect to E (returned) and to the
 * weights (rec_ngcf_parameter_gradient, valid until the next call). */
int rec_ngcf_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                       const uint32_t *tj, size_t m, uint64_t dropout_seed, double *loss,
                       const float **grad_E);
/* A parameter array: layer 0 is E; layers 1..K: which = 0 W1, 1 b1, 2 W2,
 * 3 b2. */
float *rec_ngcf_parameter(void *state, unsigned layer, int which, size_t *rows,
                          size_t *cols, size_t *ld);
const float *rec_ngcf_parameter_gradient(void *state, unsigned layer, int which);

struct rec_model;
/* Fold-in with a given layer-0 vector instead of zero. */
int rec_ngcf_fold_in_from(const struct rec_model *m, const uint32_t *items, size_t n,
                          const float *x0, float *out);

#endif
