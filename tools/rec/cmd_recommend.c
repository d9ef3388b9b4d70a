/* rec recommend: top-K items for one user of a saved model. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
    printf("usage: rec recommend --model FILE --user ID [--k K] [options]\n\n"
           "Prints the K best items for a user, by the caller's own ids.\n\n"
           "  --model FILE           a saved model\n"
           "  --user ID              the user's external id\n"
           "  --k K                  how many items (default 10)\n"
           "  --include-train        allow the user's training items\n"
           "  --block ID             never recommend this item; repeat for several\n"
           "  --json                 print {\"user\": ID, \"items\": [...], \"scores\": [...]}\n");
}

#define MAX_BLOCK 4096

int cmd_recommend(int argc, char **argv)
{
    args a;
    args_init(&a, "recommend", argc, argv);
    if (args_flag(&a, "help")) {
        usage();
        args_free(&a);
        return 0;
    }
    const char *model_path = args_value(&a, "model");
    const char *user = args_value(&a, "user");
    const char *k_text = args_value(&a, "k");
    int include_train = args_flag(&a, "include-train");
    int json = args_flag(&a, "json");
    const char *block_ids[MAX_BLOCK];
    size_t n_block = args_values(&a, "block", block_ids, MAX_BLOCK);
    args_finish(&a);
    if (!model_path)
        die_usage("recommend", "--model FILE is required");
    if (!user)
        die_usage("recommend", "--user ID is required");
    size_t k = k_text ? (size_t)parse_int_option("recommend", "k", k_text, 0, 1000000) : 10;

    rec_model *m = NULL;
    int rc = rec_model_load(&m, model_path);
    if (rc != REC_OK)
        die_rec(rc, "loading the model");
    const rec_dataset *space = rec_model_dataset(m);

    uint32_t block[MAX_BLOCK];
    for (size_t b = 0; b < n_block; b++)
        if ((rc = rec_dataset_find_item(space, block_ids[b], &block[b])) != REC_OK)
            die_rec(rc, "--block");
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    ro.exclude_train = !include_train;
    ro.blocklist = block;
    ro.n_blocklist = n_block;

    const char **items = malloc((k ? k : 1) * sizeof *items);
    float *scores = malloc((k ? k : 1) * sizeof *scores);
    if (!items || !scores) {
        fprintf(stderr, "rec: out of memory\n");
        return EXIT_RUNTIME;
    }
    size_t n = 0;
    if ((rc = rec_model_recommend_ext(m, user, k, &ro, items, scores, &n)) != REC_OK)
        die_rec(rc, "recommending");

    if (json) {
        int numeric_users = ids_are_numeric(space, 0);
        int numeric_items = ids_are_numeric(space, 1);
        printf("{\"user\": ");
        json_id(stdout, user, numeric_users);
        printf(", \"items\": [");
        for (size_t j = 0; j < n; j++) {
            printf("%s", j ? ", " : "");
            json_id(stdout, items[j], numeric_items);
        }
        printf("], \"scores\": [");
        for (size_t j = 0; j < n; j++) {
            printf("%s", j ? ", " : "");
            fprintf(stdout, "%.9g", scores[j]);
        }
        printf("]}\n");
    } else {
        for (size_t j = 0; j < n; j++)
            printf("%zu\t%s\t%.6g\n", j + 1, items[j], scores[j]);
    }
    free(items);
    free(scores);
    rec_model_free(m);
    args_free(&a);
    return 0;
}
