/* The versioned structs of the public header (docs/abi.md).
 *
 * Every options struct has a REC_*_OPTIONS_INIT macro and a
 * rec_*_options_init() function, which must give the same values field by
 * field (memcmp would compare the padding too).
 *
 * Every call that takes a versioned struct must accept each version the
 * library knows and use only the fields of the caller's version: an options
 * struct of an older version with garbage after its fields gives what the
 * defaults give, and a struct the library fills keeps the bytes after the
 * caller's fields as they were. Each call also runs on a copy of exactly
 * the bytes of the old version, on the heap, so that AddressSanitizer (the
 * sanitize build) sees any access past the end of an old caller's struct.
 *
 * check_header.py checks that every REC_*_INIT macro of the header is
 * named in this file. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"

/* The most versions any struct has had; raise it when one gets more. */
#define MAX_VERSIONS 2
#define GARBAGE 0xA5

static rec_dataset *all, *train, *test;
static rec_model *model;
static rec_kg *kg;
static char *csv_path, *adjlist_path, *out_path;

static void setup(void)
{
    all = rec_test_groups_dataset(40, 24, 2, 6, 1);
    ck_assert_rec(rec_dataset_split(&train, &test, all, NULL), REC_OK, NULL);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "2"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "threads", "1"), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&model, train, o), REC_OK, NULL);
    rec_train_options_free(o);
    csv_path = rec_test_write_file("in.csv", "user,item,rating\n"
                                   "u1,i1,5\nu1,i2,3\nu2,i1,4\nu2,i3,1\nu3,i2,2\nu1,i1,4\n");
    adjlist_path = rec_test_write_file("in.txt", "0 1 2\n1 2 3\n2 0\n3\n");
    char *kg_path = rec_test_write_file("kg.txt", "0 r 100\n1 r 100\n");
    ck_assert_rec(rec_kg_load(&kg, kg_path, NULL), REC_OK, NULL);
    free(kg_path);
    out_path = rec_test_path("out");
}

static void teardown(void)
{
    rec_kg_free(kg);
    rec_model_free(model);
    rec_dataset_free(test);
    rec_dataset_free(train);
    rec_dataset_free(all);
    free(csv_path);
    free(adjlist_path);
    free(out_path);
}

/* ------------------------------------------------------------------------ */
/* The macros and the init functions                                        */
/* ------------------------------------------------------------------------ */

/* a.f == b.f, for structs a and b of the kind named by `what`. */
#define SAME(f) ck_assert_msg(a.f == b.f, "%s: field " #f " differs", what)

/* a holds the macro's values, b what the init function writes over garbage
 * (and the init function refuses NULL). */
#define MACRO_AND_INIT(type, macro, init) \
    type a = macro, b; \
    memset(&b, GARBAGE, sizeof b); \
    ck_assert_rec(init(&b), REC_OK, NULL); \
    ck_assert_rec(init(NULL), REC_EINVAL, "opts"); \
    const char *what = #type

START_TEST(test_macros_equal_init_functions)
{
    {
        MACRO_AND_INIT(rec_load_options, REC_LOAD_OPTIONS_INIT, rec_load_options_init);
        SAME(version); SAME(skip_bad_lines); SAME(use_min_rating); SAME(min_rating);
        SAME(duplicates); SAME(unknown_ids);
    }
    {
        MACRO_AND_INIT(rec_csv_options, REC_CSV_OPTIONS_INIT, rec_csv_options_init);
        SAME(version); SAME(delimiter); SAME(quote); SAME(has_header);
        SAME(user_col); SAME(item_col); SAME(rating_col); SAME(time_col);
    }
    {
        MACRO_AND_INIT(rec_split_options, REC_SPLIT_OPTIONS_INIT, rec_split_options_init);
        SAME(version); SAME(method); SAME(train_ratio); SAME(seed);
    }
    {
        MACRO_AND_INIT(rec_graph_options, REC_GRAPH_OPTIONS_INIT, rec_graph_options_init);
        SAME(version); SAME(norm); SAME(self_loops);
    }
    {
        MACRO_AND_INIT(rec_sampler_options, REC_SAMPLER_OPTIONS_INIT,
                       rec_sampler_options_init);
        SAME(version); SAME(kind); SAME(alpha); SAME(candidates); SAME(negatives);
        SAME(seed);
    }
    {
        MACRO_AND_INIT(rec_recommend_options, REC_RECOMMEND_OPTIONS_INIT,
                       rec_recommend_options_init);
        SAME(version); SAME(exclude_train); SAME(blocklist); SAME(n_blocklist);
        SAME(candidates); SAME(n_candidates);
    }
    {
        MACRO_AND_INIT(rec_eval_options, REC_EVAL_OPTIONS_INIT, rec_eval_options_init);
        SAME(version); SAME(ks); SAME(n_ks); SAME(threads); SAME(exclude_train);
        SAME(beyond_accuracy); SAME(protocol); SAME(sample_negatives); SAME(seed);
        SAME(n_catalog); SAME(item_counts); SAME(n_train_users);
    }
    {
        MACRO_AND_INIT(rec_save_options, REC_SAVE_OPTIONS_INIT, rec_save_options_init);
        SAME(version); SAME(keep_interactions);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Digests of what a call produced: equal digests, equal results            */
/* ------------------------------------------------------------------------ */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9ull;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t k = 0; k < n; k++)
        h = mix(h, b[k]);
    return mix(h, n);
}

