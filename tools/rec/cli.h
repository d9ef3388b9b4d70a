/* Shared pieces of the `rec` program: argument scanning, data options,
 * JSON output and error reporting. The program uses only the public API. */
#ifndef REC_CLI_H
#define REC_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "librec/librec.h"

/* Exit statuses. */
#define EXIT_USAGE 2
#define EXIT_RUNTIME 1

/* ---- Arguments ----
 * Options are "--name value", "--name=value" or bare flags "--name". The
 * scanner walks argv once; each command asks for the options it knows and
 * finally calls args_finish(), which rejects anything left over. */
typedef struct args {
    int argc;
    char **argv;
    unsigned char *used;   /* per argv entry */
    const char *command;
} args;

int args_init(args *a, const char *command, int argc, char **argv);
void args_free(args *a);
/* Value of --name (the last one if repeated), or NULL. Exits with a usage
 * error if --name is present without a value. */
const char *args_value(args *a, const char *name);
/* All values of a repeated option, in order; returns the count (<= max). */
size_t args_values(args *a, const char *name, const char **out, size_t max);
/* 1 if the flag --name is present. */
int args_flag(args *a, const char *name);
/* The first positional argument not consumed yet, or NULL. */
const char *args_positional(args *a);
/* Exits with a usage error if any argument was not consumed. */
void args_finish(args *a);
/* The next unconsumed "--name value" pair, for commands that pass unknown
 * options on (rec train forwards them as hyperparameters). Returns 0 when
 * none is left. */
int args_next_pair(args *a, const char **name, const char **value);

/* Strict number parsing of option values; exit with a usage error naming
 * the option on failure. */
long long parse_int_option(const char *command, const char *name, const char *text,
                           long long min, long long max);
double parse_double_option(const char *command, const char *name, const char *text);

/* ---- Errors ---- */
void die_usage(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* "rec: <what>: <rec_last_error()>" and exit(EXIT_RUNTIME). */
void die_rec(int rc, const char *what) __attribute__((noreturn));
/* "rec: <what>: <path>: <strerror(errno)>" and exit(EXIT_RUNTIME). */
void die_errno(const char *what, const char *path) __attribute__((noreturn));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Data options shared by every command that reads interactions ---- */
typedef struct data_options {
    int adjlist;                 /* --format adjlist */
    rec_csv_options csv;
    rec_load_options load;
} data_options;

/* Reads --format, --delimiter, --quote, --no-header, --user-col, --item-col,
 * --rating-col, --time-col, --min-rating, --duplicates, --skip-bad-lines,
 * --unknown-ids. */
void data_options_parse(args *a, data_options *d);
/* Loads `path` (NULL ref: new id space) and exits on error. */
rec_dataset *load_dataset(const data_options *d, const char *path, const rec_dataset *ref,
                          const char *role);
/* A one-line summary of what a load kept and left out, on stderr, when
 * anything was left out. */
void report_dataset(const rec_dataset *ds, const char *role, const char *path);
extern const char data_options_help[];

/* ---- Knowledge graphs (--kg FILE, --link FILE) ---- */
/* Loads a graph (links may be NULL) and exits on error. */
rec_kg *load_kg(const char *triples, const char *links);
/* Every rec_kg_stats field, one "name value" line each, or one JSON object
 * (no newline); the linking counts only when ds is not NULL. */
void print_kg_stats(const rec_kg *kg, const rec_dataset *ds, int json);
/* A one-line summary of the graph and its linking to ds, on stderr. */
void report_kg(const rec_kg *kg, const rec_dataset *ds, const char *path);

/* ---- JSON ---- */
void json_string(FILE *f, const char *s);
/* A number, or null when it is not finite. */
void json_number(FILE *f, double v);
/* An external id: a JSON number when the whole id map holds canonical
 * integers (numeric_ids), a string otherwise. */
void json_id(FILE *f, const char *id, int numeric_ids);
/* "settings": {...} with the hyperparameters a model was trained with. */
void json_model_settings(FILE *f, const rec_model *m);
/* 1 if every id of the map is a canonical decimal integer below 2^53. */
int ids_are_numeric(const rec_dataset *ds, int items);

/* ---- Commands ---- */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* Progress lines on stderr, only when stderr is a terminal. */
int progress_enabled(void);

#endif
