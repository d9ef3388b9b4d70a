/*
 * librec: train, evaluate and serve embedding-based recommenders.
 *
 * This is the one public header. Everything behind it is opaque: datasets,
 * models, training options and evaluation results are handles created and
 * freed by the functions below.
 *
 * Conventions (docs/api.md has the long form):
 *  - Every fallible function returns an int: REC_OK (0) or a negative REC_E*
 *    code. rec_strerror() names a code; rec_last_error() returns a message
 *    with the detail (file, line, field, argument) of the most recent failure
 *    on the calling thread.
 *  - Out-parameters come first. Handles are created by rec_X_new/_load/_train
 *    into an out-pointer, which is set to NULL on failure, and released by
 *    rec_X_free(), which accepts NULL.
 *  - Option structs start with a `version` field. Initialise them with their
 *    REC_*_INIT macro or rec_*_init() function, then change fields. Passing
 *    NULL for an options pointer means "all defaults". Fields are only ever
 *    appended; the library reads only the fields that the caller's version has.
 *  - Dense ids are uint32_t, counts and sizes size_t, values float.
 *  - The library never prints, never exits and never aborts on bad input.
 *  - A trained or loaded rec_model is immutable: any number of threads may
 *    score, recommend and evaluate on it at once. A rec_dataset is immutable
 *    after creation and may likewise be shared between threads
 *    (docs/threading.md has the whole contract).
 *
 * Copyright (c) the librec authors. MIT licence, see COPYING.
 */
#ifndef LIBREC_LIBREC_H
#define LIBREC_LIBREC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef REC_API
#  if defined(_WIN32) && defined(REC_BUILDING_LIBRARY)
#    define REC_API __declspec(dllexport)
#  elif defined(_WIN32)
#    define REC_API
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define REC_API __attribute__((visibility("default")))
#  else
#    define REC_API
#  endif
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define REC_VERSION_MAJOR 0
#define REC_VERSION_MINOR 1
#define REC_VERSION_PATCH 0
/** major * 10000 + minor * 100 + patch, comparable with rec_version_number(). */
#define REC_VERSION_NUMBER \
    (REC_VERSION_MAJOR * 10000 + REC_VERSION_MINOR * 100 + REC_VERSION_PATCH)
#define REC_VERSION_STRING "0.1.0"

/** Version of the library actually linked, as "MAJOR.MINOR.PATCH". */
REC_API const char *rec_version_string(void);
/** Version of the library actually linked, encoded as REC_VERSION_NUMBER. */
REC_API unsigned rec_version_number(void);

/** How the linked library was built and how it runs in this process, e.g.
 *  for a bug report (`rec info --build` prints it). Filled by
 *  rec_build_info_get(); every string is static and never NULL. */
typedef struct rec_build_info {
    uint32_t version;            /**< set by the caller: REC_BUILD_INFO_VERSION */
    const char *library_version; /**< rec_version_string(), e.g. "0.1.0" */
    /** How parallel loops (training, evaluation) run in this process:
     *  "openmp" (on the OpenMP runtime's thread pool) or "pthreads"
     *  (threads started per call: a build without OpenMP, or a process
     *  forked after its parent ran librec's parallel loops). */
    const char *threading;
    /** The thread count that `threads` = 0 stands for: the online CPUs,
     *  at most 256. */
    unsigned default_threads;
    /** The SIMD kernel variant chosen for this CPU: "scalar", "avx2"
     *  (AVX2 and FMA) or "avx512". */
    const char *simd;
    /** The variants compiled in, space-separated, e.g. "scalar avx2 avx512". */
    const char *simd_built;
    const char *blis_version;    /**< of the BLIS library loaded, e.g. "0.9.0" */
    /** Threading model of that BLIS build: "openmp", "pthreads", "none" or
     *  "other". librec calls BLIS single-threaded either way. */
    const char *blis_threading;
    /** BLIS's configuration for this CPU, e.g. "haswell", "skx", "zen3". */
    const char *blis_arch;
    const char *compiler;        /**< that built librec, e.g. "gcc 12.2.0" */
} rec_build_info;

#define REC_BUILD_INFO_VERSION 1
#define REC_BUILD_INFO_INIT \
    { REC_BUILD_INFO_VERSION, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL }
/** Fills the fields of *info that info->version has.
 *  REC_EINVAL for NULL or an unknown (zero or future) version. */
REC_API int rec_build_info_get(rec_build_info *info);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

/* The numbers are part of the ABI: never renumbered, never reused. */
#define REC_OK             0  /**< success */
#define REC_EINVAL        -1  /**< invalid argument: NULL, out of range, inconsistent */
#define REC_ENOMEM        -2  /**< an allocation failed */
#define REC_EIO           -3  /**< a file could not be opened, read, written or renamed */
#define REC_EFORMAT       -4  /**< malformed input data (the message names file, line, field) */
#define REC_ECORRUPT      -5  /**< a model file failed validation (size, checksum, value) */
#define REC_EVERSION      -6  /**< a model file was written by an unsupported format version */
#define REC_ENOTFOUND     -7  /**< unknown user, item, parameter, metric or model family */
#define REC_EUNSUPPORTED  -8  /**< operation not available for this model or this build */
#define REC_ECANCELED     -9  /**< the progress callback asked training to stop */
#define REC_ELIMIT       -10  /**< a count or size exceeds what librec supports */

/**
 * Short, static, English name of a status code, e.g. "invalid argument".
 * Unknown codes give "unknown error". Never returns NULL.
 */
REC_API const char *rec_strerror(int code);

/**
 * Detail of the most recent failure on the calling thread, e.g.
 * "train.csv:17: field 2 (item): empty id". The string is owned by the
 * library and stays valid until the next librec call on the same thread.
 * Successful calls may or may not clear it; read it only after a failure.
 * Never returns NULL (an empty string when nothing failed yet).
 */
REC_API const char *rec_last_error(void);

/* ------------------------------------------------------------------------ */
/* Handles                                                                  */
/* ------------------------------------------------------------------------ */

/** Interactions between users and items, with the maps between the caller's
 *  external ids (strings) and dense ids 0..n-1. Immutable once created. */
typedef struct rec_dataset rec_dataset;
/** A trained model in its serving form (DESIGN: user matrix, item matrix,
 *  optional item bias, scoring rule), its id maps and, by default, its
 *  training interactions. Immutable once trained or loaded. */
typedef struct rec_model rec_model;
/** Hyperparameters for one model family, set by name. */
typedef struct rec_train_options rec_train_options;
/** The measures computed by one evaluation run. */
typedef struct rec_eval rec_eval;
/** Draws training triples (user, positive item, negative items) from a
 *  dataset. Mutable: it counts the batches it has drawn. */
typedef struct rec_sampler rec_sampler;

/* ------------------------------------------------------------------------ */
/* Loading datasets                                                         */
/* ------------------------------------------------------------------------ */

/** What to do when a (user, item) pair occurs more than once in the input. */
typedef enum rec_duplicates {
    /** Keep one row: the one with the latest timestamp, file order breaking
     *  ties (plain file order when there are no timestamps). */
    REC_DUPLICATES_LAST = 0,
    /** Keep one row: the earliest, in the same sense. */
    REC_DUPLICATES_FIRST = 1,
    /** Keep one row whose rating is the sum of the ratings (1 each when the
     *  input has no ratings) and whose timestamp is the latest. */
    REC_DUPLICATES_SUM = 2,
    /** Keep one row whose rating is the largest, timestamp the latest. */
    REC_DUPLICATES_MAX = 3,
    /** Refuse: REC_EFORMAT naming both lines. */
    REC_DUPLICATES_ERROR = 4
} rec_duplicates;

