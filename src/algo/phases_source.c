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

/*@
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
    /*@ assert dims: 1 <= S <= CEP_MAX_PARAMS && sh->P <= CEP_MAX_PARAMS; */
    //@ ghost cep_block_lemma(0, T, S);
    /*@ assert no_overflow: (size_t)(T + 1) == T + 1 && 1 <= (T + 1) * S <= SIZE_MAX; */
    if (traj != NULL && FN(mul_size)(T + 1, S) == 0)
        return CEP_EOVERFLOW;
    if (!FN(all_finite)(theta, sh->P) || !FN(all_finite)(x, sh->size[0]))
        return CEP_ENONFINITE;

    /* Birth dates: each new block is born after the previous one (the
     * ghost clock read between the calls), so all are distinct blocks. */
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    //@ ghost size_t c1 = cep_heap_clock;
    REAL *cur = FN(cep_vec_new)(ctx, S);
    //@ ghost size_t c2 = cep_heap_clock;
    REAL *next = FN(cep_vec_new)(ctx, S);
    int st = CEP_OK;
    if (work == NULL || cur == NULL || next == NULL) {
        st = CEP_ENOMEM;
        goto out;
    }
    //@ ghost lemma_shape_max((cep_shape *)sh);
    /*@ assert born: born_in(work, \at(cep_heap_clock, Pre), c1) && born_in(cur, c1, c2) &&
          born_in(next, c2, cep_heap_clock); */
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1)); */
    /*@ assert sep_old: \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), s_T + (0 .. S - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), theta + (0 .. sh->P - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), x + (0 .. sh->size[0] - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), sh); */
    /*@ assert sep_new_traj: traj != \null ==> \separated(traj + (0 .. (T + 1) * S - 1),
          work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1), next + (0 .. S - 1)); */
    /*@ assert sep_new_residual: residual != \null ==> \separated(residual,
          work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1), next + (0 .. S - 1)); */
    //@ ghost REAL *buf_a = cur;
    //@ ghost REAL *buf_b = next;
    //@ ghost size_t steps = 0;
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    /* (FREE.0) s_0 = 0 (cep_vec_new gives +0) */
    if (traj != NULL)
        FN(t_zero)(ctx, traj, S);
    /*@ assert first_0: traj != \null ==> zero_block(traj, S); */
    /*@ assert eps: sh->eps == \at(sh->eps, Pre); */
    /*@ loop invariant bound: 0 <= t <= T;
        loop invariant eps: sh->eps == \at(sh->eps, Pre);
        loop invariant steps: steps == t;
        loop invariant bufs: (cur == buf_a && next == buf_b) || (cur == buf_b && next == buf_a);
        loop invariant sep_bufs: \separated(cur + (0 .. S - 1), next + (0 .. S - 1),
          work + (0 .. work_len(sh) - 1), s_T + (0 .. S - 1), theta + (0 .. sh->P - 1),
          x + (0 .. sh->size[0] - 1), sh);
        loop invariant sep_traj: traj != \null ==> \separated(traj + (0 .. (T + 1) * S - 1),
          cur + (0 .. S - 1), next + (0 .. S - 1), work + (0 .. work_len(sh) - 1));
        loop invariant sep_residual: residual != \null ==> \separated(residual,
          cur + (0 .. S - 1), next + (0 .. S - 1), work + (0 .. work_len(sh) - 1));
        loop invariant ok: st == CEP_OK;
        loop invariant first: traj != \null ==> zero_block(traj, S);
        loop invariant last: traj != \null ==> \forall integer i; 0 <= i < S ==> traj[t * S + i] == cur[i];
        loop invariant residual: t == T && residual != \null ==> *residual >= 0.0;
        loop assigns t, steps, st, cur, next, buf_a[0 .. S - 1], buf_b[0 .. S - 1],
                     work[0 .. work_len(sh) - 1], traj[S .. (T + 1) * S - 1], *residual;
        loop variant T - t;
    */
    for (size_t t = 0; t < T; t++) {
        /* (FREE.1) s_{t+1} = F(x, s_t, theta) */
        FN(m_step)(ctx, next, work, sh, theta, x, cur);
        /*@ assert first_1: traj != \null ==> zero_block(traj, S); */
        if (!FN(t_all_finite)(next, S)) {
            st = CEP_EDIVERGED;
            break;
        }
        if (traj != NULL) {
            //@ ghost cep_block_lemma(t, T, S);
            /*@ assert index: (size_t)(t + 1) == t + 1 && (size_t)((t + 1) * S) == (t + 1) * S; */
            FN(t_copy)(ctx, traj + (t + 1) * S, next, S);
            /*@ assert first_2: zero_block(traj, S); */
        }
        if (t == T - 1 && residual != NULL) {
            FN(t_norm_inf_diff)(ctx, residual, next, cur, S); /* (FREE.2) */
            /*@ assert first_3: traj != \null ==> zero_block(traj, S); */
        }
        REAL *swap = cur;
        cur = next;
        next = swap;
        //@ ghost steps++;
    }
    /*@ assert steps: st == CEP_OK ==> steps == T; */
    if (st == CEP_OK) {
        /*@ assert last_T: traj != \null ==>
              \forall integer i; 0 <= i < S ==> traj[T * S + i] == cur[i]; */
        FN(t_copy)(ctx, s_T, cur, S);
        /*@ assert first_out: traj != \null ==> zero_block(traj, S); */
        /*@ assert last_out: traj != \null ==>
              \forall integer i; 0 <= i < S ==> traj[T * S + i] == s_T[i]; */
    }
    FN(cep_scope_leave)(&scope);
