/* Named float matrices that a model family keeps beside the serving form:
 * what it needs to fold in a user who was not in training (item layer
 * embeddings, layer weights, degrees, ...). Saved with the model and
 * immutable once the model is built. */
#ifndef REC_MODEL_TENSORS_H
#define REC_MODEL_TENSORS_H

#include <stddef.h>

#define REC_TENSOR_NAME_MAX 48

typedef struct rec_tensor {
    char name[REC_TENSOR_NAME_MAX];
    size_t rows;
    size_t cols;
    size_t ld;          /* row stride: the common row layout (core/layout.h) */
    float *data;        /* rows * ld, aligned, padding zero */
} rec_tensor;

typedef struct rec_tensors {
    rec_tensor *t;
    size_t n;
} rec_tensors;

/* Adds a zeroed rows x cols tensor and returns its data through *data.
 * REC_EINVAL for a name that is empty, too long or already present;
 * REC_ENOMEM / REC_ELIMIT (messages set). */
int rec_tensors_add(rec_tensors *ts, const char *name, size_t rows, size_t cols,
                    float **data);
/* Takes ownership of an aligned rows * ld buffer (freed on failure too). */
int rec_tensors_adopt(rec_tensors *ts, const char *name, size_t rows, size_t cols,
                      float *data);
const rec_tensor *rec_tensors_find(const rec_tensors *ts, const char *name);
void rec_tensors_free(rec_tensors *ts);

#endif
