/* model_source.c -- the two symmetric models of spec/model.md §2 (templated).
 *
 * Dimension key: N layers after the input; n_l = sh->size[l]; S = n_1+..+n_N
 * (state); P = |theta|.  Layer l of a state lives at s + sh->s_off[l].
 *
 * Both models are written with the "presynaptic value" p_l of (PRE.1):
 *   energy:        p_l = rho(s_l)     prototypical:  p_l = s_l      p_0 = x,
 * the total input (PRE.2)
 *   h_l = W_l p_{l-1} + b_l + W_{l+1}^T p_{l+1}    (last term absent for l = N),
 * and G = c * dPhi-structure with c = eps (energy) or 1 (prototypical).
 *
 * Workspace: `work` has cep_model_work_len(sh) = 5*S + max_l n_l entries:
 *   [0,S) p   [S,2S) p' = dp/ds   [2S,3S) rho''(s)   [3S,4S) h
 *   [4S,5S) w (the VJP's scaled cotangent)   [5S,..) column-sum scratch.
 */

#define W_BLOCK(theta, sh, l) ((theta) + (sh)->W_off[l])
#define B_BLOCK(theta, sh, l) ((theta) + (sh)->b_off[l])
#define LAYER(v, sh, l) ((v) + (sh)->s_off[l])

/* p and (optionally) p' and rho''(s) of (PRE.1) for every layer. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires valid_p: \valid(p + (0 .. sh->S - 1));
    requires valid_dp: dp == \null || \valid(dp + (0 .. sh->S - 1));
    requires valid_dd: ddrho == \null || \valid(ddrho + (0 .. sh->S - 1));
    requires sep_p: \separated(p + (0 .. sh->S - 1), s + (0 .. sh->S - 1), sh);
    requires sep_dp: dp != \null ==> \separated(dp + (0 .. sh->S - 1), p + (0 .. sh->S - 1),
                                                s + (0 .. sh->S - 1), sh);
    requires sep_dd: ddrho != \null ==> \separated(ddrho + (0 .. sh->S - 1), p + (0 .. sh->S - 1),
                                                   s + (0 .. sh->S - 1), sh);
    requires sep_dp_dd: dp != \null && ddrho != \null ==>
                          \separated(dp + (0 .. sh->S - 1), ddrho + (0 .. sh->S - 1));
    assigns p[0 .. sh->S - 1], dp[0 .. sh->S - 1], ddrho[0 .. sh->S - 1];
    ensures p_energy: sh->model == CEP_MODEL_ENERGY ==>
      \forall integer q; 0 <= q < sh->S ==> p[q] == act_rho(sh->act, \old(s[q]));
    ensures p_proto: sh->model != CEP_MODEL_ENERGY ==>
      \forall integer q; 0 <= q < sh->S ==> p[q] == \old(s[q]);
    ensures dp: dp != \null ==>
      \forall integer q; 0 <= q < sh->S ==> dp[q] == pre_d(sh, \old(s[q]));
    ensures ddrho: ddrho != \null ==>
      \forall integer q; 0 <= q < sh->S ==> ddrho[q] == pre_dd(sh, \old(s[q]));
*/
static void FN(presyn)(const cep_ctx *ctx, REAL *p, REAL *dp, REAL *ddrho,
                       const cep_shape *sh, const REAL *s)
{
    if (sh->model == CEP_MODEL_ENERGY) {
        FN(act_eval)(ctx, p, dp, ddrho, sh->act, s, sh->S);
    } else {
        FN(t_copy)(ctx, p, s, sh->S);
        if (dp) {
            /*@ loop invariant bound: 0 <= i <= sh->S;
                loop invariant one: \forall integer q; 0 <= q < i ==> dp[q] == 1.0;
                loop assigns i, dp[0 .. sh->S - 1];
                loop variant sh->S - i;
            */
            for (size_t i = 0; i < sh->S; i++)
                R_SET_DBL(ctx, &dp[i], 1.0);
        }
        if (ddrho) FN(t_zero)(ctx, ddrho, sh->S);
    }
}

