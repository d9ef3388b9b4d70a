/* Top-K selection over a score array.
 *
 * The k best seen so far sit in a min-heap in `out` whose root is the worst
 * of them. Items are visited in ascending id order, so a later item whose
 * score equals the root's loses the tie (its id is higher): an item enters
 * only if its score is strictly greater than the root's. Once the heap is
 * full that is the whole per-item cost, one compare (a vector of them at a
 * time: kernels' first_above), and a NaN score fails it by itself. Excluded ids are never tested per item: the scan runs over
 * the gaps between consecutive excluded ids. */
#include "kernels/kernels.h"

/* The heap order: a is worse than b. Ids are distinct, so this is total. */
static inline int worse(rec_scored a, rec_scored b)
{
    return a.score < b.score || (a.score == b.score && a.item > b.item);
}

static void sift_up(rec_scored *h, size_t pos)
{
    rec_scored e = h[pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!worse(e, h[parent]))
            break;
        h[pos] = h[parent];
        pos = parent;
    }
    h[pos] = e;
}

/* Places e at the root of the heap h[0..size) and restores the order. */
static void sift_down(rec_scored *h, size_t size, rec_scored e)
{
    size_t pos = 0;
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= size)
            break;
        if (child + 1 < size && worse(h[child + 1], h[child]))
            child++;
        if (!worse(h[child], e))
            break;
        h[pos] = h[child];
        pos = child;
    }
    h[pos] = e;
}

typedef struct selection {
    const float *scores;
    rec_scored *heap;   /* = out */
    size_t k;
    size_t size;        /* entries in the heap */
} selection;

/* Offers items [lo, hi) to the selection. */
static void scan_gap(selection *s, size_t lo, size_t hi)
{
    const float *scores = s->scores;
    size_t i = lo;
    /* Filling: every non-NaN item enters until the heap holds k. */
    for (; i < hi && s->size < s->k; i++) {
        float v = scores[i];
        if (v != v)
            continue;
        s->heap[s->size] = (rec_scored){v, (uint32_t)i};
        sift_up(s->heap, s->size++);
    }
    if (i >= hi)
        return;
    /* Full: items enter only above the root; the kernel skips to the next
     * such item a vector at a time. */
    rec_scored *heap = s->heap;
    size_t size = s->size;
    float threshold = heap[0].score;
    const rec_kernels *K = rec_kernels_get();
    for (;;) {
        i += K->first_above(scores + i, hi - i, threshold);
        if (i >= hi)
            break;
        sift_down(heap, size, (rec_scored){scores[i], (uint32_t)i});
        threshold = heap[0].score;
        i++;
    }
}

/* Calls gap(ctx, lo, hi) for each run [lo, hi) of [0, n) between the
 * excluded ids (ascending, duplicates allowed, ids >= n ignored). */
static void for_each_gap(size_t n, const uint32_t *excluded, size_t n_excluded,
                         void (*gap)(void *ctx, size_t lo, size_t hi), void *ctx)
{
    size_t pos = 0, e = 0;
    while (pos < n) {
        /* Skips duplicates and ids already passed. */
        while (e < n_excluded && excluded[e] < pos)
            e++;
        size_t end = e < n_excluded && excluded[e] < n ? excluded[e] : n;
        gap(ctx, pos, end);
        pos = end + 1;
    }
}

static void select_gap(void *ctx, size_t lo, size_t hi)
{
    scan_gap(ctx, lo, hi);
}

size_t rec_topk(const float *scores, size_t n, size_t k,
                const uint32_t *excluded, size_t n_excluded, rec_scored *out)
{
    if (k == 0)
        return 0;
    selection s = {scores, out, k, 0};
    for_each_gap(n, excluded, n_excluded, select_gap, &s);
    /* Heap sort: moving the worst remaining entry to the back each time
     * leaves out[] best first. */
    for (size_t size = s.size; size > 1; size--) {
        rec_scored last = out[size - 1];
        out[size - 1] = out[0];
        sift_down(out, size - 1, last);
    }
    return s.size;
}

typedef struct above {
    const float *scores;
    float t;
    uint32_t *ids;
    size_t n;
} above;

static void above_gap(void *ctx, size_t lo, size_t hi)
{
    above *a = ctx;
    const rec_kernels *K = rec_kernels_get();
    for (size_t i = lo + K->first_above(a->scores + lo, hi - lo, a->t); i < hi;
         i += 1 + K->first_above(a->scores + i + 1, hi - i - 1, a->t))
        a->ids[a->n++] = (uint32_t)i;
}

size_t rec_topk_above(const float *scores, size_t n, float t, const uint32_t *excluded,
                      size_t n_excluded, uint32_t *ids)
{
    above a = {scores, t, ids, 0};
    for_each_gap(n, excluded, n_excluded, above_gap, &a);
    return a.n;
}
