/* Parallel loops over a count of independent tasks.
 *
 * Built with OpenMP (the default where the compiler has it), the loops run
 * on the OpenMP thread pool, whose reuse matters for the many short
 * parallel passes of a training step; a process forked after parallel work
 * falls back to threads created per call, because the pool does not
 * survive fork(). Without OpenMP every call starts short-lived pthreads.
 * docs/architecture.md gives the reasons. The calling thread takes part in
 * the work. */
#ifndef REC_CORE_THREADS_H
#define REC_CORE_THREADS_H

#include <stddef.h>

/* Maximum worker count; more requested threads are capped to this. */
#define REC_MAX_THREADS 256

/* The thread count to use for a request: 0 means the number of online CPUs;
 * the result is in [1, REC_MAX_THREADS]. */
unsigned rec_threads_resolve(unsigned requested);

/* fn(ctx, task, worker) for every task in [0, n_tasks), spread over at most
 * n_threads threads (worker in [0, n_threads)). Tasks are handed out in
 * increasing order from a shared counter. If a thread cannot be started the
 * remaining threads do its share, so this never fails. Returns when every
 * task has finished. */
typedef void (*rec_task_fn)(void *ctx, size_t task, unsigned worker);
void rec_parallel_for(unsigned n_threads, size_t n_tasks, rec_task_fn fn, void *ctx);

/* How rec_parallel_for runs in this process: "openmp" (the pool) or
 * "pthreads" (threads per call: a build without OpenMP, or a process forked
 * after another one here used the pool). */
const char *rec_threads_model(void);

#endif