/** What to do with rows naming ids that a reference id space does not know. */
typedef enum rec_unknown_ids {
    /** Leave the row out and count it (rec_dataset_stats.rows_unknown_*). */
    REC_UNKNOWN_SKIP = 0,
    /** Refuse: REC_EFORMAT naming the line and the id. */
    REC_UNKNOWN_ERROR = 1
} rec_unknown_ids;

/** Options common to every loader. */
typedef struct rec_load_options {
    uint32_t version;          /**< REC_LOAD_OPTIONS_VERSION */
    /** 0 (default): the first malformed line is an error (REC_EFORMAT).
     *  1: malformed lines are skipped and counted in rows_skipped. */
    int skip_bad_lines;
    /** If non-zero, rows whose rating is below min_rating are left out and
     *  counted in rows_below_min_rating: explicit ratings become implicit
     *  feedback. Needs a rating column. Default 0. */
    int use_min_rating;
    double min_rating;
    rec_duplicates duplicates; /**< default REC_DUPLICATES_LAST */
    rec_unknown_ids unknown_ids; /**< only with a reference; default SKIP */
} rec_load_options;

#define REC_LOAD_OPTIONS_VERSION 1
#define REC_LOAD_OPTIONS_INIT \
    { REC_LOAD_OPTIONS_VERSION, 0, 0, 0.0, REC_DUPLICATES_LAST, REC_UNKNOWN_SKIP }
/** Fills *opts with the defaults of REC_LOAD_OPTIONS_INIT.
 *  REC_EINVAL if opts is NULL. */
REC_API int rec_load_options_init(rec_load_options *opts);

/** Layout of a delimited text file (CSV, TSV, ...). Columns are 0-based. */
typedef struct rec_csv_options {
    uint32_t version;   /**< REC_CSV_OPTIONS_VERSION */
    char delimiter;     /**< field separator; default ',' */
    char quote;         /**< quote character; default '"' */
    int has_header;     /**< 1 (default): the first row names the columns */
    int user_col;       /**< default 0 */
    int item_col;       /**< default 1 */
    int rating_col;     /**< -1 (default): no rating column */
    int time_col;       /**< -1 (default): no timestamp column */
} rec_csv_options;

#define REC_CSV_OPTIONS_VERSION 1
#define REC_CSV_OPTIONS_INIT \
    { REC_CSV_OPTIONS_VERSION, ',', '"', 1, 0, 1, -1, -1 }
/** Fills *opts with the defaults of REC_CSV_OPTIONS_INIT.
 *  REC_EINVAL if opts is NULL. */
REC_API int rec_csv_options_init(rec_csv_options *opts);

/**
 * Loads interactions from a delimited text file, parsed with libcsv.
 *
 * Each data row gives a user id and an item id (arbitrary strings, mapped to
 * dense ids in order of first appearance) and optionally a rating (a finite
 * number) and a timestamp (a finite number, e.g. Unix seconds). Extra columns
 * are ignored. Without a rating column every interaction has rating 1.
 *
 * If `ref` is not NULL the new dataset shares ref's id maps (the id space of a
 * training set or of rec_model_dataset()); rows naming ids that ref does not
 * know follow load->unknown_ids. Otherwise new id maps are built.
 *
 * Errors: REC_EIO (cannot open or read `path`), REC_EFORMAT (a malformed row,
 * the message names file, line and field), REC_ENOMEM, REC_ELIMIT (more than
 * 2^32-2 users or items: UINT32_MAX is kept as a "no id" marker), REC_EINVAL
 * (bad options).
 * csv and load may be NULL for defaults. *out is NULL on failure.
 */
REC_API int rec_dataset_load_csv(rec_dataset **out, const char *path,
                                 const rec_csv_options *csv,
                                 const rec_load_options *load,
                                 const rec_dataset *ref);

/**
 * Loads an adjacency-list file: one line per user, "user item item ...",
 * fields separated by spaces or tabs (the NGCF / LightGCN Gowalla format).
 * A line holding only a user id adds that user with no interactions; blank
 * lines are ignored. There are no ratings or timestamps (ratings are 1).
 * Other arguments and errors as rec_dataset_load_csv().
 */
REC_API int rec_dataset_load_adjlist(rec_dataset **out, const char *path,
                                     const rec_load_options *load,
                                     const rec_dataset *ref);

/**
 * Builds a dataset from caller arrays of n interactions whose ids are
 * strings (for FFI). users[r] and items[r] are NUL-terminated ids;
 * ratings and timestamps may be NULL. Errors name the row ("row 17").
 * Other arguments and errors as rec_dataset_load_csv().
 */
REC_API int rec_dataset_from_arrays(rec_dataset **out, size_t n,
                                    const char *const *users,
                                    const char *const *items,
                                    const float *ratings,
                                    const double *timestamps,
                                    const rec_load_options *load,
                                    const rec_dataset *ref);

/**
 * As rec_dataset_from_arrays() with integer ids, e.g. straight from NumPy.
 * The external id of an integer is its decimal form ("42", "-7"), so such a
 * dataset shares an id space with a text file holding the same numbers.
 */
REC_API int rec_dataset_from_int_arrays(rec_dataset **out, size_t n,
                                        const int64_t *users,
                                        const int64_t *items,
                                        const float *ratings,
                                        const double *timestamps,
                                        const rec_load_options *load,
                                        const rec_dataset *ref);

/** Releases a dataset. Models and datasets built from it stay valid (they
 *  hold their own references). Accepts NULL. */
REC_API void rec_dataset_free(rec_dataset *ds);

/* ------------------------------------------------------------------------ */
/* Inspecting datasets                                                      */
/* ------------------------------------------------------------------------ */

/** Number of users in the id space (including users with no interactions).
 *  0 for NULL. */
REC_API size_t rec_dataset_n_users(const rec_dataset *ds);
/** Number of items in the id space. 0 for NULL. */
REC_API size_t rec_dataset_n_items(const rec_dataset *ds);
/** Number of (user, item) interactions after duplicates were merged.
 *  0 for NULL. */
REC_API size_t rec_dataset_n_interactions(const rec_dataset *ds);

/**
 * The interactions of one user, sorted by item id. *items receives a pointer
 * into the dataset (valid while it lives) and *n the count. ratings and
 * timestamps may be NULL; otherwise they receive the parallel arrays, or NULL
 * when the dataset has no ratings / timestamps.
 * REC_EINVAL for NULL arguments or user >= n_users.
 */
REC_API int rec_dataset_user_items(const rec_dataset *ds, uint32_t user,
                                   const uint32_t **items,
                                   const float **ratings,
                                   const double **timestamps, size_t *n);

/** The users who interacted with one item, sorted by user id.
 *  REC_EINVAL for NULL arguments or item >= n_items. */
REC_API int rec_dataset_item_users(const rec_dataset *ds, uint32_t item,
                                   const uint32_t **users, size_t *n);

/** External id of a dense user id. *id points into the dataset's id map,
 *  valid while any dataset or model using that map lives. REC_EINVAL for NULL
 *  arguments or user >= n_users. */
