/* vf_source.c -- the vector-field models of spec/model.md §6 (templated),
 * included by model.c right after model_source.c (it uses act_eval).
 *
 * Dimension key as in model_source.c: N layers after the input, n_l =
 * sh->size[l], S = n_1 + .. + n_N.  theta = (W_1, b_1, .., W_N, b_N,
 * B_1, .., B_{N-1}) (LAYOUT.3): B_l is n_l x n_{l+1}, row-major, at B_off[l].
 *
 * Presynaptic values (PRE.1) as in the symmetric models:
 *   energy-vf: p_l = rho(s_l)      prototypical-vf: p_l = s_l      p_0 = x,
 * and the total input (PRE.VF)
 *   h_l = W_l p_{l-1} + b_l + B_l p_{l+1}       (last term absent for l = N)
 * summed in the order (ORD.VF): ((row sums of W_l p_{l-1}) + b_l) + (row sums
 * of B_l p_{l+1}, formed from +0 apart).  With B_l = W_{l+1}^T this is, value
 * for value and rounding for rounding, the symmetric model's (ORD.2) column
 * sums, so a VF network with B = W^T reproduces the symmetric one bit for bit.
 *
 * Workspace: the symmetric models' layout (cep_model_work_len):
 *   [0,S) p   [S,2S) p'   [2S,3S) rho''(s) or rho'(h)   [3S,4S) h
 *   [4S,5S) w   [5S,..) one layer of scratch.
 *
 * Outside the proofs (a VF shape is not shape_ok): tests/test_vf.c checks
 * these functions against finite differences and the symmetric models. */

#define VF_W(theta, sh, l) ((theta) + (sh)->W_off[l])
#define VF_b(theta, sh, l) ((theta) + (sh)->b_off[l])
#define VF_B(theta, sh, l) ((theta) + (sh)->B_off[l])
#define VF_LAYER(v, sh, l) ((v) + (sh)->s_off[l])

/* p, p' and (if ddrho) rho''(s) of (PRE.1). */
static void FN(vf_presyn)(const cep_ctx *ctx, REAL *p, REAL *dp, REAL *ddrho,
                          const cep_shape *sh, const REAL *s)
{
    if (sh->model == CEP_MODEL_ENERGY_VF) {
        FN(act_eval)(ctx, p, dp, ddrho, sh->act, s, sh->S);
        return;
    }
    FN(t_copy)(ctx, p, s, sh->S);
    for (size_t i = 0; i < sh->S; i++)
        R_SET_DBL(ctx, &dp[i], 1.0);
    if (ddrho) FN(t_zero)(ctx, ddrho, sh->S);
}

/* h of (PRE.VF) in the order (ORD.VF). */
static void FN(vf_total_input)(const cep_ctx *ctx, REAL *h, REAL *scratch, const cep_shape *sh,
                               const REAL *theta, const REAL *x, const REAL *p)
{
    size_t N = sh->n_layers;
    for (size_t l = 1; l <= N; l++) {
        REAL *hl = VF_LAYER(h, sh, l);
        const REAL *prev = (l == 1) ? x : VF_LAYER(p, sh, l - 1);
        FN(t_zero)(ctx, hl, sh->size[l]);
        FN(t_matvec_acc)(ctx, hl, VF_W(theta, sh, l), prev, sh->size[l], sh->size[l - 1]);
        FN(t_add_to)(ctx, hl, VF_b(theta, sh, l), sh->size[l]);
        if (l < N) {
            FN(t_zero)(ctx, scratch, sh->size[l]);
            FN(t_matvec_acc)(ctx, scratch, VF_B(theta, sh, l), VF_LAYER(p, sh, l + 1),
                             sh->size[l], sh->size[l + 1]);
            FN(t_add_to)(ctx, hl, scratch, sh->size[l]);
        }
    }
}

/* Parameter cotangents from the scaled cotangent w (VJP.VF2):
 *   dW_l = w_l p_{l-1}^T,  db_l = w_l,  dB_l = w_l p_{l+1}^T  (l < N). */
