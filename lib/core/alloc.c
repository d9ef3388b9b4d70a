#include "core/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Failure injection for tests. fail_at == 0: off. Otherwise allocation
 * number fail_at (counted from the last rec_alloc_fail_after call) and all
 * later ones fail, which is what a real out-of-memory condition looks like. */
static atomic_long alloc_count;
static atomic_long fail_at;

long rec_alloc_fail_after(long n)
{
    long done = atomic_exchange(&alloc_count, 0);
    atomic_store(&fail_at, n);
    return done;
}

static int injected_failure(void)
{
    long at = atomic_load_explicit(&fail_at, memory_order_relaxed);
    long k = atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1;
    return at > 0 && k >= at;
}

void *rec_malloc(size_t size)
{
    if (injected_failure())
        return NULL;
    return malloc(size ? size : 1);
}

void *rec_malloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return rec_malloc(count * size);
}

void *rec_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *rec_realloc_array(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    size_t bytes = count * size;
    return realloc(p, bytes ? bytes : 1);
}

void *rec_aligned_alloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (bytes > SIZE_MAX - REC_ALIGN)
        return NULL;
    bytes = (bytes + REC_ALIGN - 1) / REC_ALIGN * REC_ALIGN;
    if (injected_failure())
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, REC_ALIGN, bytes ? bytes : REC_ALIGN) != 0)
        return NULL;
    return p;
}

void rec_free(void *p)
{
    free(p);
}

char *rec_strndup(const char *s, size_t n)
{
    char *d = rec_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *rec_strdup(const char *s)
{
    return rec_strndup(s, strlen(s));
}

int rec_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    void *q = rec_realloc_array(*p, c, size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}
