/* Knowledge graphs: triples over entities and relations, and the links from
 * item ids to entities (the public rec_kg handle). Loaded once, immutable,
 * reference-counted like datasets. */
#ifndef REC_DATA_KG_H
#define REC_DATA_KG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "librec/librec.h"
#include "data/dataset.h"
#include "data/idmap.h"

struct rec_kg {
    atomic_size_t refs;
    rec_idmap *entities;      /* dense entity ids, order of first appearance */
    rec_idmap *relations;     /* dense relation ids, same */
    /* The distinct triples, in file order of first occurrence. */
    size_t n_triples;
    uint32_t *head, *relation, *tail;
    /* Links from item ids to entities. link_items NULL: no links file, and
     * an item is linked to the entity with the same id string. Otherwise
     * link k maps item id rec_idmap_get(link_items, k) to link_entity[k]. */
    rec_idmap *link_items;
    uint32_t *link_entity;
    /* Load counts (the linking counts of rec_kg_stats are computed against
     * a dataset by rec_kg_link). */
    size_t lines_read, duplicate_triples, self_loops;
};

rec_kg *rec_kg_retain(rec_kg *kg);        /* returns kg; accepts NULL */
void rec_kg_release(rec_kg *kg);          /* accepts NULL */

/* rec_kg_load() behind its argument checks (triples not NULL, links may
 * be). */
int rec_kg_load_files(rec_kg **out, const char *triples, const char *links);

/* The entity of every item of ds: item_entity[i] (n_items entries) is an
 * entity id, or UINT32_MAX for an item without one. Each entity is the
 * entity of at most one item. The counts of rec_kg_stats that need a
 * dataset go into *stats when stats is not NULL (other fields untouched).
 * REC_OK or REC_ENOMEM (message set). */
int rec_kg_link(const rec_kg *kg, const rec_dataset *ds, uint32_t *item_entity,
                rec_kg_stats *stats);

#endif
