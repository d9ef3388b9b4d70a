#include "model/tensors.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/layout.h"

const rec_tensor *rec_tensors_find(const rec_tensors *ts, const char *name)
{
    for (size_t k = 0; k < ts->n; k++)
        if (strcmp(ts->t[k].name, name) == 0)
            return &ts->t[k];
    return NULL;
}

int rec_tensors_adopt(rec_tensors *ts, const char *name, size_t rows, size_t cols,
                      float *data)
{
    size_t len = strlen(name);
    if (len == 0 || len >= REC_TENSOR_NAME_MAX || rec_tensors_find(ts, name)) {
        rec_free(data);
        return rec_error(REC_EINVAL, "tensor name '%s' is empty, too long or taken", name);
    }
    rec_tensor *grown = rec_realloc_array(ts->t, ts->n + 1, sizeof *grown);
    if (!grown) {
        rec_free(data);
        return rec_error_nomem();
    }
    ts->t = grown;
    rec_tensor *t = &ts->t[ts->n++];
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, len + 1);
    t->rows = rows;
    t->cols = cols;
    t->ld = rec_ld_for(cols);
    t->data = data;
    return REC_OK;
}

int rec_tensors_add(rec_tensors *ts, const char *name, size_t rows, size_t cols,
                    float **data)
{
    *data = NULL;
    if (cols == 0 || cols > REC_DIM_MAX)
        return rec_error(REC_ELIMIT, "tensor '%s': %zu columns", name, cols);
    size_t ld = rec_ld_for(cols);
    if (rows && ld > SIZE_MAX / sizeof(float) / rows)
        return rec_error(REC_ELIMIT, "tensor '%s' of %zu x %zu is too large", name, rows, cols);
    float *d = rec_aligned_alloc(rows ? rows * ld : 1, sizeof(float));
    if (!d)
        return rec_error_nomem();
    memset(d, 0, (rows ? rows * ld : 1) * sizeof(float));
    int rc = rec_tensors_adopt(ts, name, rows, cols, d);
    if (rc == REC_OK)
        *data = d;
    return rc;
}

void rec_tensors_free(rec_tensors *ts)
{
    for (size_t k = 0; k < ts->n; k++)
        rec_free(ts->t[k].data);
    rec_free(ts->t);
    ts->t = NULL;
    ts->n = 0;
}
