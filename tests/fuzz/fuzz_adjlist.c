/* Fuzz target: rec_dataset_load_adjlist on arbitrary bytes. The first byte
 * picks the load options; the rest is the file. */
#include "fuzz_common.h"

#include <librec/librec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    char path[64];
    int fd = fuzz_memfd(data + 1, size - 1, path);

    rec_load_options load = REC_LOAD_OPTIONS_INIT;
    load.skip_bad_lines = sel & 1;
    load.duplicates = (rec_duplicates)((sel >> 1) % 5);

    rec_dataset *ds = NULL;
    if (rec_dataset_load_adjlist(&ds, path, &load, NULL) == 0) {
        size_t ni = rec_dataset_n_items(ds);
        for (uint32_t i = 0; i < ni && i < 64; i++) {
            const uint32_t *users;
            size_t n;
            if (rec_dataset_item_users(ds, i, &users, &n) != 0)
                abort();
        }
        rec_dataset *again = NULL;
        load.unknown_ids = REC_UNKNOWN_ERROR;
        if (rec_dataset_load_adjlist(&again, path, &load, ds) == 0 &&
            rec_dataset_n_interactions(again) > rec_dataset_n_interactions(ds) &&
            load.duplicates != REC_DUPLICATES_ERROR)
            abort();
        rec_dataset_free(again);
    }
    rec_dataset_free(ds);
    close(fd);
    return 0;
}
