/* KGAT: the collaborative knowledge graph on a hand-made graph, attention
 * normalised per head node, gradients of the recommendation loss (every
 * aggregator, with dropout) and of TransR against finite differences,
 * fold-in against propagation, and a task where the knowledge graph
 * carries what the interactions lack. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/rng.h"
#include "graph/ckg.h"
#include "graph/graph.h"
#include "model/family.h"
#include "model/kgat.h"
#include "model/model.h"

/* Users 0..3 with items a..d; the KG: a and b share a genre, c is by an
 * artist, the genre has a parent, and one self-loop. */
static rec_dataset *hand_dataset(void)
{
    const char *u[] = { "u0", "u0", "u1", "u2", "u2", "u3" };
    const char *i[] = { "a", "b", "b", "c", "d", "a" };
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 6, u, i, NULL, NULL, NULL, NULL), REC_OK, NULL);
    return ds;
}

static rec_kg *hand_kg(void)
{
    char *path = rec_test_write_file("hand.kg", "a\tgenre\trock\n"
                                                "b\tgenre\trock\n"
                                                "c\tby\tartist\n"
                                                "rock\tparent\tmusic\n"
                                                "music\tsame\tmusic\n");
    rec_kg *kg = NULL;
    ck_assert_rec(rec_kg_load(&kg, path, NULL), REC_OK, NULL);
    free(path);
    return kg;
}

START_TEST(test_ckg_structure)
{
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    rec_ckg *g = NULL;
    ck_assert_rec(rec_ckg_build(&g, ds, kg), REC_OK, NULL);
    /* 4 users, 4 items (d has no entity), rock, artist, music. */
    ck_assert_uint_eq(g->n_nodes, 4 + 4 + 3);
    ck_assert_uint_eq(g->n_entities, 3);
    ck_assert_uint_eq(g->n_relations, 2 + 2 * 4);
    ck_assert_uint_eq(g->nnz, 2 * (6 + 5));
    for (uint32_t v = 0; v < g->n_nodes; v++) {
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++) {
            size_t m = g->mirror[e];
            ck_assert_uint_eq(g->mirror[m], e);
            ck_assert_uint_eq(g->col[m], v);
            ck_assert_uint_eq(g->rel[m], g->rel[e] ^ 1u);
            if (e > g->ptr[v])
                ck_assert(((uint64_t)g->col[e - 1] << 32 | g->rel[e - 1]) <
                          ((uint64_t)g->col[e] << 32 | g->rel[e]));
            /* Users only meet items, through relations 0 and 1. */
            if (v < 4)
                ck_assert(g->rel[e] == 0 && g->col[e] >= 4 && g->col[e] < 8);
        }
    }
    /* Item a (node 4) is entity "a": its edges are its two users, rock
     * (relation genre), nothing else. */
    uint32_t a = 4, rock = g->entity_node[0 + 1];
    ck_assert_uint_eq(g->node_entity[a], 0);
    ck_assert_uint_eq(g->ptr[a + 1] - g->ptr[a], 3);
    ck_assert(rec_ckg_find(g, a, rock, 2) != SIZE_MAX);
    ck_assert(rec_ckg_find(g, rock, a, 3) != SIZE_MAX);
    ck_assert(rec_ckg_find(g, a, rock, 3) == SIZE_MAX);
    /* The self-loop music -> music is an edge and its own inverse's
     * mirror, in one row. */
    uint32_t music = g->entity_node[5];   /* a, rock, b, c, artist, music */
    size_t self = rec_ckg_find(g, music, music, 2 + 2 * 3);
    ck_assert(self != SIZE_MAX);
    ck_assert_uint_eq(g->col[g->mirror[self]], music);
    /* Item d has only its user. */
    ck_assert_uint_eq(g->node_entity[7], UINT32_MAX);
    ck_assert_uint_eq(g->ptr[8] - g->ptr[7], 1);
    rec_ckg_destroy(g);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

