/* Allocation. Every allocation in librec goes through these functions so
 * that (a) sizes are overflow-checked in one place and (b) tests can make the
 * N-th allocation fail and check that every path returns REC_ENOMEM cleanly.
 * They never set an error message; callers do (rec_error_nomem()). */
#ifndef REC_CORE_ALLOC_H
#define REC_CORE_ALLOC_H

#include <stddef.h>

/* Rows of embedding matrices are aligned to this many bytes (one cache line,
 * one AVX-512 vector). */
#define REC_ALIGN 64

void *rec_malloc(size_t size);
/* count * size bytes, NULL on overflow. */
void *rec_malloc_array(size_t count, size_t size);
/* Zeroed count * size bytes, NULL on overflow. */
void *rec_calloc(size_t count, size_t size);
/* Resizes to count * size bytes; on failure p is left untouched. */
void *rec_realloc_array(void *p, size_t count, size_t size);
/* count * size bytes aligned to REC_ALIGN; release with rec_free(). */
void *rec_aligned_alloc(size_t count, size_t size);
void rec_free(void *p);
char *rec_strdup(const char *s);
char *rec_strndup(const char *s, size_t n);

/* Growth helper for dynamic arrays: makes room for `need` elements of
 * `size` bytes in *p (capacity *cap), growing geometrically.
 * Returns 0 or -1 (allocation failure or overflow; *p unchanged). */
int rec_grow(void **p, size_t *cap, size_t need, size_t size);

/* Testing hook: makes the n-th allocation from now fail (and every later one
 * until reset with n = 0). Returns the number of allocations done since the
 * previous call. Not for production use; thread-safe. */
long rec_alloc_fail_after(long n);

#endif
