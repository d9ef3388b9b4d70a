#include "embed/adam.h"

#include <math.h>
#include <string.h>

#include "core/error.h"

int rec_adam_init(rec_adam *a, size_t rows, size_t dim, float beta1,
                  float beta2, float eps)
{
    memset(a, 0, sizeof *a);
    int rc = rec_table_alloc(&a->m, rows, dim);
    if (rc == REC_OK)
        rc = rec_table_alloc(&a->v, rows, dim);
    if (rc != REC_OK) {
        rec_adam_free(a);
        return rc;
    }
    a->beta1 = beta1;
    a->beta2 = beta2;
    a->eps = eps;
    return REC_OK;
}

void rec_adam_free(rec_adam *a)
{
    rec_table_free(&a->m);
    rec_table_free(&a->v);
}

float rec_adam_step_size(const rec_adam *a, float lr, uint64_t t)
{
    double c1 = 1.0 - pow(a->beta1, (double)t);
    double c2 = 1.0 - pow(a->beta2, (double)t);
    return (float)(lr * sqrt(c2) / c1);
}
