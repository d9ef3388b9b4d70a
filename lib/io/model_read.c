#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/error.h"
#include "io/format.h"
#include "core/layout.h"
#include "io/model_file.h"

typedef struct reader {
    const char *path;
    FILE *fp;
    uint64_t size;                 /* actual file size */
    /* When loading mapped: the whole file, read-only. Sections are read
     * from it, and the matrices stay in it (the serving form adopts it). */
    const unsigned char *map;
    rec_file_header h;
    rec_file_section table[REC_FILE_MAX_SECTIONS];
    const rec_file_section *by_kind[REC_SEC_LAST + 1];
    rec_file_meta meta;
} reader;

static const char *section_name(uint32_t kind)
{
    switch (kind) {
    case REC_SEC_META:        return "meta";
    case REC_SEC_SETTINGS:    return "settings";
    case REC_SEC_USER_IDS:    return "user ids";
    case REC_SEC_ITEM_IDS:    return "item ids";
    case REC_SEC_USER_MATRIX: return "user matrix";
    case REC_SEC_ITEM_MATRIX: return "item matrix";
    case REC_SEC_ITEM_BIAS:   return "item bias";
    case REC_SEC_TRAIN_PTR:   return "training row offsets";
    case REC_SEC_TRAIN_ITEMS: return "training items";
    case REC_SEC_SUMMARY:     return "training summary";
    case REC_SEC_TENSORS:     return "tensors";
    default:                  return "unknown";
    }
}

#define CORRUPT(r, ...) rec_error_context(rec_error(REC_ECORRUPT, __VA_ARGS__), \
                                          "%s: ", (r)->path)

static int read_at(reader *r, uint64_t offset, void *buf, uint64_t n)
{
    if (n == 0)
        return REC_OK;
    if (r->map) {
        /* check_header and check_table keep every section inside the file
         * before anything reads one; the header and table reads come first
         * and are checked against the size here. */
        if (offset > r->size || n > r->size - offset)
            return rec_error(REC_EIO, "%s: read error at byte %llu: unexpected end",
                             r->path, (unsigned long long)offset);
        memcpy(buf, r->map + offset, (size_t)n);
        return REC_OK;
    }
    if (fseeko(r->fp, (off_t)offset, SEEK_SET) != 0 || fread(buf, (size_t)n, 1, r->fp) != 1)
        return rec_error(REC_EIO, "%s: read error at byte %llu: %s", r->path,
                         (unsigned long long)offset, ferror(r->fp) ? strerror(errno)
                                                                   : "unexpected end");
    return REC_OK;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (p[k])
            return 0;
    return 1;
}

static int check_header(reader *r)
{
    rec_file_header *h = &r->h;
    if (r->size < 8)
        return CORRUPT(r, "not a librec model file (%llu bytes)", (unsigned long long)r->size);
    int rc = read_at(r, 0, h, r->size < sizeof *h ? r->size : sizeof *h);
    if (rc != REC_OK)
        return rc;
    if (memcmp(h->magic, REC_FILE_MAGIC, sizeof h->magic) != 0)
        return CORRUPT(r, "not a librec model file (bad magic number)");
    if (r->size < sizeof *h)
        return CORRUPT(r, "truncated: %llu bytes, shorter than the header",
                       (unsigned long long)r->size);
    /* The version comes before the checksum: a later version may lay the
     * header out differently. */
    if (h->version > REC_FILE_VERSION)
        return rec_error(REC_EVERSION, "%s: format version %u; this library reads "
                         "version %u (a newer librec wrote it)", r->path,
                         (unsigned)h->version, REC_FILE_VERSION);
    if (h->version == 0)
        return CORRUPT(r, "format version 0 is invalid");
    if (h->byte_order != REC_FILE_BOM) {
        if (h->byte_order == __builtin_bswap32(REC_FILE_BOM))
            return rec_error(REC_EUNSUPPORTED, "%s: written on a machine of the other "
                             "byte order", r->path);
        return CORRUPT(r, "bad byte-order mark");
    }
    if (rec_crc32c(0, h, offsetof(rec_file_header, header_crc)) != h->header_crc)
        return CORRUPT(r, "header checksum mismatch");
    if (h->header_size != sizeof *h || h->table_offset != sizeof *h || h->flags != 0 ||
        !all_zero(h->reserved, sizeof h->reserved))
        return CORRUPT(r, "invalid header fields");
    if (h->file_size != r->size)
        return CORRUPT(r, "%s: the header records %llu bytes, the file has %llu",
                       h->file_size > r->size ? "truncated" : "trailing data",
                       (unsigned long long)h->file_size, (unsigned long long)r->size);
    if (h->n_sections == 0 || h->n_sections > REC_FILE_MAX_SECTIONS)
        return CORRUPT(r, "invalid section count %u", (unsigned)h->n_sections);
    return REC_OK;
}

