/* Options for reading interaction files, shared by every command. */
#include <string.h>

#include "cli.h"

const char data_options_help[] =
    "Data options (for every file the command reads):\n"
    "  --format csv|adjlist   delimited text (default) or 'user item item ...' lines\n"
    "  --delimiter C          field separator: one character, or \\t / tab (default ,)\n"
    "  --quote C              quote character (default \")\n"
    "  --no-header            the first row is data, not column names\n"
    "  --user-col N           0-based column of the user id (default 0)\n"
    "  --item-col N           column of the item id (default 1)\n"
    "  --rating-col N         column of the rating (default: none)\n"
    "  --time-col N           column of the timestamp (default: none)\n"
    "  --min-rating X         keep only rows rated X or more (implicit feedback)\n"
    "  --duplicates P         last|first|sum|max|error for repeated (user, item)\n"
    "                         pairs (default last)\n"
    "  --skip-bad-lines       skip and count malformed lines instead of failing\n"
    "  --unknown-ids P        skip|error for ids the model does not know when\n"
    "                         reading data into a model's id space (default skip)\n";

static char parse_char(const char *command, const char *name, const char *text)
{
    if (!strcmp(text, "\\t") || !strcmp(text, "tab"))
        return '\t';
    if (!strcmp(text, "space"))
        return ' ';
    if (strlen(text) != 1)
        die_usage(command, "--%s must be one character (or \\t); got '%s'", name, text);
    return text[0];
}

static int parse_col(args *a, const char *name, int current)
{
    const char *v = args_value(a, name);
    return v ? (int)parse_int_option(a->command, name, v, 0, 1000000) : current;
}

void data_options_parse(args *a, data_options *d)
{
    rec_csv_options_init(&d->csv);
    rec_load_options_init(&d->load);
    d->adjlist = 0;
    const char *v;
    if ((v = args_value(a, "format"))) {
        if (!strcmp(v, "adjlist"))
            d->adjlist = 1;
        else if (strcmp(v, "csv"))
            die_usage(a->command, "--format must be csv or adjlist; got '%s'", v);
    }
    if ((v = args_value(a, "delimiter")))
        d->csv.delimiter = parse_char(a->command, "delimiter", v);
    if ((v = args_value(a, "quote")))
        d->csv.quote = parse_char(a->command, "quote", v);
    if (args_flag(a, "no-header"))
        d->csv.has_header = 0;
    d->csv.user_col = parse_col(a, "user-col", d->csv.user_col);
    d->csv.item_col = parse_col(a, "item-col", d->csv.item_col);
    d->csv.rating_col = parse_col(a, "rating-col", d->csv.rating_col);
    d->csv.time_col = parse_col(a, "time-col", d->csv.time_col);
    if ((v = args_value(a, "min-rating"))) {
        d->load.use_min_rating = 1;
        d->load.min_rating = parse_double_option(a->command, "min-rating", v);
    }
    if ((v = args_value(a, "duplicates"))) {
        static const char *const names[] = { "last", "first", "sum", "max", "error" };
        int found = -1;
        for (int k = 0; k < 5; k++)
            if (!strcmp(v, names[k]))
                found = k;
        if (found < 0)
            die_usage(a->command, "--duplicates must be last, first, sum, max or error; "
                      "got '%s'", v);
        d->load.duplicates = (rec_duplicates)found;
    }
    if (args_flag(a, "skip-bad-lines"))
        d->load.skip_bad_lines = 1;
    if ((v = args_value(a, "unknown-ids"))) {
        if (!strcmp(v, "skip"))
            d->load.unknown_ids = REC_UNKNOWN_SKIP;
        else if (!strcmp(v, "error"))
            d->load.unknown_ids = REC_UNKNOWN_ERROR;
        else
            die_usage(a->command, "--unknown-ids must be skip or error; got '%s'", v);
    }
}

rec_dataset *load_dataset(const data_options *d, const char *path, const rec_dataset *ref,
                          const char *role)
{
    rec_dataset *ds = NULL;
    int rc = d->adjlist ? rec_dataset_load_adjlist(&ds, path, &d->load, ref)
                        : rec_dataset_load_csv(&ds, path, &d->csv, &d->load, ref);
    if (rc != REC_OK) {
        char what[64];
        snprintf(what, sizeof what, "reading the %s data", role);
        die_rec(rc, what);
    }
    report_dataset(ds, role, path);
    return ds;
}

void report_dataset(const rec_dataset *ds, const char *role, const char *path)
{
    rec_dataset_stats st = REC_DATASET_STATS_INIT;
    if (rec_dataset_stats_get(ds, &st) != REC_OK)
        return;
    if (st.rows_skipped)
        note("%s: skipped %zu malformed line(s) of the %s data", path, st.rows_skipped, role);
    if (st.rows_below_min_rating)
        note("%s: left out %zu row(s) rated below --min-rating", path,
             st.rows_below_min_rating);
    if (st.rows_duplicate)
        note("%s: merged %zu duplicate (user, item) row(s)", path, st.rows_duplicate);
    if (st.rows_unknown_user || st.rows_unknown_item)
        note("%s: left out %zu row(s) naming ids the model does not know (%zu with an "
             "unknown user, %zu with a known user and an unknown item)", path,
             st.rows_unknown_user + st.rows_unknown_item, st.rows_unknown_user,
             st.rows_unknown_item);
}
