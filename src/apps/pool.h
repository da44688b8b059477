/* pool.h -- a fixed set of threads that run one function together.
 *
 * cep_pool_run(p, fn, arg) calls fn(arg, tid, n) once on each of the n
 * threads (tid 0 is the caller) and returns when all have returned: a
 * fork-join step with no work queue, so which thread computes what is a
 * function of (tid, n) alone.  The training engines split every loop by
 * cep_part() over neuron rows and keep every sum inside one row, so their
 * results do not depend on n (spec/train.md, TR.13).
 *
 * Workers spin briefly on the step counter, then sleep on a condition
 * variable: steps come every few microseconds during training and a
 * sleeping worker costs nothing between epochs. */
#ifndef CEP_POOL_H
#define CEP_POOL_H

#include <stddef.h>

typedef struct cep_pool cep_pool;
typedef void (*cep_pool_fn)(void *arg, unsigned tid, unsigned n);

/* threads >= 1 (1: no thread is started, fn runs on the caller). */
int cep_pool_new(cep_pool **out, unsigned threads);
void cep_pool_run(cep_pool *p, cep_pool_fn fn, void *arg);
unsigned cep_pool_size(const cep_pool *p);
void cep_pool_free(cep_pool *p);

/* The rows [*lo, *hi) of n that thread tid of nt computes. */
static inline void cep_part(size_t n, unsigned tid, unsigned nt, size_t *lo, size_t *hi)
{
    *lo = n * tid / nt;
    *hi = n * (tid + 1) / nt;
}

#endif