static int check_table(reader *r)
{
    uint32_t n = r->h.n_sections;
    uint64_t table_end = sizeof r->h + (uint64_t)n * sizeof(rec_file_section);
    if (table_end > r->size)
        return CORRUPT(r, "truncated section table");
    int rc = read_at(r, sizeof r->h, r->table, n * sizeof(rec_file_section));
    if (rc != REC_OK)
        return rc;
    if (rec_crc32c(0, r->table, n * sizeof(rec_file_section)) != r->h.table_crc)
        return CORRUPT(r, "section table checksum mismatch");

    uint64_t prev_end = table_end;
    for (uint32_t k = 0; k < n; k++) {
        const rec_file_section *s = &r->table[k];
        /* Sections are stored in table order, aligned and without overlap. */
        if (s->offset % REC_FILE_ALIGN || s->offset < prev_end ||
            s->size > r->size || s->offset > r->size - s->size || s->reserved ||
            (s->flags & ~REC_SECTION_REQUIRED))
            return CORRUPT(r, "section %u (%s) has an invalid position or size", k,
                           section_name(s->kind));
        prev_end = s->offset + s->size;
        if (s->kind >= REC_SEC_META && s->kind <= REC_SEC_LAST) {
            if (r->by_kind[s->kind])
                return CORRUPT(r, "section %s appears twice", section_name(s->kind));
            r->by_kind[s->kind] = s;
        } else if (s->flags & REC_SECTION_REQUIRED) {
            return rec_error(REC_EVERSION, "%s: required section of kind %u is unknown to "
                             "this library (a newer librec wrote it)", r->path,
                             (unsigned)s->kind);
        }
    }
    if (prev_end != r->size)
        return CORRUPT(r, "trailing data after the last section");
    return REC_OK;
}

/* Reads the gaps between sections and checks they are zero, so that every
 * byte of the file is covered. */
static int check_gaps(reader *r)
{
    unsigned char buf[REC_FILE_ALIGN];
    uint64_t at = sizeof r->h + (uint64_t)r->h.n_sections * sizeof(rec_file_section);
    for (uint32_t k = 0; k < r->h.n_sections; k++) {
        uint64_t gap = r->table[k].offset - at;
        if (gap >= REC_FILE_ALIGN)
            return CORRUPT(r, "oversized gap before section %u", k);
        int rc = read_at(r, at, buf, gap);
        if (rc != REC_OK)
            return rc;
        if (!all_zero(buf, (size_t)gap))
            return CORRUPT(r, "non-zero padding before section %u", k);
        at = r->table[k].offset + r->table[k].size;
    }
    return REC_OK;
}

/* Reads a section into buf (of exactly its size) and checks its CRC. */
static int read_section(reader *r, const rec_file_section *s, void *buf)
{
    int rc = read_at(r, s->offset, buf, s->size);
    if (rc != REC_OK)
        return rc;
    if (rec_crc32c(0, buf, (size_t)s->size) != s->crc)
        return CORRUPT(r, "%s section checksum mismatch", section_name(s->kind));
    return REC_OK;
}

static int expect_size(reader *r, uint32_t kind, uint64_t count, uint64_t elem)
{
    const rec_file_section *s = r->by_kind[kind];
    if (!s)
        return CORRUPT(r, "the %s section is missing", section_name(kind));
    if (count > UINT64_MAX / elem || s->size != count * elem)
        return CORRUPT(r, "the %s section has %llu bytes; %llu x %llu expected",
                       section_name(kind), (unsigned long long)s->size,
                       (unsigned long long)count, (unsigned long long)elem);
    return REC_OK;
}

