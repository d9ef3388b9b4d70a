/* Serving: exact top-K lists for single users, vectors and batches. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "kernels/kernels.h"
#include "model/model.h"
#include "model/serving.h"

static rec_model *train(const rec_dataset *ds, const char *family, const char *epochs)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    if (strcmp(family, "pop") != 0) {
        ck_assert_rec(rec_train_options_set(o, "epochs", epochs), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, "threads", "1"), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, "dim", "24"), REC_OK, NULL);
    }
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

/* Gives items i and n_items - 1 - i the same vector for i < copies: their
 * exact scores tie, while the fast scores of rows in a block of sixteen
 * and of rows in the tail may not. */
static void duplicate_rows(rec_model *m, size_t copies)
{
    rec_serving *s = &m->serving;
    for (size_t i = 0; i < copies; i++)
        memcpy(s->V + (s->n_items - 1 - i) * s->ld, s->V + i * s->ld, s->ld * sizeof(float));
    ck_assert_int_eq(rec_serving_finish(s), REC_OK);
}

/* The reference: every item scored by rec_model_score(), sorted by score
 * (descending) then id, without the excluded ones and NaN. */
static int in_list(const uint32_t *list, size_t n, uint32_t x)
{
    for (size_t j = 0; j < n; j++)
        if (list[j] == x)
            return 1;
    return 0;
}

/* allowed: NULL for every item, else a list (any order, repeats). */
static size_t reference_top(const rec_model *m, uint32_t user, size_t k, int exclude_train,
                            const uint32_t *block, size_t n_block, const uint32_t *allowed,
                            size_t n_allowed, uint32_t *items, float *scores)
{
    size_t n_items = rec_model_n_items(m), n = 0;
    rec_scored *all = malloc(n_items * sizeof *all);
    const uint32_t *seen = NULL;
    size_t n_seen = 0;
    if (exclude_train)
        ck_assert_rec(rec_dataset_user_items(rec_model_dataset(m), user, &seen, NULL, NULL, &n_seen),
                      REC_OK, NULL);
    for (uint32_t i = 0; i < n_items; i++) {
        if (in_list(seen, n_seen, i) || in_list(block, n_block, i) ||
            (allowed && !in_list(allowed, n_allowed, i)))
            continue;
        float v;
        ck_assert_rec(rec_model_score(m, user, &i, 1, &v), REC_OK, NULL);
        if (v == v)
            all[n++] = (rec_scored){ v, i };
    }
    qsort(all, n, sizeof *all, rec_test_best_first);
    n = n < k ? n : k;
    for (size_t j = 0; j < n; j++) {
        items[j] = all[j].item;
        scores[j] = all[j].score;
    }
    free(all);
    return n;
}

static void assert_same_list(const uint32_t *ia, const float *sa, size_t na,
                             const uint32_t *ib, const float *sb, size_t nb)
{
    ck_assert_uint_eq(na, nb);
    for (size_t j = 0; j < na; j++) {
        ck_assert_uint_eq(ia[j], ib[j]);
        ck_assert(memcmp(&sa[j], &sb[j], sizeof(float)) == 0);
    }
}

/* Single-user lists are the exact top k under rec_model_score(), ties by
 * lower id, for inner products, distances and popularity counts (ties
 * everywhere), also where copied rows make the fast scores disagree. */
START_TEST(test_recommend_is_exact)
{
    rec_dataset *ds = rec_test_groups_dataset(60, 150, 5, 12, 7);
    const char *families[] = { "mf", "cml", "pop" };
    for (size_t f = 0; f < 3; f++) {
        rec_model *m = train(ds, families[f], "5");
        if (f < 2)
            duplicate_rows(m, 40);
        uint32_t last = (uint32_t)rec_model_n_items(m) - 1;
        uint32_t block[] = { last, 3, 3, 77 };
        size_t ks[] = { 1, 7, 20, 150, 400 };
        uint32_t items[400], ref_items[400];
        float scores[400], ref_scores[400];
        for (uint32_t u = 0; u < 60; u++) {
            for (size_t c = 0; c < 5; c++) {
                rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
                ro.exclude_train = (int)(u % 2);
                ro.blocklist = c % 2 ? block : NULL;
                ro.n_blocklist = c % 2 ? 4 : 0;
                size_t n;
                ck_assert_rec(rec_model_recommend(m, u, ks[c], &ro, items, scores, &n), REC_OK,
                              NULL);
                size_t nr = reference_top(m, u, ks[c], ro.exclude_train, ro.blocklist,
                                          ro.n_blocklist, NULL, 0, ref_items, ref_scores);
                assert_same_list(items, scores, n, ref_items, ref_scores, nr);
            }
        }
        rec_model_free(m);
    }
    rec_dataset_free(ds);
}
END_TEST

