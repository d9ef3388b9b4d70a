/* Public entry points for model files. */
#include "librec/librec.h"

#include <string.h>

#include "api/api_util.h"
#include "core/error.h"
#include "io/model_file.h"

int rec_save_options_init(rec_save_options *opts)
{
    REC_CHECK_NULL("rec_save_options_init", opts);
    *opts = (rec_save_options)REC_SAVE_OPTIONS_INIT;
    return REC_OK;
}

int rec_model_save(const rec_model *model, const char *path, const rec_save_options *opts)
{
    static const char fn[] = "rec_model_save";
    static const rec_save_options defaults = REC_SAVE_OPTIONS_INIT;
    REC_CHECK_NULL(fn, model);
    REC_CHECK_NULL(fn, path);
    if (!opts)
        opts = &defaults;
    int rc = rec_check_version(fn, "opts", opts->version, REC_SAVE_OPTIONS_VERSION);
    if (rc != REC_OK)
        return rc;
    return rec_model_file_write(model, path, opts->keep_interactions != 0);
}

/* Messages name the file, except the shared out-of-memory one: add it. */
static int with_path(int rc, const char *path)
{
    if (rc == REC_ENOMEM && !strstr(rec_last_error(), path))
        return rec_error_context(rc, "%s: ", path);
    return rc;
}

int rec_model_load(rec_model **out, const char *path)
{
    static const char fn[] = "rec_model_load";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, path);
    int rc = rec_model_file_read(out, path, 0);
    return with_path(rc, path);
}

int rec_model_load_mapped(rec_model **out, const char *path)
{
    static const char fn[] = "rec_model_load_mapped";
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, path);
    int rc = rec_model_file_read(out, path, 1);
    return with_path(rc, path);
}
