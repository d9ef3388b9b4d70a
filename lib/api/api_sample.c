/* Public entry points for negative sampling. */

#include "librec/librec.h"

#include "api/api_util.h"
#include "model/model.h"
#include "sample/sampler.h"

int rec_sampler_options_init(rec_sampler_options *opts)
{
    REC_CHECK_NULL("rec_sampler_options_init", opts);
    *opts = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    return REC_OK;
}

int rec_sampler_new(rec_sampler **out, const rec_dataset *train,
                    const rec_sampler_options *opts)
{
    static const char fn[] = "rec_sampler_new";
    static const rec_sampler_options defaults = REC_SAMPLER_OPTIONS_INIT;
    REC_CHECK_NULL(fn, out);
    *out = NULL;
    REC_CHECK_NULL(fn, train);
    if (!opts)
        opts = &defaults;
    int rc = rec_check_version(fn, "opts", opts->version, REC_SAMPLER_OPTIONS_VERSION);
    if (rc != REC_OK)
        return rc;
    if (opts->kind < REC_SAMPLER_UNIFORM || opts->kind > REC_SAMPLER_IN_BATCH)
        return rec_error(REC_EINVAL, "%s: opts->kind = %d is not a rec_sampler_kind", fn,
                         (int)opts->kind);
    if (!(opts->alpha >= 0.0 && opts->alpha <= REC_SAMPLER_ALPHA_MAX))
        return rec_error(REC_EINVAL, "%s: opts->alpha = %g is outside [0, %g]", fn,
                         opts->alpha, REC_SAMPLER_ALPHA_MAX);
    if (opts->candidates < 1 || opts->candidates > REC_SAMPLER_COUNT_MAX)
        return rec_error(REC_EINVAL, "%s: opts->candidates = %u is outside [1, %u]", fn,
                         opts->candidates, (unsigned)REC_SAMPLER_COUNT_MAX);
    if (opts->negatives < 1 || opts->negatives > REC_SAMPLER_COUNT_MAX)
        return rec_error(REC_EINVAL, "%s: opts->negatives = %u is outside [1, %u]", fn,
                         opts->negatives, (unsigned)REC_SAMPLER_COUNT_MAX);
    if (train->nnz == 0)
        return rec_error(REC_EINVAL, "%s: the dataset has no interactions to sample", fn);
    return rec_sampler_create(out, train, opts);
}

int rec_sampler_next(rec_sampler *sampler, const rec_model *model, size_t n, uint32_t *users,
                     uint32_t *pos, uint32_t *neg)
{
    static const char fn[] = "rec_sampler_next";
    REC_CHECK_NULL(fn, sampler);
    if (n > 0) {
        REC_CHECK_NULL(fn, users);
        REC_CHECK_NULL(fn, pos);
        REC_CHECK_NULL(fn, neg);
    }
    if (n > SIZE_MAX / sampler->opts.negatives)
        return rec_error(REC_EINVAL, "%s: n = %zu negatives overflow", fn, n);
    const rec_serving *scorer = NULL;
    if (sampler->opts.kind == REC_SAMPLER_DNS) {
        if (!model)
            return rec_error(REC_EINVAL, "%s: a DNS sampler needs the model that scores "
                             "its candidates", fn);
        if (!rec_dataset_same_space(model->train, sampler->train))
            return rec_error(REC_EINVAL, "%s: the model is not in the sampler's id space",
                             fn);
        scorer = &model->serving;
    }
    rec_sampler_draw(sampler, scorer, n, users, pos, neg);
    return REC_OK;
}

void rec_sampler_free(rec_sampler *sampler)
{
    rec_sampler_destroy(sampler);
}
