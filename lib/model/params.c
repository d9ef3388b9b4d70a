#include "model/params.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/c_locale.h"
#include "core/error.h"
#include "core/parse.h"

static int in_range(const rec_param_def *d, double v)
{
    if (d->min_open ? !(v > d->min) : !(v >= d->min))
        return 0;
    if (d->max_open ? !(v < d->max) : !(v <= d->max))
        return 0;
    return 1;
}

static int bad_value(const rec_param_def *d, const char *text, const char *why)
{
    char shown[80];
    rec_excerpt(shown, 64, text, strlen(text));
    return rec_error(REC_EINVAL, "%s must be %s in %s; got '%s'%s", d->name,
                     d->type == REC_PARAM_INT ? "an integer" : "a number",
                     d->range_text, shown, why);
}

/* The index of `text` among the '|'-separated choices, or -1. */
static int choice_index(const char *choices, const char *text)
{
    size_t len = strlen(text);
    int idx = 0;
    for (const char *p = choices;; idx++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, text, n) == 0)
            return idx;
        if (!bar)
            return -1;
        p = bar + 1;
    }
}

/* "a,b,c": finite numbers within the definition's bounds. */
static int parse_list(const rec_param_def *d, const char *text, rec_param_value *v)
{
    if (strcmp(text, d->choices) == 0) {
        v->i = 0;
        return REC_OK;
    }
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        double x;
        if (v->i == REC_PARAM_LIST_MAX || rec_parse_double(p, len, &x) != REC_PARSE_OK ||
            !in_range(d, x)) {
            char shown[80];
            rec_excerpt(shown, 64, text, strlen(text));
            return rec_error(REC_EINVAL, "%s must be '%s' or up to %d comma-separated "
                             "numbers in %s; got '%s'", d->name, d->choices,
                             REC_PARAM_LIST_MAX, d->range_text, shown);
        }
        v->list[v->i++] = x;
        if (p[len] == '\0')
            return REC_OK;
        p += len + 1;
    }
}

int rec_param_parse(const rec_param_def *d, const char *text, rec_param_value *out)
{
    rec_param_value v;
    memset(&v, 0, sizeof v);
    size_t len = strlen(text);
    switch (d->type) {
    case REC_PARAM_INT: {
        int64_t i;
        rec_parse_result r = rec_parse_int64(text, len, &i);
        if (r != REC_PARSE_OK)
            return bad_value(d, text, "");
        if (!in_range(d, (double)i))
            return bad_value(d, text, " (out of range)");
        v.i = i;
        break;
    }
    case REC_PARAM_FLOAT: {
        double f;
        rec_parse_result r = rec_parse_double(text, len, &f);
        if (r != REC_PARSE_OK)
            return bad_value(d, text, "");
        if (!in_range(d, f))
            return bad_value(d, text, " (out of range)");
        v.f = f;
        break;
    }
    case REC_PARAM_BOOL:
        if (!strcasecmp(text, "1") || !strcasecmp(text, "true") ||
            !strcasecmp(text, "yes") || !strcasecmp(text, "on"))
            v.i = 1;
        else if (!strcasecmp(text, "0") || !strcasecmp(text, "false") ||
                 !strcasecmp(text, "no") || !strcasecmp(text, "off"))
            v.i = 0;
        else {
            char shown[80];
            rec_excerpt(shown, 64, text, len);
            return rec_error(REC_EINVAL, "%s must be true or false; got '%s'",
                             d->name, shown);
        }
        break;
    case REC_PARAM_CHOICE: {
        int idx = choice_index(d->choices, text);
        if (idx < 0) {
            char shown[80];
            rec_excerpt(shown, 64, text, len);
            return rec_error(REC_EINVAL, "%s must be one of %s; got '%s'",
                             d->name, d->choices, shown);
        }
        v.i = idx;
        break;
    }
    case REC_PARAM_FLOATS: {
        int rc = parse_list(d, text, &v);
        if (rc != REC_OK)
            return rc;
        break;
    }
    }
    *out = v;
    return REC_OK;
}

void rec_param_format(const rec_param_def *d, const rec_param_value *v,
                      char *buf, size_t size)
{
    rec_locale_scope loc;
    rec_locale_enter(&loc);
    switch (d->type) {
    case REC_PARAM_INT:
        snprintf(buf, size, "%" PRId64, v->i);
        break;
    case REC_PARAM_FLOAT: {
        /* The shortest of %.15g / %.17g that reads back exactly. */
        snprintf(buf, size, "%.15g", v->f);
        double back;
        if (rec_parse_double(buf, strlen(buf), &back) != REC_PARSE_OK || back != v->f)
            snprintf(buf, size, "%.17g", v->f);
        break;
    }
    case REC_PARAM_BOOL:
        snprintf(buf, size, "%s", v->i ? "true" : "false");
        break;
    case REC_PARAM_CHOICE: {
        const char *p = d->choices;
        for (int64_t k = 0; k < v->i && p; k++) {
            p = strchr(p, '|');
            if (p)
                p++;
        }
        size_t n = p ? strcspn(p, "|") : 0;
        snprintf(buf, size, "%.*s", (int)n, p ? p : "");
        break;
    }
    case REC_PARAM_FLOATS:
        if (v->i == 0) {
            snprintf(buf, size, "%s", d->choices);
            break;
        }
        buf[0] = '\0';
        for (int64_t k = 0; k < v->i; k++) {
            size_t used = strlen(buf);
            snprintf(buf + used, size - used, "%s%.9g", k ? "," : "", v->list[k]);
        }
        break;
    }
    rec_locale_leave(&loc);
}

int rec_param_index(const rec_param_def *defs, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(defs[k].name, name) == 0)
            return (int)k;
    return -1;
}

/* Levenshtein distance, capped: names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

const char *rec_param_suggest(const rec_param_def *defs, size_t n, const char *name)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t k = 0; k < n; k++) {
        size_t d = edit_distance(name, defs[k].name);
        if (d < best_d) {
            best_d = d;
            best = defs[k].name;
        }
    }
    /* A typo is at most a third of the name's length away (at least 1). */
    size_t limit = strlen(name) / 3 + 1;
    return best_d <= limit ? best : NULL;
}

int rec_param_unknown(const rec_param_def *defs, size_t n, const char *family,
                      const char *name)
{
    char shown[80];
    rec_excerpt(shown, 64, name, strlen(name));
    const char *s = rec_param_suggest(defs, n, name);
    if (s)
        return rec_error(REC_ENOTFOUND,
                         "unknown parameter '%s' for model '%s'; did you mean '%s'?",
                         shown, family, s);
    return rec_error(REC_ENOTFOUND, "unknown parameter '%s' for model '%s'", shown,
                     family);
}