/* h_l of (PRE.2) for l = 1..N, in the order (ORD.2):
 * h_l = ((row sums of W_l p_{l-1}) + b_l) + (column sums of W_{l+1}^T p_{l+1}). */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires valid_h: \valid(h + (0 .. sh->S - 1));
    requires valid_scratch: \valid(scratch + (0 .. max_size(sh, sh->n_layers) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_p: \valid_read(p + (0 .. sh->S - 1));
    requires sep: \separated(h + (0 .. sh->S - 1), scratch + (0 .. max_size(sh, sh->n_layers) - 1),
                             theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                             p + (0 .. sh->S - 1), sh);
    assigns h[0 .. sh->S - 1], scratch[0 .. max_size(sh, sh->n_layers) - 1];
*/
static void FN(total_input)(const cep_ctx *ctx, REAL *h, REAL *scratch, const cep_shape *sh,
                            const REAL *theta, const REAL *x, const REAL *p)
{
    size_t N = sh->n_layers;
    /*@ loop invariant bound: 1 <= l <= N + 1;
        loop assigns l, h[0 .. sh->S - 1], scratch[0 .. max_size(sh, sh->n_layers) - 1];
        loop variant N + 1 - l;
    */
    for (size_t l = 1; l <= N; l++) {
        //@ ghost model_layer_lemma(sh, l);
        //@ assert fits: sh->size[l] <= max_size(sh, sh->n_layers);
        REAL *hl = LAYER(h, sh, l);
        const REAL *prev = (l == 1) ? x : LAYER(p, sh, l - 1);
        //@ ghost if (l > 1) model_layer_lemma(sh, l - 1);
        FN(t_zero)(ctx, hl, sh->size[l]);
        FN(t_matvec_acc)(ctx, hl, W_BLOCK(theta, sh, l), prev, sh->size[l], sh->size[l - 1]);
        FN(t_add_to)(ctx, hl, B_BLOCK(theta, sh, l), sh->size[l]);
        if (l < N) {
            //@ ghost model_layer_lemma(sh, l + 1);
            FN(t_matvec_t_acc)(ctx, hl, scratch, W_BLOCK(theta, sh, l + 1),
                               LAYER(p, sh, l + 1), sh->size[l + 1], sh->size[l]);
        }
    }
}

/* out = F(x, s, theta): (F.E) or (F.P).  out must not alias s or work. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires valid_out: \valid(out + (0 .. sh->S - 1));
    requires valid_work: \valid(work + (0 .. work_len(sh) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires sep: \separated(out + (0 .. sh->S - 1), work + (0 .. work_len(sh) - 1),
                             theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                             s + (0 .. sh->S - 1), sh);
    assigns out[0 .. sh->S - 1], work[0 .. work_len(sh) - 1];
*/
void FN(m_step)(const cep_ctx *ctx, REAL *out, REAL *work, const cep_shape *sh,
                const REAL *theta, const REAL *x, const REAL *s)
{
    if (CEP_MODEL_IS_VF(sh->model)) { /* (F.PVF), (F.EVF): never under shape_ok */
        FN(vf_step)(ctx, out, work, sh, theta, x, s);
        return;
    }
    size_t S = sh->S;
    //@ ghost model_work_lemma(sh);
    REAL *p = work, *dp = work + S, *h = work + 3 * S, *scratch = work + 5 * S;
    int energy = sh->model == CEP_MODEL_ENERGY;
    FN(presyn)(ctx, p, energy ? dp : NULL, NULL, sh, s);
    FN(total_input)(ctx, h, scratch, sh, theta, x, p);
    if (energy) {
        /* (F.E) F = (1 - eps) * s + eps * (rho'(s) (.) h) */
        REAL om[1], e[1], a[1];
        R_INIT(ctx, om);
        R_INIT(ctx, e);
        R_INIT(ctx, a);
        R_SET_DBL(ctx, e, sh->eps);
        R_SET_DBL(ctx, om, 1.0);
        R_SUB(ctx, om, om, e);
        /*@ loop invariant bound: 0 <= i <= S;
            loop assigns i, a[0], out[0 .. S - 1];
            loop variant S - i;
        */
        for (size_t i = 0; i < S; i++) {
            R_MUL(ctx, a, &dp[i], &h[i]);
            R_MUL(ctx, a, e, a);
            R_MUL(ctx, &out[i], om, &s[i]);
            R_ADD(ctx, &out[i], &out[i], a);
        }
        R_CLEAR(a);
        R_CLEAR(e);
        R_CLEAR(om);
    } else {
        /* (F.P) F = rho(h) */
        FN(act_eval)(ctx, out, NULL, NULL, sh->act, h, S);
    }
}

/* g = G(x, s) = dPhi/dtheta in theta's layout: (G.E) or (G.P),
 * dPhi/dW_l = (c * p_l) p_{l-1}^T and dPhi/db_l = c * p_l (c = eps or 1). */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires valid_g: \valid(g + (0 .. sh->P - 1));
    requires valid_work: \valid(work + (0 .. work_len(sh) - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires sep: \separated(g + (0 .. sh->P - 1), work + (0 .. work_len(sh) - 1),
                             x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1), sh);
    assigns g[0 .. sh->P - 1], work[0 .. work_len(sh) - 1];
*/
void FN(m_G)(const cep_ctx *ctx, REAL *g, REAL *work, const cep_shape *sh,
             const REAL *x, const REAL *s)
{
    //@ ghost model_work_lemma(sh);
    REAL *p = work;
    REAL c[1];
    R_INIT(ctx, c);
    int energy = sh->model == CEP_MODEL_ENERGY;
    R_SET_DBL(ctx, c, energy ? sh->eps : 1.0);
    FN(presyn)(ctx, p, NULL, NULL, sh, s);
    /*@ loop invariant bound: 1 <= l <= sh->n_layers + 1;
        loop assigns l, g[0 .. sh->P - 1];
        loop variant sh->n_layers + 1 - l;
    */
    for (size_t l = 1; l <= sh->n_layers; l++) {
        //@ ghost model_layer_lemma(sh, l);
        //@ ghost if (l > 1) model_layer_lemma(sh, l - 1);
        const REAL *pl = LAYER(p, sh, l);
        const REAL *prev = (l == 1) ? x : LAYER(p, sh, l - 1);
        FN(t_outer)(ctx, W_BLOCK(g, sh, l), energy ? c : NULL, pl, prev,
                    sh->size[l], sh->size[l - 1]);
        REAL *gb = B_BLOCK(g, sh, l);
        /*@ loop invariant bound: 0 <= i <= sh->size[l];
            loop assigns i, g[sh->b_off[l] .. sh->b_off[l] + sh->size[l] - 1];
            loop variant sh->size[l] - i;
        */
        for (size_t i = 0; i < sh->size[l]; i++) {
            if (energy)
                R_MUL(ctx, &gb[i], c, &pl[i]);
            else
                R_SET(ctx, &gb[i], &pl[i]);
        }
    }
    R_CLEAR(c);
}

/* u = (dF/ds)^T v and gtheta = (dF/dtheta)^T v at (x, s, theta): (VJP.E),
 * (VJP.P).  With the scaled cotangent w_l of (VJP.1)
 *   energy: w_l = eps * (rho'(s_l) (.) v_l)    prototypical: w_l = rho'(h_l) (.) v_l
 * and q_l = W_{l+1}^T w_{l+1} + W_l w_{l-1} (terms present when the layers
 * exist; the state has no layer 0):
 *   u_l = d_l (.) v_l + p'_l (.) q_l  with d_l = (1 - eps) + eps * rho''(s_l) h_l
 *                                     (energy, (VJP.2)),
 *   u_l = q_l                         (prototypical, (VJP.3)),
 *   dW_l = w_l p_{l-1}^T + p_l w_{l-1}^T (second term for l >= 2), db_l = w_l  (VJP.4).
 * u and gtheta must not alias the inputs or work. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires valid_u: \valid(u + (0 .. sh->S - 1));
    requires valid_gtheta: gtheta == \null || \valid(gtheta + (0 .. sh->P - 1));
    requires valid_work: \valid(work + (0 .. work_len(sh) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires valid_v: \valid_read(v + (0 .. sh->S - 1));
    requires sep: \separated(u + (0 .. sh->S - 1), work + (0 .. work_len(sh) - 1),
                             theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                             s + (0 .. sh->S - 1), v + (0 .. sh->S - 1), sh);
    requires sep_gtheta: gtheta != \null ==>
                 \separated(gtheta + (0 .. sh->P - 1), u + (0 .. sh->S - 1),
                            work + (0 .. work_len(sh) - 1), theta + (0 .. sh->P - 1),
                            x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1),
                            v + (0 .. sh->S - 1), sh);
    assigns u[0 .. sh->S - 1], work[0 .. work_len(sh) - 1];
    assigns gtheta[0 .. sh->P - 1];
*/
void FN(m_step_vjp)(const cep_ctx *ctx, REAL *u, REAL *gtheta, REAL *work, const cep_shape *sh,
                    const REAL *theta, const REAL *x, const REAL *s, const REAL *v)
{
    if (CEP_MODEL_IS_VF(sh->model)) { /* (VJP.VF): never under shape_ok */
        FN(vf_step_vjp)(ctx, u, gtheta, work, sh, theta, x, s, v);
        return;
    }
    size_t S = sh->S, N = sh->n_layers;
    //@ ghost model_work_lemma(sh);
    REAL *p = work, *dp = work + S, *dd = work + 2 * S, *h = work + 3 * S;
    REAL *w = work + 4 * S, *scratch = work + 5 * S;
    int energy = sh->model == CEP_MODEL_ENERGY;
    REAL e[1], om[1], a[1], b[1];
    R_INIT(ctx, e);
    R_INIT(ctx, om);
    R_INIT(ctx, a);
    R_INIT(ctx, b);
    R_SET_DBL(ctx, e, sh->eps);
    R_SET_DBL(ctx, om, 1.0);
    R_SUB(ctx, om, om, e);

    FN(presyn)(ctx, p, dp, energy ? dd : NULL, sh, s);
    /*@ assert eps_presyn: sh->eps == \at(sh->eps, Pre); */ /* shape_ok still holds */
    FN(total_input)(ctx, h, scratch, sh, theta, x, p);
    if (energy) {
        /*@ loop invariant bound: 0 <= i <= S;
            loop assigns i, a[0], w[0 .. S - 1];
            loop variant S - i;
        */
        for (size_t i = 0; i < S; i++) {
            R_MUL(ctx, a, &dp[i], &v[i]);
            R_MUL(ctx, &w[i], e, a);
        }
    } else {
        /* rho'(h) goes to dd, which the prototypical model does not use. */
        FN(act_eval)(ctx, NULL, dd, NULL, sh->act, h, S);
        FN(t_mul)(ctx, w, dd, v, S);
    }

    /* q_l into u_l, in the order (ORD.3): from +0, add W_{l+1}^T w_{l+1},
     * then W_l w_{l-1}. */
    /*@ loop invariant bound: 1 <= l <= N + 1;
        loop assigns l, u[0 .. S - 1], scratch[0 .. max_size(sh, sh->n_layers) - 1];
        loop variant N + 1 - l;
    */
    for (size_t l = 1; l <= N; l++) {
        //@ ghost model_layer_lemma(sh, l);
        //@ assert fits: sh->size[l] <= max_size(sh, sh->n_layers);
        //@ ghost if (l < N) model_layer_lemma(sh, l + 1);
        //@ ghost if (l > 1) model_layer_lemma(sh, l - 1);
        REAL *ul = LAYER(u, sh, l);
        /* u_l apart from W_l, from the precondition sep: proved alone, at
         * the t_matvec_acc call it took cvc4 28 s (over CI's 40 s limit on
         * a loaded machine). */
        /*@ ghost if (l > 1)
                lemma_block_separated(u, sh->S, sh->s_off[l], sh->size[l],
                                      theta, sh->P, sh->W_off[l], sh->size[l], sh->size[l - 1]); */
        FN(t_zero)(ctx, ul, sh->size[l]);
        if (l < N)
            FN(t_matvec_t_acc)(ctx, ul, scratch, W_BLOCK(theta, sh, l + 1),
                               LAYER(w, sh, l + 1), sh->size[l + 1], sh->size[l]);
        if (l > 1)
            FN(t_matvec_acc)(ctx, ul, W_BLOCK(theta, sh, l), LAYER(w, sh, l - 1),
                             sh->size[l], sh->size[l - 1]);
    }
    if (energy) {
        /* (VJP.2) u = ((om + eps * (rho''(s) * h)) * v) + (p' * q) */
        /*@ loop invariant bound: 0 <= i <= S;
            loop assigns i, a[0], b[0], u[0 .. S - 1];
            loop variant S - i;
        */
        for (size_t i = 0; i < S; i++) {
            R_MUL(ctx, a, &dd[i], &h[i]);
            R_MUL(ctx, a, e, a);
            R_ADD(ctx, a, om, a);
            R_MUL(ctx, a, a, &v[i]);
            R_MUL(ctx, b, &dp[i], &u[i]);
            R_ADD(ctx, &u[i], a, b);
        }
    }

    /* (VJP.4) parameter cotangents (skipped when gtheta is NULL) */
    /*@ loop invariant bound: 1 <= l <= N + 1;
        loop assigns l, gtheta[0 .. sh->P - 1];
        loop variant N + 1 - l;
    */
    for (size_t l = 1; gtheta != NULL && l <= N; l++) {
        //@ ghost model_layer_lemma(sh, l);
        //@ ghost if (l > 1) model_layer_lemma(sh, l - 1);
        const REAL *prev = (l == 1) ? x : LAYER(p, sh, l - 1);
        REAL *gW = W_BLOCK(gtheta, sh, l);
        FN(t_outer)(ctx, gW, NULL, LAYER(w, sh, l), prev, sh->size[l], sh->size[l - 1]);
        if (l > 1)
            FN(t_outer_acc)(ctx, gW, LAYER(p, sh, l), LAYER(w, sh, l - 1),
                            sh->size[l], sh->size[l - 1]);
        FN(t_copy)(ctx, B_BLOCK(gtheta, sh, l), LAYER(w, sh, l), sh->size[l]);
    }
    R_CLEAR(b);
    R_CLEAR(a);
    R_CLEAR(om);
    R_CLEAR(e);
}

/* ---- public wrappers (allocate their own workspace) ------------------- */

/* The API contracts below share one convention (proofs/algo.acsl): with
 * any required pointer NULL the result is CEP_EARG and nothing is written;
 * otherwise the arrays have their documented sizes, the written ones do not
 * overlap anything else, and every argument array is older than the call
 * (old_block), so the workspace from cep_vec_new overlaps none of them. */

/* Typed pointers (not void *): WP's typed memory model handles them. */
/*@ assigns \nothing;
    ensures null: sh == \null || a == \null || b == \null || c == \null ==> \result == CEP_EARG;
    ensures ok: sh != \null && a != \null && b != \null && c != \null ==> \result == CEP_OK;
*/
static int FN(check_model_args)(const cep_shape *sh, const REAL *a, const REAL *b, const REAL *c)
{
    if (sh == NULL || a == NULL || b == NULL || c == NULL)
        return CEP_EARG;
    return CEP_OK;
}

/*@ behavior null_arg:
      assumes ctx == \null || out == \null || sh == \null || theta == \null ||
              x == \null || s == \null;
      assigns \nothing;
      ensures status: \result == CEP_EARG;
    behavior run:
      assumes ctx != \null && out != \null && sh != \null && theta != \null &&
              x != \null && s != \null;
      requires valid_sh: \valid_read(sh);
      requires shape: shape_ok(sh);
      requires valid_out: \valid(out + (0 .. sh->S - 1));
      requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
      requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
      requires valid_s: \valid_read(s + (0 .. sh->S - 1));
      requires sep: \separated(out + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                               x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1), sh);
      requires old: old_block(out) && old_block(theta) && old_block(x) && old_block(s) &&
                    old_shape(sh);
      assigns out[0 .. sh->S - 1], cep_heap_clock,
              *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
      ensures status: \result == CEP_OK || \result == CEP_ENOMEM;
    complete behaviors;
    disjoint behaviors;
*/
int FN(cep_model_step)(const cep_ctx *ctx, REAL *out, const cep_shape *sh,
                       const REAL *theta, const REAL *x, const REAL *s)
{
    int st = FN(check_model_args)(sh, out, theta, x);
    if (st || s == NULL || ctx == NULL) return st ? st : CEP_EARG;
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    if (work == NULL) return CEP_ENOMEM;
    //@ ghost model_work_lemma(sh);
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), out + (0 .. sh->S - 1),
          theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1), sh); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    FN(m_step)(ctx, out, work, sh, theta, x, s);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(work);
    return CEP_OK;
}

