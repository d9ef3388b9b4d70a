/* Helpers shared by the benchmarks: the machine they ran on and wall time. */
#ifndef REC_BENCH_COMMON_H
#define REC_BENCH_COMMON_H

#include <errno.h>
#include <librec/librec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints the CPU model and the number of online CPUs. */
static inline void bench_print_machine(void)
{
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "model name", 10)) {
                const char *colon = strchr(line, ':');
                if (colon) {
                    snprintf(model, sizeof model, "%s", colon + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    printf("machine: %s, %ld online CPUs\n", model, sysconf(_SC_NPROCESSORS_ONLN));
}

/* Stops the benchmark with the library's message when a call failed. */
static inline void check(int rc, const char *what)
{
    if (rc != REC_OK) {
        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
                rec_last_error());
        exit(1);
    }
}

/* qsort order of doubles, for medians. */
static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Recall@20 and NDCG@20 of m on test by full ranking, the training items of
 * train excluded; the users evaluated into *n_users. */
static inline void bench_recall_ndcg(const rec_model *m, const rec_dataset *train,
                                     const rec_dataset *test, const char *threads,
                                     double *recall, double *ndcg, size_t *n_users)
{
    static const unsigned ks[] = { 20 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 1;
    eo.threads = (unsigned)atoi(threads);
    eo.beyond_accuracy = 0;
    rec_eval *ev = NULL;
    check(rec_eval_run(&ev, m, train, test, &eo), "evaluating");
    rec_eval_get(ev, "recall@20", recall);
    rec_eval_get(ev, "ndcg@20", ndcg);
    *n_users = rec_eval_n_users(ev);
    rec_eval_free(ev);
}

#endif
