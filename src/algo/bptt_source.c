/* bptt_source.c -- backpropagation through time over the first phase
 * (spec/model.md §4), templated.
 *
 * Each transition t -> t+1 has its own parameter copy theta_t (all equal to
 * theta); reverse-mode differentiation of L = l(s_T, y) gives
 *   g_T = dL/ds_T = (0, .., 0, s_{T,N} - y)                      (BPTT.1)
 *   g_t = (dF/ds (x, s_t, theta))^T g_{t+1}                        (BPTT.2)
 *   dL/dtheta_t = (dF/dtheta (x, s_t, theta))^T g_{t+1}           (BPTT.3)
 * reported with the theorem's step index k: grad_s(k) = g_{T-k} (k = 0..K),
 * grad_theta(k) = dL/dtheta_{T-k-1} (k = 0..K-1), their sum over k < K
 * (BPTT.4) and dL/dtheta = sum over all t (BPTT.5), each sum taken in
 * increasing k (decreasing t).
 */

int FN(cep_bptt)(const cep_ctx *ctx, REAL *grad_s, REAL *grad_theta, REAL *total_K,
                 REAL *full, REAL *loss, const cep_shape *sh, const REAL *theta,
                 const REAL *x, const REAL *y, const REAL *traj, size_t T, size_t K)
{
    if (ctx == NULL || sh == NULL || theta == NULL || x == NULL || y == NULL || traj == NULL)
        return CEP_EARG;
    int st = cep_check_horizon(T, K);
    if (st != CEP_OK)
        return st;
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    if (FN(mul_size)(T + 1, S) == 0 || (grad_s != NULL && FN(mul_size)(K + 1, S) == 0) ||
        (grad_theta != NULL && FN(mul_size)(K, P) == 0))
        return CEP_EOVERFLOW;
    if (!FN(all_finite)(theta, P) || !FN(all_finite)(x, sh->size[0]) ||
        !FN(all_finite)(y, sh->size[N]) || !FN(all_finite)(traj, (T + 1) * S))
        return CEP_ENONFINITE;

    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    REAL *g = FN(cep_vec_new)(ctx, S);
    REAL *u = FN(cep_vec_new)(ctx, S);
    REAL *gth = FN(cep_vec_new)(ctx, P);
    if (work == NULL || g == NULL || u == NULL || gth == NULL) {
        st = CEP_ENOMEM;
        goto out;
    }
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);

    const REAL *s_T = traj + T * S;
    size_t out_off = sh->s_off[N];
    for (size_t i = 0; i < sh->size[N]; i++) /* (BPTT.1) */
        R_SUB(ctx, &g[out_off + i], &s_T[out_off + i], &y[i]);
    if (loss != NULL)
        FN(cep_loss)(ctx, loss, sh, s_T, y);
    if (grad_s != NULL)
        FN(t_copy)(ctx, grad_s, g, S);
    if (total_K != NULL)
        FN(t_zero)(ctx, total_K, P);
    if (full != NULL)
        FN(t_zero)(ctx, full, P);

    size_t steps = (full != NULL) ? T : K;
    for (size_t k = 0; k < steps; k++) {
        size_t t = T - 1 - k;
        FN(m_step_vjp)(ctx, u, gth, work, sh, theta, x, traj + t * S, g); /* (BPTT.2-3) */
        if (!FN(t_all_finite)(u, S) || !FN(t_all_finite)(gth, P)) {
            st = CEP_EDIVERGED;
            break;
        }
        if (full != NULL)
            FN(t_add_to)(ctx, full, gth, P);               /* (BPTT.5) */
        if (k < K) {
            if (grad_theta != NULL)
                FN(t_copy)(ctx, grad_theta + k * P, gth, P);
            if (total_K != NULL)
                FN(t_add_to)(ctx, total_K, gth, P);        /* (BPTT.4) */
            if (grad_s != NULL)
                FN(t_copy)(ctx, grad_s + (k + 1) * S, u, S);
        }
        REAL *swap = g;
        g = u;
        u = swap;
    }
    FN(cep_scope_leave)(&scope);
out:
    FN(cep_vec_free)(gth);
    FN(cep_vec_free)(u);
    FN(cep_vec_free)(g);
    FN(cep_vec_free)(work);
    return st;
}
