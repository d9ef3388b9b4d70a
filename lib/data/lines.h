/* Reading a text file line by line for the loaders, with every buffer from
 * the library allocator (so allocation failures can be injected and tested)
 * and lines of any length. */
#ifndef REC_DATA_LINES_H
#define REC_DATA_LINES_H

#include <stddef.h>

typedef struct rec_lines {
    int fd;
    const char *path;   /* borrowed, for messages */
    char *buf;
    size_t cap;
    size_t start;       /* next unread byte in buf */
    size_t end;         /* end of the bytes read into buf */
    int eof;
    size_t line;        /* 1-based number of the line last returned */
} rec_lines;

/* Opens `path`. REC_EIO (message names the path and the reason). */
int rec_lines_open(rec_lines *r, const char *path);
/* Next line, its terminating '\n' included when present: 1 and *line, *len
 * set (valid until the next call); 0 at the end of the file; REC_EIO or
 * REC_ENOMEM (message set). A UTF-8 byte order mark at the start of the file
 * is dropped. */
int rec_lines_next(rec_lines *r, const char **line, size_t *len);
/* Releases everything; accepts a reader that failed to open. */
void rec_lines_close(rec_lines *r);

#endif
