/* Serving latency and throughput through the public API.
 *
 *   bench_serve [DATA_DIR] [MODEL_FILE]
 *
 * On the training file of an adjacency-list split (Gowalla by default):
 * loads MODEL_FILE, or trains MF with its defaults on 2 threads. Then, on
 * random users (a fixed seed), each call timed on its own in wall time and
 * in the thread's CPU time (which leaves out time other processes held the
 * CPU), after 200 calls of warm-up:
 *
 *   - rec_model_recommend(), top 20 over all items, training items
 *     excluded: 10,000 calls, p50, p99 and the worst;
 *   - the same with 100 candidates, rec_model_similar_items() (cosine,
 *     top 20) and rec_model_fold_in() of a user's training items followed
 *     by rec_model_recommend_vector(): 2,000 calls each;
 *   - rec_model_recommend_batch(), top 20 for every user at once on 1 and
 *     2 threads (median of 3 runs), and in batches of 256 users: users per
 *     second.
 *
 * Prints figures only. */
#include <librec/librec.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

#define K 20
#define CALLS 10000
#define CALLS_OTHER 2000
#define WARMUP 200

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* splitmix64 */
static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t random_below(size_t n)
{
    return (uint32_t)(next_random() % n);
}

/* CPU time of the calling thread: unlike wall time, it leaves out the
 * time other processes held the CPU. */
static double thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_latency(const char *what, const char *clock, double *us, size_t n)
{
    qsort(us, n, sizeof *us, cmp_double);
    printf("%-30s %-4s p50 %7.1f us  p99 %7.1f us  max %8.1f us  (%zu calls)\n", what, clock,
           us[n / 2], us[n * 99 / 100], us[n - 1], n);
}

typedef enum call_kind { CALL_RECOMMEND, CALL_CANDIDATES, CALL_SIMILAR, CALL_FOLD_IN } call_kind;

/* One call of the given kind on a random user or item; its wall and CPU
 * times in us. */
static void timed_call(const rec_model *m, call_kind kind, const uint32_t *candidates,
                       float *vec, double *wall, double *cpu)
{
    uint32_t items[K];
    float scores[K];
    size_t n;
    const rec_dataset *ds = rec_model_dataset(m);
    uint32_t u = random_below(rec_model_n_users(m));
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    const uint32_t *own = NULL;
    size_t n_own = 0;
    if (kind == CALL_FOLD_IN)
        check(rec_dataset_user_items(ds, u, &own, NULL, NULL, &n_own), "user items");
    double t0 = bench_now(), c0 = thread_cpu_now();
    switch (kind) {
    case CALL_RECOMMEND:
        check(rec_model_recommend(m, u, K, NULL, items, scores, &n), "recommend");
        break;
    case CALL_CANDIDATES:
        ro.candidates = candidates;
        ro.n_candidates = 100;
        check(rec_model_recommend(m, u, K, &ro, items, scores, &n), "recommend");
        break;
    case CALL_SIMILAR:
        check(rec_model_similar_items(m, random_below(rec_model_n_items(m)), K,
                                      REC_SIMILARITY_COSINE, items, scores, &n),
              "similar items");
        break;
    case CALL_FOLD_IN:
        check(rec_model_fold_in(m, own, n_own, vec), "fold-in");
        ro.blocklist = own;
        ro.n_blocklist = n_own;
        check(rec_model_recommend_vector(m, vec, K, &ro, items, scores, &n), "recommend");
        break;
    }
    *wall = (bench_now() - t0) * 1e6;
    *cpu = (thread_cpu_now() - c0) * 1e6;
}

