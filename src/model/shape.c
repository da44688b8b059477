/* shape.c -- network shape, offsets and validation (spec/model.md §1). */
#include <math.h>
#include <string.h>
#include "internal.h"

static const char *const model_names[] = {"energy", "prototypical"};
static const char *const act_names[] = {"tanh", "sigmoid4", "hardsigmoid", "identity"};

const char *cep_model_name(cep_model m)
{
    return (unsigned)m < 2 ? model_names[m] : "?";
}

const char *cep_activation_name(cep_activation a)
{
    return (unsigned)a < 4 ? act_names[a] : "?";
}

int cep_model_parse(cep_model *out, const char *name)
{
    for (unsigned i = 0; i < 2; i++)
        if (name && strcmp(name, model_names[i]) == 0) {
            *out = (cep_model)i;
            return CEP_OK;
        }
    return CEP_EMODEL;
}

int cep_activation_parse(cep_activation *out, const char *name)
{
    for (unsigned i = 0; i < 4; i++)
        if (name && strcmp(name, act_names[i]) == 0) {
            *out = (cep_activation)i;
            return CEP_OK;
        }
    return CEP_EACT;
}

/* Offsets (LAYOUT.1-2): the state is s_1 .. s_N back to back; theta is
 * W_1, b_1, W_2, b_2, .., W_N, b_N back to back, W_n row-major. */
int cep_shape_init(cep_shape *sh, cep_model model, cep_activation act,
                   double eps, size_t n_sizes, const size_t *sizes)
{
    if (sh == NULL || (n_sizes > 0 && sizes == NULL))
        return CEP_EARG;
    memset(sh, 0, sizeof *sh);
    if ((unsigned)model > CEP_MODEL_PROTOTYPICAL)
        return CEP_EMODEL;
    if ((unsigned)act > CEP_ACT_IDENTITY)
        return CEP_EACT;
    if (!(eps > 0.0 && eps <= 1.0)) /* also refuses NaN */
        return CEP_EEPS;
    if (n_sizes < 2 || n_sizes > CEP_MAX_LAYERS + 1)
        return CEP_ELAYERS;
    for (size_t l = 0; l < n_sizes; l++)
        if (sizes[l] == 0 || sizes[l] > CEP_MAX_LAYER_SIZE)
            return CEP_ESIZE;
    sh->model = model;
    sh->act = act;
    sh->eps = eps;
    sh->n_layers = n_sizes - 1;
    size_t S = 0, P = 0;
    for (size_t l = 0; l < n_sizes; l++)
        sh->size[l] = sizes[l];
    for (size_t l = 1; l < n_sizes; l++) {
        /* sizes are <= 2^20, so a product is <= 2^40 and cannot overflow a
         * 64-bit size_t; on 32-bit targets check anyway. */
        if (sizes[l] > SIZE_MAX / sizes[l - 1])
            return CEP_EOVERFLOW;
        size_t wl = sizes[l] * sizes[l - 1];
        sh->s_off[l] = S;
        S += sizes[l];
        sh->W_off[l] = P;
        if (wl > CEP_MAX_PARAMS || P > CEP_MAX_PARAMS - wl)
            return CEP_EPARAMS;
        P += wl;
        sh->b_off[l] = P;
        if (P > CEP_MAX_PARAMS - sizes[l])
            return CEP_EPARAMS;
        P += sizes[l];
    }
    sh->S = S;
    sh->P = P;
    return CEP_OK;
}

int cep_check_horizon(size_t T, size_t K)
{
    if (K < 1 || T < K || T > CEP_MAX_STEPS)
        return CEP_EHORIZON;
    return CEP_OK;
}

int cep_check_beta(double beta)
{
    if (!isfinite(beta) || beta == 0.0)
        return CEP_EBETA;
    return CEP_OK;
}

int cep_check_eta(size_t n, const double *eta)
{
    if (eta == NULL)
        return CEP_OK;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(eta[i]) || eta[i] < 0.0)
            return CEP_EETA;
    return CEP_OK;
}

cep_ctx cep_ctx_double(void)
{
    cep_ctx c = {53, 0, 0, 0};
    return c;
}

int cep_ctx_mpfr(cep_ctx *out, long prec)
{
    if (out == NULL)
        return CEP_EARG;
    if (prec < CEP_PREC_MIN || prec > MPFR_PREC_MAX)
        return CEP_EPREC;
    out->prec = prec;
    out->emulate = 0;
    out->emin = 0;
    out->emax = 0;
    return CEP_OK;
}

cep_ctx cep_ctx_binary64_emulation(void)
{
    /* binary64: 53-bit significand; with MPFR's significand in [1/2, 1) the
     * smallest subnormal 2^-1074 has exponent -1073 and DBL_MAX < 2^1024. */
    cep_ctx c = {53, 1, -1073, 1024};
    return c;
}

/* Workspace length of the model functions (model_source.c): 5*S plus one
 * layer of scratch.  cep_shape_init bounds S by CEP_MAX_PARAMS, so this
 * cannot overflow. */
size_t cep_model_work_len(const cep_shape *sh)
{
    size_t maxn = 0;
    for (size_t l = 1; l <= sh->n_layers; l++)
        if (sh->size[l] > maxn) maxn = sh->size[l];
    return 5 * sh->S + maxn;
}

