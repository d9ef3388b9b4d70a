/* Writes a dataset as delimited text that rec_dataset_load_csv() reads back
 * to the same interactions: external ids, quoted when needed, and numbers
 * with enough digits to round-trip (9 significant digits for a float, 17
 * for a double). */
#include <csv.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/file.h"
#include "core/c_locale.h"
#include "data/loaders.h"

/* An id must be quoted if reading it back unquoted would change it: it holds
 * the delimiter, the quote or a line break, or starts or ends with a space
 * or tab (libcsv trims those around unquoted fields). */
static int needs_quotes(const char *s, size_t len, char delim, char quote)
{
    if (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        return 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == delim || s[i] == quote || s[i] == '\r' || s[i] == '\n')
            return 1;
    return 0;
}

static int put_id(FILE *fp, const rec_idmap *m, uint32_t id, const rec_csv_options *csv)
{
    const char *s = rec_idmap_get(m, id);
    size_t len = rec_idmap_len(m, id);
    if (needs_quotes(s, len, csv->delimiter, csv->quote))
        return csv_fwrite2(fp, s, len, (unsigned char)csv->quote) == 0 ? 0 : -1;
    return fwrite(s, 1, len, fp) == len ? 0 : -1;
}

static int write_rows(FILE *fp, const rec_dataset *ds, const rec_csv_options *csv)
{
    char d = csv->delimiter;
    if (csv->has_header) {
        if (fprintf(fp, "user%citem", d) < 0 ||
            (ds->ratings && fprintf(fp, "%crating", d) < 0) ||
            (ds->times && fprintf(fp, "%ctimestamp", d) < 0) || putc('\n', fp) == EOF)
            return -1;
    }
    size_t nu = rec_ds_n_users(ds);
    for (size_t u = 0; u < nu; u++) {
        for (size_t k = ds->user_ptr[u]; k < ds->user_ptr[u + 1]; k++) {
            if (put_id(fp, ds->users, (uint32_t)u, csv) || putc(d, fp) == EOF ||
                put_id(fp, ds->items, ds->user_items[k], csv))
                return -1;
            if (ds->ratings && fprintf(fp, "%c%.9g", d, (double)ds->ratings[k]) < 0)
                return -1;
            if (ds->times && fprintf(fp, "%c%.17g", d, ds->times[k]) < 0)
                return -1;
            if (putc('\n', fp) == EOF)
                return -1;
        }
    }
    return 0;
}

int rec_data_save_csv(const rec_dataset *ds, const char *path,
                      const rec_csv_options *csv)
{
    rec_locale_scope loc;
    rec_locale_enter(&loc);
    rec_atomic_file f;
    int rc = rec_atomic_open(&f, path);
    if (rc == REC_OK) {
        if (write_rows(f.fp, ds, csv) != 0) {
            rc = rec_atomic_write_error(&f);
            rec_atomic_abort(&f);
        } else {
            rc = rec_atomic_commit(&f);
        }
    }
    rec_locale_leave(&loc);
    return rc;
}