out:
    FN(cep_vec_free)(next);
    FN(cep_vec_free)(cur);
    FN(cep_vec_free)(work);
    return st;
}

/*@
  behavior null_arg:
    assumes ctx == \null || s_out == \null || T_conv == \null || sh == \null ||
            theta == \null || x == \null;
    assigns \nothing;
    ensures status: \result == CEP_EARG;
  behavior bad_horizon:
    assumes ctx != \null && s_out != \null && T_conv != \null && sh != \null &&
            theta != \null && x != \null;
    assumes T_max < 1 || T_max > CEP_MAX_STEPS;
    assigns \nothing;
    ensures status: \result == CEP_EHORIZON;
  behavior run:
    assumes ctx != \null && s_out != \null && T_conv != \null && sh != \null &&
            theta != \null && x != \null;
    assumes 1 <= T_max <= CEP_MAX_STEPS;
    requires valid_ctx: \valid_read(ctx);
    requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_s_out: \valid(s_out + (0 .. sh->S - 1));
    requires valid_T_conv: \valid(T_conv);
    requires valid_residual: residual == \null || \valid(residual);
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires sep: \separated(s_out + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                             x + (0 .. sh->size[0] - 1), sh);
    requires sep_T_conv: \separated(T_conv, s_out + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                                    x + (0 .. sh->size[0] - 1), sh);
    requires sep_residual: residual != \null ==>
      \separated(residual, T_conv, s_out + (0 .. sh->S - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), sh);
    requires old: old_block(s_out) && old_block(theta) && old_block(x) && old_shape(sh);
    requires old_opt: residual == \null || old_block(residual);
    assigns s_out[0 .. sh->S - 1], *T_conv, *residual, cep_heap_clock, *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
    ensures status: \result == CEP_OK || \result == CEP_ENOTCONVERGED || \result == CEP_EDIVERGED ||
                    \result == CEP_ENONFINITE || \result == CEP_ENOMEM;
    ensures nonfinite: \result == CEP_ENONFINITE <==>
                       !(all_fin(theta, sh->P) && all_fin(x, sh->size[0]));
    ensures steps: \result == CEP_OK || \result == CEP_ENOTCONVERGED || \result == CEP_EDIVERGED ==>
                   1 <= *T_conv <= T_max;
    ensures not_converged: \result == CEP_ENOTCONVERGED ==> *T_conv == T_max;
    ensures residual: (\result == CEP_OK || \result == CEP_ENOTCONVERGED || \result == CEP_EDIVERGED) &&
                      residual != \null ==> *residual >= 0.0;
    ensures converged: \result == CEP_OK && residual != \null && -1074 <= tol_log2 <= 1023 ==>
                       *residual <= \pow(2.0, tol_log2);
  complete behaviors;
  disjoint behaviors;
*/
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
    /* Birth dates: each new block is born after the previous one (the
     * ghost clock read between the calls), so all are distinct blocks. */
    REAL *work = FN(cep_vec_new)(ctx, cep_model_work_len(sh));
    //@ ghost size_t c1 = cep_heap_clock;
    REAL *cur = FN(cep_vec_new)(ctx, S);
    //@ ghost size_t c2 = cep_heap_clock;
    REAL *next = FN(cep_vec_new)(ctx, S);
    //@ ghost size_t c3 = cep_heap_clock;
    REAL *res = FN(cep_vec_new)(ctx, 1);
    int st = CEP_ENOTCONVERGED;
    if (work == NULL || cur == NULL || next == NULL || res == NULL) {
        st = CEP_ENOMEM;
        goto out;
    }
    //@ ghost lemma_shape_max((cep_shape *)sh);
    /*@ assert born: born_in(work, \at(cep_heap_clock, Pre), c1) && born_in(cur, c1, c2) &&
          born_in(next, c2, c3) && born_in(res, c3, cep_heap_clock); */
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), res); */
    /*@ assert sep_old: \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), res, s_out + (0 .. S - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), res, theta + (0 .. sh->P - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), res, x + (0 .. sh->size[0] - 1)) &&
          \separated(work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1),
          next + (0 .. S - 1), res, sh); */
    /*@ assert sep_new_residual: residual != \null ==> \separated(residual,
          work + (0 .. work_len(sh) - 1), cur + (0 .. S - 1), next + (0 .. S - 1), res); */
    //@ ghost REAL *buf_a = cur;
    //@ ghost REAL *buf_b = next;
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    size_t t = 0;
    /*@ assert eps: sh->eps == \at(sh->eps, Pre); */
    /*@ loop invariant bound: 0 <= t <= T_max;
        loop invariant eps: sh->eps == \at(sh->eps, Pre);
        loop invariant bufs: (cur == buf_a && next == buf_b) || (cur == buf_b && next == buf_a);
        loop invariant sep_bufs: \separated(cur + (0 .. S - 1), next + (0 .. S - 1),
          work + (0 .. work_len(sh) - 1), res, theta + (0 .. sh->P - 1),
          x + (0 .. sh->size[0] - 1), sh);
        loop invariant st: st == CEP_ENOTCONVERGED;
        loop invariant res: res[0] >= 0.0;
        loop assigns t, st, cur, next, buf_a[0 .. S - 1], buf_b[0 .. S - 1],
                     work[0 .. work_len(sh) - 1], res[0];
        loop variant T_max - t;
    */
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
    /*@ assert steps: 1 <= t <= T_max && (st == CEP_ENOTCONVERGED ==> t == T_max); */
    /*@ assert converged: st == CEP_OK && -1074 <= tol_log2 <= 1023 ==> res[0] <= \pow(2.0, tol_log2); */
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