/* The fast scores are within half the margin of the exact ones (the
 * margin's doubling is left as slack). */
START_TEST(test_fast_scores_within_margin)
{
    rec_dataset *ds = rec_test_groups_dataset(64, 300, 5, 20, 3);
    const char *families[] = { "mf", "cml" };
    for (size_t f = 0; f < 2; f++) {
        rec_model *m = train(ds, families[f], "3");
        const rec_serving *s = &m->serving;
        uint32_t users[64];
        for (uint32_t u = 0; u < 64; u++)
            users[u] = u;
        size_t n_items = s->n_items;
        float *block = malloc(64 * n_items * sizeof *block);
        float *all = malloc(n_items * sizeof *all);
        ck_assert_int_eq(rec_serving_score_block(s, users, 64, block), REC_OK);
        for (uint32_t u = 0; u < 64; u++) {
            const float *uv = rec_serving_user(s, u);
            double margin = rec_serving_score_margin(s, uv);
            ck_assert(margin > 0 && margin < 1e-3);
            rec_serving_score_all(s, uv, all);
            for (uint32_t i = 0; i < n_items; i++) {
                double exact = rec_serving_score(s, uv, i);
                ck_assert(fabs(block[u * n_items + i] - exact) <= margin / 2);
                ck_assert(fabs(all[i] - exact) <= margin / 2);
            }
        }
        free(block);
        free(all);
        rec_model_free(m);
    }
    rec_dataset_free(ds);
}
END_TEST

/* A batch gives each user exactly the list rec_model_recommend() gives,
 * for any thread count, with the rest of each row padded. */
