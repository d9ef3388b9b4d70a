/* rec info: what a model file holds. */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void usage(void)
{
    printf("usage: rec info FILE [--json]\n\n"
           "Describes a saved model: family, sizes, training settings.\n");
}

static const char *scoring_name(rec_scoring s)
{
    return s == REC_SCORING_NEG_SQDIST ? "neg_sqdist" : "dot";
}

int cmd_info(int argc, char **argv)
{
    args a;
    args_init(&a, "info", argc, argv);
    if (args_flag(&a, "help")) {
        usage();
        args_free(&a);
        return 0;
    }
    int json = args_flag(&a, "json");
    const char *path = args_value(&a, "model");
    if (!path)
        path = args_positional(&a);
    args_finish(&a);
    if (!path)
        die_usage("info", "a model FILE is required");

    rec_model *m = NULL;
    int rc = rec_model_load(&m, path);
    if (rc != REC_OK)
        die_rec(rc, "loading the model");
    rec_model_info info = REC_MODEL_INFO_INIT;
    rec_model_info_get(m, &info);
    struct stat st;
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;

    if (json) {
        printf("{\"file\": ");
        json_string(stdout, path);
        printf(", \"bytes\": %lld, \"model\": ", bytes);
        json_string(stdout, info.family);
        printf(", \"users\": %zu, \"items\": %zu, \"dim\": %zu, \"scoring\": \"%s\"",
               info.n_users, info.n_items, info.dim, scoring_name(info.scoring));
        printf(", \"item_bias\": %s, \"has_interactions\": %s, \"interactions\": %zu",
               info.has_item_bias ? "true" : "false",
               info.has_interactions ? "true" : "false", info.n_interactions);
        printf(", \"epochs\": %u, \"best_epoch\": %u, \"final_loss\": ", info.epochs,
               info.best_epoch);
        json_number(stdout, info.final_loss);
        if (info.eval_k) {
            printf(", \"valid_recall@%u\": ", info.eval_k);
            json_number(stdout, info.valid_recall);
            printf(", \"valid_ndcg@%u\": ", info.eval_k);
            json_number(stdout, info.valid_ndcg);
        }
        printf(", \"fold_in\": %s", info.can_fold_in ? "true" : "false");
        printf(", ");
        json_model_settings(stdout, m);
        printf("}\n");
    } else {
        printf("file          %s (%lld bytes)\n", path, bytes);
        printf("model         %s\n", info.family);
        printf("users         %zu\n", info.n_users);
        printf("items         %zu\n", info.n_items);
        printf("dim           %zu\n", info.dim);
        printf("scoring       %s%s\n", scoring_name(info.scoring),
               info.has_item_bias ? " + item bias" : "");
        printf("interactions  %zu%s\n", info.n_interactions,
               info.has_interactions ? "" : " (not stored)");
        printf("epochs        %u (the model holds epoch %u)\n", info.epochs, info.best_epoch);
        if (info.eval_k)
            printf("validation    recall@%u %.4f, ndcg@%u %.4f\n", info.eval_k,
                   info.valid_recall, info.eval_k, info.valid_ndcg);
        printf("fold-in       %s\n", info.can_fold_in ? "yes" : "no");
        printf("final loss    %.6g\n", info.final_loss);
        rec_param_info pi = REC_PARAM_INFO_INIT;
        for (size_t k = 0; rec_family_param(info.family, k, &pi) == REC_OK; k++) {
            char buf[128];
            if (rec_model_setting(m, pi.name, buf, sizeof buf) == REC_OK)
                printf("  %-12s %s\n", pi.name, buf);
        }
    }
    rec_model_free(m);
    args_free(&a);
    return 0;
}