/* (CEP.1) theta_{k+1} = theta_k + eta_n * Delta_theta(k): layer n's block
 * (W_n then b_n, contiguous by (LAYOUT.2)) moves with its own rate
 * eta[n - 1].  A function of its own so that its proof does not see the
 * second phase's many buffers. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_th: \valid(th + (0 .. sh->P - 1));
    requires valid_dth: \valid_read(dth + (0 .. sh->P - 1));
    requires valid_eta: \valid_read(eta + (0 .. sh->n_layers - 1));
    requires sep: \separated(th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1), sh);
    requires sep_eta: \separated(th + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1));
    assigns th[0 .. sh->P - 1];
    ensures eps: sh->eps == \old(sh->eps);
*/
static void FN(cep_update)(const cep_ctx *ctx, REAL *th, const cep_shape *sh, const REAL *dth,
                           const double *eta)
{
    size_t N = sh->n_layers;
    REAL e[1];
    R_INIT(ctx, e);
    /*@ loop invariant bound: 1 <= l <= N + 1;
        loop invariant eps: sh->eps == \at(sh->eps, Pre);
        loop assigns l, e[0], th[0 .. sh->P - 1];
        loop variant N + 1 - l;
    */
    for (size_t l = 1; l <= N; l++) {
        //@ ghost lemma_W_block(sh, l);
        //@ ghost lemma_size_product(sh->size[l], sh->size[l - 1]);
        /*@ assert block: sh->W_off[l] <= sh->b_off[l] &&
              sh->b_off[l] + sh->size[l] <= sh->P; */
        size_t lo = sh->W_off[l], hi = sh->b_off[l] + sh->size[l];
        R_SET_DBL(ctx, e, eta[l - 1]);
        FN(t_axpy)(ctx, th + lo, e, dth + lo, hi - lo);
    }
    R_CLEAR(e);
}