START_TEST(test_batch_matches_single)
{
    rec_dataset *ds = rec_test_groups_dataset(150, 260, 6, 20, 11);
    const char *families[] = { "mf", "cml" };
    /* Users in a scrambled order, with repeats. */
    size_t n_users = 170;
    uint32_t *users = malloc(n_users * sizeof *users);
    for (size_t j = 0; j < n_users; j++)
        users[j] = (uint32_t)((j * 37 + 5) % 150);
    for (size_t f = 0; f < 2; f++) {
        rec_model *m = train(ds, families[f], "5");
        uint32_t block[] = { (uint32_t)rec_model_n_items(m) - 1, 0, 0, 100, 17 };
        duplicate_rows(m, 30);
        size_t ks[] = { 1, 20, 250, 300 };
        for (size_t c = 0; c < 4; c++) {
            size_t k = ks[c];
            rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
            ro.exclude_train = c != 2;
            ro.blocklist = c % 2 ? block : NULL;
            ro.n_blocklist = c % 2 ? 5 : 0;
            uint32_t *items = malloc(n_users * k * sizeof *items), *one = malloc(k * sizeof *one);
            float *scores = malloc(n_users * k * sizeof *scores), *one_s = malloc(k * sizeof *one_s);
            size_t *n_out = malloc(n_users * sizeof *n_out);
            unsigned threads[] = { 1, 2, 0, 3 };
            for (size_t t = 0; t < 4; t++) {
                memset(items, 0xAB, n_users * k * sizeof *items);
                ck_assert_rec(rec_model_recommend_batch(m, users, n_users, k, &ro, threads[t],
                                                        items, t == 3 ? NULL : scores, n_out),
                              REC_OK, NULL);
                for (size_t j = 0; j < n_users; j++) {
                    size_t n;
                    ck_assert_rec(rec_model_recommend(m, users[j], k, &ro, one, one_s, &n),
                                  REC_OK, NULL);
                    ck_assert_uint_eq(n_out[j], n);
                    /* k larger than what is left: fewer than k. */
                    if (k >= 250)
                        ck_assert_uint_lt(n, k);
                    for (size_t q = 0; q < k; q++) {
                        uint32_t item = items[j * k + q];
                        ck_assert_uint_eq(item, q < n ? one[q] : REC_NO_ITEM);
                        if (t == 3)
                            continue;
                        float v = scores[j * k + q];
                        if (q < n)
                            ck_assert(memcmp(&v, &one_s[q], sizeof v) == 0);
                        else
                            ck_assert(v == -INFINITY);
                    }
                }
            }
            free(items);
            free(one);
            free(scores);
            free(one_s);
            free(n_out);
        }
        rec_model_free(m);
    }
    free(users);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_batch_refusals)
{
    rec_dataset *ds = rec_test_groups_dataset(30, 20, 2, 5, 1);
    rec_model *m = train(ds, "mf", "1");
    uint32_t users[2] = { 0, 29 }, bad[2] = { 0, 30 }, items[6];
    float scores[6];
    size_t n_out[2] = { 9, 9 };
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, NULL, 1, items, scores, NULL),
                  REC_EINVAL, "n_out is NULL");
    ck_assert_rec(rec_model_recommend_batch(NULL, users, 2, 3, NULL, 1, items, scores, n_out),
                  REC_EINVAL, "model is NULL");
    ck_assert_uint_eq(n_out[0], 0);
    ck_assert_rec(rec_model_recommend_batch(m, NULL, 2, 3, NULL, 1, items, scores, n_out),
                  REC_EINVAL, "users is NULL");
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, NULL, 1, NULL, scores, n_out),
                  REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_model_recommend_batch(m, bad, 2, 3, NULL, 1, items, scores, n_out),
                  REC_EINVAL, "users[1] = 30");
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, NULL, 1000, items, scores, n_out),
                  REC_EINVAL, "threads = 1000");
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, SIZE_MAX / 2, NULL, 1, items, scores,
                                            n_out),
                  REC_EINVAL, "too large");
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    ro.version = 0;
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, &ro, 1, items, scores, n_out),
                  REC_EINVAL, "opts->version");
    ro.version = REC_RECOMMEND_OPTIONS_VERSION;
    ro.blocklist = bad;
    ro.n_blocklist = 2;
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, &ro, 1, items, scores, n_out),
                  REC_EINVAL, "blocklist[1] = 30");
    ck_assert_uint_eq(n_out[0] + n_out[1], 0);
    /* Nothing to do is fine. */
    ck_assert_rec(rec_model_recommend_batch(m, NULL, 0, 3, NULL, 1, NULL, NULL, NULL), REC_OK,
                  NULL);
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 0, NULL, 1, NULL, NULL, n_out), REC_OK,
                  NULL);
    ck_assert_uint_eq(n_out[0] + n_out[1], 0);
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 3, NULL, 0, items, scores, n_out),
                  REC_OK, NULL);
    ck_assert_uint_eq(n_out[0], 3);
    ck_assert_uint_eq(n_out[1], 3);
    /* A model without its interactions cannot exclude them. */
    char *path = rec_test_path("bare.rec");
    rec_save_options so = REC_SAVE_OPTIONS_INIT;
    so.keep_interactions = 0;
    ck_assert_rec(rec_model_save(m, path, &so), REC_OK, NULL);
    rec_model *bare = NULL;
    ck_assert_rec(rec_model_load(&bare, path), REC_OK, NULL);
    ck_assert_rec(rec_model_recommend_batch(bare, users, 2, 3, NULL, 1, items, scores, n_out),
                  REC_EINVAL, "exclude_train = 0");
    rec_model_free(bare);
    free(path);
    rec_model_free(m);
    rec_dataset_free(ds);
}
END_TEST

/* Candidate lists: only they are ranked, less the training items and the
 * blocklist, repeats once; for single users, vectors and batches alike. */
