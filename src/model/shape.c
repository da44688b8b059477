/* shape.c -- network shape, offsets and validation (spec/model.md §1).
 *
 * ACSL: cep_shape_init establishes shape_ok(sh) (proofs/shape.acsl) when it
 * returns CEP_OK; the model and algorithm layers require it. */
#include <math.h>
#include <string.h>
#include "internal.h"

static const char *const model_names[] = {"energy", "prototypical"};
static const char *const act_names[] = {"tanh", "sigmoid4", "hardsigmoid", "identity"};

/*@ assigns \nothing;
    ensures valid: valid_read_string(\result);
*/
const char *cep_model_name(cep_model m)
{
    return (unsigned)m < 2 ? model_names[m] : "?";
}

/*@ assigns \nothing;
    ensures valid: valid_read_string(\result);
*/
const char *cep_activation_name(cep_activation a)
{
    return (unsigned)a < 4 ? act_names[a] : "?";
}

/*@ requires valid_out: \valid(out);
    requires valid_name: name == \null || valid_read_string(name);
    assigns *out;
    ensures status: \result == CEP_OK || \result == CEP_EMODEL;
    ensures ok: \result == CEP_OK ==> *out == CEP_MODEL_ENERGY || *out == CEP_MODEL_PROTOTYPICAL;
    ensures null: name == \null ==> \result == CEP_EMODEL;
*/
int cep_model_parse(cep_model *out, const char *name)
{
    /*@ loop invariant bound: 0 <= i <= 2;
        loop assigns i;
        loop variant 2 - i;
    */
    for (unsigned i = 0; i < 2; i++)
        if (name && strcmp(name, model_names[i]) == 0) {
            *out = (cep_model)i;
            return CEP_OK;
        }
    return CEP_EMODEL;
}

/*@ requires valid_out: \valid(out);
    requires valid_name: name == \null || valid_read_string(name);
    assigns *out;
    ensures status: \result == CEP_OK || \result == CEP_EACT;
    ensures ok: \result == CEP_OK ==> 0 <= *out <= CEP_ACT_IDENTITY;
    ensures null: name == \null ==> \result == CEP_EACT;
*/
int cep_activation_parse(cep_activation *out, const char *name)
{
    /*@ loop invariant bound: 0 <= i <= 4;
        loop assigns i;
        loop variant 4 - i;
    */
    for (unsigned i = 0; i < 4; i++)
        if (name && strcmp(name, act_names[i]) == 0) {
            *out = (cep_activation)i;
            return CEP_OK;
        }
    return CEP_EACT;
}

/* Offsets (LAYOUT.1-2): the state is s_1 .. s_N back to back; theta is
 * W_1, b_1, W_2, b_2, .., W_N, b_N back to back, W_n row-major. */
