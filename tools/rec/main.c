/* rec: train, evaluate and serve recommenders from the command line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "train", cmd_train, "train a model on an interaction file and save it" },
    { "eval", cmd_eval, "evaluate a saved model on test interactions" },
    { "compare", cmd_compare, "paired significance tests between two per-user files" },
    { "recommend", cmd_recommend, "top-K items for a user of a saved model" },
    { "info", cmd_info, "describe a saved model" },
    { "split", cmd_split, "split interactions into training and test files" },
    { "demo", cmd_demo, "the whole cycle on generated data" },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: rec COMMAND [options]   (rec COMMAND --help for details)\n\n");
    for (size_t k = 0; k < N_COMMANDS; k++)
        fprintf(f, "  %-10s %s\n", commands[k].name, commands[k].summary);
    fprintf(f, "\nlibrec %s\n", rec_version_string());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("rec (librec) %s\n", rec_version_string());
        return 0;
    }
    for (size_t k = 0; k < N_COMMANDS; k++)
        if (!strcmp(cmd, commands[k].name))
            return commands[k].run(argc - 1, argv + 1);
    fprintf(stderr, "rec: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
