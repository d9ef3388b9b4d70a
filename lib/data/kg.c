/* Knowledge-graph loading: the triples file, then the optional links file,
 * each through the shared line reader, and the handle's life cycle.
 * Duplicate triples are found with a hash set over (head, relation, tail):
 * real graphs have hundreds of thousands of lines. */
#include "data/kg.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parse.h"
#include "data/kg_line.h"
#include "data/lines.h"

typedef struct loader {
    rec_kg *kg;
    size_t cap_head, cap_relation, cap_tail;
    size_t *slots;          /* open addressing: triple index + 1, 0 empty */
    size_t n_slots;         /* a power of two, or 0 */
    size_t *link_line;      /* line of each link, for messages */
    size_t cap_link_line, cap_link_entity;
    uint32_t *entity_link;  /* per entity: its link, or UINT32_MAX */
    size_t n_entity_link, cap_entity_link;
} loader;

static const char *const triple_names[] = { "head", "relation", "tail" };
static const char *const link_names[] = { "item", "entity" };

/* ---- Life cycle ---- */

rec_kg *rec_kg_retain(rec_kg *kg)
{
    if (kg)
        atomic_fetch_add_explicit(&kg->refs, 1, memory_order_relaxed);
    return kg;
}

void rec_kg_release(rec_kg *kg)
{
    if (!kg || atomic_fetch_sub_explicit(&kg->refs, 1, memory_order_acq_rel) != 1)
        return;
    rec_idmap_release(kg->entities);
    rec_idmap_release(kg->relations);
    rec_idmap_release(kg->link_items);
    rec_free(kg->head);
    rec_free(kg->relation);
    rec_free(kg->tail);
    rec_free(kg->link_entity);
    rec_free(kg);
}

/* ---- Ids ---- */

/* Dense id of field k of l in m; *added (may be NULL) tells if it is new. */
static int intern(rec_idmap *m, const rec_kg_line *l, size_t k, const char *what,
                  uint32_t *id, int *added)
{
    int rc = rec_idmap_intern(m, l->field[k], l->len[k], id, added);
    if (rc == REC_ENOMEM)
        return rec_error_nomem();
    if (rc != REC_OK)
        return rec_error(rc, "%s:%zu: field %zu: more than %zu distinct %s", l->path,
                         l->line, k + 1, (size_t)REC_IDMAP_MAX, what);
    return REC_OK;
}

/* ---- Triples ---- */

static size_t triple_hash(uint32_t h, uint32_t r, uint32_t t)
{
    uint64_t x = ((uint64_t)h << 32 | t) ^ ((uint64_t)r * 0x9E3779B97F4A7C15u);
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDu;
    x ^= x >> 33;
    return (size_t)x;
}

/* The slot holding triple (h, r, t), or the empty slot where it goes. */
static size_t *find_slot(const loader *ld, uint32_t h, uint32_t r, uint32_t t)
{
    const rec_kg *kg = ld->kg;
    size_t mask = ld->n_slots - 1;
    for (size_t i = triple_hash(h, r, t) & mask;; i = (i + 1) & mask) {
        size_t k = ld->slots[i];
        if (k == 0 || (kg->head[k - 1] == h && kg->relation[k - 1] == r &&
                       kg->tail[k - 1] == t))
            return &ld->slots[i];
    }
}

/* Keeps the set at most half full, so that probes stay short. */
static int reserve_slots(loader *ld, size_t n)
{
    if (2 * n <= ld->n_slots)
        return REC_OK;
    size_t want = ld->n_slots ? 2 * ld->n_slots : 1024;
    size_t *slots = rec_calloc(want, sizeof *slots);
    if (!slots)
        return rec_error_nomem();
    size_t *old = ld->slots;
    size_t old_n = ld->n_slots;
    ld->slots = slots;
    ld->n_slots = want;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) {
            size_t k = old[i] - 1;
            *find_slot(ld, ld->kg->head[k], ld->kg->relation[k], ld->kg->tail[k]) = old[i];
        }
    rec_free(old);
    return REC_OK;
}

static int add_triple(loader *ld, const rec_kg_line *l)
{
    rec_kg *kg = ld->kg;
    uint32_t h, r, t;
    int rc;
    if ((rc = intern(kg->entities, l, 0, "entities", &h, NULL)) ||
        (rc = intern(kg->relations, l, 1, "relations", &r, NULL)) ||
        (rc = intern(kg->entities, l, 2, "entities", &t, NULL)))
        return rc;
    size_t n = kg->n_triples + 1;
    if (rec_grow((void **)&kg->head, &ld->cap_head, n, sizeof *kg->head) ||
        rec_grow((void **)&kg->relation, &ld->cap_relation, n, sizeof *kg->relation) ||
        rec_grow((void **)&kg->tail, &ld->cap_tail, n, sizeof *kg->tail))
        return rec_error_nomem();
    if ((rc = reserve_slots(ld, n)))
        return rc;
    kg->lines_read++;
    size_t *slot = find_slot(ld, h, r, t);
    if (*slot) {
        kg->duplicate_triples++;
        return REC_OK;
    }
    kg->head[kg->n_triples] = h;
    kg->relation[kg->n_triples] = r;
    kg->tail[kg->n_triples] = t;
    *slot = n;
    kg->n_triples = n;
    if (h == t)
        kg->self_loops++;
    return REC_OK;
}

