/* Fuzz target: a short sequence of API calls driven by the input. The
 * first bytes choose the model family and a few settings, the rest are
 * (user, item) pairs of a small dataset. The model is trained for one or
 * two epochs at dimension 4, scored, asked for recommendations, saved,
 * loaded back (copied and mapped) and compared. Any REC_E* return is an
 * acceptable outcome; crashes, leaks and undefined behaviour are not. */
#include "fuzz_common.h"

#include <librec/librec.h>
#include <string.h>

#define MAX_ROWS 48

static char save_dir[64];
static char save_path[96];

static void remove_dir(void)
{
    unlink(save_path);
    rmdir(save_dir);
}

static const char *temp_path(void)
{
    if (!save_dir[0]) {
        /* rec_model_save() flushes to disk: in memory (/dev/shm) that
         * costs nothing, on a disk it halves the executions per second. */
        const char *tmp = getenv("TMPDIR");
        if (!tmp || strlen(tmp) >= 32)
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(save_dir, sizeof save_dir, "%s/librec-fuzz-XXXXXX", tmp);
        if (!mkdtemp(save_dir)) {
            perror("mkdtemp");
            abort();
        }
        snprintf(save_path, sizeof save_path, "%s/model.rec", save_dir);
        atexit(remove_dir);
    }
    return save_path;
}

static void check_same(const rec_model *a, const rec_model *b, uint32_t user)
{
    if (rec_model_n_users(a) != rec_model_n_users(b) ||
        rec_model_n_items(a) != rec_model_n_items(b) ||
        rec_model_dim(a) != rec_model_dim(b))
        abort();
    size_t ni = rec_model_n_items(a);
    if (ni == 0 || user >= rec_model_n_users(a))
        return;
    float sa[8], sb[8];
    uint32_t items[8];
    size_t n = ni < 8 ? ni : 8;
    for (size_t j = 0; j < n; j++)
        items[j] = (uint32_t)j;
    int ra = rec_model_score(a, user, items, n, sa);
    int rb = rec_model_score(b, user, items, n, sb);
    if (ra != rb || (ra == 0 && memcmp(sa, sb, n * sizeof *sa) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t n_families = 0;
    while (rec_family_name(n_families))
        n_families++;
    const char *family = rec_family_name(data[0] % n_families);
    unsigned epochs = 1 + (data[1] & 1);
    uint8_t flags = data[2];
    uint8_t k = data[3] % 12;
    data += 4;
    size -= 4;

    /* Up to 48 interactions among 8 users and 8 items. */
    int64_t users[MAX_ROWS], items[MAX_ROWS];
    float ratings[MAX_ROWS];
    size_t n = 0;
    for (; n < MAX_ROWS && 2 * n + 1 < size; n++) {
        users[n] = data[2 * n] & 7;
        items[n] = data[2 * n + 1] & 7;
        ratings[n] = (float)(data[2 * n + 1] >> 3);
    }

    rec_dataset *ds = NULL;
    rec_train_options *opts = NULL;
    rec_model *model = NULL, *copy = NULL, *mapped = NULL;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = (rec_duplicates)(flags % 4); /* not ERROR */
    if (rec_dataset_from_int_arrays(&ds, n, users, items,
                                    (flags & 4) ? ratings : NULL, NULL,
                                    &load, NULL) != 0)
        goto out;
    if (rec_train_options_new(&opts, family) != 0)
        abort();
    char buf[16];
    (void)rec_train_options_set(opts, "dim", "4");
    snprintf(buf, sizeof buf, "%u", epochs);
    (void)rec_train_options_set(opts, "epochs", buf);
    (void)rec_train_options_set(opts, "threads", "1");
    snprintf(buf, sizeof buf, "%u", (unsigned)(flags >> 4));
    (void)rec_train_options_set(opts, "seed", buf);
    (void)rec_train_options_set(opts, "layers", (flags & 8) ? "1" : "2");
    (void)rec_train_options_set(opts, "batch", (flags & 16) ? "4" : "64");
    if (rec_model_train(&model, ds, opts) != 0)
        goto out;

    uint32_t user = (uint32_t)(flags % 9); /* 8 may be out of range */
    uint32_t rec_items[12];
    float rec_scores[12];
    size_t n_out = 0;
    rec_recommend_options ropts = REC_RECOMMEND_OPTIONS_INIT;
    ropts.exclude_train = (flags >> 5) & 1;
    (void)rec_model_recommend(model, user, k, &ropts, rec_items, rec_scores, &n_out);
    if (n_out > k)
        abort();
    uint32_t batch_users[2] = { 0, user };
    size_t batch_n[2];
    uint32_t batch_items[24];
    (void)rec_model_recommend_batch(model, batch_users, 2, k, &ropts, 1,
                                    batch_items, NULL, batch_n);

    rec_save_options sopts = REC_SAVE_OPTIONS_INIT;
    sopts.keep_interactions = !((flags >> 6) & 1);
    const char *path = temp_path();
    if (rec_model_save(model, path, &sopts) == 0) {
        if (rec_model_load(&copy, path) != 0 ||
            rec_model_load_mapped(&mapped, path) != 0)
            abort(); /* a file just saved must load */
        check_same(model, copy, user);
        check_same(model, mapped, user);
        unlink(path);
    }

out:
    rec_model_free(mapped);
    rec_model_free(copy);
    rec_model_free(model);
    rec_train_options_free(opts);
    rec_dataset_free(ds);
    return 0;
}
