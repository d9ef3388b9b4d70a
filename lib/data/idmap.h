/* Map between external ids (byte strings) and dense ids 0..n-1, in order of
 * first appearance. A map is built by one loader, then frozen and shared,
 * reference-counted, by every dataset and model in its id space; a frozen map
 * is never modified, so any number of threads may read it. */
#ifndef REC_DATA_IDMAP_H
#define REC_DATA_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct rec_idmap rec_idmap;

/* Largest number of ids in one map: dense ids are uint32_t and UINT32_MAX is
 * kept free as a "no id" marker. */
#define REC_IDMAP_MAX ((size_t)UINT32_MAX - 1)
/* Longest external id in bytes. */
#define REC_ID_MAX_LEN 4096

rec_idmap *rec_idmap_new(void);               /* NULL on allocation failure */
rec_idmap *rec_idmap_retain(rec_idmap *m);    /* returns m */
void rec_idmap_release(rec_idmap *m);         /* accepts NULL */

/* Dense id of s[0..len), adding it if new (*added = 1). The map must not be
 * shared yet. Returns REC_OK, REC_ENOMEM or REC_ELIMIT (no message set). */
int rec_idmap_intern(rec_idmap *m, const char *s, size_t len, uint32_t *id,
                     int *added);
/* Dense id of s[0..len): REC_OK or REC_ENOTFOUND (no message set). */
int rec_idmap_find(const rec_idmap *m, const char *s, size_t len, uint32_t *id);

size_t rec_idmap_size(const rec_idmap *m);
/* NUL-terminated external id of a dense id < size, and its length. */
const char *rec_idmap_get(const rec_idmap *m, uint32_t id);
size_t rec_idmap_len(const rec_idmap *m, uint32_t id);

/* 1 if every id is a canonical decimal integer ("0", "42", "-7"; no leading
 * zeros or '+', magnitude below 2^53), so that JSON output can print them as
 * numbers. */
int rec_idmap_all_integers(const rec_idmap *m);

/* 1 if a and b hold the same ids in the same dense order (the same map, or
 * one rebuilt from the other, e.g. by loading a saved model). */
int rec_idmap_equal(const rec_idmap *a, const rec_idmap *b);

/* Serialised form for model files: the ids concatenated, each followed by a
 * NUL byte, in dense-id order. */
const char *rec_idmap_blob(const rec_idmap *m, size_t *size);
/* Rebuilds a map of n ids from such a blob (copied). REC_ECORRUPT (with a
 * message) if the blob does not hold exactly n NUL-terminated, non-empty,
 * distinct ids of at most REC_ID_MAX_LEN bytes; REC_ENOMEM. */
int rec_idmap_from_blob(rec_idmap **out, const char *blob, size_t size, size_t n);

#endif
