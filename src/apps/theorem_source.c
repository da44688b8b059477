/* theorem_source.c -- one precision's sweep of `cep theorem` (templated).
 * spec/theorem.md describes every step; equation tags refer to it. */

/* (TC.5-8) the metrics of an update block D against a gradient block g,
 * computed in the working precision and rounded once to binary64.
 * sc holds 6 scratch scalars. */
static void FN(block_metric)(const cep_ctx *ctx, cep_metric *out, REAL *sc, const REAL *D,
                             const REAL *g, size_t n)
{
    REAL *e = &sc[0], *ssq_e = &sc[1], *ssq_g = &sc[2], *ssq_d = &sc[3], *dot = &sc[4],
         *t = &sc[5];
    size_t n_sign = 0, n_agree = 0;
    R_SET_DBL(ctx, ssq_e, 0.0);
    R_SET_DBL(ctx, ssq_g, 0.0);
    R_SET_DBL(ctx, ssq_d, 0.0);
    R_SET_DBL(ctx, dot, 0.0);
    double max_abs = 0.0;
    R_SET_DBL(ctx, t, 0.0);
    REAL mx[1];
    R_INIT(ctx, mx);
    for (size_t i = 0; i < n; i++) {
        R_ADD(ctx, e, &D[i], &g[i]);       /* Delta + g: zero when Delta = -g */
        R_ABS(ctx, t, e);
        if (R_CMP(t, mx) > 0)
            R_SET(ctx, mx, t);
        R_MUL(ctx, t, e, e);
        R_ADD(ctx, ssq_e, ssq_e, t);
        R_MUL(ctx, t, &g[i], &g[i]);
        R_ADD(ctx, ssq_g, ssq_g, t);
        R_MUL(ctx, t, &D[i], &D[i]);
        R_ADD(ctx, ssq_d, ssq_d, t);
        R_MUL(ctx, t, &D[i], &g[i]);
        R_SUB(ctx, dot, dot, t);           /* <Delta, -g> */
        int sg = R_SGN(&g[i]);
        if (sg != 0) {
            n_sign++;
            n_agree += (R_SGN(&D[i]) == -sg);
        }
    }
    max_abs = R_GET_DBL(mx);
    R_CLEAR(mx);
    R_SQRT(ctx, ssq_e, ssq_e);
    R_SQRT(ctx, ssq_g, ssq_g);
    R_SQRT(ctx, ssq_d, ssq_d);
    out->max_abs = max_abs;
    out->is_abs = R_IS_ZERO(ssq_g) ? 1 : 0;
    if (out->is_abs) {
        out->rel = R_GET_DBL(ssq_e);
    } else {
        R_DIV(ctx, t, ssq_e, ssq_g);
        out->rel = R_GET_DBL(t);
    }
    if (R_IS_ZERO(ssq_g) || R_IS_ZERO(ssq_d)) {
        out->cos = NAN;
    } else {
        R_DIV(ctx, t, dot, ssq_d);
        R_DIV(ctx, t, t, ssq_g);
        out->cos = R_GET_DBL(t);
    }
    out->sign = n_sign ? (double)n_agree / (double)n_sign : NAN;
}

/* (TC.9) ||J - J^T||_F / ||J||_F with J = dF/ds at s, from S vector-
 * Jacobian products with the unit vectors (row i of J is (J^T e_i)^T). */