/*@ behavior null_arg:
      assumes ctx == \null || g == \null || sh == \null || x == \null || s == \null;
      assigns \nothing;
      ensures status: \result == CEP_EARG;
    behavior run:
      assumes ctx != \null && g != \null && sh != \null && x != \null && s != \null;
      requires valid_sh: \valid_read(sh);
      requires shape: shape_ok(sh);
      requires valid_g: \valid(g + (0 .. sh->P - 1));
      requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
      requires valid_s: \valid_read(s + (0 .. sh->S - 1));
      requires sep: \separated(g + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                               s + (0 .. sh->S - 1), sh);
      requires old: old_block(g) && old_block(x) && old_block(s) && old_shape(sh);
      assigns g[0 .. sh->P - 1], cep_heap_clock,
              *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
      ensures status: \result == CEP_OK || \result == CEP_ENOMEM;
    complete behaviors;
    disjoint behaviors;
*/
int FN(cep_model_G)(const cep_ctx *ctx, REAL *g, const cep_shape *sh, const REAL *x, const REAL *s)
{
    int st = FN(check_model_args)(sh, g, x, s);
    if (st || ctx == NULL) return st ? st : CEP_EARG;
    if (CEP_MODEL_IS_VF(sh->model)) return CEP_EMODEL; /* no Phi, no G (spec §6) */
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    if (work == NULL) return CEP_ENOMEM;
    //@ ghost model_work_lemma(sh);
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), g + (0 .. sh->P - 1),
          x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1), sh); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    FN(m_G)(ctx, g, work, sh, x, s);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(work);
    return CEP_OK;
}

