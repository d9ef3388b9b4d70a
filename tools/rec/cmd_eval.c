/* rec eval: evaluation of a saved model on test data, by full ranking or
 * against sampled negatives. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"

#define MAX_KS 32

static void usage(void)
{
    printf("usage: rec eval --model FILE --test FILE [--train FILE] [options]\n\n"
           "Ranks all items for every test user, excluding the user's training\n"
           "items, and reports the ranking measures at each cut-off, the AUC, and the\n"
           "coverage, popularity, diversity and item-fairness of the top-K lists\n"
           "(docs/metrics.md). With --sampled, each test item is ranked against N\n"
           "sampled negatives instead, and the measures are named sampled_*.\n\n"
           "  --model FILE           a saved model\n"
           "  --test FILE            test interactions (read in the model's id space)\n"
           "  --train FILE           training interactions to exclude (default: those\n"
           "                         stored in the model)\n"
           "  --k K                  cut-off; repeat for several (default 20)\n"
           "  --threads N            threads (default 0: all online CPUs)\n"
           "  --include-train        rank the training items too\n"
           "  --no-beyond            leave out the measures beyond accuracy\n"
           "  --sampled N            sampled protocol: N negatives per test item\n"
           "  --sampler uniform|pop  how negatives are drawn (default uniform; pop: in\n"
           "                         proportion to training interactions)\n"
           "  --seed S               seed of the sampled negatives (default 1)\n"
           "  --per-user FILE        write every user's values as CSV (user id, then\n"
           "                         one column per measure), for significance tests\n"
           "  --json                 print one JSON object\n\n%s",
           data_options_help);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* --per-user: a header (user, then the measures in rec_eval_at order) and a
 * row per evaluated user, values with 17 significant digits so that they
 * read back exactly. Written to a temporary file renamed over the target
 * at the end, so a failure leaves an existing file as it was. */
static void write_per_user(const char *path, const rec_eval *ev, const rec_dataset *test)
{
    size_t n = rec_eval_count_per_user(ev), n_users = rec_eval_n_users(ev);
    const double **cols = calloc(n ? n : 1, sizeof *cols);
    if (!cols)
        die_rec(REC_ENOMEM, "--per-user");
    const uint32_t *users = NULL;
    for (size_t v = 0; v < n; v++) {
        const char *name;
        double mean;
        rec_eval_at(ev, v, &name, &mean);
        rec_eval_user_values(ev, name, &users, &cols[v]);
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        die_usage("eval", "--per-user: the path is too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        die_errno("--per-user", tmp);
    fputs("user", f);
    for (size_t v = 0; v < n; v++) {
        const char *name;
        double mean;
        rec_eval_at(ev, v, &name, &mean);
        fprintf(f, ",%s", name);
    }
    fputc('\n', f);
    for (size_t i = 0; i < n_users; i++) {
        const char *id = NULL;
        rec_dataset_user_id(test, users[i], &id);
        csv_field(f, id ? id : "");
        for (size_t v = 0; v < n; v++)
            fprintf(f, ",%.17g", cols[v][i]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        die_errno("--per-user", path);
    }
    free(cols);
}

int cmd_eval(int argc, char **argv)
{
    args a;
    args_init(&a, "eval", argc, argv);
    if (args_flag(&a, "help")) {
        usage();
        args_free(&a);
        return 0;
    }
    const char *model_path = args_value(&a, "model");
    const char *test_path = args_value(&a, "test");
    const char *train_path = args_value(&a, "train");
    const char *k_text[MAX_KS];
    size_t n_ks = args_values(&a, "k", k_text, MAX_KS);
    const char *threads = args_value(&a, "threads");
    int include_train = args_flag(&a, "include-train");
    int no_beyond = args_flag(&a, "no-beyond");
    const char *sampled = args_value(&a, "sampled");
    const char *sampler = args_value(&a, "sampler");
    const char *seed = args_value(&a, "seed");
    const char *per_user = args_value(&a, "per-user");
    int json = args_flag(&a, "json");
    data_options d;
    data_options_parse(&a, &d);
    args_finish(&a);
    if (!model_path)
        die_usage("eval", "--model FILE is required");
    if (!test_path)
        die_usage("eval", "--test FILE is required");

    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    unsigned ks[MAX_KS];
    for (size_t c = 0; c < n_ks; c++)
        ks[c] = (unsigned)parse_int_option("eval", "k", k_text[c], 1, 100000);
    if (n_ks) {
        eo.ks = ks;
        eo.n_ks = n_ks;
    }
    if (threads)
        eo.threads = (unsigned)parse_int_option("eval", "threads", threads, 0, 256);
    eo.exclude_train = !include_train;
    eo.beyond_accuracy = !no_beyond;
    if (sampled) {
        eo.sample_negatives =
            (unsigned)parse_int_option("eval", "sampled", sampled, 1, 1000000);
        eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    }
    if (sampler) {
        if (!sampled)
            die_usage("eval", "--sampler needs --sampled N");
        if (strcmp(sampler, "pop") == 0)
            eo.protocol = REC_EVAL_SAMPLED_POPULARITY;
        else if (strcmp(sampler, "uniform") != 0)
            die_usage("eval", "--sampler: '%s' is not uniform or pop", sampler);
    }
    if (seed) {
        if (!sampled)
            die_usage("eval", "--seed needs --sampled N");
        eo.seed = (uint64_t)parse_int_option("eval", "seed", seed, 0, INT64_MAX);
    }

    rec_model *m = NULL;
    int rc = rec_model_load(&m, model_path);
    if (rc != REC_OK)
        die_rec(rc, "loading the model");
    const rec_dataset *space = rec_model_dataset(m);
    rec_dataset *train = train_path ? load_dataset(&d, train_path, space, "training") : NULL;
    rec_dataset *test = load_dataset(&d, test_path, space, "test");

    double t0 = cli_now();
    rec_eval *ev = NULL;
    if ((rc = rec_eval_run(&ev, m, train, test, &eo)) != REC_OK)
        die_rec(rc, "evaluating");
    double seconds = cli_now() - t0;
    if (per_user)
        write_per_user(per_user, ev, test);

    size_t n = rec_eval_count(ev);
    if (json) {
        printf("{\"users\": %zu", rec_eval_n_users(ev));
        for (size_t v = 0; v < n; v++) {
            const char *name;
            double value;
            rec_eval_at(ev, v, &name, &value);
            printf(", ");
            json_string(stdout, name);
            printf(": ");
            json_number(stdout, value);
        }
        printf(", \"seconds\": ");
        json_number(stdout, seconds);
        printf("}\n");
    } else {
        printf("users %zu\n", rec_eval_n_users(ev));
        for (size_t v = 0; v < n; v++) {
            const char *name;
            double value;
            rec_eval_at(ev, v, &name, &value);
            printf("%-20s %.6f\n", name, value);
        }
        printf("seconds %.3f\n", seconds);
    }
    rec_eval_free(ev);
    rec_dataset_free(test);
    rec_dataset_free(train);
    rec_model_free(m);
    args_free(&a);
    return 0;
}
