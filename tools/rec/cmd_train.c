/* rec train: fit a model on an interaction file and save it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"

static void print_params(const char *family)
{
    printf("Hyperparameters of '%s' (--name value; '-' and '_' are the same in names):\n",
           family);
    rec_param_info info = REC_PARAM_INFO_INIT;
    for (size_t k = 0; rec_family_param(family, k, &info) == REC_OK; k++)
        printf("  --%-12s %-7s default %-8s range %s\n      %s\n", info.name, info.type,
               info.default_value, info.range, info.help);
    if (rec_family_param(family, 0, &info) != REC_OK)
        printf("  (none)\n");
}

static void usage(const char *family)
{
    printf("usage: rec train --train FILE --out FILE [--model NAME] [options]\n\n"
           "Trains a model and saves it.\n\n"
           "  --train FILE           training interactions\n"
           "  --out FILE             where to save the model (written crash-safely)\n"
           "  --model NAME           model family (default mf):");
    for (size_t k = 0; rec_family_name(k); k++)
        printf(" %s", rec_family_name(k));
    printf("\n"
           "  --test FILE            validation data: evaluate every --eval-every epochs,\n"
           "                         stop early after --early-stop evaluations without\n"
           "                         a better Recall@--eval-k, keep the best model\n"
           "  --init-model FILE      start from this model's user and item embeddings\n"
           "                         (an mf model of the same data and dimension; for\n"
           "                         lightgcn and ngcf), as the reference codes'\n"
           "                         pretraining does\n"
           "  --kg FILE              knowledge graph triples \"head relation tail\",\n"
           "                         for the families that use one\n"
           "  --link FILE            \"item entity\" links of the graph (default: item i\n"
           "                         is the entity with the same id)\n"
           "  --no-interactions      do not store the training interactions in the model\n"
           "                         file (recommend then cannot exclude them)\n"
           "  --json                 print one JSON object with the outcome\n\n%s\n",
           data_options_help);
    if (family) {
        print_params(family);
    } else {
        for (size_t k = 0; rec_family_name(k); k++) {
            print_params(rec_family_name(k));
            putchar('\n');
        }
    }
}

typedef struct progress_state {
    int shown;
    unsigned k;
} progress_state;

static int on_progress(void *data, const rec_progress *p)
{
    progress_state *s = data;
    fprintf(stderr, "\repoch %u/%u  loss %.5f  %.3f s/epoch  %.1f s", p->epoch, p->epochs,
            p->loss, p->seconds, p->total_seconds);
    if (p->version >= 2 && p->evaluated)
        /* A line of its own for every evaluation, so the curve stays. */
        fprintf(stderr, "  recall@%u %.4f  ndcg@%u %.4f  (best at epoch %u)\n", s->k,
                p->valid_recall, s->k, p->valid_ndcg, p->best_epoch);
    else
        fputs("   ", stderr);
    fflush(stderr);
    s->shown = 1;
    return 0;
}

/* --eval-every is the parameter eval_every: flags use dashes, tables use
 * underscores, and either spelling is accepted. */
static void underscores(char *name)
{
    for (; *name; name++)
        if (*name == '-')
            *name = '_';
}

