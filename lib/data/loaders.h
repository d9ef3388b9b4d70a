/* The loaders, splitter and writer behind the public dataset functions.
 * Arguments are already checked by lib/api (non-NULL, options valid and
 * complete); *out is NULL on failure. */
#ifndef REC_DATA_LOADERS_H
#define REC_DATA_LOADERS_H

#include "data/dataset.h"

int rec_data_load_csv(rec_dataset **out, const char *path,
                      const rec_csv_options *csv, const rec_load_options *load,
                      const rec_dataset *ref);
int rec_data_load_adjlist(rec_dataset **out, const char *path,
                          const rec_load_options *load, const rec_dataset *ref);
/* users / items may be NULL only when n == 0. */
int rec_data_from_arrays(rec_dataset **out, size_t n, const char *const *users,
                         const char *const *items, const float *ratings,
                         const double *timestamps, const rec_load_options *load,
                         const rec_dataset *ref);
int rec_data_from_int_arrays(rec_dataset **out, size_t n, const int64_t *users,
                             const int64_t *items, const float *ratings,
                             const double *timestamps,
                             const rec_load_options *load, const rec_dataset *ref);
int rec_data_split(rec_dataset **train, rec_dataset **test, const rec_dataset *ds,
                   const rec_split_options *opts);
/* The same with an explicit thread count (0: automatic), so tests can check
 * that the result does not depend on it. */
int rec_data_split_threads(rec_dataset **train, rec_dataset **test,
                           const rec_dataset *ds, const rec_split_options *opts,
                           unsigned threads);
/* Only csv->delimiter, quote and has_header are used. */
int rec_data_save_csv(const rec_dataset *ds, const char *path,
                      const rec_csv_options *csv);

#endif