START_TEST(test_candidates)
{
    rec_dataset *ds = rec_test_groups_dataset(80, 200, 5, 15, 5);
    const char *families[] = { "mf", "cml" };
    for (size_t f = 0; f < 2; f++) {
        rec_model *m = train(ds, families[f], "4");
        size_t n_items = rec_model_n_items(m), dim = rec_model_dim(m);
        uint32_t cand[40];
        for (size_t j = 0; j < 40; j++) /* scrambled, with repeats */
            cand[j] = (uint32_t)((j * 53 + 11) % 29 * 5 % n_items);
        uint32_t block[] = { cand[0], cand[3], 2 };
        size_t ks[] = { 3, 10, 40, 60 };
        uint32_t users[80];
        for (uint32_t u = 0; u < 80; u++)
            users[u] = 79 - u;
        for (size_t c = 0; c < 8; c++) {
            size_t k = ks[c % 4];
            rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
            ro.candidates = cand;
            ro.n_candidates = c == 7 ? 1 : 40;
            ro.exclude_train = c % 2 == 0;
            ro.blocklist = c >= 4 ? block : NULL;
            ro.n_blocklist = c >= 4 ? 3 : 0;
            uint32_t items[60], ref[60], *bi = malloc(80 * k * sizeof *bi);
            float scores[60], ref_s[60], *bs = malloc(80 * k * sizeof *bs);
            size_t n, n_out[80];
            ck_assert_rec(rec_model_recommend_batch(m, users, 80, k, &ro, 2, bi, bs, n_out),
                          REC_OK, NULL);
            for (uint32_t u = 0; u < 80; u++) {
                ck_assert_rec(rec_model_recommend(m, u, k, &ro, items, scores, &n), REC_OK, NULL);
                size_t nr = reference_top(m, u, k, ro.exclude_train, ro.blocklist,
                                          ro.n_blocklist, cand, ro.n_candidates, ref, ref_s);
                assert_same_list(items, scores, n, ref, ref_s, nr);
                /* Fewer distinct candidates than k: fewer than k. */
                if (k == 60)
                    ck_assert_uint_lt(n, 30);
                size_t row = 79 - u;
                assert_same_list(bi + row * k, bs + row * k, n_out[row], ref, ref_s, nr);
                /* A user's own vector is ranked alike, without exclusion. */
                float *vec = malloc(dim * sizeof *vec);
                memcpy(vec, rec_serving_user(&m->serving, u), dim * sizeof *vec);
                int keep = ro.exclude_train;
                ro.exclude_train = 0;
                ck_assert_rec(rec_model_recommend_vector(m, vec, k, &ro, items, scores, &n),
                              REC_OK, NULL);
                nr = reference_top(m, u, k, 0, ro.blocklist, ro.n_blocklist, cand,
                                   ro.n_candidates, ref, ref_s);
                assert_same_list(items, scores, n, ref, ref_s, nr);
                ro.exclude_train = keep;
                free(vec);
            }
            free(bi);
            free(bs);
        }
        /* An empty list leaves nothing to rank. */
        rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
        ro.candidates = cand;
        ro.n_candidates = 0;
        uint32_t items[5];
        size_t n = 9;
        ck_assert_rec(rec_model_recommend(m, 0, 5, &ro, items, NULL, &n), REC_OK, NULL);
        ck_assert_uint_eq(n, 0);
        rec_model_free(m);
    }
    rec_dataset_free(ds);
}
END_TEST

/* A version-1 caller's struct ends before the candidates: whatever follows
 * it in memory is never read. */
START_TEST(test_options_version_1)
{
    rec_dataset *ds = rec_test_groups_dataset(40, 60, 3, 10, 2);
    rec_model *m = train(ds, "mf", "2");
    rec_recommend_options *v1 = malloc(sizeof *v1);
    memset(v1, 0xAB, sizeof *v1);
    v1->version = 1;
    v1->exclude_train = 1;
    v1->blocklist = NULL;
    v1->n_blocklist = 0;
    uint32_t a[10], b[10], users[2] = { 3, 4 }, rows[20];
    float sa[10], sb[10];
    size_t na, nb, n_out[2];
    for (uint32_t u = 0; u < 40; u++) {
        ck_assert_rec(rec_model_recommend(m, u, 10, v1, a, sa, &na), REC_OK, NULL);
        ck_assert_rec(rec_model_recommend(m, u, 10, NULL, b, sb, &nb), REC_OK, NULL);
        assert_same_list(a, sa, na, b, sb, nb);
    }
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 10, v1, 1, rows, NULL, n_out), REC_OK,
                  NULL);
    ck_assert_uint_eq(n_out[0], 10);
    free(v1);

    /* Refusals of the new fields and of versions past the library's. */
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    ro.n_candidates = 2;
    ck_assert_rec(rec_model_recommend(m, 0, 5, &ro, a, NULL, &na), REC_EINVAL,
                  "candidates is NULL but n_candidates is 2");
    uint32_t bad[] = { 1, 60 };
    ro.candidates = bad;
    ck_assert_rec(rec_model_recommend(m, 0, 5, &ro, a, NULL, &na), REC_EINVAL,
                  "candidates[1] = 60 is out of range");
    ck_assert_rec(rec_model_recommend_batch(m, users, 2, 5, &ro, 1, rows, NULL, n_out),
                  REC_EINVAL, "candidates[1] = 60");
    ro.version = REC_RECOMMEND_OPTIONS_VERSION + 1;
    ck_assert_rec(rec_model_recommend(m, 0, 5, &ro, a, NULL, &na), REC_EINVAL, "opts->version");
    rec_model_free(m);
    rec_dataset_free(ds);
}
END_TEST

/* The similarity of rows a and b in double. */
static double ref_similarity(const float *a, const float *b, size_t dim, rec_similarity sim)
{
    double ab = 0, aa = 0, bb = 0, d2 = 0;
    for (size_t c = 0; c < dim; c++) {
        ab += (double)a[c] * b[c];
        aa += (double)a[c] * a[c];
        bb += (double)b[c] * b[c];
        d2 += ((double)a[c] - b[c]) * ((double)a[c] - b[c]);
    }
    switch (sim) {
    case REC_SIMILARITY_DOT: return ab;
    case REC_SIMILARITY_COSINE: return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
    default: return -d2;
    }
}

