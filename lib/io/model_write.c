#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/error.h"
#include "core/file.h"
#include "io/format.h"
#include "io/model_file.h"

/* A section is written as a list of pieces; a piece without data is that
 * many zero bytes (alignment inside a section). */
#define MAX_PIECES (2 + 2 * 64)

typedef struct piece {
    const void *data;
    uint64_t size;
} piece;

typedef struct out_section {
    uint32_t kind;
    uint32_t flags;
    piece pieces[MAX_PIECES];
    unsigned n_pieces;
    uint64_t size;
} out_section;

static out_section *add_section(out_section *sec, uint32_t *n, uint32_t kind, uint32_t flags)
{
    out_section *s = &sec[(*n)++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->flags = flags;
    return s;
}

static void add_piece(out_section *s, const void *data, uint64_t size)
{
    s->pieces[s->n_pieces++] = (piece){ data, size };
    s->size += size;
}

static const unsigned char zero_block[REC_FILE_ALIGN];

static uint32_t section_crc(const out_section *s)
{
    uint32_t crc = 0;
    for (unsigned p = 0; p < s->n_pieces; p++) {
        const piece *pc = &s->pieces[p];
        if (pc->data) {
            crc = rec_crc32c(crc, pc->data, (size_t)pc->size);
            continue;
        }
        for (uint64_t left = pc->size; left > 0;) {
            size_t chunk = left < sizeof zero_block ? (size_t)left : sizeof zero_block;
            crc = rec_crc32c(crc, zero_block, chunk);
            left -= chunk;
        }
    }
    return crc;
}

static uint64_t align_up(uint64_t x)
{
    return (x + REC_FILE_ALIGN - 1) / REC_FILE_ALIGN * REC_FILE_ALIGN;
}

/* The settings section: count, then "name\0value\0" pairs. */
static void *settings_blob(const rec_model *m, size_t *size)
{
    size_t n = sizeof(uint32_t);
    for (size_t k = 0; k < m->n_settings; k++)
        n += strlen(m->settings[k].name) + strlen(m->settings[k].value) + 2;
    char *blob = rec_malloc(n);
    if (!blob)
        return NULL;
    uint32_t count = (uint32_t)m->n_settings;
    memcpy(blob, &count, sizeof count);
    char *p = blob + sizeof count;
    for (size_t k = 0; k < m->n_settings; k++) {
        size_t a = strlen(m->settings[k].name) + 1, b = strlen(m->settings[k].value) + 1;
        memcpy(p, m->settings[k].name, a);
        memcpy(p + a, m->settings[k].value, b);
        p += a + b;
    }
    *size = n;
    return blob;
}

static int write_zeros(FILE *fp, uint64_t n)
{
    while (n > 0) {
        size_t chunk = n < sizeof zero_block ? (size_t)n : sizeof zero_block;
        if (fwrite(zero_block, 1, chunk, fp) != chunk)
            return -1;
        n -= chunk;
    }
    return 0;
}

static int write_section(FILE *fp, const out_section *s)
{
    for (unsigned p = 0; p < s->n_pieces; p++) {
        const piece *pc = &s->pieces[p];
        if (!pc->data ? write_zeros(fp, pc->size) != 0
                      : pc->size && fwrite(pc->data, (size_t)pc->size, 1, fp) != 1)
            return -1;
    }
    return 0;
}

/* The tensors section: the entry table (in `entries`, allocated here), zero
 * padding to 64 bytes, then every tensor's rows (a multiple of 64 bytes). */
static int add_tensors(out_section *sec, uint32_t *n, const rec_tensors *ts,
                       unsigned char **entries)
{
    *entries = NULL;
    if (ts->n == 0)
        return REC_OK;
    if (ts->n > 64)
        return rec_error(REC_ELIMIT, "a model can save at most 64 tensors");
    size_t head = 8 + ts->n * sizeof(rec_file_tensor);
    unsigned char *e = rec_calloc(1, head);
    if (!e)
        return rec_error_nomem();
    uint32_t count = (uint32_t)ts->n;
    memcpy(e, &count, sizeof count);
    uint64_t offset = align_up(head);
    for (size_t k = 0; k < ts->n; k++) {
        rec_file_tensor ft;
        memset(&ft, 0, sizeof ft);
        memcpy(ft.name, ts->t[k].name, strlen(ts->t[k].name)); /* < 48, NUL-padded */
        ft.rows = ts->t[k].rows;
        ft.cols = ts->t[k].cols;
        ft.offset = offset;
        memcpy(e + 8 + k * sizeof ft, &ft, sizeof ft);
        offset += (uint64_t)ts->t[k].rows * ts->t[k].ld * sizeof(float);
    }
    out_section *s = add_section(sec, n, REC_SEC_TENSORS, 0);
    add_piece(s, e, head);
    add_piece(s, NULL, align_up(head) - head);
    for (size_t k = 0; k < ts->n; k++)
        add_piece(s, ts->t[k].data, (uint64_t)ts->t[k].rows * ts->t[k].ld * sizeof(float));
    *entries = e;
    return REC_OK;
}

int rec_model_file_write(const rec_model *m, const char *path, int keep_interactions)
{
    const rec_serving *s = &m->serving;
    int with_train = keep_interactions && m->has_interactions;

    rec_file_meta meta;
    memset(&meta, 0, sizeof meta);
    strncpy(meta.family, m->family->name, sizeof meta.family - 1);
    meta.n_users = s->n_users;
    meta.n_items = s->n_items;
    meta.dim = s->dim;
    meta.ld = s->ld;
    meta.nnz = with_train ? m->train->nnz : 0;
    meta.scoring = (uint32_t)s->scoring;
    meta.has_item_bias = s->item_bias != NULL;
    meta.has_interactions = (uint32_t)with_train;
    meta.epochs = m->summary.epochs;
    meta.final_loss = m->summary.final_loss;

    size_t settings_size;
    void *settings = settings_blob(m, &settings_size);
    if (!settings)
        return rec_error_nomem();

    rec_file_summary summary;
    memset(&summary, 0, sizeof summary);
    summary.best_epoch = m->summary.best_epoch;
    summary.eval_k = m->summary.eval_k;
    summary.valid_recall = m->summary.valid_recall;
    summary.valid_ndcg = m->summary.valid_ndcg;

    size_t user_ids_size, item_ids_size;
    const char *user_ids = rec_idmap_blob(m->train->users, &user_ids_size);
    const char *item_ids = rec_idmap_blob(m->train->items, &item_ids_size);
    _Static_assert(sizeof(size_t) == sizeof(uint64_t), "user_ptr is stored as uint64");
    out_section sec[REC_FILE_MAX_SECTIONS];
    uint32_t n = 0;
    add_piece(add_section(sec, &n, REC_SEC_META, REC_SECTION_REQUIRED), &meta, sizeof meta);
    add_piece(add_section(sec, &n, REC_SEC_SETTINGS, REC_SECTION_REQUIRED), settings,
              settings_size);
    add_piece(add_section(sec, &n, REC_SEC_USER_IDS, REC_SECTION_REQUIRED), user_ids,
              user_ids_size);
    add_piece(add_section(sec, &n, REC_SEC_ITEM_IDS, REC_SECTION_REQUIRED), item_ids,
              item_ids_size);
    add_piece(add_section(sec, &n, REC_SEC_USER_MATRIX, REC_SECTION_REQUIRED), s->U,
              (uint64_t)s->n_users * s->ld * sizeof(float));
    add_piece(add_section(sec, &n, REC_SEC_ITEM_MATRIX, REC_SECTION_REQUIRED), s->V,
              (uint64_t)s->n_items * s->ld * sizeof(float));
    if (s->item_bias)
        add_piece(add_section(sec, &n, REC_SEC_ITEM_BIAS, REC_SECTION_REQUIRED),
                  s->item_bias, (uint64_t)s->n_items * sizeof(float));
    if (with_train) {
        add_piece(add_section(sec, &n, REC_SEC_TRAIN_PTR, REC_SECTION_REQUIRED),
                  m->train->user_ptr, ((uint64_t)s->n_users + 1) * sizeof(uint64_t));
        add_piece(add_section(sec, &n, REC_SEC_TRAIN_ITEMS, REC_SECTION_REQUIRED),
                  m->train->user_items, (uint64_t)m->train->nnz * sizeof(uint32_t));
    }
    /* Optional sections: a reader that does not know them still serves. */
    add_piece(add_section(sec, &n, REC_SEC_SUMMARY, 0), &summary, sizeof summary);
    unsigned char *entries;
    int rc = add_tensors(sec, &n, &m->tensors, &entries);
    if (rc != REC_OK) {
        rec_free(settings);
        return rc;
    }

    /* Lay the sections out after the table, each on a 64-byte boundary. */
    rec_file_section table[REC_FILE_MAX_SECTIONS];
    memset(table, 0, sizeof table);
    uint64_t pos = align_up(sizeof(rec_file_header) + (uint64_t)n * sizeof(rec_file_section));
    for (uint32_t k = 0; k < n; k++) {
        table[k].kind = sec[k].kind;
        table[k].flags = sec[k].flags;
        table[k].offset = pos;
        table[k].size = sec[k].size;
        table[k].crc = section_crc(&sec[k]);
        pos = align_up(pos + sec[k].size);
    }
    /* The file ends right after the last section's bytes. */
    uint64_t file_size = table[n - 1].offset + table[n - 1].size;

    rec_file_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, REC_FILE_MAGIC, sizeof h.magic);
    h.version = REC_FILE_VERSION;
    h.byte_order = REC_FILE_BOM;
    h.header_size = sizeof h;
    h.n_sections = n;
    h.file_size = file_size;
    h.table_offset = sizeof h;
    h.table_crc = rec_crc32c(0, table, n * sizeof *table);
    h.header_crc = rec_crc32c(0, &h, offsetof(rec_file_header, header_crc));

    rec_atomic_file f;
    rc = rec_atomic_open(&f, path);
    if (rc != REC_OK) {
        rec_free(settings);
        rec_free(entries);
        return rc;
    }
    int bad = fwrite(&h, sizeof h, 1, f.fp) != 1 ||
              fwrite(table, sizeof *table, n, f.fp) != n;
    uint64_t at = sizeof h + (uint64_t)n * sizeof *table;
    for (uint32_t k = 0; k < n && !bad; k++) {
        bad = write_zeros(f.fp, table[k].offset - at) != 0 || write_section(f.fp, &sec[k]) != 0;
        at = table[k].offset + sec[k].size;
    }
    rec_free(settings);
    rec_free(entries);
    if (bad) {
        rc = rec_atomic_write_error(&f);
        rec_atomic_abort(&f);
        return rc;
    }
    return rec_atomic_commit(&f);
}
