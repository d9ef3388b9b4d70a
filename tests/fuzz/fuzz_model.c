/* Fuzz target: rec_model_load and rec_model_load_mapped on arbitrary bytes.
 * A model that loads is also used: info, a score and a recommendation. */
#include "fuzz_common.h"

#include <librec/librec.h>

static void use(const rec_model *m)
{
    rec_model_info info = REC_MODEL_INFO_INIT;
    if (rec_model_info_get(m, &info) != 0)
        abort();
    size_t ni = rec_model_n_items(m);
    if (rec_model_n_users(m) == 0 || ni == 0)
        return;
    uint32_t items[4];
    float scores[4];
    size_t n = 0;
    uint32_t one = 0;
    float s;
    (void)rec_model_score(m, 0, &one, 1, &s);
    (void)rec_model_recommend(m, 0, 4, NULL, items, scores, &n);
    (void)rec_model_similar_items(m, 0, 4, REC_SIMILARITY_COSINE, items, scores, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    rec_model *a = NULL, *b = NULL;
    int ra = rec_model_load(&a, path);
    int rb = rec_model_load_mapped(&b, path);
    /* Both readers validate the same way. */
    if ((ra == 0) != (rb == 0))
        abort();
    if (a)
        use(a);
    if (b)
        use(b);
    rec_model_free(a);
    rec_model_free(b);
    close(fd);
    return 0;
}
