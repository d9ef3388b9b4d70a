#include "model/item_set.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

int rec_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t *rec_item_set(const uint32_t *items, size_t n, size_t *count)
{
    *count = 0;
    uint32_t *set = rec_malloc_array(n ? n : 1, sizeof *set);
    if (!set) {
        rec_error_nomem();
        return NULL;
    }
    if (n == 0)
        return set;
    memcpy(set, items, n * sizeof *set);
    qsort(set, n, sizeof *set, rec_cmp_u32);
    size_t d = 0;
    for (size_t j = 0; j < n; j++)
        if (d == 0 || set[d - 1] != set[j])
            set[d++] = set[j];
    *count = d;
    return set;
}
