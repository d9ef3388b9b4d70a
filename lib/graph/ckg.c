/* Building the collaborative knowledge graph (graph/ckg.h). */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "graph/ckg.h"
#include "graph/graph.h"

void rec_ckg_destroy(rec_ckg *g)
{
    if (!g)
        return;
    rec_free(g->entity_node);
    rec_free(g->node_entity);
    rec_free(g->rel);
    rec_free(g->mirror);
    rec_graph_destroy(g->op);   /* owns ptr and col */
    rec_free(g);
}

/* Gives every entity its node: the node of the item linked to it, or the
 * next node after the items. */
static void place_entities(rec_ckg *g, const uint32_t *item_entity, size_t n_kg_entities)
{
    size_t base = g->n_users;
    for (size_t e = 0; e < n_kg_entities; e++)
        g->entity_node[e] = UINT32_MAX;
    for (size_t i = 0; i < g->n_items; i++)
        if (item_entity[i] != UINT32_MAX)
            g->entity_node[item_entity[i]] = (uint32_t)(base + i);
    size_t next = base + g->n_items;
    for (size_t e = 0; e < n_kg_entities; e++)
        if (g->entity_node[e] == UINT32_MAX)
            g->entity_node[e] = (uint32_t)next++;
    g->n_entities = next - base - g->n_items;
    g->n_nodes = next;
}

/* Calls emit(ctx, from, to, rel) for every edge, each with its inverse. */
typedef void (*edge_fn)(void *ctx, uint32_t from, uint32_t to, uint32_t rel);

static void each_edge(const rec_ckg *g, const rec_dataset *ds, const rec_kg *kg, edge_fn emit,
                      void *ctx)
{
    size_t nu = g->n_users;
    for (size_t u = 0; u < nu; u++)
        for (size_t p = ds->user_ptr[u]; p < ds->user_ptr[u + 1]; p++) {
            uint32_t item = (uint32_t)(nu + ds->user_items[p]);
            emit(ctx, (uint32_t)u, item, 0);
            emit(ctx, item, (uint32_t)u, 1);
        }
    for (size_t t = 0; t < kg->n_triples; t++) {
        uint32_t h = g->entity_node[kg->head[t]], tl = g->entity_node[kg->tail[t]];
        uint32_t r = 2 + 2 * kg->relation[t];
        emit(ctx, h, tl, r);
        emit(ctx, tl, h, r + 1);
    }
}

typedef struct fill_ctx {
    size_t *cursor;
    uint64_t *key;     /* col << 32 | rel, by position */
    size_t *count;
} fill_ctx;

static void count_edge(void *p, uint32_t from, uint32_t to, uint32_t rel)
{
    (void)to;
    (void)rel;
    ((fill_ctx *)p)->count[from]++;
}

static void place_edge(void *p, uint32_t from, uint32_t to, uint32_t rel)
{
    fill_ctx *f = p;
    f->key[f->cursor[from]++] = (uint64_t)to << 32 | rel;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

size_t rec_ckg_find(const rec_ckg *g, uint32_t row, uint32_t col, uint32_t rel)
{
    size_t lo = g->ptr[row], hi = g->ptr[row + 1];
    uint64_t want = (uint64_t)col << 32 | rel;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t k = (uint64_t)g->col[mid] << 32 | g->rel[mid];
        if (k < want)
            lo = mid + 1;
        else if (k > want)
            hi = mid;
        else
            return mid;
    }
    return SIZE_MAX;
}

void rec_ckg_transpose_values(rec_ckg *g)
{
    for (size_t e = 0; e < g->nnz; e++)
        g->op->tval[e] = g->op->val[g->mirror[e]];
}

/* The CSR: edges counted per row, placed, then each row sorted by (col,
 * rel) through one packed key. */