/* ---- Links ---- */

static int add_link(loader *ld, const rec_kg_line *l)
{
    rec_kg *kg = ld->kg;
    char ex[64 + 4];
    uint32_t k, e;
    int added, rc;
    if ((rc = intern(kg->link_items, l, 0, "items", &k, &added)))
        return rc;
    if (!added) {
        rec_excerpt(ex, 64, l->field[0], l->len[0]);
        return rec_error(REC_EFORMAT, "%s:%zu: field 1 (item): '%s' is already linked "
                         "on line %zu (an item has one entity)", l->path, l->line, ex,
                         ld->link_line[k]);
    }
    if ((rc = intern(kg->entities, l, 1, "entities", &e, NULL)))
        return rc;
    /* Entities only a link names are new: they start unlinked. */
    size_t n_ent = rec_idmap_size(kg->entities);
    if (rec_grow((void **)&ld->entity_link, &ld->cap_entity_link, n_ent,
                 sizeof *ld->entity_link))
        return rec_error_nomem();
    for (; ld->n_entity_link < n_ent; ld->n_entity_link++)
        ld->entity_link[ld->n_entity_link] = UINT32_MAX;
    if (ld->entity_link[e] != UINT32_MAX) {
        rec_excerpt(ex, 64, l->field[1], l->len[1]);
        return rec_error(REC_EFORMAT, "%s:%zu: field 2 (entity): '%s' is already linked "
                         "on line %zu (an entity belongs to one item)", l->path, l->line,
                         ex, ld->link_line[ld->entity_link[e]]);
    }
    if (rec_grow((void **)&kg->link_entity, &ld->cap_link_entity, (size_t)k + 1,
                 sizeof *kg->link_entity) ||
        rec_grow((void **)&ld->link_line, &ld->cap_link_line, (size_t)k + 1,
                 sizeof *ld->link_line))
        return rec_error_nomem();
    kg->link_entity[k] = e;
    ld->link_line[k] = l->line;
    ld->entity_link[e] = k;
    return REC_OK;
}

/* ---- Files ---- */

/* Reads every line of `path` with `want` fields into `add`. The first
 * non-blank line is skipped when it is a RecBole typed header. */
static int read_file(loader *ld, const char *path, size_t want, const char *const *names,
                     int (*add)(loader *, const rec_kg_line *))
{
    rec_lines lr;
    rec_kg_line l = { .path = path };
    int rc = rec_lines_open(&lr, path);
    int first = 1, got = 0;
    const char *s;
    size_t len;
    while (rc == REC_OK && (got = rec_lines_next(&lr, &s, &len)) == 1) {
        l.line = lr.line;
        if (!rec_kg_line_split(&l, s, len))
            continue;
        int header = first && rec_kg_line_is_header(&l);
        first = 0;
        rc = rec_kg_line_check(&l, want, names);
        if (rc == REC_OK && !header)
            rc = add(ld, &l);
    }
    if (rc == REC_OK && got < 0)
        rc = got;
    rec_lines_close(&lr);
    if (rc == REC_ENOMEM && !strstr(rec_error_message(), path))
        rc = rec_error_context(rc, "%s: ", path);
    return rc;
}

int rec_kg_load_files(rec_kg **out, const char *triples, const char *links)
{
    *out = NULL;
    loader ld;
    memset(&ld, 0, sizeof ld);
    rec_kg *kg = ld.kg = rec_calloc(1, sizeof *kg);
    if (!kg)
        return rec_error_nomem();
    atomic_init(&kg->refs, 1);
    int rc = REC_OK;
    kg->entities = rec_idmap_new();
    kg->relations = rec_idmap_new();
    if (links)
        kg->link_items = rec_idmap_new();
    if (!kg->entities || !kg->relations || (links && !kg->link_items))
        rc = rec_error_nomem();
    if (rc == REC_OK)
        rc = read_file(&ld, triples, 3, triple_names, add_triple);
    if (rc == REC_OK && links)
        rc = read_file(&ld, links, 2, link_names, add_link);
    rec_free(ld.slots);
    rec_free(ld.link_line);
    rec_free(ld.entity_link);
    if (rc != REC_OK) {
        rec_kg_release(kg);
        return rc;
    }
    *out = kg;
    return REC_OK;
}
