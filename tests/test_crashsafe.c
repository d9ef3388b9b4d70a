/* Crash-safe saving (docs/format.md, "Writing"): a save killed at any point
 * leaves the target as it was or complete, and the temporary files of
 * killed saves are removed by the next successful save, while those of
 * running saves are not: concurrent saves all succeed. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "librec/librec.h"

static rec_model *train(unsigned users, unsigned items, const char *seed)
{
    rec_dataset *ds = rec_test_groups_dataset(users, items, 4, 10, 7);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "dim", "32"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "1"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "threads", "1"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "seed", seed), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    rec_dataset_free(ds);
    return m;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Names in the test directory that start with `prefix`. */
static int count_prefixed(const char *prefix)
{
    DIR *d = opendir(rec_test_dir());
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static int same_bytes(const void *a, size_t na, const void *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

#define N_KILLS 200

START_TEST(test_killed_save_leaves_old_or_new)
{
    /* Two models of different sizes, so that a mix of the two cannot pass
     * for either. */
    rec_model *a = train(600, 400, "1"), *b = train(900, 700, "2");
    char *ref_a = rec_test_path("a.rec"), *ref_b = rec_test_path("b.rec");
    char *target = rec_test_path("target.rec");
    ck_assert_rec(rec_model_save(a, ref_a, NULL), REC_OK, NULL);
    ck_assert_rec(rec_model_save(b, ref_b, NULL), REC_OK, NULL);
    size_t na, nb;
    void *bytes_a = rec_test_read_file(ref_a, &na), *bytes_b = rec_test_read_file(ref_b, &nb);
    ck_assert_ptr_nonnull(bytes_a);
    ck_assert_ptr_nonnull(bytes_b);

    /* Saving is deterministic, so a complete file is byte for byte one of
     * the references. The typical time of one save sets the kill delays. */
    double t0 = now_us();
    for (int r = 0; r < 5; r++)
        ck_assert_rec(rec_model_save(b, target, NULL), REC_OK, NULL);
    double save_us = (now_us() - t0) / 5;
    size_t n;
    void *bytes = rec_test_read_file(target, &n);
    ck_assert(same_bytes(bytes, n, bytes_b, nb));
    free(bytes);
    ck_assert_rec(rec_model_save(a, target, NULL), REC_OK, NULL);

    int saw_a = 0, saw_b = 0, saw_tmp = 0;
    for (int k = 0; k < N_KILLS; k++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            /* Alternate B and A so that kills land in every part of a
             * save, the first one included (delay 0). _exit: the test
             * directory belongs to the parent. */
            for (int r = 0;; r++)
                if (rec_model_save(r % 2 ? a : b, target, NULL) != REC_OK)
                    _exit(1);
        }
        /* Delays from 0 to three saves, stepped. */
        useconds_t delay = (useconds_t)(save_us * 3 * k / N_KILLS);
        if (delay)
            usleep(delay);
        kill(pid, SIGKILL);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status), "the saving child stopped by itself");

        bytes = rec_test_read_file(target, &n);
        ck_assert_ptr_nonnull(bytes);
        int is_a = same_bytes(bytes, n, bytes_a, na), is_b = same_bytes(bytes, n, bytes_b, nb);
        ck_assert_msg(is_a || is_b, "kill %d after %u us: the target is neither model", k,
                      (unsigned)delay);
        saw_a += is_a;
        saw_b += is_b;
        saw_tmp += count_prefixed("target.rec.tmp-") > 0;
        free(bytes);
        rec_model *m = NULL;
        ck_assert_rec(rec_model_load(&m, target), REC_OK, NULL);
        ck_assert_uint_eq(rec_model_n_users(m), is_a ? 600 : 900);
        rec_model_free(m);
    }
    /* The delays cover several saves: both outcomes must have occurred,
     * and some kills must have hit a save between creating its temporary
     * file and renaming it. */
    ck_assert_int_gt(saw_a, 0);
    ck_assert_int_gt(saw_b, 0);
    ck_assert_int_gt(saw_tmp, 0);

    /* Kills leave temporary files; the next successful save removes them
     * all, its own included. */
    ck_assert_rec(rec_model_save(b, target, NULL), REC_OK, NULL);
    ck_assert_int_eq(count_prefixed("target.rec.tmp-"), 0);
    bytes = rec_test_read_file(target, &n);
    ck_assert(same_bytes(bytes, n, bytes_b, nb));
    free(bytes);

    free(bytes_a);
    free(bytes_b);
    free(ref_a);
    free(ref_b);
    free(target);
    rec_model_free(a);
    rec_model_free(b);
}
END_TEST

