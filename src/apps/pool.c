/* pool.c -- the fork-join thread pool of pool.h (POSIX threads, C11 atomics). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "cep.h"
#include "apps/pool.h"

/* Spins before a worker sleeps: about 50-100 us on this machine. */
#define POOL_SPINS 20000

struct cep_pool {
    unsigned n;
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    atomic_uint step;      /* incremented by each cep_pool_run     */
    atomic_uint done;      /* workers finished with this step      */
    atomic_int quit;
    int sleepers;          /* workers waiting on wake (under mu)   */
    cep_pool_fn fn;
    void *arg;
};

typedef struct {
    cep_pool *p;
    unsigned id;
} worker_arg;

static void *worker(void *v)
{
    worker_arg *wa = v;
    cep_pool *p = wa->p;
    unsigned id = wa->id;
    free(wa);
    unsigned seen = 0;
    for (;;) {
        unsigned s;
        int spins = 0;
        while ((s = atomic_load_explicit(&p->step, memory_order_acquire)) == seen &&
               !atomic_load(&p->quit)) {
            if (++spins < POOL_SPINS)
                continue;
            pthread_mutex_lock(&p->mu);
            p->sleepers++;
            while (atomic_load(&p->step) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->wake, &p->mu);
            p->sleepers--;
            pthread_mutex_unlock(&p->mu);
            spins = 0;
        }
        if (atomic_load(&p->quit))
            return NULL;
        seen = s;
        p->fn(p->arg, id, p->n);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
    }
}

int cep_pool_new(cep_pool **out, unsigned threads)
{
    if (out == NULL || threads == 0)
        return CEP_EARG;
    *out = NULL;
    cep_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return CEP_ENOMEM;
    p->n = threads;
    atomic_init(&p->step, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->quit, 0);
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return CEP_ENOMEM;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return CEP_ENOMEM;
    }
    if (threads > 1) {
        p->tid = calloc(threads - 1, sizeof *p->tid);
        if (p->tid == NULL) {
            cep_pool_free(p);
            return CEP_ENOMEM;
        }
        for (unsigned i = 1; i < threads; i++) {
            worker_arg *wa = malloc(sizeof *wa);
            if (wa == NULL || (wa->p = p, wa->id = i,
                               pthread_create(&p->tid[i - 1], NULL, worker, wa) != 0)) {
                free(wa);
                p->n = i;            /* join only the threads that started */
                cep_pool_free(p);
                return CEP_ENOMEM;
            }
        }
    }
    *out = p;
    return CEP_OK;
}

void cep_pool_run(cep_pool *p, cep_pool_fn fn, void *arg)
{
    if (p->n == 1) {
        fn(arg, 0, 1);
        return;
    }
    p->fn = fn;
    p->arg = arg;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->step, 1, memory_order_release);
    if (p->sleepers > 0)
        pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->n);
    unsigned spins = 0;
    while (atomic_load_explicit(&p->done, memory_order_acquire) != p->n - 1)
        if (++spins > POOL_SPINS)
            sched_yield();
}

unsigned cep_pool_size(const cep_pool *p)
{
    return p->n;
}

void cep_pool_free(cep_pool *p)
{
    if (p == NULL)
        return;
    if (p->tid != NULL) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->quit, 1);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 1; i < p->n; i++)
            pthread_join(p->tid[i - 1], NULL);
        free(p->tid);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
