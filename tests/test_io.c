/* Model files: bit-exact round trips, saving without interactions, and
 * rejection of truncated, damaged, hostile and newer files, loaded by
 * copying and by mapping. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/crc32c.h"
#include "io/format.h"
#include "model/model.h"

static rec_model *small_model(const char *family, rec_dataset **train_out)
{
    rec_dataset *ds = rec_test_groups_dataset(40, 24, 3, 6, 4);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    if (!strcmp(family, "mf")) {
        ck_assert_rec(rec_train_options_set(o, "dim", "5"), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, "epochs", "3"), REC_OK, NULL);
    }
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    if (train_out)
        *train_out = ds;
    else
        rec_dataset_free(ds);
    return m;
}

static void assert_same_model(const rec_model *a, const rec_model *b)
{
    const rec_serving *x = &a->serving, *y = &b->serving;
    ck_assert_uint_eq(x->n_users, y->n_users);
    ck_assert_uint_eq(x->n_items, y->n_items);
    ck_assert_uint_eq(x->dim, y->dim);
    ck_assert_uint_eq(x->ld, y->ld);
    ck_assert_int_eq(x->scoring, y->scoring);
    ck_assert(memcmp(x->U, y->U, x->n_users * x->ld * sizeof(float)) == 0);
    ck_assert(memcmp(x->V, y->V, x->n_items * x->ld * sizeof(float)) == 0);
    ck_assert_str_eq(a->family->name, b->family->name);
    const rec_train_summary *sa = &a->summary, *sb = &b->summary;
    ck_assert_uint_eq(sa->epochs, sb->epochs);
    ck_assert_uint_eq(sa->best_epoch, sb->best_epoch);
    ck_assert_uint_eq(sa->eval_k, sb->eval_k);
    ck_assert(sa->final_loss == sb->final_loss || (isnan(sa->final_loss) && isnan(sb->final_loss)));
    ck_assert(sa->valid_recall == sb->valid_recall ||
              (isnan(sa->valid_recall) && isnan(sb->valid_recall)));
    ck_assert_uint_eq(a->tensors.n, b->tensors.n);
    for (size_t k = 0; k < a->tensors.n; k++) {
        const rec_tensor *ta = &a->tensors.t[k];
        const rec_tensor *tb = rec_tensors_find(&b->tensors, ta->name);
        ck_assert_ptr_nonnull(tb);
        ck_assert_uint_eq(ta->rows, tb->rows);
        ck_assert_uint_eq(ta->cols, tb->cols);
        ck_assert(memcmp(ta->data, tb->data, ta->rows * ta->ld * sizeof(float)) == 0);
    }
    ck_assert_uint_eq(a->n_settings, b->n_settings);
    for (size_t k = 0; k < a->n_settings; k++) {
        ck_assert_str_eq(a->settings[k].name, b->settings[k].name);
        ck_assert_str_eq(a->settings[k].value, b->settings[k].value);
    }
    const rec_dataset *da = rec_model_dataset(a), *db = rec_model_dataset(b);
    for (uint32_t u = 0; u < x->n_users; u++) {
        const char *ia, *ib;
        ck_assert_rec(rec_dataset_user_id(da, u, &ia), REC_OK, NULL);
        ck_assert_rec(rec_dataset_user_id(db, u, &ib), REC_OK, NULL);
        ck_assert_str_eq(ia, ib);
    }
    for (uint32_t i = 0; i < x->n_items; i++) {
        const char *ia, *ib;
        ck_assert_rec(rec_dataset_item_id(da, i, &ia), REC_OK, NULL);
        ck_assert_rec(rec_dataset_item_id(db, i, &ib), REC_OK, NULL);
        ck_assert_str_eq(ia, ib);
    }
}

START_TEST(test_round_trip)
{
    const char *families[] = { "mf", "pop" };
    for (int f = 0; f < 2; f++) {
        rec_model *m = small_model(families[f], NULL);
        char *path = rec_test_path("rt.rec");
        ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
        rec_model *l = NULL, *mapped = NULL;
        ck_assert_rec(rec_model_load(&l, path), REC_OK, NULL);
        ck_assert_rec(rec_model_load_mapped(&mapped, path), REC_OK, NULL);
        assert_same_model(m, l);
        assert_same_model(m, mapped);
        ck_assert_ptr_nonnull(mapped->serving.mapping);
        ck_assert_int_eq(l->has_interactions, 1);
        ck_assert_uint_eq(rec_dataset_n_interactions(rec_model_dataset(l)),
                          rec_dataset_n_interactions(rec_model_dataset(m)));
        for (uint32_t u = 0; u < rec_model_n_users(m); u++) {
            uint32_t ia[10], ib[10];
            float sa[10], sb[10];
            size_t na, nb;
            ck_assert_rec(rec_model_recommend(m, u, 10, NULL, ia, sa, &na), REC_OK, NULL);
            ck_assert_rec(rec_model_recommend(l, u, 10, NULL, ib, sb, &nb), REC_OK, NULL);
            ck_assert_uint_eq(na, nb);
            ck_assert(memcmp(ia, ib, na * sizeof *ia) == 0);
            ck_assert(memcmp(sa, sb, na * sizeof *sa) == 0);
            ck_assert_rec(rec_model_recommend(mapped, u, 10, NULL, ib, sb, &nb), REC_OK, NULL);
            ck_assert_uint_eq(na, nb);
            ck_assert(memcmp(ia, ib, na * sizeof *ia) == 0);
            ck_assert(memcmp(sa, sb, na * sizeof *sa) == 0);
        }
        /* Saving the loaded models gives the same bytes. */
        const rec_model *loaded[2] = { l, mapped };
        for (int k = 0; k < 2; k++) {
            char *again = rec_test_path("rt2.rec");
            ck_assert_rec(rec_model_save(loaded[k], again, NULL), REC_OK, NULL);
            size_t n1, n2;
            void *b1 = rec_test_read_file(path, &n1), *b2 = rec_test_read_file(again, &n2);
            ck_assert_uint_eq(n1, n2);
            ck_assert(memcmp(b1, b2, n1) == 0);
            free(b1);
            free(b2);
            free(again);
        }
        /* Saving over the mapped file renames a new file over it: the
         * mapped model keeps serving the old matrices. */
        rec_model *other = small_model(families[1 - f], NULL);
        ck_assert_rec(rec_model_save(other, path, NULL), REC_OK, NULL);
        assert_same_model(m, mapped);
        rec_model_free(other);
        free(path);
        rec_model_free(mapped);
        rec_model_free(l);
        rec_model_free(m);
    }
}
END_TEST