/*@ behavior null_arg:
      assumes ctx == \null || u == \null || sh == \null || theta == \null ||
              x == \null || s == \null || v == \null;
      assigns \nothing;
      ensures status: \result == CEP_EARG;
    behavior run:
      assumes ctx != \null && u != \null && sh != \null && theta != \null &&
              x != \null && s != \null && v != \null;
      requires valid_sh: \valid_read(sh);
      requires shape: shape_ok(sh);
      requires valid_u: \valid(u + (0 .. sh->S - 1));
      requires valid_gtheta: gtheta == \null || \valid(gtheta + (0 .. sh->P - 1));
      requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
      requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
      requires valid_s: \valid_read(s + (0 .. sh->S - 1));
      requires valid_v: \valid_read(v + (0 .. sh->S - 1));
      requires sep: \separated(u + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                               x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1),
                               v + (0 .. sh->S - 1), sh);
      requires sep_gtheta: gtheta != \null ==>
                 \separated(gtheta + (0 .. sh->P - 1), u + (0 .. sh->S - 1),
                            theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                            s + (0 .. sh->S - 1), v + (0 .. sh->S - 1), sh);
      requires old: old_block(u) && old_block(theta) && old_block(x) && old_block(s) &&
                    old_block(v) && old_shape(sh);
      requires old_opt: gtheta == \null || old_block(gtheta);
      assigns u[0 .. sh->S - 1], gtheta[0 .. sh->P - 1], cep_heap_clock,
              *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
      ensures status: \result == CEP_OK || \result == CEP_ENOMEM;
    complete behaviors;
    disjoint behaviors;
*/
int FN(cep_model_step_vjp)(const cep_ctx *ctx, REAL *u, REAL *gtheta, const cep_shape *sh,
                           const REAL *theta, const REAL *x, const REAL *s, const REAL *v)
{
    int st = FN(check_model_args)(sh, u, theta, x);
    if (st || ctx == NULL || s == NULL || v == NULL) return st ? st : CEP_EARG;
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    if (work == NULL) return CEP_ENOMEM;
    //@ ghost model_work_lemma(sh);
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), u + (0 .. sh->S - 1),
          theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1),
          v + (0 .. sh->S - 1), sh); */
    /*@ assert sep_new_gtheta: gtheta != \null ==>
          \separated(work + (0 .. work_len(sh) - 1), gtheta + (0 .. sh->P - 1)); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    FN(m_step_vjp)(ctx, u, gtheta, work, sh, theta, x, s, v);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(work);
    return CEP_OK;
}

/* (PHI.E) Phi = ((1 - eps)/2) ||s||^2 + eps * sum_l p_l^T (W_l p_{l-1} + b_l)
 * (PHI.P) Phi = sum_l s_l^T (W_l s_{l-1} + b_l) */
