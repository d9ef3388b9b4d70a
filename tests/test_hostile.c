/* Hostile text inputs for the loaders: NUL bytes, lines far longer than any
 * buffer, invalid UTF-8, numbers out of range, NaN and infinities, odd
 * files (a directory, empty, no final newline, CRLF, header only, bare CR).
 * Each is accepted when valid or refused with a message naming the file and
 * the line; none may crash or be skipped silently. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"

static rec_dataset *csv_bytes(const char *name, const void *data, size_t len,
                              const rec_csv_options *csv, int expect,
                              const char *fragment)
{
    char *path = rec_test_write_bytes(name, data, len);
    rec_dataset *ds = (rec_dataset *)1;
    int rc = rec_dataset_load_csv(&ds, path, csv, NULL, NULL);
    free(path);
    ck_assert_rec(rc, expect, fragment);
    if (expect != REC_OK)
        ck_assert_ptr_null(ds);
    return ds;
}

static rec_dataset *csv_text(const char *name, const char *text,
                             const rec_csv_options *csv, int expect, const char *fragment)
{
    return csv_bytes(name, text, strlen(text), csv, expect, fragment);
}

static rec_dataset *adj_bytes(const char *name, const void *data, size_t len,
                              int expect, const char *fragment)
{
    char *path = rec_test_write_bytes(name, data, len);
    rec_dataset *ds = (rec_dataset *)1;
    int rc = rec_dataset_load_adjlist(&ds, path, NULL, NULL);
    free(path);
    ck_assert_rec(rc, expect, fragment);
    if (expect != REC_OK)
        ck_assert_ptr_null(ds);
    return ds;
}

static rec_dataset *adj_text(const char *name, const char *text, int expect,
                             const char *fragment)
{
    return adj_bytes(name, text, strlen(text), expect, fragment);
}

static rec_csv_options rated_timed(void)
{
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    csv.time_col = 3;
    return csv;
}

static double time_of(const rec_dataset *ds, const char *user)
{
    uint32_t u;
    ck_assert_rec(rec_dataset_find_user(ds, user, &u), REC_OK, NULL);
    const uint32_t *items;
    const float *r;
    const double *t;
    size_t n;
    ck_assert_rec(rec_dataset_user_items(ds, u, &items, &r, &t, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(t);
    return t[0];
}

/* ---- NUL bytes ---- */

START_TEST(test_nul_bytes)
{
    rec_csv_options csv = rated_timed();
    static const char in_item[] = "u,i,r,t\na,x\0y,1,1\n";
    csv_bytes("nul1.csv", in_item, sizeof in_item - 1, &csv, REC_EFORMAT,
              "nul1.csv:2: field 2 (item): id contains a NUL byte ('x?y')");
    static const char in_rating[] = "u,i,r,t\na,b,1,1\nc,d,4\0.5,1\n";
    csv_bytes("nul2.csv", in_rating, sizeof in_rating - 1, &csv, REC_EFORMAT,
              "nul2.csv:3: field 3 (rating): '4?.5' is not a number");
    static const char in_time[] = "u,i,r,t\na,b,1,\0\n";
    csv_bytes("nul3.csv", in_time, sizeof in_time - 1, &csv, REC_EFORMAT,
              "nul3.csv:2: field 4 (timestamp): '?' is not a number");
    /* Quoted, the NUL is still part of the id. */
    static const char quoted[] = "u,i,r,t\n\"a\0\",b,1,1\n";
    csv_bytes("nul4.csv", quoted, sizeof quoted - 1, &csv, REC_EFORMAT,
              "nul4.csv:2: field 1 (user): id contains a NUL byte ('a?')");
    /* A line of nothing but a NUL is not blank. */
    static const char alone[] = "u,i\na,b\n\0\n";
    csv_bytes("nul5.csv", alone, sizeof alone - 1, NULL, REC_EFORMAT,
              "nul5.csv:3: ");

    static const char adj_item[] = "u a\nv b c\0d\n";
    adj_bytes("nul1.txt", adj_item, sizeof adj_item - 1, REC_EFORMAT,
              "nul1.txt:2: field 3 (item): id contains a NUL byte ('c?d')");
    static const char adj_user[] = "\0 a\n";
    adj_bytes("nul2.txt", adj_user, sizeof adj_user - 1, REC_EFORMAT,
              "nul2.txt:1: field 1 (user): id contains a NUL byte ('?')");
}
END_TEST

/* ---- Very long lines ---- */

#define TEN_MB (10u * 1024 * 1024)

