/* Full-ranking evaluation against the bare matrix product it needs.
 *
 *   bench_eval [DATA_DIR] [THREADS]
 *
 * On a train/test split in the NGCF/LightGCN adjacency-list format
 * (Gowalla by default): a model of dimension 64 (MF-BPR, one epoch: the
 * embeddings' values do not change the cost), then, median of 3 runs each,
 * (a) the sgemm of every test user's row against every item through BLIS
 * on THREADS threads, in blocks of 4,096 users into one reused buffer, and
 * (b) rec_eval_run() at K = 20 on the same threads: scoring, excluding
 * training items, top-K and every measure (ranking, AUC, beyond accuracy
 * and item fairness). Prints both and their ratio, then once each: the
 * evaluation without the measures beyond accuracy, and the sampled protocol
 * with 100 uniform negatives per test item. */
#include <librec/librec.h>

#include <blis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "core/alloc.h"
#include "model/model.h"

#define RUNS 3
#define USER_BLOCK 4096

/* The bare product: every test user's row times every item row. */
static double bare_sgemm(const rec_serving *s, const float *users, size_t n_users,
                         float *out, unsigned threads)
{
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads((dim_t)threads, &rntm);
    float one = 1.0f, zero = 0.0f;
    double t0 = bench_now();
    for (size_t a = 0; a < n_users; a += USER_BLOCK) {
        size_t nu = n_users - a < USER_BLOCK ? n_users - a : USER_BLOCK;
        bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_TRANSPOSE, (dim_t)nu, (dim_t)s->n_items,
                     (dim_t)s->dim, &one, (float *)users + a * s->ld, (inc_t)s->ld, 1,
                     s->V, (inc_t)s->ld, 1, &zero, out, (inc_t)s->n_items, 1, NULL, &rntm);
    }
    return bench_now() - t0;
}

/* One evaluation's wall time; *first: its first measure (may be NULL). */
static double timed_eval(const rec_model *m, const rec_dataset *test,
                         const rec_eval_options *eo, double *first)
{
    double t0 = bench_now();
    rec_eval *ev = NULL;
    check(rec_eval_run(&ev, m, NULL, test, eo), "evaluating");
    double t = bench_now() - t0;
    const char *name;
    if (first)
        rec_eval_at(ev, 0, &name, first);
    rec_eval_free(ev);
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/gowalla";
    unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
    char train_path[1024], test_path[1024];
    snprintf(train_path, sizeof train_path, "%s/train.txt", dir);
    snprintf(test_path, sizeof test_path, "%s/test.txt", dir);
    bench_print_machine();
    printf("librec %s, data %s, %u threads, BLIS %s with its %s kernels\n",
           rec_version_string(), dir, threads, bli_info_get_version_str(),
           bli_arch_string(bli_arch_query_id()));

    rec_dataset *train = NULL, *test = NULL;
    check(rec_dataset_load_adjlist(&train, train_path, NULL, NULL), "loading train");
    check(rec_dataset_load_adjlist(&test, test_path, NULL, train), "loading test");
    rec_train_options *o = NULL;
    check(rec_train_options_new(&o, "mf"), "options");
    check(rec_train_options_set(o, "epochs", "1"), "epochs");
    rec_model *m = NULL;
    check(rec_model_train(&m, train, o), "training");
    const rec_serving *s = &m->serving;

    /* The test users' rows, contiguous, as the evaluation gathers them. */
    size_t n_test = 0;
    float *users = rec_aligned_alloc(rec_dataset_n_users(test) * s->ld, sizeof(float));
    float *out = rec_aligned_alloc((size_t)USER_BLOCK * s->n_items, sizeof(float));
    if (!users || !out) {
        fprintf(stderr, "bench_eval: out of memory\n");
        return 1;
    }
    for (uint32_t u = 0; u < rec_dataset_n_users(test); u++) {
        const uint32_t *items;
        size_t k;
        check(rec_dataset_user_items(test, u, &items, NULL, NULL, &k), "test items");
        if (k)
            memcpy(users + n_test++ * s->ld, s->U + (size_t)u * s->ld, s->ld * sizeof(float));
    }
    memset(out, 0, (size_t)USER_BLOCK * s->n_items * sizeof(float));
    printf("%zu test users x %zu items, dimension %zu\n", n_test, s->n_items, s->dim);

    static const unsigned ks[] = { 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 1;
    eo.threads = threads;
    double tg[RUNS], te[RUNS], recall = 0.0;
    for (int r = 0; r < RUNS; r++) {
        tg[r] = bare_sgemm(s, users, n_test, out, threads);
        double t0 = bench_now();
        rec_eval *ev = NULL;
        check(rec_eval_run(&ev, m, NULL, test, &eo), "evaluating");
        te[r] = bench_now() - t0;
        rec_eval_get(ev, "recall@20", &recall);
        rec_eval_free(ev);
    }
    qsort(tg, RUNS, sizeof *tg, cmp_double);
    qsort(te, RUNS, sizeof *te, cmp_double);
    printf("bare sgemm (BLIS, %u threads): median %.3f s (min %.3f, max %.3f)\n", threads,
           tg[RUNS / 2], tg[0], tg[RUNS - 1]);
    printf("rec_eval_run, K = 20:          median %.3f s (min %.3f, max %.3f); "
           "recall@20 %.4f\n", te[RUNS / 2], te[0], te[RUNS - 1], recall);
    printf("ratio: %.2f\n", te[RUNS / 2] / tg[RUNS / 2]);

    eo.beyond_accuracy = 0;
    printf("without the measures beyond accuracy: %.3f s\n", timed_eval(m, test, &eo, NULL));
    eo.beyond_accuracy = 1;
    eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    double hit = 0.0;
    double ts = timed_eval(m, test, &eo, &hit);
    printf("sampled, 100 uniform negatives per test item: %.3f s; sampled_hit@20 %.4f\n", ts,
           hit);
    rec_free(users);
    rec_free(out);
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(train);
    rec_dataset_free(test);
    return 0;
}
