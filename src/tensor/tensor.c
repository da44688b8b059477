/* tensor.c -- instantiates the tensor layer (tensor_source.c) twice. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "tensor/tensor_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "tensor/tensor_source.c"
#include "scalar/template_off.h"