/* Only temporaries that no save holds locked are stale, and only those of
 * the target being saved: a running save's file (here one this process
 * holds locked, as rec_model_save does) and other targets' files stay. */
START_TEST(test_stale_temporaries)
{
    rec_model *a = train(50, 40, "3");
    char *target = rec_test_path("m.rec");
    char *stale = rec_test_write_file("m.rec.tmp-AbC123", "left by a killed save");
    char *busy = rec_test_write_file("m.rec.tmp-Busy00", "a running save");
    char *other = rec_test_write_file("n.rec.tmp-XyZ789", "another target");
    char *odd = rec_test_write_file("m.rec.tmp-long-name", "not a temporary name");
    int fd = open(busy, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);

    ck_assert_rec(rec_model_save(a, target, NULL), REC_OK, NULL);
    ck_assert_int_ne(access(stale, F_OK), 0);
    ck_assert_int_eq(access(busy, F_OK), 0);
    ck_assert_int_eq(access(other, F_OK), 0);
    ck_assert_int_eq(access(odd, F_OK), 0);
    ck_assert_int_eq(count_prefixed("m.rec.tmp-"), 2);

    /* Once its save has died (the lock is gone), it is stale too. */
    close(fd);
    ck_assert_rec(rec_model_save(a, target, NULL), REC_OK, NULL);
    ck_assert_int_ne(access(busy, F_OK), 0);
    ck_assert_int_eq(count_prefixed("m.rec.tmp-"), 1);

    /* A failed save removes nothing but its own file. */
    char *stale2 = rec_test_write_file("m.rec.tmp-Zz9999", "left by a killed save");
    char *bad = rec_test_path("no-such-dir/m.rec");
    ck_assert_rec(rec_model_save(a, bad, NULL), REC_EIO, "cannot create a temporary file");
    ck_assert_int_eq(access(stale2, F_OK), 0);

    rec_model *m = NULL;
    ck_assert_rec(rec_model_load(&m, target), REC_OK, NULL);
    rec_model_free(m);
    free(target);
    free(stale);
    free(stale2);
    free(busy);
    free(other);
    free(odd);
    free(bad);
    rec_model_free(a);
}
END_TEST

/* Saves running at once, in several processes, each removing stale
 * temporaries after its rename, never remove one another's: every save
 * succeeds and the target ends complete. */
START_TEST(test_concurrent_saves_all_succeed)
{
    rec_model *a = train(200, 150, "4"), *b = train(300, 250, "5");
    char *target = rec_test_path("c.rec");
    pid_t pid[3];
    for (int c = 0; c < 3; c++) {
        pid[c] = fork();
        ck_assert_int_ge(pid[c], 0);
        if (pid[c] == 0) {
            for (int r = 0; r < 40; r++)
                if (rec_model_save((r + c) % 2 ? a : b, target, NULL) != REC_OK)
                    _exit(1);
            _exit(0);
        }
    }
    for (int c = 0; c < 3; c++) {
        int status;
        ck_assert_int_eq(waitpid(pid[c], &status, 0), pid[c]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "saver %d failed", c);
    }
    ck_assert_int_eq(count_prefixed("c.rec.tmp-"), 0);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_load(&m, target), REC_OK, NULL);
    rec_model_free(m);
    free(target);
    rec_model_free(a);
    rec_model_free(b);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("crashsafe");
    TCase *tc = tcase_create("crashsafe");
    tcase_add_test(tc, test_killed_save_leaves_old_or_new);
    tcase_add_test(tc, test_stale_temporaries);
    tcase_add_test(tc, test_concurrent_saves_all_succeed);
    suite_add_tcase(s, tc);
    return s;
}
