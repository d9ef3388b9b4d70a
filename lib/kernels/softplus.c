/* log(1 + e^x) without overflow or loss of precision: for x > 0 it is
 * x + log(1 + e^-x), whose exponential cannot overflow, and for x <= 0
 * log1p(e^x), which keeps full relative precision when e^x is tiny (the
 * loss of a well-ranked BPR pair). Large x gives x exactly, very negative x
 * gives e^x and then 0 once e^x underflows. NaN propagates. */
#include <math.h>

#include "kernels/kernels.h"

double rec_softplus(double x)
{
    if (x > 0.0)
        return x + log1p(exp(-x));
    return log1p(exp(x));
}
