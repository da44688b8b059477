/* vtrace_source.c -- one golden-vector case computed in one context: every
 * quantity of spec/vectors.md §4 through the library's public API
 * (templated: binary64 and MPFR).  The generator calls it for the truth (MPFR
 * at p and 2p bits), for the in-format traces (MPFR emulating binary64,
 * binary32, bfloat16) and for the double build.
 *
 * Declared in vectors.h. */

/* Trajectory case (VEC.TRAJ): free phase (FREE.0-1), C-EP and EP second
 * phases (NUDGE.1-4, CEP.1-2, EP.1) and BPTT (BPTT.1-4).  The K-step calls
 * give the canonical deltas and totals; the intermediate states s_k and
 * theta_k come from K one-step calls, each started where the previous one
 * ended (the phase is Markov in (s_k, theta_k)); the two are checked to
 * agree bit for bit, a guard against any hidden state in the phase. */
static int FN(vtrace_traj)(const cep_ctx *ctx, REAL **q, const size_t *len, const vcase_in *in)
{
    const cep_shape *sh = &in->sh;
    size_t S = sh->S, P = sh->P, T = in->T, K = in->K;
    size_t nx = sh->size[0], ny = sh->size[sh->n_layers];
    int st = CEP_ENOMEM;
    REAL *x = FN(cep_vec_new)(ctx, nx), *y = FN(cep_vec_new)(ctx, ny);
    REAL *th0 = FN(cep_vec_new)(ctx, P), *s_T = FN(cep_vec_new)(ctx, S);
    REAL *s_K = FN(cep_vec_new)(ctx, S), *th_K = FN(cep_vec_new)(ctx, P);
    REAL *tmp_s = FN(cep_vec_new)(ctx, S), *tmp_th = FN(cep_vec_new)(ctx, P);
    for (size_t i = 0; i < cep_vq_count; i++)
        if (cep_vq_table[i].kind == VQ_KIND_TRAJ && len[i] != 0) {
            q[i] = FN(cep_vec_new)(ctx, len[i]);
            if (q[i] == NULL)
                goto out;
        }
    if (!x || !y || !th0 || !s_T || !s_K || !th_K || !tmp_s || !tmp_th)
        goto out;
    FN(cep_vec_from_double)(ctx, x, in->x, nx);
    FN(cep_vec_from_double)(ctx, y, in->y, ny);
    FN(cep_vec_from_double)(ctx, th0, in->theta, P);

    st = FN(cep_free_phase)(ctx, s_T, q[VQ_FREE_S], NULL, sh, th0, x, T);
    if (st) goto out;

    /* C-EP: canonical K-step run, then the per-step states. */
    st = FN(cep_nudged_phase)(ctx, s_K, th_K, q[VQ_CEP_DELTA_S], q[VQ_CEP_DELTA_THETA],
                              q[VQ_CEP_TOTAL], sh, th0, x, y, s_T, K, in->beta, in->eta);
    if (st) goto out;
    REAL *cs = q[VQ_CEP_S], *cth = q[VQ_CEP_THETA];
    FN(t_copy)(ctx, cs, s_T, S);
    FN(t_copy)(ctx, cth, th0, P);
    for (size_t k = 0; k < K; k++) {
        st = FN(cep_nudged_phase)(ctx, &cs[(k + 1) * S], &cth[(k + 1) * P], tmp_s, tmp_th, NULL,
                                  sh, &cth[k * P], x, y, &cs[k * S], 1, in->beta, in->eta);
        if (st) goto out;
        if (!FN(vtrace_same)(tmp_s, &q[VQ_CEP_DELTA_S][k * S], S) ||
            !FN(vtrace_same)(tmp_th, &q[VQ_CEP_DELTA_THETA][k * P], P)) {
            st = CEP_EV_COMPUTE;
            goto out;
        }
    }
    if (!FN(vtrace_same)(&cs[K * S], s_K, S) || !FN(vtrace_same)(&cth[K * P], th_K, P)) {
        st = CEP_EV_COMPUTE;
        goto out;
    }

    /* EP: theta fixed; the total is the two-point form (EP.1). */
    st = FN(cep_nudged_phase)(ctx, s_K, NULL, NULL, NULL, q[VQ_EP_TOTAL], sh, th0, x, y, s_T, K,
                              in->beta, NULL);
    if (st) goto out;
    REAL *es = q[VQ_EP_S];
    FN(t_copy)(ctx, es, s_T, S);
    for (size_t k = 0; k < K; k++) {
        st = FN(cep_nudged_phase)(ctx, &es[(k + 1) * S], NULL, NULL, NULL, NULL, sh, th0, x, y,
                                  &es[k * S], 1, in->beta, NULL);
        if (st) goto out;
    }
    if (!FN(vtrace_same)(&es[K * S], s_K, S)) {
        st = CEP_EV_COMPUTE;
        goto out;
    }

    st = FN(cep_bptt)(ctx, q[VQ_BPTT_GRAD_S], q[VQ_BPTT_GRAD_THETA], q[VQ_BPTT_TOTAL], NULL,
                      q[VQ_BPTT_LOSS], sh, th0, x, y, q[VQ_FREE_S], T, K);
out:
    FN(cep_vec_free)(x);
    FN(cep_vec_free)(y);
    FN(cep_vec_free)(th0);
    FN(cep_vec_free)(s_T);
    FN(cep_vec_free)(s_K);
    FN(cep_vec_free)(th_K);
    FN(cep_vec_free)(tmp_s);
    FN(cep_vec_free)(tmp_th);
    return st;
}