/* The list is a top k of the brute-force similarities: each score is the
 * reference's to rounding, scores do not increase, the query is absent,
 * equal scores go by id, and no item left out beats the last one. */
static void check_similar(const rec_model *m, int users, uint32_t q, size_t k,
                          rec_similarity sim)
{
    const rec_serving *s = &m->serving;
    size_t n = users ? s->n_users : s->n_items;
    const float *T = users ? s->U : s->V;
    uint32_t *ids = malloc(k * sizeof *ids);
    float *sc = malloc(k * sizeof *sc);
    size_t got;
    int rc = users ? rec_model_similar_users(m, q, k, sim, ids, sc, &got)
                   : rec_model_similar_items(m, q, k, sim, ids, sc, &got);
    ck_assert_rec(rc, REC_OK, NULL);
    ck_assert_uint_eq(got, k < n - 1 ? k : n - 1);
    const double tol = 1e-5;
    char *listed = calloc(n, 1);
    for (size_t j = 0; j < got; j++) {
        ck_assert_uint_ne(ids[j], q);
        ck_assert(!listed[ids[j]]);
        listed[ids[j]] = 1;
        double want = ref_similarity(T + (size_t)q * s->ld, T + (size_t)ids[j] * s->ld,
                                     s->dim, sim);
        ck_assert_msg(fabs(sc[j] - want) <= tol * (1 + fabs(want)), "score %g, want %g",
                      (double)sc[j], want);
        if (j > 0) {
            ck_assert(sc[j] <= sc[j - 1]);
            if (sc[j] == sc[j - 1])
                ck_assert_uint_gt(ids[j], ids[j - 1]);
        }
    }
    double last = got ? sc[got - 1] : INFINITY;
    for (uint32_t i = 0; i < n; i++)
        if (i != q && !listed[i])
            ck_assert(ref_similarity(T + (size_t)q * s->ld, T + (size_t)i * s->ld, s->dim,
                                     sim) <= last + tol * (1 + fabs(last)));
    free(listed);
    free(ids);
    free(sc);
}

START_TEST(test_similar)
{
    rec_dataset *ds = rec_test_groups_dataset(70, 90, 4, 12, 9);
    rec_model *mf = train(ds, "mf", "5"), *cml = train(ds, "cml", "5");
    /* Zero vectors: item 5 and user 7 of the MF model. */
    rec_serving *s = &mf->serving;
    memset(s->V + 5 * s->ld, 0, s->ld * sizeof(float));
    memset(s->U + 7 * s->ld, 0, s->ld * sizeof(float));
    ck_assert_int_eq(rec_serving_finish(s), REC_OK);
    size_t ks[] = { 1, 10, 200 };
    for (uint32_t q = 0; q < 70; q++)
        for (size_t c = 0; c < 3; c++) {
            for (int sim = 0; sim < 3; sim++) {
                check_similar(mf, 0, q, ks[c], (rec_similarity)sim);
                check_similar(mf, 1, q, ks[c], (rec_similarity)sim);
            }
            check_similar(cml, 0, q, ks[c], REC_SIMILARITY_NEG_SQDIST);
            check_similar(cml, 1, q, ks[c], REC_SIMILARITY_NEG_SQDIST);
        }
    /* Under cosine the zero vector scores 0 against everything, so its
     * list is the lowest ids in order; and it scores 0 in every list. */
    uint32_t ids[5];
    float sc[5];
    size_t n;
    ck_assert_rec(rec_model_similar_items(mf, 5, 5, REC_SIMILARITY_COSINE, ids, sc, &n),
                  REC_OK, NULL);
    for (uint32_t j = 0; j < 5; j++) {
        ck_assert_uint_eq(ids[j], j); /* 5 itself is left out */
        ck_assert(sc[j] == 0.0f);
    }
    ck_assert_rec(rec_model_similar_users(mf, 7, 5, REC_SIMILARITY_COSINE, ids, NULL, &n),
                  REC_OK, NULL);
    ck_assert_uint_eq(ids[4], 4);

    /* Refusals. */
    ck_assert_rec(rec_model_similar_items(cml, 0, 5, REC_SIMILARITY_COSINE, ids, sc, &n),
                  REC_EUNSUPPORTED, "REC_SIMILARITY_NEG_SQDIST");
    ck_assert_rec(rec_model_similar_users(cml, 0, 5, REC_SIMILARITY_DOT, ids, sc, &n),
                  REC_EUNSUPPORTED, "'cml' scores by distance");
    ck_assert_rec(rec_model_similar_items(mf, 0, 5, (rec_similarity)3, ids, sc, &n),
                  REC_EINVAL, "sim = 3");
    ck_assert_rec(rec_model_similar_items(mf, 90, 5, REC_SIMILARITY_DOT, ids, sc, &n),
                  REC_EINVAL, "item 90 is out of range");
    ck_assert_rec(rec_model_similar_users(mf, 70, 5, REC_SIMILARITY_DOT, ids, sc, &n),
                  REC_EINVAL, "user 70 is out of range");
    ck_assert_rec(rec_model_similar_items(NULL, 0, 5, REC_SIMILARITY_DOT, ids, sc, &n),
                  REC_EINVAL, "model is NULL");
    ck_assert_rec(rec_model_similar_items(mf, 0, 5, REC_SIMILARITY_DOT, NULL, sc, &n),
                  REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_model_similar_users(mf, 0, 5, REC_SIMILARITY_DOT, NULL, sc, &n),
                  REC_EINVAL, "users is NULL");
    ck_assert_rec(rec_model_similar_users(mf, 0, 5, REC_SIMILARITY_DOT, ids, sc, NULL),
                  REC_EINVAL, "n_out is NULL");
    ck_assert_rec(rec_model_similar_items(mf, 0, 0, REC_SIMILARITY_DOT, NULL, NULL, &n), REC_OK,
                  NULL);
    ck_assert_uint_eq(n, 0);
    rec_model_free(mf);
    rec_model_free(cml);
    rec_dataset_free(ds);
}
END_TEST

