/* wp_prelude.h -- the first include of every WP translation unit
 * (proofs/wp_*.c), for Frama-C only.
 *
 * 1. The trusted libm (libm_trusted.h) replaces Frama-C's <math.h>.
 * 2. GMP: cep.h includes <mpfr.h>, hence <gmp.h>, which under __GNUC__
 *    *defines* about twenty `extern inline` helpers (mpz_abs, mpn_add, ..).
 *    WP would then try to prove GMP's code.  __GMP_WITHIN_CONFIGURE (with
 *    __GMP_WITHIN_CONFIGURE_INLINE 0) makes gmp.h declare them only; it also
 *    skips gmp.h's few configure-time constants, restored below for x86_64
 *    (the machdep of the runs).  proofs.mk gives Frama-C the real mpfr.h and
 *    gmp.h through a directory holding only those two headers.
 * 3. The project's headers and every ACSL logic file, so that any source
 *    file included after this one can use the predicates in its contracts.
 */
#ifndef CEP_WP_PRELUDE_H
#define CEP_WP_PRELUDE_H

#ifndef __FRAMAC__
#  error "proofs/wp_*.c are analysed by Frama-C only (make proofs)"
#endif

#include "libm_trusted.h"

#define __GMP_WITHIN_CONFIGURE 1
#define __GMP_WITHIN_CONFIGURE_INLINE 0
#define __GMP_HAVE_HOST_CPU_FAMILY_power 0
#define __GMP_HAVE_HOST_CPU_FAMILY_powerpc 0
#define GMP_LIMB_BITS 64
#define GMP_NAIL_BITS 0
#define __GMP_LIBGMP_DLL 0

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "scope_contracts.h"

#include "real.acsl"
#include "tensor.acsl"
#include "shape.acsl"
#include "prng.acsl"
#include "model.acsl"
#include "spec_model.acsl"
#include "algo.acsl"
#include "bptt.acsl"

#endif
