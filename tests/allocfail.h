/* allocfail.h -- allocation-failure injection for tests/test_allocfail.c.
 *
 * The test program is linked with
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup
 * so every call that cep's own code (libcep.a, the CLI objects) makes to
 * these functions lands here.  What stays outside: allocations made inside
 * libc (stdio buffers, getline), zlib, jansson and MPFR/GMP.  GMP cannot
 * report an allocation failure (its manual: the allocation functions must
 * not return NULL; GMP aborts), so no caller of MPFR can be tested for it;
 * cep's MPFR vectors are its own malloc'd blocks (cep_vec_new_mp) and are
 * covered.  jansson 2.14 was tried (json_set_alloc_funcs with these
 * functions) and fails inside itself: json_dumps returned a text with a key
 * missing, and json_loads freed an invalid pointer (docs/robustness.md);
 * cep guards the first (cep_manifest_write reads its text back) but cannot
 * mend the second, so jansson is left out of the sweep.
 *
 * Armed with allocfail_arm(n), the n-th allocation from then on (counting
 * from 1, across threads) returns NULL and every other one succeeds.  Every
 * block handed out is recorded in a table of live blocks, so that after a
 * failed run allocfail_live() says how many blocks of the run were never
 * freed.  Frees of pointers this wrapper did not hand out (from libc's
 * getline, say) pass through untracked. */
#ifndef CEP_TEST_ALLOCFAIL_H
#define CEP_TEST_ALLOCFAIL_H

#include <execinfo.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

static atomic_long af_count;      /* allocations since allocfail_arm      */
static atomic_long af_fail_at;    /* 0: never fail; n: the n-th one fails  */
static atomic_int af_failed;      /* 1 once the armed failure happened     */
static int af_trace;              /* 1: print a backtrace of the failing call */
static int af_trace_fd = 2;       /* ... to this descriptor                   */

/* The live-block table: open addressing, linear probing, tombstones. */
#define AF_SLOTS ((size_t)1 << 20)
#define AF_TOMB ((uintptr_t)1)
static uintptr_t af_table[AF_SLOTS];
static size_t af_live;
static pthread_mutex_t af_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t af_hash(uintptr_t p) { return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull) & (AF_SLOTS - 1); }

static void af_insert(void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    pthread_mutex_lock(&af_lock);
    for (size_t i = af_hash(p), k = 0; k < AF_SLOTS; i = (i + 1) & (AF_SLOTS - 1), k++)
        if (af_table[i] == 0 || af_table[i] == AF_TOMB) {
            af_table[i] = p;
            af_live++;
            break;
        }
    pthread_mutex_unlock(&af_lock);
}

/* 1 when ptr was ours (and is now forgotten), 0 otherwise. */
static int af_remove(void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    int found = 0;
    pthread_mutex_lock(&af_lock);
    for (size_t i = af_hash(p), k = 0; k < AF_SLOTS && af_table[i] != 0;
         i = (i + 1) & (AF_SLOTS - 1), k++)
        if (af_table[i] == p) {
            af_table[i] = AF_TOMB;
            af_live--;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&af_lock);
    return found;
}

/* 1 when this allocation is the one to fail. */
static int af_should_fail(void)
{
    long n = atomic_fetch_add(&af_count, 1) + 1;
    long at = atomic_load(&af_fail_at);
    if (at > 0 && n == at) {
        atomic_store(&af_failed, 1);
        if (af_trace) {    /* where the failing allocation was asked for */
            void *bt[32];
            int depth = backtrace(bt, 32);
            backtrace_symbols_fd(bt, depth, af_trace_fd);
        }
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (af_should_fail())
        return NULL;
    void *p = __real_malloc(n);
    if (p)
        af_insert(p);
    return p;
}

void *__wrap_calloc(size_t m, size_t n)
{
    if (af_should_fail())
        return NULL;
    void *p = __real_calloc(m, n);
    if (p)
        af_insert(p);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    if (af_should_fail())
        return NULL;              /* the old block stays valid, as realloc promises */
    int ours = old != NULL && af_remove(old);
    void *p = __real_realloc(old, n);
    if (p)
        af_insert(p);
    else if (ours)
        af_insert(old);
    return p;
}

void __wrap_free(void *p)
{
    if (p)
        af_remove(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Start counting; n > 0 makes the n-th allocation fail, 0 none.  Also
 * clears the table's tombstones (no other thread may be allocating). */
static inline void allocfail_arm(long n)
{
    static uintptr_t keep[4096];
    size_t nk = 0;
    pthread_mutex_lock(&af_lock);
    for (size_t i = 0; i < AF_SLOTS; i++)
        if (af_table[i] > AF_TOMB && nk < sizeof keep / sizeof keep[0])
            keep[nk++] = af_table[i];
    memset(af_table, 0, sizeof af_table);
    af_live = 0;
    pthread_mutex_unlock(&af_lock);
    for (size_t i = 0; i < nk; i++)
        af_insert((void *)keep[i]);
    atomic_store(&af_count, 0);
    atomic_store(&af_failed, 0);
    atomic_store(&af_fail_at, n);
}
static inline void allocfail_disarm(void) { atomic_store(&af_fail_at, 0); }
static inline long allocfail_count(void) { return atomic_load(&af_count); }
static inline int allocfail_happened(void) { return atomic_load(&af_failed); }
static inline size_t allocfail_live(void)
{
    pthread_mutex_lock(&af_lock);
    size_t n = af_live;
    pthread_mutex_unlock(&af_lock);
    return n;
}

#endif
