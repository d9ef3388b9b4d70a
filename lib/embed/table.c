#include "embed/table.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/layout.h"
#include "core/rng.h"
#include "core/threads.h"

/* Rows per random stream: fixed, so the values are the same whatever the
 * thread count. */
#define INIT_BLOCK 1024

int rec_table_alloc(rec_table *t, size_t rows, size_t dim)
{
    memset(t, 0, sizeof *t);
    if (dim == 0 || dim > REC_DIM_MAX)
        return rec_error(REC_ELIMIT, "embedding dimension %zu is outside [1, %d]",
                         dim, REC_DIM_MAX);
    size_t ld = rec_ld_for(dim);
    if (rows && ld > SIZE_MAX / sizeof(float) / rows)
        return rec_error(REC_ELIMIT, "embedding table of %zu x %zu is too large", rows, dim);
    t->data = rec_aligned_alloc(rows ? rows * ld : 1, sizeof(float));
    if (!t->data)
        return REC_ENOMEM;
    memset(t->data, 0, (rows ? rows * ld : 1) * sizeof(float));
    t->rows = rows;
    t->dim = dim;
    t->ld = ld;
    return REC_OK;
}

void rec_table_free(rec_table *t)
{
    rec_free(t->data);
    memset(t, 0, sizeof *t);
}

float *rec_table_release(rec_table *t)
{
    float *d = t->data;
    memset(t, 0, sizeof *t);
    return d;
}

typedef struct init_job {
    rec_table *t;
    rec_init kind;
    double scale;
    uint64_t seed, table_id;
} init_job;

static void init_block(void *p, size_t block, unsigned worker)
{
    (void)worker;
    init_job *j = p;
    rec_table *t = j->t;
    rec_rng r;
    rec_rng_seed(&r, j->seed, REC_STREAM_INIT, (j->table_id << 40) ^ block);
    double bound = j->kind == REC_INIT_XAVIER
                       ? sqrt(6.0 / (double)(t->rows + t->dim))
                       : j->scale;
    size_t end = (block + 1) * INIT_BLOCK;
    if (end > t->rows)
        end = t->rows;
    for (size_t row = block * INIT_BLOCK; row < end; row++) {
        float *w = rec_table_row(t, row);
        for (size_t k = 0; k < t->dim; k++) {
            double v = j->kind == REC_INIT_NORMAL
                           ? j->scale * rec_rng_normal(&r)
                           : bound * (2.0 * rec_rng_uniform(&r) - 1.0);
            w[k] = (float)v;
        }
    }
}

void rec_table_init(rec_table *t, rec_init kind, double scale, uint64_t seed,
                    uint64_t table_id, unsigned threads)
{
    init_job j = { t, kind, scale, seed, table_id };
    size_t blocks = (t->rows + INIT_BLOCK - 1) / INIT_BLOCK;
    rec_parallel_for(threads, blocks, init_block, &j);
}