REC_API int rec_dataset_user_id(const rec_dataset *ds, uint32_t user,
                                const char **id);
/** External id of a dense item id; as rec_dataset_user_id(). */
REC_API int rec_dataset_item_id(const rec_dataset *ds, uint32_t item,
                                const char **id);
/** Dense id of an external user id. REC_ENOTFOUND if the id is unknown. */
REC_API int rec_dataset_find_user(const rec_dataset *ds, const char *id,
                                  uint32_t *user);
/** Dense id of an external item id. REC_ENOTFOUND if the id is unknown. */
REC_API int rec_dataset_find_item(const rec_dataset *ds, const char *id,
                                  uint32_t *item);

/** What a loader read, kept and left out. Nothing is dropped uncounted. */
typedef struct rec_dataset_stats {
    uint32_t version;              /**< set by the caller: REC_DATASET_STATS_VERSION */
    size_t n_users;
    size_t n_items;
    size_t n_interactions;
    size_t rows_read;              /**< data rows (interactions) in the input */
    size_t rows_skipped;           /**< malformed rows skipped (skip_bad_lines) */
    size_t rows_below_min_rating;  /**< rows left out by min_rating */
    size_t rows_duplicate;         /**< rows merged into another row of the same pair */
    size_t rows_unknown_user;      /**< rows whose user the reference does not know */
    size_t rows_unknown_item;      /**< rows with a known user but an unknown item */
    size_t users_without_items;    /**< users in the id space with no interaction here */
    int has_ratings;               /**< 1 if the input had a rating column */
    int has_timestamps;            /**< 1 if the input had a timestamp column */
} rec_dataset_stats;

#define REC_DATASET_STATS_VERSION 1
#define REC_DATASET_STATS_INIT { REC_DATASET_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
/** Fills the fields of *stats that stats->version has.
 *  REC_EINVAL for NULL arguments or an unknown (zero or future) version. */
REC_API int rec_dataset_stats_get(const rec_dataset *ds, rec_dataset_stats *stats);

/* ------------------------------------------------------------------------ */
/* Splitting and saving datasets                                            */
/* ------------------------------------------------------------------------ */

typedef enum rec_split_method {
    /** Per user, a random train_ratio share of the interactions to train. */
    REC_SPLIT_RANDOM = 0,
    /** Per user, the earliest train_ratio share (by timestamp) to train. */
    REC_SPLIT_TEMPORAL = 1,
    /** Per user, one interaction to test: the latest if there are
     *  timestamps, a random one otherwise. */
    REC_SPLIT_LEAVE_ONE_OUT = 2
} rec_split_method;

typedef struct rec_split_options {
    uint32_t version;          /**< REC_SPLIT_OPTIONS_VERSION */
    rec_split_method method;   /**< default REC_SPLIT_RANDOM */
    double train_ratio;        /**< in (0, 1); default 0.8 */
    uint64_t seed;             /**< default 1 */
} rec_split_options;

#define REC_SPLIT_OPTIONS_VERSION 1
#define REC_SPLIT_OPTIONS_INIT { REC_SPLIT_OPTIONS_VERSION, REC_SPLIT_RANDOM, 0.8, 1 }
/** Fills *opts with the defaults of REC_SPLIT_OPTIONS_INIT. */
REC_API int rec_split_options_init(rec_split_options *opts);

/**
 * Splits a dataset per user into a training and a test part that share its
 * id space. A user with n interactions keeps max(1, round(ratio * n)) of them
 * in training (all of them when n = 1; leave-one-out keeps n - 1 when n >= 2),
 * so every interaction lands in exactly one part. docs/datasets.md gives the
 * exact rules. The same seed gives the same split.
 * REC_EINVAL for a bad ratio or a temporal split without timestamps.
 */
REC_API int rec_dataset_split(rec_dataset **train, rec_dataset **test,
                              const rec_dataset *ds,
                              const rec_split_options *opts);

/**
 * Writes the interactions as delimited text with external ids, one row per
 * interaction in (user, item) order: user, item, then the rating and the
 * timestamp when the dataset has them. Only csv->delimiter, csv->quote and
 * csv->has_header are used; the header is "user,item[,rating][,timestamp]"
 * with csv->delimiter between the names.
 * The file is written to a temporary name and renamed over `path`.
 * REC_EIO on write errors (the previous file, if any, is left intact).
 */
REC_API int rec_dataset_save_csv(const rec_dataset *ds, const char *path,
                                 const rec_csv_options *csv);

/* ------------------------------------------------------------------------ */
/* Interaction graphs                                                       */
/* ------------------------------------------------------------------------ */

/** The user-item interaction graph of a dataset as a normalised adjacency
 *  matrix over n_users + n_items nodes: user u is node u, item i is node
 *  n_users + i. Immutable once built; any number of threads may read it. */
typedef struct rec_graph rec_graph;

/** How the adjacency A (plus I with self-loops) is normalised. D is the
 *  diagonal of row sums (degrees) of the matrix being normalised. */
typedef enum rec_graph_norm {
    /** D^-1/2 A D^-1/2: entry (u, i) is 1 / sqrt(d_u d_i). LightGCN's
     *  propagation and the Laplacian of the NGCF paper. */
    REC_GRAPH_SYMMETRIC = 0,
    /** D^-1 A: each row averages its neighbours (the NGCF reference code's
     *  "norm" adjacency, with self-loops). Not symmetric. */
    REC_GRAPH_LEFT = 1,
    /** A itself: every edge weighs 1. */
    REC_GRAPH_NONE = 2
} rec_graph_norm;

typedef struct rec_graph_options {
    uint32_t version;        /**< REC_GRAPH_OPTIONS_VERSION */
    rec_graph_norm norm;     /**< default REC_GRAPH_SYMMETRIC */
    /** 1: add the identity (a self-loop on every node) before normalising.
     *  Default 0. */
    int self_loops;
} rec_graph_options;

#define REC_GRAPH_OPTIONS_VERSION 1
#define REC_GRAPH_OPTIONS_INIT { REC_GRAPH_OPTIONS_VERSION, REC_GRAPH_SYMMETRIC, 0 }
/** Fills *opts with the defaults of REC_GRAPH_OPTIONS_INIT. */
REC_API int rec_graph_options_init(rec_graph_options *opts);

/**
 * Builds the normalised bipartite adjacency of a dataset's interactions
 * (every interaction is an edge between its user and its item; ratings are
 * not used). A node without edges has an empty row (and only its self-loop,
 * weight 1, with self_loops). opts may be NULL.
 * REC_EINVAL for bad options, REC_ENOMEM, REC_ELIMIT if the node count does
 * not fit in 32 bits.
 */
REC_API int rec_graph_new(rec_graph **out, const rec_dataset *ds,
                          const rec_graph_options *opts);

/** Releases a graph. Accepts NULL. */
REC_API void rec_graph_free(rec_graph *graph);

/** Number of nodes (n_users + n_items). 0 for NULL. */
REC_API size_t rec_graph_n_nodes(const rec_graph *graph);
/** Number of stored non-zero entries of the normalised matrix (twice the
 *  interactions, plus one per node with self-loops). 0 for NULL. */
REC_API size_t rec_graph_n_edges(const rec_graph *graph);

/** Row `node` of the normalised matrix: the neighbours (ascending) and the
 *  weights. Pointers into the graph, valid while it lives.
 *  REC_EINVAL for NULL arguments or node >= n_nodes. */