/* The ridge regression of mf, relmf and nbpo satisfies its normal
 * equations (V_I^T V_I + lambda I) u = V_I^T 1, lambda = 10 trace / dim;
 * repeats count once; no items give the zero vector; a loaded model folds
 * in alike. */
START_TEST(test_fold_in_least_squares)
{
    rec_dataset *ds = rec_test_groups_dataset(50, 80, 4, 10, 4);
    const char *families[] = { "mf", "relmf", "nbpo" };
    uint32_t items[] = { 7, 3, 30, 3, 61, 12, 44, 7, 5, 19, 28, 70, 33, 2 };
    uint32_t distinct[] = { 2, 3, 5, 7, 12, 19, 28, 30, 33, 44, 61, 70 };
    for (size_t f = 0; f < 3; f++) {
        rec_model *m = train(ds, families[f], "3");
        rec_model_info info = REC_MODEL_INFO_INIT;
        ck_assert_rec(rec_model_info_get(m, &info), REC_OK, NULL);
        ck_assert_int_eq(info.can_fold_in, 1);
        const rec_serving *s = &m->serving;
        size_t d = s->dim;
        for (size_t n = 1; n <= 14; n += 13) { /* fewer items than dims, more */
            float *u = malloc(d * sizeof *u);
            ck_assert_rec(rec_model_fold_in(m, items, n, u), REC_OK, NULL);
            double *A = calloc(d * d, sizeof *A), *b = calloc(d, sizeof *b), trace = 0;
            for (size_t j = 0; j < (n == 1 ? 1 : 12); j++) {
                const float *v = rec_serving_item(s, n == 1 ? items[0] : distinct[j]);
                for (size_t r = 0; r < d; r++) {
                    b[r] += v[r];
                    trace += (double)v[r] * v[r];
                    for (size_t c = 0; c < d; c++)
                        A[r * d + c] += (double)v[r] * v[c];
                }
            }
            double bn = 0, worst = 0;
            for (size_t r = 0; r < d; r++) {
                double x = 10.0 * trace / (double)d * u[r] - b[r];
                for (size_t c = 0; c < d; c++)
                    x += A[r * d + c] * u[c];
                worst = fabs(x) > worst ? fabs(x) : worst;
                bn = fabs(b[r]) > bn ? fabs(b[r]) : bn;
            }
            ck_assert_msg(worst <= 1e-5 * bn, "%s: residual %g of %g", families[f], worst, bn);
            free(A);
            free(b);
            if (n == 14) { /* repeats count once */
                float *w = malloc(d * sizeof *w);
                ck_assert_rec(rec_model_fold_in(m, distinct, 12, w), REC_OK, NULL);
                ck_assert(memcmp(u, w, d * sizeof *u) == 0);
                free(w);
            }
            free(u);
        }
        float zero[24];
        memset(zero, 0xAB, sizeof zero);
        ck_assert_rec(rec_model_fold_in(m, NULL, 0, zero), REC_OK, NULL);
        for (size_t r = 0; r < d; r++)
            ck_assert(zero[r] == 0.0f);
        /* A loaded model folds in alike. */
        char *path = rec_test_path("fold.rec");
        ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
        rec_model *l = NULL;
        ck_assert_rec(rec_model_load(&l, path), REC_OK, NULL);
        float a[24], c[24];
        ck_assert_rec(rec_model_fold_in(m, items, 14, a), REC_OK, NULL);
        ck_assert_rec(rec_model_fold_in(l, items, 14, c), REC_OK, NULL);
        ck_assert(memcmp(a, c, d * sizeof *a) == 0);
        rec_model_free(l);
        free(path);
        rec_model_free(m);
    }
    rec_dataset_free(ds);
}
END_TEST