/* One step k of the second phase (the body of cep_nudged_phase's loop),
 * from s = s_k, g_prev = G(x, s_k) and th = theta_k:
 *   s_next = F(x, s_k, theta_k) - beta * dl/ds(s_k, y)          (NUDGE.1)
 *   delta_s(k) = (s_next - s_k) / beta                           (NORM.1)
 *   g_next = G(x, s_next), dth = (g_next - g_prev) / beta        (NUDGE.2)
 *   delta_theta(k) = dth                                         (NORM.2)
 * and for C-EP (eta != NULL) th = theta_{k+1} (CEP.1), acc += dth (CEP.2).
 * delta_s, delta_theta and acc may be NULL.  Returns CEP_EDIVERGED, and
 * stops, as soon as s_next, dth or th has a non-finite entry.  A function
 * of its own (as bptt_step) so that each proof sees one step's buffers
 * only: inline in the loop, WP's simplifier took seconds per goal. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires horizon: k < K <= CEP_MAX_STEPS;
    requires beta: \is_finite(beta) && beta != 0.0;
    requires valid_s_next: \valid(s_next + (0 .. sh->S - 1));
    requires valid_g_next: \valid(g_next + (0 .. sh->P - 1));
    requires valid_th: \valid(th + (0 .. sh->P - 1));
    requires valid_dth: \valid(dth + (0 .. sh->P - 1));
    requires valid_work: \valid(work + (0 .. work_len(sh) - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires valid_g_prev: \valid_read(g_prev + (0 .. sh->P - 1));
    requires valid_eta: eta == \null || \valid_read(eta + (0 .. sh->n_layers - 1));
    requires valid_delta_s: delta_s == \null || \valid(delta_s + (0 .. K * sh->S - 1));
    requires valid_delta_theta: delta_theta == \null ||
                                \valid(delta_theta + (0 .. K * sh->P - 1));
    requires valid_acc: acc == \null || \valid(acc + (0 .. sh->P - 1));
    requires sep: \separated(s_next + (0 .. sh->S - 1), g_next + (0 .. sh->P - 1),
                             th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1), x + (0 .. sh->size[0] - 1),
                             y + (0 .. sh->size[sh->n_layers] - 1), s + (0 .. sh->S - 1),
                             g_prev + (0 .. sh->P - 1), sh);
    requires sep_eta: eta != \null ==> \separated(eta + (0 .. sh->n_layers - 1),
                             s_next + (0 .. sh->S - 1), g_next + (0 .. sh->P - 1),
                             th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1));
    requires sep_delta_s: delta_s != \null ==> \separated(delta_s + (0 .. K * sh->S - 1),
                             s_next + (0 .. sh->S - 1), g_next + (0 .. sh->P - 1),
                             th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1), x + (0 .. sh->size[0] - 1),
                             y + (0 .. sh->size[sh->n_layers] - 1), s + (0 .. sh->S - 1),
                             g_prev + (0 .. sh->P - 1), sh);
    requires sep_delta_theta: delta_theta != \null ==>
                           \separated(delta_theta + (0 .. K * sh->P - 1),
                             s_next + (0 .. sh->S - 1), g_next + (0 .. sh->P - 1),
                             th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1), x + (0 .. sh->size[0] - 1),
                             y + (0 .. sh->size[sh->n_layers] - 1), s + (0 .. sh->S - 1),
                             g_prev + (0 .. sh->P - 1), sh);
    requires sep_acc: acc != \null ==> \separated(acc + (0 .. sh->P - 1),
                             s_next + (0 .. sh->S - 1), g_next + (0 .. sh->P - 1),
                             th + (0 .. sh->P - 1), dth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1), x + (0 .. sh->size[0] - 1),
                             y + (0 .. sh->size[sh->n_layers] - 1), s + (0 .. sh->S - 1),
                             g_prev + (0 .. sh->P - 1), sh);
    requires sep_outs:
      (delta_s != \null && delta_theta != \null ==>
         \separated(delta_s + (0 .. K * sh->S - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (delta_s != \null && acc != \null ==>
         \separated(delta_s + (0 .. K * sh->S - 1), acc + (0 .. sh->P - 1))) &&
      (delta_theta != \null && acc != \null ==>
         \separated(delta_theta + (0 .. K * sh->P - 1), acc + (0 .. sh->P - 1)));
    requires sep_outs_eta: eta != \null ==>
      (delta_s != \null ==>
         \separated(delta_s + (0 .. K * sh->S - 1), eta + (0 .. sh->n_layers - 1))) &&
      (delta_theta != \null ==>
         \separated(delta_theta + (0 .. K * sh->P - 1), eta + (0 .. sh->n_layers - 1))) &&
      (acc != \null ==> \separated(acc + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1)));
    assigns s_next[0 .. sh->S - 1], g_next[0 .. sh->P - 1], th[0 .. sh->P - 1],
            dth[0 .. sh->P - 1], work[0 .. work_len(sh) - 1], delta_s[0 .. K * sh->S - 1],
            delta_theta[0 .. K * sh->P - 1], acc[0 .. sh->P - 1];
    ensures status: \result == CEP_OK || \result == CEP_EDIVERGED;
    ensures eps: sh->eps == \old(sh->eps);
*/
static int FN(nudged_step)(const cep_ctx *ctx, REAL *s_next, REAL *g_next, REAL *th, REAL *dth,
                           REAL *work, REAL *delta_s, REAL *delta_theta, REAL *acc,
                           const cep_shape *sh, const REAL *x, const REAL *y, const REAL *s,
                           const REAL *g_prev, double beta, const double *eta, size_t k,
                           size_t K)
{
    (void)K; /* the length of delta_s and delta_theta, for the contract */
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    /*@ assert dims: 1 <= S <= P <= CEP_MAX_PARAMS; */
    size_t out_off = sh->s_off[N], nN = sh->size[N];
    /*@ assert out_layer: out_off + nN <= S; */
    int st = CEP_OK;
    REAL b[1], d[1];
    R_INIT(ctx, b);
    R_INIT(ctx, d);
    R_SET_DBL(ctx, b, beta);

    FN(m_step)(ctx, s_next, work, sh, th, x, s); /* F(x, s_k, theta_k) */
    /*@ assert eps_step: sh->eps == \at(sh->eps, Pre); */
    /* (NUDGE.1): dl/ds = s_N - y on the output layer only (COST.2) */
    /*@ loop invariant bound: 0 <= i <= nN;
        loop assigns i, d[0], s_next[out_off .. S - 1];
        loop variant nN - i;
    */
    for (size_t i = 0; i < nN; i++) {
        R_SUB(ctx, d, &s[out_off + i], &y[i]);
        R_MUL(ctx, d, b, d);
        R_SUB(ctx, &s_next[out_off + i], &s_next[out_off + i], d);
    }
    /*@ assert eps_nudge: sh->eps == \at(sh->eps, Pre); */
    if (!FN(t_all_finite)(s_next, S)) {
        st = CEP_EDIVERGED;
        goto out;
    }
    //@ ghost cep_block_lemma(k, K, S);
    //@ ghost cep_block_lemma(k, K, P);
    /*@ assert index: (size_t)(k * S) == k * S && (size_t)(k * P) == k * P; */
    if (delta_s != NULL) {
        REAL *ds = delta_s + k * S; /* (NORM.1) */
        FN(t_sub)(ctx, ds, s_next, s, S);
        FN(t_div_scalar)(ctx, ds, ds, b, S);
        /*@ assert eps_ds: sh->eps == \at(sh->eps, Pre); */
    }
    /* (NUDGE.2): G does not depend on theta, so G(x, s_k) is the caller's
     * g_next of the previous step, carried in g_prev. */
    FN(m_G)(ctx, g_next, work, sh, x, s_next);
    FN(t_sub)(ctx, dth, g_next, g_prev, P);
    FN(t_div_scalar)(ctx, dth, dth, b, P);
    /*@ assert eps_dth: sh->eps == \at(sh->eps, Pre); */
    if (!FN(t_all_finite)(dth, P)) {
        st = CEP_EDIVERGED;
        goto out;
    }
    if (delta_theta != NULL) {
        FN(t_copy)(ctx, delta_theta + k * P, dth, P); /* (NORM.2) */
        /*@ assert eps_dtheta: sh->eps == \at(sh->eps, Pre); */
    }
    if (eta != NULL) {
        FN(cep_update)(ctx, th, sh, dth, eta);        /* (CEP.1) */
        if (!FN(t_all_finite)(th, P)) {
            st = CEP_EDIVERGED;
            goto out;
        }
        if (acc != NULL)
            FN(t_add_to)(ctx, acc, dth, P);           /* (CEP.2) */
    }
out:
    R_CLEAR(d);
    R_CLEAR(b);
    return st;
}

