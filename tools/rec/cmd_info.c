/* rec info: what a model file holds, or how librec was built. */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void usage(void)
{
    printf("usage: rec info FILE [--json]\n"
           "       rec info --build [--json]\n"
           "       rec info --kg FILE [--link FILE] [--data FILE [data options]] [--json]\n\n"
           "Describes a saved model: family, sizes, training settings.\n"
           "With --build, describes the librec library instead: version, threading,\n"
           "SIMD kernels, BLIS, compiler (paste it into bug reports).\n"
           "With --kg, describes a knowledge graph: entities, relations, triples kept,\n"
           "repeated lines, self-loops, links (--link), and with --data how the\n"
           "items of that interaction file link to entities (--data takes the data\n"
           "options of rec train: --format, --delimiter, --no-header, ...).\n");
}

static int show_build(int json)
{
    rec_build_info b = REC_BUILD_INFO_INIT;
    int rc = rec_build_info_get(&b);
    if (rc != REC_OK)
        die_rec(rc, "reading the build information");
    if (json) {
        const char *keys[] = { "librec", "threading", "simd", "simd_built", "blis",
                               "blis_threading", "blis_arch", "compiler" };
        const char *values[] = { b.library_version, b.threading, b.simd, b.simd_built,
                                 b.blis_version, b.blis_threading, b.blis_arch, b.compiler };
        printf("{");
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            printf("\"%s\": ", keys[k]);
            json_string(stdout, values[k]);
            printf(", ");
        }
        printf("\"default_threads\": %u}\n", b.default_threads);
    } else {
        printf("librec        %s\n", b.library_version);
        printf("threading     %s, %u threads by default\n", b.threading, b.default_threads);
        printf("simd          %s (built: %s)\n", b.simd, b.simd_built);
        printf("blis          %s, %s threading, %s\n", b.blis_version, b.blis_threading,
               b.blis_arch);
        printf("compiler      %s\n", b.compiler);
    }
    return 0;
}

static int show_kg(args *a, const char *triples, int json)
{
    const char *links = args_value(a, "link");
    const char *data = args_value(a, "data");
    data_options d;
    data_options_parse(a, &d);
    args_finish(a);
    rec_kg *kg = load_kg(triples, links);
    rec_dataset *ds = data ? load_dataset(&d, data, NULL, "interaction") : NULL;
    print_kg_stats(kg, ds, json);
    if (json)
        putchar('\n');
    rec_dataset_free(ds);
    rec_kg_free(kg);
    return 0;
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
    int build = args_flag(&a, "build");
    const char *kg = args_value(&a, "kg");
    if (kg && build)
        die_usage("info", "--build describes the library, not a knowledge graph");
    if (kg) {
        int rc = show_kg(&a, kg, json);
        args_free(&a);
        return rc;
    }
    const char *path = args_value(&a, "model");
    if (!path)
        path = args_positional(&a);
    args_finish(&a);
    if (build && path)
        die_usage("info", "--build describes the library, not a model FILE");
    if (build) {
        args_free(&a);
        return show_build(json);
    }
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
