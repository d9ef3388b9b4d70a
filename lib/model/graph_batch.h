/* What the graph models (LightGCN, NGCF) share in drawing mini-batches and
 * clearing their buffers. */
#ifndef REC_MODEL_GRAPH_BATCH_H
#define REC_MODEL_GRAPH_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "data/dataset.h"

struct rec_graph;

/* The users with at least one interaction, ascending, into active (n_users
 * slots); returns how many. */
size_t rec_active_users(const rec_dataset *ds, uint32_t *active);

/* Draws n triples the way the reference codes do: a user uniformly among
 * the active ones, one of the user's items, an item the user does not have
 * (a user holding every item has none, and the draw is skipped). The
 * triples go to tu, ti, tj as nodes in g's numbering (items after users),
 * and their nodes are flagged in mark. Returns how many triples there are. */
size_t rec_draw_triples(const rec_dataset *ds, const struct rec_graph *g,
                        const uint32_t *active, size_t n_active, size_t n, rec_rng *rng,
                        uint32_t *tu, uint32_t *ti, uint32_t *tj, uint8_t *mark);

/* The flagged entries of mark[0..n), ascending, into list, clearing the
 * flags: a pass over the flags yields them sorted without a sort. Returns
 * how many. */
size_t rec_collect_marked(uint8_t *mark, size_t n, uint32_t *list);

/* One training step of a graph model in the phases an epoch report times.
 * The step's random numbers come from one stream per (epoch, step), drawn
 * in this order: the triples (sample), then the dropout seeds (forward). */
typedef struct rec_graph_step {
    size_t (*sample)(void *state, size_t n, rec_rng *rng);  /* returns the triples */
    void (*forward)(void *state, rec_rng *rng);
    double (*loss)(void *state, size_t m);   /* summed over the m triples */
    int (*backward)(void *state);
    int (*update)(void *state, size_t m);
} rec_graph_step;

struct rec_epoch_report;
/* An epoch of as many triples as the dataset has interactions, in steps of
 * `batch`: runs the phases of each step, times them into rep and reports
 * the mean loss. REC_EINVAL when no triple can be drawn at all. */
int rec_graph_epoch(void *state, const rec_graph_step *f, const rec_dataset *ds,
                    size_t batch, uint64_t seed, unsigned epoch,
                    struct rec_epoch_report *rep);

/* m[0..n) = 0, spread over threads. */
void rec_zero_floats(float *m, size_t n, unsigned threads);

#endif
