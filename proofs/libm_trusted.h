/* libm_trusted.h -- the trusted libm of the WP runs (part of the trust base).
 *
 * Included by wp_prelude.h before anything else, in WP translation units
 * only; it takes the place of Frama-C's <math.h> (it defines that header's
 * guard __FC_MATH, so every later `#include <math.h>` is empty).  Why not
 * keep Frama-C 25's contracts:
 *  - tanh has none (WP would assume it assigns everything);
 *  - exp, sqrt, asin and ldexp list `errno` in their assigns;
 *  - their IEEE special-case behaviours (overflow to +inf, NaN results)
 *    have postconditions such as \is_infinite(\result) that are *false* in
 *    the typed+real model, so a call with, e.g., exp(1000.0) would make WP
 *    prove \false afterwards (measured: `//@ assert \false;` after
 *    exp(1000.0) is proved by Qed).  That is unsound for our purpose.
 *
 * What is assumed here, stated in real arithmetic like every contract of
 * the project (WP's typed+real model: ideal reals, no rounding, no
 * overflow, no NaN):
 *  - each function returns the exact real value of its mathematical
 *    function (glibc's are faithful to within a few ulp, sqrt is correctly
 *    rounded: the real model ignores that error, as it ignores the rounding
 *    of + and *);
 *  - the ranges: sqrt >= 0, exp > 0, tanh in [-1, 1] (also true of glibc's
 *    binary64 results), fabs(x) = |x|;
 *  - ldexp(1.0, e) = 2^e for -1074 <= e <= 1023 (exact in binary64);
 *  - isfinite(x) != 0 exactly when \is_finite(x) (always true in the real
 *    model);
 *  - errno is not modelled: glibc may set it (ERANGE on exp/ldexp overflow)
 *    but the library never reads it.
 * sqrt and asin keep their domains as preconditions, so callers must prove
 * the argument is in the domain.
 */
#ifndef CEP_LIBM_TRUSTED_H
#define CEP_LIBM_TRUSTED_H

#ifdef __FC_MATH
#  error "libm_trusted.h must be included before any <math.h> (include wp_prelude.h first)"
#endif
#define __FC_MATH 1 /* Frama-C's <math.h> is not used in WP runs */

#include "libm_logic.acsl"

/*@ assigns \result \from x;
    ensures value: \result == \abs(x); */
extern double fabs(double x);

/*@ requires domain: x >= 0.0;
    assigns \result \from x;
    ensures value: \result == \sqrt(x);
    ensures range: \result >= 0.0; */
extern double sqrt(double x);

/*@ assigns \result \from x;
    ensures value: \result == exp_r(x);
    ensures range: \result > 0.0; */
extern double exp(double x);

/*@ assigns \result \from x;
    ensures value: \result == tanh_r(x);
    ensures range: -1.0 <= \result <= 1.0; */
extern double tanh(double x);

/*@ requires domain: -1.0 <= x <= 1.0;
    assigns \result \from x;
    ensures value: \result == \asin(x); */
extern double asin(double x);

/*@ assigns \result \from x, exp;
    ensures value: x == 1.0 && -1074 <= exp <= 1023 ==> \result == \pow(2.0, exp); */
extern double ldexp(double x, int exp);

/*@ assigns \result \from x;
    ensures value: \result != 0 <==> \is_finite(x); */
extern int __finite(double x);
#define isfinite(x) __finite(x)

#endif
