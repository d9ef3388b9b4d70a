/* Id maps: an arena of NUL-terminated ids in dense-id order, their offsets,
 * and an open-addressing hash table (linear probing) from id bytes to dense
 * id. The arena doubles as the blob written to model files, so exporting a
 * map copies nothing. */
#include "data/idmap.h"

#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "librec/librec.h"

struct rec_idmap {
    atomic_size_t refs;
    char *arena;        /* ids, each followed by NUL, in dense-id order */
    size_t arena_len;
    size_t arena_cap;
    size_t *offs;       /* offs[i]: start of id i; offs[n] == arena_len */
    size_t offs_cap;    /* entries allocated in offs (>= n + 1) */
    size_t n;
    /* Slot: high 32 bits a tag from the hash (rejects most mismatches
     * without touching the arena), low 32 bits dense id + 1; 0 is empty. */
    uint64_t *slots;
    size_t mask;        /* slot count - 1 (a power of two), 0 if no table */
    int all_integers;
};

/* Multiply-xorshift hash over 8-byte words. Not keyed: id maps are built
 * from the caller's own files, not from adversarial network input. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0xff51afd7ed558ccdull);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

static inline uint64_t make_slot(uint64_t h, uint32_t id)
{
    return (h & 0xffffffff00000000ull) | ((uint64_t)id + 1);
}

rec_idmap *rec_idmap_new(void)
{
    rec_idmap *m = rec_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->offs = rec_malloc_array(1, sizeof *m->offs);
    if (!m->offs) {
        rec_free(m);
        return NULL;
    }
    m->offs[0] = 0;
    m->offs_cap = 1;
    m->all_integers = 1;
    atomic_init(&m->refs, 1);
    return m;
}

rec_idmap *rec_idmap_retain(rec_idmap *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    return m;
}

void rec_idmap_release(rec_idmap *m)
{
    if (!m)
        return;
    if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1)
        return;
    rec_free(m->arena);
    rec_free(m->offs);
    rec_free(m->slots);
    rec_free(m);
}

size_t rec_idmap_size(const rec_idmap *m)
{
    return m->n;
}

const char *rec_idmap_get(const rec_idmap *m, uint32_t id)
{
    return id < m->n ? m->arena + m->offs[id] : NULL;
}

size_t rec_idmap_len(const rec_idmap *m, uint32_t id)
{
    return id < m->n ? m->offs[id + 1] - m->offs[id] - 1 : 0;
}

int rec_idmap_all_integers(const rec_idmap *m)
{
    return m->all_integers;
}

int rec_idmap_equal(const rec_idmap *a, const rec_idmap *b)
{
    if (a == b)
        return 1;
    size_t na, nb;
    const char *ba = rec_idmap_blob(a, &na), *bb = rec_idmap_blob(b, &nb);
    /* Equal blobs: the same ids in the same order (each ends in NUL). */
    return rec_idmap_size(a) == rec_idmap_size(b) && na == nb && memcmp(ba, bb, na) == 0;
}

const char *rec_idmap_blob(const rec_idmap *m, size_t *size)
{
    *size = m->arena_len;
    return m->arena ? m->arena : "";
}

/* Slot index holding s[0..len) (hash h), or the empty slot where it would
 * go. */
