/* The model file format, version 1 (docs/format.md is the specification).
 *
 *   header (64 bytes) | section table (32 bytes per section) | sections
 *
 * Sections start on 64-byte boundaries so that large matrices can be mapped
 * in place; the gaps are zero bytes and are checked. Every byte of a file is
 * covered by a checksum, a zero check or the file size, so no single damaged
 * byte goes unnoticed. Integers and floats are in the byte order of the
 * writer, recorded by the byte-order mark. */
#ifndef REC_IO_FORMAT_H
#define REC_IO_FORMAT_H

#include <stdint.h>

#define REC_FILE_MAGIC "\x89RECMDL\n"   /* 8 bytes, PNG-style */
#define REC_FILE_VERSION 1u
#define REC_FILE_BOM 0x01020304u
#define REC_FILE_ALIGN 64u
#define REC_FILE_MAX_SECTIONS 64u
#define REC_FAMILY_NAME_MAX 32

typedef struct rec_file_header {
    char magic[8];
    uint32_t version;
    uint32_t byte_order;
    uint32_t header_size;        /* 64 */
    uint32_t n_sections;
    uint64_t file_size;
    uint64_t table_offset;       /* 64 */
    uint32_t table_crc;          /* CRC-32C of the section table */
    uint32_t flags;              /* 0 */
    uint8_t reserved[12];        /* 0 */
    uint32_t header_crc;         /* CRC-32C of bytes 0..59 */
} rec_file_header;

typedef struct rec_file_section {
    uint32_t kind;
    uint32_t flags;              /* REC_SECTION_REQUIRED or 0 */
    uint64_t offset;
    uint64_t size;
    uint32_t crc;                /* CRC-32C of the section's bytes */
    uint32_t reserved;           /* 0 */
} rec_file_section;

/* A reader that meets a section kind it does not know skips it, unless the
 * section is flagged REQUIRED: then the file needs a newer reader. */
#define REC_SECTION_REQUIRED 1u

enum rec_section_kind {
    REC_SEC_META = 1,        /* rec_file_meta */
    REC_SEC_SETTINGS = 2,    /* u32 count, then count pairs "name\0value\0" */
    REC_SEC_USER_IDS = 3,    /* id map blob: n_users NUL-terminated ids */
    REC_SEC_ITEM_IDS = 4,    /* n_items NUL-terminated ids */
    REC_SEC_USER_MATRIX = 5, /* n_users * ld float32 */
    REC_SEC_ITEM_MATRIX = 6, /* n_items * ld float32 */
    REC_SEC_ITEM_BIAS = 7,   /* n_items float32 (optional) */
    REC_SEC_TRAIN_PTR = 8,   /* n_users + 1 uint64 (optional, with 9) */
    REC_SEC_TRAIN_ITEMS = 9, /* nnz uint32 */
    REC_SEC_SUMMARY = 10,    /* rec_file_summary (optional) */
    REC_SEC_TENSORS = 11,    /* family tensors for fold-in (optional) */
};

/* The highest section kind this reader knows. */
#define REC_SEC_LAST REC_SEC_TENSORS

typedef struct rec_file_meta {
    char family[REC_FAMILY_NAME_MAX]; /* NUL-padded */
    uint64_t n_users;
    uint64_t n_items;
    uint64_t dim;
    uint64_t ld;
    uint64_t nnz;                /* training interactions stored (0 if none) */
    uint32_t scoring;            /* rec_scoring */
    uint32_t has_item_bias;
    uint32_t has_interactions;
    uint32_t epochs;
    double final_loss;
} rec_file_meta;

/* How training went: which epoch the saved state comes from and what it
 * scored on validation data. */
typedef struct rec_file_summary {
    uint32_t best_epoch;
    uint32_t eval_k;             /* 0: no validation */
    double valid_recall;         /* NaN without validation */
    double valid_ndcg;
    uint8_t reserved[8];         /* 0 */
} rec_file_summary;

/* The tensors section: a u32 count, a u32 zero, then `count` entries, then
 * each tensor's rows x ld float32 at its offset (from the section's start, a
 * multiple of 64, ascending, without overlap). ld is cols rounded up to 16
 * and the padding columns are zero. */
typedef struct rec_file_tensor {
    char name[48];               /* NUL-padded */
    uint64_t rows;
    uint64_t cols;
    uint64_t offset;
} rec_file_tensor;

_Static_assert(sizeof(rec_file_header) == 64, "header layout");
_Static_assert(sizeof(rec_file_summary) == 32, "summary layout");
_Static_assert(sizeof(rec_file_tensor) == 72, "tensor entry layout");
_Static_assert(sizeof(rec_file_section) == 32, "section layout");
_Static_assert(sizeof(rec_file_meta) == 96, "meta layout");

#endif
