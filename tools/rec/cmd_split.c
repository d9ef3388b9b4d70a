/* rec split: divide an interaction file into training and test files. */
#include <string.h>

#include "cli.h"

static void usage(void)
{
    printf("usage: rec split --input FILE --train-out FILE --test-out FILE [options]\n\n"
           "Splits every user's interactions between a training and a test file\n"
           "(docs/datasets.md gives the exact rules). The outputs are CSV with a\n"
           "header line \"user,item[,rating][,timestamp]\", readable with\n"
           "--format csv and no other option.\n\n"
           "  --input FILE           interactions to split\n"
           "  --by METHOD            ratio (random per user, default), time (earliest\n"
           "                         to training, needs --time-col) or loo (one per\n"
           "                         user to test: the latest, or a random one)\n"
           "  --ratio R              share kept for training, in (0, 1) (default 0.8)\n"
           "  --seed N               random seed (default 1)\n"
           "  --train-out FILE       training part\n"
           "  --test-out FILE        test part\n"
           "  --json                 print one JSON object with the counts\n\n%s",
           data_options_help);
}

int cmd_split(int argc, char **argv)
{
    args a;
    args_init(&a, "split", argc, argv);
    if (args_flag(&a, "help")) {
        usage();
        args_free(&a);
        return 0;
    }
    const char *input = args_value(&a, "input");
    const char *by = args_value(&a, "by");
    const char *ratio = args_value(&a, "ratio");
    const char *seed = args_value(&a, "seed");
    const char *train_out = args_value(&a, "train-out");
    const char *test_out = args_value(&a, "test-out");
    int json = args_flag(&a, "json");
    data_options d;
    data_options_parse(&a, &d);
    args_finish(&a);
    if (!input || !train_out || !test_out)
        die_usage("split", "--input, --train-out and --test-out are required");

    rec_split_options so = REC_SPLIT_OPTIONS_INIT;
    if (by) {
        if (!strcmp(by, "ratio") || !strcmp(by, "random"))
            so.method = REC_SPLIT_RANDOM;
        else if (!strcmp(by, "time") || !strcmp(by, "temporal"))
            so.method = REC_SPLIT_TEMPORAL;
        else if (!strcmp(by, "loo") || !strcmp(by, "leave-one-out"))
            so.method = REC_SPLIT_LEAVE_ONE_OUT;
        else
            die_usage("split", "--by must be ratio, time or loo; got '%s'", by);
    }
    if (ratio)
        so.train_ratio = parse_double_option("split", "ratio", ratio);
    if (seed)
        so.seed = (uint64_t)parse_int_option("split", "seed", seed, 0, INT64_MAX);

    rec_dataset *all = load_dataset(&d, input, NULL, "input");
    rec_dataset *train = NULL, *test = NULL;
    int rc = rec_dataset_split(&train, &test, all, &so);
    if (rc != REC_OK)
        die_rec(rc, "splitting");
    rec_csv_options out = REC_CSV_OPTIONS_INIT;
    if ((rc = rec_dataset_save_csv(train, train_out, &out)) != REC_OK)
        die_rec(rc, "writing the training part");
    if ((rc = rec_dataset_save_csv(test, test_out, &out)) != REC_OK)
        die_rec(rc, "writing the test part");

    if (json) {
        printf("{\"users\": %zu, \"items\": %zu, \"interactions\": %zu, "
               "\"train_interactions\": %zu, \"test_interactions\": %zu, \"train_out\": ",
               rec_dataset_n_users(all), rec_dataset_n_items(all),
               rec_dataset_n_interactions(all), rec_dataset_n_interactions(train),
               rec_dataset_n_interactions(test));
        json_string(stdout, train_out);
        printf(", \"test_out\": ");
        json_string(stdout, test_out);
        printf("}\n");
    } else {
        printf("%zu interactions of %zu users and %zu items: %zu to %s, %zu to %s\n",
               rec_dataset_n_interactions(all), rec_dataset_n_users(all),
               rec_dataset_n_items(all), rec_dataset_n_interactions(train), train_out,
               rec_dataset_n_interactions(test), test_out);
    }
    rec_dataset_free(train);
    rec_dataset_free(test);
    rec_dataset_free(all);
    args_free(&a);
    return 0;
}
