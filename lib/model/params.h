/* Hyperparameter tables. Each model family declares its hyperparameters once
 * (name, type, default, range, help); the table validates settings, drives
 * the command-line flags and --help, and names what model files store. */
#ifndef REC_MODEL_PARAMS_H
#define REC_MODEL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "librec/librec.h"

typedef enum rec_param_type {
    REC_PARAM_INT,
    REC_PARAM_FLOAT,
    REC_PARAM_BOOL,
    REC_PARAM_CHOICE,
    /* A comma-separated list of 1 to REC_PARAM_LIST_MAX finite numbers, or
     * the word in `choices` (e.g. "uniform") standing for a default list the
     * family computes. */
    REC_PARAM_FLOATS,
} rec_param_type;

#define REC_PARAM_LIST_MAX 16

typedef struct rec_param_def {
    const char *name;
    rec_param_type type;
    const char *default_value;   /* text form, parsed like a user setting */
    double min, max;             /* INT / FLOAT bounds */
    int min_open, max_open;      /* 1: bound excluded */
    const char *choices;         /* CHOICE: "a|b|c" */
    const char *range_text;      /* shown to users, e.g. "(0, 10]" */
    const char *help;
} rec_param_def;

typedef struct rec_param_value {
    int64_t i;   /* INT, BOOL (0/1), CHOICE (index); FLOATS: count (0: the word) */
    double f;    /* FLOAT */
    double list[REC_PARAM_LIST_MAX]; /* FLOATS */
} rec_param_value;

/* Largest number of hyperparameters of one family. */
#define REC_PARAMS_MAX 32

/* Parses `text` as a value of `def`. REC_EINVAL with a message naming the
 * parameter and its range on failure. */
int rec_param_parse(const rec_param_def *def, const char *text, rec_param_value *out);
/* Text form of a value (round-trips through rec_param_parse). */
void rec_param_format(const rec_param_def *def, const rec_param_value *v,
                      char *buf, size_t size);
/* Index of `name` in a table, or -1. */
int rec_param_index(const rec_param_def *defs, size_t n, const char *name);
/* The name in the table closest to `name` by edit distance, or NULL if none
 * is close enough to be a plausible typo. */
const char *rec_param_suggest(const rec_param_def *defs, size_t n, const char *name);
/* REC_ENOTFOUND with "unknown parameter 'x' for model 'mf'; did you mean
 * 'y'?" */
int rec_param_unknown(const rec_param_def *defs, size_t n, const char *family,
                      const char *name);

#endif