REC_API int rec_graph_neighbors(const rec_graph *graph, uint32_t node,
                                const uint32_t **nodes, const float **weights,
                                size_t *n);

/**
 * One propagation step over a caller's embeddings: out = M in, where M is
 * the normalised matrix, or its transpose when `transpose` is non-zero (the
 * backward pass of a step). in and out are n_nodes x dim row-major arrays
 * without padding and must not overlap. threads = 0 means all online CPUs.
 * Chain calls for several layers.
 */
REC_API int rec_graph_propagate(const rec_graph *graph, const float *in, float *out,
                                size_t dim, int transpose, unsigned threads);

/* ------------------------------------------------------------------------ */
/* Negative sampling                                                        */
/* ------------------------------------------------------------------------ */

/** The item id that stands for "none" where an item is written out. */
#define REC_NO_ITEM UINT32_MAX

/** How a sampler picks negatives (docs/sampling.md). */
typedef enum rec_sampler_kind {
    /** Uniform over the items the user has no interaction with. */
    REC_SAMPLER_UNIFORM = 0,
    /** In proportion to (training interactions of the item)^alpha, over the
     *  items the user has no interaction with; alpha = 0 is uniform. */
    REC_SAMPLER_POPULARITY = 1,
    /** Dynamic hard negatives: of `candidates` uniform non-positive items,
     *  the one the model scores highest (Zhang et al., SIGIR 2013). */
    REC_SAMPLER_DNS = 2,
    /** The positives of the other pairs of the same batch that are not the
     *  user's positives; uniform when the batch offers none. */
    REC_SAMPLER_IN_BATCH = 3
} rec_sampler_kind;

typedef struct rec_sampler_options {
    uint32_t version;        /**< REC_SAMPLER_OPTIONS_VERSION */
    rec_sampler_kind kind;   /**< default REC_SAMPLER_UNIFORM */
    double alpha;            /**< popularity exponent in [0, 10]; default 1 */
    unsigned candidates;     /**< DNS candidates in [1, 10000]; default 10 */
    unsigned negatives;      /**< negatives per pair in [1, 10000]; default 1 */
    uint64_t seed;           /**< default 1 */
} rec_sampler_options;

#define REC_SAMPLER_OPTIONS_VERSION 1
#define REC_SAMPLER_OPTIONS_INIT \
    { REC_SAMPLER_OPTIONS_VERSION, REC_SAMPLER_UNIFORM, 1.0, 10, 1, 1 }
/** Fills *opts with the defaults of REC_SAMPLER_OPTIONS_INIT. */
REC_API int rec_sampler_options_init(rec_sampler_options *opts);

/**
 * A sampler over the interactions of `train` (kept by reference). opts may
 * be NULL. REC_EINVAL for a dataset without interactions or options out of
 * range.
 */
REC_API int rec_sampler_new(rec_sampler **out, const rec_dataset *train,
                            const rec_sampler_options *opts);

/**
 * Draws a batch of n pairs, each a training interaction (users[j], pos[j])
 * drawn uniformly with replacement, and for each opts->negatives negatives
 * at neg[j * negatives .. (j + 1) * negatives), none of them a training
 * item of users[j]; REC_NO_ITEM where the user has every item. `model`
 * scores the DNS candidates and must be in the dataset's id space; the
 * other kinds ignore it (NULL is fine). The b-th call on a sampler draws
 * from the random stream (seed, b), so a new sampler with the same seed and
 * the same calls repeats every batch exactly. Not for concurrent use on one
 * sampler. REC_EINVAL for NULL arrays (with n > 0) or a DNS sampler
 * without a suitable model.
 */
REC_API int rec_sampler_next(rec_sampler *sampler, const rec_model *model, size_t n,
                             uint32_t *users, uint32_t *pos, uint32_t *neg);

/** Releases a sampler. Accepts NULL. */
REC_API void rec_sampler_free(rec_sampler *sampler);

/* ------------------------------------------------------------------------ */
/* Knowledge graphs                                                         */
/* ------------------------------------------------------------------------ */

/** A knowledge graph: triples (head, relation, tail) over entities and the
 *  links from a dataset's items to entities. Immutable once loaded; a model
 *  family that uses one (`kgat`) takes it through
 *  rec_train_options_set_kg(). */
typedef struct rec_kg rec_kg;

/**
 * Loads a knowledge graph.
 *
 * `triples` holds one triple per line, "head relation tail", fields
 * separated by one tab or by runs of spaces. Ids are arbitrary strings
 * (integers included); entities and relations get dense ids 0, 1, ... in
 * order of first appearance (head before tail). A first line whose three
 * fields all look like RecBole's typed column names ("head_id:token") is a
 * header and is skipped. Blank lines are ignored. A triple that occurs again
 * is kept once and counted (rec_kg_stats.duplicate_triples); self-loops
 * (head = tail) are kept and counted.
 *
 * `links` (may be NULL) holds "item entity" lines mapping a dataset's item
 * ids to entities (the same header rule, with two fields). An item or an
 * entity may occur in one link only (REC_EFORMAT naming both lines). Link
 * entities that occur in no triple become entities without edges. Without a
 * links file, an item is linked to the entity with the same id string (the
 * KGCN convention, where item i is entity i).
 *
 * Errors: REC_EIO (cannot open or read a file), REC_EFORMAT (a malformed
 * line: the message names the file, line and field), REC_ENOMEM, REC_ELIMIT
 * (more than 2^32-2 entities or relations), REC_EINVAL (NULL out or
 * triples). *out is NULL on failure.
 */
REC_API int rec_kg_load(rec_kg **out, const char *triples, const char *links);

/** Releases a knowledge graph. Training options and models that use it keep
 *  their own reference. Accepts NULL. */
REC_API void rec_kg_free(rec_kg *kg);

/** Number of entities / relations of a knowledge graph (0 for NULL). */
REC_API size_t rec_kg_n_entities(const rec_kg *kg);
REC_API size_t rec_kg_n_relations(const rec_kg *kg);

/** External id of a dense entity or relation id. *id points into the
 *  graph, valid while it lives. REC_EINVAL for NULL arguments or an id out
 *  of range. */
REC_API int rec_kg_entity_id(const rec_kg *kg, uint32_t entity, const char **id);
REC_API int rec_kg_relation_id(const rec_kg *kg, uint32_t relation, const char **id);

/** What a knowledge-graph load read and kept, and (with a dataset) how its
 *  items link to entities. Nothing is dropped uncounted. */
typedef struct rec_kg_stats {
    uint32_t version;           /**< set by the caller: REC_KG_STATS_VERSION */
    size_t n_entities;
    size_t n_relations;         /**< as in the file, without inverses */
    size_t n_triples;           /**< distinct triples kept */
    size_t lines_read;          /**< triple lines read (header and blank lines not counted) */
    size_t duplicate_triples;   /**< lines repeating an earlier triple */
    size_t self_loops;          /**< kept triples with head = tail */
    size_t n_links;             /**< links read (0 without a links file) */
    /* The following need a dataset (rec_kg_stats_get's ds), else 0. */
    size_t items_linked;        /**< dataset items with an entity */
    size_t items_without_entity;/**< dataset items with none: nodes without KG edges */
    size_t links_unknown_item;  /**< links naming an item the dataset does not have */
    size_t entities_without_item; /**< entities linked to no dataset item */
} rec_kg_stats;