START_TEST(test_long_lines)
{
    /* A 10 MB field that is not used: accepted. */
    char *text = malloc(TEN_MB + 64);
    ck_assert_ptr_nonnull(text);
    char *p = text + sprintf(text, "user,item,note\na,b,");
    memset(p, 'x', TEN_MB);
    p += TEN_MB;
    p += sprintf(p, "\nc,d,e\n");
    rec_dataset *ds = csv_bytes("long1.csv", text, (size_t)(p - text), NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    rec_dataset_free(ds);

    /* A 10 MB id: refused, naming the line, with a short excerpt. */
    p = text + sprintf(text, "user,item\na,b\nc,");
    memset(p, 'y', TEN_MB);
    p += TEN_MB;
    p += sprintf(p, "\n");
    csv_bytes("long2.csv", text, (size_t)(p - text), NULL, REC_EFORMAT,
              "long2.csv:3: field 2 (item): id longer than 4096 bytes ('yyyy");
    ck_assert_uint_lt(strlen(rec_last_error()), 256);

    /* A 10 MB rating: not a number we read, and the message stays short. */
    rec_csv_options csv = rated_timed();
    p = text + sprintf(text, "u,i,r,t\na,b,");
    memset(p, '1', TEN_MB);
    p += TEN_MB;
    p += sprintf(p, ",1");
    csv_bytes("long3.csv", text, (size_t)(p - text), &csv, REC_EFORMAT,
              "long3.csv:2: field 3 (rating): '1111");
    ck_assert_uint_lt(strlen(rec_last_error()), 256);

    /* A 10 MB quoted field spanning many lines: the row is named by its
     * first line, and the line count goes on after it. */
    p = text + sprintf(text, "u,i\na,\"");
    for (size_t k = 0; k < TEN_MB / 2; k++) {
        *p++ = 'z';
        *p++ = '\n';
    }
    p += sprintf(p, "\"\nb\n");
    csv_bytes("long4.csv", text, (size_t)(p - text), NULL, REC_EFORMAT,
              "long4.csv:2: field 2 (item): id longer than 4096 bytes");
    csv.rating_col = -1;
    csv.time_col = -1;
    csv.item_col = 2;
    p = text + sprintf(text, "u,note,i\na,\"");
    for (size_t k = 0; k < TEN_MB / 2; k++) {
        *p++ = 'z';
        *p++ = '\n';
    }
    p += sprintf(p, "\",x\nb\n");
    csv_bytes("long5.csv", text, (size_t)(p - text), &csv, REC_EFORMAT,
              "long5.csv:5242883: expected at least 3 fields, found 1");

    /* An adjacency-list line of about 10 MB: one user, a million items. */
    size_t n_items = 1000000;
    p = text + sprintf(text, "u");
    for (size_t k = 0; k < n_items; k++)
        p += sprintf(p, " %zu", k);
    p += sprintf(p, "\nv 7\n");
    ck_assert_uint_gt((size_t)(p - text), 6u * 1024 * 1024);
    ds = adj_bytes("long1.txt", text, (size_t)(p - text), REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_items(ds), n_items);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), n_items + 1);
    rec_dataset_free(ds);

    /* And a 10 MB id in one. */
    p = text + sprintf(text, "u a\nv ");
    memset(p, 'q', TEN_MB);
    p += TEN_MB;
    ds = adj_bytes("long2.txt", text, (size_t)(p - text), REC_EFORMAT,
                   "long2.txt:2: field 2 (item): id longer than 4096 bytes ('qqq");
    free(text);
}
END_TEST

/* ---- Invalid UTF-8 ---- */

START_TEST(test_invalid_utf8)
{
    /* The docs promise: ids must be valid UTF-8, anything else is refused
     * naming the line and the field. */
    static const char *const bad[] = {
        "\xc0\xaf",          /* overlong '/' */
        "\xed\xa0\x80",      /* a surrogate */
        "\xf4\x90\x80\x80",  /* above U+10FFFF */
        "\x80",              /* a lone continuation byte */
        "a\xe2\x82",         /* truncated at the end */
        "\xfe",              /* never valid */
    };
    char text[64], fragment[96];
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(text, sizeof text, "user,item\nok,fine\n%s,x\n", bad[k]);
        csv_text("utf1.csv", text, NULL, REC_EFORMAT,
                 "utf1.csv:3: field 1 (user): id is not valid UTF-8 ('");
        snprintf(text, sizeof text, "u a\nv b %s\n", bad[k]);
        snprintf(fragment, sizeof fragment, "utf1.txt:2: field 3 (item): id is not valid UTF-8");
        adj_text("utf1.txt", text, REC_EFORMAT, fragment);
    }
    /* Valid multi-byte ids are accepted byte for byte. */
    rec_dataset *ds = csv_text("utf2.csv", "user,item\n\xc3\xa9l\xc3\xa8ve,\xf0\x9f\x8e\xac\n",
                               NULL, REC_OK, NULL);
    uint32_t u;
    ck_assert_rec(rec_dataset_find_user(ds, "\xc3\xa9l\xc3\xa8ve", &u), REC_OK, NULL);
    rec_dataset_free(ds);
    /* A bad header is not data: it is not checked. */
    ds = csv_text("utf3.csv", "us\xff" "er,item\na,b\n", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 1);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Numbers ---- */

