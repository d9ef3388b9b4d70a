/* Data layer: id maps, loaders (CSV, adjacency lists, arrays), duplicate
 * and unknown-id policies, CSR layouts, statistics, splits, saving, argument
 * checks and allocation failures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "core/alloc.h"
#include "data/dataset.h"
#include "data/idmap.h"
#include "data/loaders.h"
#include "data/utf8.h"

/* ---- Helpers ---- */

/* Loads `text` written to a file `name` as CSV and checks the status. */
static rec_dataset *csv_text(const char *name, const char *text,
                             const rec_csv_options *csv, const rec_load_options *load,
                             const rec_dataset *ref, int expect, const char *fragment)
{
    char *path = rec_test_write_file(name, text);
    rec_dataset *ds = (rec_dataset *)1;
    int rc = rec_dataset_load_csv(&ds, path, csv, load, ref);
    free(path);
    ck_assert_rec(rc, expect, fragment);
    if (expect != REC_OK)
        ck_assert_ptr_null(ds);
    return ds;
}

static rec_dataset *adj_text(const char *name, const char *text,
                             const rec_load_options *load, const rec_dataset *ref,
                             int expect, const char *fragment)
{
    char *path = rec_test_write_file(name, text);
    rec_dataset *ds = (rec_dataset *)1;
    int rc = rec_dataset_load_adjlist(&ds, path, load, ref);
    free(path);
    ck_assert_rec(rc, expect, fragment);
    if (expect != REC_OK)
        ck_assert_ptr_null(ds);
    return ds;
}

static uint32_t user_of(const rec_dataset *ds, const char *id)
{
    uint32_t u = UINT32_MAX;
    ck_assert_rec(rec_dataset_find_user(ds, id, &u), REC_OK, NULL);
    return u;
}

static uint32_t item_of(const rec_dataset *ds, const char *id)
{
    uint32_t i = UINT32_MAX;
    ck_assert_rec(rec_dataset_find_item(ds, id, &i), REC_OK, NULL);
    return i;
}

/* Position of (user, item) in the user's row, or -1. Optionally its rating
 * and timestamp. */
static long find_pair(const rec_dataset *ds, const char *user, const char *item,
                      float *rating, double *time)
{
    uint32_t u, i;
    if (rec_dataset_find_user(ds, user, &u) || rec_dataset_find_item(ds, item, &i))
        return -1;
    const uint32_t *items;
    const float *r;
    const double *t;
    size_t n;
    ck_assert_rec(rec_dataset_user_items(ds, u, &items, &r, &t, &n), REC_OK, NULL);
    for (size_t k = 0; k < n; k++) {
        if (items[k] == i) {
            if (rating)
                *rating = r ? r[k] : NAN;
            if (time)
                *time = t ? t[k] : NAN;
            return (long)k;
        }
    }
    return -1;
}

static rec_dataset_stats stats_of(const rec_dataset *ds)
{
    rec_dataset_stats st = REC_DATASET_STATS_INIT;
    ck_assert_rec(rec_dataset_stats_get(ds, &st), REC_OK, NULL);
    return st;
}

/* Every row read is kept or counted in exactly one way. */
static void check_accounting(const rec_dataset *ds)
{
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.rows_read, st.n_interactions + st.rows_skipped +
                      st.rows_below_min_rating + st.rows_duplicate +
                      st.rows_unknown_user + st.rows_unknown_item);
}

/* The user CSR is sorted and duplicate-free, and the item CSR holds exactly
 * the same pairs, sorted by user. */
