#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

static void release(rec_atomic_file *f)
{
    rec_free(f->path);
    rec_free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    f->fp = NULL;
}

int rec_atomic_open(rec_atomic_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    size_t n = strlen(path);
    if (n == 0)
        return rec_error(REC_EINVAL, "empty file name");
    f->path = rec_strdup(path);
    f->tmp_path = rec_malloc(n + sizeof ".tmp-XXXXXX");
    if (!f->path || !f->tmp_path) {
        release(f);
        return rec_error_nomem();
    }
    memcpy(f->tmp_path, path, n);
    memcpy(f->tmp_path + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        int rc = rec_error(REC_EIO, "cannot create a temporary file next to '%s': %s",
                           path, strerror(e));
        release(f);
        return rc;
    }
    /* mkstemp creates mode 0600. A replacement keeps the permissions of the
     * file it replaces; a new file gets 0644. (Reading the umask would mean
     * changing it, which is process-wide and racy in a library.) */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    (void)fchmod(fd, mode);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        unlink(f->tmp_path);
        release(f);
        return rec_error_nomem();
    }
    return REC_OK;
}

static void sync_directory(const char *path)
{
    /* Make the rename itself durable. Failure here is not an error of the
     * save: the file content is complete either way. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? rec_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : rec_strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    rec_free(dir);
}

int rec_atomic_commit(rec_atomic_file *f)
{
    int rc = REC_OK;
    int e = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp))
        e = errno ? errno : EIO;
    else if (fsync(fileno(f->fp)) != 0)
        e = errno;
    if (fclose(f->fp) != 0 && !e)
        e = errno ? errno : EIO;
    f->fp = NULL;
    if (!e && rename(f->tmp_path, f->path) != 0)
        e = errno;
    if (e) {
        rc = rec_error(REC_EIO, "cannot write '%s': %s", f->path, strerror(e));
        unlink(f->tmp_path);
    } else {
        sync_directory(f->path);
    }
    release(f);
    return rc;
}

void rec_atomic_abort(rec_atomic_file *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    release(f);
}

int rec_atomic_write_error(const rec_atomic_file *f)
{
    int e = errno ? errno : EIO;
    return rec_error(REC_EIO, "cannot write '%s': %s", f->path, strerror(e));
}
