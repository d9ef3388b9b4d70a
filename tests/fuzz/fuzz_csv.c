/* Fuzz target: rec_dataset_load_csv on arbitrary bytes. The first byte
 * picks the CSV layout and load options; the rest is the file. */
#include "fuzz_common.h"

#include <librec/librec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    char path[64];
    int fd = fuzz_memfd(data + 1, size - 1, path);

    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    static const char delims[4] = { ',', '\t', ';', ' ' };
    csv.delimiter = delims[sel & 3];
    csv.has_header = (sel >> 2) & 1;
    switch ((sel >> 3) & 3) {
    case 0: break;                                   /* user,item */
    case 1: csv.rating_col = 2; break;               /* user,item,rating */
    case 2: csv.rating_col = 2; csv.time_col = 3; break;
    case 3: csv.user_col = 1; csv.item_col = 0; csv.time_col = 2; break;
    }
    load.skip_bad_lines = (sel >> 5) & 1;
    load.duplicates = (rec_duplicates)((sel >> 6) % 5);
    if (csv.rating_col >= 0 && (sel & 0x80)) {
        load.use_min_rating = 1;
        load.min_rating = 2.5;
    }

    rec_dataset *ds = NULL;
    if (rec_dataset_load_csv(&ds, path, &csv, &load, NULL) == 0) {
        /* Walk what was loaded, and load the same bytes again in its id
         * space (the reference path of the loader). */
        size_t nu = rec_dataset_n_users(ds);
        for (uint32_t u = 0; u < nu && u < 64; u++) {
            const uint32_t *items;
            size_t n;
            const char *id;
            if (rec_dataset_user_items(ds, u, &items, NULL, NULL, &n) != 0 ||
                rec_dataset_user_id(ds, u, &id) != 0)
                abort();
        }
        rec_dataset *again = NULL;
        load.unknown_ids = REC_UNKNOWN_ERROR;
        if (rec_dataset_load_csv(&again, path, &csv, &load, ds) == 0 &&
            rec_dataset_n_users(again) != nu)
            abort();
        rec_dataset_free(again);
    }
    rec_dataset_free(ds);
    close(fd);
    return 0;
}
