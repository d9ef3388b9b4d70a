/* Public entry points for knowledge graphs: argument checks, then dispatch
 * to lib/data. Messages name the function and the argument. */
#include <string.h>

#include "librec/librec.h"

#include "api/api_util.h"
#include "core/alloc.h"
#include "core/error.h"
#include "data/kg.h"

int rec_kg_load(rec_kg **out, const char *triples, const char *links)
{
    static const char fn[] = "rec_kg_load";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, triples);
    int rc = rec_kg_load_files(out, triples, links);
    /* Out of memory outside the reading of a file: name the graph. */
    if (rc == REC_ENOMEM && !strstr(rec_error_message(), triples) &&
        !(links && strstr(rec_error_message(), links)))
        rc = rec_error_context(rc, "%s: ", triples);
    return rc;
}

void rec_kg_free(rec_kg *kg)
{
    rec_kg_release(kg);
}

size_t rec_kg_n_entities(const rec_kg *kg)
{
    return kg ? rec_idmap_size(kg->entities) : 0;
}

size_t rec_kg_n_relations(const rec_kg *kg)
{
    return kg ? rec_idmap_size(kg->relations) : 0;
}

static int external_id(const char *fn, const rec_kg *kg, const rec_idmap *m,
                       const char *what, uint32_t id, const char **out)
{
    REC_CHECK_NULL(fn, kg);
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    if (id >= rec_idmap_size(m))
        return rec_error(REC_EINVAL, "%s: %s %u is out of range (the graph has %zu)", fn,
                         what, (unsigned)id, rec_idmap_size(m));
    *out = rec_idmap_get(m, id);
    return REC_OK;
}

int rec_kg_entity_id(const rec_kg *kg, uint32_t entity, const char **id)
{
    return external_id("rec_kg_entity_id", kg, kg ? kg->entities : NULL, "entity",
                       entity, id);
}

int rec_kg_relation_id(const rec_kg *kg, uint32_t relation, const char **id)
{
    return external_id("rec_kg_relation_id", kg, kg ? kg->relations : NULL, "relation",
                       relation, id);
}

int rec_kg_stats_get(const rec_kg *kg, const rec_dataset *ds, rec_kg_stats *stats)
{
    static const char fn[] = "rec_kg_stats_get";
    REC_CHECK_NULL(fn, kg);
    REC_CHECK_NULL(fn, stats);
    int rc = rec_check_version(fn, "stats", stats->version, REC_KG_STATS_VERSION);
    if (rc != REC_OK)
        return rc;
    /* Version 1 is the whole struct today; a later version writes its own
     * fields only when the caller's version has them. */
    stats->n_entities = rec_idmap_size(kg->entities);
    stats->n_relations = rec_idmap_size(kg->relations);
    stats->n_triples = kg->n_triples;
    stats->lines_read = kg->lines_read;
    stats->duplicate_triples = kg->duplicate_triples;
    stats->self_loops = kg->self_loops;
    stats->n_links = kg->link_items ? rec_idmap_size(kg->link_items) : 0;
    stats->items_linked = 0;
    stats->items_without_entity = 0;
    stats->links_unknown_item = 0;
    stats->entities_without_item = 0;
    if (!ds)
        return REC_OK;
    size_t n_items = rec_dataset_n_items(ds);
    uint32_t *item_entity = rec_malloc_array(n_items ? n_items : 1, sizeof *item_entity);
    if (!item_entity)
        return rec_error_nomem();
    rc = rec_kg_link(kg, ds, item_entity, stats);
    rec_free(item_entity);
    return rc;
}
