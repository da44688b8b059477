/* template_on.h -- select the precision of a templated ("*_source.c") body.
 *
 * The including file defines exactly one of CEP_TEMPLATE_D (binary64) or
 * CEP_TEMPLATE_MP (MPFR), includes this header, includes the body, then
 * includes template_off.h.  This is GSL's templates_on.h idiom: the body is
 * written once against REAL, FN() and the R_* operations, and each
 * instantiation yields its own symbols (foo_d, foo_mp).  REAL is the element
 * type of arrays: double, or __mpfr_struct (so REAL * is an mpfr_ptr and a
 * scalar temporary is declared `REAL t[1]`, like mpfr_t).
 */
#define CEP_CAT2(a, b) a##b
#define CEP_CAT(a, b) CEP_CAT2(a, b)

#if defined(CEP_TEMPLATE_D) && !defined(CEP_TEMPLATE_MP)
#  include "scalar/real_d.h"
#  define REAL double
#  define SUFFIX _d
#elif defined(CEP_TEMPLATE_MP) && !defined(CEP_TEMPLATE_D)
#  include "scalar/real_mp.h"
#  define REAL __mpfr_struct
#  define SUFFIX _mp
#else
#  error "define exactly one of CEP_TEMPLATE_D, CEP_TEMPLATE_MP"
#endif

#define FN(name) CEP_CAT(name, SUFFIX)

#define R_INIT(c, z)          FN(r_init)(c, z)
#define R_CLEAR(z)            FN(r_clear)(z)
#define R_SET(c, z, a)        FN(r_set)(c, z, a)
#define R_SET_DBL(c, z, d)    FN(r_set_dbl)(c, z, d)
#define R_GET_DBL(a)          FN(r_get_dbl)(a)
#define R_ADD(c, z, a, b)     FN(r_add)(c, z, a, b)
#define R_SUB(c, z, a, b)     FN(r_sub)(c, z, a, b)
#define R_MUL(c, z, a, b)     FN(r_mul)(c, z, a, b)
#define R_DIV(c, z, a, b)     FN(r_div)(c, z, a, b)
#define R_NEG(c, z, a)        FN(r_neg)(c, z, a)
#define R_ABS(c, z, a)        FN(r_abs)(c, z, a)
#define R_SQRT(c, z, a)       FN(r_sqrt)(c, z, a)
#define R_EXP(c, z, a)        FN(r_exp)(c, z, a)
#define R_TANH(c, z, a)       FN(r_tanh)(c, z, a)
#define R_ASIN(c, z, a)       FN(r_asin)(c, z, a)
#define R_CMP(a, b)           FN(r_cmp)(a, b)
#define R_CMP_DBL(a, d)       FN(r_cmp_dbl)(a, d)
#define R_SGN(a)              FN(r_sgn)(a)
#define R_LE_POW2(a, e)       FN(r_le_pow2)(a, e)
#define R_IS_FINITE(a)        FN(r_is_finite)(a)
#define R_IS_ZERO(a)          FN(r_is_zero)(a)
