/* Knowledge-graph recommendation datasets (docs/performance.md, "Knowledge-
 * graph datasets"): MF-BPR, LightGCN, popularity and, where the family
 * exists, KGAT side by side under the two protocols of the literature.
 *
 *   bench_kg [--data DIR] [--threads N] [--seed S] [--protocol topk|ctr|both]
 *            [--dataset NAME ...] --model FAMILY [name=value ...] ...
 *   bench_kg --families
 *
 * DIR (default ../shared/data) holds lastfm-kg/, ml-100k-kg/ and
 * book-crossing-kg/. Every --model is followed by its own hyperparameters.
 * --families lists the model families of the library (bench/kg.sh uses it
 * to find out whether kgat exists).
 *
 * Top-K (lastfm-kg, ml-100k-kg): the positives only, split per user 80/20 at
 * random (rec_dataset_split, the seed printed), each model trained on the
 * training part and evaluated by full ranking on the test part with its
 * training items excluded: Recall@20 and NDCG@20.
 *
 * CTR (lastfm-kg, book-crossing-kg; ANCHORS.md 7.1): the labelled rows of
 * ratings_final.txt (positives and the authors' sampled negatives) are
 * split 80/20 at random (the seed printed), the model is trained on the
 * positive training rows, and every test row is scored by rec_model_score.
 * Test rows whose user or item does not occur among the positive training
 * rows cannot be scored; they get the lowest score (-inf) and are counted.
 * Printed: one AUC over all test rows (ties count half), the mean of the
 * AUCs of batches of 4096 test rows in the order the split drew them (as
 * the MCCLK code reports), and F1 with positives predicted at score >= 0
 * (sigmoid(score) >= 0.5, as in the KGCN and MCCLK codes). Next to every
 * model: the popularity floor of ANCHORS.md 7.2 on the same split (score =
 * the item's number of positive training rows), with F1 at the median test
 * score, since at score >= 0 everything would be predicted positive.
 *
 * The KG (kg_final.txt, or ml-100k.kg with ml-100k.link) is loaded only for
 * a family that trains with one (kgat). The setting init=mf (not a family
 * setting) starts a model from an MF-BPR model trained first on the same
 * data with the settings of the list's --model mf (the same model as that
 * row of the table, trained once): the reference KGAT code's pretraining.
 * The time printed for such a model includes the MF training. */
#include <librec/librec.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

#define CTR_BATCH 4096

typedef struct model_spec {
    const char *family;
    char **params; /* "name=value", pointing into argv */
    int n_params;
} model_spec;

typedef struct bench_cfg {
    const char *data;
    const char *threads;
    uint64_t seed;
    model_spec *models;
    int n_models;
} bench_cfg;

static void die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "bench_kg: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1); /* zeroed: nothing is read unwritten */
    if (!p)
        die("out of memory%s%s", "", "");
    return p;
}

static int needs_kg(const char *family)
{
    return !strcmp(family, "kgat");
}

/* The hyperparameters given on the command line, for the table. */
static void spec_settings(const model_spec *s, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < s->n_params && len < size; k++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? " " : "", s->params[k]);
    if (!s->n_params)
        snprintf(buf, size, "defaults");
}

/* Prints every hyperparameter of the options, the way bench_train does. */
static void print_all_settings(const char *family, const rec_train_options *o)
{
    char buf[64];
    rec_param_info pi = REC_PARAM_INFO_INIT;
    printf("  %s settings:", family);
    for (size_t k = 0; rec_family_param(family, k, &pi) == REC_OK; k++) {
        rec_train_options_get(o, pi.name, buf, sizeof buf);
        printf(" %s=%s", pi.name, buf);
    }
    printf("\n");
}

/* ---- knowledge graphs ---------------------------------------------------- */

typedef struct kg_files {
    const char *triples, *links; /* under the dataset's directory; links may be NULL */
} kg_files;