static int check_meta(reader *r, const rec_family **family)
{
    const rec_file_section *s = r->by_kind[REC_SEC_META];
    if (!s || s->size != sizeof r->meta)
        return CORRUPT(r, "the meta section is missing or has the wrong size");
    int rc = read_section(r, s, &r->meta);
    if (rc != REC_OK)
        return rc;
    rec_file_meta *m = &r->meta;
    if (!memchr(m->family, '\0', sizeof m->family))
        return CORRUPT(r, "model family name is not terminated");
    size_t nlen = strlen(m->family);
    if (!all_zero((const unsigned char *)m->family + nlen, sizeof m->family - nlen))
        return CORRUPT(r, "model family name is not zero-padded");
    *family = rec_family_find(m->family);
    if (!*family)
        return rec_error(REC_EUNSUPPORTED, "%s: model family '%s' is not known to this "
                         "librec", r->path, m->family);
    if (m->dim == 0 || m->dim > REC_DIM_MAX || m->ld != rec_ld_for((size_t)m->dim))
        return CORRUPT(r, "invalid dimension %llu (stride %llu)",
                       (unsigned long long)m->dim, (unsigned long long)m->ld);
    if (m->n_users > REC_IDMAP_MAX || m->n_items > REC_IDMAP_MAX)
        return CORRUPT(r, "invalid counts: %llu users, %llu items",
                       (unsigned long long)m->n_users, (unsigned long long)m->n_items);
    if (m->scoring > REC_SCORING_NEG_SQDIST)
        return CORRUPT(r, "invalid scoring function %u", (unsigned)m->scoring);
    if (m->has_item_bias > 1 || m->has_interactions > 1)
        return CORRUPT(r, "invalid flags: has_item_bias %u, has_interactions %u",
                       (unsigned)m->has_item_bias, (unsigned)m->has_interactions);
    if (!m->has_interactions && m->nnz)
        return CORRUPT(r, "%llu training interactions in a file saved without them",
                       (unsigned long long)m->nnz);

    /* Every section's size follows from the meta: check them all before
     * allocating anything. */
    if ((rc = expect_size(r, REC_SEC_USER_MATRIX, m->n_users * m->ld, sizeof(float))) ||
        (rc = expect_size(r, REC_SEC_ITEM_MATRIX, m->n_items * m->ld, sizeof(float))))
        return rc;
    static const uint32_t required[] = { REC_SEC_SETTINGS, REC_SEC_USER_IDS,
                                         REC_SEC_ITEM_IDS };
    for (size_t k = 0; k < sizeof required / sizeof *required; k++)
        if (!r->by_kind[required[k]])
            return CORRUPT(r, "the %s section is missing", section_name(required[k]));
    if (m->has_item_bias) {
        if ((rc = expect_size(r, REC_SEC_ITEM_BIAS, m->n_items, sizeof(float))))
            return rc;
    } else if (r->by_kind[REC_SEC_ITEM_BIAS]) {
        return CORRUPT(r, "unexpected item bias section");
    }
    if (m->has_interactions) {
        if ((rc = expect_size(r, REC_SEC_TRAIN_PTR, m->n_users + 1, sizeof(uint64_t))) ||
            (rc = expect_size(r, REC_SEC_TRAIN_ITEMS, m->nnz, sizeof(uint32_t))))
            return rc;
    } else if (r->by_kind[REC_SEC_TRAIN_PTR] || r->by_kind[REC_SEC_TRAIN_ITEMS]) {
        return CORRUPT(r, "unexpected training interaction sections");
    }
    return REC_OK;
}

/* Reads a matrix section into an aligned buffer, or when mapped takes it
 * where it lies (sections start at multiples of 64 bytes: the rows keep
 * their alignment); values must be finite and the padding columns zero. */
static int read_matrix(reader *r, uint32_t kind, size_t rows, float **out)
{
    size_t ld = (size_t)r->meta.ld, dim = (size_t)r->meta.dim;
    const rec_file_section *s = r->by_kind[kind];
    float *a = NULL;
    int rc = REC_OK;
    if (r->map) {
        a = (float *)(uintptr_t)(r->map + s->offset);
        if (rec_crc32c(0, a, (size_t)s->size) != s->crc)
            rc = CORRUPT(r, "%s section checksum mismatch", section_name(kind));
    } else {
        a = rec_aligned_alloc(rows * ld, sizeof(float));
        if (!a)
            return rec_error_nomem();
        rc = read_section(r, s, a);
    }
    for (size_t i = 0; rc == REC_OK && i < rows; i++) {
        const float *row = a + i * ld;
        for (size_t c = 0; c < ld; c++) {
            if (c < dim ? !isfinite(row[c]) : row[c] != 0.0f) {
                rc = CORRUPT(r, "%s row %zu column %zu holds an invalid value",
                             section_name(kind), i, c);
                break;
            }
        }
    }
    if (rc != REC_OK) {
        if (!r->map)
            rec_free(a);
        return rc;
    }
    *out = a;
    return REC_OK;
}