/* cml folds in the centroid of the items, inside the unit ball. */
START_TEST(test_fold_in_centroid)
{
    rec_dataset *ds = rec_test_groups_dataset(50, 80, 4, 10, 4);
    rec_model *m = train(ds, "cml", "3");
    rec_serving *s = &m->serving;
    size_t d = s->dim;
    uint32_t items[] = { 9, 4, 9, 40, 22 }, distinct[] = { 4, 9, 22, 40 };
    float u[24];
    ck_assert_rec(rec_model_fold_in(m, items, 5, u), REC_OK, NULL);
    for (size_t c = 0; c < d; c++) {
        double mean = 0;
        for (size_t j = 0; j < 4; j++)
            mean += rec_serving_item(s, distinct[j])[c];
        ck_assert(u[c] == (float)(mean / 4));
    }
    /* Rows outside the ball (not from training): the centroid is clipped
     * onto it, keeping its direction. */
    for (size_t j = 0; j < 4; j++)
        for (size_t c = 0; c < d; c++)
            s->V[distinct[j] * s->ld + c] = 1.0f;
    ck_assert_int_eq(rec_serving_finish(s), REC_OK);
    ck_assert_rec(rec_model_fold_in(m, items, 5, u), REC_OK, NULL);
    for (size_t c = 0; c < d; c++)
        ck_assert_double_eq_tol(u[c], 1.0 / sqrt((double)d), 1e-6);
    ck_assert_rec(rec_model_fold_in(m, NULL, 0, u), REC_OK, NULL);
    for (size_t c = 0; c < d; c++)
        ck_assert(u[c] == 0.0f);
    rec_model_free(m);
    rec_dataset_free(ds);
}
END_TEST

/* Folding in a training user's own items gives back most of that user's
 * recommendations: measured 0.80 (mf) and 0.72 (cml) of the top 10, where
 * an arbitrary fixed vector gets 0.04 to 0.05. */
START_TEST(test_fold_in_recovers_users)
{
    rec_dataset *ds = rec_test_groups_dataset(400, 300, 8, 30, 21);
    struct { const char *family, *epochs; double bar; } cases[] = {
        { "mf", "60", 0.75 }, { "cml", "40", 0.65 },
    };
    for (size_t f = 0; f < 2; f++) {
        rec_model *m = train(ds, cases[f].family, cases[f].epochs);
        size_t d = rec_model_dim(m);
        float *vec = malloc(d * sizeof *vec);
        double overlap = 0;
        for (uint32_t u = 0; u < 400; u++) {
            const uint32_t *own;
            size_t n_own, na, nb;
            ck_assert_rec(rec_dataset_user_items(ds, u, &own, NULL, NULL, &n_own), REC_OK, NULL);
            uint32_t a[10], b[10];
            ck_assert_rec(rec_model_recommend(m, u, 10, NULL, a, NULL, &na), REC_OK, NULL);
            ck_assert_rec(rec_model_fold_in(m, own, n_own, vec), REC_OK, NULL);
            rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
            ro.blocklist = own;
            ro.n_blocklist = n_own;
            ck_assert_rec(rec_model_recommend_vector(m, vec, 10, &ro, b, NULL, &nb), REC_OK,
                          NULL);
            for (size_t x = 0; x < na; x++)
                overlap += in_list(b, nb, a[x]) / 10.0;
        }
        overlap /= 400;
        ck_assert_msg(overlap >= cases[f].bar, "%s: overlap@10 %.3f", cases[f].family, overlap);
        free(vec);
        rec_model_free(m);
    }
    rec_dataset_free(ds);
}
END_TEST

/* docs/threading.md: threads share one model for single and batch
 * recommendation and get what one thread gets; each sees its own
 * rec_last_error(). Failures are counted in the threads and asserted in
 * the main one (Check's assertions are not for other threads). */
