/* One serving process of the shared-memory figure in docs/performance.md:
 * loads a model file (mapped or copied), recommends top-20 for every user
 * once so that every page of the model has been used, prints "ready" and
 * waits until its standard input closes, so that a driver can read the
 * memory figures of several such processes at once
 * (bench/shared_memory.sh).
 *
 *   bench_shared MODEL mapped|copied */
#include <librec/librec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "mapped") && strcmp(argv[2], "copied"))) {
        fprintf(stderr, "usage: bench_shared MODEL mapped|copied\n");
        return 2;
    }
    rec_model *m = NULL;
    double t0 = bench_now();
    if (!strcmp(argv[2], "mapped"))
        check(rec_model_load_mapped(&m, argv[1]), "loading mapped");
    else
        check(rec_model_load(&m, argv[1]), "loading");
    double load_s = bench_now() - t0;
    uint32_t items[20];
    size_t n;
    unsigned long long checksum = 0;
    for (size_t u = 0; u < rec_model_n_users(m); u++) {
        check(rec_model_recommend(m, (uint32_t)u, 20, NULL, items, NULL, &n), "recommend");
        checksum += items[0];
    }
    printf("ready: loaded in %.3f s, served %zu users (checksum %llu)\n", load_s,
           rec_model_n_users(m), checksum);
    fflush(stdout);
    while (getchar() != EOF)
        ;
    rec_model_free(m);
    return 0;
}
