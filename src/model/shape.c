/* shape.c -- network shape, offsets and validation (spec/model.md §1).
 *
 * ACSL: cep_shape_init establishes shape_ok(sh) (proofs/shape.acsl) when it
 * returns CEP_OK; the model and algorithm layers require it. */
#include <math.h>
#include <string.h>
#include "internal.h"

/* Arrays of characters rather than pointers to literals, so that every entry
 * is plainly readable over its whole size (WP cannot see through a literal
 * to its terminator); each entry holds its terminating '\0'. */
static const char model_names[4][16] = {"energy", "prototypical", "prototypical-vf", "energy-vf"};
static const char act_names[4][12] = {"tanh", "sigmoid4", "hardsigmoid", "identity"};

/* strcmp(name, ref) == 0, written out: ref is a table entry of cap bytes
 * that holds its terminator, name any string.  The same test as strcmp's,
 * but WP proves every access: name is read only while it agrees with ref
 * on non-zero characters, hence never past its own terminator. */
/*@ requires valid_name: valid_read_string(name);
    requires valid_ref: \valid_read(ref + (0 .. cap - 1));
    assigns \nothing;
    ensures bool: \result == 0 || \result == 1;
*/
static int name_eq(const char *name, const char *ref, size_t cap)
{
    /*@ loop invariant bound: 0 <= k <= cap;
        loop invariant same: \forall integer j; 0 <= j < k ==> name[j] == ref[j] && ref[j] != '\0';
        loop invariant in_name: k <= strlen(name);
        loop assigns k;
        loop variant cap - k;
    */
    for (size_t k = 0; k < cap; k++) {
        if (name[k] != ref[k])
            return 0;
        if (ref[k] == '\0')
            return 1;
    }
    return 0;
}

/*@ assigns \nothing;
    ensures valid: \valid_read(\result);
*/
const char *cep_model_name(cep_model m)
{
    return (unsigned)m < 4 ? model_names[m] : "?";
}

/*@ assigns \nothing;
    ensures valid: \valid_read(\result);
*/
const char *cep_activation_name(cep_activation a)
{
    return (unsigned)a < 4 ? act_names[a] : "?";
}

