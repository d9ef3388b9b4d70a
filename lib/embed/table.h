/* Embedding tables: rows of `dim` floats in the common row layout
 * (core/layout.h), so a trained table becomes a serving matrix without a
 * copy. */
#ifndef REC_EMBED_TABLE_H
#define REC_EMBED_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct rec_table {
    size_t rows;
    size_t dim;
    size_t ld;      /* stride in floats, a multiple of 16 */
    float *data;    /* rows * ld floats, 64-byte aligned, padding zero */
} rec_table;

typedef enum rec_init {
    REC_INIT_NORMAL = 0,   /* N(0, scale^2) */
    REC_INIT_UNIFORM = 1,  /* U(-scale, scale) */
    REC_INIT_XAVIER = 2,   /* U(-b, b), b = sqrt(6 / (rows + dim)); scale unused */
} rec_init;

/* Allocates a zeroed table. REC_ENOMEM / REC_ELIMIT (no message set for
 * ENOMEM; REC_ELIMIT sets one). */
int rec_table_alloc(rec_table *t, size_t rows, size_t dim);
void rec_table_free(rec_table *t);

/* Fills the table from the random stream (seed, REC_STREAM_INIT, table_id
 * and row block), so the values do not depend on the thread count. */
void rec_table_init(rec_table *t, rec_init kind, double scale, uint64_t seed,
                    uint64_t table_id, unsigned threads);

static inline float *rec_table_row(const rec_table *t, size_t r)
{
    return t->data + r * t->ld;
}

/* Moves the storage out of t (t is left empty): the serving form adopts a
 * trained table this way. */
float *rec_table_release(rec_table *t);

#endif
