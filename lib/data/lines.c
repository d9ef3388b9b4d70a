#include "data/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

#define CHUNK (256 * 1024)

int rec_lines_open(rec_lines *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return rec_error(REC_EIO, "cannot open '%s': %s", path, strerror(errno));
    return REC_OK;
}

void rec_lines_close(rec_lines *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    rec_free(r->buf);
    r->buf = NULL;
}

/* Reads more bytes after buf[end], first moving the unread part to the
 * front and growing the buffer when it is full. */
static int fill(rec_lines *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < CHUNK / 2 &&
        rec_grow((void **)&r->buf, &r->cap, r->end + CHUNK, 1) != 0)
        return rec_error_nomem();
    for (;;) {
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got > 0) {
            r->end += (size_t)got;
            return REC_OK;
        }
        if (got == 0) {
            r->eof = 1;
            return REC_OK;
        }
        if (errno != EINTR)
            return rec_error(REC_EIO, "cannot read '%s': %s", r->path, strerror(errno));
    }
}

int rec_lines_next(rec_lines *r, const char **line, size_t *len)
{
    size_t scanned = 0; /* bytes after start known to hold no '\n' */
    for (;;) {
        /* buf is NULL until the first fill(): no arithmetic on it then. */
        char *s = r->buf ? r->buf + r->start : NULL;
        size_t avail = r->end - r->start;
        char *nl = avail > scanned ? memchr(s + scanned, '\n', avail - scanned) : NULL;
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - s) + 1 : avail;
            if (r->line == 0 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
                s += 3;
                n -= 3;
                r->start += 3;
            }
            r->start += n;
            r->line++;
            *line = s;
            *len = n;
            return 1;
        }
        if (r->eof)
            return 0;
        scanned = avail;
        int rc = fill(r);
        if (rc != REC_OK)
            return rc;
    }
}
