/* Training on a train/test split in the NGCF/LightGCN adjacency-list format
 * (Gowalla by default): seconds per epoch split into sampling, forward,
 * backward and update, the validation curve (Recall@20 and NDCG@20 against
 * wall time) when evaluating during training, the final full-ranking
 * evaluation at K = 20, and peak memory.
 *
 *   bench_train FAMILY [DATA_DIR] [THREADS] [name=value ...]
 *
 * name=value pairs set hyperparameters; eval_every=N evaluates on the test
 * data during training (the published protocol: the best evaluation is
 * kept); pretrain=mf first trains MF-BPR with its defaults and starts the
 * family from its embeddings (the reference codes' pretraining). Prints
 * figures only.
 *
 * Besides the measures over all test items it prints Recall@20 and NDCG@20
 * restricted to long-tail items: the test interactions on the 80 % least
 * popular items by training count (ties by item id, as in
 * docs/metrics.md), averaged over the users who have such an interaction,
 * each user's items ranked against the whole catalogue as usual. */
#include <librec/librec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_common.h"

typedef struct phases {
    double *epoch, *sample, *forward, *backward, *update;
    unsigned n;
    double start;
} phases;

static int on_epoch(void *p, const rec_progress *pr)
{
    phases *ph = p;
    unsigned e = ph->n++;
    ph->epoch[e] = pr->seconds;
    ph->sample[e] = pr->sample_seconds;
    ph->forward[e] = pr->forward_seconds;
    ph->backward[e] = pr->backward_seconds;
    ph->update[e] = pr->update_seconds;
    if (pr->evaluated)
        printf("  epoch %4u  %8.1f s  loss %.5f  recall@20 %.4f  ndcg@20 %.4f\n", pr->epoch,
               bench_now() - ph->start, pr->loss, pr->valid_recall, pr->valid_ndcg);
    fflush(stdout);
    return 0;
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n ? v[n / 2] : 0.0;
}

/* pretrain=mf: trains MF-BPR with its defaults first and starts the
 * family from its embeddings (rec_train_options_set_init_model), the
 * reference codes' pretraining. */