static int fill_edges(rec_ckg *g, const rec_dataset *ds, const rec_kg *kg)
{
    size_t n = g->n_nodes;
    size_t *ptr = rec_calloc(n + 1, sizeof *ptr);
    size_t *cursor = rec_malloc_array(n ? n : 1, sizeof *cursor);
    uint64_t *key = rec_malloc_array(g->nnz ? g->nnz : 1, sizeof *key);
    uint32_t *col = rec_malloc_array(g->nnz ? g->nnz : 1, sizeof *col);
    g->rel = rec_malloc_array(g->nnz ? g->nnz : 1, sizeof *g->rel);
    g->mirror = rec_malloc_array(g->nnz ? g->nnz : 1, sizeof *g->mirror);
    if (!ptr || !cursor || !key || !col || !g->rel || !g->mirror) {
        rec_free(ptr);
        rec_free(cursor);
        rec_free(key);
        rec_free(col);
        return rec_error_nomem();
    }
    fill_ctx f = { cursor, key, ptr + 1 };
    each_edge(g, ds, kg, count_edge, &f);
    for (size_t r = 0; r < n; r++) {
        ptr[r + 1] += ptr[r];
        cursor[r] = ptr[r];
    }
    each_edge(g, ds, kg, place_edge, &f);
    for (size_t r = 0; r < n; r++) {
        qsort(key + ptr[r], ptr[r + 1] - ptr[r], sizeof *key, cmp_u64);
        for (size_t e = ptr[r]; e < ptr[r + 1]; e++) {
            col[e] = (uint32_t)(key[e] >> 32);
            g->rel[e] = (uint32_t)key[e];
        }
    }
    rec_free(key);
    rec_free(cursor);
    int rc = rec_graph_from_pattern(&g->op, g->n_users, n, ptr, col);
    if (rc != REC_OK)
        return rc;
    g->ptr = g->op->ptr;
    g->col = g->op->col;
    for (size_t r = 0; r < n; r++)
        for (size_t e = g->ptr[r]; e < g->ptr[r + 1]; e++)
            g->mirror[e] = rec_ckg_find(g, g->col[e], (uint32_t)r, g->rel[e] ^ 1u);
    return REC_OK;
}

int rec_ckg_build(rec_ckg **out, const rec_dataset *train, const rec_kg *kg)
{
    *out = NULL;
    size_t nu = rec_ds_n_users(train), ni = rec_ds_n_items(train);
    size_t ne = rec_idmap_size(kg->entities), nr = rec_idmap_size(kg->relations);
    if (ne > UINT32_MAX - nu - ni || nr > (UINT32_MAX - 2) / 2)
        return rec_error(REC_ELIMIT, "kgat: %zu users, %zu items and %zu entities are more "
                                     "nodes than a graph can hold", nu, ni, ne);
    if (train->nnz > SIZE_MAX / 4 - kg->n_triples)
        return rec_error(REC_ELIMIT, "kgat: too many edges");
    rec_ckg *g = rec_calloc(1, sizeof *g);
    uint32_t *item_entity = rec_malloc_array(ni ? ni : 1, sizeof *item_entity);
    if (g) {
        g->entity_node = rec_malloc_array(ne ? ne : 1, sizeof *g->entity_node);
    }
    if (!g || !item_entity || !g->entity_node) {
        rec_free(item_entity);
        rec_ckg_destroy(g);
        return rec_error_nomem();
    }
    int rc = rec_kg_link(kg, train, item_entity, NULL);
    if (rc != REC_OK)
        goto fail;
    g->n_users = nu;
    g->n_items = ni;
    g->n_relations = 2 + 2 * nr;
    place_entities(g, item_entity, ne);
    g->nnz = 2 * (train->nnz + kg->n_triples);
    g->n_interactions = train->nnz;
    g->n_triples = kg->n_triples;
    g->self_loops = kg->self_loops;
    g->node_entity = rec_malloc_array(g->n_nodes ? g->n_nodes : 1, sizeof *g->node_entity);
    if (!g->node_entity) {
        rc = rec_error_nomem();
        goto fail;
    }
    for (size_t v = 0; v < g->n_nodes; v++)
        g->node_entity[v] = UINT32_MAX;
    for (size_t e = 0; e < ne; e++)
        g->node_entity[g->entity_node[e]] = (uint32_t)e;
    if ((rc = fill_edges(g, train, kg)) != REC_OK)
        goto fail;
    rec_free(item_entity);
    *out = g;
    return REC_OK;
fail:
    rec_free(item_entity);
    rec_ckg_destroy(g);
    return rc;
}