#define N_THREADS 8
#define TOP_K 15

typedef struct shared_run {
    const rec_model *m;
    const uint32_t *users;
    size_t n_users;
    const uint32_t *want;      /* n_users * TOP_K, from one thread */
    const size_t *want_n;
} shared_run;

typedef struct thread_run {
    const shared_run *sh;
    unsigned id;
    int mismatches, errors;
} thread_run;

static void *serve_thread(void *p)
{
    thread_run *t = p;
    const shared_run *sh = t->sh;
    uint32_t *rows = malloc(sh->n_users * TOP_K * sizeof *rows), one[TOP_K];
    size_t *n_out = malloc(sh->n_users * sizeof *n_out), n;
    for (int round = 0; round < 3; round++) {
        /* Single users, from a different start in each thread. */
        for (size_t q = 0; q < sh->n_users; q++) {
            size_t j = (q + t->id * 7) % sh->n_users;
            if (rec_model_recommend(sh->m, sh->users[j], TOP_K, NULL, one, NULL, &n) != REC_OK)
                t->errors++;
            else if (n != sh->want_n[j] ||
                     memcmp(one, sh->want + j * TOP_K, n * sizeof *one) != 0)
                t->mismatches++;
        }
        /* A batch, itself on 1 or 2 threads. */
        if (rec_model_recommend_batch(sh->m, sh->users, sh->n_users, TOP_K, NULL,
                                      1 + (t->id + (unsigned)round) % 2, rows, NULL,
                                      n_out) != REC_OK)
            t->errors++;
        else
            for (size_t j = 0; j < sh->n_users; j++)
                if (n_out[j] != sh->want_n[j] ||
                    memcmp(rows + j * TOP_K, sh->want + j * TOP_K, n_out[j] * sizeof *rows))
                    t->mismatches++;
        /* This thread's error message is its own. */
        uint32_t bad = (uint32_t)(rec_model_n_users(sh->m) + t->id);
        char expect[64];
        snprintf(expect, sizeof expect, "user %u is out of range", (unsigned)bad);
        if (rec_model_recommend(sh->m, bad, TOP_K, NULL, one, NULL, &n) != REC_EINVAL ||
            !strstr(rec_last_error(), expect))
            t->mismatches++;
    }
    free(rows);
    free(n_out);
    return NULL;
}

START_TEST(test_threads_share_a_model)
{
    rec_dataset *ds = rec_test_groups_dataset(300, 500, 6, 25, 13);
    rec_model *m = train(ds, "mf", "5");
    shared_run sh = { .m = m, .n_users = 300 };
    uint32_t *users = malloc(300 * sizeof *users), *want = malloc(300 * TOP_K * sizeof *want);
    size_t *want_n = malloc(300 * sizeof *want_n);
    for (uint32_t u = 0; u < 300; u++) {
        users[u] = u;
        ck_assert_rec(rec_model_recommend(m, u, TOP_K, NULL, want + u * TOP_K, NULL, &want_n[u]),
                      REC_OK, NULL);
    }
    sh.users = users;
    sh.want = want;
    sh.want_n = want_n;
    pthread_t tid[N_THREADS];
    thread_run runs[N_THREADS];
    for (unsigned t = 0; t < N_THREADS; t++) {
        runs[t] = (thread_run){ .sh = &sh, .id = t };
        ck_assert_int_eq(pthread_create(&tid[t], NULL, serve_thread, &runs[t]), 0);
    }
    for (unsigned t = 0; t < N_THREADS; t++) {
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
        ck_assert_msg(runs[t].errors == 0 && runs[t].mismatches == 0,
                      "thread %u: %d errors, %d mismatches", t, runs[t].errors,
                      runs[t].mismatches);
    }
    free(users);
    free(want);
    free(want_n);
    rec_model_free(m);
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("serving");
    TCase *tc = tcase_create("serving");
    tcase_add_test(tc, test_recommend_is_exact);
    tcase_add_test(tc, test_fast_scores_within_margin);
    tcase_add_test(tc, test_batch_matches_single);
    tcase_add_test(tc, test_batch_refusals);
    tcase_add_test(tc, test_candidates);
    tcase_add_test(tc, test_options_version_1);
    tcase_add_test(tc, test_similar);
    tcase_add_test(tc, test_fold_in_least_squares);
    tcase_add_test(tc, test_fold_in_centroid);
    tcase_add_test(tc, test_fold_in_recovers_users);
    tcase_add_test(tc, test_threads_share_a_model);
    suite_add_tcase(s, tc);
    return s;
}