static rec_kg *kg_load(const char *dir, const kg_files *f, const rec_dataset *train)
{
    char tp[1024], lp[1024];
    snprintf(tp, sizeof tp, "%s/%s", dir, f->triples);
    if (f->links)
        snprintf(lp, sizeof lp, "%s/%s", dir, f->links);
    double t0 = bench_now();
    rec_kg *kg = NULL;
    check(rec_kg_load(&kg, tp, f->links ? lp : NULL), "loading the knowledge graph");
    rec_kg_stats st = REC_KG_STATS_INIT;
    check(rec_kg_stats_get(kg, train, &st), "knowledge-graph statistics");
    printf("  kg %s%s%s: %.2f s, %zu entities, %zu relations, %zu triples (%zu duplicate "
           "lines, %zu self-loops), %zu links; %zu training items linked, %zu without "
           "an entity\n", f->triples, f->links ? " + " : "", f->links ? f->links : "",
           bench_now() - t0, st.n_entities, st.n_relations, st.n_triples,
           st.duplicate_triples, st.self_loops, st.n_links, st.items_linked,
           st.items_without_entity);
    return kg;
}

/* The models of one dataset's run, by position in the model list (NULL
 * until trained), with their training times: init=FAMILY reuses a model
 * trained earlier in the list instead of training it again. */
typedef struct run_models {
    rec_model **m;
    double *seconds;
} run_models;

static run_models run_models_new(const bench_cfg *cfg)
{
    run_models r = { xmalloc((size_t)cfg->n_models * sizeof *r.m),
                     xmalloc((size_t)cfg->n_models * sizeof *r.seconds) };
    for (int k = 0; k < cfg->n_models; k++)
        r.m[k] = NULL;
    return r;
}

static void run_models_free(const bench_cfg *cfg, run_models *r)
{
    for (int k = 0; k < cfg->n_models; k++)
        rec_model_free(r->m[k]);
    free(r->m);
    free(r->seconds);
}

static int find_model(const bench_cfg *cfg, const char *family)
{
    for (int k = 0; k < cfg->n_models; k++)
        if (!strcmp(cfg->models[k].family, family))
            return k;
    return -1;
}

/* Trains model `idx` of the list into run->m[idx]; the knowledge graph is
 * loaded for families that need one, and init=FAMILY starts from that
 * family's model of this run (trained first if it comes later in the
 * list). run->seconds[idx] receives the training time, the initial
 * model's included. */
static rec_model *train_model(const bench_cfg *cfg, int idx, const char *dir,
                              const kg_files *kgf, const rec_dataset *train, run_models *run)
{
    const model_spec *s = &cfg->models[idx];
    double before = 0.0;
    rec_train_options *o = NULL;
    check(rec_train_options_new(&o, s->family), s->family);
    rec_param_info pi = REC_PARAM_INFO_INIT;
    for (size_t k = 0; rec_family_param(s->family, k, &pi) == REC_OK; k++)
        if (!strcmp(pi.name, "threads"))
            check(rec_train_options_set(o, "threads", cfg->threads), "threads");
    for (int k = 0; k < s->n_params; k++) {
        char name[128];
        const char *eq = strchr(s->params[k], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - s->params[k]), s->params[k]);
        if (!strcmp(name, "init")) {
            int base = find_model(cfg, eq + 1);
            if (base < 0 || base == idx)
                die("init=%s needs a --model %s in the list", eq + 1, eq + 1);
            if (!run->m[base])
                train_model(cfg, base, dir, kgf, train, run);
            before = run->seconds[base];
            check(rec_train_options_set_init_model(o, run->m[base]), "init");
            continue;
        }
        check(rec_train_options_set(o, name, eq + 1), s->params[k]);
    }
    if (s->family && strcmp(s->family, "pop"))
        print_all_settings(s->family, o);
    /* Timed from here: loading the graph and training, plus the initial
     * model's time. */
    double t0 = bench_now();
    rec_kg *kg = NULL;
    if (needs_kg(s->family)) {
        kg = kg_load(dir, kgf, train);
        check(rec_train_options_set_kg(o, kg), "knowledge graph");
    }
    check(rec_model_train(&run->m[idx], train, o), s->family);
    run->seconds[idx] = bench_now() - t0 + before;
    rec_kg_free(kg);
    rec_train_options_free(o);
    return run->m[idx];
}