START_TEST(test_without_interactions)
{
    rec_model *m = small_model("mf", NULL);
    char *path = rec_test_path("noint.rec");
    rec_save_options so = REC_SAVE_OPTIONS_INIT;
    so.keep_interactions = 0;
    ck_assert_rec(rec_model_save(m, path, &so), REC_OK, NULL);
    rec_model *l = NULL;
    ck_assert_rec(rec_model_load(&l, path), REC_OK, NULL);
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(l, &info), REC_OK, NULL);
    ck_assert_int_eq(info.has_interactions, 0);
    ck_assert_uint_eq(info.n_interactions, 0);
    uint32_t items[5];
    size_t n;
    ck_assert_rec(rec_model_recommend(l, 0, 5, NULL, items, NULL, &n), REC_EINVAL,
                  "exclude_train");
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    ro.exclude_train = 0;
    ck_assert_rec(rec_model_recommend(l, 0, 5, &ro, items, NULL, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 5);
    rec_model_free(l);
    rec_model_free(m);
    free(path);
}
END_TEST

static unsigned char *saved_bytes(size_t *len)
{
    rec_model *m = small_model("mf", NULL);
    char *path = rec_test_path("bytes.rec");
    ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
    unsigned char *b = rec_test_read_file(path, len);
    ck_assert_ptr_nonnull(b);
    free(path);
    rec_model_free(m);
    return b;
}

