/* Core layer: errors, allocation hook, random streams, parsing, CRC-32C,
 * parallel loops, crash-safe files. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/error.h"
#include "core/file.h"
#include "core/parse.h"
#include "core/rng.h"
#include "core/threads.h"

START_TEST(test_error_messages)
{
    ck_assert_int_eq(rec_error(REC_EINVAL, "k = %d", 3), REC_EINVAL);
    ck_assert_str_eq(rec_last_error(), "k = 3");
    ck_assert_int_eq(rec_error_context(REC_EIO, "loading '%s': ", "x"), REC_EIO);
    ck_assert_str_eq(rec_last_error(), "loading 'x': k = 3");
    ck_assert_str_eq(rec_strerror(REC_ECORRUPT), "corrupted model file");
    ck_assert_str_eq(rec_strerror(12345), "unknown error");
    /* The status numbers are ABI: pin them. */
    ck_assert_int_eq(REC_EINVAL, -1);
    ck_assert_int_eq(REC_ELIMIT, -10);
    ck_assert_str_eq(rec_version_string(), REC_VERSION_STRING);
    ck_assert_uint_eq(rec_version_number(), REC_VERSION_NUMBER);
}
END_TEST

static void *set_error_in_thread(void *arg)
{
    (void)arg;
    rec_error(REC_EIO, "other thread");
    return NULL;
}

START_TEST(test_error_is_thread_local)
{
    rec_error(REC_EINVAL, "mine");
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, set_error_in_thread, NULL), 0);
    pthread_join(t, NULL);
    ck_assert_str_eq(rec_last_error(), "mine");
}
END_TEST

START_TEST(test_alloc_failure_hook)
{
    rec_alloc_fail_after(2);
    void *a = rec_malloc(8);
    void *b = rec_malloc(8);
    void *c = rec_calloc(2, 8);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(b);
    ck_assert_ptr_null(c); /* stays failed, like a real exhaustion */
    ck_assert_int_eq(rec_alloc_fail_after(0), 3);
    void *d = rec_malloc(8);
    ck_assert_ptr_nonnull(d);
    rec_free(a);
    rec_free(d);
    /* Overflowing sizes fail without allocating. */
    ck_assert_ptr_null(rec_malloc_array(SIZE_MAX / 2, 4));
    ck_assert_ptr_null(rec_calloc(SIZE_MAX / 2, 4));
    ck_assert_ptr_null(rec_aligned_alloc(SIZE_MAX / 2, 4));
    float *al = rec_aligned_alloc(3, sizeof(float));
    ck_assert_ptr_nonnull(al);
    ck_assert_uint_eq((uintptr_t)al % REC_ALIGN, 0);
    rec_free(al);
}
END_TEST

START_TEST(test_rng_streams)
{
    rec_rng a, b, c;
    rec_rng_seed(&a, 7, 1, 2);
    rec_rng_seed(&b, 7, 1, 2);
    rec_rng_seed(&c, 7, 1, 3);
    int same = 1, differs = 0;
    for (int k = 0; k < 100; k++) {
        uint64_t x = rec_rng_next(&a), y = rec_rng_next(&b), z = rec_rng_next(&c);
        same &= x == y;
        differs |= x != z;
    }
    ck_assert(same);
    ck_assert(differs);

    /* rec_rng_below is uniform: chi-square over 10 buckets. */
    int counts[10] = { 0 };
    for (int k = 0; k < 100000; k++) {
        uint32_t v = rec_rng_below(&a, 10);
        ck_assert_uint_lt(v, 10);
        counts[v]++;
    }
    double chi = 0;
    for (int k = 0; k < 10; k++)
        chi += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
    ck_assert_double_lt(chi, 30.0); /* p < 1e-3 for 9 degrees of freedom */

    double s = 0, s2 = 0;
    for (int k = 0; k < 100000; k++) {
        double v = rec_rng_normal(&a);
        s += v;
        s2 += v * v;
    }
    ck_assert_double_lt(fabs(s / 100000), 0.02);
    ck_assert_double_lt(fabs(s2 / 100000 - 1.0), 0.03);
    ck_assert_uint_lt(rec_rng_below64(&a, 5000000000ull), 5000000000ull);
}
END_TEST

START_TEST(test_parse_numbers)
{
    double d;
    int64_t i;
    uint64_t u;
    ck_assert_int_eq(rec_parse_double("4.5", 3, &d), REC_PARSE_OK);
    ck_assert_double_eq(d, 4.5);
    ck_assert_int_eq(rec_parse_double("-1e3", 4, &d), REC_PARSE_OK);
    ck_assert_double_eq(d, -1000.0);
    ck_assert_int_eq(rec_parse_double("4.5x", 3, &d), REC_PARSE_OK); /* span only */
    ck_assert_int_eq(rec_parse_double("4.5x", 4, &d), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_double("", 0, &d), REC_PARSE_EMPTY);
    ck_assert_int_eq(rec_parse_double(" 1", 2, &d), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_double("nan", 3, &d), REC_PARSE_NONFINITE);
    ck_assert_int_eq(rec_parse_double("-inf", 4, &d), REC_PARSE_NONFINITE);
    ck_assert_int_eq(rec_parse_double("1e999", 5, &d), REC_PARSE_RANGE);
    ck_assert_int_eq(rec_parse_double("0x10", 4, &d), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_double("1\0002", 3, &d), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_int64("-42", 3, &i), REC_PARSE_OK);
    ck_assert_int_eq(i, -42);
    ck_assert_int_eq(rec_parse_int64("4.2", 3, &i), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_int64("99999999999999999999", 20, &i), REC_PARSE_RANGE);
    ck_assert_int_eq(rec_parse_uint64("-1", 2, &u), REC_PARSE_INVALID);
    ck_assert_int_eq(rec_parse_uint64("18446744073709551615", 20, &u), REC_PARSE_OK);
    ck_assert(u == UINT64_MAX);

    char buf[16];
    rec_excerpt(buf, 8, "ab\x01\xff" "cdefghij", 12);
    ck_assert_str_eq(buf, "ab??cdef...");
}
END_TEST