#define REC_KG_STATS_VERSION 1
#define REC_KG_STATS_INIT { REC_KG_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
/** Fills the fields of *stats that stats->version has; the linking counts
 *  against `ds` when it is not NULL. REC_EINVAL for NULL kg or stats or an
 *  unknown (zero or future) version. */
REC_API int rec_kg_stats_get(const rec_kg *kg, const rec_dataset *ds,
                             rec_kg_stats *stats);

/* ------------------------------------------------------------------------ */
/* Model families and their hyperparameters                                 */
/* ------------------------------------------------------------------------ */

/** Name of the i-th model family ("mf", "pop", ...), NULL past the end. */
REC_API const char *rec_family_name(size_t index);

/** Description of one hyperparameter of a model family. All strings are
 *  static. */
typedef struct rec_param_info {
    uint32_t version;          /**< set by the caller: REC_PARAM_INFO_VERSION */
    const char *name;          /**< e.g. "lr" */
    const char *type;          /**< "int", "float", "bool", "choice" or "floats" */
    const char *default_value; /**< e.g. "0.05" */
    const char *range;         /**< e.g. "(0, 10]" or "sgd|adam" */
    const char *help;          /**< one line */
} rec_param_info;

#define REC_PARAM_INFO_VERSION 1
#define REC_PARAM_INFO_INIT { REC_PARAM_INFO_VERSION, NULL, NULL, NULL, NULL, NULL }

/** Describes the index-th hyperparameter of `family`. REC_ENOTFOUND for an
 *  unknown family or an index past the end. */
REC_API int rec_family_param(const char *family, size_t index,
                             rec_param_info *info);

/* ------------------------------------------------------------------------ */
/* Training                                                                 */
/* ------------------------------------------------------------------------ */

/** Progress of training, passed to a rec_progress_fn once per epoch. The
 *  library fills every field of its own version; a caller reads the fields
 *  its version has (check `version` before reading fields of version 2). */
typedef struct rec_progress {
    uint32_t version;     /**< REC_PROGRESS_VERSION of the library */
    unsigned epoch;       /**< epochs done, 1-based */
    unsigned epochs;      /**< epochs planned (the most, with early stopping) */
    double loss;          /**< mean training loss of this epoch */
    double seconds;       /**< wall time of this epoch (without evaluation) */
    double total_seconds; /**< wall time since training started */
    /* version 2 */
    int evaluated;        /**< 1 if the model was evaluated after this epoch */
    double valid_recall;  /**< Recall@eval_k on the validation data, or NaN */
    double valid_ndcg;    /**< NDCG@eval_k on the validation data, or NaN */
    unsigned best_epoch;  /**< epoch of the best evaluation so far (0: none) */
    double eval_seconds;  /**< wall time of this evaluation (0 if none) */
    /** The epoch's time by phase; phases a model family does not separate
     *  are 0 (MF's fused loop reports nothing here). */
    double sample_seconds;
    double forward_seconds;
    double backward_seconds;
    double update_seconds;
} rec_progress;

#define REC_PROGRESS_VERSION 2

/** Called after every epoch. Return 0 to go on, non-zero to stop training:
 *  rec_model_train() then fails with REC_ECANCELED. */
typedef int (*rec_progress_fn)(void *user_data, const rec_progress *progress);

/**
 * Creates training options for a model family ("mf" for matrix factorization
 * with BPR, "pop" for popularity ranking), holding the family's defaults.
 * REC_ENOTFOUND for an unknown family.
 */
REC_API int rec_train_options_new(rec_train_options **out, const char *family);

/**
 * Sets a hyperparameter from its text form, validated against the family's
 * table: REC_ENOTFOUND for an unknown name (the message suggests the closest
 * known one), REC_EINVAL for a value of the wrong type or out of range (the
 * message gives the range).
 */
REC_API int rec_train_options_set(rec_train_options *opts, const char *name,
                                  const char *value);

/** Writes the current value of a hyperparameter, in text form, into buf
 *  (always NUL-terminated). REC_EINVAL if size is too small. */
REC_API int rec_train_options_get(const rec_train_options *opts,
                                  const char *name, char *buf, size_t size);

/** Sets (or with fn = NULL, clears) the per-epoch progress callback. It runs
 *  on the thread that called rec_model_train(). */
REC_API int rec_train_options_set_progress(rec_train_options *opts,
                                           rec_progress_fn fn,
                                           void *user_data);

/**
 * Sets (or with valid = NULL, clears) validation data for evaluation during
 * training: families that train in epochs then compute Recall and NDCG at
 * the cut-off `eval_k` on it every `eval_every` epochs and after the last,
 * stop after `early_stop` evaluations without a better Recall (0: never),
 * and return the model of the best evaluation (rec_model_info_get reports
 * which epoch that was). The training items of each user are excluded from
 * the ranking, as in rec_eval_run(). The options keep a reference to
 * `valid`, which must be in the training dataset's id space (load it with
 * the training dataset as `ref`; checked by rec_model_train()).
 */
REC_API int rec_train_options_set_validation(rec_train_options *opts,
                                             const rec_dataset *valid);

/**
 * Sets (or with init = NULL, clears) a model whose user and item embeddings
 * start training instead of random values: the pretraining option of the
 * NGCF and LightGCN reference codes, which start from a trained MF-BPR
 * model. `init` must score by inner product without item biases (an `mf`
 * model does), have been trained on the same users and items as the
 * training dataset and have the dimension `dim` of the options (both
 * checked by rec_model_train(), REC_EINVAL otherwise). The embeddings are
 * copied: the caller may free `init` afterwards. Families that take it:
 * `lightgcn` (layer 0) and `ngcf` (layer 0; the weights start as usual);
 * rec_model_train() returns REC_EUNSUPPORTED for the others. REC_EINVAL
 * for a model that does not score by plain inner products.
 */
REC_API int rec_train_options_set_init_model(rec_train_options *opts,
                                             const rec_model *init);

/**
 * Sets (or with kg = NULL, clears) the knowledge graph a family trains with.
 * The options keep a reference; the caller may free kg afterwards. Families
 * that take one: `kgat` (which needs it: rec_model_train() returns
 * REC_EINVAL without). rec_model_train() returns REC_EUNSUPPORTED when it is
 * set for any other family.
 */
REC_API int rec_train_options_set_kg(rec_train_options *opts, const rec_kg *kg);

/** Releases training options. Accepts NULL. */
REC_API void rec_train_options_free(rec_train_options *opts);

/**
 * Trains a model on `train`. The model keeps a reference to the dataset's id
 * maps and interactions (the caller may free `train` afterwards). With
 * threads = 1 and a fixed seed the result is bit-for-bit repeatable.
 * REC_EINVAL for an empty dataset, REC_ECANCELED if the progress callback
 * stopped training, REC_ENOMEM.
 */
REC_API int rec_model_train(rec_model **out, const rec_dataset *train,
                            const rec_train_options *opts);

/** Releases a model. Accepts NULL. */
REC_API void rec_model_free(rec_model *model);

/* ------------------------------------------------------------------------ */
/* Inspecting models                                                        */
/* ------------------------------------------------------------------------ */

/** Users, items and dimension of the serving form. 0 for NULL. */
REC_API size_t rec_model_n_users(const rec_model *model);
REC_API size_t rec_model_n_items(const rec_model *model);
REC_API size_t rec_model_dim(const rec_model *model);

