/* testutil.h -- helpers shared by the cmocka suites.
 *
 * cmocka 1.1.5 compares floats only as float; these helpers compare MPFR
 * values and binary64 values with explicit relative tolerances and print the
 * numbers involved when they fail.  Seeds are fixed and printed on failure. */
#ifndef CEP_TESTUTIL_H
#define CEP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <mpfr.h>
#include "internal.h"

/* The seeds every property is checked over. */
static const uint64_t test_seeds[] = {1, 2, 3, 17, 12345};
#define N_SEEDS (sizeof test_seeds / sizeof test_seeds[0])

static inline cep_shape make_shape(cep_model m, cep_activation a, double eps, size_t n,
                                   const size_t *sizes)
{
    cep_shape sh;
    int st = cep_shape_init(&sh, m, a, eps, n, sizes);
    assert_int_equal(st, CEP_OK);
    return sh;
}

/* A problem instance in MPFR: theta, x, y from the seed (INIT.1-2). */
typedef struct {
    cep_shape sh;
    cep_ctx ctx;
    double *th_d, *x_d, *y_d;
    mpfr_ptr theta, x, y;
} mp_problem;

static inline void mp_problem_init(mp_problem *p, const cep_shape *sh, long prec, uint64_t seed)
{
    p->sh = *sh;
    assert_int_equal(cep_ctx_mpfr(&p->ctx, prec), CEP_OK);
    p->th_d = malloc(sh->P * sizeof(double));
    p->x_d = malloc(sh->size[0] * sizeof(double));
    p->y_d = malloc(sh->size[sh->n_layers] * sizeof(double));
    assert_non_null(p->th_d);
    assert_non_null(p->x_d);
    assert_non_null(p->y_d);
    cep_init_theta(p->th_d, sh, seed);
    cep_init_data(p->x_d, p->y_d, sh, seed);
    p->theta = cep_vec_new_mp(&p->ctx, sh->P);
    p->x = cep_vec_new_mp(&p->ctx, sh->size[0]);
    p->y = cep_vec_new_mp(&p->ctx, sh->size[sh->n_layers]);
    assert_non_null(p->theta);
    assert_non_null(p->x);
    assert_non_null(p->y);
    cep_vec_from_double_mp(&p->ctx, p->theta, p->th_d, sh->P);
    cep_vec_from_double_mp(&p->ctx, p->x, p->x_d, sh->size[0]);
    cep_vec_from_double_mp(&p->ctx, p->y, p->y_d, sh->size[sh->n_layers]);
}

static inline void mp_problem_clear(mp_problem *p)
{
    cep_vec_free_mp(p->theta);
    cep_vec_free_mp(p->x);
    cep_vec_free_mp(p->y);
    free(p->th_d);
    free(p->x_d);
    free(p->y_d);
}

/* max_i |a_i - b_i| / scale, with scale = max(max_i |b_i|, floor_scale);
 * returned as a double (the ratio, not the values, is what is compared). */
static inline double mp_rel_err(mpfr_srcptr a, mpfr_srcptr b, size_t n, double floor_scale)
{
    mpfr_t d, m, sc;
    mpfr_inits2(mpfr_get_prec(&b[0]) + 64, d, m, sc, (mpfr_ptr)0);
    mpfr_set_zero(m, 1);
    mpfr_set_d(sc, floor_scale, MPFR_RNDN);
    for (size_t i = 0; i < n; i++) {
        mpfr_sub(d, &a[i], &b[i], MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        if (mpfr_cmp(d, m) > 0) mpfr_set(m, d, MPFR_RNDN);
        mpfr_abs(d, &b[i], MPFR_RNDN);
        if (mpfr_cmp(d, sc) > 0) mpfr_set(sc, d, MPFR_RNDN);
    }
    mpfr_div(m, m, sc, MPFR_RNDN);
    double r = mpfr_get_d(m, MPFR_RNDU);
    mpfr_clears(d, m, sc, (mpfr_ptr)0);
    return r;
}

/* Fail with the numbers when err > tol. */
#define assert_err_le(err, tol, ...)                                              \
    do {                                                                          \
        double e_ = (err), t_ = (tol);                                            \
        if (!(e_ <= t_)) {                                                        \
            fprintf(stderr, "  error %.3e > tolerance %.3e: ", e_, t_);           \
            fprintf(stderr, __VA_ARGS__);                                         \
            fprintf(stderr, "\n");                                                \
            fail();                                                               \
        }                                                                         \
    } while (0)

/* 1 if the binary64 arrays are identical bit for bit (sign of zero included). */
static inline int same_bits_d(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof(double)) == 0;
}

/* Index of the first value where an MPFR array (53 bits) and a binary64
 * array differ bit for bit, or n. */
static inline size_t first_diff_mp_d(mpfr_srcptr a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = mpfr_get_d(&a[i], MPFR_RNDN);
        mpfr_t back;
        mpfr_init2(back, mpfr_get_prec(&a[i]) + 64);
        mpfr_set_d(back, v, MPFR_RNDN);
        int exact = mpfr_equal_p(back, &a[i]) || (mpfr_zero_p(back) && mpfr_zero_p(&a[i]));
        mpfr_clear(back);
        if (!exact || memcmp(&v, &b[i], sizeof v) != 0 ||
            (mpfr_zero_p(&a[i]) && (mpfr_signbit(&a[i]) != 0) != (signbit(b[i]) != 0)))
            return i;
    }
    return n;
}

/* Group teardown: MPFR's constant caches, freed so valgrind sees no leak. */
static inline int free_mpfr_caches(void **state)
{
    (void)state;
    mpfr_free_cache();
    return 0;
}

#endif
