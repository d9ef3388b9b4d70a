#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "librec/librec.h"
#include "core/alloc.h"
#include "kernels/kernels.h"

static char test_dir[256];

static void remove_test_dir(void)
{
    DIR *d = opendir(test_dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", test_dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(test_dir);
}

const char *rec_test_dir(void)
{
    if (!test_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(test_dir, sizeof test_dir, "%s/librec-test-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(test_dir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_test_dir);
    }
    return test_dir;
}

char *rec_test_path(const char *name)
{
    const char *dir = rec_test_dir();
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *rec_test_write_bytes(const char *name, const void *data, size_t len)
{
    char *p = rec_test_path(name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

char *rec_test_write_file(const char *name, const char *text)
{
    return rec_test_write_bytes(name, text, strlen(text));
}

void *rec_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

void rec_test_assert_rc(int rc, int expected, const char *fragment,
                        const char *file, int line)
{
    if (rc != expected)
        ck_abort_msg("%s:%d: status %d (%s), expected %d (%s); last error: %s",
                     file, line, rc, rec_strerror(rc), expected,
                     rec_strerror(expected), rec_last_error());
    if (fragment && !strstr(rec_last_error(), fragment))
        ck_abort_msg("%s:%d: error message \"%s\" does not contain \"%s\"",
                     file, line, rec_last_error(), fragment);
}

static uint64_t fixture_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

struct rec_dataset *rec_test_groups_dataset(unsigned users, unsigned items,
                                            unsigned groups, unsigned per_user,
                                            uint64_t seed)
{
    size_t n = (size_t)users * per_user;
    int64_t *u = malloc(n * sizeof *u), *i = malloc(n * sizeof *i);
    ck_assert_ptr_nonnull(u);
    ck_assert_ptr_nonnull(i);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    unsigned per_group = items / groups;
    size_t k = 0;
    for (unsigned user = 0; user < users; user++) {
        for (unsigned r = 0; r < per_user; r++) {
            unsigned g = (fixture_next(&s) % 10 < 8) ? user % groups
                                                      : (unsigned)(fixture_next(&s) % groups);
            unsigned a = (unsigned)(fixture_next(&s) % per_group);
            unsigned b = (unsigned)(fixture_next(&s) % per_group);
            u[k] = user;
            i[k] = (int64_t)g * per_group + (a < b ? a : b);
            k++;
        }
    }
    rec_dataset *ds = NULL;
    int rc = rec_dataset_from_int_arrays(&ds, n, u, i, NULL, NULL, NULL, NULL);
    if (rc != REC_OK)
        ck_abort_msg("building the fixture: %s", rec_last_error());
    free(u);
    free(i);
    return ds;
}

double rec_test_recall20(const rec_model *m, const rec_dataset *test)
{
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, NULL), REC_OK, NULL);
    double r = 0.0;
    ck_assert_rec(rec_eval_get(ev, "recall@20", &r), REC_OK, NULL);
    rec_eval_free(ev);
    return r;
}

long rec_test_alloc_sweep(rec_test_op op, void *ctx)
{
    for (long n = 1;; n++) {
        rec_alloc_fail_after(n);
        int rc = op(ctx);
        rec_alloc_fail_after(0);
        if (rc == REC_OK)
            return n - 1;
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        ck_assert_int_lt(n, 1000000);
    }
}

typedef struct train_op {
    const rec_dataset *ds;
    const rec_train_options *o;
} train_op;

static int train_once(void *p)
{
    train_op *t = p;
    rec_model *m = NULL;
    int rc = rec_model_train(&m, t->ds, t->o);
    if (rc != REC_OK)
        ck_assert_ptr_null(m);
    rec_model_free(m);
    return rc;
}

void rec_test_train_alloc_sweep(const rec_dataset *ds, const rec_train_options *o)
{
    train_op t = { ds, o };
    rec_test_alloc_sweep(train_once, &t);
}

const char *const rec_test_losses[REC_TEST_N_LOSSES][4] = {
    { "loss", "bpr", NULL, NULL },
    { "loss", "bce", NULL, NULL },
    { "loss", "softmax", "temperature", "0.5" },
    { "loss", "hinge", "margin", "1" },
};

/* A model of `family` trained on tr with the name and value pairs of a and
 * then b (each NULL-terminated, or NULL). */
static rec_model *train_with(const char *family, const rec_dataset *tr,
                             const char *const *a, const char *const *b)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    const char *const *lists[2] = { a, b };
    for (int l = 0; l < 2; l++)
        for (size_t k = 0; lists[l] && lists[l][k]; k += 2)
            ck_assert_rec(rec_train_options_set(o, lists[l][k], lists[l][k + 1]), REC_OK,
                          NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

void rec_test_objectives_learn(const char *family, const char *const *settings,
                               double factor)
{
    static const char *const samplers[] = { "uniform", "pop", "dns", "inbatch" };
    static const char *const losses[] = { "bpr", "bce", "softmax", "hinge" };
    rec_dataset *all = rec_test_groups_dataset(400, 200, 8, 10, 31);
    rec_dataset *tr = NULL, *te = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &te, all, NULL), REC_OK, NULL);
    rec_model *pop = train_with("pop", tr, NULL, NULL);
    double bar = rec_test_recall20(pop, te);
    rec_model_free(pop);
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) {
            const char *const objective[] = { "negatives", "2", "sampler", samplers[a],
                                              "loss", losses[b], NULL };
            rec_model *m = train_with(family, tr, settings, objective);
            rec_model_info info = REC_MODEL_INFO_INIT;
            ck_assert_rec(rec_model_info_get(m, &info), REC_OK, NULL);
            double r = rec_test_recall20(m, te);
            ck_assert_msg(isfinite(info.final_loss), "%s, %s, %s: loss %g", family,
                          samplers[a], losses[b], info.final_loss);
            ck_assert_msg(r > factor * bar, "%s, %s, %s: recall@20 %.4f vs popularity %.4f",
                          family, samplers[a], losses[b], r, bar);
            rec_model_free(m);
        }
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}

void rec_test_default_objective(const char *family, const char *const *settings)
{
    static const char *const explicit[] = { "loss", "bpr", "sampler", "uniform",
                                            "negatives", "1", NULL };
    rec_dataset *ds = rec_test_groups_dataset(200, 100, 5, 8, 3);
    rec_model *a = train_with(family, ds, settings, NULL);
    rec_model *b = train_with(family, ds, settings, explicit);
    size_t n_items = rec_model_n_items(a);
    ck_assert_uint_eq(rec_model_n_users(a), rec_model_n_users(b));
    ck_assert_uint_eq(n_items, rec_model_n_items(b));
    uint32_t *items = malloc(n_items * sizeof *items);
    float *sa = malloc(n_items * sizeof *sa), *sb = malloc(n_items * sizeof *sb);
    ck_assert(items && sa && sb);
    for (size_t i = 0; i < n_items; i++)
        items[i] = (uint32_t)i;
    for (uint32_t u = 0; u < rec_model_n_users(a); u++) {
        ck_assert_rec(rec_model_score(a, u, items, n_items, sa), REC_OK, NULL);
        ck_assert_rec(rec_model_score(b, u, items, n_items, sb), REC_OK, NULL);
        ck_assert_msg(memcmp(sa, sb, n_items * sizeof *sa) == 0, "%s: user %u scores differ",
                      family, u);
    }
    free(items);
    free(sa);
    free(sb);
    rec_model_free(a);
    rec_model_free(b);
    rec_dataset_free(ds);
}

int rec_test_best_first(const void *pa, const void *pb)
{
    const rec_scored *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->item < b->item ? -1 : a->item > b->item;
}