START_TEST(test_crc32c)
{
    ck_assert_uint_eq(rec_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(rec_crc32c_portable(0, "123456789", 9), 0xE3069283u);
    unsigned char buf[1000];
    for (size_t k = 0; k < sizeof buf; k++)
        buf[k] = (unsigned char)(k * 131 + 7);
    for (size_t len = 0; len < sizeof buf; len += 37)
        ck_assert_uint_eq(rec_crc32c(0, buf, len), rec_crc32c_portable(0, buf, len));
    /* Incremental equals one-shot. */
    uint32_t c = rec_crc32c(0, buf, 300);
    ck_assert_uint_eq(rec_crc32c(c, buf + 300, 700), rec_crc32c(0, buf, 1000));
}
END_TEST

typedef struct sum_ctx {
    atomic_int hits[1000];
    atomic_uint max_worker;
} sum_ctx;

static void count_task(void *p, size_t task, unsigned worker)
{
    sum_ctx *c = p;
    atomic_fetch_add(&c->hits[task], 1);
    unsigned m = atomic_load(&c->max_worker);
    while (worker > m && !atomic_compare_exchange_weak(&c->max_worker, &m, worker))
        ;
}

START_TEST(test_parallel_for)
{
    static sum_ctx c;
    memset(&c, 0, sizeof c);
    rec_parallel_for(4, 1000, count_task, &c);
    for (int k = 0; k < 1000; k++)
        ck_assert_int_eq(atomic_load(&c.hits[k]), 1);
    ck_assert_uint_lt(atomic_load(&c.max_worker), 4);
    memset(&c, 0, sizeof c);
    rec_parallel_for(8, 3, count_task, &c); /* more threads than tasks */
    ck_assert_int_eq(atomic_load(&c.hits[2]), 1);
    rec_parallel_for(3, 0, count_task, &c); /* no tasks */
    ck_assert_uint_ge(rec_threads_resolve(0), 1);
    ck_assert_uint_eq(rec_threads_resolve(100000), REC_MAX_THREADS);
}
END_TEST

/* A process forked after parallel loops ran (a pre-forking server's
 * worker, Python's multiprocessing) runs them too, on threads of its own:
 * the child gets a few seconds, and a hang shows as its death by SIGALRM. */
START_TEST(test_parallel_for_after_fork)
{
    static sum_ctx c;
    memset(&c, 0, sizeof c);
    rec_parallel_for(2, 100, count_task, &c);
#if defined(_OPENMP)
    ck_assert_str_eq(rec_threads_model(), "openmp");
#else
    ck_assert_str_eq(rec_threads_model(), "pthreads");
#endif
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        alarm(10);
        memset(&c, 0, sizeof c);
        for (int round = 0; round < 3; round++)
            rec_parallel_for(2, 1000, count_task, &c);
        int ok = strcmp(rec_threads_model(), "pthreads") == 0;
        for (int k = 0; k < 1000; k++)
            ok &= atomic_load(&c.hits[k]) == 3;
        _exit(ok ? 0 : 3);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "the child died by signal %d (a hang ends in SIGALRM)",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    /* and the parent still runs them */
    memset(&c, 0, sizeof c);
    rec_parallel_for(2, 1000, count_task, &c);
    ck_assert_int_eq(atomic_load(&c.hits[999]), 1);
}
END_TEST

START_TEST(test_atomic_file)
{
    char *path = rec_test_path("atomic.txt");
    rec_atomic_file f;
    ck_assert_rec(rec_atomic_open(&f, path), REC_OK, NULL);
    fputs("first", f.fp);
    ck_assert_rec(rec_atomic_commit(&f), REC_OK, NULL);
    size_t n;
    char *s = rec_test_read_file(path, &n);
    ck_assert_uint_eq(n, 5);
    free(s);

    /* An aborted replacement leaves the old content and no temporary. */
    ck_assert_rec(rec_atomic_open(&f, path), REC_OK, NULL);
    char *tmp = strdup(f.tmp_path);
    fputs("second, longer", f.fp);
    rec_atomic_abort(&f);
    s = rec_test_read_file(path, &n);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(s, "first", 5) == 0);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    free(s);
    free(tmp);

    /* A directory that does not exist: a clear REC_EIO. */
    ck_assert_rec(rec_atomic_open(&f, "/nonexistent-dir/x"), REC_EIO, "/nonexistent-dir/x");
    free(path);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_error_messages);
    tcase_add_test(tc, test_error_is_thread_local);
    tcase_add_test(tc, test_alloc_failure_hook);
    tcase_add_test(tc, test_parallel_for_after_fork);
    tcase_add_test(tc, test_rng_streams);
    tcase_add_test(tc, test_parse_numbers);
    tcase_add_test(tc, test_crc32c);
    tcase_add_test(tc, test_parallel_for);
    tcase_add_test(tc, test_atomic_file);
    suite_add_tcase(s, tc);
    return s;
}
