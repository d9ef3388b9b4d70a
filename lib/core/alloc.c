#include "core/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

/* Large matrices (embedding tables, optimizer state, propagation layers)
 * are read at random rows: with 4 KiB pages every gathered row is a likely
 * TLB miss. They are aligned to 2 MiB and, on Linux, marked for transparent
 * huge pages, which kernels configured with THP "madvise" (Debian's
 * default) otherwise never use. A refusal is harmless: the memory stays in
 * small pages. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_FROM ((size_t)4 << 20)

static void ask_for_huge_pages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= HUGE_FROM)
        (void)madvise(p, bytes / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
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
    size_t align = bytes >= HUGE_FROM ? HUGE_PAGE : REC_ALIGN;
    if (posix_memalign(&p, align, bytes ? bytes : REC_ALIGN) != 0)
        return NULL;
    ask_for_huge_pages(p, bytes);
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