/* ---- top-K protocol ------------------------------------------------------- */

typedef struct topk_set {
    const char *name, *file;
    char delimiter;
    int has_header, rating_col; /* rating_col >= 0: keep rating >= 1 */
    kg_files kg;
} topk_set;

static const topk_set topk_sets[] = {
    { "lastfm-kg", "ratings_final.txt", '\t', 0, 2, { "kg_final.txt", NULL } },
    { "ml-100k-kg", "ml-100k.inter", '\t', 1, -1, { "ml-100k.kg", "ml-100k.link" } },
};

static void run_topk(const bench_cfg *cfg, const topk_set *d)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/%s", cfg->data, d->name);
    snprintf(path, sizeof path, "%s/%s", dir, d->file);
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.delimiter = d->delimiter;
    csv.has_header = d->has_header;
    csv.rating_col = d->rating_col;
    rec_load_options lo = REC_LOAD_OPTIONS_INIT;
    lo.use_min_rating = d->rating_col >= 0;
    lo.min_rating = 1.0;
    rec_dataset *all = NULL, *train = NULL, *test = NULL;
    check(rec_dataset_load_csv(&all, path, &csv, &lo, NULL), path);
    rec_dataset_stats st = REC_DATASET_STATS_INIT;
    check(rec_dataset_stats_get(all, &st), "statistics");
    rec_split_options so = REC_SPLIT_OPTIONS_INIT;
    so.method = REC_SPLIT_RANDOM;
    so.train_ratio = 0.8;
    so.seed = cfg->seed;
    check(rec_dataset_split(&train, &test, all, &so), "split");
    printf("\ntop-K on %s: %zu rows read, %zu below label 1, %zu duplicates; %zu users, "
           "%zu items, %zu positives; per-user random 80/20 split, seed %llu: %zu train, "
           "%zu test\n", d->name, st.rows_read, st.rows_below_min_rating, st.rows_duplicate,
           st.n_users, st.n_items, st.n_interactions, (unsigned long long)cfg->seed,
           rec_dataset_n_interactions(train), rec_dataset_n_interactions(test));

    char rows[16][1024];
    int n_rows = 0;
    run_models run = run_models_new(cfg);
    for (int k = 0; k < cfg->n_models; k++) {
        const model_spec *s = &cfg->models[k];
        rec_model *m = run.m[k] ? run.m[k] : train_model(cfg, k, dir, &d->kg, train, &run);
        double train_s = run.seconds[k];
        double t0 = bench_now(), recall, ndcg;
        size_t n_users;
        bench_recall_ndcg(m, train, test, cfg->threads, &recall, &ndcg, &n_users);
        double eval_s = bench_now() - t0;
        char set[512];
        spec_settings(s, set, sizeof set);
        printf("  %s: recall@20 %.4f ndcg@20 %.4f over %zu users; %.2f s training, "
               "%.2f s evaluation\n", s->family, recall, ndcg, n_users, train_s, eval_s);
        if (n_rows < 16)
            snprintf(rows[n_rows++], sizeof rows[0], "| %s | %s | %.4f | %.4f | %.2f | %.2f | %s |",
                     d->name, s->family, recall, ndcg, train_s, eval_s, set);
        fflush(stdout);
    }
    run_models_free(cfg, &run);
    printf("\n| dataset | model | Recall@20 | NDCG@20 | training s | evaluation s | settings |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int r = 0; r < n_rows; r++)
        printf("%s\n", rows[r]);
    rec_dataset_free(test);
    rec_dataset_free(train);
    rec_dataset_free(all);
}

/* ---- CTR protocol --------------------------------------------------------- */

typedef struct ctr_rows {
    char *text;            /* the file, fields NUL-terminated in place */
    const char **user, **item;
    unsigned char *label;
    size_t n;
} ctr_rows;