/*@ requires valid_sh: sh == \null || \valid(sh);
    requires valid_sizes: sizes == \null || \valid_read(sizes + (0 .. n_sizes - 1));
    requires sep: sh == \null || sizes == \null || \separated(sh, sizes + (0 .. n_sizes - 1));
    assigns *sh;
    ensures status: \result == CEP_OK || \result == CEP_EARG || \result == CEP_EMODEL ||
                    \result == CEP_EACT || \result == CEP_EEPS || \result == CEP_ELAYERS ||
                    \result == CEP_ESIZE || \result == CEP_EOVERFLOW || \result == CEP_EPARAMS;
    ensures arg: sh == \null || (n_sizes > 0 && sizes == \null) ==> \result == CEP_EARG;
    ensures shape: \result == CEP_OK ==> shape_ok(sh);
    ensures fields: \result == CEP_OK ==>
      sh->model == model && sh->act == act && sh->eps == eps &&
      sh->n_layers == n_sizes - 1 &&
      (\forall integer l; 0 <= l < n_sizes ==> sh->size[l] == sizes[l]);
*/
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
    /*@ loop invariant bound: 0 <= l <= n_sizes;
        loop invariant sizes: \forall integer k; 0 <= k < l ==> 1 <= sizes[k] <= CEP_MAX_LAYER_SIZE;
        loop assigns l;
        loop variant n_sizes - l;
    */
    for (size_t l = 0; l < n_sizes; l++)
        if (sizes[l] == 0 || sizes[l] > CEP_MAX_LAYER_SIZE)
            return CEP_ESIZE;
    sh->model = model;
    sh->act = act;
    sh->eps = eps;
    sh->n_layers = n_sizes - 1;
    size_t S = 0, P = 0;
    /*@ loop invariant bound: 0 <= l <= n_sizes;
        loop invariant copied: \forall integer k; 0 <= k < l ==> sh->size[k] == sizes[k];
        loop assigns l, sh->size[0 .. n_sizes - 1];
        loop variant n_sizes - l;
    */
    for (size_t l = 0; l < n_sizes; l++)
        sh->size[l] = sizes[l];
    /* The recurrences of shape_offsets (proofs/shape.acsl) for the layers
     * done so far, stated on the input sizes[] as it was on entry (Pre: the
     * facts then need no reasoning about the writes to *sh); the closed block
     * facts of shape_blocks follow at the end (lemma_shape_blocks). */
    /*@ loop invariant bound: 1 <= l <= n_sizes;
        loop invariant sizes: \forall integer k; 0 <= k < n_sizes ==>
          1 <= \at(sizes[k], Pre) <= CEP_MAX_LAYER_SIZE;
        loop invariant copied: \forall integer k; 0 <= k < n_sizes ==>
          sh->size[k] == \at(sizes[k], Pre);
        loop invariant totals: S <= P <= CEP_MAX_PARAMS;
        loop invariant start: l == 1 ==> S == 0 && P == 0;
        loop invariant first: l > 1 ==> sh->s_off[1] == 0 && sh->W_off[1] == 0;
        loop invariant last: l > 1 ==> \let k = l - 1;
          S == sh->s_off[k] + \at(sizes[k], Pre) && P == sh->b_off[k] + \at(sizes[k], Pre);
        loop invariant b_off: \forall integer k; 1 <= k < l ==>
          sh->b_off[k] == sh->W_off[k] + \at(sizes[k] * sizes[k - 1], Pre);
        loop invariant W_le_b: \forall integer k; 1 <= k < l ==> sh->W_off[k] <= sh->b_off[k];
        loop invariant next: \forall integer k; 1 <= k < l - 1 ==>
          sh->s_off[k + 1] == sh->s_off[k] + \at(sizes[k], Pre) &&
          sh->W_off[k + 1] == sh->b_off[k] + \at(sizes[k], Pre);
        loop invariant fields: sh->model == model && sh->act == act && sh->eps == eps &&
                               sh->n_layers == n_sizes - 1;
        loop assigns l, S, P, *sh;
        loop variant n_sizes - l;
    */
    for (size_t l = 1; l < n_sizes; l++) {
        /* sizes are <= 2^20, so a product is <= 2^40 and cannot overflow a
         * 64-bit size_t; on 32-bit targets check anyway. */
        /*@ assert frame: \let k = l; sizes[k] == \at(sizes[k], Pre) &&
              sizes[k - 1] == \at(sizes[k - 1], Pre); */
        /*@ assert positive: \let k = l; 1 <= sizes[k] <= CEP_MAX_LAYER_SIZE &&
              1 <= sizes[k - 1] <= CEP_MAX_LAYER_SIZE; */
        if (sizes[l] > SIZE_MAX / sizes[l - 1])
            return CEP_EOVERFLOW;
        /*@ ghost lemma_size_product(sizes[l], sizes[l - 1]); */
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
        /*@ assert written: \let k = l;
              sh->s_off[k] + \at(sizes[k], Pre) == S && sh->b_off[k] + \at(sizes[k], Pre) == P &&
              sh->b_off[k] == sh->W_off[k] + \at(sizes[k] * sizes[k - 1], Pre) &&
              sh->W_off[k] <= sh->b_off[k]; */
        /*@ assert kept: \forall integer k; 0 <= k < l ==>
              sh->s_off[k] == \at(sh->s_off[k], LoopCurrent) &&
              sh->W_off[k] == \at(sh->W_off[k], LoopCurrent) &&
              sh->b_off[k] == \at(sh->b_off[k], LoopCurrent); */
        /*@ assert kept_size: \forall integer k; 0 <= k < n_sizes ==>
              sh->size[k] == \at(sh->size[k], LoopCurrent); */
    }
    sh->S = S;
    sh->P = P;
    /*@ assert copied: \forall integer k; 0 <= k < n_sizes ==> sh->size[k] == \at(sizes[k], Pre); */
    /*@ assert sizes_ok: shape_sizes(sh); */
    /*@ assert chain_ok: shape_chain(sh); */
    /*@ assert offsets_ok: shape_offsets(sh); */
    /*@ ghost lemma_shape_blocks(sh); */
    /*@ assert hyper_ok: shape_hyper(sh); */
    return CEP_OK;
}