static void FN(vf_param_cotangent)(const cep_ctx *ctx, REAL *g, const cep_shape *sh,
                                   const REAL *x, const REAL *p, const REAL *w)
{
    size_t N = sh->n_layers;
    for (size_t l = 1; l <= N; l++) {
        const REAL *prev = (l == 1) ? x : VF_LAYER(p, sh, l - 1);
        FN(t_outer)(ctx, VF_W(g, sh, l), NULL, VF_LAYER(w, sh, l), prev, sh->size[l],
                    sh->size[l - 1]);
        FN(t_copy)(ctx, VF_b(g, sh, l), VF_LAYER(w, sh, l), sh->size[l]);
        if (l < N)
            FN(t_outer)(ctx, VF_B(g, sh, l), NULL, VF_LAYER(w, sh, l), VF_LAYER(p, sh, l + 1),
                        sh->size[l], sh->size[l + 1]);
    }
}

/* w_l = eps * (rho'(s_l) (.) v_l) (energy-vf, (VJP.1)) into w, from p' = dp. */
static void FN(vf_energy_w)(const cep_ctx *ctx, REAL *w, const cep_shape *sh, const REAL *dp,
                            const REAL *v)
{
    REAL e[1], a[1];
    R_INIT(ctx, e);
    R_INIT(ctx, a);
    R_SET_DBL(ctx, e, sh->eps);
    for (size_t i = 0; i < sh->S; i++) {
        R_MUL(ctx, a, &dp[i], &v[i]);
        R_MUL(ctx, &w[i], e, a);
    }
    R_CLEAR(a);
    R_CLEAR(e);
}

/* out = F(x, s, theta): (F.PVF) F_l = rho(h_l), or (F.EVF)
 * F_l = (1 - eps) s_l + eps * (rho'(s_l) (.) h_l), in (F.E)'s rounding order. */
void FN(vf_step)(const cep_ctx *ctx, REAL *out, REAL *work, const cep_shape *sh,
                 const REAL *theta, const REAL *x, const REAL *s)
{
    size_t S = sh->S;
    REAL *p = work, *dp = work + S, *h = work + 3 * S, *scratch = work + 5 * S;
    FN(vf_presyn)(ctx, p, dp, NULL, sh, s);
    FN(vf_total_input)(ctx, h, scratch, sh, theta, x, p);
    if (sh->model == CEP_MODEL_PROTOTYPICAL_VF) {
        FN(act_eval)(ctx, out, NULL, NULL, sh->act, h, S); /* (F.PVF) */
        return;
    }
    REAL om[1], e[1], a[1];
    R_INIT(ctx, om);
    R_INIT(ctx, e);
    R_INIT(ctx, a);
    R_SET_DBL(ctx, e, sh->eps);
    R_SET_DBL(ctx, om, 1.0);
    R_SUB(ctx, om, om, e);
    for (size_t i = 0; i < S; i++) { /* (F.EVF) */
        R_MUL(ctx, a, &dp[i], &h[i]);
        R_MUL(ctx, a, e, a);
        R_MUL(ctx, &out[i], om, &s[i]);
        R_ADD(ctx, &out[i], &out[i], a);
    }
    R_CLEAR(a);
    R_CLEAR(e);
    R_CLEAR(om);
}

/* u = (dF/ds)^T v and gtheta = (dF/dtheta)^T v (VJP.VF1-2).  With w as in
 * (VJP.1) (energy-vf: eps rho'(s) (.) v; prototypical-vf: rho'(h) (.) v) and
 *   q_l = W_{l+1}^T w_{l+1} + B_{l-1}^T w_{l-1}     (terms present when the
 *                                                   layers exist),
 * u_l = q_l (prototypical-vf) or d_l (.) v_l + p'_l (.) q_l with
 * d_l = (1 - eps) + eps rho''(s_l) h_l (energy-vf, as (VJP.2)).  Both
 * transposed products are column sums (ORD.1), so with B = W^T the order
 * equals the symmetric model's (ORD.3). gtheta may be NULL. */
