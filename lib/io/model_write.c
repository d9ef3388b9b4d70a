#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/error.h"
#include "core/file.h"
#include "io/format.h"
#include "io/model_file.h"

typedef struct out_section {
    uint32_t kind;
    const void *data;
    uint64_t size;
} out_section;

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
    static const char zeros[REC_FILE_ALIGN];
    while (n > 0) {
        size_t chunk = n < sizeof zeros ? (size_t)n : sizeof zeros;
        if (fwrite(zeros, 1, chunk, fp) != chunk)
            return -1;
        n -= chunk;
    }
    return 0;
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
    meta.epochs = m->epochs;
    meta.final_loss = m->final_loss;

    size_t settings_size;
    void *settings = settings_blob(m, &settings_size);
    if (!settings)
        return rec_error_nomem();

    size_t user_ids_size, item_ids_size;
    const char *user_ids = rec_idmap_blob(m->train->users, &user_ids_size);
    const char *item_ids = rec_idmap_blob(m->train->items, &item_ids_size);
    out_section sec[REC_FILE_MAX_SECTIONS];
    uint32_t n = 0;
    sec[n++] = (out_section){ REC_SEC_META, &meta, sizeof meta };
    sec[n++] = (out_section){ REC_SEC_SETTINGS, settings, settings_size };
    sec[n++] = (out_section){ REC_SEC_USER_IDS, user_ids, user_ids_size };
    sec[n++] = (out_section){ REC_SEC_ITEM_IDS, item_ids, item_ids_size };
    sec[n++] = (out_section){ REC_SEC_USER_MATRIX, s->U,
                              (uint64_t)s->n_users * s->ld * sizeof(float) };
    sec[n++] = (out_section){ REC_SEC_ITEM_MATRIX, s->V,
                              (uint64_t)s->n_items * s->ld * sizeof(float) };
    if (s->item_bias)
        sec[n++] = (out_section){ REC_SEC_ITEM_BIAS, s->item_bias,
                                  (uint64_t)s->n_items * sizeof(float) };
    if (with_train) {
        sec[n++] = (out_section){ REC_SEC_TRAIN_PTR, m->train->user_ptr,
                                  ((uint64_t)s->n_users + 1) * sizeof(uint64_t) };
        sec[n++] = (out_section){ REC_SEC_TRAIN_ITEMS, m->train->user_items,
                                  (uint64_t)m->train->nnz * sizeof(uint32_t) };
    }
    _Static_assert(sizeof(size_t) == sizeof(uint64_t), "user_ptr is stored as uint64");

    /* Lay the sections out after the table, each on a 64-byte boundary. */
    rec_file_section table[REC_FILE_MAX_SECTIONS];
    memset(table, 0, sizeof table);
    uint64_t pos = align_up(sizeof(rec_file_header) + (uint64_t)n * sizeof(rec_file_section));
    for (uint32_t k = 0; k < n; k++) {
        table[k].kind = sec[k].kind;
        table[k].flags = REC_SECTION_REQUIRED;
        table[k].offset = pos;
        table[k].size = sec[k].size;
        table[k].crc = rec_crc32c(0, sec[k].data, (size_t)sec[k].size);
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
    int rc = rec_atomic_open(&f, path);
    if (rc != REC_OK) {
        rec_free(settings);
        return rc;
    }
    int bad = fwrite(&h, sizeof h, 1, f.fp) != 1 ||
              fwrite(table, sizeof *table, n, f.fp) != n;
    uint64_t at = sizeof h + (uint64_t)n * sizeof *table;
    for (uint32_t k = 0; k < n && !bad; k++) {
        bad = write_zeros(f.fp, table[k].offset - at) != 0 ||
              (sec[k].size && fwrite(sec[k].data, (size_t)sec[k].size, 1, f.fp) != 1);
        at = table[k].offset + sec[k].size;
    }
    rec_free(settings);
    if (bad) {
        rc = rec_atomic_write_error(&f);
        rec_atomic_abort(&f);
        return rc;
    }
    return rec_atomic_commit(&f);
}
