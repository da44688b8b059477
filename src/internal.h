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