static void check_csr(const rec_dataset *ds)
{
    size_t nu = rec_dataset_n_users(ds), ni = rec_dataset_n_items(ds), total = 0;
    size_t *seen = calloc(ni + 1, sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    for (uint32_t u = 0; u < nu; u++) {
        const uint32_t *items;
        size_t n;
        ck_assert_rec(rec_dataset_user_items(ds, u, &items, NULL, NULL, &n), REC_OK, NULL);
        for (size_t k = 0; k < n; k++) {
            ck_assert_uint_lt(items[k], ni);
            if (k)
                ck_assert_uint_lt(items[k - 1], items[k]);
            ck_assert(rec_dataset_has(ds, u, items[k]));
            seen[items[k]]++;
        }
        total += n;
    }
    ck_assert_uint_eq(total, rec_dataset_n_interactions(ds));
    size_t total_i = 0;
    for (uint32_t i = 0; i < ni; i++) {
        const uint32_t *users;
        size_t n;
        ck_assert_rec(rec_dataset_item_users(ds, i, &users, &n), REC_OK, NULL);
        ck_assert_uint_eq(n, seen[i]);
        for (size_t k = 0; k < n; k++) {
            if (k)
                ck_assert_uint_lt(users[k - 1], users[k]);
            ck_assert(rec_dataset_has(ds, users[k], i));
        }
        total_i += n;
    }
    ck_assert_uint_eq(total_i, total);
    free(seen);
}

/* ---- Id maps ---- */

START_TEST(test_idmap_intern_find)
{
    rec_idmap *m = rec_idmap_new();
    ck_assert_ptr_nonnull(m);
    uint32_t id;
    int added;
    ck_assert_int_eq(rec_idmap_find(m, "x", 1, &id), REC_ENOTFOUND);
    char buf[32];
    for (int k = 0; k < 5000; k++) {
        int len = snprintf(buf, sizeof buf, "id-%d", k);
        ck_assert_int_eq(rec_idmap_intern(m, buf, (size_t)len, &id, &added), REC_OK);
        ck_assert_int_eq(added, 1);
        ck_assert_uint_eq(id, (uint32_t)k);
    }
    ck_assert_uint_eq(rec_idmap_size(m), 5000);
    ck_assert_int_eq(rec_idmap_intern(m, "id-42", 5, &id, &added), REC_OK);
    ck_assert_int_eq(added, 0);
    ck_assert_uint_eq(id, 42);
    ck_assert_int_eq(rec_idmap_find(m, "id-4999", 7, &id), REC_OK);
    ck_assert_uint_eq(id, 4999);
    ck_assert_int_eq(rec_idmap_find(m, "id-5000", 7, &id), REC_ENOTFOUND);
    ck_assert_str_eq(rec_idmap_get(m, 7), "id-7");
    ck_assert_uint_eq(rec_idmap_len(m, 1234), 7);
    ck_assert_int_eq(rec_idmap_all_integers(m), 0);
    /* Ids are byte strings: a prefix is a different id. */
    ck_assert_int_eq(rec_idmap_find(m, "id-42", 4, &id), REC_OK);
    ck_assert_uint_eq(id, 4);
    ck_assert_ptr_eq(rec_idmap_retain(m), m);
    rec_idmap_release(m);
    rec_idmap_release(m);
    rec_idmap_release(NULL);
}
END_TEST

START_TEST(test_idmap_all_integers)
{
    static const struct { const char *id; int integer; } cases[] = {
        { "0", 1 }, { "42", 1 }, { "-7", 1 }, { "9007199254740991", 1 },
        { "9007199254740992", 0 }, { "-0", 0 }, { "007", 0 }, { "+3", 0 },
        { "1e3", 0 }, { "-", 0 }, { "12a", 0 }, { "3.0", 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rec_idmap *m = rec_idmap_new();
        uint32_t id;
        ck_assert_int_eq(rec_idmap_intern(m, "5", 1, &id, NULL), REC_OK);
        ck_assert_int_eq(rec_idmap_all_integers(m), 1);
        ck_assert_int_eq(rec_idmap_intern(m, cases[k].id, strlen(cases[k].id), &id, NULL),
                         REC_OK);
        ck_assert_msg(rec_idmap_all_integers(m) == cases[k].integer, "%s", cases[k].id);
        rec_idmap_release(m);
    }
}
END_TEST

START_TEST(test_idmap_blob)
{
    rec_idmap *m = rec_idmap_new();
    uint32_t id;
    const char *ids[] = { "alice", "bob", "c\xc3\xa9line", "1" };
    for (size_t k = 0; k < 4; k++)
        ck_assert_int_eq(rec_idmap_intern(m, ids[k], strlen(ids[k]), &id, NULL), REC_OK);
    size_t size;
    const char *blob = rec_idmap_blob(m, &size);
    ck_assert_uint_eq(size, 6 + 4 + 8 + 2);
    ck_assert_mem_eq(blob, "alice\0bob\0c\xc3\xa9line\0" "1", size);

    rec_idmap *copy;
    ck_assert_rec(rec_idmap_from_blob(&copy, blob, size, 4), REC_OK, NULL);
    ck_assert_uint_eq(rec_idmap_size(copy), 4);
    for (size_t k = 0; k < 4; k++) {
        ck_assert_str_eq(rec_idmap_get(copy, (uint32_t)k), ids[k]);
        ck_assert_int_eq(rec_idmap_find(copy, ids[k], strlen(ids[k]), &id), REC_OK);
        ck_assert_uint_eq(id, k);
    }
    /* An imported map keeps growing like any other. */
    ck_assert_int_eq(rec_idmap_intern(copy, "dan", 3, &id, NULL), REC_OK);
    ck_assert_uint_eq(id, 4);
    rec_idmap_release(copy);

    /* Empty map. */
    rec_idmap *e;
    ck_assert_rec(rec_idmap_from_blob(&e, "", 0, 0), REC_OK, NULL);
    ck_assert_uint_eq(rec_idmap_size(e), 0);
    ck_assert_int_eq(rec_idmap_all_integers(e), 1);
    rec_idmap_release(e);

    /* Damaged blobs. */
    rec_idmap *bad = (rec_idmap *)1;
    ck_assert_rec(rec_idmap_from_blob(&bad, blob, size, 5), REC_ECORRUPT, "id map");
    ck_assert_ptr_null(bad);
    ck_assert_rec(rec_idmap_from_blob(&bad, blob, size, 3), REC_ECORRUPT, "after the last");
    ck_assert_rec(rec_idmap_from_blob(&bad, blob, size - 1, 4), REC_ECORRUPT,
                  "not NUL-terminated");
    ck_assert_rec(rec_idmap_from_blob(&bad, "a\0\0b\0", 5, 2), REC_ECORRUPT, "empty");
    ck_assert_rec(rec_idmap_from_blob(&bad, "a\0b\0a\0", 6, 3), REC_ECORRUPT,
                  "id 2 repeats id 0");
    ck_assert_rec(rec_idmap_from_blob(&bad, "ab", 2, 0), REC_ECORRUPT, NULL);
    ck_assert_rec(rec_idmap_from_blob(&bad, "a\0", 2, (size_t)1 << 40), REC_ECORRUPT, NULL);
    size_t big = REC_ID_MAX_LEN + 2;
    char *longid = malloc(big);
    memset(longid, 'x', big - 1);
    longid[big - 1] = '\0';
    ck_assert_rec(rec_idmap_from_blob(&bad, longid, big, 1), REC_ECORRUPT, "bytes long");
    free(longid);
    ck_assert_ptr_null(bad);
    rec_idmap_release(m);
}
END_TEST

START_TEST(test_utf8)
{
    ck_assert(rec_utf8_valid("plain ascii id 0123456789", 25));
    ck_assert(rec_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    ck_assert(!rec_utf8_valid("\xc3", 1));              /* truncated */
    ck_assert(!rec_utf8_valid("\xc0\xaf", 2));          /* overlong */
    ck_assert(!rec_utf8_valid("\xe0\x80\xaf", 3));      /* overlong */
    ck_assert(!rec_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    ck_assert(!rec_utf8_valid("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
    ck_assert(!rec_utf8_valid("abcdefgh\xff", 9));
    ck_assert(!rec_utf8_valid("\x80", 1));
}
END_TEST

/* ---- CSV ---- */

START_TEST(test_csv_header_and_ids)
{
    rec_dataset *ds = csv_text("basic.csv",
                               "user,item\nu1,i1\nu1,i2\nu2,i1\nu3,i3\n",
                               NULL, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 3);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 3);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 4);
    /* Dense ids in order of first appearance. */
    ck_assert_uint_eq(user_of(ds, "u1"), 0);
    ck_assert_uint_eq(user_of(ds, "u3"), 2);
    ck_assert_uint_eq(item_of(ds, "i3"), 2);
    const char *id;
    ck_assert_rec(rec_dataset_user_id(ds, 1, &id), REC_OK, NULL);
    ck_assert_str_eq(id, "u2");
    ck_assert_rec(rec_dataset_item_id(ds, 1, &id), REC_OK, NULL);
    ck_assert_str_eq(id, "i2");
    uint32_t x;
    ck_assert_rec(rec_dataset_find_user(ds, "user", &x), REC_ENOTFOUND, "'user'");
    ck_assert_rec(rec_dataset_find_item(ds, "u1", &x), REC_ENOTFOUND, "unknown item id");
    /* No rating column: no ratings, no timestamps. */
    const uint32_t *items;
    const float *r = (const float *)1;
    const double *t = (const double *)1;
    size_t n;
    ck_assert_rec(rec_dataset_user_items(ds, 0, &items, &r, &t, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(t);
    check_csr(ds);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.rows_read, 4);
    ck_assert_int_eq(st.has_ratings, 0);
    ck_assert_int_eq(st.has_timestamps, 0);
    rec_dataset_free(ds);

    /* Without a header the first row is data. */
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.has_header = 0;
    ds = csv_text("nohdr.csv", "user,item\nu1,i1\n", &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 2);
    ck_assert_uint_eq(user_of(ds, "user"), 0);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_delimiters)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.has_header = 0;
    csv.rating_col = 2;
    static const struct { char delim; const char *text; } cases[] = {
        { ',', "a,b,1\n c , d ,2\n" },
        { ';', "a;b;1\n c ; d ;2\n" },
        { '|', "a|b|1\nc|d|2\n" },
        { '\t', "a\tb\t1\n c \t d \t2\n" },
        { ' ', "a b 1\n\tc d\t 2\n" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        csv.delimiter = cases[k].delim;
        rec_dataset *ds = csv_text("delim.txt", cases[k].text, &csv, NULL, NULL, REC_OK, NULL);
        ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
        float r;
        ck_assert_int_ge(find_pair(ds, "a", "b", &r, NULL), 0);
        ck_assert(r == 1.0f);
        ck_assert_int_ge(find_pair(ds, "c", "d", &r, NULL), 0);
        ck_assert(r == 2.0f);
        rec_dataset_free(ds);
    }
    /* Tab-separated: an empty field stays a field (tabs are not trimmed). */
    csv.delimiter = '\t';
    csv.rating_col = -1;
    csv.item_col = 2;
    rec_dataset *ds = csv_text("tab.tsv", "u\t\ti\n", &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_int_ge(find_pair(ds, "u", "i", NULL, NULL), 0);
    rec_dataset_free(ds);
    csv_text("tab2.tsv", "u\ti\n", &csv, NULL, NULL, REC_EFORMAT,
             "tab2.tsv:1: expected at least 3 fields, found 2");
    /* Space-separated: two spaces make an empty field between them. */
    csv.delimiter = ' ';
    csv.item_col = 1;
    csv_text("sp.txt", "u  i\n", &csv, NULL, NULL, REC_EFORMAT, "field 2 (item): empty id");
    /* ... and a tab inside a field is part of the id. */
    ds = csv_text("sp2.txt", "u\tv i\n", &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_int_ge(find_pair(ds, "u\tv", "i", NULL, NULL), 0);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_quoting)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_dataset *ds = csv_text("quoted.csv",
                               "user,item,rating\n"
                               "\"a,b\",\"x \"\"y\"\"\",1\n"
                               "\"multi\nline\",i2,2\n"
                               "\" spaced \",i3,3\n",
                               &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 3);
    ck_assert_int_ge(find_pair(ds, "a,b", "x \"y\"", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(ds, "multi\nline", "i2", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(ds, " spaced ", "i3", NULL, NULL), 0);
    rec_dataset_free(ds);

    /* Line numbers stay right after a field that spans lines, and a row
     * spanning lines is reported at its first line. */
    csv_text("q2.csv", "user,item,rating\n\"a\nb\",i,1\nc,d,x\n", &csv, NULL, NULL,
             REC_EFORMAT, "q2.csv:4: field 3 (rating): 'x' is not a number");
    csv_text("q3.csv", "user,item,rating\nu,i,1\n\"a\nb\",\"i\n\",zz\n", &csv, NULL, NULL,
             REC_EFORMAT, "q3.csv:3: field 3 (rating)");
    /* Unterminated quote: reported at the line the row began. */
    csv_text("q4.csv", "user,item\nu,i\nv,\"open\nw,j\n", NULL, NULL, NULL,
             REC_EFORMAT, "q4.csv:3: field 2: quoted field not terminated");
    /* A quote inside an unquoted field. */
    csv_text("q5.csv", "user,item\nu,i\nv,ab\"c\n", NULL, NULL, NULL,
             REC_EFORMAT, "q5.csv:3: field 2: misplaced quote");
    /* Text after a closing quote. */
    csv_text("q6.csv", "user,item\n\"u\"x,i\n", NULL, NULL, NULL,
             REC_EFORMAT, "q6.csv:2: field 1: misplaced quote");
    /* Another quote character. */
    csv.quote = '\'';
    csv.rating_col = -1;
    ds = csv_text("q7.csv", "user,item\n'a,b',\"c\"\n", &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_int_ge(find_pair(ds, "a,b", "\"c\"", NULL, NULL), 0);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_ratings_times)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.user_col = 1;
    csv.item_col = 3;
    csv.rating_col = 0;
    csv.time_col = 2;
    rec_dataset *ds = csv_text("rt.csv",
                               "rating,user,time,item,extra\n"
                               "4.5,u1,1700000000.25,i1,zzz\n"
                               "-1e-3,u1,17,i2,\n"
                               "3,u2,0,i1,x,y,z\n",
                               &csv, NULL, NULL, REC_OK, NULL);
    float r;
    double t;
    ck_assert_int_eq(find_pair(ds, "u1", "i1", &r, &t), 0);
    ck_assert(r == 4.5f);
    ck_assert(t == 1700000000.25);
    ck_assert_int_eq(find_pair(ds, "u1", "i2", &r, &t), 1);
    ck_assert(r == -1e-3f);
    ck_assert(t == 17.0);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_int_eq(st.has_ratings, 1);
    ck_assert_int_eq(st.has_timestamps, 1);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_min_rating)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.use_min_rating = 1;
    load.min_rating = 4;
    rec_dataset *ds = csv_text("min.csv",
                               "u,i,r\na,x,5\na,y,3\nb,x,4\nc,z,1\n",
                               &csv, &load, NULL, REC_OK, NULL);
    /* Rows left out register no ids. */
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 2);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 1);
    uint32_t x;
    ck_assert_rec(rec_dataset_find_user(ds, "c", &x), REC_ENOTFOUND, NULL);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.rows_read, 4);
    ck_assert_uint_eq(st.rows_below_min_rating, 2);
    check_accounting(ds);
    rec_dataset_free(ds);

    /* min_rating needs a rating column. */
    csv.rating_col = -1;
    csv_text("min2.csv", "u,i\na,x\n", &csv, &load, NULL, REC_EINVAL, "use_min_rating");
}
END_TEST

/* The six rows of one (user, item) pair used by the duplicate tests, with
 * the timestamps out of file order. */
static const char dup_text[] =
    "user,item,rating,time\n"
    "u,i,1,20\n"   /* line 2 */
    "u,j,7,5\n"    /* line 3 */
    "u,i,5,30\n"   /* line 4 */
    "u,i,2,10\n"   /* line 5 */
    "u,i,3,30\n";  /* line 6: same time as line 4, later in the file */

static rec_dataset *load_dup(rec_duplicates policy, int with_times, int with_ratings)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = with_ratings ? 2 : -1;
    csv.time_col = with_times ? 3 : -1;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = policy;
    return csv_text("dup.csv", dup_text, &csv, &load, NULL, REC_OK, NULL);
}

START_TEST(test_duplicates)
{
    float r;
    double t;
    /* LAST: latest timestamp, file order breaking the tie (line 6). */
    rec_dataset *ds = load_dup(REC_DUPLICATES_LAST, 1, 1);
    ck_assert_int_ge(find_pair(ds, "u", "i", &r, &t), 0);
    ck_assert(r == 3.0f && t == 30.0);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.rows_duplicate, 3);
    ck_assert_uint_eq(st.n_interactions, 2);
    check_accounting(ds);
    rec_dataset_free(ds);
    /* LAST without timestamps: the last row in the file. */
    ds = load_dup(REC_DUPLICATES_LAST, 0, 1);
    find_pair(ds, "u", "i", &r, NULL);
    ck_assert(r == 3.0f);
    rec_dataset_free(ds);
    /* FIRST: earliest timestamp (line 5). */
    ds = load_dup(REC_DUPLICATES_FIRST, 1, 1);
    find_pair(ds, "u", "i", &r, &t);
    ck_assert(r == 2.0f && t == 10.0);
    rec_dataset_free(ds);
    /* FIRST without timestamps: the first row in the file. */
    ds = load_dup(REC_DUPLICATES_FIRST, 0, 1);
    find_pair(ds, "u", "i", &r, NULL);
    ck_assert(r == 1.0f);
    rec_dataset_free(ds);
    /* SUM of ratings, latest timestamp. */
    ds = load_dup(REC_DUPLICATES_SUM, 1, 1);
    find_pair(ds, "u", "i", &r, &t);
    ck_assert(r == 11.0f && t == 30.0);
    find_pair(ds, "u", "j", &r, &t);
    ck_assert(r == 7.0f && t == 5.0);
    rec_dataset_free(ds);
    /* SUM without ratings counts the rows. */
    ds = load_dup(REC_DUPLICATES_SUM, 0, 0);
    find_pair(ds, "u", "i", &r, NULL);
    ck_assert(r == 4.0f);
    find_pair(ds, "u", "j", &r, NULL);
    ck_assert(r == 1.0f);
    ck_assert_int_eq(stats_of(ds).has_ratings, 0);
    rec_dataset_free(ds);
    /* MAX rating, latest timestamp. */
    ds = load_dup(REC_DUPLICATES_MAX, 1, 1);
    find_pair(ds, "u", "i", &r, &t);
    ck_assert(r == 5.0f && t == 30.0);
    rec_dataset_free(ds);
    /* ERROR names both lines. */
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = REC_DUPLICATES_ERROR;
    csv_text("dupe.csv", dup_text, &csv, &load, NULL, REC_EFORMAT,
             "dupe.csv:4: duplicate interaction of user 'u' and item 'i' (first on line 2)");
    /* The earliest second occurrence in the file is the one reported. */
    csv_text("dupe2.csv", "u,i\na,x\nb,y\nb,z\nb,y\na,x\n", &csv, &load, NULL,
             REC_EFORMAT, "dupe2.csv:5: duplicate interaction of user 'b' and item 'y' "
             "(first on line 3)");
    /* No duplicates: fine. */
    ds = csv_text("dupe3.csv", "u,i\na,x\na,y\n", &csv, &load, NULL, REC_OK, NULL);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_malformed)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    csv.time_col = 3;
    csv_text("m1.csv", "u,i,r,t\na,b,1,1\nc,d,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m1.csv:3: expected at least 4 fields, found 3");
    csv_text("m2.csv", "u,i,r,t\na,b,good,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m2.csv:2: field 3 (rating): 'good' is not a number");
    csv_text("m3.csv", "u,i,r,t\na,b,nan,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m3.csv:2: field 3 (rating): 'nan' is not a finite number");
    csv_text("m4.csv", "u,i,r,t\na,b,1,-inf\n", &csv, NULL, NULL, REC_EFORMAT,
             "m4.csv:2: field 4 (timestamp): '-inf' is not a finite number");
    csv_text("m5.csv", "u,i,r,t\na,b,1e39,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m5.csv:2: field 3 (rating): '1e39' is out of range");
    csv_text("m6.csv", "u,i,r,t\na,b,,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m6.csv:2: field 3 (rating) is empty");
    csv_text("m7.csv", "u,i,r,t\na,,1,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m7.csv:2: field 2 (item): empty id");
    csv_text("m8.csv", "u,i,r,t\n\"\",b,1,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m8.csv:2: field 1 (user): empty id");
    csv_text("m9.csv", "u,i,r,t\na,b\xff,1,1\n", &csv, NULL, NULL, REC_EFORMAT,
             "m9.csv:2: field 2 (item): id is not valid UTF-8 ('b?')");
    static const char nul_text[] = "u,i,r,t\nx,y,1,1\na\0b,c,1,1\n";
    char *path = rec_test_write_bytes("m10.csv", nul_text, sizeof nul_text - 1);
    rec_dataset *ds = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_load_csv(&ds, path, &csv, NULL, NULL), REC_EFORMAT,
                  "m10.csv:3: field 1 (user): id contains a NUL byte ('a?b')");
    ck_assert_ptr_null(ds);
    free(path);
    /* An id longer than REC_ID_MAX_LEN. */
    size_t big = REC_ID_MAX_LEN + 1;
    char *text = malloc(big + 32);
    strcpy(text, "u,i,r,t\na,");
    size_t off = strlen(text);
    memset(text + off, 'z', big);
    strcpy(text + off + big, ",1,1\n");
    csv_text("m11.csv", text, &csv, NULL, NULL, REC_EFORMAT,
             "m11.csv:2: field 2 (item): id longer than 4096 bytes");
    /* Exactly REC_ID_MAX_LEN is fine. */
    memmove(text + off + big - 1, text + off + big, strlen(text + off + big) + 1);
    ds = csv_text("m12.csv", text, &csv, NULL, NULL, REC_OK, NULL);
    rec_dataset_free(ds);
    free(text);
}
END_TEST