/*@ assigns \nothing;
    ensures status: \result == CEP_OK || \result == CEP_EHORIZON;
    ensures ok: \result == CEP_OK <==> 1 <= K <= T <= CEP_MAX_STEPS;
*/
int cep_check_horizon(size_t T, size_t K)
{
    if (K < 1 || T < K || T > CEP_MAX_STEPS)
        return CEP_EHORIZON;
    return CEP_OK;
}

/*@ assigns \nothing;
    ensures status: \result == CEP_OK || \result == CEP_EBETA;
    ensures ok: \result == CEP_OK <==> \is_finite(beta) && beta != 0.0;
*/
int cep_check_beta(double beta)
{
    if (!isfinite(beta) || beta == 0.0)
        return CEP_EBETA;
    return CEP_OK;
}

/*@ requires valid_eta: eta == \null || \valid_read(eta + (0 .. n - 1));
    assigns \nothing;
    ensures status: \result == CEP_OK || \result == CEP_EETA;
    ensures ok: \result == CEP_OK <==> eta == \null ||
      (\forall integer i; 0 <= i < n ==> \is_finite(eta[i]) && eta[i] >= 0.0);
*/
int cep_check_eta(size_t n, const double *eta)
{
    if (eta == NULL)
        return CEP_OK;
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant ok: \forall integer k; 0 <= k < i ==> \is_finite(eta[k]) && eta[k] >= 0.0;
        loop assigns i;
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        if (!isfinite(eta[i]) || eta[i] < 0.0)
            return CEP_EETA;
    return CEP_OK;
}

/*@ assigns \nothing;
    ensures value: \result.prec == 53 && \result.emulate == 0 &&
                   \result.emin == 0 && \result.emax == 0;
*/
cep_ctx cep_ctx_double(void)
{
    cep_ctx c = {53, 0, 0, 0};
    return c;
}

/*@ requires valid_out: out == \null || \valid(out);
    assigns *out;
    ensures status: \result == CEP_OK || \result == CEP_EARG || \result == CEP_EPREC;
    ensures arg: out == \null ==> \result == CEP_EARG;
    ensures ok: \result == CEP_OK <==> out != \null && CEP_PREC_MIN <= prec <= MPFR_PREC_MAX;
    ensures value: \result == CEP_OK ==>
      out->prec == prec && out->emulate == 0 && out->emin == 0 && out->emax == 0;
*/
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

/*@ assigns \nothing;
    ensures value: \result.prec == 53 && \result.emulate == 1 &&
                   \result.emin == -1073 && \result.emax == 1024;
*/
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
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    assigns \nothing;
    ensures value: \result == 5 * sh->S + max_size(sh, sh->n_layers);
    ensures layer: \forall integer l; 1 <= l <= sh->n_layers ==> 5 * sh->S + sh->size[l] <= \result;
    ensures bound: \result <= 5 * sh->S + CEP_MAX_LAYER_SIZE;
*/
size_t cep_model_work_len(const cep_shape *sh)
{
    size_t maxn = 0;
    /*@ loop invariant bound: 1 <= l <= sh->n_layers + 1;
        loop invariant max: maxn == max_size(sh, l - 1);
        loop invariant above: \forall integer k; 1 <= k < l ==> sh->size[k] <= maxn;
        loop invariant below: maxn <= CEP_MAX_LAYER_SIZE;
        loop assigns l, maxn;
        loop variant sh->n_layers + 1 - l;
    */
    for (size_t l = 1; l <= sh->n_layers; l++)
        if (sh->size[l] > maxn) maxn = sh->size[l];
    return 5 * sh->S + maxn;
}