static int FN(jacobian_asymmetry)(const cep_ctx *ctx, double *out, const cep_shape *sh,
                                  const REAL *theta, const REAL *x, const REAL *s)
{
    size_t S = sh->S;
    if (S > SIZE_MAX / S)
        return CEP_EOVERFLOW;
    REAL *J = FN(cep_vec_new)(ctx, S * S), *e = FN(cep_vec_new)(ctx, S);
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh)), *sc = FN(cep_vec_new)(ctx, 3);
    int st = CEP_ENOMEM;
    if (J && e && work && sc) {
        cep_scope scope;
        FN(cep_scope_enter)(&scope, ctx);
        for (size_t i = 0; i < S; i++) {
            R_SET_DBL(ctx, &e[i], 1.0);
            FN(m_step_vjp)(ctx, J + i * S, NULL, work, sh, theta, x, s, e); /* u_j = J_ij */
            R_SET_DBL(ctx, &e[i], 0.0);
        }
        R_SET_DBL(ctx, &sc[0], 0.0);
        R_SET_DBL(ctx, &sc[1], 0.0);
        for (size_t i = 0; i < S; i++)
            for (size_t j = 0; j < S; j++) {
                R_SUB(ctx, &sc[2], &J[i * S + j], &J[j * S + i]);
                R_MUL(ctx, &sc[2], &sc[2], &sc[2]);
                R_ADD(ctx, &sc[0], &sc[0], &sc[2]);
                R_MUL(ctx, &sc[2], &J[i * S + j], &J[i * S + j]);
                R_ADD(ctx, &sc[1], &sc[1], &sc[2]);
            }
        R_SQRT(ctx, &sc[0], &sc[0]);
        R_SQRT(ctx, &sc[1], &sc[1]);
        if (R_IS_ZERO(&sc[1])) {
            *out = 0.0;
        } else {
            R_DIV(ctx, &sc[0], &sc[0], &sc[1]);
            *out = R_GET_DBL(&sc[0]);
        }
        FN(cep_scope_leave)(&scope);
        st = CEP_OK;
    }
    FN(cep_vec_free)(sc);
    FN(cep_vec_free)(work);
    FN(cep_vec_free)(e);
    FN(cep_vec_free)(J);
    return st;
}

/* Offset and length of block b in a state (b < N) or in theta (b >= N:
 * W_1, b_1, W_2, ...), and whether it is a state block. */
static void FN(block_range)(const cep_shape *sh, size_t b, size_t *off, size_t *len, int *is_state)
{
    size_t N = sh->n_layers;
    if (b >= 3 * N) { /* B_l, l = b - 3N + 1 (VF models) */
        size_t l = b - 3 * N + 1;
        *is_state = 0;
        *off = sh->B_off[l];
        *len = sh->size[l] * sh->size[l + 1];
        return;
    }
    if (b < N) {
        *is_state = 1;
        *off = sh->s_off[b + 1];
        *len = sh->size[b + 1];
    } else {
        size_t l = (b - N) / 2 + 1;
        *is_state = 0;
        if ((b - N) % 2 == 0) {
            *off = sh->W_off[l];
            *len = sh->size[l] * sh->size[l - 1];
        } else {
            *off = sh->b_off[l];
            *len = sh->size[l];
        }
    }
}

static void FN(report_progress)(const cep_theorem_config *cfg, const char *what, size_t done,
                                size_t total)
{
    if (cfg->progress)
        cfg->progress(cfg->progress_arg, what, done, total);
}