static int read_idmap(reader *r, uint32_t kind, uint64_t n, rec_idmap **out)
{
    const rec_file_section *s = r->by_kind[kind];
    char *blob = rec_malloc((size_t)s->size);
    if (!blob)
        return rec_error_nomem();
    int rc = read_section(r, s, blob);
    if (rc == REC_OK) {
        rc = rec_idmap_from_blob(out, blob, (size_t)s->size, (size_t)n);
        if (rc != REC_OK)
            rec_error_context(rc, "%s: %s: ", r->path, section_name(kind));
    }
    rec_free(blob);
    return rc;
}

static int read_settings(reader *r, rec_setting **out, size_t *n_out)
{
    const rec_file_section *s = r->by_kind[REC_SEC_SETTINGS];
    *out = NULL;
    *n_out = 0;
    if (s->size < sizeof(uint32_t))
        return CORRUPT(r, "settings section too short");
    char *blob = rec_malloc((size_t)s->size);
    if (!blob)
        return rec_error_nomem();
    int rc = read_section(r, s, blob);
    uint32_t count = 0;
    if (rc == REC_OK) {
        memcpy(&count, blob, sizeof count);
        /* Each setting takes at least 3 bytes ("x\0\0"). */
        if (count > (s->size - sizeof count) / 3)
            rc = CORRUPT(r, "settings count %u is too large", (unsigned)count);
    }
    rec_setting *set = NULL;
    if (rc == REC_OK && count && !(set = rec_calloc(count, sizeof *set)))
        rc = rec_error_nomem();
    const char *p = blob + sizeof count, *end = blob + s->size;
    for (uint32_t k = 0; rc == REC_OK && k < count; k++) {
        const char *nul1 = memchr(p, '\0', (size_t)(end - p));
        const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1)) : NULL;
        if (!nul2 || nul1 == p) {
            rc = CORRUPT(r, "setting %u is malformed", (unsigned)k);
            break;
        }
        set[k].name = rec_strdup(p);
        set[k].value = rec_strdup(nul1 + 1);
        if (!set[k].name || !set[k].value)
            rc = rec_error_nomem();
        p = nul2 + 1;
    }
    if (rc == REC_OK && p != end)
        rc = CORRUPT(r, "trailing bytes in the settings section");
    rec_free(blob);
    if (rc != REC_OK) {
        rec_settings_free(set, count);
        return rc;
    }
    *out = set;
    *n_out = count;
    return REC_OK;
}

/* The training interactions (or an empty row structure) in the id space. */
static int read_train(reader *r, rec_idmap *users, rec_idmap *items, rec_dataset **out)
{
    size_t n_users = (size_t)r->meta.n_users, nnz = (size_t)r->meta.nnz;
    size_t *ptr = rec_calloc(n_users + 1, sizeof *ptr);
    uint32_t *col = rec_malloc_array(nnz ? nnz : 1, sizeof *col);
    int rc = (!ptr || !col) ? rec_error_nomem() : REC_OK;
    if (rc == REC_OK && r->meta.has_interactions) {
        rc = read_section(r, r->by_kind[REC_SEC_TRAIN_PTR], ptr);
        if (rc == REC_OK)
            rc = read_section(r, r->by_kind[REC_SEC_TRAIN_ITEMS], col);
    }
    if (rc != REC_OK) {
        rec_free(ptr);
        rec_free(col);
        rec_idmap_release(users);
        rec_idmap_release(items);
        return rc;
    }
    /* from_csr validates offsets, order and range, and owns the arrays. */
    rc = rec_dataset_from_csr(out, users, items, ptr, col, NULL, NULL);
    rec_idmap_release(users);
    rec_idmap_release(items);
    if (rc == REC_EINVAL)
        rc = rec_error_context(REC_ECORRUPT, "%s: training interactions: ", r->path);
    return rc;
}

/* The training summary; without the section (files of models trained
 * without validation may still have it) the saved state is the last epoch's. */