/* A field of decimal digits ending at `end`; returns the next position. */
static char *field(char *p, char end, const char *path, size_t line, const char *what)
{
    char *q = p;
    while (isdigit((unsigned char)*q))
        q++;
    if (q == p || *q != end) {
        char where[1200];
        snprintf(where, sizeof where, "%s:%zu", path, line);
        die("%s: malformed %s (expected 'user<TAB>item<TAB>label', integers, label 0 or 1)",
            where, what);
    }
    *q = '\0';
    return q + 1;
}

/* Reads ratings_final.txt: "user \t item \t label" per line, label 0 or 1. */
static void ctr_read(ctr_rows *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0)
        die("cannot read %s: %s", path, strerror(errno));
    r->text = xmalloc((size_t)size + 2);
    if (fread(r->text, 1, (size_t)size, f) != (size_t)size)
        die("cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (size && r->text[size - 1] != '\n')
        r->text[size++] = '\n';
    r->text[size] = '\0';
    size_t lines = 0;
    for (long k = 0; k < size; k++)
        lines += r->text[k] == '\n';
    r->user = xmalloc(lines * sizeof *r->user);
    r->item = xmalloc(lines * sizeof *r->item);
    r->label = xmalloc(lines);
    r->n = 0;
    char *p = r->text;
    for (size_t line = 1; *p; line++) {
        r->user[r->n] = p;
        p = field(p, '\t', path, line, "user");
        r->item[r->n] = p;
        p = field(p, '\t', path, line, "item");
        const char *lab = p;
        p = field(p, '\n', path, line, "label");
        if (strcmp(lab, "0") && strcmp(lab, "1")) {
            char where[1200];
            snprintf(where, sizeof where, "%s:%zu", path, line);
            die("%s: label '%s' is neither 0 nor 1", where, lab);
        }
        r->label[r->n++] = lab[0] == '1';
    }
    if (!r->n)
        die("%s: no rows%s", path, "");
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct scored {
    double s;
    unsigned char y;
} scored;

static int by_score(const void *a, const void *b)
{
    return cmp_double(&((const scored *)a)->s, &((const scored *)b)->s);
}

/* AUC of n scored rows, tied scores counting half (the Mann-Whitney
 * statistic with mid-ranks); NaN when one class is missing. Sorts v. */
static double auc(scored *v, size_t n)
{
    qsort(v, n, sizeof *v, by_score);
    double pos_rank = 0.0, n_pos = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double p = 0.0;
        while (j < n && v[j].s == v[i].s)
            p += v[j++].y;
        pos_rank += p * (0.5 * (double)(i + 1 + j)); /* mid-rank of ranks i+1..j */
        n_pos += p;
        i = j;
    }
    double n_neg = (double)n - n_pos;
    if (n_pos == 0.0 || n_neg == 0.0)
        return NAN;
    return (pos_rank - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg);
}

/* F1 of the positive class with positives predicted at score >= t. */
static double f1(const scored *v, size_t n, double t)
{
    double tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        int pred = v[i].s >= t;
        tp += pred && v[i].y;
        fp += pred && !v[i].y;
        fn += !pred && v[i].y;
    }
    return tp ? 2 * tp / (2 * tp + fp + fn) : 0.0;
}

typedef struct ctr_result {
    double auc, auc_batch, f1, f1_batch, threshold;
    size_t batches_used, batches;
} ctr_result;

/* The measures of test scores s (labels y, in split order): F1 at the
 * threshold t, and per batch of CTR_BATCH rows (batches with one class
 * only are left out of the means and counted). */
static ctr_result ctr_measures(const double *s, const unsigned char *y, size_t n, double t)
{
    ctr_result r = { 0 };
    scored *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (scored){ s[i], y[i] };
    r.threshold = t;
    r.f1 = f1(v, n, t);
    r.auc = auc(v, n);
    double sa = 0.0, sf = 0.0;
    for (size_t b = 0; b < n; b += CTR_BATCH, r.batches++) {
        size_t len = n - b < CTR_BATCH ? n - b : CTR_BATCH;
        for (size_t i = 0; i < len; i++)
            v[i] = (scored){ s[b + i], y[b + i] };
        double f = f1(v, len, t), a = auc(v, len);
        if (isnan(a))
            continue;
        sa += a;
        sf += f;
        r.batches_used++;
    }
    r.auc_batch = r.batches_used ? sa / (double)r.batches_used : NAN;
    r.f1_batch = r.batches_used ? sf / (double)r.batches_used : NAN;
    free(v);
    return r;
}

