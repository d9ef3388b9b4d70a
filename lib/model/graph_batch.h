/* What the graph models (LightGCN, NGCF) share in drawing mini-batches,
 * carrying their loss to the final embeddings and clearing their buffers. */
#ifndef REC_MODEL_GRAPH_BATCH_H
#define REC_MODEL_GRAPH_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "data/dataset.h"
#include "kernels/kernels.h"
#include "model/objective.h"
#include "model/tuple_grad.h"
#include "sample/sampler.h"

struct rec_graph;

/* The users with at least one interaction, ascending, into active (n_users
 * slots); returns how many. */
size_t rec_active_users(const rec_dataset *ds, uint32_t *active);

/* A graph model's training objective (model/objective.h) and the batch it
 * trains on: m pairs of a user and a positive, each with k negatives. Rows
 * of the final embeddings are found by graph node: row slot[v] of a compact
 * array, or row v when slot is NULL. */
typedef struct rec_graph_batch {
    rec_objective ob;
    unsigned k;                    /* negatives per pair */
    size_t cap;                    /* pairs per batch */
    uint32_t *tu, *ti, *tj;        /* m users, m positives, m k negatives: nodes */
    rec_negative_draw draw;        /* the sampler's scorer and scratch */
    /* sampler = dns: every node's final embedding (n_nodes rows of dns_ld,
     * in the graph's numbering), refreshed by the model at each epoch's
     * start; candidates are scored against it. NULL otherwise. */
    float *dns;
    size_t dns_ld;
    const struct rec_graph *g;
    const rec_kernels *kern;
    size_t n_users;
    const float **v;               /* one tuple's item rows, k + 1 */
    float **dv;                    /* and their gradient rows */
    rec_tuple_scratch sc;
} rec_graph_batch;

/* Reads the objective's settings and allocates a batch of `cap` pairs; the
 * DNS buffer (sampler = dns only) holds g's nodes in rows of dns_ld floats.
 * On failure everything is released. */
int rec_graph_batch_init(rec_graph_batch *b, const rec_train_options *o,
                         const rec_dataset *ds, const struct rec_graph *g,
                         const rec_kernels *kern, size_t cap, size_t dns_ld);
void rec_graph_batch_free(rec_graph_batch *b);

/* The most distinct nodes a batch touches: 2 + k per pair, or every node. */
size_t rec_graph_batch_max_rows(const rec_graph_batch *b, size_t n_nodes);

/* Draws n pairs the way the reference codes draw triples: a user uniformly
 * among the active ones, then one of the user's items, then the pair's k
 * negatives from the sampler (items the user does not have; a user holding
 * every item has none, and the pair is skipped). With the uniform sampler
 * and one negative this is the reference's draw, random number for random
 * number. The pairs go to tu, ti, tj as nodes in g's numbering (items after
 * users), and their nodes are flagged in mark. Returns how many pairs there
 * are. */
size_t rec_graph_batch_draw(rec_graph_batch *b, const rec_dataset *ds, const uint32_t *active,
                            size_t n_active, size_t n, rec_rng *rng, uint8_t *mark);

/* Sets the batch to given tuples (for tests): m users, m positives and m k
 * negatives as dataset nodes (items after users), flagged in mark. */
void rec_graph_batch_set(rec_graph_batch *b, size_t m, const uint32_t *tu, const uint32_t *ti,
                         const uint32_t *tj, uint8_t *mark);

/* The loss of the batch's m tuples on final embeddings F (rows of ld floats,
 * zero-padded), with its gradient times 1/m added to G, and,
 * with reg > 0, reg/2 |F_v|^2 of every node occurrence too (its gradient
 * added, its value left to rec_graph_batch_sq). Returns the summed tuple
 * losses. */
double rec_graph_batch_loss(rec_graph_batch *b, size_t m, const float *F, float *G, size_t ld,
                            const uint32_t *slot, float reg);

/* G_v += r P_v for every occurrence of a node v in the batch's m tuples. */
void rec_graph_batch_add_reg(const rec_graph_batch *b, size_t m, const float *P, float *G,
                             size_t ld, const uint32_t *slot, float r);

/* The sum over those occurrences of |P_v|^2. */
double rec_graph_batch_sq(const rec_graph_batch *b, size_t m, const float *P, size_t ld,
                          const uint32_t *slot);

/* The flagged entries of mark[0..n), ascending, into list, clearing the
 * flags: a pass over the flags yields them sorted without a sort. Returns
 * how many. */
size_t rec_collect_marked(uint8_t *mark, size_t n, uint32_t *list);

/* One training step of a graph model in the phases an epoch report times.
 * The step's random numbers come from one stream per (epoch, step), drawn
 * in this order: the tuples (sample), then the dropout seeds (forward).
 * start, when not NULL, runs once before an epoch's first step (timed as
 * sampling: it prepares what the sampler reads). */
typedef struct rec_graph_step {
    int (*start)(void *state);
    size_t (*sample)(void *state, size_t n, rec_rng *rng);  /* returns the tuples */
    void (*forward)(void *state, rec_rng *rng);
    double (*loss)(void *state, size_t m);   /* summed over the m tuples */
    int (*backward)(void *state);
    int (*update)(void *state, size_t m);
} rec_graph_step;

struct rec_epoch_report;
/* An epoch of as many tuples as the dataset has interactions, in steps of
 * `batch`: runs the phases of each step, times them into rep and reports
 * the mean tuple loss. REC_EINVAL when no tuple can be drawn at all. */
int rec_graph_epoch(void *state, const rec_graph_step *f, const rec_dataset *ds,
                    size_t batch, uint64_t seed, unsigned epoch,
                    struct rec_epoch_report *rep);

/* m[0..n) = 0, spread over threads. */
void rec_zero_floats(float *m, size_t n, unsigned threads);

#endif
