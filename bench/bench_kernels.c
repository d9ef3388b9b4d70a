/* Times each available kernel variant on the shapes that matter: single
 * row operations at dimension 64 (one SGD / Adam update of a sampled
 * triple), scoring one user against 40,981 items of dimension 64 (the item
 * count of Gowalla, the serving path of rec_model_recommend) and top-20
 * selection over those scores. Prints figures; asserts nothing.
 *
 * Each figure is the best of several repetitions of a timed loop, so it
 * measures the kernel with warm caches rather than the noise of the
 * machine. */
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/rng.h"
#include "kernels/kernels.h"

#define DIM 64
#define N_ITEMS 40981
#define TOP_K 20
#define REPEATS 7
/* Rows cycled through by the row benchmarks: enough that consecutive calls
 * do not hit the same row (no store-to-load forwarding across calls), few
 * enough to stay in L1/L2 like the hot rows of a training batch. */
#define N_ROWS 256

static volatile float sink;

static float *random_rows(rec_rng *r, size_t n_rows, float scale)
{
    float *x = rec_aligned_alloc(n_rows * DIM, sizeof(float));
    if (!x) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t k = 0; k < n_rows * DIM; k++)
        x[k] = scale * (float)(2 * rec_rng_uniform(r) - 1);
    return x;
}

static double ns_dot(const rec_kernels *K, const float *A, const float *B,
                     long calls)
{
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        float acc = 0;
        double t0 = rec_now();
        for (long c = 0; c < calls; c++) {
            size_t row = (size_t)c % N_ROWS * DIM;
            acc += K->dot(A + row, B + row, DIM);
        }
        double t = rec_now() - t0;
        sink = acc;
        if (t < best)
            best = t;
    }
    return best / (double)calls * 1e9;
}

static double ns_bpr(const rec_kernels *K, float *U, float *I, float *J,
                     long calls)
{
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        float acc = 0;
        double t0 = rec_now();
        for (long c = 0; c < calls; c++) {
            size_t row = (size_t)c % N_ROWS * DIM;
            acc += K->bpr_sgd_step(U + row, I + row, J + row, DIM, 0.01f,
                                   0.01f);
        }
        double t = rec_now() - t0;
        sink = acc;
        if (t < best)
            best = t;
    }
    return best / (double)calls * 1e9;
}

static double ns_adam(const rec_kernels *K, float *W, float *M, float *V,
                      const float *G, long calls)
{
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = rec_now();
        for (long c = 0; c < calls; c++) {
            size_t row = (size_t)c % N_ROWS * DIM;
            K->adam_row(W + row, M + row, V + row, G + row, DIM, 1e-3f, 0.9f,
                        0.999f, 1e-8f);
        }
        double t = rec_now() - t0;
        if (t < best)
            best = t;
    }
    return best / (double)calls * 1e9;
}

static double us_score(const rec_kernels *K, const float *u, const float *V,
                       const float *bias, float *out, int calls)
{
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = rec_now();
        for (int c = 0; c < calls; c++)
            K->score_dot(u, V, DIM, N_ITEMS, bias, out);
        double t = rec_now() - t0;
        if (t < best)
            best = t;
    }
    sink = out[N_ITEMS / 2];
    return best / calls * 1e6;
}

static double us_topk(const float *scores, const uint32_t *excluded,
                      size_t n_excluded, rec_scored *out, int calls)
{
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = rec_now();
        for (int c = 0; c < calls; c++)
            sink = (float)rec_topk(scores, N_ITEMS, TOP_K, excluded,
                                   n_excluded, out);
        double t = rec_now() - t0;
        if (t < best)
            best = t;
    }
    return best / calls * 1e6;
}

int main(void)
{
    static const char *const names[] = {"scalar", "avx2", "avx512"};
    rec_rng r;
    rec_rng_seed(&r, 42, 0, 0);

    float *A = random_rows(&r, N_ROWS, 0.1f), *B = random_rows(&r, N_ROWS, 0.1f);
    float *C = random_rows(&r, N_ROWS, 0.1f), *G = random_rows(&r, N_ROWS, 0.1f);
    float *M = random_rows(&r, N_ROWS, 0.0f), *Vs = random_rows(&r, N_ROWS, 0.0f);
    float *items = random_rows(&r, N_ITEMS, 0.1f);
    float *user = random_rows(&r, 1, 1.0f);
    float *bias = malloc(N_ITEMS * sizeof(float));
    float *scores = malloc(N_ITEMS * sizeof(float));
    if (!bias || !scores) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < N_ITEMS; i++)
        bias[i] = 0.01f * (float)(2 * rec_rng_uniform(&r) - 1);

    printf("kernels: chosen variant %s\n", rec_kernels_get()->name);
    printf("%-8s %12s %12s %12s %14s %14s\n", "variant", "dot64 ns",
           "bpr64 ns", "adam64 ns", "score us", "score+bias us");
    for (size_t v = 0; v < sizeof names / sizeof names[0]; v++) {
        const rec_kernels *K = rec_kernels_variant(names[v]);
        if (!K)
            continue;
        double dot = ns_dot(K, A, B, 4000000);
        double bpr = ns_bpr(K, A, B, C, 2000000);
        double adam = ns_adam(K, C, M, Vs, G, 2000000);
        double score = us_score(K, user, items, NULL, scores, 200);
        double score_b = us_score(K, user, items, bias, scores, 200);
        printf("%-8s %12.2f %12.2f %12.2f %14.1f %14.1f\n", K->name, dot, bpr,
               adam, score, score_b);
    }
    printf("score: %d items x %d dims = %.1f MB of item rows per call\n",
           N_ITEMS, DIM, N_ITEMS * DIM * 4.0 / 1e6);

    /* Top-K over the scores of the last variant (a realistic distribution),
     * with no exclusions and with 200 sorted excluded ids (a heavy user's
     * training items). */
    rec_kernels_get()->score_dot(user, items, DIM, N_ITEMS, bias, scores);
    uint32_t excluded[200];
    for (size_t e = 0; e < 200; e++)
        excluded[e] = (uint32_t)(e * (N_ITEMS / 200) + rec_rng_below(&r, 50));
    rec_scored top[TOP_K];
    printf("topk k=%d over %d scores: %.1f us, with 200 excluded: %.1f us\n",
           TOP_K, N_ITEMS, us_topk(scores, NULL, 0, top, 2000),
           us_topk(scores, excluded, 200, top, 2000));

    rec_free(A);
    rec_free(B);
    rec_free(C);
    rec_free(G);
    rec_free(M);
    rec_free(Vs);
    rec_free(items);
    rec_free(user);
    free(bias);
    free(scores);
    return 0;
}