static uint64_t mix_float(uint64_t h, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return mix(h, bits);
}

static uint64_t digest_dataset(const rec_dataset *ds)
{
    uint64_t h = mix(mix(rec_dataset_n_users(ds), rec_dataset_n_items(ds)),
                     rec_dataset_n_interactions(ds));
    for (uint32_t u = 0; u < rec_dataset_n_users(ds); u++) {
        const uint32_t *items;
        const float *ratings;
        size_t n;
        ck_assert_rec(rec_dataset_user_items(ds, u, &items, &ratings, NULL, &n), REC_OK, NULL);
        for (size_t k = 0; k < n; k++)
            h = mix_float(mix(h, items[k]), ratings ? ratings[k] : -1.0f);
    }
    return h;
}

static uint64_t digest_file(const char *path)
{
    size_t len;
    void *bytes = rec_test_read_file(path, &len);
    ck_assert_ptr_nonnull(bytes);
    uint64_t h = mix_bytes(0, bytes, len);
    free(bytes);
    return h;
}

static uint64_t digest_list(const uint32_t *items, const float *scores, size_t n)
{
    uint64_t h = mix(0, n);
    for (size_t k = 0; k < n; k++)
        h = mix_float(mix(h, items[k]), scores[k]);
    return h;
}

static uint64_t digest_eval(const rec_eval *ev)
{
    uint64_t h = mix(0, rec_eval_count(ev));
    for (size_t k = 0; k < rec_eval_count(ev); k++) {
        const char *name;
        double v;
        ck_assert_rec(rec_eval_at(ev, k, &name, &v), REC_OK, NULL);
        h = mix_bytes(h, name, strlen(name));
        h = mix_bytes(h, &v, sizeof v);
    }
    return h;
}

/* ------------------------------------------------------------------------ */
/* The calls that take each options struct                                  */
/* ------------------------------------------------------------------------ */

/* A call with the options at `opts` (NULL: defaults): its status, and on
 * success a digest of what it produced. */
typedef int (*call_fn)(const void *opts, uint64_t *digest);

static int finish_dataset(int rc, rec_dataset *ds, uint64_t *digest)
{
    if (rc == REC_OK)
        *digest = digest_dataset(ds);
    rec_dataset_free(ds);
    return rc;
}

static int call_load_csv(const void *opts, uint64_t *digest)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_dataset *ds = NULL;
    int rc = rec_dataset_load_csv(&ds, csv_path, &csv, opts, NULL);
    return finish_dataset(rc, ds, digest);
}

static int call_load_adjlist(const void *opts, uint64_t *digest)
{
    rec_dataset *ds = NULL;
    int rc = rec_dataset_load_adjlist(&ds, adjlist_path, opts, NULL);
    return finish_dataset(rc, ds, digest);
}

static const char *const array_users[] = { "a", "a", "b", "c", "a" };
static const char *const array_items[] = { "x", "y", "x", "z", "x" };
static const int64_t int_users[] = { 7, 7, 8, 9, 7 };
static const int64_t int_items[] = { 1, 2, 1, 3, 1 };
static const float array_ratings[] = { 1, 2, 3, 4, 5 };
#define N_ARRAY 5

static int call_from_arrays(const void *opts, uint64_t *digest)
{
    rec_dataset *ds = NULL;
    int rc = rec_dataset_from_arrays(&ds, N_ARRAY, array_users, array_items, array_ratings,
                                     NULL, opts, NULL);
    return finish_dataset(rc, ds, digest);
}

