/* One line of a knowledge-graph file (triples or links): its fields, the
 * RecBole header test and the checks of each id, with messages naming the
 * file, the line and the field. */
#ifndef REC_DATA_KG_LINE_H
#define REC_DATA_KG_LINE_H

#include <stddef.h>

/* More than the 3 fields any KG line has, so that a 4th is seen and named. */
#define REC_KG_MAX_FIELDS 4

typedef struct rec_kg_line {
    const char *path;      /* for messages */
    size_t line;           /* 1-based */
    size_t n;              /* fields found (at most REC_KG_MAX_FIELDS counted) */
    const char *field[REC_KG_MAX_FIELDS];
    size_t len[REC_KG_MAX_FIELDS];
} rec_kg_line;

/* Splits s[0..len) (the line terminator included) into fields. A
 * separator is one tab or a run of spaces (spaces around a tab belong to
 * it), so two tabs in a row enclose an empty field; spaces at either end
 * are ignored. Returns 0 for a blank line, else 1. */
int rec_kg_line_split(rec_kg_line *l, const char *s, size_t len);

/* 1 if every field has RecBole's typed form "name:type" ("head_id:token"). */
int rec_kg_line_is_header(const rec_kg_line *l);

/* REC_OK, or REC_EFORMAT naming file:line when the line does not have
 * `want` fields or one of them (named by names[k]) is not a valid id. */
int rec_kg_line_check(const rec_kg_line *l, size_t want, const char *const *names);

#endif