START_TEST(test_csv_skip_bad_lines)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.skip_bad_lines = 1;
    rec_dataset *ds = csv_text("skip.csv",
                               "u,i,r\n"
                               "a,x,1\n"
                               "b\n"              /* too few fields */
                               "c,y,nope\n"       /* bad rating */
                               ",y,1\n"           /* empty id */
                               "d,\"bad\"q,1\n"   /* misplaced quote */
                               "e,z,2\n"
                               "f,\xc3,1\n"       /* bad UTF-8 */
                               "g,\"open,3\n",    /* unterminated at end */
                               &csv, &load, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_int_ge(find_pair(ds, "e", "z", NULL, NULL), 0);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.rows_skipped, 6);
    ck_assert_uint_eq(st.rows_read, 8);
    check_accounting(ds);
    /* Skipped rows register no ids. */
    ck_assert_uint_eq(rec_dataset_n_users(ds), 2);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_empty_and_io)
{
    rec_dataset *ds = csv_text("empty.csv", "", NULL, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 0);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 0);
    check_csr(ds);
    rec_dataset_free(ds);
    ds = csv_text("hdr.csv", "user,item\n", NULL, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    ck_assert_uint_eq(stats_of(ds).rows_read, 0);
    rec_dataset_free(ds);
    ds = csv_text("hdr2.csv", "user,item", NULL, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    rec_dataset_free(ds);
    /* Blank lines, CRLF endings, a byte order mark, no final newline. */
    ds = csv_text("crlf.csv", "\xEF\xBB\xBFuser,item\r\n\r\na,b\r\n  \r\nc,d", NULL, NULL,
                  NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_int_ge(find_pair(ds, "a", "b", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(ds, "c", "d", NULL, NULL), 0);
    rec_dataset_free(ds);
    /* The BOM is not part of the first id when there is no header. */
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.has_header = 0;
    ds = csv_text("bom.csv", "\xEF\xBB\xBF" "a,b\n", &csv, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(user_of(ds, "a"), 0);
    rec_dataset_free(ds);
    /* Line numbers count blank lines. */
    csv_text("blank.csv", "user,item\n\n\na,b\n\nc\n", NULL, NULL, NULL, REC_EFORMAT,
             "blank.csv:6: expected at least 2 fields, found 1");

    char *missing = rec_test_path("does-not-exist.csv");
    ds = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_load_csv(&ds, missing, NULL, NULL, NULL), REC_EIO,
                  "does-not-exist.csv");
    ck_assert_ptr_null(ds);
    ck_assert_rec(rec_dataset_load_adjlist(&ds, missing, NULL, NULL), REC_EIO,
                  "cannot open");
    ck_assert_ptr_null(ds);
    free(missing);
    ck_assert_rec(rec_dataset_load_csv(&ds, rec_test_dir(), NULL, NULL, NULL), REC_EIO,
                  "cannot read");
    ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(test_csv_long_lines)
{
    /* A line far longer than the read buffer, and many lines. */
    size_t n = 600000;
    char *text = malloc(n + 64);
    strcpy(text, "user,item,extra\nu,i,");
    size_t off = strlen(text);
    memset(text + off, 'x', n);
    strcpy(text + off + n, "\nv,j,1\n");
    rec_dataset *ds = csv_text("long.csv", text, NULL, NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    rec_dataset_free(ds);
    free(text);

    size_t rows = 50000;
    text = malloc(rows * 24 + 16);
    char *p = text;
    p += sprintf(p, "u,i\n");
    for (size_t k = 0; k < rows; k++)
        p += sprintf(p, "user%zu,item%zu\n", k % 977, k % 1013);
    ds = csv_text("many.csv", text, NULL, NULL, NULL, REC_OK, NULL);
    free(text);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 977);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 1013);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), rows);
    check_csr(ds);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Adjacency lists ---- */

START_TEST(test_adjlist)
{
    rec_dataset *ds = adj_text("adj.txt",
                               "0 1 2 3\n"
                               "1\n"            /* a user with no items */
                               "\n"
                               "   \t \n"
                               "2\t3  1 \r\n"
                               "0 4\r\n"        /* the same user again */
                               "3 3",           /* no final newline */
                               NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 4);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 4);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 7);
    const uint32_t *items;
    size_t n;
    ck_assert_rec(rec_dataset_user_items(ds, user_of(ds, "1"), &items, NULL, NULL, &n),
                  REC_OK, NULL);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_ge(find_pair(ds, "2", "1", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(ds, "0", "4", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(ds, "3", "3", NULL, NULL), 0);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.users_without_items, 1);
    ck_assert_uint_eq(st.rows_read, 7);
    check_csr(ds);
    rec_dataset_free(ds);

    /* Repeated items on a line follow the duplicate policy. */
    ds = adj_text("adj2.txt", "u a b a\n", NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_uint_eq(stats_of(ds).rows_duplicate, 1);
    rec_dataset_free(ds);
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = REC_DUPLICATES_ERROR;
    adj_text("adj3.txt", "u a\nv a\nu b a\n", &load, NULL, REC_EFORMAT,
             "adj3.txt:3: duplicate interaction of user 'u' and item 'a' (first on line 1)");

    /* Malformed lines: reported, or skipped whole and counted. */
    adj_text("adj4.txt", "u a\nv b \xff c\n", NULL, NULL, REC_EFORMAT,
             "adj4.txt:2: field 3 (item): id is not valid UTF-8");
    load = (rec_load_options)REC_LOAD_OPTIONS_INIT;
    load.skip_bad_lines = 1;
    ds = adj_text("adj5.txt", "u a\nv b \xff c\nw c\n", &load, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 2);
    ck_assert_uint_eq(stats_of(ds).rows_skipped, 1);
    check_accounting(ds);
    rec_dataset_free(ds);

    ds = adj_text("adj6.txt", "", NULL, NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    rec_dataset_free(ds);

    /* Adjacency lists have no ratings for min_rating to use. */
    load = (rec_load_options)REC_LOAD_OPTIONS_INIT;
    load.use_min_rating = 1;
    adj_text("adj7.txt", "u a\n", &load, NULL, REC_EINVAL, "use_min_rating");
}
END_TEST

/* ---- Arrays ---- */

START_TEST(test_arrays)
{
    const char *users[] = { "alice", "bob", "alice", "carol" };
    const char *items[] = { "x", "y", "y", "x" };
    const float ratings[] = { 5, 3, 4, 1 };
    const double times[] = { 10, 20, 30, 40 };
    rec_dataset *ds = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, items, ratings, times, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 3);
    ck_assert_uint_eq(rec_dataset_n_items(ds), 2);
    float r;
    double t;
    ck_assert_int_ge(find_pair(ds, "alice", "y", &r, &t), 0);
    ck_assert(r == 4.0f && t == 30.0);
    check_csr(ds);
    rec_dataset_free(ds);

    /* No ratings or timestamps. */
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_int_ge(find_pair(ds, "alice", "y", &r, &t), 0);
    ck_assert(isnan(r) && isnan(t));
    ck_assert_int_eq(stats_of(ds).has_ratings, 0);
    rec_dataset_free(ds);

    /* Zero rows. */
    ck_assert_rec(rec_dataset_from_arrays(&ds, 0, NULL, NULL, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    rec_dataset_free(ds);

    /* Errors name the row (its index). */
    const float bad_ratings[] = { 5, NAN, 4, 1 };
    ds = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, items, bad_ratings, NULL, NULL,
                                          NULL),
                  REC_EFORMAT, "arrays: row 1: rating is not a finite number");
    ck_assert_ptr_null(ds);
    const double bad_times[] = { 1, 2, INFINITY, 3 };
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, items, NULL, bad_times, NULL,
                                          NULL),
                  REC_EFORMAT, "arrays: row 2: timestamp is not a finite number");
    const char *bad_users[] = { "a", "", "c", "d" };
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, bad_users, items, NULL, NULL, NULL, NULL),
                  REC_EFORMAT, "arrays: row 1: user: empty id");
    const char *null_items[] = { "x", "y", NULL, "x" };
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, null_items, NULL, NULL, NULL,
                                          NULL),
                  REC_EINVAL, "items[2] is NULL");
    ck_assert_ptr_null(ds);
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.skip_bad_lines = 1;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, bad_users, items, bad_ratings, NULL,
                                          &load, NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 3);
    ck_assert_uint_eq(stats_of(ds).rows_skipped, 1);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_int_arrays)
{
    const int64_t users[] = { 42, -7, 42, INT64_MIN };
    const int64_t items[] = { 0, 1, 2, INT64_MAX };
    rec_dataset *ds = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 4, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 3);
    ck_assert_uint_eq(user_of(ds, "42"), 0);
    ck_assert_uint_eq(user_of(ds, "-7"), 1);
    ck_assert_uint_eq(user_of(ds, "-9223372036854775808"), 2);
    ck_assert_uint_eq(item_of(ds, "9223372036854775807"), 3);
    ck_assert_int_eq(rec_idmap_all_integers(ds->users), 0); /* beyond 2^53 */

    /* A text file with the same numbers lands in the same id space. */
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.has_header = 0;
    rec_dataset *t = csv_text("ints.csv", "42,2\n-7,0\n5,1\n", &csv, NULL, ds, REC_OK, NULL);
    ck_assert(rec_dataset_same_space(ds, t));
    ck_assert_uint_eq(rec_dataset_n_interactions(t), 2);
    ck_assert_uint_eq(stats_of(t).rows_unknown_user, 1);
    rec_dataset_free(t);
    rec_dataset_free(ds);

    const float ratings[] = { 4, 3, 2, 1 };
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.use_min_rating = 1;
    load.min_rating = 2.5;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 4, users, items, ratings, NULL, &load,
                                              NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    ck_assert_int_eq(rec_idmap_all_integers(ds->users), 1);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Reference id spaces ---- */