static int call_from_int_arrays(const void *opts, uint64_t *digest)
{
    rec_dataset *ds = NULL;
    int rc = rec_dataset_from_int_arrays(&ds, N_ARRAY, int_users, int_items, array_ratings,
                                         NULL, opts, NULL);
    return finish_dataset(rc, ds, digest);
}

static int call_csv_load(const void *opts, uint64_t *digest)
{
    rec_dataset *ds = NULL;
    int rc = rec_dataset_load_csv(&ds, csv_path, opts, NULL, NULL);
    return finish_dataset(rc, ds, digest);
}

static int call_csv_save(const void *opts, uint64_t *digest)
{
    int rc = rec_dataset_save_csv(all, out_path, opts);
    if (rc == REC_OK)
        *digest = digest_file(out_path);
    return rc;
}

static int call_split(const void *opts, uint64_t *digest)
{
    rec_dataset *a = NULL, *b = NULL;
    int rc = rec_dataset_split(&a, &b, all, opts);
    if (rc == REC_OK)
        *digest = mix(digest_dataset(a), digest_dataset(b));
    rec_dataset_free(a);
    rec_dataset_free(b);
    return rc;
}

static int call_graph(const void *opts, uint64_t *digest)
{
    rec_graph *g = NULL;
    int rc = rec_graph_new(&g, all, opts);
    if (rc == REC_OK) {
        uint64_t h = mix(rec_graph_n_nodes(g), rec_graph_n_edges(g));
        for (uint32_t node = 0; node < rec_graph_n_nodes(g); node++) {
            const uint32_t *nodes;
            const float *weights;
            size_t n;
            ck_assert_rec(rec_graph_neighbors(g, node, &nodes, &weights, &n), REC_OK, NULL);
            h = mix(h, digest_list(nodes, weights, n));
        }
        *digest = h;
    }
    rec_graph_free(g);
    return rc;
}

static int call_sampler(const void *opts, uint64_t *digest)
{
    rec_sampler *s = NULL;
    int rc = rec_sampler_new(&s, train, opts);
    if (rc == REC_OK) {
        enum { N = 32 };
        uint32_t users[N], pos[N], neg[N];   /* the default: one negative each */
        ck_assert_rec(rec_sampler_next(s, model, N, users, pos, neg), REC_OK, NULL);
        uint64_t h = mix_bytes(0, users, sizeof users);
        h = mix_bytes(h, pos, sizeof pos);
        *digest = mix_bytes(h, neg, sizeof neg);
    }
    rec_sampler_free(s);
    return rc;
}

enum { K = 5 };

static int call_recommend(const void *opts, uint64_t *digest)
{
    uint32_t items[K];
    float scores[K];
    size_t n;
    int rc = rec_model_recommend(model, 1, K, opts, items, scores, &n);
    if (rc == REC_OK)
        *digest = digest_list(items, scores, n);
    return rc;
}

static int call_recommend_ext(const void *opts, uint64_t *digest)
{
    const char *user, *items[K];
    float scores[K];
    size_t n;
    ck_assert_rec(rec_dataset_user_id(train, 1, &user), REC_OK, NULL);
    int rc = rec_model_recommend_ext(model, user, K, opts, items, scores, &n);
    if (rc == REC_OK) {
        uint64_t h = mix(0, n);
        for (size_t k = 0; k < n; k++)
            h = mix_float(mix_bytes(h, items[k], strlen(items[k])), scores[k]);
        *digest = h;
    }
    return rc;
}

static int call_recommend_batch(const void *opts, uint64_t *digest)
{
    const uint32_t users[2] = { 1, 0 };
    uint32_t items[2 * K];
    float scores[2 * K];
    size_t n[2];
    int rc = rec_model_recommend_batch(model, users, 2, K, opts, 1, items, scores, n);
    if (rc == REC_OK)
        *digest = mix(digest_list(items, scores, n[0]), digest_list(items + K, scores + K, n[1]));
    return rc;
}

static int call_recommend_vector(const void *opts, uint64_t *digest)
{
    float vector[64];
    ck_assert_uint_le(rec_model_dim(model), 64);
    for (size_t d = 0; d < rec_model_dim(model); d++)
        vector[d] = (float)(d % 5) * 0.25f - 0.5f;
    uint32_t items[K];
    float scores[K];
    size_t n;
    int rc = rec_model_recommend_vector(model, vector, K, opts, items, scores, &n);
    if (rc == REC_OK)
        *digest = digest_list(items, scores, n);
    return rc;
}

