/* eva_prelude.h -- the first include of proofs/eva_driver.c (Frama-C EVA).
 *
 * EVA uses Frama-C's own libc and its IEEE-exact builtins for exp and sqrt;
 * tanh has neither code nor contract in Frama-C 25, so it gets the trusted
 * contract below (glibc's tanh returns a finite value in [-1, 1] for every
 * finite argument: part of the trust base, proofs/TRUST.md).  GMP's
 * configure-time macros are set as in wp_prelude.h so that cep.h's
 * <mpfr.h> and <gmp.h> parse without GMP's inline function bodies.
 */
#ifndef CEP_EVA_PRELUDE_H
#define CEP_EVA_PRELUDE_H

#ifndef __FRAMAC__
#  error "proofs/eva_driver.c is analysed by Frama-C only (make proofs)"
#endif

#include <math.h>
#include "__fc_builtin.h"
#include "libm_logic.acsl"

/*@ requires finite_arg: \is_finite(x);
    assigns \result \from x;
    ensures finite: \is_finite(\result);
    ensures range: -1.0 <= \result <= 1.0; */
extern double tanh(double x);

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

/* the logic of the contracts that the sources carry (EVA evaluates them too) */
#include "real.acsl"
#include "tensor.acsl"
#include "shape.acsl"
#include "prng.acsl"
#include "model.acsl"
#include "spec_model.acsl"
#include "algo.acsl"
#include "bptt.acsl"

#endif
