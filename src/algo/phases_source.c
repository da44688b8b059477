/* phases_source.c -- the first (free) phase and the second (nudged) phase
 * with EP and C-EP (spec/model.md §3), templated.
 *
 * Dimension key: S state length, P parameter count, T first-phase steps,
 * K second-phase steps; trajectories are (T+1)*S and per-step updates K*S
 * or K*P values, step-major.
 */

/* Checks shared by the entry points: finite inputs (ENONFINITE). */
/*@ requires valid_v: v == \null || \valid_read(v + (0 .. n - 1));
    assigns \nothing;
    ensures boolean: \result == 0 || \result == 1;
    ensures value: \result == 1 <==> (v == \null || all_fin(v, n));
*/
static int FN(all_finite)(const REAL *v, size_t n)
{
    return v == NULL || FN(t_all_finite)(v, n);
}

/* n * m without overflow, or 0 (caller maps it to CEP_EOVERFLOW). */
/*@ assigns \nothing;
    ensures value: \result == (n * m <= SIZE_MAX ? n * m : 0);
*/
static size_t FN(mul_size)(size_t n, size_t m)
{
    return (m != 0 && n > SIZE_MAX / m) ? 0 : n * m;
}

/*@ assigns s_T[0 .. sh->S - 1], traj[0 .. (T + 1) * sh->S - 1], *residual,
            cep_heap_clock, *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
  behavior null_arg:
    assumes ctx == \null || s_T == \null || sh == \null || theta == \null || x == \null;
    assigns \nothing;
    ensures status: \result == CEP_EARG;
  behavior bad_horizon:
    assumes ctx != \null && s_T != \null && sh != \null && theta != \null && x != \null;
    assumes T < 1 || T > CEP_MAX_STEPS;
    assigns \nothing;
    ensures status: \result == CEP_EHORIZON;
  behavior run:
    assumes ctx != \null && s_T != \null && sh != \null && theta != \null && x != \null;
    assumes 1 <= T <= CEP_MAX_STEPS;
    requires valid_ctx: \valid_read(ctx);
    requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_s_T: \valid(s_T + (0 .. sh->S - 1));
    requires valid_traj: traj == \null || \valid(traj + (0 .. (T + 1) * sh->S - 1));
    requires valid_residual: residual == \null || \valid(residual);
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires sep: \separated(s_T + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                             x + (0 .. sh->size[0] - 1), sh);
    requires sep_traj: traj != \null ==>
      \separated(traj + (0 .. (T + 1) * sh->S - 1), s_T + (0 .. sh->S - 1),
                 theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), sh);
    requires sep_residual: residual != \null ==>
      \separated(residual, s_T + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), sh);
    requires sep_traj_residual: traj != \null && residual != \null ==>
      \separated(residual, traj + (0 .. (T + 1) * sh->S - 1));
    requires old: old_block(s_T) && old_block(theta) && old_block(x) && old_shape(sh);
    requires old_opt: (traj == \null || old_block(traj)) && (residual == \null || old_block(residual));
    assigns s_T[0 .. sh->S - 1], traj[0 .. (T + 1) * sh->S - 1], *residual,
            cep_heap_clock, *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
    ensures status: \result == CEP_OK || \result == CEP_ENONFINITE ||
                    \result == CEP_ENOMEM || \result == CEP_EDIVERGED;
    ensures nonfinite: \result == CEP_ENONFINITE <==>
                       !(all_fin(theta, sh->P) && all_fin(x, sh->size[0]));
    ensures first: \result == CEP_OK && traj != \null ==>
                   \forall integer i; 0 <= i < sh->S ==> real_zero(traj[i]);
    ensures last: \result == CEP_OK && traj != \null ==>
                  \forall integer i; 0 <= i < sh->S ==> traj[T * sh->S + i] == s_T[i];
    ensures residual: \result == CEP_OK && residual != \null ==> *residual >= 0.0;
  complete behaviors;
  disjoint behaviors;
*/
int FN(cep_free_phase)(const cep_ctx *ctx, REAL *s_T, REAL *traj, REAL *residual,
                       const cep_shape *sh, const REAL *theta, const REAL *x, size_t T)
{
    if (ctx == NULL || s_T == NULL || sh == NULL || theta == NULL || x == NULL)
        return CEP_EARG;
    if (T < 1 || T > CEP_MAX_STEPS)
        return CEP_EHORIZON;
    size_t S = sh->S;
    if (traj != NULL && FN(mul_size)(T + 1, S) == 0)
        return CEP_EOVERFLOW;
    /*@ assert traj_len: traj != \null ==> S <= (T + 1) * S <= SIZE_MAX; */
    if (!FN(all_finite)(theta, sh->P) || !FN(all_finite)(x, sh->size[0]))
        return CEP_ENONFINITE;

    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    REAL *cur = FN(cep_vec_new)(ctx, S);
    REAL *next = FN(cep_vec_new)(ctx, S);
    int st = CEP_OK;
    if (work == NULL || cur == NULL || next == NULL) {
        st = CEP_ENOMEM;
        goto out;
    }
    /*@ assert shape_max: shape_max(sh); */
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), s_T + (0 .. S - 1), theta + (0 .. sh->P - 1),
          x + (0 .. sh->size[0] - 1), sh); */
    /*@ assert sep_new_traj: traj != \null ==> \separated(traj + (0 .. (T + 1) * S - 1),
          work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1), next + (0 .. S - 1)); */
    /*@ assert sep_new_residual: residual != \null ==> \separated(residual,
          work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1), next + (0 .. S - 1)); */
    //@ ghost REAL *buf_a = cur;
    //@ ghost REAL *buf_b = next;
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    /* (FREE.0) s_0 = 0 (cep_vec_new gives +0) */
    if (traj != NULL)
        FN(t_zero)(ctx, traj, S);
    /*@ assert shape: shape_ok(sh) && shape_max(sh); */
    /*@ loop invariant bound: 0 <= t <= T;
        loop invariant shape: shape_ok(sh) && shape_max(sh);
        loop invariant bufs: (cur == buf_a && next == buf_b) || (cur == buf_b && next == buf_a);
        loop invariant ok: st == CEP_OK;
        loop invariant first: traj != \null ==> \forall integer i; 0 <= i < S ==> real_zero(traj[i]);
        loop invariant last: traj != \null ==> \forall integer i; 0 <= i < S ==> traj[t * S + i] == cur[i];
        loop invariant residual: t == T && residual != \null ==> *residual >= 0.0;
        loop assigns t, st, cur, next, buf_a[0 .. S - 1], buf_b[0 .. S - 1],
                     work[0 .. work_len(sh) - 1], traj[S .. (T + 1) * S - 1], *residual;
        loop variant T - t;
    */
    for (size_t t = 0; t < T; t++) {
        /* (FREE.1) s_{t+1} = F(x, s_t, theta) */
        FN(m_step)(ctx, next, work, sh, theta, x, cur);
        if (!FN(t_all_finite)(next, S)) {
            st = CEP_EDIVERGED;
            break;
        }
        if (traj != NULL) {
            /*@ assert block: S <= (t + 1) * S && (t + 1) * S + S <= (T + 1) * S; */
            FN(t_copy)(ctx, traj + (t + 1) * S, next, S);
        }
        if (t == T - 1 && residual != NULL)
            FN(t_norm_inf_diff)(ctx, residual, next, cur, S); /* (FREE.2) */
        REAL *swap = cur;
        cur = next;
        next = swap;
    }
    if (st == CEP_OK)
        FN(t_copy)(ctx, s_T, cur, S);
    FN(cep_scope_leave)(&scope);
