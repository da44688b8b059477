/* algo.c -- instantiates the phases and BPTT twice. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "algo/phases_source.c"
#include "algo/vf_phase_source.c"
#include "algo/bptt_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "algo/phases_source.c"
#include "algo/vf_phase_source.c"
#include "algo/bptt_source.c"
#include "scalar/template_off.h"