static int read_summary(reader *r, rec_train_summary *sum)
{
    sum->epochs = r->meta.epochs;
    sum->final_loss = r->meta.final_loss;
    sum->best_epoch = r->meta.epochs;
    sum->eval_k = 0;
    sum->valid_recall = NAN;
    sum->valid_ndcg = NAN;
    const rec_file_section *s = r->by_kind[REC_SEC_SUMMARY];
    if (!s)
        return REC_OK;
    rec_file_summary fs;
    if (s->size != sizeof fs)
        return CORRUPT(r, "the training summary section has %llu bytes",
                       (unsigned long long)s->size);
    int rc = read_section(r, s, &fs);
    if (rc != REC_OK)
        return rc;
    if (fs.best_epoch > r->meta.epochs || !all_zero(fs.reserved, sizeof fs.reserved) ||
        (fs.eval_k == 0) != isnan(fs.valid_recall))
        return CORRUPT(r, "invalid training summary");
    sum->best_epoch = fs.best_epoch;
    sum->eval_k = fs.eval_k;
    sum->valid_recall = fs.valid_recall;
    sum->valid_ndcg = fs.valid_ndcg;
    return REC_OK;
}

/* Checks one tensor entry against the section and returns its byte size. */
static int check_tensor(reader *r, const rec_file_tensor *t, size_t k, uint64_t section,
                        uint64_t *prev_end, uint64_t *bytes)
{
    if (!memchr(t->name, '\0', sizeof t->name) || t->name[0] == '\0')
        return CORRUPT(r, "tensor %zu has an invalid name", k);
    size_t len = strlen(t->name);
    if (!all_zero((const unsigned char *)t->name + len, sizeof t->name - len))
        return CORRUPT(r, "tensor %zu has an invalid name", k);
    if (t->cols == 0 || t->cols > REC_DIM_MAX || t->rows > REC_IDMAP_MAX)
        return CORRUPT(r, "tensor '%s' has an invalid shape", t->name);
    uint64_t size = t->rows * rec_ld_for((size_t)t->cols) * sizeof(float);
    if (t->offset % REC_FILE_ALIGN || t->offset < *prev_end || size > section ||
        t->offset > section - size)
        return CORRUPT(r, "tensor '%s' has an invalid position", t->name);
    *prev_end = t->offset + size;
    *bytes = size;
    return REC_OK;
}

/* The family tensors: the whole section is read (its CRC checked) and each
 * tensor copied into an aligned buffer of its own. */
static int read_tensors(reader *r, rec_tensors *ts)
{
    memset(ts, 0, sizeof *ts);
    const rec_file_section *s = r->by_kind[REC_SEC_TENSORS];
    if (!s)
        return REC_OK;
    if (s->size < 8)
        return CORRUPT(r, "the tensors section is too short");
    unsigned char *blob = rec_aligned_alloc((size_t)s->size, 1);
    if (!blob)
        return rec_error_nomem();
    int rc = read_section(r, s, blob);
    uint32_t count = 0, zero = 0;
    if (rc == REC_OK) {
        memcpy(&count, blob, 4);
        memcpy(&zero, blob + 4, 4);
        if (zero || count == 0 || count > 64 || 8 + (uint64_t)count * sizeof(rec_file_tensor) > s->size)
            rc = CORRUPT(r, "invalid tensor count");
    }
    uint64_t prev_end = 8 + (uint64_t)count * sizeof(rec_file_tensor);
    for (uint32_t k = 0; rc == REC_OK && k < count; k++) {
        rec_file_tensor t;
        memcpy(&t, blob + 8 + k * sizeof t, sizeof t);
        uint64_t bytes = 0;
        if ((rc = check_tensor(r, &t, k, s->size, &prev_end, &bytes)) != REC_OK)
            break;
        float *data;
        if ((rc = rec_tensors_add(ts, t.name, (size_t)t.rows, (size_t)t.cols, &data)) != REC_OK) {
            if (rc == REC_EINVAL)
                rc = CORRUPT(r, "tensor '%s' appears twice", t.name);
            break;
        }
        memcpy(data, blob + t.offset, (size_t)bytes);
        size_t ld = rec_ld_for((size_t)t.cols);
        for (size_t e = 0; e < t.rows * ld && rc == REC_OK; e++)
            if (e % ld < t.cols ? !isfinite(data[e]) : data[e] != 0.0f)
                rc = CORRUPT(r, "tensor '%s' holds an invalid value", t.name);
    }
    rec_free(blob);
    if (rc != REC_OK)
        rec_tensors_free(ts);
    return rc;
}