START_TEST(test_ref_space)
{
    rec_dataset *train = csv_text("train.csv", "u,i\na,x\nb,y\nc,z\n", NULL, NULL, NULL,
                                  REC_OK, NULL);
    rec_dataset *test = csv_text("test.csv",
                                 "u,i\nb,x\nnew,x\na,new\nnew2,new2\nc,z\n",
                                 NULL, NULL, train, REC_OK, NULL);
    ck_assert(rec_dataset_same_space(train, test));
    ck_assert_uint_eq(rec_dataset_n_users(test), 3);
    ck_assert_uint_eq(rec_dataset_n_items(test), 3);
    ck_assert_uint_eq(rec_dataset_n_interactions(test), 2);
    rec_dataset_stats st = stats_of(test);
    ck_assert_uint_eq(st.rows_unknown_user, 2);
    ck_assert_uint_eq(st.rows_unknown_item, 1);
    ck_assert_uint_eq(st.users_without_items, 1);
    check_accounting(test);
    check_csr(test);
    /* Shared maps: same dense ids, same strings. */
    const char *a, *b;
    rec_dataset_user_id(train, 2, &a);
    rec_dataset_user_id(test, 2, &b);
    ck_assert_ptr_eq(a, b);
    /* The maps outlive the dataset that built them. */
    rec_dataset_free(train);
    ck_assert_uint_eq(user_of(test, "c"), 2);

    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.unknown_ids = REC_UNKNOWN_ERROR;
    csv_text("test2.csv", "u,i\nb,x\na,nope\n", NULL, &load, test, REC_EFORMAT,
             "test2.csv:3: field 2 (item): unknown item id 'nope'");
    /* A refusal is not a bad line: skip_bad_lines does not skip it. */
    load.skip_bad_lines = 1;
    csv_text("test3.csv", "u,i\nzz,x\n", NULL, &load, test, REC_EFORMAT,
             "test3.csv:2: field 1 (user): unknown user id 'zz'");
    adj_text("test4.txt", "zz\n", &load, test, REC_EFORMAT, "unknown user id 'zz'");
    rec_dataset *t2 = adj_text("test5.txt", "zz\nzz x\na x zz\n", NULL, test, REC_OK, NULL);
    ck_assert_uint_eq(stats_of(t2).rows_unknown_user, 1);
    ck_assert_uint_eq(stats_of(t2).rows_unknown_item, 1);
    check_accounting(t2);
    rec_dataset_free(t2);
    const char *users[] = { "a", "q" };
    const char *items[] = { "x", "x" };
    ck_assert_rec(rec_dataset_from_arrays(&t2, 2, users, items, NULL, NULL, &load, test),
                  REC_EFORMAT, "arrays: row 1: user: unknown user id 'q'");
    rec_dataset_free(test);
}
END_TEST