/* The second phase proper (NUDGE.1-2, NORM.1-2, CEP.1-2, EP.1) on the
 * scratch block mem of nudged_len(sh) entries that the caller allocated,
 * for the arguments cep_nudged_phase has checked.  mem holds, back to back:
 * the model workspace (work_len), s and s_next (S each), th, g_prev,
 * g_next, dth and one more vector (P each): G(x, s_*) for EP, the sum
 * (CEP.2) for C-EP.  One block rather than eight: a single failure path,
 * and for the proofs the scratch vectors are separated by their offsets. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires horizon: 1 <= K <= CEP_MAX_STEPS;
    requires beta: \is_finite(beta) && beta != 0.0;
    requires valid_mem: \valid(mem + (0 .. nudged_len(sh) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
    requires valid_s_star: \valid_read(s_star + (0 .. sh->S - 1));
    requires valid_eta: eta == \null || \valid_read(eta + (0 .. sh->n_layers - 1));
    requires sep_mem: \separated(mem + (0 .. nudged_len(sh) - 1), theta + (0 .. sh->P - 1),
      x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
      s_star + (0 .. sh->S - 1), sh);
    requires sep_mem_eta: eta != \null ==>
      \separated(mem + (0 .. nudged_len(sh) - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_mem_outs:
      (s_K != \null ==> \separated(mem + (0 .. nudged_len(sh) - 1), s_K + (0 .. sh->S - 1))) &&
      (theta_K != \null ==> \separated(mem + (0 .. nudged_len(sh) - 1), theta_K + (0 .. sh->P - 1))) &&
      (delta_s != \null ==> \separated(mem + (0 .. nudged_len(sh) - 1), delta_s + (0 .. K * sh->S - 1))) &&
      (delta_theta != \null ==> \separated(mem + (0 .. nudged_len(sh) - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (total != \null ==> \separated(mem + (0 .. nudged_len(sh) - 1), total + (0 .. sh->P - 1)));
    requires valid_s_K: s_K == \null || \valid(s_K + (0 .. sh->S - 1));
    requires valid_theta_K: theta_K == \null || \valid(theta_K + (0 .. sh->P - 1));
    requires valid_delta_s: delta_s == \null || \valid(delta_s + (0 .. K * sh->S - 1));
    requires valid_delta_theta: delta_theta == \null || \valid(delta_theta + (0 .. K * sh->P - 1));
    requires valid_total: total == \null || \valid(total + (0 .. sh->P - 1));
    requires sep_s_K: s_K != \null ==>
      \separated(s_K + (0 .. sh->S - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_s_K_eta: s_K != \null && eta != \null ==>
      \separated(s_K + (0 .. sh->S - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_theta_K: theta_K != \null ==>
      \separated(theta_K + (0 .. sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_theta_K_eta: theta_K != \null && eta != \null ==>
      \separated(theta_K + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_delta_s: delta_s != \null ==>
      \separated(delta_s + (0 .. K * sh->S - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_delta_s_eta: delta_s != \null && eta != \null ==>
      \separated(delta_s + (0 .. K * sh->S - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_delta_theta: delta_theta != \null ==>
      \separated(delta_theta + (0 .. K * sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_delta_theta_eta: delta_theta != \null && eta != \null ==>
      \separated(delta_theta + (0 .. K * sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_total: total != \null ==>
      \separated(total + (0 .. sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_total_eta: total != \null && eta != \null ==>
      \separated(total + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_outs:
      (s_K != \null && theta_K != \null ==> \separated(s_K + (0 .. sh->S - 1), theta_K + (0 .. sh->P - 1))) &&
      (s_K != \null && delta_s != \null ==> \separated(s_K + (0 .. sh->S - 1), delta_s + (0 .. K * sh->S - 1))) &&
      (s_K != \null && delta_theta != \null ==> \separated(s_K + (0 .. sh->S - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (s_K != \null && total != \null ==> \separated(s_K + (0 .. sh->S - 1), total + (0 .. sh->P - 1))) &&
      (theta_K != \null && delta_s != \null ==> \separated(theta_K + (0 .. sh->P - 1), delta_s + (0 .. K * sh->S - 1))) &&
      (theta_K != \null && delta_theta != \null ==> \separated(theta_K + (0 .. sh->P - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (theta_K != \null && total != \null ==> \separated(theta_K + (0 .. sh->P - 1), total + (0 .. sh->P - 1))) &&
      (delta_s != \null && delta_theta != \null ==> \separated(delta_s + (0 .. K * sh->S - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (delta_s != \null && total != \null ==> \separated(delta_s + (0 .. K * sh->S - 1), total + (0 .. sh->P - 1))) &&
      (delta_theta != \null && total != \null ==> \separated(delta_theta + (0 .. K * sh->P - 1), total + (0 .. sh->P - 1)));
    assigns mem[0 .. nudged_len(sh) - 1], s_K[0 .. sh->S - 1], theta_K[0 .. sh->P - 1],
            delta_s[0 .. K * sh->S - 1], delta_theta[0 .. K * sh->P - 1], total[0 .. sh->P - 1];
    ensures status: \result == CEP_OK || \result == CEP_EDIVERGED;
    ensures eps: sh->eps == \old(sh->eps);
*/
static int FN(nudged_run)(const cep_ctx *ctx, REAL *mem, REAL *s_K, REAL *theta_K,
                          REAL *delta_s, REAL *delta_theta, REAL *total, const cep_shape *sh,
                          const REAL *theta, const REAL *x, const REAL *y, const REAL *s_star,
                          size_t K, double beta, const double *eta)
{
    size_t S = sh->S, P = sh->P;
    //@ ghost model_work_lemma(sh);
    /*@ assert dims: 1 <= S <= P <= CEP_MAX_PARAMS && 5 * S + 1 <= work_len(sh); */
    size_t W = cep_model_work_len(sh);
    int ep = (eta == NULL);
    int st = CEP_OK;
    REAL *work = mem, *s = mem + W, *s_next = s + S, *th = s_next + S;
    REAL *g_prev = th + P, *g_next = g_prev + P, *dth = g_next + P, *extra = dth + P;
    REAL *g_star = (ep && total != NULL) ? extra : NULL;
    REAL *acc = (!ep && total != NULL) ? extra : NULL;
    //@ ghost REAL *sa = s;
    //@ ghost REAL *sb = s_next;
    //@ ghost REAL *ga = g_prev;
    //@ ghost REAL *gb = g_next;

    FN(t_copy)(ctx, s, s_star, S);
    /*@ assert eps_s: sh->eps == \at(sh->eps, Pre); */
    FN(t_copy)(ctx, th, theta, P);
    /*@ assert eps_th: sh->eps == \at(sh->eps, Pre); */
    FN(m_G)(ctx, g_prev, work, sh, x, s);
    /*@ assert eps_G0: sh->eps == \at(sh->eps, Pre); */
    if (g_star != NULL) {
        FN(t_copy)(ctx, g_star, g_prev, P);
        /*@ assert eps_g_star: sh->eps == \at(sh->eps, Pre); */
    }
    if (acc != NULL) {
        FN(t_zero)(ctx, acc, P); /* the sum (CEP.2) over no step yet */
        /*@ assert eps_acc: sh->eps == \at(sh->eps, Pre); */
    }
    /*@ assert eps: sh->eps == \at(sh->eps, Pre); */

    /* (s, g_prev) hold step k's state and G; step k writes (s_next,
     * g_next), then the pairs swap. */
    /*@ loop invariant bound: 0 <= k <= K;
        loop invariant eps: sh->eps == \at(sh->eps, Pre);
        loop invariant shape: shape_ok(sh) && shape_max(sh);
        loop invariant bufs_s: (s == sa && s_next == sb) || (s == sb && s_next == sa);
        loop invariant bufs_g: (g_prev == ga && g_next == gb) || (g_prev == gb && g_next == ga);
        loop invariant ok: st == CEP_OK;
        loop assigns k, st, s, s_next, g_prev, g_next, sa[0 .. S - 1], sb[0 .. S - 1],
                     ga[0 .. P - 1], gb[0 .. P - 1], work[0 .. work_len(sh) - 1],
                     th[0 .. P - 1], dth[0 .. P - 1],
                     delta_s[0 .. K * S - 1], delta_theta[0 .. K * P - 1], acc[0 .. P - 1];
        loop variant K - k;
    */
    for (size_t k = 0; k < K; k++) {
        st = FN(nudged_step)(ctx, s_next, g_next, th, dth, work, delta_s, delta_theta,
                             acc, sh, x, y, s, g_prev, beta, eta, k, K);
        if (st != CEP_OK)
            break;
        /*@ assert eps_end: sh->eps == \at(sh->eps, Pre); */
        REAL *swap = s;
        s = s_next;
        s_next = swap;
        swap = g_prev;
        g_prev = g_next;
        g_next = swap;
    }
    if (st == CEP_OK) {
        if (s_K != NULL) {
            FN(t_copy)(ctx, s_K, s, S);
            /*@ assert eps_s_K: sh->eps == \at(sh->eps, Pre); */
        }
        if (theta_K != NULL) {
            FN(t_copy)(ctx, theta_K, th, P);
            /*@ assert eps_theta_K: sh->eps == \at(sh->eps, Pre); */
        }
        if (total != NULL && ep) {
            /* (EP.1) (1/beta) (G(s_K) - G(s_*)), g_prev holding G(s_K) */
            REAL b[1];
            R_INIT(ctx, b);
            R_SET_DBL(ctx, b, beta);
            FN(t_sub)(ctx, total, g_prev, g_star, P);
            FN(t_div_scalar)(ctx, total, total, b, P);
            R_CLEAR(b);
        } else if (total != NULL) {
            FN(t_copy)(ctx, total, acc, P);
        }
        /*@ assert eps_total: sh->eps == \at(sh->eps, Pre); */
    }
    /*@ assert eps_out: sh->eps == \at(sh->eps, Pre); */
    return st;
}