void FN(vf_step_vjp)(const cep_ctx *ctx, REAL *u, REAL *gtheta, REAL *work, const cep_shape *sh,
                     const REAL *theta, const REAL *x, const REAL *s, const REAL *v)
{
    size_t S = sh->S, N = sh->n_layers;
    REAL *p = work, *dp = work + S, *dd = work + 2 * S, *h = work + 3 * S;
    REAL *w = work + 4 * S, *scratch = work + 5 * S;
    int energy = sh->model == CEP_MODEL_ENERGY_VF;
    FN(vf_presyn)(ctx, p, dp, energy ? dd : NULL, sh, s);
    FN(vf_total_input)(ctx, h, scratch, sh, theta, x, p);
    if (energy) {
        FN(vf_energy_w)(ctx, w, sh, dp, v);
    } else {
        FN(act_eval)(ctx, NULL, dd, NULL, sh->act, h, S); /* rho'(h) */
        FN(t_mul)(ctx, w, dd, v, S);
    }
    for (size_t l = 1; l <= N; l++) {
        REAL *ul = VF_LAYER(u, sh, l);
        FN(t_zero)(ctx, ul, sh->size[l]);
        if (l < N)
            FN(t_matvec_t_acc)(ctx, ul, scratch, VF_W(theta, sh, l + 1),
                               VF_LAYER(w, sh, l + 1), sh->size[l + 1], sh->size[l]);
        if (l > 1)
            FN(t_matvec_t_acc)(ctx, ul, scratch, VF_B(theta, sh, l - 1),
                               VF_LAYER(w, sh, l - 1), sh->size[l - 1], sh->size[l]);
    }
    if (energy) {
        REAL e[1], om[1], a[1], b[1];
        R_INIT(ctx, e);
        R_INIT(ctx, om);
        R_INIT(ctx, a);
        R_INIT(ctx, b);
        R_SET_DBL(ctx, e, sh->eps);
        R_SET_DBL(ctx, om, 1.0);
        R_SUB(ctx, om, om, e);
        for (size_t i = 0; i < S; i++) { /* (VJP.2) with q of (VJP.VF1) */
            R_MUL(ctx, a, &dd[i], &h[i]);
            R_MUL(ctx, a, e, a);
            R_ADD(ctx, a, om, a);
            R_MUL(ctx, a, a, &v[i]);
            R_MUL(ctx, b, &dp[i], &u[i]);
            R_ADD(ctx, &u[i], a, b);
        }
        R_CLEAR(b);
        R_CLEAR(a);
        R_CLEAR(om);
        R_CLEAR(e);
    }
    if (gtheta != NULL)
        FN(vf_param_cotangent)(ctx, gtheta, sh, x, p, w); /* (VJP.VF2) */
}

/* The local C-VF rule at step k (VF.3), from s = s_k and v = Delta_s(k) =
 * (s_{k+1} - s_k) / beta (NORM.1):
 *   prototypical-vf: w = v        (the paper's code: no rho'(h) factor)
 *   energy-vf:       w = eps rho'(s_k) (.) v, i.e. dth = (dF/dtheta)^T v
 * then dth = the cotangents of (VJP.VF2) with that w.  Theta enters neither
 * rule (the outer products use presynaptic activity only). */
void FN(vf_rule)(const cep_ctx *ctx, REAL *dth, REAL *work, const cep_shape *sh,
                 const REAL *x, const REAL *s, const REAL *v)
{
    size_t S = sh->S;
    REAL *p = work, *dp = work + S, *w = work + 4 * S;
    FN(vf_presyn)(ctx, p, dp, NULL, sh, s);
    if (sh->model == CEP_MODEL_ENERGY_VF)
        FN(vf_energy_w)(ctx, w, sh, dp, v);
    else
        FN(t_copy)(ctx, w, v, S);
    FN(vf_param_cotangent)(ctx, dth, sh, x, p, w);
}

#undef VF_W
#undef VF_b
#undef VF_B
#undef VF_LAYER