/* Single-step case (VEC.STEP): from the given (x, y, theta, s, v), one
 * transition F (F.E/F.P), one C-EP step (NUDGE.1-2, NORM.1, CEP.1) and one
 * vector-Jacobian product (VJP.E/VJP.P, as BPTT.2-3 use it). */
static int FN(vtrace_step)(const cep_ctx *ctx, REAL **q, const size_t *len, const vcase_in *in)
{
    const cep_shape *sh = &in->sh;
    size_t S = sh->S, P = sh->P;
    size_t nx = sh->size[0], ny = sh->size[sh->n_layers];
    int st = CEP_ENOMEM;
    REAL *x = FN(cep_vec_new)(ctx, nx), *y = FN(cep_vec_new)(ctx, ny);
    REAL *th = FN(cep_vec_new)(ctx, P), *s = FN(cep_vec_new)(ctx, S);
    REAL *v = FN(cep_vec_new)(ctx, S);
    for (size_t i = 0; i < cep_vq_count; i++)
        if (cep_vq_table[i].kind == VQ_KIND_STEP && len[i] != 0) {
            q[i] = FN(cep_vec_new)(ctx, len[i]);
            if (q[i] == NULL)
                goto out;
        }
    if (!x || !y || !th || !s || !v)
        goto out;
    FN(cep_vec_from_double)(ctx, x, in->x, nx);
    FN(cep_vec_from_double)(ctx, y, in->y, ny);
    FN(cep_vec_from_double)(ctx, th, in->theta, P);
    FN(cep_vec_from_double)(ctx, s, in->s, S);
    FN(cep_vec_from_double)(ctx, v, in->v, S);
    st = FN(cep_model_step)(ctx, q[VQ_STEP_F], sh, th, x, s);
    if (st) goto out;
    st = FN(cep_nudged_phase)(ctx, q[VQ_NUDGE_S], q[VQ_NUDGE_THETA], q[VQ_NUDGE_DELTA_S],
                              q[VQ_NUDGE_DELTA_THETA], NULL, sh, th, x, y, s, 1, in->beta, in->eta);
    if (st) goto out;
    st = FN(cep_model_step_vjp)(ctx, q[VQ_VJP_S], q[VQ_VJP_THETA], sh, th, x, s, v);
out:
    FN(cep_vec_free)(x);
    FN(cep_vec_free)(y);
    FN(cep_vec_free)(th);
    FN(cep_vec_free)(s);
    FN(cep_vec_free)(v);
    return st;
}

int FN(vtrace_run)(const cep_ctx *ctx, REAL **q, const size_t *len, const vcase_in *in)
{
    return in->kind == VQ_KIND_TRAJ ? FN(vtrace_traj)(ctx, q, len, in)
                                    : FN(vtrace_step)(ctx, q, len, in);
}

void FN(vtrace_free)(REAL **q)
{
    for (size_t i = 0; i < cep_vq_count; i++) {
        FN(cep_vec_free)(q[i]);
        q[i] = NULL;
    }
}