/* Loads the bytes both ways; both must give the same status. */
static int load_bytes(const void *data, size_t len)
{
    char *path = rec_test_write_bytes("probe.rec", data, len);
    int rc[2];
    for (int mapped = 0; mapped < 2; mapped++) {
        rec_model *m = NULL;
        rc[mapped] = mapped ? rec_model_load_mapped(&m, path) : rec_model_load(&m, path);
        if (rc[mapped] == REC_OK)
            rec_model_free(m);
        else
            ck_assert_ptr_null(m);
    }
    ck_assert_msg(rc[0] == rc[1], "loading copied gave %d, mapped %d", rc[0], rc[1]);
    free(path);
    return rc[0];
}

START_TEST(test_truncated_files)
{
    size_t len;
    unsigned char *b = saved_bytes(&len);
    ck_assert_rec(load_bytes(b, len), REC_OK, NULL);
    for (size_t cut = 0; cut < len; cut++) {
        int rc = load_bytes(b, cut);
        if (rc != REC_ECORRUPT)
            ck_abort_msg("a file cut to %zu of %zu bytes gave %d: %s", cut, len, rc,
                         rec_last_error());
    }
    free(b);
}
END_TEST

/* Every single-byte change is refused: no damaged file loads silently. */
START_TEST(test_every_byte_change)
{
    size_t len;
    unsigned char *b = saved_bytes(&len);
    static const unsigned char flips[] = { 0x01, 0x80, 0xff };
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            b[pos] ^= flips[f];
            int rc = load_bytes(b, len);
            b[pos] ^= flips[f];
            if (rc != REC_ECORRUPT && rc != REC_EVERSION)
                ck_abort_msg("changing byte %zu (xor 0x%02x) gave %d: %s", pos, flips[f],
                             rc, rec_last_error());
        }
    }
    free(b);
}
END_TEST

/* Rewrites the checksums after a deliberate change, so that validation of
 * the values themselves is what the test reaches. */
static void reseal(unsigned char *b)
{
    rec_file_header *h = (rec_file_header *)b;
    rec_file_section *t = (rec_file_section *)(b + sizeof *h);
    for (uint32_t k = 0; k < h->n_sections; k++)
        t[k].crc = rec_crc32c(0, b + t[k].offset, (size_t)t[k].size);
    h->table_crc = rec_crc32c(0, t, h->n_sections * sizeof *t);
    h->header_crc = rec_crc32c(0, h, offsetof(rec_file_header, header_crc));
}

static rec_file_meta *meta_of(unsigned char *b)
{
    rec_file_section *t = (rec_file_section *)(b + sizeof(rec_file_header));
    ck_assert_uint_eq(t[0].kind, REC_SEC_META);
    return (rec_file_meta *)(b + t[0].offset);
}