/* ---- Look-ups, CSR, stats ---- */

START_TEST(test_lookups_and_stats)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    csv.time_col = 3;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.skip_bad_lines = 1;
    load.use_min_rating = 1;
    load.min_rating = 2;
    rec_dataset *ds = csv_text("st.csv",
                               "u,i,r,t\n"
                               "b,z,5,1\nb,y,4,2\nb,x,3,3\na,x,1,4\nb,z,2,5\nq\nc,x,2,6\n",
                               &csv, &load, NULL, REC_OK, NULL);
    rec_dataset_stats st = stats_of(ds);
    ck_assert_uint_eq(st.version, REC_DATASET_STATS_VERSION);
    ck_assert_uint_eq(st.n_users, 2);
    ck_assert_uint_eq(st.n_items, 3);
    ck_assert_uint_eq(st.n_interactions, 4);
    ck_assert_uint_eq(st.rows_read, 7);
    ck_assert_uint_eq(st.rows_skipped, 1);
    ck_assert_uint_eq(st.rows_below_min_rating, 1);
    ck_assert_uint_eq(st.rows_duplicate, 1);
    ck_assert_uint_eq(st.users_without_items, 0);
    ck_assert_int_eq(st.has_ratings, 1);
    ck_assert_int_eq(st.has_timestamps, 1);
    check_accounting(ds);

    /* User b's items come sorted by dense item id (z=0, y=1, x=2), with
     * their ratings and timestamps alongside. */
    const uint32_t *items;
    const float *r;
    const double *t;
    size_t n;
    ck_assert_rec(rec_dataset_user_items(ds, user_of(ds, "b"), &items, &r, &t, &n),
                  REC_OK, NULL);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(items[0], 0);
    ck_assert_uint_eq(items[2], 2);
    ck_assert(r[0] == 2.0f && t[0] == 5.0); /* LAST by time */
    ck_assert(r[1] == 4.0f && t[1] == 2.0);
    const uint32_t *users;
    ck_assert_rec(rec_dataset_item_users(ds, item_of(ds, "x"), &users, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(users[0], 0);
    ck_assert_uint_eq(users[1], 1);
    check_csr(ds);
    ck_assert(!rec_dataset_has(ds, 1, 0));
    ck_assert(!rec_dataset_has(ds, 99, 0));

    /* Out of range and NULL. */
    const char *id = "x";
    ck_assert_rec(rec_dataset_user_items(ds, 2, &items, &r, &t, &n), REC_EINVAL,
                  "user 2 is out of range (2 users)");
    ck_assert_ptr_null(items);
    ck_assert_uint_eq(n, 0);
    ck_assert_rec(rec_dataset_item_users(ds, 3, &users, &n), REC_EINVAL,
                  "item 3 is out of range (3 items)");
    ck_assert_rec(rec_dataset_user_id(ds, 2, &id), REC_EINVAL, "out of range");
    ck_assert_ptr_null(id);
    ck_assert_rec(rec_dataset_item_id(ds, UINT32_MAX, &id), REC_EINVAL, "out of range");

    /* Stats versions. */
    rec_dataset_stats s0 = REC_DATASET_STATS_INIT;
    s0.version = 0;
    ck_assert_rec(rec_dataset_stats_get(ds, &s0), REC_EINVAL, "stats->version is 0");
    s0.version = REC_DATASET_STATS_VERSION + 1;
    ck_assert_rec(rec_dataset_stats_get(ds, &s0), REC_EINVAL, "stats->version");
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_from_csr)
{
    rec_idmap *u = rec_idmap_new(), *i = rec_idmap_new();
    uint32_t id;
    rec_idmap_intern(u, "u0", 2, &id, NULL);
    rec_idmap_intern(u, "u1", 2, &id, NULL);
    rec_idmap_intern(i, "i0", 2, &id, NULL);
    rec_idmap_intern(i, "i1", 2, &id, NULL);
    rec_idmap_intern(i, "i2", 2, &id, NULL);

    size_t *ptr = rec_malloc_array(3, sizeof *ptr);
    uint32_t *items = rec_malloc_array(3, sizeof *items);
    ptr[0] = 0, ptr[1] = 2, ptr[2] = 3;
    items[0] = 0, items[1] = 2, items[2] = 1;
    rec_dataset *ds;
    ck_assert_rec(rec_dataset_from_csr(&ds, u, i, ptr, items, NULL, NULL), REC_OK, NULL);
    check_csr(ds);
    ck_assert(rec_dataset_has(ds, 0, 2));
    ck_assert(!rec_dataset_has(ds, 0, 1));
    ck_assert_ptr_eq(rec_dataset_retain(ds), ds);
    rec_dataset_release(ds);
    rec_dataset_release(ds);

    /* Unsorted row, repeated item, item out of range: refused, arrays freed. */
    static const uint32_t bad[3][3] = { { 2, 0, 1 }, { 1, 1, 0 }, { 0, 3, 1 } };
    for (int k = 0; k < 3; k++) {
        ptr = rec_malloc_array(3, sizeof *ptr);
        items = rec_malloc_array(3, sizeof *items);
        ptr[0] = 0, ptr[1] = 2, ptr[2] = 3;
        memcpy(items, bad[k], sizeof bad[k]);
        ds = (rec_dataset *)1;
        ck_assert_rec(rec_dataset_from_csr(&ds, u, i, ptr, items, NULL, NULL), REC_EINVAL,
                      "CSR");
        ck_assert_ptr_null(ds);
    }
    rec_idmap_release(u);
    rec_idmap_release(i);
}
END_TEST

/* ---- Splits ---- */

/* A dataset of `nu` users where user u has (u % 13) interactions with
 * timestamps that run against item order. */
static rec_dataset *split_source(size_t nu, int with_times)
{
    size_t cap = nu * 13, n = 0;
    int64_t *us = malloc(cap * sizeof *us), *is = malloc(cap * sizeof *is);
    float *rs = malloc(cap * sizeof *rs);
    double *ts = malloc(cap * sizeof *ts);
    for (size_t u = 0; u < nu; u++) {
        for (size_t k = 0; k < u % 13; k++) {
            us[n] = (int64_t)u;
            is[n] = (int64_t)((u * 7 + k * 31) % 500);
            rs[n] = (float)(k + 1);
            ts[n] = 1000.0 - (double)((u * 7 + k * 31) % 500);
            n++;
        }
    }
    rec_dataset *ds;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, us, is, rs, with_times ? ts : NULL,
                                              NULL, NULL),
                  REC_OK, NULL);
    free(us);
    free(is);
    free(rs);
    free(ts);
    return ds;
}

/* Every interaction of ds is in exactly one part, with its values, and the
 * train count per user follows the rule. */
static void check_split(const rec_dataset *ds, const rec_dataset *tr,
                        const rec_dataset *te, rec_split_method method, double ratio)
{
    ck_assert(rec_dataset_same_space(ds, tr));
    ck_assert(rec_dataset_same_space(ds, te));
    ck_assert_uint_eq(rec_dataset_n_interactions(tr) + rec_dataset_n_interactions(te),
                      rec_dataset_n_interactions(ds));
    check_csr(tr);
    check_csr(te);
    for (uint32_t u = 0; u < rec_dataset_n_users(ds); u++) {
        const uint32_t *items;
        const float *r;
        const double *t;
        size_t n, ntr, nte;
        rec_dataset_user_items(ds, u, &items, &r, &t, &n);
        const uint32_t *a, *b;
        const float *ra, *rb;
        const double *ta, *tb;
        rec_dataset_user_items(tr, u, &a, &ra, &ta, &ntr);
        rec_dataset_user_items(te, u, &b, &rb, &tb, &nte);
        ck_assert_uint_eq(ntr + nte, n);
        size_t want;
        if (method == REC_SPLIT_LEAVE_ONE_OUT)
            want = n >= 2 ? n - 1 : n;
        else if (n == 0)
            want = 0;
        else {
            double k = round(ratio * (double)n);
            want = k < 1 ? 1 : k > (double)n ? n : (size_t)k;
        }
        ck_assert_uint_eq(ntr, want);
        for (size_t k = 0; k < n; k++) {
            int in_tr = rec_dataset_has(tr, u, items[k]);
            int in_te = rec_dataset_has(te, u, items[k]);
            ck_assert_int_eq(in_tr + in_te, 1);
        }
        /* Values travel with their interactions. */
        size_t x = 0, y = 0;
        for (size_t k = 0; k < n; k++) {
            int in_tr = x < ntr && a[x] == items[k];
            if (r)
                ck_assert((in_tr ? ra[x] : rb[y]) == r[k]);
            if (t)
                ck_assert((in_tr ? ta[x] : tb[y]) == t[k]);
            if (in_tr)
                x++;
            else
                y++;
        }
    }
}

static int same_interactions(const rec_dataset *a, const rec_dataset *b)
{
    if (rec_dataset_n_interactions(a) != rec_dataset_n_interactions(b))
        return 0;
    for (uint32_t u = 0; u < rec_dataset_n_users(a); u++) {
        const uint32_t *x, *y;
        size_t nx, ny;
        rec_dataset_user_items(a, u, &x, NULL, NULL, &nx);
        rec_dataset_user_items(b, u, &y, NULL, NULL, &ny);
        if (nx != ny || (nx && memcmp(x, y, nx * sizeof *x)))
            return 0;
    }
    return 1;
}

