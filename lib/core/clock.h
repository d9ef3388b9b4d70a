/* Wall-clock time for progress reports and timings. */
#ifndef REC_CORE_CLOCK_H
#define REC_CORE_CLOCK_H

/* Seconds on a monotonic clock (arbitrary origin). */
double rec_now(void);

#endif
