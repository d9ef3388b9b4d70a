/* Linking a dataset's items to knowledge-graph entities, through the links
 * file when there is one, else by equal id strings. */
#include "data/kg.h"

int rec_kg_link(const rec_kg *kg, const rec_dataset *ds, uint32_t *item_entity,
                rec_kg_stats *stats)
{
    size_t n_items = rec_ds_n_items(ds);
    size_t linked = 0, unknown = 0;
    for (size_t i = 0; i < n_items; i++)
        item_entity[i] = UINT32_MAX;
    if (kg->link_items) {
        size_t n_links = rec_idmap_size(kg->link_items);
        for (uint32_t k = 0; k < n_links; k++) {
            uint32_t i;
            if (rec_idmap_find(ds->items, rec_idmap_get(kg->link_items, k),
                               rec_idmap_len(kg->link_items, k), &i) != REC_OK) {
                unknown++;
                continue;
            }
            item_entity[i] = kg->link_entity[k];
            linked++;
        }
    } else {
        for (uint32_t i = 0; i < n_items; i++) {
            uint32_t e;
            if (rec_idmap_find(kg->entities, rec_idmap_get(ds->items, i),
                               rec_idmap_len(ds->items, i), &e) == REC_OK) {
                item_entity[i] = e;
                linked++;
            }
        }
    }
    if (stats) {
        /* The load refused an entity in two links, and an item has one
         * entity, so linked items and linked entities are as many. */
        stats->items_linked = linked;
        stats->items_without_entity = n_items - linked;
        stats->links_unknown_item = unknown;
        stats->entities_without_item = rec_idmap_size(kg->entities) - linked;
    }
    return REC_OK;
}
