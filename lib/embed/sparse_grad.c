#include "embed/sparse_grad.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

int rec_sparse_grad_init(rec_sparse_grad *s, size_t ld, size_t cap)
{
    memset(s, 0, sizeof *s);
    size_t hcap = 16;
    while (hcap < 2 * cap)
        hcap *= 2;
    s->ld = ld;
    s->cap = cap;
    s->hcap = hcap;
    s->rows = rec_malloc_array(cap, sizeof *s->rows);
    s->g = rec_aligned_alloc(cap * ld, sizeof(float));
    s->hash = rec_calloc(hcap, sizeof *s->hash);
    if (!s->rows || !s->g || !s->hash) {
        rec_sparse_grad_free(s);
        return REC_ENOMEM;
    }
    return REC_OK;
}

void rec_sparse_grad_free(rec_sparse_grad *s)
{
    rec_free(s->rows);
    rec_free(s->g);
    rec_free(s->hash);
    memset(s, 0, sizeof *s);
}

static size_t slot_of(uint32_t row, size_t mask)
{
    return (size_t)(((uint64_t)row * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

float *rec_sparse_grad_row(rec_sparse_grad *s, uint32_t row)
{
    size_t mask = s->hcap - 1;
    for (size_t h = slot_of(row, mask);; h = (h + 1) & mask) {
        uint32_t e = s->hash[h];
        if (e == 0) {
            size_t slot = s->n++;
            s->hash[h] = (uint32_t)slot + 1;
            s->rows[slot] = row;
            float *g = s->g + slot * s->ld;
            memset(g, 0, s->ld * sizeof *g);
            return g;
        }
        if (s->rows[e - 1] == row)
            return s->g + (size_t)(e - 1) * s->ld;
    }
}

void rec_sparse_grad_clear(rec_sparse_grad *s)
{
    size_t mask = s->hcap - 1;
    /* Clearing the hash entries of used rows only keeps a clear O(batch). */
    for (size_t k = 0; k < s->n; k++) {
        for (size_t h = slot_of(s->rows[k], mask);; h = (h + 1) & mask) {
            if (s->hash[h] == 0)
                break;
            s->hash[h] = 0;
        }
    }
    s->n = 0;
}