/*@
  behavior null_arg:
    assumes ctx == \null || sh == \null || theta == \null || x == \null || y == \null ||
            s_star == \null;
    assigns \nothing;
    ensures status: \result == CEP_EARG;
  behavior bad_horizon:
    assumes ctx != \null && sh != \null && theta != \null && x != \null && y != \null &&
            s_star != \null;
    assumes K < 1 || K > CEP_MAX_STEPS;
    assigns \nothing;
    ensures status: \result == CEP_EHORIZON;
  behavior run:
    assumes ctx != \null && sh != \null && theta != \null && x != \null && y != \null &&
            s_star != \null;
    assumes 1 <= K <= CEP_MAX_STEPS;
    requires valid_ctx: \valid_read(ctx);
    requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
    requires valid_s_star: \valid_read(s_star + (0 .. sh->S - 1));
    requires valid_eta: eta == \null || \valid_read(eta + (0 .. sh->n_layers - 1));
    requires sep_in: \separated(theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires valid_s_K: s_K == \null || \valid(s_K + (0 .. sh->S - 1));
    requires valid_theta_K: theta_K == \null || \valid(theta_K + (0 .. sh->P - 1));
    requires valid_delta_s: delta_s == \null || \valid(delta_s + (0 .. K * sh->S - 1));
    requires valid_delta_theta: delta_theta == \null || \valid(delta_theta + (0 .. K * sh->P - 1));
    requires valid_total: total == \null || \valid(total + (0 .. sh->P - 1));
    requires sep_s_K: s_K != \null ==>
      \separated(s_K + (0 .. sh->S - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_s_K_eta: s_K != \null && eta != \null ==>
      \separated(s_K + (0 .. sh->S - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_theta_K: theta_K != \null ==>
      \separated(theta_K + (0 .. sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_theta_K_eta: theta_K != \null && eta != \null ==>
      \separated(theta_K + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_delta_s: delta_s != \null ==>
      \separated(delta_s + (0 .. K * sh->S - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_delta_s_eta: delta_s != \null && eta != \null ==>
      \separated(delta_s + (0 .. K * sh->S - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_delta_theta: delta_theta != \null ==>
      \separated(delta_theta + (0 .. K * sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_delta_theta_eta: delta_theta != \null && eta != \null ==>
      \separated(delta_theta + (0 .. K * sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_total: total != \null ==>
      \separated(total + (0 .. sh->P - 1), theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1), s_star + (0 .. sh->S - 1), sh);
    requires sep_total_eta: total != \null && eta != \null ==>
      \separated(total + (0 .. sh->P - 1), eta + (0 .. sh->n_layers - 1));
    requires sep_outs:
      (s_K != \null && theta_K != \null ==> \separated(s_K + (0 .. sh->S - 1), theta_K + (0 .. sh->P - 1))) &&
      (s_K != \null && delta_s != \null ==> \separated(s_K + (0 .. sh->S - 1), delta_s + (0 .. K * sh->S - 1))) &&
      (s_K != \null && delta_theta != \null ==> \separated(s_K + (0 .. sh->S - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (s_K != \null && total != \null ==> \separated(s_K + (0 .. sh->S - 1), total + (0 .. sh->P - 1))) &&
      (theta_K != \null && delta_s != \null ==> \separated(theta_K + (0 .. sh->P - 1), delta_s + (0 .. K * sh->S - 1))) &&
      (theta_K != \null && delta_theta != \null ==> \separated(theta_K + (0 .. sh->P - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (theta_K != \null && total != \null ==> \separated(theta_K + (0 .. sh->P - 1), total + (0 .. sh->P - 1))) &&
      (delta_s != \null && delta_theta != \null ==> \separated(delta_s + (0 .. K * sh->S - 1), delta_theta + (0 .. K * sh->P - 1))) &&
      (delta_s != \null && total != \null ==> \separated(delta_s + (0 .. K * sh->S - 1), total + (0 .. sh->P - 1))) &&
      (delta_theta != \null && total != \null ==> \separated(delta_theta + (0 .. K * sh->P - 1), total + (0 .. sh->P - 1)));
    requires old: old_block(theta) && old_block(x) && old_block(y) && old_block(s_star) &&
                  old_shape(sh);
    requires old_opt: (s_K == \null || old_block(s_K)) &&
                      (theta_K == \null || old_block(theta_K)) &&
                      (delta_s == \null || old_block(delta_s)) &&
                      (delta_theta == \null || old_block(delta_theta)) &&
                      (total == \null || old_block(total)) &&
                      (eta == \null || old_block((double *)eta));
    assigns s_K[0 .. sh->S - 1], theta_K[0 .. sh->P - 1], delta_s[0 .. K * sh->S - 1],
            delta_theta[0 .. K * sh->P - 1], total[0 .. sh->P - 1], cep_heap_clock, *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
    ensures status: \result == CEP_OK || \result == CEP_EBETA || \result == CEP_EETA ||
                    \result == CEP_ENONFINITE || \result == CEP_ENOMEM || \result == CEP_EDIVERGED;
    ensures beta: \result == CEP_EBETA <==> !(\is_finite(beta) && beta != 0.0);
    // eta as given (\old): the checks read the rates before anything is written
    ensures eta: \is_finite(beta) && beta != 0.0 && eta != \null &&
      !\old(\forall integer i; 0 <= i < sh->n_layers ==> \is_finite(eta[i]) && eta[i] >= 0.0) ==>
      \result == CEP_EETA;
    ensures eta_only: \result == CEP_EETA ==> eta != \null &&
      !\old(\forall integer i; 0 <= i < sh->n_layers ==> \is_finite(eta[i]) && eta[i] >= 0.0);
    ensures nonfinite: \result == CEP_ENONFINITE ==>
      !(all_fin(theta, sh->P) && all_fin(x, sh->size[0]) &&
        all_fin(y, sh->size[sh->n_layers]) && all_fin(s_star, sh->S));
  complete behaviors;
  disjoint behaviors;
*/
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
    if (st != CEP_OK)
        return st;
    st = cep_check_eta(sh->n_layers, eta);
    if (st != CEP_OK)
        return st;
    /*@ assert eta_ok: eta == \null ||
          (\forall integer i; 0 <= i < sh->n_layers ==> \is_finite(eta[i]) && eta[i] >= 0.0); */
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    /*@ assert dims: 1 <= S <= CEP_MAX_PARAMS && 1 <= P <= CEP_MAX_PARAMS; */
    //@ ghost cep_steps_lemma(K, S);
    //@ ghost cep_steps_lemma(K, P);
    /*@ assert no_overflow: 1 <= K * S <= SIZE_MAX && 1 <= K * P <= SIZE_MAX; */
    if ((delta_s != NULL && FN(mul_size)(K, S) == 0) ||
        (delta_theta != NULL && FN(mul_size)(K, P) == 0))
        return CEP_EOVERFLOW;
    if (!FN(all_finite)(theta, P) || !FN(all_finite)(x, sh->size[0]) ||
        !FN(all_finite)(y, sh->size[N]) || !FN(all_finite)(s_star, S))
        return CEP_ENONFINITE;

    if (CEP_MODEL_IS_VF(sh->model)) /* C-VF (VF.3-5): never under shape_ok */
        return FN(vf_nudged_phase)(ctx, s_K, theta_K, delta_s, delta_theta, total, sh, theta,
                                   x, y, s_star, K, beta, eta);
    //@ ghost lemma_shape_max((cep_shape *)sh);
    //@ ghost model_work_lemma(sh);
    size_t W = cep_model_work_len(sh);
    /*@ assert len: W == work_len(sh) && W <= 5 * CEP_MAX_PARAMS + CEP_MAX_LAYER_SIZE; */
    size_t n_mem = W + 2 * S + 5 * P; /* nudged_len(sh), far from SIZE_MAX */
    /*@ assert n_mem: n_mem == nudged_len(sh); */
    REAL *mem = FN(cep_vec_new)(ctx, n_mem);
    if (mem == NULL)
        return CEP_ENOMEM;
    /*@ assert born: born_in(mem, \at(cep_heap_clock, Pre), cep_heap_clock); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    st = FN(nudged_run)(ctx, mem, s_K, theta_K, delta_s, delta_theta, total, sh, theta, x, y,
                        s_star, K, beta, eta);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(mem);
    return st;
}
