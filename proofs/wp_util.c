/* wp_util.c -- WP translation unit: the non-templated core (binary64 side).
 *
 * The PRNG and the shape/validation functions; the model layer's init.c
 * (cep_init_theta, cep_init_data) belongs here too.
 */
#include "wp_prelude.h"
#include "util/prng.c"
#include "model/shape.c"