START_TEST(test_numbers_out_of_range)
{
    rec_csv_options csv = rated_timed();
    csv_text("num1.csv", "u,i,r,t\na,b,1e400,1\n", &csv, REC_EFORMAT,
             "num1.csv:2: field 3 (rating): '1e400' is out of range");
    csv_text("num2.csv", "u,i,r,t\na,b,-1e400,1\n", &csv, REC_EFORMAT,
             "num2.csv:2: field 3 (rating): '-1e400' is out of range");
    csv_text("num3.csv", "u,i,r,t\na,b,1,1e400\n", &csv, REC_EFORMAT,
             "num3.csv:2: field 4 (timestamp): '1e400' is out of range");
    csv_text("num4.csv", "u,i,r,t\na,b,1,-1e309\n", &csv, REC_EFORMAT,
             "num4.csv:2: field 4 (timestamp): '-1e309' is out of range");
    /* Float overflow of a rating that a double holds. */
    csv_text("num5.csv", "u,i,r,t\na,b,-3.5e38,1\n", &csv, REC_EFORMAT,
             "num5.csv:2: field 3 (rating): '-3.5e38' is out of range");
    /* Timestamps are doubles: beyond int64 is still a finite number. */
    rec_dataset *ds = csv_text("num6.csv",
                               "u,i,r,t\n"
                               "a,b,1,99999999999999999999\n"
                               "c,b,1,-9223372036854775809\n"
                               "d,b,1e-50,1e300\n",
                               &csv, REC_OK, NULL);
    ck_assert(time_of(ds, "a") == 1e20);
    ck_assert(time_of(ds, "c") == -9223372036854775808.0);
    ck_assert(time_of(ds, "d") == 1e300);
    rec_dataset_free(ds);
    /* Text longer than any number we read. */
    char text[512];
    char digits[201];
    memset(digits, '9', 200);
    digits[200] = '\0';
    snprintf(text, sizeof text, "u,i,r,t\na,b,1,%s\n", digits);
    csv_text("num7.csv", text, &csv, REC_EFORMAT,
             "num7.csv:2: field 4 (timestamp): '9999");

    /* Integer ids at the ends of int64 keep their exact decimal form. */
    const int64_t users[] = { INT64_MIN, INT64_MAX, -1 };
    const int64_t items[] = { INT64_MAX, INT64_MIN, 0 };
    ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 3, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    uint32_t u, i;
    ck_assert_rec(rec_dataset_find_user(ds, "-9223372036854775808", &u), REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_user(ds, "9223372036854775807", &u), REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_item(ds, "-9223372036854775808", &i), REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_item(ds, "9223372036854775807", &i), REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 3);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_nonfinite)
{
    rec_csv_options csv = rated_timed();
    static const char *const words[] = { "nan", "NaN", "-nan", "inf", "-Inf", "infinity",
                                         "INFINITY" };
    char text[96], frag[96];
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        snprintf(text, sizeof text, "u,i,r,t\na,b,%s,1\n", words[k]);
        snprintf(frag, sizeof frag, "nf.csv:2: field 3 (rating): '%s' is not a finite number",
                 words[k]);
        csv_text("nf.csv", text, &csv, REC_EFORMAT, frag);
        snprintf(text, sizeof text, "u,i,r,t\na,b,1,1\nc,d,1,%s\n", words[k]);
        snprintf(frag, sizeof frag,
                 "nf.csv:3: field 4 (timestamp): '%s' is not a finite number", words[k]);
        csv_text("nf.csv", text, &csv, REC_EFORMAT, frag);
    }
    /* Spellings strtod would take but the docs do not. */
    csv_text("nf2.csv", "u,i,r,t\na,b,nan(1),1\n", &csv, REC_EFORMAT,
             "nf2.csv:2: field 3 (rating): 'nan(1)' is not a finite number");
    csv_text("nf3.csv", "u,i,r,t\na,b,0x10,1\n", &csv, REC_EFORMAT,
             "nf3.csv:2: field 3 (rating): '0x10' is not a number");

    /* Arrays: the row index names the entry. */
    const char *users[] = { "a", "b" };
    const char *items[] = { "x", "y" };
    const float ratings[] = { 1, NAN };
    const double times[] = { INFINITY, 0 };
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 2, users, items, ratings, NULL, NULL, NULL),
                  REC_EFORMAT, "arrays: row 1: rating is not a finite number");
    ck_assert_rec(rec_dataset_from_arrays(&ds, 2, users, items, NULL, times, NULL, NULL),
                  REC_EFORMAT, "arrays: row 0: timestamp is not a finite number");
    ck_assert_ptr_null(ds);
}
END_TEST