/**
 * The model's training data: its id maps and, unless the model was saved
 * without them, its training interactions. Borrowed: valid while the model
 * lives. Pass it as `ref` to a loader to read data in the model's id space,
 * or to rec_dataset_find_user() to translate ids. NULL for NULL.
 */
REC_API const rec_dataset *rec_model_dataset(const rec_model *model);

/** How a model scores a (user, item) pair from its vectors u and v. */
typedef enum rec_scoring {
    REC_SCORING_DOT = 0,          /**< u . v (+ item bias) */
    REC_SCORING_NEG_SQDIST = 1    /**< -|u - v|^2 (+ item bias) */
} rec_scoring;

/** Summary of a model. */
typedef struct rec_model_info {
    uint32_t version;       /**< set by the caller: REC_MODEL_INFO_VERSION */
    const char *family;     /**< static string, e.g. "mf" */
    size_t n_users;
    size_t n_items;
    size_t dim;
    rec_scoring scoring;
    int has_item_bias;
    int has_interactions;   /**< 0 if saved without training interactions */
    size_t n_interactions;  /**< training interactions kept */
    unsigned epochs;        /**< epochs trained */
    double final_loss;      /**< mean loss of the last epoch (NaN if none) */
    /* version 2 */
    unsigned best_epoch;    /**< the epoch whose state the model holds */
    unsigned eval_k;        /**< cut-off of the validation measures (0: none) */
    double valid_recall;    /**< Recall@eval_k at best_epoch (NaN: none) */
    double valid_ndcg;      /**< NDCG@eval_k at best_epoch (NaN: none) */
    int can_fold_in;        /**< 1 if rec_model_fold_in() works on this model */
} rec_model_info;

#define REC_MODEL_INFO_VERSION 2
#define REC_MODEL_INFO_INIT \
    { REC_MODEL_INFO_VERSION, NULL, 0, 0, 0, REC_SCORING_DOT, 0, 0, 0, 0, 0.0, 0, 0, 0.0, 0.0, 0 }
/** Fills the fields of *info that info->version has. */
REC_API int rec_model_info_get(const rec_model *model, rec_model_info *info);

/** Value of a hyperparameter the model was trained with, in text form (the
 *  names are those of rec_family_param() for the model's family).
 *  REC_ENOTFOUND for an unknown name, REC_EINVAL if size is too small. */
