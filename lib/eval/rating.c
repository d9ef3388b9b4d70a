/* Rating prediction errors: the model's score against the test rating. */
#include <math.h>

#include "eval/eval.h"

void rec_rating_errors(const rec_serving *s, const rec_dataset *test, double *rmse,
                       double *mae)
{
    double sq = 0.0, abs_sum = 0.0;
    size_t n = 0;
    for (size_t u = 0; u < rec_ds_n_users(test); u++) {
        const float *vec = rec_serving_user(s, (uint32_t)u);
        for (size_t p = test->user_ptr[u]; p < test->user_ptr[u + 1]; p++) {
            double e = (double)rec_serving_score(s, vec, test->user_items[p]) -
                       (double)test->ratings[p];
            sq += e * e;
            abs_sum += fabs(e);
            n++;
        }
    }
    *rmse = n ? sqrt(sq / (double)n) : NAN;
    *mae = n ? abs_sum / (double)n : NAN;
}
