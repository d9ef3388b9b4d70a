/* Fuzz target: rec_kg_load on arbitrary bytes. The input up to the first
 * 0xFF byte is the triples file, the rest (if there is a 0xFF) the links
 * file; 0xFF is never part of valid UTF-8, so no useful id is lost. A
 * loaded graph is checked against its own counts, then linked to a dataset
 * whose items are some of its entity and link ids and some others. */
#include "fuzz_common.h"

#include <string.h>

#include <librec/librec.h>
#include "data/kg.h"

static void check_graph(const rec_kg *kg)
{
    rec_kg_stats st = REC_KG_STATS_INIT;
    if (rec_kg_stats_get(kg, NULL, &st) != 0)
        abort();
    if (st.n_triples + st.duplicate_triples != st.lines_read ||
        st.self_loops > st.n_triples || st.n_entities != rec_kg_n_entities(kg))
        abort();
    for (size_t k = 0; k < kg->n_triples; k++)
        if (kg->head[k] >= st.n_entities || kg->tail[k] >= st.n_entities ||
            kg->relation[k] >= st.n_relations)
            abort();
    for (size_t k = 0; k < st.n_links; k++)
        if (kg->link_entity[k] >= st.n_entities)
            abort();
    const char *id;
    if (st.n_entities && rec_kg_entity_id(kg, (uint32_t)st.n_entities - 1, &id) != 0)
        abort();
    if (rec_kg_entity_id(kg, (uint32_t)st.n_entities, &id) != REC_EINVAL)
        abort();
}

/* Items: every other entity id and link item id (up to 16 of each), and
 * one id no graph holds. */
static void check_linking(const rec_kg *kg)
{
    const char *items[40];
    size_t n = 0;
    size_t n_ent = rec_kg_n_entities(kg);
    for (uint32_t e = 0; e < n_ent && e < 32; e += 2)
        items[n++] = rec_idmap_get(kg->entities, e);
    size_t n_links = kg->link_items ? rec_idmap_size(kg->link_items) : 0;
    for (uint32_t k = 0; k < n_links && k < 32; k += 2)
        items[n++] = rec_idmap_get(kg->link_items, k);
    items[n++] = "\xc3\xa9 not in any graph";
    const char *users[40];
    for (size_t k = 0; k < n; k++)
        users[k] = "u";
    rec_dataset *ds = NULL;
    if (rec_dataset_from_arrays(&ds, n, users, items, NULL, NULL, NULL, NULL) != 0)
        abort();
    size_t n_items = rec_dataset_n_items(ds);
    uint32_t item_entity[40];
    rec_kg_stats st = REC_KG_STATS_INIT;
    if (rec_kg_stats_get(kg, ds, &st) != 0 ||
        rec_kg_link(kg, ds, item_entity, NULL) != 0)
        abort();
    if (st.items_linked + st.items_without_entity != n_items ||
        st.items_linked + st.entities_without_item != st.n_entities ||
        (kg->link_items && st.items_linked + st.links_unknown_item != st.n_links))
        abort();
    /* An entity belongs to one item at most. */
    for (size_t a = 0; a < n_items; a++)
        for (size_t b = a + 1; b < n_items; b++)
            if (item_entity[a] != UINT32_MAX && item_entity[a] == item_entity[b])
                abort();
    rec_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cut = memchr(data, 0xFF, size);
    size_t t_len = cut ? (size_t)(cut - data) : size;
    char t_path[64], l_path[64];
    int t_fd = fuzz_memfd(data, t_len, t_path);
    int l_fd = cut ? fuzz_memfd(cut + 1, size - t_len - 1, l_path) : -1;

    rec_kg *kg = NULL;
    if (rec_kg_load(&kg, t_path, cut ? l_path : NULL) == 0) {
        check_graph(kg);
        check_linking(kg);
    } else if (kg) {
        abort();
    }
    rec_kg_free(kg);
    close(t_fd);
    if (l_fd >= 0)
        close(l_fd);
    return 0;
}