static size_t probe(const rec_idmap *m, const char *s, size_t len, uint64_t h,
                    int *found)
{
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & m->mask;
    for (;;) {
        uint64_t e = m->slots[i];
        if (e == 0) {
            *found = 0;
            return i;
        }
        if ((uint32_t)(e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            size_t off = m->offs[id];
            if (m->offs[id + 1] - off - 1 == len &&
                memcmp(m->arena + off, s, len) == 0) {
                *found = 1;
                return i;
            }
        }
        i = (i + 1) & m->mask;
    }
}

int rec_idmap_find(const rec_idmap *m, const char *s, size_t len, uint32_t *id)
{
    if (m->n == 0)
        return REC_ENOTFOUND;
    int found;
    size_t i = probe(m, s, len, hash_bytes(s, len), &found);
    if (!found)
        return REC_ENOTFOUND;
    *id = (uint32_t)m->slots[i] - 1;
    return REC_OK;
}

/* Rebuilds the table with `cap` slots (a power of two) for the current
 * ids. On failure the old table is kept. */
static int rehash(rec_idmap *m, size_t cap)
{
    uint64_t *slots = rec_calloc(cap, sizeof *slots);
    if (!slots)
        return REC_ENOMEM;
    size_t mask = cap - 1;
    for (size_t id = 0; id < m->n; id++) {
        size_t off = m->offs[id];
        uint64_t h = hash_bytes(m->arena + off, m->offs[id + 1] - off - 1);
        size_t i = (size_t)h & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = make_slot(h, (uint32_t)id);
    }
    rec_free(m->slots);
    m->slots = slots;
    m->mask = mask;
    return REC_OK;
}

/* Keeps the load factor at or below 1/2 with room for `extra` more ids. */
static int reserve_table(rec_idmap *m, size_t extra)
{
    size_t need = m->n + extra;
    size_t cap = m->mask ? m->mask + 1 : 0;
    if (need <= cap / 2)
        return REC_OK;
    size_t c = cap ? cap : 64;
    while (c / 2 < need) {
        if (c > SIZE_MAX / 2 / sizeof(uint64_t))
            return REC_ENOMEM;
        c *= 2;
    }
    return rehash(m, c);
}

/* Canonical decimal integer of magnitude below 2^53: "0", "42", "-7";
 * no sign on zero, no '+', no leading zeros. */
static int is_json_integer(const char *s, size_t len)
{
    size_t i = 0;
    if (len && s[0] == '-')
        i = 1;
    size_t digits = len - i;
    if (digits == 0 || digits > 16)
        return 0;
    if (s[i] == '0')
        return len == 1;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v < (UINT64_C(1) << 53);
}

/* Adds the id whose bytes are already at the end of the arena
 * (arena[arena_len .. arena_len + len] with its NUL) into slot `slot`. */
static void commit_id(rec_idmap *m, size_t len, uint64_t h, size_t slot)
{
    uint32_t id = (uint32_t)m->n;
    if (m->all_integers && !is_json_integer(m->arena + m->arena_len, len))
        m->all_integers = 0;
    m->arena_len += len + 1;
    m->n++;
    m->offs[m->n] = m->arena_len;
    m->slots[slot] = make_slot(h, id);
}

int rec_idmap_intern(rec_idmap *m, const char *s, size_t len, uint32_t *id,
                     int *added)
{
    uint64_t h = hash_bytes(s, len);
    int found = 0;
    size_t slot = 0;
    if (m->n) {
        slot = probe(m, s, len, h, &found);
        if (found) {
            *id = (uint32_t)m->slots[slot] - 1;
            if (added)
                *added = 0;
            return REC_OK;
        }
    }
    if (m->n >= REC_IDMAP_MAX)
        return REC_ELIMIT;
    /* Reserve everything before changing anything, so a failure leaves the
     * map as it was. */
    if (len > SIZE_MAX - 1 - m->arena_len)
        return REC_ENOMEM;
    if (rec_grow((void **)&m->arena, &m->arena_cap, m->arena_len + len + 1, 1) != 0 ||
        rec_grow((void **)&m->offs, &m->offs_cap, m->n + 2, sizeof *m->offs) != 0)
        return REC_ENOMEM;
    size_t cap_before = m->mask;
    if (reserve_table(m, 1) != REC_OK)
        return REC_ENOMEM;
    if (m->mask != cap_before || m->n == 0)
        slot = probe(m, s, len, h, &found);
    memcpy(m->arena + m->arena_len, s, len);
    m->arena[m->arena_len + len] = '\0';
    *id = (uint32_t)m->n;
    commit_id(m, len, h, slot);
    if (added)
        *added = 1;
    return REC_OK;
}

int rec_idmap_from_blob(rec_idmap **out, const char *blob, size_t size, size_t n)
{
    *out = NULL;
    /* Every id takes at least two bytes (one byte and its NUL): this bounds
     * n before anything is allocated from it. */
    if (n > REC_IDMAP_MAX || n > size / 2 || (n == 0 && size != 0))
        return rec_error(REC_ECORRUPT,
                         "id map: %zu bytes cannot hold %zu ids", size, n);
    rec_idmap *m = rec_idmap_new();
    if (!m)
        return rec_error_nomem();
    int rc = REC_OK;
    m->arena = rec_malloc(size);
    if (!m->arena || rec_grow((void **)&m->offs, &m->offs_cap, n + 1,
                              sizeof *m->offs) != 0 ||
        reserve_table(m, n) != REC_OK) {
        rc = rec_error_nomem();
        goto fail;
    }
    m->arena_cap = size;
    if (size)
        memcpy(m->arena, blob, size);
    for (size_t i = 0; i < n; i++) {
        const char *s = m->arena + m->arena_len;
        size_t left = size - m->arena_len;
        const char *nul = memchr(s, '\0', left);
        if (!nul) {
            rc = rec_error(REC_ECORRUPT, "id map: id %zu of %zu is not NUL-terminated",
                           i, n);
            goto fail;
        }
        size_t len = (size_t)(nul - s);
        if (len == 0) {
            rc = rec_error(REC_ECORRUPT, "id map: id %zu is empty", i);
            goto fail;
        }
        if (len > REC_ID_MAX_LEN) {
            rc = rec_error(REC_ECORRUPT, "id map: id %zu is %zu bytes long (at most %d)",
                           i, len, REC_ID_MAX_LEN);
            goto fail;
        }
        uint64_t h = hash_bytes(s, len);
        int found;
        size_t slot = probe(m, s, len, h, &found);
        if (found) {
            rc = rec_error(REC_ECORRUPT, "id map: id %zu repeats id %u", i,
                           (unsigned)((uint32_t)m->slots[slot] - 1));
            goto fail;
        }
        commit_id(m, len, h, slot);
    }
    if (m->arena_len != size) {
        rc = rec_error(REC_ECORRUPT, "id map: %zu bytes after the last of %zu ids",
                       size - m->arena_len, n);
        goto fail;
    }
    *out = m;
    return REC_OK;
fail:
    rec_idmap_release(m);
    return rc;
}