START_TEST(test_split_random)
{
    rec_dataset *ds = split_source(600, 1);
    rec_split_options o = REC_SPLIT_OPTIONS_INIT;
    const double ratios[] = { 0.8, 0.5, 0.01, 0.99 };
    for (size_t k = 0; k < 4; k++) {
        o.train_ratio = ratios[k];
        rec_dataset *tr = (rec_dataset *)1, *te = (rec_dataset *)1;
        ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_OK, NULL);
        check_split(ds, tr, te, REC_SPLIT_RANDOM, ratios[k]);
        rec_dataset_free(tr);
        rec_dataset_free(te);
    }
    /* Same seed, same split; another seed, another split. */
    rec_dataset *a1, *b1, *a2, *b2, *a3, *b3;
    o.train_ratio = 0.5;
    ck_assert_rec(rec_dataset_split(&a1, &b1, ds, &o), REC_OK, NULL);
    ck_assert_rec(rec_dataset_split(&a2, &b2, ds, &o), REC_OK, NULL);
    o.seed = 99;
    ck_assert_rec(rec_dataset_split(&a3, &b3, ds, &o), REC_OK, NULL);
    ck_assert(same_interactions(a1, a2));
    ck_assert(same_interactions(b1, b2));
    ck_assert(!same_interactions(a1, a3));
    rec_dataset_stats st = stats_of(a1);
    ck_assert_int_eq(st.has_ratings, 1);
    ck_assert_int_eq(st.has_timestamps, 1);
    ck_assert_uint_eq(st.n_interactions, rec_dataset_n_interactions(a1));
    rec_dataset_free(a1);
    rec_dataset_free(b1);
    rec_dataset_free(a2);
    rec_dataset_free(b2);
    rec_dataset_free(a3);
    rec_dataset_free(b3);
    /* The parts outlive their source. */
    ck_assert_rec(rec_dataset_split(&a1, &b1, ds, NULL), REC_OK, NULL);
    size_t nu = rec_dataset_n_users(ds);
    rec_dataset_free(ds);
    ck_assert_uint_eq(rec_dataset_n_users(a1), nu);
    ck_assert_uint_eq(rec_dataset_n_users(b1), nu);
    rec_dataset_free(a1);
    rec_dataset_free(b1);
}
END_TEST

START_TEST(test_split_threads)
{
    /* The result does not depend on the thread count. */
    rec_dataset *ds = split_source(4000, 1);
    const rec_split_method methods[] = { REC_SPLIT_RANDOM, REC_SPLIT_TEMPORAL,
                                         REC_SPLIT_LEAVE_ONE_OUT };
    for (int m = 0; m < 3; m++) {
        rec_split_options o = REC_SPLIT_OPTIONS_INIT;
        o.method = methods[m];
        o.seed = 12345;
        rec_dataset *a1, *b1, *a4, *b4;
        ck_assert_rec(rec_data_split_threads(&a1, &b1, ds, &o, 1), REC_OK, NULL);
        ck_assert_rec(rec_data_split_threads(&a4, &b4, ds, &o, 4), REC_OK, NULL);
        check_split(ds, a4, b4, methods[m], o.train_ratio);
        ck_assert(same_interactions(a1, a4));
        ck_assert(same_interactions(b1, b4));
        rec_dataset_free(a1);
        rec_dataset_free(b1);
        rec_dataset_free(a4);
        rec_dataset_free(b4);
    }
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_split_temporal)
{
    rec_dataset *ds = split_source(300, 1);
    rec_split_options o = REC_SPLIT_OPTIONS_INIT;
    o.method = REC_SPLIT_TEMPORAL;
    o.train_ratio = 0.7;
    rec_dataset *tr, *te;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_OK, NULL);
    check_split(ds, tr, te, REC_SPLIT_TEMPORAL, 0.7);
    /* Every training timestamp of a user precedes every test timestamp. */
    for (uint32_t u = 0; u < 300; u++) {
        const uint32_t *a, *b;
        const double *ta, *tb;
        size_t na, nb;
        rec_dataset_user_items(tr, u, &a, NULL, &ta, &na);
        rec_dataset_user_items(te, u, &b, NULL, &tb, &nb);
        for (size_t x = 0; x < na; x++)
            for (size_t y = 0; y < nb; y++)
                ck_assert(ta[x] <= tb[y]);
    }
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(ds);

    /* Ties in time: the lower item id goes to training first. */
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.time_col = 2;
    ds = csv_text("tt.csv", "u,i,t\nu,a,5\nu,b,5\nu,c,1\nu,d,5\n", &csv, NULL, NULL,
                  REC_OK, NULL);
    o.train_ratio = 0.5;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_OK, NULL);
    ck_assert_int_ge(find_pair(tr, "u", "c", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(tr, "u", "a", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(te, "u", "b", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(te, "u", "d", NULL, NULL), 0);
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(ds);

    /* No timestamps: refused. */
    ds = split_source(10, 0);
    tr = te = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_EINVAL, "needs timestamps");
    ck_assert_ptr_null(tr);
    ck_assert_ptr_null(te);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_split_leave_one_out)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.time_col = 2;
    rec_dataset *ds = csv_text("loo.csv",
                               "u,i,t\n"
                               "u,a,9\nu,b,3\nu,c,9\nu,d,1\n"   /* tie: c has the higher id */
                               "v,a,1\nv,b,2\n"
                               "w,a,4\n",                       /* one interaction: train */
                               &csv, NULL, NULL, REC_OK, NULL);
    rec_split_options o = REC_SPLIT_OPTIONS_INIT;
    o.method = REC_SPLIT_LEAVE_ONE_OUT;
    rec_dataset *tr, *te;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_OK, NULL);
    check_split(ds, tr, te, REC_SPLIT_LEAVE_ONE_OUT, 0);
    ck_assert_uint_eq(rec_dataset_n_interactions(te), 2);
    ck_assert_int_ge(find_pair(te, "u", "c", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(te, "v", "b", NULL, NULL), 0);
    ck_assert_int_ge(find_pair(tr, "w", "a", NULL, NULL), 0);
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(ds);

    /* Without timestamps: a seeded random one. */
    ds = split_source(400, 0);
    rec_dataset *tr2, *te2;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_OK, NULL);
    ck_assert_rec(rec_dataset_split(&tr2, &te2, ds, &o), REC_OK, NULL);
    check_split(ds, tr, te, REC_SPLIT_LEAVE_ONE_OUT, 0);
    ck_assert(same_interactions(te, te2));
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(tr2);
    rec_dataset_free(te2);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_split_bad_options)
{
    rec_dataset *ds = split_source(20, 1);
    rec_dataset *tr = (rec_dataset *)1, *te = (rec_dataset *)1;
    rec_split_options o = REC_SPLIT_OPTIONS_INIT;
    const double bad[] = { 0.0, 1.0, -0.5, 1.5, NAN };
    for (size_t k = 0; k < 5; k++) {
        o.train_ratio = bad[k];
        ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_EINVAL, "train_ratio");
        ck_assert_ptr_null(tr);
        ck_assert_ptr_null(te);
    }
    o = (rec_split_options)REC_SPLIT_OPTIONS_INIT;
    o.method = (rec_split_method)3;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_EINVAL, "opts->method");
    o = (rec_split_options)REC_SPLIT_OPTIONS_INIT;
    o.version = 0;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_EINVAL, "opts->version is 0");
    o.version = 2;
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, &o), REC_EINVAL, "opts->version is 2");
    ck_assert_rec(rec_dataset_split(&tr, &tr, ds, NULL), REC_EINVAL, "same place");
    ck_assert_rec(rec_dataset_split(NULL, &te, ds, NULL), REC_EINVAL, "train is NULL");
    ck_assert_rec(rec_dataset_split(&tr, NULL, ds, NULL), REC_EINVAL, "test is NULL");
    ck_assert_ptr_null(tr);
    ck_assert_rec(rec_dataset_split(&tr, &te, NULL, NULL), REC_EINVAL, "ds is NULL");
    rec_dataset_free(ds);
}
END_TEST

/* ---- Saving ---- */

