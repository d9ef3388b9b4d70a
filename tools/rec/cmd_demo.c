/* rec demo: the whole cycle on a small generated dataset, with nothing to
 * download: generate, split, train, evaluate against popularity, save,
 * load back, recommend. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"

/* The generated data: users and items each belong to one of GROUPS taste
 * groups; a user mostly picks items of their own group, the more popular
 * ones more often, and some popular items of any group. Popularity alone
 * therefore explains part of the data and the groups explain more, which
 * is what a personalised model should find. */
#define USERS 800
#define ITEMS 500
#define GROUPS 10
#define PER_USER 25

static uint64_t demo_rng = 0x2545F4914F6CDD1Dull;

static uint32_t demo_below(uint32_t n)
{
    /* xorshift64*: the demo needs repeatable data, not statistical
     * excellence. */
    demo_rng ^= demo_rng >> 12;
    demo_rng ^= demo_rng << 25;
    demo_rng ^= demo_rng >> 27;
    return (uint32_t)(((demo_rng * 0x2545F4914F6CDD1Dull) >> 32) % n);
}

/* An item of group g (or of any group when g < 0), skewed to low ranks. */
static uint32_t pick_item(int g)
{
    uint32_t per_group = ITEMS / GROUPS;
    uint32_t a = demo_below(per_group), b = demo_below(per_group);
    uint32_t rank = a < b ? a : b; /* min of two: popularity skew */
    uint32_t group = g >= 0 ? (uint32_t)g : demo_below(GROUPS);
    return group * per_group + rank;
}

static rec_dataset *generate(void)
{
    static char user_ids[USERS][16], item_ids[ITEMS][16];
    static const char *users[USERS * PER_USER], *items[USERS * PER_USER];
    for (int u = 0; u < USERS; u++)
        snprintf(user_ids[u], sizeof user_ids[u], "user%d", u);
    for (int i = 0; i < ITEMS; i++)
        snprintf(item_ids[i], sizeof item_ids[i], "item%d", i);
    size_t n = 0;
    for (int u = 0; u < USERS; u++) {
        int g = u % GROUPS;
        for (int r = 0; r < PER_USER; r++) {
            users[n] = user_ids[u];
            items[n] = item_ids[pick_item(demo_below(10) < 8 ? g : -1)];
            n++;
        }
    }
    rec_load_options lo = REC_LOAD_OPTIONS_INIT; /* repeats merge into one */
    rec_dataset *ds = NULL;
    int rc = rec_dataset_from_arrays(&ds, n, users, items, NULL, NULL, &lo, NULL);
    if (rc != REC_OK)
        die_rec(rc, "generating the demo data");
    return ds;
}

static rec_model *train(const rec_dataset *ds, const char *family, double *seconds)
{
    rec_train_options *o = NULL;
    int rc = rec_train_options_new(&o, family);
    if (rc == REC_OK && !strcmp(family, "mf")) {
        /* One thread: the demo prints the same figures on every machine. */
        rc = rec_train_options_set(o, "threads", "1");
    }
    if (rc != REC_OK)
        die_rec(rc, "setting up training");
    double t0 = cli_now();
    rec_model *m = NULL;
    if ((rc = rec_model_train(&m, ds, o)) != REC_OK)
        die_rec(rc, "training");
    *seconds = cli_now() - t0;
    rec_train_options_free(o);
    return m;
}

