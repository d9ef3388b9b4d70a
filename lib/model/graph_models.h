/* Test hooks of the graph models: their objective and gradient on given
 * triples, so that a finite-difference check reaches through propagation.
 * Not part of the library's interface. */
#ifndef REC_MODEL_GRAPH_MODELS_H
#define REC_MODEL_GRAPH_MODELS_H

#include <stddef.h>
#include <stdint.h>

/* state: from rec_family_lightgcn.setup. Triples are node ids (items offset
 * by n_users). */
int rec_lightgcn_objective(void *state, const uint32_t *tu, const uint32_t *ti,
                           const uint32_t *tj, size_t m, double *loss, const float **grad);
float *rec_lightgcn_parameters(void *state, size_t *ld);

#endif