START_TEST(test_hostile_headers)
{
    size_t len;
    unsigned char *orig = saved_bytes(&len);
    unsigned char *b = malloc(len);

    /* Sizes that would ask for absurd memory are refused before allocating
     * (the allocation hook would fail the load otherwise). */
    static const uint64_t dims[] = { 0, 1u << 31, 65537, UINT64_MAX };
    for (size_t k = 0; k < 4; k++) {
        memcpy(b, orig, len);
        meta_of(b)->dim = dims[k];
        reseal(b);
        ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "dimension");
    }
    static const uint64_t counts[] = { 0xFFFFFFFFull, 0xFFFFFFFEull, 1ull << 40 };
    for (size_t k = 0; k < 3; k++) {
        memcpy(b, orig, len);
        meta_of(b)->n_items = counts[k];
        reseal(b);
        ck_assert_int_eq(load_bytes(b, len), REC_ECORRUPT);
        memcpy(b, orig, len);
        meta_of(b)->n_users = counts[k];
        reseal(b);
        ck_assert_int_eq(load_bytes(b, len), REC_ECORRUPT);
    }
    memcpy(b, orig, len);
    meta_of(b)->ld += 16;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "stride");
    memcpy(b, orig, len);
    meta_of(b)->nnz += 1;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "training items");
    memcpy(b, orig, len);
    strcpy(meta_of(b)->family, "future");
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_EUNSUPPORTED, "'future'");

    /* A value the trainer could never produce. */
    memcpy(b, orig, len);
    rec_file_section *t = (rec_file_section *)(b + sizeof(rec_file_header));
    for (uint32_t k = 0; k < ((rec_file_header *)b)->n_sections; k++)
        if (t[k].kind == REC_SEC_ITEM_MATRIX)
            ((float *)(b + t[k].offset))[1] = NAN;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "item matrix");

    /* A newer format version, and an unknown required section. */
    memcpy(b, orig, len);
    ((rec_file_header *)b)->version = 2;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_EVERSION, "version 2");
    memcpy(b, orig, len);
    t[1].kind = 99;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_EVERSION, "kind 99");

    /* Not a model file at all, and files that are not there. */
    ck_assert_rec(load_bytes("hello world, this is text", 25), REC_ECORRUPT, "not a librec");
    ck_assert_rec(load_bytes("", 0), REC_ECORRUPT, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_load(&m, "/nonexistent/model.rec"), REC_EIO, "/nonexistent");
    ck_assert_rec(rec_model_load(&m, rec_test_dir()), REC_EIO, "not a regular file");
    free(b);
    free(orig);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define REC_TEST_SANITIZED 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define REC_TEST_SANITIZED 1
#  endif
#endif

/* Loads the bytes in a child whose address space may grow by only 256 MiB:
 * a loader that allocated what a hostile header claims before refusing it
 * would fail there with REC_ENOMEM (or die) instead of refusing with
 * REC_ECORRUPT. Sanitizer runtimes reserve terabytes of shadow memory and
 * cannot run under such a limit; there the plain status check is all. */
static void assert_refused_small(const void *data, size_t len, const char *fragment)
{
#ifdef REC_TEST_SANITIZED
    ck_assert_rec(load_bytes(data, len), REC_ECORRUPT, fragment);
#else
    char *path = rec_test_write_bytes("hostile.rec", data, len);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        long pages = 0;
        FILE *f = fopen("/proc/self/statm", "r");
        if (!f || fscanf(f, "%ld", &pages) != 1)
            _exit(90);
        fclose(f);
        rlim_t cap = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (256u << 20);
        struct rlimit rl = { cap, cap };
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(91);
        for (int mapped = 0; mapped < 2; mapped++) {
            rec_model *m = NULL;
            int rc = mapped ? rec_model_load_mapped(&m, path) : rec_model_load(&m, path);
            if (rc != REC_ECORRUPT || m)
                _exit(10 + mapped);
            if (fragment && !strstr(rec_last_error(), fragment))
                _exit(20 + mapped);
        }
        _exit(0);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "a hostile header under a 256 MiB allowance: status 0x%x", status);
    /* The same refusal in this process, to show the message on failure. */
    ck_assert_rec(load_bytes(data, len), REC_ECORRUPT, fragment);
    free(path);
#endif
}

/* Sizes a few hundred bytes of file claim but that would need gigabytes:
 * refused from the header and the section table alone. */
