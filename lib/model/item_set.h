/* Item lists given by callers (fold-in, blocklists) come in any order and
 * may repeat items; the models want them sorted and distinct. */
#ifndef REC_MODEL_ITEM_SET_H
#define REC_MODEL_ITEM_SET_H

#include <stddef.h>
#include <stdint.h>

/* qsort comparison of uint32_t. */
int rec_cmp_u32(const void *a, const void *b);

/* A sorted copy of items[0..n) without repeats (released with rec_free),
 * its length in *count; NULL with REC_ENOMEM's message set when memory runs
 * out. items may be NULL when n is 0. */
uint32_t *rec_item_set(const uint32_t *items, size_t n, size_t *count);

#endif
