/* internal.h -- declarations shared by the library's modules (not installed). */
#ifndef CEP_INTERNAL_H
#define CEP_INTERNAL_H

#include <stdlib.h>
#include "cep.h"

/* The saved MPFR exponent range of one public call (see real_mp.h). */
typedef struct {
    int active;
    mpfr_exp_t emin, emax;
} cep_scope;

/* (LAYOUT.3) appends the feedback blocks B_1..B_{N-1} of a VF model to a
 * shape laid out for its symmetric base model (shape_vf.c): B_n at B_off[n]
 * after b_N, P grows by the sum of size[n] * size[n+1]; the model becomes
 * `model`.  Called by cep_shape_init only.  Its body is outside the proofs
 * (proofs/TRUST.md): the contract states the frame cep_shape_init needs. */
/*@ requires valid_sh: \valid(sh);
    requires vf: model == CEP_MODEL_PROTOTYPICAL_VF || model == CEP_MODEL_ENERGY_VF;
    assigns sh->model, sh->P, sh->B_off[0 .. CEP_MAX_LAYERS];
    ensures status: \result == CEP_OK || \result == CEP_EPARAMS || \result == CEP_EOVERFLOW;
    ensures model: \result == CEP_OK ==> sh->model == model;
*/
int cep_shape_add_feedback(cep_shape *sh, cep_model model);

#define CEP_IDECL_SUFFIX _d
#define CEP_IDECL_REAL double
#include "internal_api.h"
#undef CEP_IDECL_SUFFIX
#undef CEP_IDECL_REAL
#define CEP_IDECL_SUFFIX _mp
#define CEP_IDECL_REAL __mpfr_struct
#include "internal_api.h"
#undef CEP_IDECL_SUFFIX
#undef CEP_IDECL_REAL

#endif
