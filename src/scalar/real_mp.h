/* real_mp.h -- the scalar layer, GNU MPFR instantiation.
 *
 * One correctly rounded MPFR operation per call, round to nearest-even, at
 * the precision the context carries (every variable is created with it).
 * When the context emulates an IEEE format (ctx->emulate, e.g. binary64 with
 * 53 bits and exponents [-1073, 1024]), each result is passed through
 * mpfr_subnormalize so that gradual underflow matches the hardware format;
 * the exponent range itself is installed by cep_scope_enter_mp and put back
 * by cep_scope_leave_mp around every public entry point (spec/model.md §0).
 */
#ifndef CEP_REAL_MP_H
#define CEP_REAL_MP_H

#include <mpfr.h>
#include "cep.h"

static inline void cep_mp_round(const cep_ctx *c, mpfr_ptr z, int ternary)
{
    if (c->emulate)
        mpfr_subnormalize(z, ternary, MPFR_RNDN);
}

static inline void r_init_mp(const cep_ctx *c, mpfr_ptr z) { mpfr_init2(z, (mpfr_prec_t)c->prec); mpfr_set_zero(z, 1); }
static inline void r_clear_mp(mpfr_ptr z) { mpfr_clear(z); }
static inline void r_set_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_set(z, a, MPFR_RNDN)); }
static inline void r_set_dbl_mp(const cep_ctx *c, mpfr_ptr z, double a) { cep_mp_round(c, z, mpfr_set_d(z, a, MPFR_RNDN)); }
static inline double r_get_dbl_mp(mpfr_srcptr a) { return mpfr_get_d(a, MPFR_RNDN); }
static inline void r_add_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a, mpfr_srcptr b) { cep_mp_round(c, z, mpfr_add(z, a, b, MPFR_RNDN)); }
static inline void r_sub_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a, mpfr_srcptr b) { cep_mp_round(c, z, mpfr_sub(z, a, b, MPFR_RNDN)); }
static inline void r_mul_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a, mpfr_srcptr b) { cep_mp_round(c, z, mpfr_mul(z, a, b, MPFR_RNDN)); }
static inline void r_div_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a, mpfr_srcptr b) { cep_mp_round(c, z, mpfr_div(z, a, b, MPFR_RNDN)); }
static inline void r_neg_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_neg(z, a, MPFR_RNDN)); }
static inline void r_abs_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_abs(z, a, MPFR_RNDN)); }
static inline void r_sqrt_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_sqrt(z, a, MPFR_RNDN)); }
static inline void r_exp_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_exp(z, a, MPFR_RNDN)); }
static inline void r_asin_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_asin(z, a, MPFR_RNDN)); }
static inline void r_tanh_mp(const cep_ctx *c, mpfr_ptr z, mpfr_srcptr a) { cep_mp_round(c, z, mpfr_tanh(z, a, MPFR_RNDN)); }
static inline int r_cmp_mp(mpfr_srcptr a, mpfr_srcptr b) { return mpfr_cmp(a, b); }
static inline int r_cmp_dbl_mp(mpfr_srcptr a, double b) { return mpfr_cmp_d(a, b); }
static inline int r_le_pow2_mp(mpfr_srcptr a, long e) { return mpfr_cmp_ui_2exp(a, 1, (mpfr_exp_t)e) <= 0; }
static inline int r_sgn_mp(mpfr_srcptr a) { return mpfr_sgn(a); }
static inline int r_is_finite_mp(mpfr_srcptr a) { return mpfr_number_p(a) != 0; }
static inline int r_is_zero_mp(mpfr_srcptr a) { return mpfr_zero_p(a) != 0; }

#endif
