/* vf_phase_source.c -- the second phase of the vector-field models: C-VF
 * (spec/model.md §6, (VF.3-5)), templated; included by algo.c after
 * phases_source.c, whose cep_nudged_phase calls it for a VF shape once its
 * arguments are checked (so the checks are not repeated here).
 *
 * It differs from C-EP's second phase (phases_source.c) in one place: the
 * update of step k is the local rule (VF.3) of (s_k, s_{k+1}) instead of
 * the difference of G at the two states (NUDGE.2).  The dynamics (NUDGE.1),
 * the normalisation (NORM.1-2) and the continual update (CEP.1, with the
 * feedback rates of (VF.4)) are the same.
 *
 * Outside the proofs (a VF shape is not shape_ok); tests/test_vf.c. */

/* (VF.4) theta_{k+1} = theta_k + eta * Delta_theta(k): W_n and b_n move with
 * eta[n-1] (CEP.1, cep_update), the feedback B_n with the rate of its
 * forward partner W_{n+1}, eta[n]. */
static void FN(vf_update)(const cep_ctx *ctx, REAL *th, const cep_shape *sh, const REAL *dth,
                          const double *eta)
{
    FN(cep_update)(ctx, th, sh, dth, eta);
    REAL e[1];
    R_INIT(ctx, e);
    for (size_t l = 1; l < sh->n_layers; l++) {
        R_SET_DBL(ctx, e, eta[l]);
        FN(t_axpy)(ctx, th + sh->B_off[l], e, dth + sh->B_off[l],
                   sh->size[l] * sh->size[l + 1]);
    }
    R_CLEAR(e);
}

/* Arguments as cep_nudged_phase's (cep_api.h).  eta == NULL: the EP-style
 * variant, theta fixed, total = sum_k Delta_theta(k) to be applied once
 * (VF.5); eta != NULL: C-VF, theta_{k+1} = theta_k + eta Delta_theta(k). */
int FN(vf_nudged_phase)(const cep_ctx *ctx, REAL *s_K, REAL *theta_K, REAL *delta_s,
                        REAL *delta_theta, REAL *total, const cep_shape *sh, const REAL *theta,
                        const REAL *x, const REAL *y, const REAL *s_star, size_t K, double beta,
                        const double *eta)
{
    size_t S = sh->S, P = sh->P, N = sh->n_layers, W = cep_model_work_len(sh);
    size_t out_off = sh->s_off[N], nN = sh->size[N];
    REAL *mem = FN(cep_vec_new)(ctx, W + 3 * S + 3 * P);
    if (mem == NULL)
        return CEP_ENOMEM;
    REAL *work = mem, *s = mem + W, *s_next = s + S, *v = s_next + S;
    REAL *th = v + S, *dth = th + P, *acc = dth + P;
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    int st = CEP_OK;
    REAL b[1], d[1];
    R_INIT(ctx, b);
    R_INIT(ctx, d);
    R_SET_DBL(ctx, b, beta);
    FN(t_copy)(ctx, s, s_star, S);
    FN(t_copy)(ctx, th, theta, P);
    FN(t_zero)(ctx, acc, P);
    for (size_t k = 0; k < K && st == CEP_OK; k++) {
        /* (NUDGE.1) s_{k+1} = F(x, s_k, theta_k) - beta (s_{N,k} - y) */
        FN(m_step)(ctx, s_next, work, sh, th, x, s);
        for (size_t i = 0; i < nN; i++) {
            R_SUB(ctx, d, &s[out_off + i], &y[i]);
            R_MUL(ctx, d, b, d);
            R_SUB(ctx, &s_next[out_off + i], &s_next[out_off + i], d);
        }
        if (!FN(t_all_finite)(s_next, S)) {
            st = CEP_EDIVERGED;
            break;
        }
        FN(t_sub)(ctx, v, s_next, s, S); /* (NORM.1) */
        FN(t_div_scalar)(ctx, v, v, b, S);
        if (delta_s != NULL)
            FN(t_copy)(ctx, delta_s + k * S, v, S);
        FN(vf_rule)(ctx, dth, work, sh, x, s, v); /* (VF.3) at s_k */
        if (!FN(t_all_finite)(dth, P)) {
            st = CEP_EDIVERGED;
            break;
        }
        if (delta_theta != NULL)
            FN(t_copy)(ctx, delta_theta + k * P, dth, P); /* (NORM.2) */
        if (eta != NULL) {
            FN(vf_update)(ctx, th, sh, dth, eta); /* (VF.4) */
            if (!FN(t_all_finite)(th, P)) {
                st = CEP_EDIVERGED;
                break;
            }
        }
        FN(t_add_to)(ctx, acc, dth, P); /* (VF.5) */
        REAL *swap = s;
        s = s_next;
        s_next = swap;
    }
    if (st == CEP_OK) {
        if (s_K != NULL) FN(t_copy)(ctx, s_K, s, S);
        if (theta_K != NULL) FN(t_copy)(ctx, theta_K, th, P);
        if (total != NULL) FN(t_copy)(ctx, total, acc, P);
    }
    R_CLEAR(d);
    R_CLEAR(b);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(mem);
    return st;
}