/*@ behavior null_arg:
      assumes ctx == \null || phi == \null || sh == \null || theta == \null ||
              x == \null || s == \null;
      assigns \nothing;
      ensures status: \result == CEP_EARG;
    behavior run:
      assumes ctx != \null && phi != \null && sh != \null && theta != \null &&
              x != \null && s != \null;
      requires valid_sh: \valid_read(sh);
      requires shape: shape_ok(sh);
      requires valid_phi: \valid(phi);
      requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
      requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
      requires valid_s: \valid_read(s + (0 .. sh->S - 1));
      requires sep: \separated(phi, theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                               s + (0 .. sh->S - 1), sh);
      requires old: old_block(phi) && old_block(theta) && old_block(x) && old_block(s) &&
                    old_shape(sh);
      assigns *phi, cep_heap_clock,
              *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
      ensures status: \result == CEP_OK || \result == CEP_ENOMEM;
    complete behaviors;
    disjoint behaviors;
*/
int FN(cep_model_phi)(const cep_ctx *ctx, REAL *phi, const cep_shape *sh,
                      const REAL *theta, const REAL *x, const REAL *s)
{
    int st = FN(check_model_args)(sh, phi, theta, x);
    if (st || ctx == NULL || s == NULL) return st ? st : CEP_EARG;
    if (CEP_MODEL_IS_VF(sh->model)) return CEP_EMODEL; /* no Phi (spec §6) */
    size_t S = sh->S;
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    if (work == NULL) return CEP_ENOMEM;
    //@ ghost model_work_lemma(sh);
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), phi) &&
          \separated(work + (0 .. work_len(sh) - 1), theta + (0 .. sh->P - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), x + (0 .. sh->size[0] - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), s + (0 .. sh->S - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), sh); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    REAL *p = work, *a = work + S;
    REAL sum[1], t[1], c[1];
    R_INIT(ctx, sum);
    R_INIT(ctx, t);
    R_INIT(ctx, c);
    int energy = sh->model == CEP_MODEL_ENERGY;
    FN(presyn)(ctx, p, NULL, NULL, sh, s);
    R_SET_DBL(ctx, sum, 0.0);
    /*@ loop invariant bound: 1 <= l <= sh->n_layers + 1;
        loop assigns l, t[0], sum[0], a[0 .. S - 1];
        loop variant sh->n_layers + 1 - l;
    */
    for (size_t l = 1; l <= sh->n_layers; l++) {
        //@ ghost model_layer_lemma(sh, l);
        //@ ghost if (l > 1) model_layer_lemma(sh, l - 1);
        REAL *al = LAYER(a, sh, l);
        const REAL *prev = (l == 1) ? x : LAYER(p, sh, l - 1);
        FN(t_zero)(ctx, al, sh->size[l]);
        FN(t_matvec_acc)(ctx, al, W_BLOCK(theta, sh, l), prev, sh->size[l], sh->size[l - 1]);
        FN(t_add_to)(ctx, al, B_BLOCK(theta, sh, l), sh->size[l]);
        FN(t_dot)(ctx, t, LAYER(p, sh, l), al, sh->size[l]);
        R_ADD(ctx, sum, sum, t);
    }
    if (energy) {
        R_SET_DBL(ctx, c, sh->eps);
        R_MUL(ctx, sum, c, sum);
        FN(t_dot)(ctx, t, s, s, S);
        R_SET_DBL(ctx, c, 1.0);
        R_SET_DBL(ctx, phi, sh->eps);
        R_SUB(ctx, c, c, phi);
        R_SET_DBL(ctx, phi, 0.5);
        R_MUL(ctx, c, c, phi);
        R_MUL(ctx, t, c, t);
        R_ADD(ctx, phi, t, sum);
    } else {
        R_SET(ctx, phi, sum);
    }
    R_CLEAR(c);
    R_CLEAR(t);
    R_CLEAR(sum);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(work);
    return CEP_OK;
}

