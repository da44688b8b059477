/* feedback.c -- the feedback weights of the vector-field models: their
 * initialisation at a chosen angle to W^T (INIT.3) and the angle metric
 * (VF.6), spec/model.md §6.  binary64 only: like (INIT.1), initial values
 * are drawn in binary64 so that every precision starts from the same
 * numbers; the angle is a report quantity. */
#include <math.h>
#include "internal.h"

/* Entry (i, j) of B_l is entry (j, i) of W_{l+1}: B_l has size[l] rows and
 * size[l+1] columns, W_{l+1} size[l+1] rows and size[l] columns. */
static double w_transposed(const double *theta, const cep_shape *sh, size_t l, size_t i, size_t j)
{
    return theta[sh->W_off[l + 1] + j * sh->size[l] + i];
}

int cep_feedback_angles(double *out_deg, const double *theta, const cep_shape *sh)
{
    if (out_deg == NULL || theta == NULL || sh == NULL)
        return CEP_EARG;
    if (!CEP_MODEL_IS_VF(sh->model))
        return CEP_EMODEL;
    for (size_t l = 1; l < sh->n_layers; l++) {
        /* (VF.6) angle = acos(<B_l, W_{l+1}^T> / (||B_l|| ||W_{l+1}||)), sums in
         * long double so that the metric is not the limit of a test */
        long double dot = 0, nb = 0, nw = 0;
        const double *B = theta + sh->B_off[l];
        for (size_t i = 0; i < sh->size[l]; i++)
            for (size_t j = 0; j < sh->size[l + 1]; j++) {
                long double b = B[i * sh->size[l + 1] + j], w = w_transposed(theta, sh, l, i, j);
                dot += b * w;
                nb += b * b;
                nw += w * w;
            }
        if (nb == 0 || nw == 0) {
            out_deg[l - 1] = NAN;
            continue;
        }
        long double c = dot / sqrtl(nb * nw);
        if (c > 1) c = 1;
        if (c < -1) c = -1;
        out_deg[l - 1] = (double)(acosl(c) * 180.0L / acosl(-1.0L));
    }
    return CEP_OK;
}

int cep_init_feedback(double *theta, const cep_shape *sh, double angle_deg, uint64_t seed,
                      double *achieved_deg)
{
    if (theta == NULL || sh == NULL)
        return CEP_EARG;
    if (!CEP_MODEL_IS_VF(sh->model))
        return CEP_EMODEL;
    if (!(angle_deg >= 0.0 && angle_deg <= 180.0)) /* also refuses NaN */
        return CEP_EARG;
    /* (INIT.3) flip probability q = (1 - cos(angle)) / 2, exactly 0 at 0
     * degrees and 1 at 180; E[cos(B, W^T)] = 1 - 2q = cos(angle). */
    double q = angle_deg == 0.0 ? 0.0 : angle_deg == 180.0 ? 1.0
             : (1.0 - cos(angle_deg * (acos(-1.0) / 180.0))) / 2.0;
    cep_rng r;
    cep_rng_seed(&r, seed ^ 0xfeedbac4feedbac4u);
    for (size_t l = 1; l < sh->n_layers; l++) {
        double *B = theta + sh->B_off[l];
        for (size_t i = 0; i < sh->size[l]; i++)
            for (size_t j = 0; j < sh->size[l + 1]; j++) {
                double w = w_transposed(theta, sh, l, i, j);
                B[i * sh->size[l + 1] + j] = cep_rng_uniform(&r) < q ? -w : w;
            }
    }
    return achieved_deg ? cep_feedback_angles(achieved_deg, theta, sh) : CEP_OK;
}
