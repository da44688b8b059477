/* run_source.c -- `cep run`: one first phase, one second phase (EP or C-EP)
 * and BPTT on the same network, compared step by step (templated). */

/* ||a + b||_2 and ||b||_2 over n entries (RUN.1's numerator and denominator). */
static void FN(sum_and_ref_norms)(const cep_ctx *ctx, REAL *n_sum, REAL *n_ref, REAL *tmp,
                                  const REAL *a, const REAL *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_ADD(ctx, &tmp[i], &a[i], &b[i]);
    FN(t_norm2)(ctx, n_sum, tmp, n);
    FN(t_norm2)(ctx, n_ref, b, n);
}

/* (RUN.1) num / den formed in the working precision, then rounded once to
 * binary64; the absolute num when den is 0. */
static double FN(ratio_or_abs)(const cep_ctx *ctx, const REAL *num, const REAL *den,
                               unsigned char *is_abs)
{
    *is_abs = R_IS_ZERO(den) ? 1 : 0;
    if (*is_abs)
        return R_GET_DBL(num);
    REAL q[1];
    R_INIT(ctx, q);
    R_DIV(ctx, q, num, den);
    double r = R_GET_DBL(q);
    R_CLEAR(q);
    return r;
}

static int FN(run)(cep_run_report *rep, const cep_run_config *cfg)
{
    const cep_ctx *ctx = &cfg->ctx;
    const cep_shape *sh = &cfg->shape;
    size_t S = sh->S, P = sh->P, K = cfg->K, T = cfg->T, N = sh->n_layers;
    size_t nx = sh->size[0], ny = sh->size[N];
    int st = CEP_ENOMEM;
    double *th_d = malloc(P * sizeof *th_d), *x_d = malloc(nx * sizeof *x_d);
    double *y_d = malloc(ny * sizeof *y_d);
    double eta[CEP_MAX_LAYERS];
    REAL *theta = FN(cep_vec_new)(ctx, P), *x = FN(cep_vec_new)(ctx, nx);
    REAL *y = FN(cep_vec_new)(ctx, ny), *s_star = FN(cep_vec_new)(ctx, S);
    REAL *traj = FN(cep_vec_new)(ctx, (T + 1) * S);
    REAL *ds = FN(cep_vec_new)(ctx, K * S), *dth = FN(cep_vec_new)(ctx, K * P);
    REAL *gs = FN(cep_vec_new)(ctx, (K + 1) * S), *gth = FN(cep_vec_new)(ctx, K * P);
    REAL *tot = FN(cep_vec_new)(ctx, P), *tot_g = FN(cep_vec_new)(ctx, P);
    REAL *tmp = FN(cep_vec_new)(ctx, P > S ? P : S);
    REAL *sc = FN(cep_vec_new)(ctx, 3);
    if (!th_d || !x_d || !y_d || !theta || !x || !y || !s_star || !traj || !ds || !dth ||
        !gs || !gth || !tot || !tot_g || !tmp || !sc)
        goto out;
    cep_init_theta(th_d, sh, cfg->seed);
    cep_init_data(x_d, y_d, sh, cfg->seed);
    if (CEP_MODEL_IS_VF(sh->model)) { /* (INIT.3) */
        st = cep_init_feedback(th_d, sh, cfg->angle_deg, cfg->seed, NULL);
        if (st) goto out;
    }
    FN(cep_vec_from_double)(ctx, theta, th_d, P);
    FN(cep_vec_from_double)(ctx, x, x_d, nx);
    FN(cep_vec_from_double)(ctx, y, y_d, ny);
    for (size_t l = 0; l < N; l++)
        eta[l] = cfg->eta;

    rep->failed = "the first phase";
    st = FN(cep_free_phase)(ctx, s_star, traj, &sc[0], sh, theta, x, T);
    if (st) goto out;
    rep->failed = cfg->eta > 0 ? "the second phase (C-EP)" : "the second phase (EP)";
    st = FN(cep_nudged_phase)(ctx, NULL, NULL, ds, dth, tot, sh, theta, x, y, s_star, K,
                              cfg->beta, cfg->eta > 0 ? eta : NULL);
    if (st) goto out;
    rep->failed = "BPTT";
    st = FN(cep_bptt)(ctx, gs, gth, tot_g, NULL, &sc[1], sh, theta, x, y, traj, T, K);
    if (st) goto out;
    rep->failed = NULL;

    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    rep->residual = R_GET_DBL(&sc[0]);
    rep->loss = R_GET_DBL(&sc[1]);
    for (size_t k = 0; k < K; k++) {
        FN(t_norm2)(ctx, &sc[2], ds + k * S, S);
        rep->ds_norm[k] = R_GET_DBL(&sc[2]);
        FN(sum_and_ref_norms)(ctx, &sc[0], &sc[1], tmp, ds + k * S, gs + k * S, S);
        rep->gs_norm[k] = R_GET_DBL(&sc[1]);
        rep->rel_s[k] = FN(ratio_or_abs)(ctx, &sc[0], &sc[1], &rep->abs_s[k]);
        FN(t_norm2)(ctx, &sc[2], dth + k * P, P);
        rep->dth_norm[k] = R_GET_DBL(&sc[2]);
        FN(sum_and_ref_norms)(ctx, &sc[0], &sc[1], tmp, dth + k * P, gth + k * P, P);
        rep->gth_norm[k] = R_GET_DBL(&sc[1]);
        rep->rel_th[k] = FN(ratio_or_abs)(ctx, &sc[0], &sc[1], &rep->abs_th[k]);
    }
    /* (RUN.2) the paper's angle between the total update and -(BPTT total) */
    FN(t_norm2)(ctx, &sc[2], tot, P);
    rep->total_norm = R_GET_DBL(&sc[2]);
    FN(sum_and_ref_norms)(ctx, &sc[0], &sc[1], tmp, tot, tot_g, P);
    rep->total_grad_norm = R_GET_DBL(&sc[1]);
    unsigned char dummy;
    rep->total_rel = FN(ratio_or_abs)(ctx, &sc[0], &sc[1], &dummy);
    rep->total_angle_deg = FN(angle_deg)(ctx, tmp, tot, &sc[2], tot_g, &sc[1], P);
    FN(cep_scope_leave)(&scope);
    st = CEP_OK;
    /* finite states can still have norms beyond binary64's range (a huge
     * eta or beta): refuse to report inf or NaN as a measurement */
    for (size_t k = 0; k < K && st == CEP_OK; k++)
        if (!isfinite(rep->ds_norm[k]) || !isfinite(rep->gs_norm[k]) || !isfinite(rep->rel_s[k]) ||
            !isfinite(rep->dth_norm[k]) || !isfinite(rep->gth_norm[k]) || !isfinite(rep->rel_th[k])) {
            rep->failed = "the second phase's updates (their norms at some step k exceed binary64's "
                          "range)";
            st = CEP_EDIVERGED;
        }
    if (st == CEP_OK && (!isfinite(rep->total_norm) || !isfinite(rep->total_grad_norm) ||
                         !isfinite(rep->total_rel) || !isfinite(rep->residual) || !isfinite(rep->loss))) {
        rep->failed = "the totals over K steps (beyond binary64's range)";
        st = CEP_EDIVERGED;
    }
out:
    FN(cep_vec_free)(sc);
    FN(cep_vec_free)(tmp);
    FN(cep_vec_free)(tot_g);
    FN(cep_vec_free)(tot);
    FN(cep_vec_free)(gth);
    FN(cep_vec_free)(gs);
    FN(cep_vec_free)(dth);
    FN(cep_vec_free)(ds);
    FN(cep_vec_free)(traj);
    FN(cep_vec_free)(s_star);
    FN(cep_vec_free)(y);
    FN(cep_vec_free)(x);
    FN(cep_vec_free)(theta);
    free(y_d);
    free(x_d);
    free(th_d);
    return st;
}
