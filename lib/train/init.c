/* Starting a model from another model's embeddings: the pretraining of the
 * NGCF and LightGCN reference codes (their --pretrain option), which start
 * the layer-0 embeddings from a trained BPR-MF instead of random values. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph.h"
#include "model/family.h"
#include "model/model.h"

void rec_init_embeddings_free(rec_init_embeddings *init)
{
    if (!init)
        return;
    rec_dataset_release(init->space);
    rec_free(init->users);
    rec_free(init->items);
    rec_free(init);
}

/* Copies the rows of a serving matrix, packed to dim floats. */
static void pack(const float *src, size_t ld, size_t rows, size_t dim, float *dst)
{
    for (size_t r = 0; r < rows; r++)
        memcpy(dst + r * dim, src + r * ld, dim * sizeof(float));
}

int rec_init_embeddings_from_model(rec_init_embeddings **out, const rec_model *m,
                                   const char *fn)
{
    *out = NULL;
    const rec_serving *s = &m->serving;
    if (s->scoring != REC_SCORING_DOT || s->item_bias)
        return rec_error(REC_EINVAL, "%s: the model scores by %s; only inner products of "
                         "user and item embeddings without item biases can start another "
                         "model", fn, s->scoring != REC_SCORING_DOT ? "distance" : "inner "
                         "product plus item bias");
    rec_init_embeddings *e = rec_calloc(1, sizeof *e);
    if (!e)
        return rec_error_nomem();
    e->dim = s->dim;
    e->users = rec_malloc_array(s->n_users ? s->n_users * s->dim : 1, sizeof(float));
    e->items = rec_malloc_array(s->n_items ? s->n_items * s->dim : 1, sizeof(float));
    if (!e->users || !e->items) {
        rec_init_embeddings_free(e);
        return rec_error_nomem();
    }
    pack(s->U, s->ld, s->n_users, s->dim, e->users);
    pack(s->V, s->ld, s->n_items, s->dim, e->items);
    e->space = rec_dataset_retain(m->train);
    *out = e;
    return REC_OK;
}

int rec_init_embeddings_apply(const rec_train_options *o, const rec_dataset *train,
                              size_t dim, float *E, size_t ld, const struct rec_graph *g)
{
    const rec_init_embeddings *e = o->init;
    if (!e)
        return REC_OK;
    if (!rec_dataset_same_space(e->space, train))
        return rec_error(REC_EINVAL, "the initial model was not trained on the users and "
                         "items of the training dataset (same ids in the same order)");
    if (e->dim != dim)
        return rec_error(REC_EINVAL, "the initial model has dimension %zu; dim is %zu",
                         e->dim, dim);
    size_t nu = rec_ds_n_users(train), ni = rec_ds_n_items(train);
    for (size_t u = 0; u < nu; u++)
        memcpy(E + (g ? rec_graph_node(g, u) : u) * ld, e->users + u * dim,
               dim * sizeof(float));
    for (size_t i = 0; i < ni; i++)
        memcpy(E + (g ? rec_graph_node(g, nu + i) : nu + i) * ld, e->items + i * dim,
               dim * sizeof(float));
    return REC_OK;
}
