/* Reading and writing model files (lib/io/format.h, docs/format.md). */
#ifndef REC_IO_MODEL_FILE_H
#define REC_IO_MODEL_FILE_H

#include "model/model.h"

/* Writes crash-safely (temporary file, fsync, rename). REC_EIO / REC_ENOMEM
 * with a message naming the path. */
int rec_model_file_write(const rec_model *m, const char *path, int keep_interactions);

/* Reads and validates every size, checksum and value before building the
 * model. REC_EIO, REC_ECORRUPT, REC_EVERSION, REC_EUNSUPPORTED, REC_ENOMEM,
 * each with a message naming the path and what failed. mapped: the file is
 * mapped read-only and the model's matrices stay in the mapping (still
 * checked in full). */
int rec_model_file_read(rec_model **out, const char *path, int mapped);

#endif