static int load(reader *r, rec_model **out)
{
    const rec_family *family = NULL;
    int rc;
    if ((rc = check_header(r)) || (rc = check_table(r)) || (rc = check_gaps(r)) ||
        (rc = check_meta(r, &family)))
        return rc;

    rec_serving s;
    memset(&s, 0, sizeof s);
    s.n_users = (size_t)r->meta.n_users;
    s.n_items = (size_t)r->meta.n_items;
    s.dim = (size_t)r->meta.dim;
    s.ld = (size_t)r->meta.ld;
    s.scoring = (rec_scoring)r->meta.scoring;
    rec_idmap *users = NULL, *items = NULL;
    rec_dataset *train = NULL;
    rec_setting *settings = NULL;
    size_t n_settings = 0;

    if ((rc = read_matrix(r, REC_SEC_USER_MATRIX, s.n_users, &s.U)) ||
        (rc = read_matrix(r, REC_SEC_ITEM_MATRIX, s.n_items, &s.V)))
        goto fail;
    if (r->map) {
        /* From here the serving form owns the mapping, as it owns the
         * matrices it allocates. */
        s.mapping = (void *)(uintptr_t)r->map;
        s.mapping_size = (size_t)r->size;
        r->map = NULL;
    }
    if (r->meta.has_item_bias) {
        s.item_bias = rec_malloc_array(s.n_items ? s.n_items : 1, sizeof(float));
        if (!s.item_bias) {
            rc = rec_error_nomem();
            goto fail;
        }
        if ((rc = read_section(r, r->by_kind[REC_SEC_ITEM_BIAS], s.item_bias)))
            goto fail;
        for (size_t i = 0; i < s.n_items; i++)
            if (!isfinite(s.item_bias[i])) {
                rc = CORRUPT(r, "item bias %zu is not finite", i);
                goto fail;
            }
    }
    if ((rc = rec_serving_finish(&s)) ||
        (rc = read_idmap(r, REC_SEC_USER_IDS, r->meta.n_users, &users)))
        goto fail;
    if ((rc = read_idmap(r, REC_SEC_ITEM_IDS, r->meta.n_items, &items))) {
        rec_idmap_release(users);
        goto fail;
    }
    rec_train_summary summary;
    rec_tensors tensors;
    memset(&tensors, 0, sizeof tensors);
    if ((rc = read_train(r, users, items, &train)) ||
        (rc = read_settings(r, &settings, &n_settings)))
        goto fail;
    if ((rc = read_summary(r, &summary)) || (rc = read_tensors(r, &tensors))) {
        rec_settings_free(settings, n_settings);
        goto fail;
    }
    return rec_model_assemble(out, family, &s, &tensors, train,
                              (int)r->meta.has_interactions, settings, n_settings, &summary);
fail:
    if (!s.mapping && r->map) {
        /* Matrices that point into the mapping are not the form's to free. */
        s.U = s.V = NULL;
    }
    rec_serving_free(&s);
    rec_dataset_release(train);
    return rc;
}

int rec_model_file_read(rec_model **out, const char *path, int mapped)
{
    *out = NULL;
    reader r;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.fp = fopen(path, "rb");
    if (!r.fp)
        return rec_error(REC_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(r.fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(r.fp);
        return rec_error(REC_EIO, "'%s' is not a regular file", path);
    }
    r.size = (uint64_t)st.st_size;
    void *map = NULL;
    if (mapped && r.size > 0) {
        if (r.size > SIZE_MAX) {
            fclose(r.fp);
            return rec_error(REC_ELIMIT, "'%s' is too large to map", path);
        }
        map = mmap(NULL, (size_t)r.size, PROT_READ, MAP_SHARED, fileno(r.fp), 0);
        if (map == MAP_FAILED) {
            int e = errno;
            fclose(r.fp);
            return rec_error(e == ENOMEM ? REC_ENOMEM : REC_EIO, "cannot map '%s': %s", path,
                             strerror(e));
        }
        r.map = map;
    }
    int rc = load(&r, out);
    /* On success the serving form took the mapping (r.map is NULL). */
    if (r.map)
        munmap(map, (size_t)r.size);
    fclose(r.fp);
    return rc;
}