static void latency(const rec_model *m, call_kind kind, size_t calls, const char *what)
{
    uint32_t candidates[100];
    for (size_t j = 0; j < 100; j++)
        candidates[j] = random_below(rec_model_n_items(m));
    float *vec = malloc(rec_model_dim(m) * sizeof *vec);
    double *wall = malloc(calls * sizeof *wall), *cpu = malloc(calls * sizeof *cpu);
    if (!vec || !wall || !cpu) {
        fprintf(stderr, "bench_serve: out of memory\n");
        exit(1);
    }
    for (size_t c = 0; c < WARMUP; c++)
        timed_call(m, kind, candidates, vec, &wall[0], &cpu[0]);
    for (size_t c = 0; c < calls; c++)
        timed_call(m, kind, candidates, vec, &wall[c], &cpu[c]);
    print_latency(what, "wall", wall, calls);
    print_latency("", "cpu", cpu, calls);
    free(vec);
    free(wall);
    free(cpu);
}

/* Every user in batches of `batch` (0: one batch), on `threads` threads:
 * users per second, median of 3 runs. */
static void throughput(const rec_model *m, size_t batch, unsigned threads)
{
    size_t n_users = rec_model_n_users(m);
    if (batch == 0)
        batch = n_users;
    uint32_t *users = malloc(n_users * sizeof *users);
    uint32_t *items = malloc(batch * K * sizeof *items);
    float *scores = malloc(batch * K * sizeof *scores);
    size_t *n_out = malloc(batch * sizeof *n_out);
    if (!users || !items || !scores || !n_out) {
        fprintf(stderr, "bench_serve: out of memory\n");
        exit(1);
    }
    for (size_t j = 0; j < n_users; j++)
        users[j] = random_below(n_users);
    double secs[3];
    for (int r = 0; r < 3; r++) {
        double t0 = bench_now();
        for (size_t a = 0; a < n_users; a += batch) {
            size_t nb = n_users - a < batch ? n_users - a : batch;
            check(rec_model_recommend_batch(m, users + a, nb, K, NULL, threads, items, scores,
                                            n_out),
                  "batch");
        }
        secs[r] = bench_now() - t0;
    }
    qsort(secs, 3, sizeof *secs, cmp_double);
    printf("batch of %-6zu users, %u thread%s: %8.0f users/s  (%zu users in %.3f s, median "
           "of 3)\n",
           batch, threads, threads == 1 ? " " : "s", (double)n_users / secs[1], n_users,
           secs[1]);
    free(users);
    free(items);
    free(scores);
    free(n_out);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/gowalla";
    const char *model_file = argc > 2 ? argv[2] : NULL;
    bench_print_machine();
    printf("librec %s\n", rec_version_string());

    rec_model *m = NULL;
    if (model_file) {
        check(rec_model_load(&m, model_file), model_file);
        printf("model: %s\n", model_file);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/train.txt", dir);
        rec_dataset *train = NULL;
        check(rec_dataset_load_adjlist(&train, path, NULL, NULL), path);
        rec_train_options *o = NULL;
        check(rec_train_options_new(&o, "mf"), "options");
        check(rec_train_options_set(o, "threads", "2"), "threads");
        double t0 = bench_now();
        check(rec_model_train(&m, train, o), "training");
        printf("model: mf with its defaults on %s, trained in %.1f s\n", path,
               bench_now() - t0);
        rec_train_options_free(o);
        rec_dataset_free(train);
    }
    printf("%zu users, %zu items, dim %zu; top %d\n\n", rec_model_n_users(m),
           rec_model_n_items(m), rec_model_dim(m), K);

    latency(m, CALL_RECOMMEND, CALLS, "recommend, all items");
    latency(m, CALL_CANDIDATES, CALLS_OTHER, "recommend, 100 candidates");
    latency(m, CALL_SIMILAR, CALLS_OTHER, "similar items, cosine");
    latency(m, CALL_FOLD_IN, CALLS_OTHER, "fold-in + recommend_vector");
    printf("\n");
    throughput(m, 0, 1);
    throughput(m, 0, 2);
    throughput(m, 256, 1);
    throughput(m, 256, 2);
    rec_model_free(m);
    return 0;
}
