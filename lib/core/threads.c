#include "core/threads.h"

#include <pthread.h>
#if defined(_OPENMP)
#include <omp.h>
#endif
#include <stdatomic.h>
#include <unistd.h>

unsigned rec_threads_resolve(unsigned requested)
{
    if (requested == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        requested = n > 0 ? (unsigned)n : 1u;
    }
    return requested > REC_MAX_THREADS ? REC_MAX_THREADS : requested;
}

typedef struct loop {
    rec_task_fn fn;
    void *ctx;
    size_t n_tasks;
    atomic_size_t next;
} loop;

static void run_tasks(loop *l, unsigned worker)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
        if (t >= l->n_tasks)
            return;
        l->fn(l->ctx, t, worker);
    }
}

typedef struct worker_arg {
    loop *l;
    unsigned worker;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *a = p;
    run_tasks(a->l, a->worker);
    return NULL;
}

/* Threads created for this call and joined before it returns. */
static void run_with_new_threads(loop *l, unsigned n_threads)
{
    pthread_t tid[REC_MAX_THREADS];
    worker_arg args[REC_MAX_THREADS];
    unsigned started = 0;
    for (unsigned w = 1; w < n_threads; w++) {
        args[started] = (worker_arg){ l, started + 1 };
        if (pthread_create(&tid[started], NULL, worker_main, &args[started]) != 0)
            break; /* the threads we have do the rest */
        started++;
    }
    run_tasks(l, 0);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

#if defined(_OPENMP)
/* The process whose OpenMP runtime librec uses. libgomp's thread pool does
 * not survive fork(): a child's first parallel region waits forever for
 * the parent's threads. So only the first process to run a parallel loop
 * uses the pool, and any process forked from it (a pre-forking server's
 * workers, Python's multiprocessing) creates threads per call. */
static atomic_long pool_owner;

static int may_use_pool(void)
{
    long me = (long)getpid(), owner = 0;
    if (atomic_compare_exchange_strong(&pool_owner, &owner, me))
        return 1;
    return owner == me;
}
#endif

const char *rec_threads_model(void)
{
#if defined(_OPENMP)
    long owner = atomic_load(&pool_owner);
    if (owner == 0 || owner == (long)getpid())
        return "openmp";
#endif
    return "pthreads";
}

void rec_parallel_for(unsigned n_threads, size_t n_tasks, rec_task_fn fn, void *ctx)
{
    loop l = { fn, ctx, n_tasks, 0 };
    if (n_threads > REC_MAX_THREADS)
        n_threads = REC_MAX_THREADS;
    if ((size_t)n_threads > n_tasks)
        n_threads = (unsigned)n_tasks;
    if (n_threads <= 1) {
        run_tasks(&l, 0);
        return;
    }
#if defined(_OPENMP)
    /* The OpenMP runtime keeps its threads between calls: a training step
     * makes a dozen short parallel passes, and creating threads for each
     * cost 60 to 110 us a call. Worker numbers are the team's thread
     * numbers; a team smaller than asked for (nested inside a caller's
     * parallel region, or limited by the runtime) just takes more tasks per
     * thread. */
    if (may_use_pool()) {
#pragma omp parallel num_threads(n_threads)
        run_tasks(&l, (unsigned)omp_get_thread_num());
        return;
    }
#endif
    run_with_new_threads(&l, n_threads);
}