START_TEST(test_hostile_sizes_no_allocation)
{
    size_t len;
    unsigned char *orig = saved_bytes(&len);
    unsigned char *b = malloc(len);

    memcpy(b, orig, len);
    meta_of(b)->dim = 1ull << 31;
    meta_of(b)->ld = 1ull << 31;
    reseal(b);
    assert_refused_small(b, len, "invalid dimension 2147483648");

    /* 2^32 - 2 users is the most an id map holds: the header passes the
     * count check, and the matrix section, far too small, is refused. */
    memcpy(b, orig, len);
    meta_of(b)->n_users = 0xFFFFFFFEull;
    reseal(b);
    assert_refused_small(b, len, "user matrix section has");
    memcpy(b, orig, len);
    meta_of(b)->n_items = 0xFFFFFFFEull;
    reseal(b);
    assert_refused_small(b, len, "item matrix section has");
    memcpy(b, orig, len);
    meta_of(b)->n_users = 0xFFFFFFFFull;
    reseal(b);
    assert_refused_small(b, len, "invalid counts: 4294967295 users");
    memcpy(b, orig, len);
    meta_of(b)->n_items = 1ull << 40;
    reseal(b);
    assert_refused_small(b, len, "1099511627776 items");
    /* A training-interaction count near 2^32 with the sections unchanged. */
    memcpy(b, orig, len);
    meta_of(b)->nnz = 0xFFFFFFF0ull;
    reseal(b);
    assert_refused_small(b, len, "training items section has");

    /* Meta fields out of range are named. */
    memcpy(b, orig, len);
    meta_of(b)->scoring = 77;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "invalid scoring function 77");
    memcpy(b, orig, len);
    meta_of(b)->has_item_bias = 2;
    reseal(b);
    ck_assert_rec(load_bytes(b, len), REC_ECORRUPT, "has_item_bias 2");
    free(b);
    free(orig);
}
END_TEST

/* Out of memory while loading: the message names the file. */
START_TEST(test_load_nomem_names_file)
{
    size_t len;
    unsigned char *b = saved_bytes(&len);
    char *path = rec_test_write_bytes("nomem.rec", b, len);
    for (int mapped = 0; mapped < 2; mapped++) {
        for (long n = 1;; n++) {
            rec_model *m = NULL;
            rec_alloc_fail_after(n);
            int rc = mapped ? rec_model_load_mapped(&m, path) : rec_model_load(&m, path);
            rec_alloc_fail_after(0);
            if (rc == REC_OK) {
                rec_model_free(m);
                break;
            }
            ck_assert_rec(rc, REC_ENOMEM, "nomem.rec");
            ck_assert_ptr_null(m);
        }
    }
    free(path);
    free(b);
}
END_TEST

START_TEST(test_failed_save_keeps_old_file)
{
    rec_model *m = small_model("mf", NULL);
    char *path = rec_test_write_file("keep.rec", "previous content");
    for (long n = 1; n < 4; n++) {
        rec_alloc_fail_after(n);
        int rc = rec_model_save(m, path, NULL);
        rec_alloc_fail_after(0);
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        size_t len;
        char *s = rec_test_read_file(path, &len);
        ck_assert_uint_eq(len, strlen("previous content"));
        free(s);
    }
    ck_assert_rec(rec_model_save(m, "/nonexistent-dir/m.rec", NULL), REC_EIO, "nonexistent-dir");
    /* Allocation failures while loading: test_load_nomem_names_file. */
    ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
    rec_model *l = NULL;
    ck_assert_rec(rec_model_load_mapped(&l, "/nonexistent-dir/m.rec"), REC_EIO, "nonexistent-dir");
    ck_assert_rec(rec_model_load_mapped(NULL, path), REC_EINVAL, "out");
    ck_assert_rec(rec_model_load_mapped(&l, NULL), REC_EINVAL, "path");
    rec_model_free(m);
    free(path);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("io");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_without_interactions);
    tcase_add_test(tc, test_truncated_files);
    tcase_add_test(tc, test_every_byte_change);
    tcase_add_test(tc, test_hostile_headers);
    tcase_add_test(tc, test_hostile_sizes_no_allocation);
    tcase_add_test(tc, test_load_nomem_names_file);
    tcase_add_test(tc, test_failed_save_keeps_old_file);
    suite_add_tcase(s, tc);
    return s;
}
