/* Minimal JSON output: strings with escapes, numbers (null when not
 * finite) and external ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':  fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f); /* ids are valid UTF-8 (the loaders check) */
        }
    }
    fputc('"', f);
}

/* The shortest of 15 and 17 significant digits that reads back as v, so a
 * reader gets the exact value without noise digits where they are not
 * needed. */
void json_number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

/* A canonical decimal integer: optional '-', no leading zeros, below 2^53
 * in magnitude (so a JSON reader holds it exactly). */
static int canonical_integer(const char *s)
{
    const char *p = s + (*s == '-');
    size_t n = strlen(p);
    if (n == 0 || n > 15 || (p[0] == '0' && n > 1) || (*s == '-' && p[0] == '0'))
        return 0;
    for (size_t k = 0; k < n; k++)
        if (p[k] < '0' || p[k] > '9')
            return 0;
    return 1;
}

int ids_are_numeric(const rec_dataset *ds, int items)
{
    size_t n = items ? rec_dataset_n_items(ds) : rec_dataset_n_users(ds);
    for (size_t k = 0; k < n; k++) {
        const char *id;
        int rc = items ? rec_dataset_item_id(ds, (uint32_t)k, &id)
                       : rec_dataset_user_id(ds, (uint32_t)k, &id);
        if (rc != REC_OK || !canonical_integer(id))
            return 0;
    }
    return 1;
}

void json_id(FILE *f, const char *id, int numeric_ids)
{
    if (numeric_ids)
        fputs(id, f);
    else
        json_string(f, id);
}

void json_model_settings(FILE *f, const rec_model *m)
{
    rec_model_info info = REC_MODEL_INFO_INIT;
    rec_model_info_get(m, &info);
    fputs("\"settings\": {", f);
    rec_param_info pi = REC_PARAM_INFO_INIT;
    int first = 1;
    for (size_t k = 0; rec_family_param(info.family, k, &pi) == REC_OK; k++) {
        char buf[128];
        if (rec_model_setting(m, pi.name, buf, sizeof buf) != REC_OK)
            continue;
        fputs(first ? "" : ", ", f);
        json_string(f, pi.name);
        fputs(": ", f);
        json_string(f, buf);
        first = 0;
    }
    fputc('}', f);
}
