/* Datasets from caller arrays (the FFI path). Rows are named by their index
 * in the arrays ("row 0" is users[0]). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "data/loaders.h"

static int finish(rec_builder *b, int rc, rec_dataset **out)
{
    if (rc == REC_OK)
        return rec_builder_finish(b, out);
    rec_builder_free(b);
    return rc;
}

int rec_data_from_arrays(rec_dataset **out, size_t n, const char *const *users,
                         const char *const *items, const float *ratings,
                         const double *timestamps, const rec_load_options *load,
                         const rec_dataset *ref)
{
    *out = NULL;
    rec_builder *b;
    int rc = rec_builder_new(&b, "arrays", "row", load, ref, ratings != NULL,
                             timestamps != NULL);
    if (rc)
        return rc;
    for (size_t r = 0; r < n && rc == REC_OK; r++) {
        if (!users[r] || !items[r]) {
            rc = rec_error(REC_EINVAL, "arrays: row %zu: %s[%zu] is NULL", r,
                           users[r] ? "items" : "users", r);
            break;
        }
        rc = rec_builder_add(b, r, users[r], strlen(users[r]), 0,
                             items[r], strlen(items[r]), 0,
                             ratings ? ratings[r] : 1.0f,
                             timestamps ? timestamps[r] : 0.0);
        rc = rec_builder_bad_row(b, rc);
    }
    return finish(b, rc, out);
}

int rec_data_from_int_arrays(rec_dataset **out, size_t n, const int64_t *users,
                             const int64_t *items, const float *ratings,
                             const double *timestamps,
                             const rec_load_options *load, const rec_dataset *ref)
{
    *out = NULL;
    rec_builder *b;
    int rc = rec_builder_new(&b, "arrays", "row", load, ref, ratings != NULL,
                             timestamps != NULL);
    if (rc)
        return rc;
    for (size_t r = 0; r < n && rc == REC_OK; r++) {
        /* The external id of an integer is its decimal form. */
        char u[24], i[24];
        int ul = snprintf(u, sizeof u, "%" PRId64, users[r]);
        int il = snprintf(i, sizeof i, "%" PRId64, items[r]);
        rc = rec_builder_add(b, r, u, (size_t)ul, 0, i, (size_t)il, 0,
                             ratings ? ratings[r] : 1.0f,
                             timestamps ? timestamps[r] : 0.0);
        rc = rec_builder_bad_row(b, rc);
    }
    return finish(b, rc, out);
}
