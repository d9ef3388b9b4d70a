/* Knowledge graphs in the rec program: loading one from --kg and
 * --link, and printing what the load read and kept. */
#include "cli.h"

rec_kg *load_kg(const char *triples, const char *links)
{
    rec_kg *kg = NULL;
    int rc = rec_kg_load(&kg, triples, links);
    if (rc != REC_OK)
        die_rec(rc, "reading the knowledge graph");
    return kg;
}

/* Name and value of each field, in struct order; the linking counts last. */
#define KG_FIELDS(st) \
    { "entities", (st)->n_entities }, { "relations", (st)->n_relations }, \
    { "triples", (st)->n_triples }, { "lines_read", (st)->lines_read }, \
    { "duplicate_triples", (st)->duplicate_triples }, \
    { "self_loops", (st)->self_loops }, { "links", (st)->n_links }, \
    { "items_linked", (st)->items_linked }, \
    { "items_without_entity", (st)->items_without_entity }, \
    { "links_unknown_item", (st)->links_unknown_item }, \
    { "entities_without_item", (st)->entities_without_item }
#define KG_LINKING_FIELDS 4

typedef struct kg_field {
    const char *name;
    size_t value;
} kg_field;

void print_kg_stats(const rec_kg *kg, const rec_dataset *ds, int json)
{
    rec_kg_stats st = REC_KG_STATS_INIT;
    int rc = rec_kg_stats_get(kg, ds, &st);
    if (rc != REC_OK)
        die_rec(rc, "linking the knowledge graph");
    const kg_field fields[] = { KG_FIELDS(&st) };
    size_t n = sizeof fields / sizeof fields[0] - (ds ? 0 : KG_LINKING_FIELDS);
    if (json) {
        printf("{");
        for (size_t k = 0; k < n; k++)
            printf("%s\"%s\": %zu", k ? ", " : "", fields[k].name, fields[k].value);
        printf("}");
        return;
    }
    for (size_t k = 0; k < n; k++)
        printf("%-22s %zu\n", fields[k].name, fields[k].value);
}

void report_kg(const rec_kg *kg, const rec_dataset *ds, const char *path)
{
    rec_kg_stats st = REC_KG_STATS_INIT;
    int rc = rec_kg_stats_get(kg, ds, &st);
    if (rc != REC_OK)
        die_rec(rc, "linking the knowledge graph");
    note("%s: %zu entities, %zu relations, %zu triples (%zu repeated lines dropped, "
         "%zu self-loops); %zu of %zu items linked to an entity", path, st.n_entities,
         st.n_relations, st.n_triples, st.duplicate_triples, st.self_loops,
         st.items_linked, st.items_linked + st.items_without_entity);
}