/* (COST.1) l(s, y) = 1/2 ||s_N - y||^2, summed in increasing index order. */
/*@ behavior null_arg:
      assumes ctx == \null || loss == \null || sh == \null || s == \null || y == \null;
      assigns \nothing;
      ensures status: \result == CEP_EARG;
    behavior run:
      assumes ctx != \null && loss != \null && sh != \null && s != \null && y != \null;
      requires valid_sh: \valid_read(sh);
      requires shape: shape_ok(sh);
      requires valid_loss: \valid(loss);
      requires valid_s: \valid_read(s + (0 .. sh->S - 1));
      requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
      requires sep: \separated(loss, s + (0 .. sh->S - 1)) &&
                    \separated(loss, y + (0 .. sh->size[sh->n_layers] - 1)) &&
                    \separated(loss, sh);
      assigns *loss;
      ensures status: \result == CEP_OK;
    complete behaviors;
    disjoint behaviors;
*/
int FN(cep_loss)(const cep_ctx *ctx, REAL *loss, const cep_shape *sh, const REAL *s, const REAL *y)
{
    int st = FN(check_model_args)(sh, loss, s, y);
    if (st || ctx == NULL) return st ? st : CEP_EARG;
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    size_t N = sh->n_layers;
    const REAL *sN = LAYER(s, sh, N);
    //@ ghost model_layer_lemma(sh, N);
    REAL d[1], half[1];
    R_INIT(ctx, d);
    R_INIT(ctx, half);
    R_SET_DBL(ctx, loss, 0.0);
    /*@ loop invariant bound: 0 <= i <= sh->size[N];
        loop assigns i, d[0], *loss;
        loop variant sh->size[N] - i;
    */
    for (size_t i = 0; i < sh->size[N]; i++) {
        R_SUB(ctx, d, &sN[i], &y[i]);
        R_MUL(ctx, d, d, d);
        R_ADD(ctx, loss, loss, d);
    }
    R_SET_DBL(ctx, half, 0.5);
    R_MUL(ctx, loss, half, loss);
    R_CLEAR(half);
    R_CLEAR(d);
    FN(cep_scope_leave)(&scope);
    return CEP_OK;
}

#undef W_BLOCK
#undef B_BLOCK
#undef LAYER