/* One precision's sweep into rep->sw[p]. */
static int FN(theorem_sweep)(cep_theorem_report *rep, size_t p, const cep_theorem_config *cfg,
                             const cep_ctx *ctx, const double *th_d, const double *x_d,
                             const double *y_d)
{
    const cep_shape *sh = &cfg->shape;
    cep_theorem_sweep *sw = &rep->sw[p];
    size_t S = sh->S, P = sh->P, N = sh->n_layers, K = cfg->K;
    /* BPTT one step further when the off-by-one fault compares with grad(k+1) */
    size_t Kb = (cfg->fault == CEP_FAULT_BPTT_SHIFT) ? K + 1 : K;
    char what[96];
    int st = CEP_ENOMEM;
    REAL *theta = FN(cep_vec_new)(ctx, P), *x = FN(cep_vec_new)(ctx, sh->size[0]);
    REAL *y = FN(cep_vec_new)(ctx, sh->size[N]), *s_star = FN(cep_vec_new)(ctx, S);
    REAL *sc = FN(cep_vec_new)(ctx, 8);
    REAL *gs = FN(cep_vec_new)(ctx, (Kb + 1) * S), *gth = FN(cep_vec_new)(ctx, Kb * P);
    REAL *ds = FN(cep_vec_new)(ctx, K * S), *dth = FN(cep_vec_new)(ctx, K * P);
    REAL *tmpP = FN(cep_vec_new)(ctx, 3 * P);
    REAL *traj = NULL;
    if (!theta || !x || !y || !s_star || !sc || !gs || !gth || !ds || !dth || !tmpP)
        goto out;
    FN(cep_vec_from_double)(ctx, theta, th_d, P);
    FN(cep_vec_from_double)(ctx, x, x_d, sh->size[0]);
    FN(cep_vec_from_double)(ctx, y, y_d, sh->size[N]);

    /* (TC.2) first phase to convergence at the working precision */
    snprintf(what, sizeof what, "%s: first phase to 2^%ld", sw->is_mpfr ? "MPFR" : "binary64",
             sw->tol_log2);
    FN(report_progress)(cfg, what, 0, 1);
    st = FN(cep_free_phase_converge)(ctx, s_star, &sw->T_conv, &sc[0], sh, theta, x,
                                     sw->tol_log2, cfg->T_max);
    sw->residual_conv = R_GET_DBL(&sc[0]);
    if (st != CEP_OK)
        goto out;
    /* then K more steps, so that s_{T-K} = .. = s_T = s_* (TC.3) */
    sw->T = sw->T_conv + Kb;
    st = CEP_ENOMEM;
    traj = FN(cep_vec_new)(ctx, (sw->T + 1) * S);
    if (traj == NULL)
        goto out;
    st = FN(cep_free_phase)(ctx, s_star, traj, &sc[0], sh, theta, x, sw->T);
    if (st != CEP_OK)
        goto out;
    sw->residual_T = R_GET_DBL(&sc[0]);
    st = FN(cep_bptt)(ctx, gs, gth, NULL, NULL, &sc[1], sh, theta, x, y, traj, sw->T, Kb);
    if (st != CEP_OK)
        goto out;
    sw->loss = R_GET_DBL(&sc[1]);
    FN(cep_vec_free)(traj);
    traj = NULL;

    sw->asymmetry = NAN;
    if (sw->is_mpfr && sh->model != CEP_MODEL_ENERGY) {
        FN(report_progress)(cfg, "MPFR: Jacobian asymmetry at s_*", 0, 1);
        st = FN(jacobian_asymmetry)(ctx, &sw->asymmetry, sh, theta, x, s_star);
        if (st != CEP_OK)
            goto out;
    }

    cep_scope scope;
    size_t shift = (cfg->fault == CEP_FAULT_BPTT_SHIFT) ? 1 : 0;
    for (size_t j = 0; j < rep->n_beta; j++)
        for (size_t mode = 0; mode < CEP_THM_MODES; mode++) {
            if (cep_stop_requested()) { /* SIGINT/SIGTERM: stop between runs */
                st = CEP_EINTR;
                goto out;
            }
            double beta = rep->beta[j], eta1 = rep->eta[j];
            double eta[CEP_MAX_LAYERS];
            for (size_t l = 0; l < N; l++)
                eta[l] = eta1;
            snprintf(what, sizeof what, "%s: beta %.0e %s", sw->is_mpfr ? "MPFR" : "binary64",
                     beta, mode == 0 ? "C-EP" : "EP");
            FN(report_progress)(cfg, what, j * CEP_THM_MODES + mode, rep->n_beta * CEP_THM_MODES);
            double run_beta = (cfg->fault == CEP_FAULT_NUDGE_SIGN) ? -beta : beta;
            st = FN(cep_nudged_phase)(ctx, NULL, NULL, ds, dth, NULL, sh, theta, x, y, s_star, K,
                                      run_beta, mode == 0 ? eta : NULL);
            if (st != CEP_OK)
                goto out;
            FN(cep_scope_enter)(&scope, ctx);
            if (cfg->fault == CEP_FAULT_NUDGE_SIGN) {
                /* undo the sign of the normalisation: (s_{k+1} - s_k) / +beta */
                for (size_t i = 0; i < K * S; i++)
                    R_NEG(ctx, &ds[i], &ds[i]);
                for (size_t i = 0; i < K * P; i++)
                    R_NEG(ctx, &dth[i], &dth[i]);
            }
            if (cfg->fault == CEP_FAULT_G_WITHOUT_EPS && sh->model == CEP_MODEL_ENERGY) {
                R_SET_DBL(ctx, &sc[7], sh->eps);
                for (size_t i = 0; i < K * P; i++)
                    R_DIV(ctx, &dth[i], &dth[i], &sc[7]);
            }
            /* (TC.14) the paper's angle between the total update and -(BPTT total) */
            {
                REAL *tot = tmpP, *totg = tmpP + P, *scr = tmpP + 2 * P;
                FN(t_zero)(ctx, tot, P);
                FN(t_zero)(ctx, totg, P);
                for (size_t k = 0; k < K; k++) {
                    FN(t_add_to)(ctx, tot, dth + k * P, P);
                    FN(t_add_to)(ctx, totg, gth + (k + shift) * P, P);
                }
                FN(t_norm2)(ctx, &sc[6], tot, P);
                FN(t_norm2)(ctx, &sc[7], totg, P);
                rep->angle[p][j][mode] = FN(angle_deg)(ctx, scr, tot, &sc[6], totg, &sc[7], P);
            }
            for (size_t k = 0; k < K; k++)
                for (size_t b = 0; b < rep->n_blocks; b++) {
                    size_t off, len;
                    int is_state;
                    FN(block_range)(sh, b, &off, &len, &is_state);
                    const REAL *D = is_state ? ds + k * S + off : dth + k * P + off;
                    const REAL *g = is_state ? gs + (k + shift) * S + off
                                             : gth + (k + shift) * P + off;
                    FN(block_metric)(ctx, &sw->m[cep_thm_idx(rep, j, mode, k, b)], sc, D, g, len);
                }
            /* GDD traces (C-EP): at the moderate beta and at the smallest */
            for (size_t which = 0; mode == 0 && which < 2; which++) {
                if (j != (which == 0 ? rep->gdd_index : rep->n_beta - 1))
                    continue;
                for (size_t t = 0; t < rep->n_traces; t++) {
                    size_t off, len;
                    int is_state;
                    FN(block_range)(sh, rep->trace_block[t], &off, &len, &is_state);
                    size_t i = off + rep->trace_index[t];
                    for (size_t k = 0; k < K; k++) {
                        const REAL *D = is_state ? &ds[k * S + i] : &dth[k * P + i];
                        const REAL *g = is_state ? &gs[(k + shift) * S + i]
                                                 : &gth[(k + shift) * P + i];
                        sw->trace_delta[(which * rep->n_traces + t) * K + k] = R_GET_DBL(D);
                        sw->trace_grad[t * K + k] = -R_GET_DBL(g);
                    }
                }
            }
            FN(cep_scope_leave)(&scope);
        }
    FN(report_progress)(cfg, sw->is_mpfr ? "MPFR: sweep done" : "binary64: sweep done", 1, 1);
    st = CEP_OK;
out:
    FN(cep_vec_free)(traj);
    FN(cep_vec_free)(tmpP);
    FN(cep_vec_free)(dth);
    FN(cep_vec_free)(ds);
    FN(cep_vec_free)(gth);
    FN(cep_vec_free)(gs);
    FN(cep_vec_free)(sc);
    FN(cep_vec_free)(s_star);
    FN(cep_vec_free)(y);
    FN(cep_vec_free)(x);
    FN(cep_vec_free)(theta);
    return st;
}