/* The threshold a 50/50 class balance implies: the median test score, with
 * ties at the median counted on the side that brings the share of predicted
 * positives closer to one half. */
static double median_threshold(const double *s, size_t n)
{
    double *c = xmalloc(n * sizeof *c);
    memcpy(c, s, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    double med = c[n / 2];
    size_t ge = 0, gt = 0;
    for (size_t i = 0; i < n; i++) {
        ge += c[i] >= med;
        gt += c[i] > med;
    }
    double t = med;
    /* score > med is score >= the next larger value */
    if (gt && llabs((long long)(2 * gt) - (long long)n) < llabs((long long)(2 * ge) - (long long)n))
        for (size_t i = 0; i < n; i++)
            if (c[i] > med) {
                t = c[i];
                break;
            }
    free(c);
    return t;
}

typedef struct ctr_set {
    const char *name;
    kg_files kg;
} ctr_set;

static const ctr_set ctr_sets[] = {
    { "lastfm-kg", { "kg_final.txt", NULL } },
    { "book-crossing-kg", { "kg_final.txt", NULL } },
};

static void run_ctr(const bench_cfg *cfg, const ctr_set *d)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/%s", cfg->data, d->name);
    snprintf(path, sizeof path, "%s/ratings_final.txt", dir);
    ctr_rows r;
    ctr_read(&r, path);

    /* Rows shuffled (Fisher-Yates, splitmix64 from the seed): the first 20 %
     * drawn are the test rows, in the order drawn. */
    size_t n = r.n, *perm = xmalloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t st = cfg->seed;
    for (size_t i = 0; i + 1 < n; i++) {
        size_t j = i + (size_t)(splitmix64(&st) % (n - i));
        size_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    size_t n_test = n - (size_t)llround(0.8 * (double)n), n_train_pos = 0, n_test_pos = 0;
    const char **tu = xmalloc(n * sizeof *tu), **ti = xmalloc(n * sizeof *ti);
    for (size_t k = n_test; k < n; k++)
        if (r.label[perm[k]]) {
            tu[n_train_pos] = r.user[perm[k]];
            ti[n_train_pos++] = r.item[perm[k]];
        }
    rec_dataset *train = NULL;
    check(rec_dataset_from_arrays(&train, n_train_pos, tu, ti, NULL, NULL, NULL, NULL),
          "training dataset");

    /* Test rows in the training id space; unknown ones stay UINT32_MAX. */
    uint32_t *u = xmalloc(n_test * sizeof *u), *it = xmalloc(n_test * sizeof *it);
    unsigned char *y = xmalloc(n_test);
    size_t unknown_user = 0, unknown_item = 0, unknown = 0;
    for (size_t k = 0; k < n_test; k++) {
        size_t row = perm[k];
        y[k] = r.label[row];
        n_test_pos += y[k];
        if (rec_dataset_find_user(train, r.user[row], &u[k]) != REC_OK) {
            u[k] = UINT32_MAX;
            unknown_user++;
        }
        if (rec_dataset_find_item(train, r.item[row], &it[k]) != REC_OK) {
            it[k] = UINT32_MAX;
            unknown_item++;
        }
        unknown += u[k] == UINT32_MAX || it[k] == UINT32_MAX;
    }

    /* The popularity floor: the item's number of positive training rows
     * (0 for an item with none, whatever the user). */
    size_t n_items = rec_dataset_n_items(train);
    double *count = calloc(n_items, sizeof *count), *pop = xmalloc(n_test * sizeof *pop);
    if (!count)
        die("out of memory%s%s", "", "");
    for (size_t k = 0; k < n_train_pos; k++) {
        uint32_t id;
        check(rec_dataset_find_item(train, ti[k], &id), "training item");
        count[id] += 1.0;
    }
    for (size_t k = 0; k < n_test; k++)
        pop[k] = it[k] == UINT32_MAX ? 0.0 : count[it[k]];
    ctr_result pr = ctr_measures(pop, y, n_test, median_threshold(pop, n_test));

    printf("\nCTR on %s: %zu rows (%zu positive); rows split 80/20 at random, seed %llu: "
           "%zu train rows (%zu positive: the training set, %zu users, %zu items), %zu test "
           "rows (%zu positive)\n", d->name, n, n_train_pos + n_test_pos,
           (unsigned long long)cfg->seed, n - n_test,
           n_train_pos, rec_dataset_n_users(train), n_items, n_test, n_test_pos);
    printf("  test rows that cannot be scored: %zu (%zu with an unknown user, %zu with an "
           "unknown item); models score them -inf, below every other row\n", unknown,
           unknown_user, unknown_item);
    printf("  popularity floor (item's positive training rows; unknown item 0): AUC %.4f, "
           "batch-mean AUC %.4f over %zu of %zu batches; F1 %.4f at the median test score "
           "(>= %g)\n", pr.auc, pr.auc_batch, pr.batches_used, pr.batches, pr.f1,
           pr.threshold);

    char rows[16][1024];
    int n_rows = 0;
    double *s = xmalloc(n_test * sizeof *s);
    run_models run = run_models_new(cfg);
    for (int k = 0; k < cfg->n_models; k++) {
        const model_spec *sp = &cfg->models[k];
        rec_model *m = run.m[k] ? run.m[k] : train_model(cfg, k, dir, &d->kg, train, &run);
        double train_s = run.seconds[k];
        double t0 = bench_now();
        size_t pop_mismatch = 0;
        for (size_t j = 0; j < n_test; j++) {
            float f;
            if (u[j] == UINT32_MAX || it[j] == UINT32_MAX) {
                s[j] = -INFINITY;
                continue;
            }
            check(rec_model_score(m, u[j], &it[j], 1, &f), "scoring");
            s[j] = f;
            pop_mismatch += s[j] != pop[j];
        }
        double score_s = bench_now() - t0;
        /* The same on the scorable rows alone, to show what the -inf rows cost. */
        size_t n_known = 0;
        double *ks = xmalloc(n_test * sizeof *ks);
        unsigned char *ky = xmalloc(n_test);
        for (size_t j = 0; j < n_test; j++)
            if (s[j] != -INFINITY) {
                ks[n_known] = s[j];
                ky[n_known++] = y[j];
            }
        ctr_result kr = ctr_measures(ks, ky, n_known, 0.0);
        free(ks);
        free(ky);
        int is_pop = !strcmp(sp->family, "pop");
        if (is_pop)
            printf("  pop family: rec_model_score %s the item's positive training rows on "
                   "all %zu scorable test rows (%zu differ)\n",
                   pop_mismatch ? "does NOT equal" : "equals", n_test - unknown, pop_mismatch);
        ctr_result mr = ctr_measures(s, y, n_test, is_pop ? median_threshold(s, n_test) : 0.0);
        char set[512], f1s[64];
        spec_settings(sp, set, sizeof set);
        if (is_pop)
            snprintf(f1s, sizeof f1s, "%.4f (median thr.)", mr.f1);
        else
            snprintf(f1s, sizeof f1s, "%.4f", mr.f1);
        printf("  %s: AUC %.4f, batch-mean AUC %.4f, F1 %s, batch-mean F1 %.4f; %.2f s "
               "training, %.2f s scoring; on the %zu scorable rows alone AUC %.4f\n", sp->family,
               mr.auc, mr.auc_batch, f1s, mr.f1_batch, train_s, score_s, n_known, kr.auc);
        if (n_rows < 16)
            snprintf(rows[n_rows++], sizeof rows[0],
                     "| %s | %s | %.4f | %.4f | %s | %.4f | %.4f | %.4f (median thr.) | "
                     "%zu | %.2f | %s |", d->name, sp->family, mr.auc, mr.auc_batch, f1s,
                     pr.auc, pr.auc_batch, pr.f1, unknown, train_s, set);
        fflush(stdout);
    }
    run_models_free(cfg, &run);
    printf("\n| dataset | model | AUC | AUC, mean of %d-row batches | F1 (score >= 0) | "
           "pop AUC | pop AUC, batch mean | pop F1 | unscorable test rows | training s | "
           "settings |\n|---|---|---|---|---|---|---|---|---|---|---|\n", CTR_BATCH);
    for (int k = 0; k < n_rows; k++)
        printf("%s\n", rows[k]);
    free(s);
    free(pop);
    free(count);
    free(u);
    free(it);
    free(y);
    free(tu);
    free(ti);
    free(perm);
    rec_dataset_free(train);
    free(r.text);
    free(r.user);
    free(r.item);
    free(r.label);
}

/* ---- command line --------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_kg [--data DIR] [--threads N] [--seed S] [--protocol topk|ctr|both]\n"
            "                [--dataset NAME ...] --model FAMILY [name=value ...] ...\n"
            "       bench_kg --families\n"
            "datasets: lastfm-kg and ml-100k-kg (top-K), lastfm-kg and book-crossing-kg (CTR)\n");
    return 2;
}

static int selected(const char *name, char **datasets, int n)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(datasets[k], name))
            return 1;
    return n == 0;
}

int main(int argc, char **argv)
{
    bench_cfg cfg = { "../shared/data", "2", 2020, NULL, 0 };
    const char *protocol = "both";
    char **datasets = xmalloc((size_t)argc * sizeof *datasets);
    int n_datasets = 0;
    cfg.models = xmalloc((size_t)argc * sizeof *cfg.models);
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (!strcmp(arg, "--families")) {
            for (size_t k = 0; rec_family_name(k); k++)
                printf("%s\n", rec_family_name(k));
            return 0;
        }
        if (a + 1 >= argc)
            return usage();
        if (!strcmp(arg, "--data"))
            cfg.data = argv[++a];
        else if (!strcmp(arg, "--threads"))
            cfg.threads = argv[++a];
        else if (!strcmp(arg, "--seed"))
            cfg.seed = strtoull(argv[++a], NULL, 10);
        else if (!strcmp(arg, "--protocol"))
            protocol = argv[++a];
        else if (!strcmp(arg, "--dataset"))
            datasets[n_datasets++] = argv[++a];
        else if (!strcmp(arg, "--model")) {
            model_spec *s = &cfg.models[cfg.n_models++];
            s->family = argv[++a];
            s->params = argv + a + 1;
            s->n_params = 0;
            while (a + 1 < argc && strncmp(argv[a + 1], "--", 2) && strchr(argv[a + 1], '=')) {
                s->n_params++;
                a++;
            }
        } else
            return usage();
    }
    int topk = !strcmp(protocol, "topk") || !strcmp(protocol, "both");
    int ctr = !strcmp(protocol, "ctr") || !strcmp(protocol, "both");
    if (!cfg.n_models || (!topk && !ctr))
        return usage();
    for (int k = 0; k < n_datasets; k++)
        if (strcmp(datasets[k], "lastfm-kg") && strcmp(datasets[k], "ml-100k-kg") &&
            strcmp(datasets[k], "book-crossing-kg"))
            die("unknown dataset '%s'%s", datasets[k], "");

    bench_print_machine();
    printf("librec %s, data %s, %s threads, split seed %llu\n", rec_version_string(),
           cfg.data, cfg.threads, (unsigned long long)cfg.seed);
    double t0 = bench_now();
    if (topk)
        for (size_t k = 0; k < sizeof topk_sets / sizeof *topk_sets; k++)
            if (selected(topk_sets[k].name, datasets, n_datasets))
                run_topk(&cfg, &topk_sets[k]);
    if (ctr)
        for (size_t k = 0; k < sizeof ctr_sets / sizeof *ctr_sets; k++)
            if (selected(ctr_sets[k].name, datasets, n_datasets))
                run_ctr(&cfg, &ctr_sets[k]);
    printf("\nwall: %.1f s\n", bench_now() - t0);
    free(datasets);
    free(cfg.models);
    return 0;
}
