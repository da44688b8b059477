/* eva_driver.c -- the EVA run of `make proofs` (proofs/README.md, TRUST.md).
 *
 * Executes the embedded default network of `make verify` (energy model,
 * tanh, 10-16-16-4, eps = 0.5) in binary64 -- first phase, C-EP second phase,
 * BPTT -- with every input given as an interval instead of a number:
 *   theta  each W_n, b_n entry in [-a_n, a_n], a_n = 1/sqrt(n_{n-1})  (INIT.1's law)
 *   x      each entry in [0, 1]                                      (INIT.2's law)
 *   y      each entry in [0, 1]
 *   beta   in [1e-3, 1e-1];   eta in [0, 1e-4] per layer
 * EVA then checks IEEE 754 semantics on every path: no overflow to an
 * infinity, no NaN, no invalid memory access, no undefined behaviour.
 * Horizons: T = 12 first-phase steps, K = 4 second-phase steps (EVA unrolls
 * or widens the loops; longer horizons only repeat the same operations on
 * intervals that the contraction keeps bounded, see TRUST.md).
 */
#include "eva_prelude.h"
#include "model/shape.c"
#include "scalar/scope.c"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "tensor/tensor_source.c"
#include "model/activation_source.c"
#include "model/model_source.c"
#include "algo/phases_source.c"
#include "algo/bptt_source.c"
#include "scalar/template_off.h"

enum { N0 = 10, N1 = 16, N2 = 16, N3 = 4, S = N1 + N2 + N3,
       P = N1 * N0 + N1 + N2 * N1 + N2 + N3 * N2 + N3, T = 12, K = 4 };

static double theta[P], x[N0], y[N3], s_star[S], traj[(T + 1) * S], residual;
static double ds[K * S], dth[K * P], total[P], theta_K[P], gs[(K + 1) * S], gth[K * P], tot_K[P];

int main(void)
{
    static const size_t sizes[] = {N0, N1, N2, N3};
    cep_shape sh;
    if (cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 4, sizes) != CEP_OK)
        return 1;
    cep_ctx ctx = cep_ctx_double();
    /* 1/sqrt(10) and 1/sqrt(16), rounded up */
    const double a[4] = {0.0, 0x1.43d136248490fp-2, 0.25, 0.25};
    for (size_t l = 1; l <= 3; l++)
        for (size_t i = sh.W_off[l]; i < sh.b_off[l] + sh.size[l]; i++)
            theta[i] = Frama_C_double_interval(-a[l], a[l]);
    for (size_t i = 0; i < N0; i++)
        x[i] = Frama_C_double_interval(0.0, 1.0);
    for (size_t i = 0; i < N3; i++)
        y[i] = Frama_C_double_interval(0.0, 1.0);
    double beta = Frama_C_double_interval(1e-3, 1e-1);
    double eta[3];
    for (size_t l = 0; l < 3; l++)
        eta[l] = Frama_C_double_interval(0.0, 1e-4);

    if (cep_free_phase_d(&ctx, s_star, traj, &residual, &sh, theta, x, T) != CEP_OK)
        return 2;
    if (cep_nudged_phase_d(&ctx, NULL, theta_K, ds, dth, total, &sh, theta, x, y, s_star, K,
                           beta, eta) != CEP_OK)
        return 3;
    if (cep_bptt_d(&ctx, gs, gth, tot_K, NULL, NULL, &sh, theta, x, y, traj, T, K) != CEP_OK)
        return 4;
    return 0;
}