REC_API int rec_model_setting(const rec_model *model, const char *name,
                              char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Serving                                                                  */
/* ------------------------------------------------------------------------ */

/** Writes scores[j] = score of (user, items[j]) for j < n.
 *  REC_EINVAL for NULL arguments (items and scores may be NULL when n = 0)
 *  or ids out of range. */
REC_API int rec_model_score(const rec_model *model, uint32_t user,
                            const uint32_t *items, size_t n, float *scores);

typedef struct rec_recommend_options {
    uint32_t version;          /**< REC_RECOMMEND_OPTIONS_VERSION */
    /** 1 (default): never recommend the user's training items. Needs the
     *  model's training interactions (REC_EINVAL if it was saved without). */
    int exclude_train;
    /** Dense item ids never to recommend (may be NULL when n_blocklist = 0).
     *  Out-of-range ids are an error. */
    const uint32_t *blocklist;
    size_t n_blocklist;
    /* ---- version 2 ---- */
    /** NULL (default): rank every item. Otherwise rank only these dense item
     *  ids (any order; repeats count once; out-of-range ids are an error),
     *  less the training items (exclude_train) and the blocklist;
     *  n_candidates = 0 then leaves nothing to rank. Each candidate is
     *  scored on its own, so a short list costs little. */
    const uint32_t *candidates;
    size_t n_candidates;
} rec_recommend_options;

#define REC_RECOMMEND_OPTIONS_VERSION 2
#define REC_RECOMMEND_OPTIONS_INIT { REC_RECOMMEND_OPTIONS_VERSION, 1, NULL, 0, NULL, 0 }
/** Fills *opts with the defaults of REC_RECOMMEND_OPTIONS_INIT. */
REC_API int rec_recommend_options_init(rec_recommend_options *opts);

/**
 * The k best items for `user`, best first (ties by lower item id). items and
 * scores must hold k entries (scores may be NULL); *n_out receives how many
 * were written, fewer than k when fewer items are eligible. opts may be NULL.
 * The scores are exactly those rec_model_score() gives, and the list is the
 * exact top k under them.
 */
REC_API int rec_model_recommend(const rec_model *model, uint32_t user,
                                size_t k, const rec_recommend_options *opts,
                                uint32_t *items, float *scores, size_t *n_out);

/**
 * rec_model_recommend() for many users at once: row j of items and scores,
 * entries [j * k, (j + 1) * k), is the list of users[j], n_out[j] entries
 * long; the slots after them hold REC_NO_ITEM and -INFINITY. items and
 * scores hold n_users * k entries (scores may be NULL), n_out n_users. The
 * lists are exactly those rec_model_recommend() gives for each user with
 * the same opts, whatever the batch and the thread count; blocks of users
 * are scored together through BLIS, `threads` threads at a time (0: all
 * online CPUs; at most 256). users may repeat. users, items and n_out may
 * be NULL when n_users = 0 (items also when k = 0). REC_EINVAL for NULL
 * arrays, a user out of range (naming users[j]) or bad options. On failure
 * every n_out[j] is 0.
 */
REC_API int rec_model_recommend_batch(const rec_model *model, const uint32_t *users,
                                      size_t n_users, size_t k,
                                      const rec_recommend_options *opts, unsigned threads,
                                      uint32_t *items, float *scores, size_t *n_out);

/** rec_model_score() with external ids. REC_ENOTFOUND names the first
 *  unknown id. */
REC_API int rec_model_score_ext(const rec_model *model, const char *user,
                                const char *const *items, size_t n,
                                float *scores);

/** rec_model_recommend() with an external user id in and external item ids
 *  out: items[j] points into the model's id map (valid while it lives).
 *  opts->blocklist and opts->candidates still hold dense ids. */
REC_API int rec_model_recommend_ext(const rec_model *model, const char *user,
                                    size_t k,
                                    const rec_recommend_options *opts,
                                    const char **items, float *scores,
                                    size_t *n_out);

/** How rec_model_similar_items() and rec_model_similar_users() compare two
 *  vectors a and b of the serving form (item biases are not used). */
typedef enum rec_similarity {
    /** a . b: for models that score by inner products. */
    REC_SIMILARITY_DOT = 0,
    /** a . b / (|a| |b|), and 0 when a or b is the zero vector: for models
     *  that score by inner products. */
    REC_SIMILARITY_COSINE = 1,
    /** -|a - b|^2: nearness in the space itself, the only similarity for
     *  models that score by distance (REC_SCORING_NEG_SQDIST, e.g. cml),
     *  and allowed for the others. */
    REC_SIMILARITY_NEG_SQDIST = 2
} rec_similarity;

/**
 * The k items most similar to `item` under `sim`, from the items' vectors,
 * best first (ties by lower id); the item itself is left out. items and
 * scores must hold k entries (scores may be NULL); *n_out receives how
 * many were written (at most n_items - 1). REC_EINVAL for NULL arguments,
 * an item out of range or an unknown sim; REC_EUNSUPPORTED for
 * REC_SIMILARITY_DOT or _COSINE on a model that scores by distance, whose
 * space has no meaningful origin or angle (docs/api.md).
 */
REC_API int rec_model_similar_items(const rec_model *model, uint32_t item, size_t k,
                                    rec_similarity sim, uint32_t *items, float *scores,
                                    size_t *n_out);

/** rec_model_similar_items() for users, from the users' vectors. */
REC_API int rec_model_similar_users(const rec_model *model, uint32_t user, size_t k,
                                    rec_similarity sim, uint32_t *users, float *scores,
                                    size_t *n_out);

/* ------------------------------------------------------------------------ */
/* Explaining recommendations                                               */
/* ------------------------------------------------------------------------ */

/** One knowledge-graph neighbour of an item and the attention weight KGAT
 *  gives it (rec_model_kg_neighbors). This struct does not grow; a future
 *  need gets a new function. */
typedef struct rec_kg_neighbor {
    uint32_t entity;     /**< entity id in the graph's numbering (rec_kg_entity_id) */
    uint32_t relation;   /**< relation id in the graph's numbering (rec_kg_relation_id) */
    int inverse;         /**< 0: the triple (item's entity, relation, entity);
                              1: the triple (entity, relation, item's entity) */
    float weight;        /**< attention weight of the edge in the item's propagation
                              (the item's weights, users included, sum to 1) */
} rec_kg_neighbor;

/**
 * The knowledge-graph neighbours of an item with the largest attention
 * weights, as the model was trained: up to k of them into out, by weight
 * descending (entity, then relation, ascending on ties); *n_out receives how
 * many. The ids are those of the rec_kg the model was trained with: the same
 * file loaded again numbers them the same way. An item without an entity
 * has none (REC_OK, *n_out 0).
 * REC_EINVAL for NULL m or n_out, out NULL with k > 0, or item >= n_items;
 * REC_EUNSUPPORTED for a model that is not `kgat`, or whose graph was too
 * large to store its explanations (2^24 nodes or relations or more).
 */
REC_API int rec_model_kg_neighbors(const rec_model *m, uint32_t item,
                                   rec_kg_neighbor *out, size_t k, size_t *n_out);

/* ------------------------------------------------------------------------ */
/* Users who were not in training                                           */
/* ------------------------------------------------------------------------ */

/**
 * Folds in a user who was not in the training data, from the dense ids of
 * the items they interacted with (duplicates are ignored): writes the user's
 * vector in the model's serving space, rec_model_dim() floats, into
 * `vector`. The model is not changed. How the vector is derived depends on
 * the model family (docs/models.md): graph models propagate the user's
 * items through their trained layers, inner-product models solve a ridge
 * regression of the items onto 1, cml takes the items' centroid.
 * REC_EUNSUPPORTED for models that do not offer fold-in
 * (rec_model_info.can_fold_in), REC_EINVAL for NULL arguments or item ids
 * out of range. n = 0 is allowed.
 */
REC_API int rec_model_fold_in(const rec_model *model, const uint32_t *items,
                              size_t n, float *vector);

/** rec_model_score() for a user given by a vector (rec_model_dim() floats,
 *  e.g. from rec_model_fold_in()). */
REC_API int rec_model_score_vector(const rec_model *model, const float *vector,
                                   const uint32_t *items, size_t n, float *scores);

/** rec_model_recommend() for a user given by a vector. opts->exclude_train
 *  does not apply (the user has no training items); pass the items to leave
 *  out, e.g. those folded in, as opts->blocklist. */
REC_API int rec_model_recommend_vector(const rec_model *model, const float *vector,
                                       size_t k, const rec_recommend_options *opts,
                                       uint32_t *items, float *scores, size_t *n_out);

/* ------------------------------------------------------------------------ */
/* Evaluation                                                               */
/* ------------------------------------------------------------------------ */

/** How rec_eval_run() ranks a test item (docs/metrics.md). */
typedef enum rec_eval_protocol {
    /** Against every item that is not excluded (the default). */
    REC_EVAL_FULL = 0,
    /** Against sample_negatives items drawn uniformly from those that are
     *  neither excluded nor test items of the user. */
    REC_EVAL_SAMPLED_UNIFORM = 1,
    /** The same, drawn in proportion to their training interactions. */
    REC_EVAL_SAMPLED_POPULARITY = 2
} rec_eval_protocol;

typedef struct rec_eval_options {
    uint32_t version;       /**< REC_EVAL_OPTIONS_VERSION */
    const unsigned *ks;     /**< at most 64 cut-offs; NULL (default) means {20} */
    size_t n_ks;
    unsigned threads;       /**< 0 (default): all online CPUs */
    /** 1 (default): rank each user's items excluding the training items. */
    int exclude_train;
    /* ---- version 2 ---- */
    /** 1 (default): also the measures of the top-K lists beyond accuracy:
     *  catalogue coverage, popularity, long tail, novelty, entropy, Gini and
     *  the item-fairness measures. They keep every user's top list in memory
     *  (4 bytes per user per rank); 0 leaves them out. */
    int beyond_accuracy;
    /** REC_EVAL_FULL (default) or a sampled protocol, whose measures are
     *  named "sampled_..." and replace the full-ranking ones. */
    rec_eval_protocol protocol;
    unsigned sample_negatives;  /**< negatives per test item; default 100 */
    uint64_t seed;              /**< seed of the sampled negatives; default 1 */
    /** rec_eval_lists() only: the number of items in the catalogue, whose
     *  ids are then 0 .. n_catalog - 1. 0 (default): unknown, and no
     *  measure beyond accuracy is computed. */
    size_t n_catalog;
    /** rec_eval_lists() only: training interactions of each catalogue item
     *  (n_catalog entries), for the popularity measures; NULL (default):
     *  none of them. */
    const uint32_t *item_counts;
    /** rec_eval_lists() only, with item_counts: users in the training data
     *  (for novelty); at least the largest count. */
    size_t n_train_users;
} rec_eval_options;

#define REC_EVAL_OPTIONS_VERSION 2
#define REC_EVAL_OPTIONS_INIT \
    { REC_EVAL_OPTIONS_VERSION, NULL, 0, 0, 1, 1, REC_EVAL_FULL, 100, 1, 0, NULL, 0 }
/** Fills *opts with the defaults of REC_EVAL_OPTIONS_INIT. */
REC_API int rec_eval_options_init(rec_eval_options *opts);

/**
 * Evaluation by full ranking (docs/metrics.md): for every user with at least
 * one test interaction, all items are scored, the user's training items are
 * excluded, and Recall, Precision, NDCG, Hit, MRR, MAP and the NGCF code's
 * NDCG (ndcg_retrieved) at every cut-off, and the AUC over all items that
 * are not excluded ("auc"), are averaged over those users. With
 * beyond_accuracy, the users' top-K lists also give avg_pop, long_tail and
 * novelty (per-user means) and coverage, entropy, gini and the item-fairness
 * measures fair_jain, fair_qf, fair_entropy, fair_fsat, fair_gini,
 * fair_gini_w, ai_d and vocd (over all lists together). If `test` has
 * ratings, "rmse" and "mae" compare the scores with them. A sampled
 * protocol (opts->protocol) ranks each test item against sampled negatives
 * instead and reports sampled_hit, sampled_ndcg, sampled_mrr and
 * sampled_auc.
 *
 * `test` must be in the model's id space: its id maps must hold the same ids
 * in the same order as the model's (load it with rec_model_dataset() or the
 * training dataset as `ref`; datasets built before the model was saved and
 * loaded back qualify too). `train` gives the items to exclude and the
 * training popularity; NULL means the model's own training interactions.
 * REC_EINVAL for datasets in another id space, or a model without
 * interactions and train = NULL when they are needed (exclusion or
 * popularity sampling).
 */
REC_API int rec_eval_run(rec_eval **out, const rec_model *model,
                         const rec_dataset *train, const rec_dataset *test,
                         const rec_eval_options *opts);

/**
 * Evaluates ranked lists made by any system, e.g. another library's output
 * read from Python: user i's list is list_items[list_ptr[i] ..
 * list_ptr[i + 1]), best first, and its relevant (test) items are
 * rel_items[rel_ptr[i] .. rel_ptr[i + 1]), in any order (repeats count
 * once). Both pointer arrays have n_users + 1 entries. Item ids are the
 * caller's, any uint32_t, unless opts->n_catalog is set. The measures are
 * those of rec_eval_run() at the cut-offs of opts, without "auc", "rmse"
 * and "mae" (there are no scores); the measures beyond accuracy need
 * opts->n_catalog, and the popularity ones opts->item_counts too. threads,
 * exclude_train and the sampled protocols do not apply (the lists are taken
 * as they are). A list shorter than K is scored as it stands. Users without
 * relevant items are left out, and the others appear in
 * rec_eval_user_values() by their index i. REC_EINVAL for a list that holds
 * an item twice (naming the user and both positions), an item outside the
 * catalogue, pointers that decrease or a sampled protocol.
 */
REC_API int rec_eval_lists(rec_eval **out, size_t n_users, const size_t *list_ptr,
                           const uint32_t *list_items, const size_t *rel_ptr,
                           const uint32_t *rel_items, const rec_eval_options *opts);

/** Value of a measure by name, e.g. "recall@20", "ndcg@10", "auc",
 *  "coverage@20", "fair_gini@20" (docs/metrics.md lists them all). NaN
 *  where the measure is undefined for this data (docs/metrics.md says when).
 *  REC_ENOTFOUND for a name this run did not compute. */
REC_API int rec_eval_get(const rec_eval *ev, const char *name, double *value);

/** Number of measures computed (for listing them). 0 for NULL. */
REC_API size_t rec_eval_count(const rec_eval *ev);

/** Number of measures that are means of per-user values: they come first
 *  in rec_eval_at() order, and rec_eval_user_values() gives their values.
 *  0 for NULL. */
REC_API size_t rec_eval_count_per_user(const rec_eval *ev);

/** Name and value of the index-th measure. *name is owned by ev.
 *  REC_EINVAL for an index past the end. */
REC_API int rec_eval_at(const rec_eval *ev, size_t index, const char **name,
                        double *value);

/** Number of users averaged over (users with at least one test item). */
REC_API size_t rec_eval_n_users(const rec_eval *ev);

/**
 * The values of one measure per user, for significance tests between
 * runs: (*users)[i] is the dataset index of the i-th evaluated user
 * (ascending; rec_dataset_user_id() gives its id) and (*values)[i] the
 * user's value, for i < rec_eval_n_users(ev). The mean of *values is what
 * rec_eval_get() returns. The arrays are owned by ev. REC_ENOTFOUND for a
 * measure this run did not compute, REC_EINVAL for one computed over all
 * users together (coverage, entropy, gini, the fair_* measures, ai_d, vocd,
 * rmse, mae), which has no per-user values.
 */
REC_API int rec_eval_user_values(const rec_eval *ev, const char *name,
                                 const uint32_t **users, const double **values);

/** Releases an evaluation result. Accepts NULL. */
REC_API void rec_eval_free(rec_eval *ev);

/** Paired comparison of two runs on the same users (docs/metrics.md). */
typedef struct rec_paired_test {
    uint32_t version;       /**< set by the caller: REC_PAIRED_TEST_VERSION */
    size_t n;               /**< pairs */
    double mean_a, mean_b;  /**< means of a and b */
    double mean_diff;       /**< mean of b - a */
    double t;               /**< paired t statistic (n - 1 degrees of freedom) */
    double t_p;             /**< its two-sided p-value */
    size_t w_n;             /**< pairs with b != a (the others are dropped) */
    double w_plus;          /**< Wilcoxon signed-rank sum of the positive b - a */
    double w_z;             /**< its normal approximation, tie-corrected */
    double w_p;             /**< its two-sided p-value */
} rec_paired_test;

#define REC_PAIRED_TEST_VERSION 1
#define REC_PAIRED_TEST_INIT { REC_PAIRED_TEST_VERSION, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, \
                               0.0, 0.0, 0.0 }

