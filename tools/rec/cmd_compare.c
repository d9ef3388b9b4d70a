/* rec compare: paired significance tests between two per-user files of
 * rec eval --per-user, run on the same test users. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
    printf("usage: rec compare A.csv B.csv [--measure NAME] [--json]\n\n"
           "Pairs the users of two files written by `rec eval --per-user` (both\n"
           "must hold the same users) and, for every measure in both, reports the\n"
           "means, the mean difference B - A, and the two-sided p-values of the\n"
           "paired t-test and the Wilcoxon signed-rank test (docs/metrics.md).\n\n"
           "  --measure NAME         only this measure, e.g. recall@20\n"
           "  --json                 print one JSON object\n");
}

/* A parsed per-user file: a header of n_cols names (the first is "user")
 * and rows of an id and n_cols - 1 numbers. */
typedef struct table {
    const char *path;
    char *text;           /* the file, fields cut in place */
    char **head;
    size_t n_cols;
    char **ids;
    double *values;       /* row r, measure c at [r * (n_cols - 1) + c] */
    size_t n_rows;
} table;

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * size);
    if (!q)
        die_rec(REC_ENOMEM, "compare");
    *cap = c;
    return q;
}

/* The next CSV field at *p, unquoted in place (RFC 4180 quoting); sets
 * *end_of_record after the field's line ends. NULL at the end of text. */
static char *next_field(char **p, int *end_of_record)
{
    char *s = *p, *out, *field;
    if (!*s)
        return NULL;
    if (*s == '"') {
        field = out = ++s;
        for (;;) {
            if (!*s)
                break;
            if (*s == '"' && s[1] == '"') {
                *out++ = '"';
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                *out++ = *s++;
            }
        }
    } else {
        field = out = s;
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            *out++ = *s++;
    }
    *end_of_record = *s != ',';
    if (*s == ',')
        s++;
    else if (*s == '\r' && s[1] == '\n')
        s += 2;
    else if (*s)
        s++;
    *out = '\0';
    *p = s;
    return field;
}