/*@ requires valid_out: \valid(out);
    requires valid_name: name == \null || valid_read_string(name);
    assigns *out;
    ensures status: \result == CEP_OK || \result == CEP_EMODEL;
    ensures ok: \result == CEP_OK ==> CEP_MODEL_ENERGY <= *out <= CEP_MODEL_ENERGY_VF;
    ensures null: name == \null ==> \result == CEP_EMODEL;
*/
int cep_model_parse(cep_model *out, const char *name)
{
    /*@ loop invariant bound: 0 <= i <= 4;
        loop assigns i;
        loop variant 4 - i;
    */
    for (unsigned i = 0; i < 4; i++)
        if (name && name_eq(name, model_names[i], sizeof model_names[i])) {
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
        if (name && name_eq(name, act_names[i], sizeof act_names[i])) {
            *out = (cep_activation)i;
            return CEP_OK;
        }
    return CEP_EACT;
}

/*@
  // a * b again, but opaque to the provers: Why3 inlines size_mul (its body
  // is a bare product) before z3 and cvc4 see it, and a quantified product
  // in shape_layout's loop invariant put them into nonlinear arithmetic,
  // where they timed out even on linear goals.  This body is not "trivial"
  // for Why3, so layer_len stays a symbol with a defining axiom, and facts
  // about it combine by congruence alone.
  logic integer layer_len(integer a, integer b) = (a - 1) * b + b;
*/

/* Lemma functions for shape_layout, proved here in an empty context: C's
 * product of two sizes is layer_len, and so is W_len. */
/*@ ghost
  /@ requires a: 1 <= a <= CEP_MAX_LAYER_SIZE;
     requires b: 1 <= b <= CEP_MAX_LAYER_SIZE;
     assigns \nothing;
     ensures exact: (size_t)(a * b) == layer_len(a, b);
     ensures range: 1 <= layer_len(a, b) <= CEP_MAX_LAYER_SIZE * CEP_MAX_LAYER_SIZE;
  @/
  static void lemma_layer_len(size_t a, size_t b)
  {
    lemma_size_product(a, b);
  }
*/

/*@ ghost
  /@ assigns \nothing;
     ensures W_len: \forall integer k; 1 <= k < n ==>
       W_len(sh, k) == layer_len(sh->size[k], sh->size[k - 1]);
  @/
  static void lemma_W_len_layer(const cep_shape *sh, size_t n) { }
*/

/* The offsets and totals of cep_shape_init, once sh->n_layers and sh->size
 * are set (a function of its own so that the proofs see only this part). */
/*@ requires valid_sh: \valid(sh);
    requires n: 2 <= n_sizes <= CEP_MAX_LAYERS + 1 && sh->n_layers == n_sizes - 1;
    requires valid_sizes: \valid_read(sizes + (0 .. n_sizes - 1));
    requires sep: \separated(sh, sizes + (0 .. n_sizes - 1));
    requires sizes: \forall integer k; 0 <= k < n_sizes ==> 1 <= sizes[k] <= CEP_MAX_LAYER_SIZE;
    requires copied: \forall integer k; 0 <= k < n_sizes ==> sh->size[k] == sizes[k];
    assigns sh->s_off[1 .. CEP_MAX_LAYERS], sh->W_off[1 .. CEP_MAX_LAYERS],
            sh->b_off[1 .. CEP_MAX_LAYERS], sh->S, sh->P;
    ensures status: \result == CEP_OK || \result == CEP_EOVERFLOW || \result == CEP_EPARAMS;
    ensures kept: sh->n_layers == n_sizes - 1 &&
      (\forall integer k; 0 <= k < n_sizes ==> sh->size[k] == \old(sizes[k]) && sizes[k] == \old(sizes[k]));
    ensures chain: \result == CEP_OK ==> shape_chain(sh);
    ensures offsets: \result == CEP_OK ==> shape_offsets(sh);
*/
static int shape_layout(cep_shape *sh, size_t n_sizes, const size_t *sizes)
{
    size_t S = 0, P = 0, prev = sizes[0];
    /* Each offset the loop writes is also recorded in a ghost array (gS,
     * gW, gB; gL: the length of W_l, as layer_len so that no product reaches
     * the provers outside the lemma functions).  For WP these are logic
     * arrays, not memory: the recurrences are kept on them, on the sizes as
     * they were on entry (\at(.., Pre), constants too), and a single
     * invariant (link) ties them to the fields of *sh.  This keeps the goals
     * small enough for the provers.  The frame facts (sizes and sh->size
     * unchanged) are re-asserted after each write and before each early
     * return: one write at a time is quick to prove, and the postcondition
     * `kept`, which joins every return path, then finds them as written. */
    size_t l; /* declared here: the assertions after the loop use its final value */
    /*@ ghost size_t gS[CEP_MAX_LAYERS + 1], gW[CEP_MAX_LAYERS + 1], gB[CEP_MAX_LAYERS + 1],
                     gL[CEP_MAX_LAYERS + 1]; */
    /*@ loop invariant bound: 1 <= l <= n_sizes;
        loop invariant kept: \forall integer k; 0 <= k < n_sizes ==> sizes[k] == \at(sizes[k], Pre);
        loop invariant copied: \forall integer k; 0 <= k < n_sizes ==> sh->size[k] == \at(sizes[k], Pre);
        loop invariant n: sh->n_layers == n_sizes - 1;
        loop invariant prev: \let k = l - 1; prev == \at(sizes[k], Pre);
        loop invariant totals: S <= P <= CEP_MAX_PARAMS;
        loop invariant start: l == 1 ==> S == 0 && P == 0;
        loop invariant first: l > 1 ==> gS[1] == 0 && gW[1] == 0;
        loop invariant last: l > 1 ==> \let k = l - 1;
          S == gS[k] + \at(sizes[k], Pre) && P == gB[k] + \at(sizes[k], Pre);
        loop invariant b_off: \forall integer k; 1 <= k < l ==> gB[k] == gW[k] + gL[k];
        loop invariant len: \forall integer k; 1 <= k < l ==>
          gL[k] == layer_len(\at(sizes[k], Pre), \at(sizes[k - 1], Pre));
        loop invariant mono: \forall integer k; 1 <= k < l ==> gW[k] <= gB[k];
        loop invariant next: \forall integer k; 1 <= k < l - 1 ==>
          gS[k + 1] == gS[k] + \at(sizes[k], Pre) && gW[k + 1] == gB[k] + \at(sizes[k], Pre);
        loop invariant link: \forall integer k; 1 <= k < l ==>
          sh->s_off[k] == gS[k] && sh->W_off[k] == gW[k] && sh->b_off[k] == gB[k];
        loop assigns l, prev, S, P, sh->s_off[1 .. n_sizes - 1], sh->W_off[1 .. n_sizes - 1],
                     sh->b_off[1 .. n_sizes - 1], gS[1 .. n_sizes - 1], gW[1 .. n_sizes - 1],
                     gB[1 .. n_sizes - 1], gL[1 .. n_sizes - 1];
        loop variant n_sizes - l;
    */
    for (l = 1; l < n_sizes; l++) {
        /* sizes are <= 2^20, so a product is <= 2^40 and cannot overflow a
         * 64-bit size_t; on 32-bit targets check anyway.  n_{l-1} is carried
         * in prev rather than read as sizes[l - 1]: C's size_t index l - 1
         * (to_uint64(l - 1) for WP) made the product goals time out. */
        size_t cur = sizes[l];
        /*@ assert cur: \let k = l; cur == \at(sizes[k], Pre) &&
              1 <= cur <= CEP_MAX_LAYER_SIZE && 1 <= prev <= CEP_MAX_LAYER_SIZE; */
        if (cur > SIZE_MAX / prev) {
            /*@ assert kept_ovf: sh->n_layers == n_sizes - 1 &&
                  (\forall integer k; 0 <= k < n_sizes ==>
                     sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre)); */
            return CEP_EOVERFLOW;
        }
        /*@ ghost lemma_layer_len(cur, prev); */
        size_t wl = cur * prev;
        /*@ assert wl: \let k = l; wl == layer_len(\at(sizes[k], Pre), \at(sizes[k - 1], Pre)); */
        /*@ ghost gL[l] = wl; */
        sh->s_off[l] = S;
        /*@ assert frame_s: \forall integer k; 0 <= k < n_sizes ==>
              sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre); */
        /*@ ghost gS[l] = S; */
        S += cur;
        sh->W_off[l] = P;
        /*@ ghost gW[l] = P; */
        if (wl > CEP_MAX_PARAMS || P > CEP_MAX_PARAMS - wl) {
            /*@ assert kept_W: sh->n_layers == n_sizes - 1 &&
                  (\forall integer k; 0 <= k < n_sizes ==>
                     sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre)); */
            return CEP_EPARAMS;
        }
        P += wl;
        /*@ assert P_W: P == gW[l] + wl; */
        sh->b_off[l] = P;
        /*@ assert frame_b: \forall integer k; 0 <= k < n_sizes ==>
              sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre); */
        /*@ ghost gB[l] = P; */
        if (P > CEP_MAX_PARAMS - cur) {
            /*@ assert kept_b: sh->n_layers == n_sizes - 1 &&
                  (\forall integer k; 0 <= k < n_sizes ==>
                     sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre)); */
            return CEP_EPARAMS;
        }
        P += cur;
        /*@ assert new_b: \let k = l; gB[k] == gW[k] + gL[k] && gW[k] <= gB[k]; */
        /*@ assert new_S: \let k = l; S == gS[k] + \at(sizes[k], Pre) && S <= P; */
        prev = cur;
        /* The instances at k = l of len and link: with them the provers only
         * split k < l / k == l for the preserved invariants. */
        /*@ assert len_l: \let k = l; gL[k] == layer_len(\at(sizes[k], Pre), \at(sizes[k - 1], Pre)); */
        /*@ assert link_l: \let k = l;
              sh->s_off[k] == gS[k] && sh->W_off[k] == gW[k] && sh->b_off[k] == gB[k]; */
        /*@ assert link_next: \forall integer k; 1 <= k <= l ==>
              sh->s_off[k] == gS[k] && sh->W_off[k] == gW[k] && sh->b_off[k] == gB[k]; */
        /*@ assert l_next: (size_t)(l + 1) == l + 1; */ /* the increment does not wrap */
    }
    /*@ assert l_end: l == n_sizes; */ /* lets WP substitute l in `last` */
    /*@ assert last_g: \let k = n_sizes - 1;
          S == gS[k] + \at(sizes[k], Pre) && P == gB[k] + \at(sizes[k], Pre); */
    sh->S = S;
    sh->P = P;
    /* The facts on *sh, one small step at a time (N = n_sizes - 1). */
    /*@ assert kept_all: sh->n_layers == n_sizes - 1 &&
          (\forall integer k; 0 <= k < n_sizes ==>
             sh->size[k] == \at(sizes[k], Pre) && sizes[k] == \at(sizes[k], Pre)); */
    /*@ assert n: sh->n_layers == n_sizes - 1; */
    /*@ assert copied: \forall integer k; 0 <= k < n_sizes ==> sh->size[k] == \at(sizes[k], Pre); */
    /*@ assert linked: \forall integer k; 1 <= k < n_sizes ==>
          sh->s_off[k] == gS[k] && sh->W_off[k] == gW[k] && sh->b_off[k] == gB[k]; */
    /*@ assert first_ok: sh->s_off[1] == 0 && sh->W_off[1] == 0; */
    /*@ assert mono_ok: \forall integer k; 1 <= k < n_sizes ==> sh->W_off[k] <= sh->b_off[k]; */
    /*@ assert b_off_L: \forall integer k; 1 <= k < n_sizes ==> sh->b_off[k] == sh->W_off[k] + gL[k]; */
    /*@ ghost lemma_W_len_layer(sh, n_sizes); */ /* L_ok is then congruence only */
    /*@ assert L_ok: \forall integer k; 1 <= k < n_sizes ==> gL[k] == W_len(sh, k); */
    /*@ assert b_off_ok: \forall integer k; 1 <= k < n_sizes ==>
          sh->b_off[k] == sh->W_off[k] + W_len(sh, k); */
    /*@ assert next_ok: \forall integer k; 1 <= k < n_sizes - 1 ==>
          sh->s_off[k + 1] == sh->s_off[k] + sh->size[k] &&
          sh->W_off[k + 1] == sh->b_off[k] + sh->size[k]; */
    /*@ assert last_inst: \let k = n_sizes - 1;
          sh->s_off[k] == gS[k] && sh->b_off[k] == gB[k] && sh->size[k] == \at(sizes[k], Pre); */
    /*@ assert last_ok: \let k = n_sizes - 1;
          sh->S == sh->s_off[k] + sh->size[k] && sh->P == sh->b_off[k] + sh->size[k]; */
    /*@ assert totals_ok: sh->S <= sh->P <= CEP_MAX_PARAMS; */
    /*@ assert chain_ok: shape_chain(sh); */
    /*@ assert offsets_ok: shape_offsets(sh); */
    /*@ assert kept_end: \forall integer k; 0 <= k < n_sizes ==> sizes[k] == \at(sizes[k], Pre); */
    return CEP_OK;
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
    ensures shape: \result == CEP_OK && !CEP_MODEL_IS_VF(model) ==> shape_ok(sh);
    ensures fields: \result == CEP_OK && !CEP_MODEL_IS_VF(model) ==>
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
    if ((unsigned)model > CEP_MODEL_ENERGY_VF)
        return CEP_EMODEL;
    /* A VF model is laid out as its symmetric base (LAYOUT.1-2), then its
     * feedback blocks are appended (LAYOUT.3, shape_vf.c, outside the proofs:
     * such a shape is not shape_ok). */
    int vf = CEP_MODEL_IS_VF(model);
    cep_model base = model == CEP_MODEL_ENERGY_VF ? CEP_MODEL_ENERGY
                   : model == CEP_MODEL_PROTOTYPICAL_VF ? CEP_MODEL_PROTOTYPICAL : model;
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
    /*@ assert base_ok: !CEP_MODEL_IS_VF(model) ==> base == model; */
    sh->model = base;
    /*@ assert model_set: !CEP_MODEL_IS_VF(model) ==> sh->model == model; */
    sh->act = act;
    sh->eps = eps;
    sh->n_layers = n_sizes - 1;
    /* Proof notes.  This loop and shape_layout's carry the frame facts as
     * invariants (kept: sizes is untouched, it is separated from *sh;
     * copied, n: the fields already set stay set), so that each goal only
     * looks at one iteration's writes. */
    /*@ loop invariant bound: 0 <= l <= n_sizes;
        loop invariant copied: \forall integer k; 0 <= k < l ==> sh->size[k] == \at(sizes[k], Pre);
        loop invariant kept: \forall integer k; 0 <= k < n_sizes ==> sizes[k] == \at(sizes[k], Pre);
        loop invariant n: sh->n_layers == n_sizes - 1;
        loop assigns l, sh->size[0 .. n_sizes - 1];
        loop variant n_sizes - l;
    */
    for (size_t l = 0; l < n_sizes; l++)
        sh->size[l] = sizes[l];
    int st = shape_layout(sh, n_sizes, sizes);
    if (st != CEP_OK)
        return st;
    /*@ assert n: sh->n_layers == n_sizes - 1; */
    /*@ assert copied: \forall integer k; 0 <= k < n_sizes ==> sh->size[k] == \at(sizes[k], Pre); */
    /*@ assert n_range: 1 <= sh->n_layers <= CEP_MAX_LAYERS; */
    /*@ assert size_range: \forall integer k; 0 <= k <= sh->n_layers ==>
          1 <= sh->size[k] <= CEP_MAX_LAYER_SIZE; */
    /*@ ghost lemma_shape_sizes(sh); */
    /*@ assert sizes_ok: shape_sizes(sh); */
    /*@ ghost lemma_shape_blocks(sh); */
    /*@ assert hyper_ok: shape_hyper(sh); */
    /*@ assert model_kept: !CEP_MODEL_IS_VF(model) ==> sh->model == model; */
    if (vf)
        return cep_shape_add_feedback(sh, model);
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
        loop invariant unfold: l <= sh->n_layers ==>
          max_size(sh, l) == \max(max_size(sh, l - 1), (integer)sh->size[l]);
        loop invariant above: \forall integer k; 1 <= k < l ==> sh->size[k] <= maxn;
        loop invariant below: maxn <= CEP_MAX_LAYER_SIZE;
        loop assigns l, maxn;
        loop variant sh->n_layers + 1 - l;
    */
    for (size_t l = 1; l <= sh->n_layers; l++)
        if (sh->size[l] > maxn) maxn = sh->size[l];
    /*@ assert maxn_value: maxn == max_size(sh, sh->n_layers); */
    /*@ assert S_small: sh->S <= CEP_MAX_PARAMS; */ /* so no wrap-around below */
    return 5 * sh->S + maxn;
}

