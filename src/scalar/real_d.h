/* real_d.h -- the scalar layer, binary64 instantiation.
 *
 * One IEEE 754 binary64 operation per call, rounding to nearest-even, no
 * fused multiply-add (the build uses -ffp-contract=off, spec/model.md §0).
 * Every function takes the computation context first so that the algorithm
 * source reads the same for both precisions; binary64 ignores it.
 */
#ifndef CEP_REAL_D_H
#define CEP_REAL_D_H

#include <math.h>
#include "cep.h"

static inline void r_init_d(const cep_ctx *c, double *z) { (void)c; *z = 0.0; }
static inline void r_clear_d(double *z) { (void)z; }
static inline void r_set_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = *a; }
static inline void r_set_dbl_d(const cep_ctx *c, double *z, double a) { (void)c; *z = a; }
static inline double r_get_dbl_d(const double *a) { return *a; }
static inline void r_add_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a + *b; }
static inline void r_sub_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a - *b; }
static inline void r_mul_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a * *b; }
static inline void r_div_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a / *b; }
static inline void r_neg_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = -*a; }
static inline void r_abs_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = fabs(*a); }
static inline void r_sqrt_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = sqrt(*a); }
static inline void r_exp_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = exp(*a); }
static inline void r_asin_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = asin(*a); }
static inline void r_tanh_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = tanh(*a); }
/* Comparisons return <0, 0, >0 like mpfr_cmp; NaN never reaches them because
 * every entry point rejects non-finite inputs. */
static inline int r_cmp_d(const double *a, const double *b) { return (*a > *b) - (*a < *b); }
static inline int r_cmp_dbl_d(const double *a, double b) { return (*a > b) - (*a < b); }
/* a <= 2^e (ldexp is exact; below 2^-1074 it gives 0) */
static inline int r_le_pow2_d(const double *a, long e) { return *a <= ldexp(1.0, e < -2000 ? -2000 : (int)(e > 2000 ? 2000 : e)); }
static inline int r_sgn_d(const double *a) { return (*a > 0) - (*a < 0); }
static inline int r_is_finite_d(const double *a) { return isfinite(*a) != 0; }
static inline int r_is_zero_d(const double *a) { return *a == 0.0; }

#endif