static void read_table(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    FILE *f = fopen(path, "rb");
    if (!f)
        die_errno("compare", path);
    size_t cap = 0, len = 0;
    for (;;) {
        t->text = grow(t->text, &cap, len + 65536 + 1, 1);
        size_t got = fread(t->text + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        die_errno("compare", path);
    fclose(f);
    t->text[len] = '\0';
    if (strlen(t->text) != len) {
        fprintf(stderr, "rec: compare: %s: a NUL byte in the file\n", path);
        exit(EXIT_RUNTIME);
    }
    char *p = t->text, *field;
    int eor = 0;
    size_t hcap = 0, icap = 0, vcap = 0;
    while (!eor && (field = next_field(&p, &eor))) {
        t->head = grow(t->head, &hcap, t->n_cols + 1, sizeof *t->head);
        t->head[t->n_cols++] = field;
    }
    if (t->n_cols < 2 || strcmp(t->head[0], "user") != 0) {
        fprintf(stderr, "rec: compare: %s: line 1: expected a header 'user,<measure>,...' "
                        "as rec eval --per-user writes\n", path);
        exit(EXIT_RUNTIME);
    }
    size_t m = t->n_cols - 1, line = 1;
    while (*p) {
        line++;
        size_t c = 0;
        eor = 0;
        while (!eor && (field = next_field(&p, &eor))) {
            if (c == 0) {
                t->ids = grow(t->ids, &icap, t->n_rows + 1, sizeof *t->ids);
                t->ids[t->n_rows] = field;
            } else if (c <= m) {
                char *end;
                errno = 0;
                double v = strtod(field, &end);
                if (end == field || *end || errno || !isfinite(v)) {
                    fprintf(stderr, "rec: compare: %s: line %zu, field '%s': '%s' is not a "
                                    "finite number\n", path, line, t->head[c], field);
                    exit(EXIT_RUNTIME);
                }
                t->values = grow(t->values, &vcap, (t->n_rows + 1) * m, sizeof *t->values);
                t->values[t->n_rows * m + c - 1] = v;
            }
            c++;
        }
        if (c != t->n_cols) {
            fprintf(stderr, "rec: compare: %s: line %zu has %zu fields; the header has %zu\n",
                    path, line, c, t->n_cols);
            exit(EXIT_RUNTIME);
        }
        t->n_rows++;
    }
}

static void free_table(table *t)
{
    free(t->text);
    free(t->head);
    free(t->ids);
    free(t->values);
}

static const table *sort_base;

static int cmp_rows(const void *x, const void *y)
{
    return strcmp(sort_base->ids[*(const size_t *)x], sort_base->ids[*(const size_t *)y]);
}

/* match[i] = the row of b with a's i-th id; exits when the users differ. */
static size_t *pair_rows(const table *a, const table *b)
{
    size_t *order = malloc((b->n_rows + 1) * sizeof *order);
    size_t *match = malloc((a->n_rows + 1) * sizeof *match);
    if (!order || !match)
        die_rec(REC_ENOMEM, "compare");
    for (size_t r = 0; r < b->n_rows; r++)
        order[r] = r;
    sort_base = b;
    qsort(order, b->n_rows, sizeof *order, cmp_rows);
    for (size_t r = 1; r < b->n_rows; r++)
        if (!strcmp(b->ids[order[r - 1]], b->ids[order[r]])) {
            fprintf(stderr, "rec: compare: %s: user '%s' appears twice\n", b->path,
                    b->ids[order[r]]);
            exit(EXIT_RUNTIME);
        }
    for (size_t i = 0; i < a->n_rows; i++) {
        size_t lo = 0, hi = b->n_rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(b->ids[order[mid]], a->ids[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == b->n_rows || strcmp(b->ids[order[lo]], a->ids[i]) != 0) {
            fprintf(stderr, "rec: compare: user '%s' of %s is not in %s: both files must "
                            "hold the same users\n", a->ids[i], a->path, b->path);
            exit(EXIT_RUNTIME);
        }
        match[i] = order[lo];
    }
    if (a->n_rows != b->n_rows) {
        fprintf(stderr, "rec: compare: %s has %zu users and %s %zu: both files must hold "
                        "the same users\n", a->path, a->n_rows, b->path, b->n_rows);
        exit(EXIT_RUNTIME);
    }
    free(order);
    return match;
}

int cmd_compare(int argc, char **argv)
{
    args a;
    args_init(&a, "compare", argc, argv);
    if (args_flag(&a, "help")) {
        usage();
        args_free(&a);
        return 0;
    }
    const char *only = args_value(&a, "measure");
    int json = args_flag(&a, "json");
    const char *paths[2] = { args_positional(&a), NULL };
    paths[1] = paths[0] ? args_positional(&a) : NULL;
    args_finish(&a);
    if (!paths[1])
        die_usage("compare", "two per-user files are required: rec compare A.csv B.csv");

    table ta, tb;
    read_table(&ta, paths[0]);
    read_table(&tb, paths[1]);
    size_t *match = pair_rows(&ta, &tb);
    size_t ma = ta.n_cols - 1, mb = tb.n_cols - 1, n = ta.n_rows, shown = 0;
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    if (!x || !y)
        die_rec(REC_ENOMEM, "compare");
    if (json)
        printf("{\"users\": %zu, \"measures\": {", n);
    else
        printf("%zu users; B - A, two-sided p-values\n%-20s %10s %10s %11s %10s %10s\n", n,
               "measure", "mean A", "mean B", "difference", "t-test p", "Wilcoxon p");
    for (size_t c = 0; c < ma; c++) {
        const char *name = ta.head[c + 1];
        if (only && strcmp(only, name) != 0)
            continue;
        size_t cb = 0;
        while (cb < mb && strcmp(tb.head[cb + 1], name) != 0)
            cb++;
        if (cb == mb)
            continue;
        for (size_t i = 0; i < n; i++) {
            x[i] = ta.values[i * ma + c];
            y[i] = tb.values[match[i] * mb + cb];
        }
        rec_paired_test r = REC_PAIRED_TEST_INIT;
        int rc = rec_paired_test_run(x, y, n, &r);
        if (rc != REC_OK)
            die_rec(rc, name);
        if (json) {
            printf("%s", shown ? ", " : "");
            json_string(stdout, name);
            const char *keys[] = { "mean_a", "mean_b", "mean_diff", "t", "t_p", "wilcoxon_n",
                                   "wilcoxon_w_plus", "wilcoxon_z", "wilcoxon_p" };
            const double vals[] = { r.mean_a, r.mean_b, r.mean_diff, r.t, r.t_p,
                                    (double)r.w_n, r.w_plus, r.w_z, r.w_p };
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                printf(k ? ", \"%s\": " : ": {\"%s\": ", keys[k]);
                json_number(stdout, vals[k]);
            }
            printf("}");
        } else {
            printf("%-20s %10.6f %10.6f %+11.6f %10.3g %10.3g\n", name, r.mean_a, r.mean_b,
                   r.mean_diff, r.t_p, r.w_p);
        }
        shown++;
    }
    if (json)
        printf("}}\n");
    if (!shown) {
        fprintf(stderr, "rec: compare: %s%s%s\n", only ? "no measure '" : "the files share no "
                "measure", only ? only : "", only ? "' in both files" : "");
        exit(EXIT_RUNTIME);
    }
    free(x);
    free(y);
    free(match);
    free_table(&ta);
    free_table(&tb);
    args_free(&a);
    return 0;
}
