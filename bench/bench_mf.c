/* MF-BPR on a train/test split in the NGCF/LightGCN adjacency-list format
 * (Gowalla by default): training time per epoch and in total with the
 * library's default schedule, then full-ranking evaluation at K = 20.
 *
 *   bench_mf [DATA_DIR] [THREADS] [name=value ...]
 *
 * DATA_DIR holds train.txt and test.txt (default ../shared/data/gowalla);
 * name=value pairs override hyperparameters. Prints figures only. */
#include <librec/librec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

static void check(int rc, const char *what)
{
    if (rc != REC_OK) {
        fprintf(stderr, "bench_mf: %s: %s\n", what, rec_last_error());
        exit(1);
    }
}

typedef struct epochs {
    double *seconds;
    unsigned n;
} epochs;

static int on_epoch(void *p, const rec_progress *pr)
{
    epochs *e = p;
    e->seconds[e->n++] = pr->seconds;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/gowalla";
    const char *threads = argc > 2 ? argv[2] : "2";
    char train_path[1024], test_path[1024];
    snprintf(train_path, sizeof train_path, "%s/train.txt", dir);
    snprintf(test_path, sizeof test_path, "%s/test.txt", dir);
    bench_print_machine();
    printf("librec %s, data %s, %s threads\n", rec_version_string(), dir, threads);

    double t0 = bench_now();
    rec_dataset *train = NULL, *test = NULL;
    check(rec_dataset_load_adjlist(&train, train_path, NULL, NULL), "loading train");
    check(rec_dataset_load_adjlist(&test, test_path, NULL, train), "loading test");
    printf("load: %.3f s (%zu users, %zu items, %zu train, %zu test interactions)\n",
           bench_now() - t0, rec_dataset_n_users(train), rec_dataset_n_items(train),
           rec_dataset_n_interactions(train), rec_dataset_n_interactions(test));

    rec_train_options *o = NULL;
    check(rec_train_options_new(&o, "mf"), "options");
    check(rec_train_options_set(o, "threads", threads), "threads");
    for (int a = 3; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq) {
            fprintf(stderr, "bench_mf: expected name=value, got '%s'\n", argv[a]);
            return 2;
        }
        *eq = '\0';
        check(rec_train_options_set(o, argv[a], eq + 1), argv[a]);
    }
    char buf[64];
    printf("settings:");
    rec_param_info pi = REC_PARAM_INFO_INIT;
    for (size_t k = 0; rec_family_param("mf", k, &pi) == REC_OK; k++) {
        rec_train_options_get(o, pi.name, buf, sizeof buf);
        printf(" %s=%s", pi.name, buf);
    }
    printf("\n");
    rec_train_options_get(o, "epochs", buf, sizeof buf);
    epochs e = { calloc((size_t)atoi(buf) + 1, sizeof(double)), 0 };
    check(rec_train_options_set_progress(o, on_epoch, &e), "progress");

    double t1 = bench_now();
    rec_model *m = NULL;
    check(rec_model_train(&m, train, o), "training");
    double train_s = bench_now() - t1;
    qsort(e.seconds, e.n, sizeof *e.seconds, cmp_double);
    printf("train: %.2f s for %u epochs; per epoch median %.4f s, min %.4f s, max %.4f s\n",
           train_s, e.n, e.seconds[e.n / 2], e.seconds[0], e.seconds[e.n - 1]);

    static const unsigned ks[] = { 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 1;
    eo.threads = (unsigned)atoi(threads);
    double t2 = bench_now();
    rec_eval *ev = NULL;
    check(rec_eval_run(&ev, m, NULL, test, &eo), "evaluating");
    double eval_s = bench_now() - t2;
    double r, nd, p, h;
    rec_eval_get(ev, "recall@20", &r);
    rec_eval_get(ev, "ndcg@20", &nd);
    rec_eval_get(ev, "precision@20", &p);
    rec_eval_get(ev, "hit@20", &h);
    printf("eval: %.3f s for %zu users: recall@20 %.4f ndcg@20 %.4f precision@20 %.4f "
           "hit@20 %.4f\n", eval_s, rec_eval_n_users(ev), r, nd, p, h);
    printf("wall: %.2f s from loading to evaluated\n", bench_now() - t0);

    free(e.seconds);
    rec_eval_free(ev);
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(test);
    rec_dataset_free(train);
    return 0;
}
