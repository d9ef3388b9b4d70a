/* Gradient accumulator for a mini-batch that touches few rows of a large
 * table: a hash from row id to a slot of `ld` floats. Memory is bounded by
 * the rows a batch can touch, not by the table size. */
#ifndef REC_EMBED_SPARSE_GRAD_H
#define REC_EMBED_SPARSE_GRAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct rec_sparse_grad {
    size_t ld;           /* floats per slot */
    size_t cap;          /* slots available */
    size_t n;            /* slots in use */
    uint32_t *rows;      /* slot -> row id */
    float *g;            /* cap * ld, aligned */
    uint32_t *hash;      /* row -> slot + 1 (0 = empty), hcap entries */
    size_t hcap;         /* power of two >= 2 * cap */
} rec_sparse_grad;

/* For at most `cap` distinct rows between clears. REC_ENOMEM (no message). */
int rec_sparse_grad_init(rec_sparse_grad *s, size_t ld, size_t cap);
void rec_sparse_grad_free(rec_sparse_grad *s);

/* The accumulator row of `row`, zeroed when first touched since the last
 * clear. The caller guarantees at most `cap` distinct rows per batch. */
float *rec_sparse_grad_row(rec_sparse_grad *s, uint32_t row);

/* Forgets every row (cost proportional to the rows in use). */
void rec_sparse_grad_clear(rec_sparse_grad *s);

#endif