static rec_eval *evaluate(const rec_model *m, const rec_dataset *test)
{
    static const unsigned ks[] = { 10, 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 2;
    rec_eval *ev = NULL;
    int rc = rec_eval_run(&ev, m, NULL, test, &eo);
    if (rc != REC_OK)
        die_rec(rc, "evaluating");
    return ev;
}

static double get(const rec_eval *ev, const char *name)
{
    double v = NAN;
    rec_eval_get(ev, name, &v);
    return v;
}

int cmd_demo(int argc, char **argv)
{
    args a;
    args_init(&a, "demo", argc, argv);
    if (args_flag(&a, "help")) {
        printf("usage: rec demo [--out FILE]\n\n"
               "Generates a small dataset (%d users, %d items), splits it 80/20, trains\n"
               "popularity and MF-BPR, evaluates both, saves the MF model (to FILE, or\n"
               "to a temporary file that is removed), loads it back and recommends.\n",
               USERS, ITEMS);
        args_free(&a);
        return 0;
    }
    const char *out = args_value(&a, "out");
    args_finish(&a);

    printf("librec %s demo\n\n", rec_version_string());
    rec_dataset *all = generate();
    rec_split_options so = REC_SPLIT_OPTIONS_INIT;
    rec_dataset *tr = NULL, *te = NULL;
    int rc = rec_dataset_split(&tr, &te, all, &so);
    if (rc != REC_OK)
        die_rec(rc, "splitting");
    printf("data: %zu users, %zu items, %zu interactions -> %zu train / %zu test "
           "(random 80/20 per user)\n\n", rec_dataset_n_users(all),
           rec_dataset_n_items(all), rec_dataset_n_interactions(all),
           rec_dataset_n_interactions(tr), rec_dataset_n_interactions(te));

    double pop_s, mf_s;
    rec_model *pop = train(tr, "pop", &pop_s);
    rec_model *mf = train(tr, "mf", &mf_s);
    rec_eval *pop_ev = evaluate(pop, te), *mf_ev = evaluate(mf, te);
    rec_model_info info = REC_MODEL_INFO_INIT;
    rec_model_info_get(mf, &info);

    printf("model   train s   recall@10  ndcg@10  recall@20  ndcg@20\n");
    printf("pop     %7.3f   %9.4f  %7.4f  %9.4f  %7.4f\n", pop_s, get(pop_ev, "recall@10"),
           get(pop_ev, "ndcg@10"), get(pop_ev, "recall@20"), get(pop_ev, "ndcg@20"));
    printf("mf      %7.3f   %9.4f  %7.4f  %9.4f  %7.4f\n", mf_s, get(mf_ev, "recall@10"),
           get(mf_ev, "ndcg@10"), get(mf_ev, "recall@20"), get(mf_ev, "ndcg@20"));
    printf("(%zu test users; mf: dim %zu, %u epochs, final loss %.4f)\n\n",
           rec_eval_n_users(mf_ev), info.dim, info.epochs, info.final_loss);

    /* Save, load back, and check the loaded model ranks identically. */
    char tmp[512];
    const char *path = out;
    if (!path) {
        const char *dir = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/rec-demo-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(tmp);
        if (fd < 0) {
            perror("rec demo: temporary file");
            return EXIT_RUNTIME;
        }
        close(fd);
        path = tmp;
    }
    if ((rc = rec_model_save(mf, path, NULL)) != REC_OK)
        die_rec(rc, "saving");
    rec_model *loaded = NULL;
    if ((rc = rec_model_load(&loaded, path)) != REC_OK)
        die_rec(rc, "loading");
    struct stat st;
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    rec_eval *loaded_ev = evaluate(loaded, te);
    int same = get(loaded_ev, "ndcg@20") == get(mf_ev, "ndcg@20");
    printf("saved the mf model (%lld bytes) and loaded it back: %s\n\n", bytes,
           same ? "identical rankings" : "RANKINGS DIFFER");

    printf("top 5 for three users (training items excluded):\n");
    static const char *const who[] = { "user0", "user1", "user7" };
    for (int k = 0; k < 3; k++) {
        const char *items[5];
        float scores[5];
        size_t n = 0;
        if ((rc = rec_model_recommend_ext(loaded, who[k], 5, NULL, items, scores, &n)))
            die_rec(rc, "recommending");
        printf("  %-6s (group %d):", who[k], atoi(who[k] + 4) % GROUPS);
        for (size_t j = 0; j < n; j++)
            printf(" %s", items[j]);
        printf("\n");
    }
    printf("\n(items 0-49 form group 0, 50-99 group 1, ...)\n");

    if (!out)
        unlink(path);
    rec_eval_free(loaded_ev);
    rec_eval_free(pop_ev);
    rec_eval_free(mf_ev);
    rec_model_free(loaded);
    rec_model_free(mf);
    rec_model_free(pop);
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(all);
    args_free(&a);
    return same ? 0 : EXIT_RUNTIME;
}
