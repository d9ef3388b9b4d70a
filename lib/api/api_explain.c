/* Public entry points that explain a model's recommendations. */
#include "api/api_util.h"
#include "model/kgat.h"
#include "model/model.h"

int rec_model_kg_neighbors(const rec_model *m, uint32_t item, rec_kg_neighbor *out,
                           size_t k, size_t *n_out)
{
    static const char fn[] = "rec_model_kg_neighbors";
    REC_CHECK_NULL(fn, n_out);
    *n_out = 0;
    REC_CHECK_NULL(fn, m);
    if (k > 0 && !out)
        return rec_error(REC_EINVAL, "%s: out is NULL with k = %zu", fn, k);
    if (item >= m->serving.n_items)
        return rec_error(REC_EINVAL, "%s: item %u is out of range (the model has %zu items)",
                         fn, (unsigned)item, m->serving.n_items);
    if (m->family != &rec_family_kgat)
        return rec_error(REC_EUNSUPPORTED, "%s: model family '%s' has no knowledge-graph "
                         "attention", fn, m->family->name);
    return rec_kgat_neighbors(m, item, out, k, n_out);
}
