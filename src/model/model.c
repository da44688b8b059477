/* model.c -- instantiates the activations and the models twice. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "model/activation_source.c"
#include "model/model_source.c"
#include "model/vf_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "model/activation_source.c"
#include "model/model_source.c"
#include "model/vf_source.c"
#include "scalar/template_off.h"