START_TEST(test_save_roundtrip)
{
    const char *users[] = { "plain", "with,comma", "with \"quote\"", "multi\nline",
                            " padded ", "tab\there", "caf\xc3\xa9", "plain" };
    const char *items[] = { "i1", "i,2", "i1", "\"q\"", "i1", "i1", "cr\r", "i,2" };
    const float ratings[] = { 0.1f, 3.0f, 1e-7f, -2.5f, 16777217.0f, 4, 5, 3.3333333f };
    const double times[] = { 1700000000.123456789, 0.1, -1, 1e300, 5, 6, 7, 8 };
    rec_dataset *ds;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 8, users, items, ratings, times, NULL, NULL),
                  REC_OK, NULL);
    char *path = rec_test_path("saved.csv");
    const char delims[] = { ',', '\t', ';', ' ' };
    for (size_t k = 0; k < 4; k++) {
        rec_csv_options csv = REC_CSV_OPTIONS_INIT;
        csv.delimiter = delims[k];
        ck_assert_rec(rec_dataset_save_csv(ds, path, &csv), REC_OK, NULL);
        csv.rating_col = 2;
        csv.time_col = 3;
        rec_dataset *back = (rec_dataset *)1;
        ck_assert_rec(rec_dataset_load_csv(&back, path, &csv, NULL, NULL), REC_OK, NULL);
        ck_assert_uint_eq(rec_dataset_n_interactions(back), rec_dataset_n_interactions(ds));
        for (size_t r = 0; r < 8; r++) {
            float r1, r2;
            double t1, t2;
            ck_assert_int_ge(find_pair(ds, users[r], items[r], &r1, &t1), 0);
            ck_assert_int_ge(find_pair(back, users[r], items[r], &r2, &t2), 0);
            ck_assert(r1 == r2);
            ck_assert(t1 == t2);
        }
        rec_dataset_free(back);
    }
    /* Header and row order: (user, item) by dense ids. */
    ck_assert_rec(rec_dataset_save_csv(ds, path, NULL), REC_OK, NULL);
    size_t len;
    char *text = rec_test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert(len > 40);
    ck_assert_int_eq(strncmp(text, "user,item,rating,timestamp\nplain,i1,0.100000001,"
                             "1700000000.1234567", 66), 0);
    ck_assert_ptr_nonnull(strstr(text, "\nplain,\"i,2\",3.33333325,8\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n\"with,comma\",\"i,2\",3,0.10000000000000001\n"));
    free(text);

    /* Without ratings and timestamps, without a header. */
    rec_dataset *plain;
    ck_assert_rec(rec_dataset_from_arrays(&plain, 2, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.has_header = 0;
    ck_assert_rec(rec_dataset_save_csv(plain, path, &csv), REC_OK, NULL);
    text = rec_test_read_file(path, &len);
    ck_assert_uint_eq(len, strlen("plain,i1\n\"with,comma\",\"i,2\"\n"));
    ck_assert_mem_eq(text, "plain,i1\n\"with,comma\",\"i,2\"\n", len);
    free(text);
    rec_dataset_free(plain);

    /* Write errors: REC_EIO, and the target is left as it was. */
    char *nodir = rec_test_path("no-such-dir/out.csv");
    ck_assert_rec(rec_dataset_save_csv(ds, nodir, NULL), REC_EIO, "no-such-dir");
    free(nodir);
    char *dir = rec_test_path("a-directory");
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    ck_assert_rec(rec_dataset_save_csv(ds, dir, NULL), REC_EIO, "a-directory");
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    rmdir(dir);
    free(dir);
    free(path);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Arguments and options ---- */

START_TEST(test_null_arguments)
{
    rec_dataset *ds = csv_text("args.csv", "u,i\na,b\n", NULL, NULL, NULL, REC_OK, NULL);
    char *path = rec_test_write_file("args2.csv", "u,i\na,b\n");
    rec_dataset *out = (rec_dataset *)1;
    const char *users[] = { "a" };
    const int64_t ints[] = { 1 };

    ck_assert_rec(rec_load_options_init(NULL), REC_EINVAL, "opts is NULL");
    ck_assert_rec(rec_csv_options_init(NULL), REC_EINVAL, "opts is NULL");
    ck_assert_rec(rec_split_options_init(NULL), REC_EINVAL, "opts is NULL");
    rec_load_options lo;
    rec_csv_options co;
    rec_split_options so;
    ck_assert_rec(rec_load_options_init(&lo), REC_OK, NULL);
    ck_assert_rec(rec_csv_options_init(&co), REC_OK, NULL);
    ck_assert_rec(rec_split_options_init(&so), REC_OK, NULL);
    ck_assert_uint_eq(lo.version, REC_LOAD_OPTIONS_VERSION);
    ck_assert_int_eq(co.delimiter, ',');
    ck_assert_int_eq(co.rating_col, -1);
    ck_assert(so.train_ratio == 0.8);

    ck_assert_rec(rec_dataset_load_csv(NULL, path, NULL, NULL, NULL), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_dataset_load_csv(&out, NULL, NULL, NULL, NULL), REC_EINVAL, "path is NULL");
    ck_assert_ptr_null(out);
    ck_assert_rec(rec_dataset_load_adjlist(NULL, path, NULL, NULL), REC_EINVAL, "out is NULL");
    out = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_load_adjlist(&out, NULL, NULL, NULL), REC_EINVAL, "path is NULL");
    ck_assert_ptr_null(out);
    ck_assert_rec(rec_dataset_from_arrays(NULL, 1, users, users, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "out is NULL");
    out = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_from_arrays(&out, 1, NULL, users, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "users is NULL");
    ck_assert_ptr_null(out);
    ck_assert_rec(rec_dataset_from_arrays(&out, 1, users, NULL, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_dataset_from_int_arrays(NULL, 1, ints, ints, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "out is NULL");
    out = (rec_dataset *)1;
    ck_assert_rec(rec_dataset_from_int_arrays(&out, 1, ints, NULL, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "items is NULL");
    ck_assert_ptr_null(out);
    ck_assert_rec(rec_dataset_from_int_arrays(&out, 1, NULL, ints, NULL, NULL, NULL, NULL),
                  REC_EINVAL, "users is NULL");
    rec_dataset_free(NULL);

    ck_assert_uint_eq(rec_dataset_n_users(NULL), 0);
    ck_assert_uint_eq(rec_dataset_n_items(NULL), 0);
    ck_assert_uint_eq(rec_dataset_n_interactions(NULL), 0);

    const uint32_t *ids;
    size_t n;
    const char *id;
    uint32_t x;
    ck_assert_rec(rec_dataset_user_items(NULL, 0, &ids, NULL, NULL, &n), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_user_items(ds, 0, NULL, NULL, NULL, &n), REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_dataset_user_items(ds, 0, &ids, NULL, NULL, NULL), REC_EINVAL, "n is NULL");
    ck_assert_rec(rec_dataset_item_users(NULL, 0, &ids, &n), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_item_users(ds, 0, NULL, &n), REC_EINVAL, "users is NULL");
    ck_assert_rec(rec_dataset_item_users(ds, 0, &ids, NULL), REC_EINVAL, "n is NULL");
    ck_assert_rec(rec_dataset_user_id(NULL, 0, &id), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_user_id(ds, 0, NULL), REC_EINVAL, "id is NULL");
    ck_assert_rec(rec_dataset_item_id(NULL, 0, &id), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_item_id(ds, 0, NULL), REC_EINVAL, "id is NULL");
    ck_assert_rec(rec_dataset_find_user(NULL, "a", &x), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_find_user(ds, NULL, &x), REC_EINVAL, "id is NULL");
    ck_assert_rec(rec_dataset_find_user(ds, "a", NULL), REC_EINVAL, "user is NULL");
    ck_assert_rec(rec_dataset_find_item(NULL, "b", &x), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_find_item(ds, NULL, &x), REC_EINVAL, "id is NULL");
    ck_assert_rec(rec_dataset_find_item(ds, "b", NULL), REC_EINVAL, "item is NULL");
    rec_dataset_stats st = REC_DATASET_STATS_INIT;
    ck_assert_rec(rec_dataset_stats_get(NULL, &st), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_stats_get(ds, NULL), REC_EINVAL, "stats is NULL");
    ck_assert_rec(rec_dataset_save_csv(NULL, path, NULL), REC_EINVAL, "ds is NULL");
    ck_assert_rec(rec_dataset_save_csv(ds, NULL, NULL), REC_EINVAL, "path is NULL");
    free(path);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_bad_options)
{
    char *path = rec_test_write_file("opts.csv", "u,i,r,t\na,b,1,2\n");
    rec_dataset *out = (rec_dataset *)1;
#define CSV_BAD(field, value, fragment)                                              \
    do {                                                                             \
        rec_csv_options c = REC_CSV_OPTIONS_INIT;                                    \
        c.field = value;                                                             \
        out = (rec_dataset *)1;                                                      \
        ck_assert_rec(rec_dataset_load_csv(&out, path, &c, NULL, NULL), REC_EINVAL,  \
                      fragment);                                                     \
        ck_assert_ptr_null(out);                                                     \
    } while (0)
    CSV_BAD(version, 0, "csv->version is 0");
    CSV_BAD(version, REC_CSV_OPTIONS_VERSION + 1, "csv->version is 2");
    CSV_BAD(user_col, -1, "csv->user_col is -1");
    CSV_BAD(item_col, -3, "csv->item_col is -3");
    CSV_BAD(item_col, 0, "csv->user_col and csv->item_col are both 0");
    CSV_BAD(rating_col, -2, "csv->rating_col is -2");
    CSV_BAD(rating_col, 1, "csv->rating_col 1 is also");
    CSV_BAD(time_col, -5, "csv->time_col is -5");
    CSV_BAD(time_col, 0, "csv->time_col 0 is also");
    CSV_BAD(delimiter, '"', "same character");
    CSV_BAD(delimiter, '\n', "csv->delimiter");
    CSV_BAD(delimiter, '\0', "csv->delimiter");
    CSV_BAD(quote, '\r', "csv->quote");
    CSV_BAD(quote, ' ', "csv->quote");
#undef CSV_BAD
    {
        rec_csv_options c = REC_CSV_OPTIONS_INIT;
        c.rating_col = 2;
        c.time_col = 2;
        ck_assert_rec(rec_dataset_load_csv(&out, path, &c, NULL, NULL), REC_EINVAL,
                      "time_col 2 is also");
    }
#define LOAD_BAD(field, value, fragment)                                             \
    do {                                                                             \
        rec_csv_options c = REC_CSV_OPTIONS_INIT;                                    \
        c.rating_col = 2;                                                            \
        rec_load_options l = REC_LOAD_OPTIONS_INIT;                                  \
        l.field = value;                                                             \
        out = (rec_dataset *)1;                                                      \
        ck_assert_rec(rec_dataset_load_csv(&out, path, &c, &l, NULL), REC_EINVAL,    \
                      fragment);                                                     \
        ck_assert_ptr_null(out);                                                     \
        out = (rec_dataset *)1;                                                      \
        ck_assert_rec(rec_dataset_load_adjlist(&out, path, &l, NULL), REC_EINVAL,    \
                      fragment);                                                     \
        ck_assert_ptr_null(out);                                                     \
    } while (0)
    LOAD_BAD(version, 0, "load->version is 0");
    LOAD_BAD(version, 7, "load->version is 7");
    LOAD_BAD(duplicates, (rec_duplicates)5, "load->duplicates is 5");
    LOAD_BAD(duplicates, (rec_duplicates)-1, "load->duplicates is -1");
    LOAD_BAD(unknown_ids, (rec_unknown_ids)2, "load->unknown_ids is 2");
#undef LOAD_BAD
    {
        rec_csv_options c = REC_CSV_OPTIONS_INIT;
        c.rating_col = 2;
        rec_load_options l = REC_LOAD_OPTIONS_INIT;
        l.use_min_rating = 1;
        l.min_rating = NAN;
        ck_assert_rec(rec_dataset_load_csv(&out, path, &c, &l, NULL), REC_EINVAL,
                      "min_rating is not a finite number");
        const char *ids[] = { "a" };
        l.min_rating = 1;
        ck_assert_rec(rec_dataset_from_arrays(&out, 1, ids, ids, NULL, NULL, &l, NULL),
                      REC_EINVAL, "use_min_rating needs ratings");
    }
    /* save_csv reads only delimiter, quote and has_header. */
    rec_dataset *ds = csv_text("opts2.csv", "u,i\na,b\n", NULL, NULL, NULL, REC_OK, NULL);
    rec_csv_options c = REC_CSV_OPTIONS_INIT;
    c.user_col = -4;
    ck_assert_rec(rec_dataset_save_csv(ds, path, &c), REC_OK, NULL);
    c.version = 0;
    ck_assert_rec(rec_dataset_save_csv(ds, path, &c), REC_EINVAL, "csv->version is 0");
    c.version = REC_CSV_OPTIONS_VERSION;
    c.quote = ',';
    ck_assert_rec(rec_dataset_save_csv(ds, path, &c), REC_EINVAL, "same character");
    rec_dataset_free(ds);
    free(path);
}
END_TEST

/* ---- Allocation failures ---- */

/* Runs `call` with the n-th allocation failing, for n = 1, 2, ... until it
 * succeeds: every failure must be REC_ENOMEM with the outputs NULL (leaks
 * show up under LeakSanitizer). */
typedef int (*alloc_case)(void *ctx, rec_dataset **a, rec_dataset **b);

static void sweep(alloc_case call, void *ctx)
{
    for (long n = 1;; n++) {
        ck_assert_msg(n < 100000, "no success after %ld allocations", n);
        rec_dataset *a = (rec_dataset *)1, *b = (rec_dataset *)1;
        rec_alloc_fail_after(n);
        int rc = call(ctx, &a, &b);
        rec_alloc_fail_after(0);
        if (rc == REC_OK) {
            rec_dataset_free(a);
            if (b != (rec_dataset *)1)
                rec_dataset_free(b);
            ck_assert_int_gt(n, 1);
            return;
        }
        ck_assert_rec(rc, REC_ENOMEM, "out of memory");
        ck_assert_ptr_null(a);
        ck_assert(b == NULL || b == (rec_dataset *)1);
    }
}

static int csv_case(void *ctx, rec_dataset **a, rec_dataset **b)
{
    (void)b;
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.duplicates = REC_DUPLICATES_SUM;
    load.skip_bad_lines = 1;
    return rec_dataset_load_csv(a, ctx, &csv, &load, NULL);
}

static int csv_ref_case(void *ctx, rec_dataset **a, rec_dataset **b)
{
    (void)b;
    void **p = ctx;
    return rec_dataset_load_csv(a, p[0], NULL, NULL, p[1]);
}

static int adj_case(void *ctx, rec_dataset **a, rec_dataset **b)
{
    (void)b;
    return rec_dataset_load_adjlist(a, ctx, NULL, NULL);
}

static int arrays_case(void *ctx, rec_dataset **a, rec_dataset **b)
{
    (void)ctx;
    (void)b;
    const char *users[] = { "a", "b", "a", "c" };
    const char *items[] = { "x", "y", "x", "z" };
    const double times[] = { 1, 2, 3, 4 };
    return rec_dataset_from_arrays(a, 4, users, items, NULL, times, NULL, NULL);
}

static int split_case(void *ctx, rec_dataset **a, rec_dataset **b)
{
    void **p = ctx;
    return rec_dataset_split(a, b, p[0], p[1]);
}

START_TEST(test_alloc_failures)
{
    /* Long ids and a quoted field make libcsv grow its buffer. */
    char text[4096];
    char *t = text;
    t += sprintf(t, "user,item,rating\n");
    for (int k = 0; k < 40; k++)
        t += sprintf(t, "user-with-a-long-name-%d,\"item,%d\nline %s\",%d\n", k % 7, k % 5,
                     k == 3 ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                            : "", k);
    t += sprintf(t, "bad line\n");
    char *csv_path = rec_test_write_file("alloc.csv", text);
    sweep(csv_case, csv_path);

    rec_dataset *ref = NULL;
    ck_assert_rec(rec_dataset_load_csv(&ref, csv_path, NULL, NULL, NULL), REC_EFORMAT, NULL);
    rec_load_options skip = REC_LOAD_OPTIONS_INIT;
    skip.skip_bad_lines = 1;
    ck_assert_rec(rec_dataset_load_csv(&ref, csv_path, NULL, &skip, NULL), REC_OK, NULL);
    char *test_path = rec_test_write_file("alloc-test.csv",
                                          "u,i\nuser-with-a-long-name-1,x\nnew,y\n");
    void *ref_ctx[2] = { test_path, ref };
    sweep(csv_ref_case, ref_ctx);
    rec_dataset_free(ref);

    t = text;
    for (int u = 0; u < 60; u++) {
        t += sprintf(t, "%d", u);
        for (int k = 0; k < u % 9; k++)
            t += sprintf(t, " %d", (u * 13 + k * 7) % 41);
        t += sprintf(t, "\n");
    }
    char *adj_path = rec_test_write_file("alloc.txt", text);
    sweep(adj_case, adj_path);
    sweep(arrays_case, NULL);

    rec_dataset *src = split_source(50, 1);
    const rec_split_method methods[] = { REC_SPLIT_RANDOM, REC_SPLIT_TEMPORAL,
                                         REC_SPLIT_LEAVE_ONE_OUT };
    for (int m = 0; m < 3; m++) {
        rec_split_options o = REC_SPLIT_OPTIONS_INIT;
        o.method = methods[m];
        void *ctx[2] = { src, &o };
        sweep(split_case, ctx);
    }
    /* Saving: every failure is REC_ENOMEM and leaves no file behind. */
    char *out_path = rec_test_path("alloc-out.csv");
    for (long n = 1;; n++) {
        rec_alloc_fail_after(n);
        int rc = rec_dataset_save_csv(src, out_path, NULL);
        rec_alloc_fail_after(0);
        if (rc == REC_OK)
            break;
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        ck_assert_int_ne(access(out_path, F_OK), 0);
    }
    rec_dataset_free(src);
    free(out_path);
    free(csv_path);
    free(test_path);
    free(adj_path);
}
END_TEST

/* The idmap on its own: no partial insert survives a failure. */
START_TEST(test_idmap_alloc_failures)
{
    for (long n = 1; n < 1000; n++) {
        rec_idmap *m = rec_idmap_new();
        if (!m)
            continue;
        rec_alloc_fail_after(n);
        char buf[16];
        int rc = REC_OK;
        size_t added = 0;
        for (int k = 0; k < 300 && rc == REC_OK; k++) {
            uint32_t id;
            int len = snprintf(buf, sizeof buf, "%d", k);
            rc = rec_idmap_intern(m, buf, (size_t)len, &id, NULL);
            if (rc == REC_OK)
                added++;
        }
        rec_alloc_fail_after(0);
        ck_assert_uint_eq(rec_idmap_size(m), added);
        for (size_t k = 0; k < added; k++) {
            uint32_t id;
            int len = snprintf(buf, sizeof buf, "%zu", k);
            ck_assert_int_eq(rec_idmap_find(m, buf, (size_t)len, &id), REC_OK);
            ck_assert_uint_eq(id, k);
        }
        rec_idmap_release(m);
        if (rc == REC_OK)
            break;
        ck_assert_int_eq(rc, REC_ENOMEM);
    }
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("idmap");
    tcase_add_test(tc, test_idmap_intern_find);
    tcase_add_test(tc, test_idmap_all_integers);
    tcase_add_test(tc, test_idmap_blob);
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_idmap_alloc_failures);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, test_csv_header_and_ids);
    tcase_add_test(tc, test_csv_delimiters);
    tcase_add_test(tc, test_csv_quoting);
    tcase_add_test(tc, test_csv_ratings_times);
    tcase_add_test(tc, test_csv_min_rating);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_csv_malformed);
    tcase_add_test(tc, test_csv_skip_bad_lines);
    tcase_add_test(tc, test_csv_empty_and_io);
    tcase_add_test(tc, test_csv_long_lines);
    tcase_add_test(tc, test_adjlist);
    tcase_add_test(tc, test_arrays);
    tcase_add_test(tc, test_int_arrays);
    tcase_add_test(tc, test_ref_space);
    suite_add_tcase(s, tc);

    tc = tcase_create("dataset");
    tcase_add_test(tc, test_lookups_and_stats);
    tcase_add_test(tc, test_from_csr);
    tcase_add_test(tc, test_split_random);
    tcase_add_test(tc, test_split_threads);
    tcase_add_test(tc, test_split_temporal);
    tcase_add_test(tc, test_split_leave_one_out);
    tcase_add_test(tc, test_split_bad_options);
    tcase_add_test(tc, test_save_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("api");
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
