/* wp_binary64.c -- WP translation unit: the templated layers, binary64 only.
 *
 * Instantiates the *_source.c bodies for double (CEP_TEMPLATE_D) exactly as
 * the library's tensor.c does, never for MPFR.  One unit for all templated
 * layers so that real_d.h's static inline scalar operations exist once.
 * The model and algorithm layers go here too, in dependency order:
 *     #include "model/activation_source.c"
 *     #include "model/model_source.c"
 *     #include "algo/phases_source.c"
 *     #include "algo/bptt_source.c"
 * between template_on.h and template_off.h.
 */
#include "wp_prelude.h"
#include "scalar/scope.c"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "tensor/tensor_source.c"
#include "model/activation_source.c"
#include "model/model_source.c"
#include "algo/phases_source.c"
#include "algo/bptt_source.c"
#include "scalar/template_off.h"
