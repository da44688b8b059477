/* real_d.h -- the scalar layer, binary64 instantiation.
 *
 * One IEEE 754 binary64 operation per call, rounding to nearest-even, no
 * fused multiply-add (the build uses -ffp-contract=off, spec/model.md §0).
 * Every function takes the computation context first so that the algorithm
 * source reads the same for both precisions; binary64 ignores it.
 *
 * ACSL contracts (checked by `make proofs`, proofs/README.md): the result may
 * alias an operand (R_ADD(ctx, acc, acc, t) is common), so every `ensures`
 * reads the operands with \old.  Values are stated in real arithmetic: WP's
 * typed+real model proves them for ideal reals, not for IEEE rounding,
 * overflow or NaN.  The context is never read, so it needs no validity.
 * sqrt, exp, tanh, asin and ldexp are trusted (proofs/libm_trusted.h).
 */
#ifndef CEP_REAL_D_H
#define CEP_REAL_D_H

#include <math.h>
#include "cep.h"

/*@ requires valid_z: \valid(z);
    assigns *z;
    ensures value: *z == 0.0; */
static inline void r_init_d(const cep_ctx *c, double *z) { (void)c; *z = 0.0; }
/*@ assigns \nothing; */
static inline void r_clear_d(double *z) { (void)z; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    assigns *z;
    ensures value: *z == \old(*a); */
static inline void r_set_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = *a; }
/*@ requires valid_z: \valid(z);
    assigns *z;
    ensures value: *z == a; */
static inline void r_set_dbl_d(const cep_ctx *c, double *z, double a) { (void)c; *z = a; }
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures value: \result == *a; */
static inline double r_get_dbl_d(const double *a) { return *a; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires valid_b: \valid_read(b);
    assigns *z;
    ensures value: *z == \old(*a) + \old(*b); */
static inline void r_add_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a + *b; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires valid_b: \valid_read(b);
    assigns *z;
    ensures value: *z == \old(*a) - \old(*b); */
static inline void r_sub_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a - *b; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires valid_b: \valid_read(b);
    assigns *z;
    ensures value: *z == \old(*a) * \old(*b); */
static inline void r_mul_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a * *b; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires valid_b: \valid_read(b);
    requires nonzero: !real_zero(*b);
    assigns *z;
    ensures value: *z == \old(*a) / \old(*b); */
static inline void r_div_d(const cep_ctx *c, double *z, const double *a, const double *b) { (void)c; *z = *a / *b; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    assigns *z;
    ensures value: *z == -\old(*a); */
static inline void r_neg_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = -*a; }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    assigns *z;
    ensures value: *z == \abs(\old(*a)); */
static inline void r_abs_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = fabs(*a); }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires nonneg: *a >= 0.0;
    assigns *z;
    ensures value: *z == \sqrt(\old(*a));
    ensures nonneg: *z >= 0.0; */
static inline void r_sqrt_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = sqrt(*a); }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    assigns *z;
    ensures value: *z == exp_r(\old(*a));
    ensures positive: *z > 0.0; */
static inline void r_exp_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = exp(*a); }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    requires domain: -1.0 <= *a <= 1.0;
    assigns *z;
    ensures value: *z == \asin(\old(*a)); */
static inline void r_asin_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = asin(*a); }
/*@ requires valid_z: \valid(z);
    requires valid_a: \valid_read(a);
    assigns *z;
    ensures value: *z == tanh_r(\old(*a));
    ensures range: -1.0 <= *z <= 1.0; */
static inline void r_tanh_d(const cep_ctx *c, double *z, const double *a) { (void)c; *z = tanh(*a); }
/* Comparisons return <0, 0, >0 like mpfr_cmp; NaN never reaches them because
 * every entry point rejects non-finite inputs. */
/*@ requires valid_a: \valid_read(a);
    requires valid_b: \valid_read(b);
    assigns \nothing;
    ensures greater: \result > 0 <==> *a > *b;
    ensures less:    \result < 0 <==> *a < *b;
    ensures equal:   \result == 0 <==> *a == *b;
    ensures range:   -1 <= \result <= 1; */
static inline int r_cmp_d(const double *a, const double *b) { return (*a > *b) - (*a < *b); }
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures greater: \result > 0 <==> *a > b;
    ensures less:    \result < 0 <==> *a < b;
    ensures equal:   \result == 0 <==> *a == b;
    ensures range:   -1 <= \result <= 1; */
static inline int r_cmp_dbl_d(const double *a, double b) { return (*a > b) - (*a < b); }
/* a <= 2^e (ldexp is exact; below 2^-1074 it gives 0) */
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures boolean: \result == 0 || \result == 1;
    ensures value: -1074 <= e <= 1023 ==> (\result == 1 <==> *a <= \pow(2.0, e)); */
static inline int r_le_pow2_d(const double *a, long e) { return *a <= ldexp(1.0, e < -2000 ? -2000 : (int)(e > 2000 ? 2000 : e)); }
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures positive: \result == 1 <==> *a > 0.0;
    ensures negative: \result == -1 <==> *a < 0.0;
    ensures zero:     \result == 0 <==> *a == 0.0; */
static inline int r_sgn_d(const double *a) { return (*a > 0) - (*a < 0); }
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures boolean: \result == 0 || \result == 1;
    ensures value:   \result == 1 <==> \is_finite(*a); */
static inline int r_is_finite_d(const double *a) { return isfinite(*a) != 0; }
/*@ requires valid_a: \valid_read(a);
    assigns \nothing;
    ensures boolean: \result == 0 || \result == 1;
    ensures value:   \result == 1 <==> *a == 0.0; */
static inline int r_is_zero_d(const double *a) { return *a == 0.0; }

#endif