out:
    FN(cep_vec_free)(next);
    FN(cep_vec_free)(cur);
    FN(cep_vec_free)(work);
    return st;
}

int FN(cep_free_phase_converge)(const cep_ctx *ctx, REAL *s_out, size_t *T_conv, REAL *residual,
                                const cep_shape *sh, const REAL *theta, const REAL *x,
                                long tol_log2, size_t T_max)
{
    if (ctx == NULL || s_out == NULL || T_conv == NULL || sh == NULL || theta == NULL || x == NULL)
        return CEP_EARG;
    if (T_max < 1 || T_max > CEP_MAX_STEPS)
        return CEP_EHORIZON;
    if (!FN(all_finite)(theta, sh->P) || !FN(all_finite)(x, sh->size[0]))
        return CEP_ENONFINITE;
    size_t S = sh->S;
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    REAL *cur = FN(cep_vec_new)(ctx, S);
    REAL *next = FN(cep_vec_new)(ctx, S);
    REAL *res = FN(cep_vec_new)(ctx, 1);
    int st = CEP_ENOTCONVERGED;
    if (work == NULL || cur == NULL || next == NULL || res == NULL) {
        st = CEP_ENOMEM;
        goto out;
    }
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    size_t t = 0;
    while (t < T_max) {
        FN(m_step)(ctx, next, work, sh, theta, x, cur); /* (FREE.1) */
        t++;
        if (!FN(t_all_finite)(next, S)) {
            st = CEP_EDIVERGED;
            break;
        }
        FN(t_norm_inf_diff)(ctx, res, next, cur, S); /* (FREE.2) */
        REAL *swap = cur;
        cur = next;
        next = swap;
        if (R_LE_POW2(res, tol_log2)) { /* (FREE.3) */
            st = CEP_OK;
            break;
        }
    }
    *T_conv = t;
    FN(t_copy)(ctx, s_out, cur, S);
    if (residual != NULL)
        R_SET(ctx, residual, res);
    FN(cep_scope_leave)(&scope);
out:
    FN(cep_vec_free)(res);
    FN(cep_vec_free)(next);
    FN(cep_vec_free)(cur);
    FN(cep_vec_free)(work);
    return st;
}

