/* The librec C API end to end: load interactions, split them, train
 * MF-BPR, evaluate, save, load back and recommend.
 *
 *   cc quickstart.c $(pkg-config --cflags --libs librec) -o quickstart
 *   ./quickstart interactions.csv      (CSV with a header: user,item,...)
 *
 * Without an argument it writes a small CSV of its own first. */
#include <librec/librec.h>

#include <stdio.h>
#include <stdlib.h>

/* Prints the library's message for a failed call and exits. */
static void check(int rc, const char *what)
{
    if (rc != REC_OK) {
        fprintf(stderr, "quickstart: %s: %s (%s)\n", what, rec_last_error(),
                rec_strerror(rc));
        exit(1);
    }
}

/* A small CSV: 300 users in 6 taste groups, 120 items. */
static const char *write_sample(void)
{
    static const char path[] = "quickstart-sample.csv";
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "user,item\n");
    unsigned s = 12345;
    for (int u = 0; u < 300; u++) {
        for (int r = 0; r < 20; r++) {
            s = s * 1103515245u + 12345u;
            int group = (s >> 16) % 10 < 8 ? u % 6 : (int)((s >> 8) % 6);
            s = s * 1103515245u + 12345u;
            fprintf(f, "u%d,i%d\n", u, group * 20 + (int)((s >> 16) % 20));
        }
    }
    fclose(f);
    return path;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : write_sample();
    printf("librec %s\n", rec_version_string());

    /* 1. Load: user and item ids are strings, mapped to dense ids. Repeated
     *    (user, item) rows are merged and counted. */
    rec_dataset *all = NULL;
    rec_csv_options csv = REC_CSV_OPTIONS_INIT; /* comma, header, user 0, item 1 */
    check(rec_dataset_load_csv(&all, path, &csv, NULL, NULL), "loading");
    printf("%zu users, %zu items, %zu interactions\n", rec_dataset_n_users(all),
           rec_dataset_n_items(all), rec_dataset_n_interactions(all));

    /* 2. Split 80/20 per user; both parts share the id space. */
    rec_dataset *train = NULL, *test = NULL;
    rec_split_options split = REC_SPLIT_OPTIONS_INIT;
    split.seed = 7;
    check(rec_dataset_split(&train, &test, all, &split), "splitting");

    /* 3. Train MF-BPR. Hyperparameters are set by name and validated. */
    rec_train_options *opts = NULL;
    check(rec_train_options_new(&opts, "mf"), "options");
    check(rec_train_options_set(opts, "dim", "32"), "dim");
    check(rec_train_options_set(opts, "threads", "1"), "threads"); /* repeatable */
    rec_model *model = NULL;
    check(rec_model_train(&model, train, opts), "training");

    /* 4. Evaluate by full ranking, training items excluded. */
    unsigned ks[] = { 10, 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 2;
    rec_eval *ev = NULL;
    check(rec_eval_run(&ev, model, NULL, test, &eo), "evaluating");
    for (size_t k = 0; k < rec_eval_count(ev); k++) {
        const char *name;
        double value;
        check(rec_eval_at(ev, k, &name, &value), "reading a measure");
        printf("  %-12s %.4f\n", name, value);
    }

    /* 5. Save (crash-safe) and load back. */
    check(rec_model_save(model, "quickstart.rec", NULL), "saving");
    rec_model *loaded = NULL;
    check(rec_model_load(&loaded, "quickstart.rec"), "loading the model");

    /* 6. Recommend with the caller's own ids. Training items are excluded
     *    because the model file keeps them. */
    const char *user;
    check(rec_dataset_user_id(rec_model_dataset(loaded), 0, &user), "user id");
    const char *items[5];
    float scores[5];
    size_t n = 0;
    check(rec_model_recommend_ext(loaded, user, 5, NULL, items, scores, &n), "recommending");
    printf("top %zu for %s:", n, user);
    for (size_t j = 0; j < n; j++)
        printf(" %s (%.3f)", items[j], scores[j]);
    printf("\n");

    rec_model_free(loaded);
    rec_eval_free(ev);
    rec_model_free(model);
    rec_train_options_free(opts);
    rec_dataset_free(test);
    rec_dataset_free(train);
    rec_dataset_free(all);
    return 0;
}
