/* Crash-safe file replacement: write to a temporary file in the target's
 * directory, flush it to disk, rename it over the target, flush the
 * directory. A crash at any point leaves the target either as it was or
 * complete; the temporary file is removed on every error path. The
 * temporary file is locked (flock) until it is renamed, and a successful
 * commit removes the unlocked temporaries of the same target, left by saves
 * that were killed (docs/format.md, "Writing"). */
#ifndef REC_CORE_FILE_H
#define REC_CORE_FILE_H

#include <stdio.h>

typedef struct rec_atomic_file {
    FILE *fp;          /* write through this */
    char *path;        /* target */
    char *tmp_path;    /* "<path>.tmp-XXXXXX" */
} rec_atomic_file;

/* Creates the temporary file. REC_EIO (message names the path and errno
 * text) or REC_ENOMEM. */
int rec_atomic_open(rec_atomic_file *f, const char *path);
/* Flushes, syncs, closes and renames into place. On failure the temporary
 * file is removed and the target is untouched. Always releases f. */
int rec_atomic_commit(rec_atomic_file *f);
/* Closes and removes the temporary file. Always releases f; accepts an
 * f that was never opened (zeroed). */
void rec_atomic_abort(rec_atomic_file *f);

/* Reports a failed write on f as REC_EIO naming the target path. */
int rec_atomic_write_error(const rec_atomic_file *f);

#endif