int FN(cep_nudged_phase)(const cep_ctx *ctx, REAL *s_K, REAL *theta_K, REAL *delta_s,
                         REAL *delta_theta, REAL *total, const cep_shape *sh,
                         const REAL *theta, const REAL *x, const REAL *y, const REAL *s_star,
                         size_t K, double beta, const double *eta)
{
    if (ctx == NULL || sh == NULL || theta == NULL || x == NULL || y == NULL || s_star == NULL)
        return CEP_EARG;
    if (K < 1 || K > CEP_MAX_STEPS)
        return CEP_EHORIZON;
    int st = cep_check_beta(beta);
    if (st == CEP_OK)
        st = cep_check_eta(sh->n_layers, eta);
    if (st != CEP_OK)
        return st;
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    if ((delta_s != NULL && FN(mul_size)(K, S) == 0) ||
        (delta_theta != NULL && FN(mul_size)(K, P) == 0))
        return CEP_EOVERFLOW;
    if (!FN(all_finite)(theta, P) || !FN(all_finite)(x, sh->size[0]) ||
        !FN(all_finite)(y, sh->size[N]) || !FN(all_finite)(s_star, S))
        return CEP_ENONFINITE;

    int ep = (eta == NULL);
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    REAL *s = FN(cep_vec_new)(ctx, S);
    REAL *s_next = FN(cep_vec_new)(ctx, S);
    REAL *th = FN(cep_vec_new)(ctx, P);
    REAL *g_prev = FN(cep_vec_new)(ctx, P);
    REAL *g_next = FN(cep_vec_new)(ctx, P);
    REAL *dth = FN(cep_vec_new)(ctx, P);
    REAL *g_star = (ep && total != NULL) ? FN(cep_vec_new)(ctx, P) : NULL;
    REAL *acc = (!ep && total != NULL) ? FN(cep_vec_new)(ctx, P) : NULL;
    if (work == NULL || s == NULL || s_next == NULL || th == NULL || g_prev == NULL ||
        g_next == NULL || dth == NULL || (total != NULL && g_star == NULL && acc == NULL)) {
        st = CEP_ENOMEM;
        goto out;
    }
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    REAL b[1], d[1], e[1];
    R_INIT(ctx, b);
    R_INIT(ctx, d);
    R_INIT(ctx, e);
    R_SET_DBL(ctx, b, beta);

    FN(t_copy)(ctx, s, s_star, S);
    FN(t_copy)(ctx, th, theta, P);
    FN(m_G)(ctx, g_prev, work, sh, x, s);
    if (g_star != NULL)
        FN(t_copy)(ctx, g_star, g_prev, P);
    size_t out_off = sh->s_off[N], nN = sh->size[N];

    for (size_t k = 0; k < K; k++) {
        /* (NUDGE.1) s_{k+1} = F(x, s_k, theta_k) - beta * dl/ds(s_k, y),
         * dl/ds = s_N - y on the output layer only (COST.2). */
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
        if (delta_s != NULL) {
            /* (NORM.1) Delta_s(k) = (s_{k+1} - s_k) / beta */
            REAL *ds = delta_s + k * S;
            FN(t_sub)(ctx, ds, s_next, s, S);
            FN(t_div_scalar)(ctx, ds, ds, b, S);
        }
        /* (NUDGE.2) Delta_theta(k) = (G(x, s_{k+1}) - G(x, s_k)) / beta;
         * G does not depend on theta, so G(s_k) is carried from the last step. */
        FN(m_G)(ctx, g_next, work, sh, x, s_next);
        FN(t_sub)(ctx, dth, g_next, g_prev, P);
        FN(t_div_scalar)(ctx, dth, dth, b, P);
        if (!FN(t_all_finite)(dth, P)) {
            st = CEP_EDIVERGED;
            break;
        }
        if (delta_theta != NULL)
            FN(t_copy)(ctx, delta_theta + k * P, dth, P); /* (NORM.2) */
        if (!ep) {
            /* (CEP.1) theta_{k+1} = theta_k + eta_n * Delta_theta(k), block by block */
            for (size_t l = 1; l <= N; l++) {
                size_t lo = sh->W_off[l], hi = sh->b_off[l] + sh->size[l];
                R_SET_DBL(ctx, e, eta[l - 1]);
                FN(t_axpy)(ctx, th + lo, e, dth + lo, hi - lo);
            }
            if (!FN(t_all_finite)(th, P)) {
                st = CEP_EDIVERGED;
                break;
            }
            if (acc != NULL)
                FN(t_add_to)(ctx, acc, dth, P); /* (CEP.2) */
        }
        REAL *swap = s;
        s = s_next;
        s_next = swap;
        swap = g_prev;
        g_prev = g_next;
        g_next = swap;
    }
    if (st == CEP_OK) {
        if (s_K != NULL)
            FN(t_copy)(ctx, s_K, s, S);
        if (theta_K != NULL)
            FN(t_copy)(ctx, theta_K, th, P);
        if (total != NULL && ep) {
            /* (EP.1) (1/beta) (G(s_K) - G(s_*)), g_prev holding G(s_K) */
            FN(t_sub)(ctx, total, g_prev, g_star, P);
            FN(t_div_scalar)(ctx, total, total, b, P);
        } else if (total != NULL) {
            FN(t_copy)(ctx, total, acc, P);
        }
    }
    R_CLEAR(e);
    R_CLEAR(d);
    R_CLEAR(b);
    FN(cep_scope_leave)(&scope);
out:
    FN(cep_vec_free)(acc);
    FN(cep_vec_free)(g_star);
    FN(cep_vec_free)(dth);
    FN(cep_vec_free)(g_next);
    FN(cep_vec_free)(g_prev);
    FN(cep_vec_free)(th);
    FN(cep_vec_free)(s_next);
    FN(cep_vec_free)(s);
    FN(cep_vec_free)(work);
    return st;
}
