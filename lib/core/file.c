#include "core/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
    /* The temporary file stays locked (flock) from its creation until it has
     * been renamed over the target, so that a later save can tell the
     * temporary file of a running save from one a killed save left behind
     * (remove_stale_temporaries). A cleaner may lock and remove our file
     * between mkstemp and flock: then it has no link left, and we try a new
     * name. */
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        memcpy(f->tmp_path, path, n);
        memcpy(f->tmp_path + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
        fd = mkostemp(f->tmp_path, O_CLOEXEC);
        if (fd < 0)
            break;
        struct stat own;
        int e = 0;
        while (flock(fd, LOCK_EX) != 0)
            if (errno != EINTR) {
                e = errno;
                break;
            }
        if (e) {
            /* No locks on this file system: it cannot be told apart from a
             * stale one, but saving still works. */
            break;
        }
        if (fstat(fd, &own) != 0 || own.st_nlink == 0) {
            close(fd);
            fd = -1;
            errno = EEXIST;
        }
    }
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

/* A save killed before its rename (SIGKILL, power loss) leaves its
 * "<name>.tmp-XXXXXX" behind, and nothing else would ever remove it: each
 * such file is as large as the model. So after a successful save, remove the
 * temporaries of the same target that no save is writing any more. A
 * running save holds an exclusive flock on its temporary file until it has
 * renamed it (rec_atomic_open, rec_atomic_commit), in this process or any
 * other; the kernel releases the lock when the process dies. A file we can
 * lock without waiting is therefore stale. Best effort: every failure just
 * leaves the file. */
static void remove_stale_temporaries(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = slash ? rec_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : rec_strdup(".");
    if (!dir)
        return;
    size_t nb = strlen(base), nt = sizeof ".tmp-XXXXXX" - 1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        rec_free(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strlen(name) != nb + nt || strncmp(name, base, nb) != 0 ||
            strncmp(name + nb, ".tmp-", 5) != 0)
            continue;
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat held, named;
        /* Unlink only the file we hold locked, still under that name. */
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) == 0 &&
            S_ISREG(held.st_mode) && held.st_nlink > 0 &&
            fstatat(dfd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
            named.st_dev == held.st_dev && named.st_ino == held.st_ino)
            (void)unlinkat(dfd, name, 0);
        close(fd);
    }
    closedir(d);
    rec_free(dir);
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
    /* Rename while the file is still open and locked: a concurrent cleaner
     * must not take it for stale between closing and renaming. */
    if (!e && rename(f->tmp_path, f->path) != 0)
        e = errno;
    if (fclose(f->fp) != 0 && !e)
        e = errno ? errno : EIO;
    f->fp = NULL;
    if (e) {
        rc = rec_error(REC_EIO, "cannot write '%s': %s", f->path, strerror(e));
        unlink(f->tmp_path);
    } else {
        remove_stale_temporaries(f->path);
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