static void *setup_state(const rec_dataset *ds, const rec_kg *kg, const char *const *settings,
                         rec_train_options **opts)
{
    ck_assert_rec(rec_train_options_new(opts, "kgat"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(*opts, kg), REC_OK, NULL);
    for (size_t k = 0; settings && settings[k]; k += 2)
        ck_assert_rec(rec_train_options_set(*opts, settings[k], settings[k + 1]), REC_OK,
                      NULL);
    void *state = NULL;
    ck_assert_rec(rec_family_kgat.setup(&state, ds, *opts), REC_OK, NULL);
    return state;
}

START_TEST(test_attention_normalised)
{
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    const char *set[] = { "dim", "5", "kge_dim", "3", "layer_sizes", "4,3", NULL };
    rec_train_options *o = NULL;
    kgat *s = setup_state(ds, kg, set, &o);
    kgat_attention(s);
    const rec_ckg *g = s->g;
    for (uint32_t v = 0; v < g->n_nodes; v++) {
        double sum = 0.0, zsum = 0.0;
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++) {
            sum += g->op->val[e];
            zsum += exp(kgat_attention_logit(s, v, g->rel[e], g->col[e]));
            ck_assert(g->op->tval[g->mirror[e]] == g->op->val[e]);
        }
        if (g->ptr[v + 1] > g->ptr[v])
            ck_assert_msg(fabs(sum - 1.0) < 1e-5, "row %u sums to %g", v, sum);
        /* Each weight is the softmax of the definition's logits. */
        for (size_t e = g->ptr[v]; e < g->ptr[v + 1]; e++) {
            double want = exp(kgat_attention_logit(s, v, g->rel[e], g->col[e])) / zsum;
            ck_assert_msg(fabs(g->op->val[e] - want) < 1e-5, "edge %zu: %g, want %g", e,
                          (double)g->op->val[e], want);
        }
    }
    rec_family_kgat.destroy(s);
    rec_train_options_free(o);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

typedef double (*objective_fn)(void *state, const void *ctx);

/* Checks the gradient held in g against central differences of f for
 * every entry of the parameter p. */
static void check_param(void *state, kgat_param *p, objective_fn f, const void *ctx,
                        const char *what)
{
    f(state, ctx);
    float *grad = malloc(p->rows * p->ld * sizeof *grad);
    memcpy(grad, p->g, p->rows * p->ld * sizeof *grad);
    const float h = 1e-3f;
    for (size_t r = 0; r < p->rows; r++)
        for (size_t c = 0; c < p->cols; c++) {
            float keep = p->w[r * p->ld + c];
            p->w[r * p->ld + c] = keep + h;
            double up = f(state, ctx);
            p->w[r * p->ld + c] = keep - h;
            double down = f(state, ctx);
            p->w[r * p->ld + c] = keep;
            double fd = (up - down) / (2.0 * h), an = grad[r * p->ld + c];
            ck_assert_msg(fabs(fd - an) < 5e-4 + 1e-2 * fabs(fd),
                          "%s [%zu, %zu]: analytic %g, finite differences %g", what, r, c, an,
                          fd);
        }
    free(grad);
}

typedef struct cf_ctx {
    uint32_t tu[3], ti[3], tj[3];
} cf_ctx;

static double cf_objective(void *state, const void *p)
{
    const cf_ctx *c = p;
    double loss;
    ck_assert_rec(rec_kgat_objective(state, c->tu, c->ti, c->tj, 3, 12345, &loss), REC_OK,
                  NULL);
    return loss;
}

START_TEST(test_cf_gradient)
{
    static const char *const aggs[] = { "bi", "gcn", "graphsage" };
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    const char *set[] = { "dim", "4", "kge_dim", "3", "layer_sizes", "3,2",
                          "aggregator", aggs[_i], "mess_dropout", "0.3", "reg", "0.1", NULL };
    rec_train_options *o = NULL;
    kgat *s = setup_state(ds, kg, set, &o);
    kgat_attention(s);   /* non-uniform weights */
    /* Nodes: users 0..3, items 4..7; u0 likes a, not c; u1 b, not d; u2 c,
     * not a (u0 twice). */
    cf_ctx c = { { 0, 1, 0 }, { 4, 5, 5 }, { 6, 7, 6 } };
    check_param(s, &s->E, cf_objective, &c, "E");
    for (unsigned l = 1; l <= s->L; l++) {
        check_param(s, &s->lay[l].W1, cf_objective, &c, "W1");
        check_param(s, &s->lay[l].b1, cf_objective, &c, "b1");
        if (s->agg == KGAT_BI) {
            check_param(s, &s->lay[l].W2, cf_objective, &c, "W2");
            check_param(s, &s->lay[l].b2, cf_objective, &c, "b2");
        }
    }
    rec_family_kgat.destroy(s);
    rec_train_options_free(o);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

typedef struct kge_ctx {
    uint32_t h[4], r[4], t[4], n[4];
} kge_ctx;

static double kge_objective(void *state, const void *p)
{
    const kge_ctx *c = p;
    return rec_kgat_kge_objective(state, c->h, c->r, c->t, c->n, 4);
}

START_TEST(test_transr_gradient)
{
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    const char *set[] = { "dim", "4", "kge_dim", "3", "layer_sizes", "2", "reg_kg", "0.3",
                          NULL };
    rec_train_options *o = NULL;
    kgat *s = setup_state(ds, kg, set, &o);
    const rec_ckg *g = s->g;
    /* Four edges (an interaction, a KG edge, an inverse, the self-loop)
     * with corrupted tails, one of them the head itself. */
    kge_ctx c;
    uint32_t rows[4] = { 0, 4, (uint32_t)g->entity_node[1], (uint32_t)g->entity_node[4] };
    for (int q = 0; q < 4; q++) {
        size_t e = g->ptr[rows[q]];
        c.h[q] = rows[q];
        c.r[q] = g->rel[e];
        c.t[q] = g->col[e];
        c.n[q] = q == 3 ? rows[q] : (uint32_t)((rows[q] + 3) % g->n_nodes);
    }
    check_param(s, &s->E, kge_objective, &c, "E");
    check_param(s, &s->R, kge_objective, &c, "R");
    check_param(s, &s->W, kge_objective, &c, "W");
    rec_family_kgat.destroy(s);
    rec_train_options_free(o);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

/* A new user folded in from its items gets what propagation gives a
 * training user whose layer 0 is zero. */
START_TEST(test_fold_in_matches_propagation)
{
    static const char *const aggs[] = { "bi", "gcn", "graphsage" };
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    const char *set[] = { "dim", "4", "kge_dim", "3", "layer_sizes", "3,2", "threads", "1",
                          "aggregator", aggs[_i], "lr", "0.05", NULL };
    rec_train_options *o = NULL;
    kgat *s = setup_state(ds, kg, set, &o);
    rec_epoch_report rep;
    memset(&rep, 0, sizeof rep);
    for (unsigned e = 0; e < 2; e++)
        ck_assert_rec(rec_family_kgat.epoch(s, e, &rep), REC_OK, NULL);
    const uint32_t u = 0;
    memset(s->E.w + u * s->E.ld, 0, s->E.ld * sizeof(float));
    kgat_attention(s);
    rec_serving sv;
    rec_tensors ts;
    memset(&ts, 0, sizeof ts);
    ck_assert_rec(rec_family_kgat.export_state(s, &sv, &ts), REC_OK, NULL);
    ck_assert_uint_eq(sv.dim, 4 + 3 + 2);
    ck_assert_rec(rec_serving_finish(&sv), REC_OK, NULL);
    rec_family_kgat.destroy(s);
    rec_model *m = NULL;
    rec_train_summary sum = { 2, 2, NAN, 0, NAN, NAN };
    ck_assert_rec(rec_model_assemble(&m, &rec_family_kgat, &sv, &ts, rec_dataset_retain(ds), 1,
                                     NULL, 0, &sum), REC_OK, NULL);
    const uint32_t *items;
    size_t k;
    rec_dataset_user_items(ds, u, &items, NULL, NULL, &k);
    float vec[9];
    ck_assert_rec(rec_model_fold_in(m, items, k, vec), REC_OK, NULL);
    for (size_t x = 0; x < 9; x++)
        ck_assert_msg(fabs(vec[x] - m->serving.U[u * m->serving.ld + x]) < 1e-5,
                      "column %zu: fold-in %g, propagation %g", x, (double)vec[x],
                      (double)m->serving.U[u * m->serving.ld + x]);
    rec_model_free(m);
    rec_train_options_free(o);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

/* Items in 6 groups of 10, each item linked to its group's entity in the
 * KG. Users like one group; training shows them items 0..4 of the group
 * (3 of them each), the test the group's items 5..9, which no user has in
 * training: only the KG connects them to the rest of the group. */
static void group_task(rec_dataset **train, rec_dataset **test, rec_kg **kg)
{
    enum { GROUPS = 6, PER = 10, USERS = 60 };
    char path_buf[64];
    FILE *f;
    char *path = rec_test_path("groups.kg");
    f = fopen(path, "w");
    for (int i = 0; i < GROUPS * PER; i++)
        fprintf(f, "item%d\tin\tgroup%d\n", i, i / PER);
    fclose(f);
    ck_assert_rec(rec_kg_load(kg, path, NULL), REC_OK, NULL);
    free(path);
    const char *tu[USERS * 3], *ti[USERS * 3], *vu[USERS * 5], *vi[USERS * 5];
    static char names[GROUPS * PER + USERS][16];
    size_t nt = 0, nv = 0;
    rec_rng r;
    rec_rng_seed(&r, 3, 4, 5);
    for (int i = 0; i < GROUPS * PER; i++)
        snprintf(names[i], sizeof names[i], "item%d", i);
    for (int u = 0; u < USERS; u++) {
        snprintf(names[GROUPS * PER + u], sizeof names[0], "user%d", u);
        int g = u % GROUPS, first = (int)rec_rng_below(&r, 5);
        for (int q = 0; q < 3; q++) {
            tu[nt] = names[GROUPS * PER + u];
            ti[nt++] = names[g * PER + (first + q) % 5];
        }
        for (int q = 5; q < PER; q++) {
            vu[nv] = names[GROUPS * PER + u];
            vi[nv++] = names[g * PER + q];
        }
    }
    /* Every item in the id space: the test items appear once in training
     * through a user of another group (a cold user each), so that both
     * models know them. */
    const char *au[USERS * 3 + GROUPS * PER], *ai[USERS * 3 + GROUPS * PER];
    memcpy(au, tu, nt * sizeof *au);
    memcpy(ai, ti, nt * sizeof *ai);
    size_t na = nt;
    static char cold[GROUPS * PER][16];
    for (int i = 0; i < GROUPS * PER; i++) {
        if (i % PER < 5)
            continue;
        snprintf(cold[i], sizeof cold[i], "cold%d", i);
        au[na] = cold[i];
        ai[na++] = names[i];
    }
    (void)path_buf;
    ck_assert_rec(rec_dataset_from_arrays(train, na, au, ai, NULL, NULL, NULL, NULL), REC_OK,
                  NULL);
    ck_assert_rec(rec_dataset_from_arrays(test, nv, vu, vi, NULL, NULL, NULL, *train), REC_OK,
                  NULL);
}

static rec_model *train_model(const char *family, const rec_dataset *train, const rec_kg *kg,
                              const char *const *settings)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    if (kg)
        ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL);
    for (size_t k = 0; settings[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, settings[k], settings[k + 1]), REC_OK,
                      NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, train, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

START_TEST(test_kg_carries_signal)
{
    rec_dataset *train, *test;
    rec_kg *kg;
    group_task(&train, &test, &kg);
    const char *mf_set[] = { "dim", "16", "epochs", "60", "threads", "1", NULL };
    const char *kgat_set[] = { "dim", "16", "kge_dim", "16", "layer_sizes", "16,8",
                               "epochs", "60", "lr", "0.01", "batch", "64", "batch_kg", "64",
                               "mess_dropout", "0", "threads", "1", NULL };
    rec_model *mf = train_model("mf", train, NULL, mf_set);
    rec_model *kgat_m = train_model("kgat", train, kg, kgat_set);
    double r_mf = rec_test_recall20(mf, test), r_kgat = rec_test_recall20(kgat_m, test);
    ck_assert_msg(r_kgat > r_mf + 0.1, "KGAT Recall@20 %g, MF %g", r_kgat, r_mf);
    /* Save and load keep the model, fold-in and explanations included. */
    char *path = rec_test_path("kgat.rec");
    ck_assert_rec(rec_model_save(kgat_m, path, NULL), REC_OK, NULL);
    rec_model *back = NULL;
    ck_assert_rec(rec_model_load(&back, path), REC_OK, NULL);
    ck_assert_msg(rec_test_recall20(back, test) == r_kgat, "loaded model differs");
    uint32_t items[2] = { 0, 1 };
    float a[64], b[64];
    ck_assert_uint_le(rec_model_dim(back), 64);
    ck_assert_rec(rec_model_fold_in(kgat_m, items, 2, a), REC_OK, NULL);
    ck_assert_rec(rec_model_fold_in(back, items, 2, b), REC_OK, NULL);
    ck_assert(memcmp(a, b, rec_model_dim(back) * sizeof(float)) == 0);
    /* Explanations: item0's one knowledge neighbour is group0, through
     * "in", from both models; mf has none. */
    rec_kg_neighbor nb[4];
    size_t n_nb;
    const rec_model *both[2] = { kgat_m, back };
    uint32_t item0;
    ck_assert_rec(rec_dataset_find_item(train, "item0", &item0), REC_OK, NULL);
    for (int q = 0; q < 2; q++) {
        ck_assert_rec(rec_model_kg_neighbors(both[q], item0, nb, 4, &n_nb), REC_OK, NULL);
        ck_assert_uint_eq(n_nb, 1);
        const char *ent, *rel;
        ck_assert_rec(rec_kg_entity_id(kg, nb[0].entity, &ent), REC_OK, NULL);
        ck_assert_rec(rec_kg_relation_id(kg, nb[0].relation, &rel), REC_OK, NULL);
        ck_assert_str_eq(ent, "group0");
        ck_assert_str_eq(rel, "in");
        ck_assert_int_eq(nb[0].inverse, 0);
        ck_assert(nb[0].weight > 0.0f && nb[0].weight <= 1.0f);
    }
    ck_assert_rec(rec_model_kg_neighbors(mf, item0, nb, 4, &n_nb), REC_EUNSUPPORTED, "attention");
    ck_assert_rec(rec_model_kg_neighbors(back, 100000, nb, 4, &n_nb), REC_EINVAL, "item");
    ck_assert_rec(rec_model_kg_neighbors(back, item0, NULL, 4, &n_nb), REC_EINVAL, "out");
    ck_assert_rec(rec_model_kg_neighbors(back, item0, NULL, 0, &n_nb), REC_OK, NULL);
    ck_assert_uint_eq(n_nb, 0);
    /* Damaged explanation or fold-in data (a file's CRCs pass, its numbers
     * do not make sense) is refused before any conversion. */
    const rec_tensor *edges = rec_tensors_find(&back->tensors, "item_kg_edges");
    const rec_tensor *form = rec_tensors_find(&back->tensors, "kgat_form");
    ck_assert_ptr_nonnull(edges);
    ck_assert_ptr_nonnull(form);
    float keep = edges->data[1];
    edges->data[1] = -1.0f;
    ck_assert_rec(rec_model_kg_neighbors(back, 0, nb, 4, &n_nb), REC_ECORRUPT, "invalid");
    edges->data[1] = keep;
    keep = form->data[0];
    form->data[0] = 1e30f;
    ck_assert_rec(rec_model_fold_in(back, items, 2, b), REC_EUNSUPPORTED, "invalid");
    form->data[0] = keep;
    ck_assert_rec(rec_model_fold_in(back, items, 2, b), REC_OK, NULL);
    free(path);
    rec_model_free(back);
    rec_model_free(mf);
    rec_model_free(kgat_m);
    rec_kg_free(kg);
    rec_dataset_free(train);
    rec_dataset_free(test);
}
END_TEST

START_TEST(test_needs_kg)
{
    rec_dataset *ds = hand_dataset();
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "kgat"), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EINVAL, "knowledge graph");
    ck_assert_ptr_null(m);
    /* Settings the table's ranges let through but the family refuses. */
    rec_kg *kg = hand_kg();
    ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL);
    static const char *const bad[][3] = {
        { "layer_sizes", "3.5", "whole number" },
        { "layer_sizes", "2,2,2,2,2,2,2,2,2", "at most 8" },
        { "dim", "2000", "above 1024" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        rec_train_options *b = NULL;
        ck_assert_rec(rec_train_options_new(&b, "kgat"), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set_kg(b, kg), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(b, bad[k][0], bad[k][1]), REC_OK, NULL);
        int rc = rec_model_train(&m, ds, b);
        ck_assert_msg(rc == REC_EINVAL || rc == REC_ELIMIT, "%s=%s: %d", bad[k][0],
                      bad[k][1], rc);
        ck_assert_msg(strstr(rec_last_error(), bad[k][2]), "%s", rec_last_error());
        ck_assert_ptr_null(m);
        rec_train_options_free(b);
    }
    rec_kg_free(kg);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

/* Training, with validation and explanations exported, fails cleanly at
 * every allocation. */
START_TEST(test_train_nomem)
{
    rec_dataset *ds = hand_dataset();
    rec_kg *kg = hand_kg();
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "kgat"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL);
    rec_kg_free(kg);   /* the options hold their own reference */
    const char *set[] = { "dim", "4", "kge_dim", "3", "layer_sizes", "3,2", "epochs", "2",
                          "eval_every", "1", NULL };
    for (size_t k = 0; set[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, set[k], set[k + 1]), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_validation(o, ds), REC_OK, NULL);
    rec_test_train_alloc_sweep(ds, o);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *su = suite_create("kgat");
    TCase *tc = tcase_create("kgat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ckg_structure);
    tcase_add_test(tc, test_attention_normalised);
    tcase_add_loop_test(tc, test_cf_gradient, 0, 3);
    tcase_add_test(tc, test_transr_gradient);
    tcase_add_loop_test(tc, test_fold_in_matches_propagation, 0, 3);
    tcase_add_test(tc, test_kg_carries_signal);
    tcase_add_test(tc, test_needs_kg);
    tcase_add_test(tc, test_train_nomem);
    suite_add_tcase(su, tc);
    return su;
}
