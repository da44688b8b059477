/* init.c -- deterministic initial parameters and default data (spec §7).
 * Values are drawn in binary64 so that every precision starts from the very
 * same numbers (MPFR copies them exactly).
 *
 * ACSL: the contracts (proved by WP in proofs/wp_util.c) state what is
 * written: theta's P entries, x's n_0 entries and y's n_N entries; x lies in
 * [0, 1) and y is a one-hot vector (values in real arithmetic). */
#include <math.h>
#include "internal.h"

/* (INIT.1) W_n and b_n uniform in [-a, a) with a = 1/sqrt(n_{n-1}) (PyTorch's
 * nn.Linear law): theta_i = (2u - 1) * a, u from cep_rng_uniform, in theta
 * order (W_1 row by row, b_1, W_2, ...). */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_theta: \valid(theta + (0 .. sh->P - 1));
    requires sep: \separated(theta + (0 .. sh->P - 1), sh);
    assigns theta[0 .. sh->P - 1];
*/
void cep_init_theta(double *theta, const cep_shape *sh, uint64_t seed)
{
    cep_rng r;
    cep_rng_seed(&r, seed);
    /*@ loop invariant bound: 1 <= l <= sh->n_layers + 1;
        loop assigns l, r.s[0 .. 3], theta[0 .. sh->P - 1];
        loop variant sh->n_layers + 1 - l;
    */
    for (size_t l = 1; l <= sh->n_layers; l++) {
        /*@ ghost lemma_W_block(sh, l); */ /* W_l before b_l, sizes in range */
        double a = 1.0 / sqrt((double)sh->size[l - 1]);
        /*@ ghost lemma_size_product(sh->size[l], sh->size[l - 1]); */
        size_t nW = sh->size[l] * sh->size[l - 1];
        /*@ assert nW: sh->W_off[l] + nW == sh->b_off[l]; */
        /*@ loop invariant bound: 0 <= i <= nW;
            loop assigns i, r.s[0 .. 3], theta[sh->W_off[l] .. sh->W_off[l] + nW - 1];
            loop variant nW - i;
        */
        for (size_t i = 0; i < nW; i++)
            theta[sh->W_off[l] + i] = (2.0 * cep_rng_uniform(&r) - 1.0) * a;
        /*@ loop invariant bound: 0 <= i <= sh->size[l];
            loop assigns i, r.s[0 .. 3], theta[sh->b_off[l] .. sh->b_off[l] + sh->size[l] - 1];
            loop variant sh->size[l] - i;
        */
        for (size_t i = 0; i < sh->size[l]; i++)
            theta[sh->b_off[l] + i] = (2.0 * cep_rng_uniform(&r) - 1.0) * a;
    }
}

/* (INIT.2) x_i = u_i in [0, 1); then one more draw picks the class
 * c = floor(u * n_N) and y = e_c. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_x: \valid(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid(y + (0 .. sh->size[sh->n_layers] - 1));
    requires sep: \separated(x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), sh);
    assigns x[0 .. sh->size[0] - 1], y[0 .. sh->size[sh->n_layers] - 1];
    ensures x_range: \forall integer i; 0 <= i < sh->size[0] ==> 0.0 <= x[i] < 1.0;
    ensures one_hot: \exists integer c; 0 <= c < sh->size[sh->n_layers] && y[c] == 1.0 &&
      (\forall integer i; 0 <= i < sh->size[sh->n_layers] && i != c ==> real_zero(y[i]));
*/
void cep_init_data(double *x, double *y, const cep_shape *sh, uint64_t seed)
{
    cep_rng r;
    cep_rng_seed(&r, seed ^ 0x5eed5eed5eed5eedu);
    /*@ loop invariant bound: 0 <= i <= sh->size[0];
        loop invariant x_range: \forall integer k; 0 <= k < i ==> 0.0 <= x[k] < 1.0;
        loop assigns i, r.s[0 .. 3], x[0 .. sh->size[0] - 1];
        loop variant sh->size[0] - i;
    */
    for (size_t i = 0; i < sh->size[0]; i++)
        x[i] = cep_rng_uniform(&r);
    size_t nN = sh->size[sh->n_layers];
    /*@ assert nN: 1 <= nN <= CEP_MAX_LAYER_SIZE; */
    size_t c = (size_t)(cep_rng_uniform(&r) * (double)nN);
    if (c >= nN)
        c = nN - 1;
    /*@ loop invariant bound: 0 <= i <= nN;
        loop invariant hot: c < i ==> y[c] == 1.0;
        loop invariant cold: \forall integer k; 0 <= k < i && k != c ==> real_zero(y[k]);
        loop assigns i, y[0 .. nN - 1];
        loop variant nN - i;
    */
    for (size_t i = 0; i < nN; i++)
        y[i] = (i == c) ? 1.0 : 0.0;
}
