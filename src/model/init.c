/* init.c -- deterministic initial parameters and default data (spec §7).
 * Values are drawn in binary64 so that every precision starts from the very
 * same numbers (MPFR copies them exactly). */
#include <math.h>
#include "internal.h"

/* (INIT.1) W_n and b_n uniform in [-a, a) with a = 1/sqrt(n_{n-1}) (PyTorch's
 * nn.Linear law): theta_i = (2u - 1) * a, u from cep_rng_uniform, in theta
 * order (W_1 row by row, b_1, W_2, ...). */
void cep_init_theta(double *theta, const cep_shape *sh, uint64_t seed)
{
    cep_rng r;
    cep_rng_seed(&r, seed);
    for (size_t l = 1; l <= sh->n_layers; l++) {
        double a = 1.0 / sqrt((double)sh->size[l - 1]);
        size_t nW = sh->size[l] * sh->size[l - 1];
        for (size_t i = 0; i < nW; i++)
            theta[sh->W_off[l] + i] = (2.0 * cep_rng_uniform(&r) - 1.0) * a;
        for (size_t i = 0; i < sh->size[l]; i++)
            theta[sh->b_off[l] + i] = (2.0 * cep_rng_uniform(&r) - 1.0) * a;
    }
}

/* (INIT.2) x_i = u_i in [0, 1); then one more draw picks the class
 * c = floor(u * n_N) and y = e_c. */
void cep_init_data(double *x, double *y, const cep_shape *sh, uint64_t seed)
{
    cep_rng r;
    cep_rng_seed(&r, seed ^ 0x5eed5eed5eed5eedu);
    for (size_t i = 0; i < sh->size[0]; i++)
        x[i] = cep_rng_uniform(&r);
    size_t nN = sh->size[sh->n_layers];
    size_t c = (size_t)(cep_rng_uniform(&r) * (double)nN);
    if (c >= nN)
        c = nN - 1;
    for (size_t i = 0; i < nN; i++)
        y[i] = (i == c) ? 1.0 : 0.0;
}