static int call_eval_run(const void *opts, uint64_t *digest)
{
    rec_eval *ev = NULL;
    int rc = rec_eval_run(&ev, model, NULL, test, opts);
    if (rc == REC_OK)
        *digest = digest_eval(ev);
    rec_eval_free(ev);
    return rc;
}

static int call_eval_lists(const void *opts, uint64_t *digest)
{
    static const size_t list_ptr[] = { 0, 3, 5, 8 };
    static const uint32_t list_items[] = { 4, 1, 2, 9, 3, 1, 2, 3 };
    static const size_t rel_ptr[] = { 0, 1, 3, 3 };
    static const uint32_t rel_items[] = { 1, 3, 7 };
    rec_eval *ev = NULL;
    int rc = rec_eval_lists(&ev, 3, list_ptr, list_items, rel_ptr, rel_items, opts);
    if (rc == REC_OK)
        *digest = digest_eval(ev);
    rec_eval_free(ev);
    return rc;
}

static int call_save(const void *opts, uint64_t *digest)
{
    int rc = rec_model_save(model, out_path, opts);
    if (rc == REC_OK)
        *digest = digest_file(out_path);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Options structs of older versions                                        */
/* ------------------------------------------------------------------------ */

typedef struct options_case {
    const char *type;
    uint32_t current;                 /* its REC_*_VERSION */
    size_t size;
    size_t ends[MAX_VERSIONS];        /* ends[v - 1]: where version v's fields end */
    void (*defaults)(void *opts);     /* the macro's values */
    struct { const char *name; call_fn fn; } calls[5];
} options_case;

/* fn(p) writes the macro's values to the struct at p. */
#define DEFAULTS_FN(fn, type, macro) \
    static void fn(void *p) \
    { \
        type v = macro; \
        memcpy(p, &v, sizeof v); \
    }
DEFAULTS_FN(load_defaults, rec_load_options, REC_LOAD_OPTIONS_INIT)
DEFAULTS_FN(csv_defaults, rec_csv_options, REC_CSV_OPTIONS_INIT)
DEFAULTS_FN(split_defaults, rec_split_options, REC_SPLIT_OPTIONS_INIT)
DEFAULTS_FN(graph_defaults, rec_graph_options, REC_GRAPH_OPTIONS_INIT)
DEFAULTS_FN(sampler_defaults, rec_sampler_options, REC_SAMPLER_OPTIONS_INIT)
DEFAULTS_FN(recommend_defaults, rec_recommend_options, REC_RECOMMEND_OPTIONS_INIT)
DEFAULTS_FN(eval_defaults, rec_eval_options, REC_EVAL_OPTIONS_INIT)
DEFAULTS_FN(save_defaults, rec_save_options, REC_SAVE_OPTIONS_INIT)

#define CALL(f) { #f, f }
static const options_case options_cases[] = {
    { "rec_load_options", REC_LOAD_OPTIONS_VERSION, sizeof(rec_load_options),
      { sizeof(rec_load_options) }, load_defaults,
      { CALL(call_load_csv), CALL(call_load_adjlist), CALL(call_from_arrays),
        CALL(call_from_int_arrays) } },
    { "rec_csv_options", REC_CSV_OPTIONS_VERSION, sizeof(rec_csv_options),
      { sizeof(rec_csv_options) }, csv_defaults,
      { CALL(call_csv_load), CALL(call_csv_save) } },
    { "rec_split_options", REC_SPLIT_OPTIONS_VERSION, sizeof(rec_split_options),
      { sizeof(rec_split_options) }, split_defaults, { CALL(call_split) } },
    { "rec_graph_options", REC_GRAPH_OPTIONS_VERSION, sizeof(rec_graph_options),
      { sizeof(rec_graph_options) }, graph_defaults, { CALL(call_graph) } },
    { "rec_sampler_options", REC_SAMPLER_OPTIONS_VERSION, sizeof(rec_sampler_options),
      { sizeof(rec_sampler_options) }, sampler_defaults, { CALL(call_sampler) } },
    { "rec_recommend_options", REC_RECOMMEND_OPTIONS_VERSION, sizeof(rec_recommend_options),
      { offsetof(rec_recommend_options, candidates), sizeof(rec_recommend_options) },
      recommend_defaults,
      { CALL(call_recommend), CALL(call_recommend_ext), CALL(call_recommend_vector),
        CALL(call_recommend_batch) } },
    { "rec_eval_options", REC_EVAL_OPTIONS_VERSION, sizeof(rec_eval_options),
      { offsetof(rec_eval_options, beyond_accuracy), sizeof(rec_eval_options) },
      eval_defaults, { CALL(call_eval_run), CALL(call_eval_lists) } },
    { "rec_save_options", REC_SAVE_OPTIONS_VERSION, sizeof(rec_save_options),
      { sizeof(rec_save_options) }, save_defaults, { CALL(call_save) } },
};
#define N_OPTIONS_CASES (sizeof options_cases / sizeof options_cases[0])

/* Every struct starts with `uint32_t version`. */
static void set_version(void *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

START_TEST(test_options_versions)
{
    const options_case *c = &options_cases[_i];
    ck_assert_uint_le(c->current, MAX_VERSIONS);
    ck_assert_uint_eq(c->ends[c->current - 1], c->size);
    unsigned char *defaults = malloc(c->size), *buf = malloc(c->size);
    ck_assert(defaults && buf);
    c->defaults(defaults);
    for (size_t k = 0; k < sizeof c->calls / sizeof c->calls[0] && c->calls[k].fn; k++) {
        const char *call = c->calls[k].name;
        uint64_t want = 0, got = 1;
        ck_assert_rec(c->calls[k].fn(defaults, &want), REC_OK, NULL);
        ck_assert_rec(c->calls[k].fn(NULL, &got), REC_OK, NULL);
        ck_assert_msg(got == want, "%s: NULL options are not the defaults of %s", call,
                      c->type);

        /* Versions this library does not know. */
        memcpy(buf, defaults, c->size);
        set_version(buf, 0);
        ck_assert_rec(c->calls[k].fn(buf, &got), REC_EINVAL, "version");
        set_version(buf, c->current + 1);
        ck_assert_rec(c->calls[k].fn(buf, &got), REC_EINVAL, "version");

        for (uint32_t v = 1; v <= c->current; v++) {
            size_t end = c->ends[v - 1];
            /* The fields of version v, garbage after them. */
            memset(buf, GARBAGE, c->size);
            memcpy(buf, defaults, end);
            set_version(buf, v);
            got = 0;
            ck_assert_rec(c->calls[k].fn(buf, &got), REC_OK, NULL);
            ck_assert_msg(got == want, "%s: %s version %u with garbage after its fields "
                          "differs from the defaults", call, c->type, v);
            /* Only the fields of version v. */
            unsigned char *exact = malloc(end);
            ck_assert_ptr_nonnull(exact);
            memcpy(exact, defaults, end);
            set_version(exact, v);
            got = 0;
            ck_assert_rec(c->calls[k].fn(exact, &got), REC_OK, NULL);
            ck_assert_msg(got == want, "%s: %s version %u alone differs from the defaults",
                          call, c->type, v);
            free(exact);
        }
    }
    free(defaults);
    free(buf);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Structs the library fills, of older versions                             */
/* ------------------------------------------------------------------------ */

static int fill_dataset_stats(void *p) { return rec_dataset_stats_get(all, p); }
static int fill_model_info(void *p) { return rec_model_info_get(model, p); }
static int fill_param_info(void *p) { return rec_family_param("mf", 0, p); }
static int fill_build_info(void *p) { return rec_build_info_get(p); }
static int fill_kg_stats(void *p) { return rec_kg_stats_get(kg, all, p); }

static int fill_paired_test(void *p)
{
    static const double a[] = { 0.1, 0.2, 0.3, 0.4, 0.5 }, b[] = { 0.2, 0.2, 0.5, 0.3, 0.9 };
    return rec_paired_test_run(a, b, 5, p);
}

typedef struct filled_case {
    const char *type;
    uint32_t current;
    size_t size;
    size_t ends[MAX_VERSIONS];
    int (*fill)(void *out);
} filled_case;

static const filled_case filled_cases[] = {
    { "rec_dataset_stats", REC_DATASET_STATS_VERSION, sizeof(rec_dataset_stats),
      { sizeof(rec_dataset_stats) }, fill_dataset_stats },
    { "rec_model_info", REC_MODEL_INFO_VERSION, sizeof(rec_model_info),
      { offsetof(rec_model_info, best_epoch), sizeof(rec_model_info) }, fill_model_info },
    { "rec_param_info", REC_PARAM_INFO_VERSION, sizeof(rec_param_info),
      { sizeof(rec_param_info) }, fill_param_info },
    { "rec_paired_test", REC_PAIRED_TEST_VERSION, sizeof(rec_paired_test),
      { sizeof(rec_paired_test) }, fill_paired_test },
    { "rec_build_info", REC_BUILD_INFO_VERSION, sizeof(rec_build_info),
      { sizeof(rec_build_info) }, fill_build_info },
    { "rec_kg_stats", REC_KG_STATS_VERSION, sizeof(rec_kg_stats),
      { sizeof(rec_kg_stats) }, fill_kg_stats },
};
#define N_FILLED_CASES (sizeof filled_cases / sizeof filled_cases[0])

START_TEST(test_filled_versions)
{
    const filled_case *c = &filled_cases[_i];
    ck_assert_uint_le(c->current, MAX_VERSIONS);
    ck_assert_uint_eq(c->ends[c->current - 1], c->size);
    unsigned char *buf = malloc(c->size);
    ck_assert_ptr_nonnull(buf);
    memset(buf, GARBAGE, c->size);
    set_version(buf, 0);
    ck_assert_rec(c->fill(buf), REC_EINVAL, "version");
    set_version(buf, c->current + 1);
    ck_assert_rec(c->fill(buf), REC_EINVAL, "version");
    for (uint32_t v = 1; v <= c->current; v++) {
        size_t end = c->ends[v - 1];
        memset(buf, GARBAGE, c->size);
        set_version(buf, v);
        ck_assert_rec(c->fill(buf), REC_OK, NULL);
        for (size_t k = end; k < c->size; k++)
            ck_assert_msg(buf[k] == GARBAGE, "%s version %u: byte %zu, after the fields of "
                          "the version, was written", c->type, v, k);
        unsigned char *exact = malloc(end);
        ck_assert_ptr_nonnull(exact);
        set_version(exact, v);
        ck_assert_rec(c->fill(exact), REC_OK, NULL);
        free(exact);
    }
    free(buf);
}
END_TEST

/* The fields of an older version are filled as the current version fills
 * them, and each REC_*_INIT macro of a struct the library fills is one it
 * takes. */
START_TEST(test_filled_old_fields)
{
    rec_model_info a = REC_MODEL_INFO_INIT, b = REC_MODEL_INFO_INIT;
    b.version = 1;
    ck_assert_rec(rec_model_info_get(model, &a), REC_OK, NULL);
    ck_assert_rec(rec_model_info_get(model, &b), REC_OK, NULL);
    const char *what = "rec_model_info version 1";
    SAME(family); SAME(n_users); SAME(n_items); SAME(dim); SAME(scoring);
    SAME(has_item_bias); SAME(has_interactions); SAME(n_interactions); SAME(epochs);
    SAME(final_loss);
    ck_assert_uint_eq(b.version, 1);

    rec_dataset_stats s = REC_DATASET_STATS_INIT;
    rec_param_info p = REC_PARAM_INFO_INIT;
    rec_paired_test t = REC_PAIRED_TEST_INIT;
    rec_build_info bi = REC_BUILD_INFO_INIT;
    rec_kg_stats ks = REC_KG_STATS_INIT;
    ck_assert_rec(fill_kg_stats(&ks), REC_OK, NULL);
    ck_assert_uint_eq(ks.items_linked, 2); /* items "0" and "1" */
    ck_assert_rec(fill_dataset_stats(&s), REC_OK, NULL);
    ck_assert_rec(fill_param_info(&p), REC_OK, NULL);
    ck_assert_rec(fill_paired_test(&t), REC_OK, NULL);
    ck_assert_rec(fill_build_info(&bi), REC_OK, NULL);
    ck_assert_uint_eq(s.n_interactions, rec_dataset_n_interactions(all));
    ck_assert_ptr_nonnull(p.name);
    ck_assert_uint_eq(t.n, 5);
    ck_assert_str_eq(bi.library_version, rec_version_string());
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("options");
    tcase_add_checked_fixture(tc, setup, teardown); /* files live per test */
    tcase_add_test(tc, test_macros_equal_init_functions);
    tcase_add_loop_test(tc, test_options_versions, 0, (int)N_OPTIONS_CASES);
    tcase_add_loop_test(tc, test_filled_versions, 0, (int)N_FILLED_CASES);
    tcase_add_test(tc, test_filled_old_fields);
    suite_add_tcase(s, tc);
    return s;
}