int cmd_train(int argc, char **argv)
{
    args a;
    args_init(&a, "train", argc, argv);
    const char *family = args_value(&a, "model");
    /* args_value() consumes --model: remember whether it was there. */
    int family_given = family != NULL;
    if (!family)
        family = "mf";
    if (args_flag(&a, "help")) {
        usage(family_given ? family : NULL);
        args_free(&a);
        return 0;
    }
    const char *train_path = args_value(&a, "train");
    const char *test_path = args_value(&a, "test");
    const char *init_path = args_value(&a, "init-model");
    const char *out_path = args_value(&a, "out");
    const char *kg_path = args_value(&a, "kg");
    const char *kg_links = args_value(&a, "link");
    int json = args_flag(&a, "json");
    int keep = !args_flag(&a, "no-interactions");
    data_options d;
    data_options_parse(&a, &d);
    if (!train_path)
        die_usage("train", "--train FILE is required");
    if (!out_path)
        die_usage("train", "--out FILE is required");
    if (kg_links && !kg_path)
        die_usage("train", "--link FILE needs --kg FILE");

    rec_train_options *opts = NULL;
    int rc = rec_train_options_new(&opts, family);
    if (rc != REC_OK)
        die_usage("train", "%s", rec_last_error());
    /* Every other --name value is a hyperparameter of the family's table. */
    const char *name, *value;
    while (args_next_pair(&a, &name, &value)) {
        char param[128];
        snprintf(param, sizeof param, "%s", name);
        underscores(param);
        if ((rc = rec_train_options_set(opts, param, value)) != REC_OK)
            die_usage("train", "--%s: %s", name, rec_last_error());
    }
    args_finish(&a);

    double t0 = cli_now();
    rec_dataset *train = load_dataset(&d, train_path, NULL, "training");
    rec_dataset *test = test_path ? load_dataset(&d, test_path, train, "test") : NULL;
    if (test && (rc = rec_train_options_set_validation(opts, test)) != REC_OK)
        die_rec(rc, "--test");
    rec_kg *kg = NULL;
    if (kg_path) {
        kg = load_kg(kg_path, kg_links);
        report_kg(kg, train, kg_path);
        if ((rc = rec_train_options_set_kg(opts, kg)) != REC_OK)
            die_rec(rc, "--kg");
    }
    if (init_path) {
        rec_model *init = NULL;
        if ((rc = rec_model_load(&init, init_path)) != REC_OK)
            die_rec(rc, "--init-model");
        rc = rec_train_options_set_init_model(opts, init);
        rec_model_free(init);
        if (rc != REC_OK)
            die_rec(rc, "--init-model");
    }
    double t1 = cli_now();

    progress_state ps = { 0, 20 };
    char kbuf[32];
    if (rec_train_options_get(opts, "eval_k", kbuf, sizeof kbuf) == REC_OK)
        ps.k = (unsigned)atoi(kbuf);
    if (progress_enabled())
        rec_train_options_set_progress(opts, on_progress, &ps);
    rec_model *m = NULL;
    rc = rec_model_train(&m, train, opts);
    double t2 = cli_now();
    if (ps.shown)
        fputc('\n', stderr);
    if (rc != REC_OK)
        die_rec(rc, "training");
    rec_save_options so = REC_SAVE_OPTIONS_INIT;
    so.keep_interactions = keep;
    if ((rc = rec_model_save(m, out_path, &so)) != REC_OK)
        die_rec(rc, "saving the model");
    double t3 = cli_now();

    rec_model_info info = REC_MODEL_INFO_INIT;
    rec_model_info_get(m, &info);
    double train_s = t2 - t1;
    if (json) {
        printf("{\"model\": ");
        json_string(stdout, info.family);
        printf(", \"epochs\": %u, \"seconds\": ", info.epochs);
        json_number(stdout, train_s);
        printf(", \"seconds_per_epoch\": ");
        json_number(stdout, info.epochs ? train_s / info.epochs : NAN);
        printf(", \"final_loss\": ");
        json_number(stdout, info.final_loss);
        printf(", \"users\": %zu, \"items\": %zu, \"interactions\": %zu, \"dim\": %zu",
               info.n_users, info.n_items, rec_dataset_n_interactions(train), info.dim);
        printf(", \"load_seconds\": ");
        json_number(stdout, t1 - t0);
        printf(", \"save_seconds\": ");
        json_number(stdout, t3 - t2);
        printf(", \"out\": ");
        json_string(stdout, out_path);
        if (info.eval_k) {
            printf(", \"best_epoch\": %u, \"valid_recall@%u\": ", info.best_epoch,
                   info.eval_k);
            json_number(stdout, info.valid_recall);
            printf(", \"valid_ndcg@%u\": ", info.eval_k);
            json_number(stdout, info.valid_ndcg);
        }
        if (kg) {
            printf(", \"kg\": ");
            print_kg_stats(kg, train, 1);
        }
        printf(", ");
        json_model_settings(stdout, m);
        printf("}\n");
    } else {
        printf("trained %s on %zu users, %zu items, %zu interactions\n", info.family,
               info.n_users, info.n_items, rec_dataset_n_interactions(train));
        printf("epochs %u, final loss %.6g, %.2f s (%.3f s per epoch)\n", info.epochs,
               info.final_loss, train_s, info.epochs ? train_s / info.epochs : 0.0);
        if (info.eval_k)
            printf("kept the model of epoch %u: recall@%u %.4f, ndcg@%u %.4f on %s\n",
                   info.best_epoch, info.eval_k, info.valid_recall, info.eval_k,
                   info.valid_ndcg, test_path);
        printf("saved to %s\n", out_path);
    }
    rec_model_free(m);
    rec_kg_free(kg);
    rec_dataset_free(test);
    rec_dataset_free(train);
    rec_train_options_free(opts);
    args_free(&a);
    return 0;
}