static void pretrain_mf(rec_train_options *o, const rec_dataset *train,
                        const rec_dataset *test, const char *threads)
{
    rec_train_options *mo = NULL;
    check(rec_train_options_new(&mo, "mf"), "options");
    check(rec_train_options_set(mo, "threads", threads), "threads");
    double t0 = bench_now();
    rec_model *mf = NULL;
    check(rec_model_train(&mf, train, mo), "pretraining");
    double s = bench_now() - t0;
    static const unsigned ks[] = { 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 1;
    eo.threads = (unsigned)atoi(threads);
    rec_eval *ev = NULL;
    check(rec_eval_run(&ev, mf, NULL, test, &eo), "evaluating the pretrained model");
    double r, nd;
    rec_eval_get(ev, "recall@20", &r);
    rec_eval_get(ev, "ndcg@20", &nd);
    printf("pretrain: mf with its defaults, %.2f s training; recall@20 %.4f ndcg@20 %.4f\n",
           s, r, nd);
    check(rec_train_options_set_init_model(o, mf), "init model");
    rec_eval_free(ev);
    rec_model_free(mf);
    rec_train_options_free(mo);
}

typedef struct ranked {
    size_t count;
    uint32_t item;
} ranked;

static int popular_first(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

/* The test interactions on long-tail items, in the training id space. */
static rec_dataset *tail_test(const rec_dataset *train, const rec_dataset *test)
{
    size_t n_items = rec_dataset_n_items(train), n = 0;
    ranked *order = malloc(n_items * sizeof *order);
    unsigned char *tail = calloc(n_items, 1);
    size_t cap = rec_dataset_n_interactions(test);
    const char **users = malloc((cap + 1) * sizeof *users);
    const char **items = malloc((cap + 1) * sizeof *items);
    if (!order || !tail || !users || !items) {
        fprintf(stderr, "bench_train: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n_items; i++) {
        const uint32_t *who;
        check(rec_dataset_item_users(train, (uint32_t)i, &who, &order[i].count), "item users");
        order[i].item = (uint32_t)i;
    }
    qsort(order, n_items, sizeof *order, popular_first);
    for (size_t r = n_items - (n_items * 4) / 5; r < n_items; r++)
        tail[order[r].item] = 1;
    for (size_t u = 0; u < rec_dataset_n_users(test); u++) {
        const uint32_t *its;
        size_t len;
        check(rec_dataset_user_items(test, (uint32_t)u, &its, NULL, NULL, &len), "test row");
        for (size_t t = 0; t < len; t++) {
            if (!tail[its[t]])
                continue;
            check(rec_dataset_user_id(test, (uint32_t)u, &users[n]), "user id");
            check(rec_dataset_item_id(test, its[t], &items[n]), "item id");
            n++;
        }
    }
    rec_dataset *out = NULL;
    check(rec_dataset_from_arrays(&out, n, users, items, NULL, NULL, NULL, train),
          "tail test set");
    free(order);
    free(tail);
    free(users);
    free(items);
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_train FAMILY [DATA_DIR] [THREADS] [name=value ...]\n"
                        "       (pretrain=mf: start from an MF-BPR trained first)\n");
        return 2;
    }
    const char *family = argv[1];
    const char *dir = argc > 2 ? argv[2] : "../shared/data/gowalla";
    const char *threads = argc > 3 ? argv[3] : "2";
    char train_path[1024], test_path[1024];
    snprintf(train_path, sizeof train_path, "%s/train.txt", dir);
    snprintf(test_path, sizeof test_path, "%s/test.txt", dir);
    bench_print_machine();
    printf("librec %s, %s on %s, %s threads\n", rec_version_string(), family, dir, threads);

    double t0 = bench_now();
    rec_dataset *train = NULL, *test = NULL;
    check(rec_dataset_load_adjlist(&train, train_path, NULL, NULL), "loading train");
    check(rec_dataset_load_adjlist(&test, test_path, NULL, train), "loading test");
    printf("load: %.3f s (%zu users, %zu items, %zu train, %zu test interactions)\n",
           bench_now() - t0, rec_dataset_n_users(train), rec_dataset_n_items(train),
           rec_dataset_n_interactions(train), rec_dataset_n_interactions(test));

    rec_train_options *o = NULL;
    check(rec_train_options_new(&o, family), "options");
    check(rec_train_options_set(o, "threads", threads), "threads");
    int validate = 0, pretrain = 0;
    for (int a = 4; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq) {
            fprintf(stderr, "bench_train: expected name=value, got '%s'\n", argv[a]);
            return 2;
        }
        *eq = '\0';
        if (!strcmp(argv[a], "pretrain") && !strcmp(eq + 1, "mf")) {
            pretrain = 1;
            continue;
        }
        check(rec_train_options_set(o, argv[a], eq + 1), argv[a]);
        validate |= !strcmp(argv[a], "eval_every");
    }
    if (validate)
        check(rec_train_options_set_validation(o, test), "validation");
    char buf[64];
    printf("settings:");
    rec_param_info pi = REC_PARAM_INFO_INIT;
    for (size_t k = 0; rec_family_param(family, k, &pi) == REC_OK; k++) {
        rec_train_options_get(o, pi.name, buf, sizeof buf);
        printf(" %s=%s", pi.name, buf);
    }
    printf("%s\n", validate ? " (evaluating on the test data during training)" : "");
    unsigned epochs = rec_train_options_get(o, "epochs", buf, sizeof buf) == REC_OK
                          ? (unsigned)atoi(buf) : 0;
    phases ph;
    memset(&ph, 0, sizeof ph);
    double **arrays[] = { &ph.epoch, &ph.sample, &ph.forward, &ph.backward, &ph.update };
    for (int k = 0; k < 5; k++)
        *arrays[k] = calloc(epochs + 1, sizeof(double));
    check(rec_train_options_set_progress(o, on_epoch, &ph), "progress");

    if (pretrain)
        pretrain_mf(o, train, test, threads);

    double t1 = bench_now();
    ph.start = t1;
    rec_model *m = NULL;
    check(rec_model_train(&m, train, o), "training");
    double train_s = bench_now() - t1;
    rec_model_info info = REC_MODEL_INFO_INIT;
    rec_model_info_get(m, &info);
    printf("train: %.2f s for %u epochs (model of epoch %u)\n", train_s, info.epochs,
           info.best_epoch);
    if (ph.n) {
        double ep = median(ph.epoch, ph.n), mn = ph.epoch[0], mx = ph.epoch[ph.n - 1];
        printf("epoch: median %.4f s (min %.4f, max %.4f); phases, median: sample %.4f s, "
               "forward %.4f s, backward %.4f s, update %.4f s\n", ep, mn, mx,
               median(ph.sample, ph.n), median(ph.forward, ph.n),
               median(ph.backward, ph.n), median(ph.update, ph.n));
    }

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
    rec_dataset *tail = tail_test(train, test);
    double tr, tn;
    size_t tu;
    bench_recall_ndcg(m, train, tail, threads, &tr, &tn, &tu);
    printf("tail: recall@20 %.4f ndcg@20 %.4f on the long-tail items (%zu test "
           "interactions, %zu users)\n", tr, tn, rec_dataset_n_interactions(tail), tu);
    rec_dataset_free(tail);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("wall: %.2f s from loading to evaluated; peak resident memory %.0f MB\n",
           bench_now() - t0, ru.ru_maxrss / 1024.0);

    for (int k = 0; k < 5; k++)
        free(*arrays[k]);
    rec_eval_free(ev);
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(test);
    rec_dataset_free(train);
    return 0;
}
