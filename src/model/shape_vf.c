/* shape_vf.c -- the parameter layout of the vector-field models
 * (spec/model.md §6, (LAYOUT.3)).
 *
 * theta of a VF model = (W_1, b_1, .., W_N, b_N, B_1, .., B_{N-1}): the
 * symmetric layout (LAYOUT.1-2) unchanged, followed by the feedback
 * matrices, B_n with size[n] rows and size[n+1] columns, row-major.  So the
 * first b_off[N] + size[N] entries of a VF theta read exactly as the
 * symmetric model's theta, and the VF code reuses every W/b offset.
 *
 * Not in the WP units: a VF shape does not satisfy shape_ok (proofs/TRUST.md). */
#include "internal.h"

int cep_shape_add_feedback(cep_shape *sh, cep_model model)
{
    size_t N = sh->n_layers, P = sh->P;
    for (size_t l = 1; l < N; l++) {
        size_t rows = sh->size[l], cols = sh->size[l + 1];
        if (cols != 0 && rows > SIZE_MAX / cols)
            return CEP_EOVERFLOW;
        size_t len = rows * cols;
        if (len > CEP_MAX_PARAMS || P > CEP_MAX_PARAMS - len)
            return CEP_EPARAMS;
        sh->B_off[l] = P; /* (LAYOUT.3) */
        P += len;
    }
    sh->P = P;
    sh->model = model;
    return CEP_OK;
}