/**
 * Paired Student's t-test and Wilcoxon signed-rank test of b - a over n
 * pairs, e.g. two runs' per-user values of one measure
 * (rec_eval_user_values()). The t-test's p-value is exact for normal
 * differences; the signed-rank test drops zero differences, gives tied
 * ones their mean rank and uses the normal approximation with the tie
 * correction, without continuity correction (close to exact from about 20
 * non-zero pairs on). Identical runs give t = 0 and p = 1 for both.
 * REC_EINVAL for n < 2, a NaN or infinite value (naming the first such
 * pair) or a version the library does not know.
 */
REC_API int rec_paired_test_run(const double *a, const double *b, size_t n,
                                rec_paired_test *out);

/* ------------------------------------------------------------------------ */
/* Model files                                                              */
/* ------------------------------------------------------------------------ */

typedef struct rec_save_options {
    uint32_t version;       /**< REC_SAVE_OPTIONS_VERSION */
    /** 1 (default): store the training interactions so that recommend can
     *  exclude them after loading. 0 keeps only id maps and vectors. */
    int keep_interactions;
} rec_save_options;

#define REC_SAVE_OPTIONS_VERSION 1
#define REC_SAVE_OPTIONS_INIT { REC_SAVE_OPTIONS_VERSION, 1 }
/** Fills *opts with the defaults of REC_SAVE_OPTIONS_INIT. */
REC_API int rec_save_options_init(rec_save_options *opts);

/**
 * Saves a model (docs/format.md). The file is written under a temporary name
 * in the same directory, flushed to disk and renamed over `path`, so `path`
 * always holds either the previous file or the complete new one.
 * opts may be NULL. REC_EIO on any write error.
 */
REC_API int rec_model_save(const rec_model *model, const char *path,
                           const rec_save_options *opts);

/**
 * Loads a model saved by rec_model_save(). Every size and checksum is
 * validated before use: REC_ECORRUPT for a damaged or truncated file,
 * REC_EVERSION for a format version this library does not read, REC_EIO if
 * the file cannot be read.
 */
REC_API int rec_model_load(rec_model **out, const char *path);

/**
 * rec_model_load() that maps the file read-only instead of copying its
 * matrices: the user and item matrices are used where they lie in the
 * mapping, so processes that load the same file share one copy of them in
 * the page cache. Everything is validated as by rec_model_load() (the
 * checksums read every page once). The file must not be changed in place
 * while the model lives (the system may then kill the process with
 * SIGBUS); rec_model_save() replaces a file by renaming a new one over it,
 * which leaves existing mappings intact. Same errors as rec_model_load(),
 * and REC_ENOMEM or REC_EIO if the mapping fails.
 */
REC_API int rec_model_load_mapped(rec_model **out, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* LIBREC_LIBREC_H */