/* ---- Odd files ---- */

START_TEST(test_odd_files)
{
    rec_dataset *ds = (rec_dataset *)1;
    const char *dir = rec_test_dir();
    ck_assert_rec(rec_dataset_load_csv(&ds, dir, NULL, NULL, NULL), REC_EIO, dir);
    ck_assert_ptr_null(ds);
    ck_assert_rec(rec_dataset_load_adjlist(&ds, dir, NULL, NULL), REC_EIO, dir);
    ck_assert_ptr_null(ds);
    ck_assert_rec(rec_dataset_load_adjlist(&ds, dir, NULL, NULL), REC_EIO, "cannot read");

    /* Empty files are empty datasets. */
    ds = adj_text("empty.txt", "", REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    rec_dataset_free(ds);
    ds = csv_text("empty.csv", "", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
    rec_dataset_free(ds);

    /* Header only: with CRLF, without a final newline, with a BOM. */
    static const char *const headers[] = { "user,item\r\n", "user,item", "user,item\r",
                                           "\xEF\xBB\xBFuser,item\n", "\xEF\xBB\xBF" };
    for (size_t k = 0; k < sizeof headers / sizeof *headers; k++) {
        ds = csv_text("hdr.csv", headers[k], NULL, REC_OK, NULL);
        ck_assert_uint_eq(rec_dataset_n_users(ds), 0);
        rec_dataset_free(ds);
    }

    /* No final newline, with a quoted last field and CRLF elsewhere. */
    ds = csv_text("nonl.csv", "user,item\r\na,b\r\nc,\"d\"", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    rec_dataset_free(ds);
    /* A final line that is a bad row still names its line. */
    csv_text("nonl2.csv", "user,item\r\na,b\r\nc", NULL, REC_EFORMAT,
             "nonl2.csv:3: expected at least 2 fields, found 1");
    ds = adj_text("nonl.txt", "u a\r\nv b", REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    rec_dataset_free(ds);

    /* CRLF: the CR is never part of an id. */
    ds = csv_text("crlf.csv", "user,item\r\na,b\r\n", NULL, REC_OK, NULL);
    uint32_t i;
    ck_assert_rec(rec_dataset_find_item(ds, "b", &i), REC_OK, NULL);
    rec_dataset_free(ds);
    ds = adj_text("crlf.txt", "u a b\r\n", REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_item(ds, "b", &i), REC_OK, NULL);
    rec_dataset_free(ds);
}
END_TEST

/* Old Mac line endings (a bare CR). An adjacency list must not read "a\rv"
 * as one id; libcsv ends a row at a bare CR, so CSV rows come out right,
 * though line numbers count LF only. */
START_TEST(test_bare_cr)
{
    adj_text("cr.txt", "u a\rv b\r", REC_EFORMAT,
             "cr.txt:1: field 2 (item): id contains a carriage return");
    adj_text("cr2.txt", "u\ra b\n", REC_EFORMAT,
             "cr2.txt:1: field 1 (user): id contains a carriage return");
    rec_dataset *ds = csv_text("cr.csv", "user,item\ra,b\rc,d\r", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(ds), 2);
    uint32_t i;
    ck_assert_rec(rec_dataset_find_item(ds, "d", &i), REC_OK, NULL);
    rec_dataset_free(ds);
    csv_text("cr2.csv", "user,item\ra,b\rc\r", NULL, REC_EFORMAT,
             "cr2.csv:1: expected at least 2 fields, found 1");
}
END_TEST

/* Out of memory at any point of a load: the message names the file too. */
START_TEST(test_nomem_names_file)
{
    char *csv = rec_test_write_file("nomem.csv", "user,item\na,b\nc,d\n");
    char *adj = rec_test_write_file("nomem.txt", "a b c\nd e\n");
    for (int which = 0; which < 2; which++) {
        for (long n = 1;; n++) {
            rec_dataset *ds = NULL;
            rec_alloc_fail_after(n);
            int rc = which ? rec_dataset_load_adjlist(&ds, adj, NULL, NULL)
                           : rec_dataset_load_csv(&ds, csv, NULL, NULL, NULL);
            rec_alloc_fail_after(0);
            if (rc == REC_OK) {
                rec_dataset_free(ds);
                break;
            }
            ck_assert_rec(rc, REC_ENOMEM, which ? "nomem.txt: out of memory"
                                                : "nomem.csv: out of memory");
        }
    }
    free(csv);
    free(adj);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_long_lines);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_numbers_out_of_range);
    tcase_add_test(tc, test_nonfinite);
    tcase_add_test(tc, test_odd_files);
    tcase_add_test(tc, test_bare_cr);
    tcase_add_test(tc, test_nomem_names_file);
    suite_add_tcase(s, tc);
    return s;
}
