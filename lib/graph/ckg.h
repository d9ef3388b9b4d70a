/* The collaborative knowledge graph (KGAT, Wang et al. KDD 2019): the
 * user-item interactions and the knowledge-graph triples as one graph with
 * typed edges, every edge present with its inverse.
 *
 * Nodes: users 0..n_users-1, the dataset's items n_users..n_users+n_items-1
 * (an item linked to an entity is that entity's node), then the entities
 * linked to no item. Relations: 0 user -> item ("interact"), 1 item -> user
 * (its inverse), and for knowledge-graph relation r, 2 + 2r head -> tail and
 * 3 + 2r tail -> head. The relation of an edge's inverse is relation ^ 1. */
#ifndef REC_GRAPH_CKG_H
#define REC_GRAPH_CKG_H

#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"
#include "data/kg.h"

typedef struct rec_ckg {
    size_t n_users, n_items, n_entities;  /* n_entities: entities linked to no item */
    size_t n_nodes;
    size_t n_relations;                   /* 2 + 2 * the graph's relations */
    /* Node of every knowledge-graph entity, and the entity of every node
     * (UINT32_MAX for users and for items without an entity). */
    uint32_t *entity_node;                /* rec_kg_n_entities(kg) */
    uint32_t *node_entity;                /* n_nodes */
    /* CSR by source node: edge e goes from its row to col[e] with relation
     * rel[e]; within a row, edges are sorted by (col, rel). mirror[e] is the
     * position of the inverse edge (in row col[e]). Duplicate edges do not
     * occur: the triples are distinct and interactions are distinct pairs. */
    size_t nnz;
    size_t *ptr;                          /* n_nodes + 1 */
    uint32_t *col;
    uint32_t *rel;
    size_t *mirror;
    /* The same pattern as a propagation operator (graph/graph.h) whose
     * values the model sets: val[e] the weight of edge e in row order, tval
     * the transposed weights (tval[e] = val[mirror[e]]). ptr and col are
     * shared with the fields above. */
    struct rec_graph *op;
    /* Counts for reports: interactions, triples (self-loops included). */
    size_t n_interactions, n_triples, self_loops;
} rec_ckg;

/* Builds the graph of train's interactions and kg's triples. REC_ENOMEM,
 * REC_ELIMIT (more than 2^32-1 nodes or edges that overflow), messages set;
 * *out NULL on failure. */
int rec_ckg_build(rec_ckg **out, const rec_dataset *train, const rec_kg *kg);
void rec_ckg_destroy(rec_ckg *g);

/* Position of edge (row, col, rel) in the CSR, or SIZE_MAX if absent. */
size_t rec_ckg_find(const rec_ckg *g, uint32_t row, uint32_t col, uint32_t rel);

/* Sets op's transposed values from its values: tval[e] = val[mirror[e]]. */
void rec_ckg_transpose_values(rec_ckg *g);

#endif
