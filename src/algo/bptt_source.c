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

/* One backward transition (the body of cep_bptt's loop at step k): (BPTT.2-3)
 * at (x, s, theta) with cotangent g into u and gth, then the sums and copies
 * that step k feeds: full += gth (BPTT.5); for k < K, grad_theta(k) = gth,
 * total_K += gth (BPTT.4) and grad_s(k+1) = u.  Each output may be NULL.
 * Returns CEP_EDIVERGED, with nothing written after u and gth, when u or gth
 * has a non-finite entry. */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires horizon: 1 <= K <= CEP_MAX_STEPS;
    requires valid_u: \valid(u + (0 .. sh->S - 1));
    requires valid_gth: \valid(gth + (0 .. sh->P - 1));
    requires valid_work: \valid(work + (0 .. work_len(sh) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_s: \valid_read(s + (0 .. sh->S - 1));
    requires valid_g: \valid_read(g + (0 .. sh->S - 1));
    requires valid_grad_s: grad_s == \null || \valid(grad_s + (0 .. (K + 1) * sh->S - 1));
    requires valid_grad_theta: grad_theta == \null || \valid(grad_theta + (0 .. K * sh->P - 1));
    requires valid_total_K: total_K == \null || \valid(total_K + (0 .. sh->P - 1));
    requires valid_full: full == \null || \valid(full + (0 .. sh->P - 1));
    requires sep: \separated(u + (0 .. sh->S - 1), gth + (0 .. sh->P - 1),
                             work + (0 .. work_len(sh) - 1), theta + (0 .. sh->P - 1),
                             x + (0 .. sh->size[0] - 1), s + (0 .. sh->S - 1),
                             g + (0 .. sh->S - 1), sh);
    requires sep_grad_s: grad_s != \null ==>
      \separated(grad_s + (0 .. (K + 1) * sh->S - 1), u + (0 .. sh->S - 1), sh);
    requires sep_grad_theta: grad_theta != \null ==>
      \separated(grad_theta + (0 .. K * sh->P - 1), u + (0 .. sh->S - 1), gth + (0 .. sh->P - 1),
                 sh);
    requires sep_total_K: total_K != \null ==>
      \separated(total_K + (0 .. sh->P - 1), u + (0 .. sh->S - 1), gth + (0 .. sh->P - 1), sh);
    requires sep_full: full != \null ==>
      \separated(full + (0 .. sh->P - 1), u + (0 .. sh->S - 1), gth + (0 .. sh->P - 1), sh);
    assigns u[0 .. sh->S - 1], gth[0 .. sh->P - 1], work[0 .. work_len(sh) - 1],
            full[0 .. sh->P - 1], total_K[0 .. sh->P - 1], grad_theta[0 .. K * sh->P - 1],
            grad_s[sh->S .. (K + 1) * sh->S - 1];
    ensures status: \result == CEP_OK || \result == CEP_EDIVERGED;
    ensures eps: sh->eps == \old(sh->eps);
*/
static int FN(bptt_step)(const cep_ctx *ctx, REAL *u, REAL *gth, REAL *work, REAL *grad_s,
                         REAL *grad_theta, REAL *total_K, REAL *full, const cep_shape *sh,
                         const REAL *theta, const REAL *x, const REAL *s, const REAL *g,
                         size_t k, size_t K)
{
    size_t S = sh->S, P = sh->P;
    /*@ assert dims: 1 <= S <= P <= CEP_MAX_PARAMS; */
    FN(m_step_vjp)(ctx, u, gth, work, sh, theta, x, s, g); /* (BPTT.2-3) */
    /*@ assert eps_vjp: sh->eps == \at(sh->eps, Pre); */
    if (!FN(t_all_finite)(u, S) || !FN(t_all_finite)(gth, P))
        return CEP_EDIVERGED;
    if (full != NULL) {
        FN(t_add_to)(ctx, full, gth, P);                   /* (BPTT.5) */
        /*@ assert eps_full: sh->eps == \at(sh->eps, Pre); */
    }
    if (k < K) {
        //@ ghost cep_block_lemma(k, K, S);
        //@ ghost cep_block_lemma(k, K, P);
        /*@ assert index_k: (size_t)(k * P) == k * P && (size_t)(k + 1) == k + 1 &&
              (size_t)((k + 1) * S) == (k + 1) * S; */
        /*@ assert block_k: k * P + P <= K * P && S <= (k + 1) * S &&
              (k + 1) * S + S <= (K + 1) * S; */
        if (grad_theta != NULL) {
            FN(t_copy)(ctx, grad_theta + k * P, gth, P);
            /*@ assert eps_grad_theta: sh->eps == \at(sh->eps, Pre); */
        }
        if (total_K != NULL) {
            FN(t_add_to)(ctx, total_K, gth, P);            /* (BPTT.4) */
            /*@ assert eps_total_K: sh->eps == \at(sh->eps, Pre); */
        }
        if (grad_s != NULL) {
            FN(t_copy)(ctx, grad_s + (k + 1) * S, u, S);
            /*@ assert eps_grad_s: sh->eps == \at(sh->eps, Pre); */
        }
    }
    /*@ assert eps_end: sh->eps == \at(sh->eps, Pre); */
    return CEP_OK;
}

/* BPTT proper (BPTT.1-5) on the scratch block mem of bptt_len(sh) entries
 * that cep_bptt allocated, for the arguments it has checked.  mem holds,
 * back to back: the model workspace (work_len), g and u (S each, the
 * cotangents of two successive steps) and gth (P).  One block: a single
 * failure path, and for the proofs separation by offsets (as nudged_run). */
/*@ requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh) && shape_max(sh);
    requires horizon: 1 <= K <= T <= CEP_MAX_STEPS;
    requires valid_mem: \valid(mem + (0 .. bptt_len(sh) - 1));
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
    requires valid_traj: \valid_read(traj + (0 .. (T + 1) * sh->S - 1));
    requires valid_grad_s: grad_s == \null || \valid(grad_s + (0 .. (K + 1) * sh->S - 1));
    requires valid_grad_theta: grad_theta == \null || \valid(grad_theta + (0 .. K * sh->P - 1));
    requires valid_total_K: total_K == \null || \valid(total_K + (0 .. sh->P - 1));
    requires valid_full: full == \null || \valid(full + (0 .. sh->P - 1));
    requires valid_loss: loss == \null || \valid(loss);
    requires sep_in: \separated(theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                                y + (0 .. sh->size[sh->n_layers] - 1),
                                traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_mem: \separated(mem + (0 .. bptt_len(sh) - 1), theta + (0 .. sh->P - 1),
      x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
      traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_mem_outs:
      (grad_s != \null ==> \separated(mem + (0 .. bptt_len(sh) - 1), grad_s + (0 .. (K + 1) * sh->S - 1))) &&
      (grad_theta != \null ==> \separated(mem + (0 .. bptt_len(sh) - 1), grad_theta + (0 .. K * sh->P - 1))) &&
      (total_K != \null ==> \separated(mem + (0 .. bptt_len(sh) - 1), total_K + (0 .. sh->P - 1))) &&
      (full != \null ==> \separated(mem + (0 .. bptt_len(sh) - 1), full + (0 .. sh->P - 1))) &&
      (loss != \null ==> \separated(mem + (0 .. bptt_len(sh) - 1), loss));
    requires sep_grad_s: grad_s != \null ==>
      \separated(grad_s + (0 .. (K + 1) * sh->S - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_grad_theta: grad_theta != \null ==>
      \separated(grad_theta + (0 .. K * sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_total_K: total_K != \null ==>
      \separated(total_K + (0 .. sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_full: full != \null ==>
      \separated(full + (0 .. sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_loss: loss != \null ==>
      \separated(loss, theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                 y + (0 .. sh->size[sh->n_layers] - 1), traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_outs:
      (grad_s != \null && grad_theta != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), grad_theta + (0 .. K * sh->P - 1))) &&
      (grad_s != \null && total_K != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), total_K + (0 .. sh->P - 1))) &&
      (grad_s != \null && full != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), full + (0 .. sh->P - 1))) &&
      (grad_s != \null && loss != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), loss)) &&
      (grad_theta != \null && total_K != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), total_K + (0 .. sh->P - 1))) &&
      (grad_theta != \null && full != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), full + (0 .. sh->P - 1))) &&
      (grad_theta != \null && loss != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), loss)) &&
      (total_K != \null && full != \null ==>
         \separated(total_K + (0 .. sh->P - 1), full + (0 .. sh->P - 1))) &&
      (total_K != \null && loss != \null ==> \separated(total_K + (0 .. sh->P - 1), loss)) &&
      (full != \null && loss != \null ==> \separated(full + (0 .. sh->P - 1), loss));
    assigns mem[0 .. bptt_len(sh) - 1], grad_s[0 .. (K + 1) * sh->S - 1],
            grad_theta[0 .. K * sh->P - 1], total_K[0 .. sh->P - 1], full[0 .. sh->P - 1], *loss;
    ensures status: \result == CEP_OK || \result == CEP_EDIVERGED;
*/
static int FN(bptt_run)(const cep_ctx *ctx, REAL *mem, REAL *grad_s, REAL *grad_theta,
                        REAL *total_K, REAL *full, REAL *loss, const cep_shape *sh,
                        const REAL *theta, const REAL *x, const REAL *y, const REAL *traj,
                        size_t T, size_t K)
{
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    //@ ghost model_work_lemma(sh);
    /*@ assert dims: 1 <= S <= P <= CEP_MAX_PARAMS && 5 * S + 1 <= work_len(sh); */
    //@ ghost cep_steps_lemma(T, S);
    //@ ghost cep_steps_lemma(K, S);
    //@ ghost cep_steps_lemma(K, P);
    /*@ assert no_overflow: (size_t)(T + 1) == T + 1 && (size_t)(K + 1) == K + 1 &&
          1 <= (T + 1) * S <= SIZE_MAX && 1 <= (K + 1) * S <= SIZE_MAX &&
          1 <= K * P <= SIZE_MAX; */
    /*@ assert s_T_in: (size_t)(T * S) == T * S && T * S + S == (T + 1) * S; */
    size_t W = cep_model_work_len(sh);
    int st = CEP_OK;
    REAL *work = mem, *g = mem + W, *u = g + S, *gth = u + S;
    /*@ assert sep_s_T: \separated(traj + (T * S .. T * S + S - 1), y + (0 .. sh->size[N] - 1), sh) &&
          (loss != \null ==> \separated(loss, traj + (T * S .. T * S + S - 1))); */
    /*@ assert sep_new: \separated(work + (0 .. work_len(sh) - 1), g + (0 .. S - 1),
          u + (0 .. S - 1), gth + (0 .. P - 1), theta + (0 .. P - 1),
          x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[N] - 1),
          traj + (0 .. (T + 1) * S - 1), sh); */
    /*@ assert sep_new_grad_s: grad_s != \null ==> \separated(grad_s + (0 .. (K + 1) * S - 1),
          work + (0 .. work_len(sh) - 1), g + (0 .. S - 1), u + (0 .. S - 1), gth + (0 .. P - 1)); */
    /*@ assert sep_new_grad_theta: grad_theta != \null ==> \separated(grad_theta + (0 .. K * P - 1),
          work + (0 .. work_len(sh) - 1), g + (0 .. S - 1), u + (0 .. S - 1), gth + (0 .. P - 1)); */
    /*@ assert sep_new_total_K: total_K != \null ==> \separated(total_K + (0 .. P - 1),
          work + (0 .. work_len(sh) - 1), g + (0 .. S - 1), u + (0 .. S - 1), gth + (0 .. P - 1)); */
    /*@ assert sep_new_full: full != \null ==> \separated(full + (0 .. P - 1),
          work + (0 .. work_len(sh) - 1), g + (0 .. S - 1), u + (0 .. S - 1), gth + (0 .. P - 1)); */
    /*@ assert sep_new_loss: loss != \null ==> \separated(loss,
          work + (0 .. work_len(sh) - 1), g + (0 .. S - 1), u + (0 .. S - 1), gth + (0 .. P - 1)); */
    //@ ghost REAL *buf_a = g;
    //@ ghost REAL *buf_b = u;
    FN(t_zero)(ctx, g, S); /* g_T is zero outside the output layer (BPTT.1) */

    const REAL *s_T = traj + T * S;
    size_t out_off = sh->s_off[N];
    /*@ assert out_layer: out_off + sh->size[N] <= S; */
    /*@ loop invariant bound: 0 <= i <= sh->size[N];
        loop assigns i, g[out_off .. S - 1];
        loop variant sh->size[N] - i;
    */
    for (size_t i = 0; i < sh->size[N]; i++) /* (BPTT.1) */
        R_SUB(ctx, &g[out_off + i], &s_T[out_off + i], &y[i]);
    /*@ assert eps_g: sh->eps == \at(sh->eps, Pre); */
    if (loss != NULL) {
        FN(cep_loss)(ctx, loss, sh, s_T, y);
        /*@ assert eps_loss: sh->eps == \at(sh->eps, Pre); */
    }
    if (grad_s != NULL) {
        FN(t_copy)(ctx, grad_s, g, S);
        /*@ assert eps_grad_s: sh->eps == \at(sh->eps, Pre); */
    }
    if (total_K != NULL) {
        FN(t_zero)(ctx, total_K, P);
        /*@ assert eps_total_K: sh->eps == \at(sh->eps, Pre); */
    }
    if (full != NULL) {
        FN(t_zero)(ctx, full, P);
        /*@ assert eps_full: sh->eps == \at(sh->eps, Pre); */
    }
    /*@ assert eps: sh->eps == \at(sh->eps, Pre); */
    /*@ assert sep_eps: \separated(&sh->eps, work + (0 .. work_len(sh) - 1), gth + (0 .. P - 1)) &&
          (full != \null ==> \separated(&sh->eps, full + (0 .. P - 1))) &&
          (total_K != \null ==> \separated(&sh->eps, total_K + (0 .. P - 1))) &&
          (grad_theta != \null ==> \separated(&sh->eps, grad_theta + (0 .. K * P - 1))) &&
          (grad_s != \null ==> \separated(&sh->eps, grad_s + (0 .. (K + 1) * S - 1))); */

    size_t steps = (full != NULL) ? T : K;
    /*@ loop invariant bound: 0 <= k <= steps;
        loop invariant eps: sh->eps == \at(sh->eps, Pre);
        loop invariant bufs: (g == buf_a && u == buf_b) || (g == buf_b && u == buf_a);
        loop invariant valid_bufs: \valid(g + (0 .. S - 1)) && \valid(u + (0 .. S - 1));
        loop invariant sep_bufs: \separated(g + (0 .. S - 1), u + (0 .. S - 1),
          work + (0 .. work_len(sh) - 1), gth + (0 .. P - 1), theta + (0 .. P - 1),
          x + (0 .. sh->size[0] - 1), traj + (0 .. (T + 1) * S - 1), sh);
        loop invariant sep_outs:
          (grad_s != \null ==> \separated(grad_s + (0 .. (K + 1) * S - 1), g + (0 .. S - 1), u + (0 .. S - 1))) &&
          (grad_theta != \null ==> \separated(grad_theta + (0 .. K * P - 1), g + (0 .. S - 1), u + (0 .. S - 1))) &&
          (total_K != \null ==> \separated(total_K + (0 .. P - 1), g + (0 .. S - 1), u + (0 .. S - 1))) &&
          (full != \null ==> \separated(full + (0 .. P - 1), g + (0 .. S - 1), u + (0 .. S - 1)));
        loop invariant ok: st == CEP_OK;
        loop assigns k, st, g, u, buf_a[0 .. S - 1], buf_b[0 .. S - 1],
                     work[0 .. work_len(sh) - 1], gth[0 .. P - 1], full[0 .. P - 1],
                     total_K[0 .. P - 1], grad_theta[0 .. K * P - 1],
                     grad_s[S .. (K + 1) * S - 1];
        loop variant steps - k;
    */
    for (size_t k = 0; k < steps; k++) {
        size_t t = T - 1 - k;
        //@ ghost cep_block_lemma(t, T, S);
        /*@ assert index_t: t == T - 1 - k && (size_t)(t * S) == t * S &&
              t * S + S <= (T + 1) * S; */
        /*@ assert shape_k: shape_ok(sh) && shape_max(sh); */
        st = FN(bptt_step)(ctx, u, gth, work, grad_s, grad_theta, total_K, full, sh, theta, x,
                           traj + t * S, g, k, K);
        if (st != CEP_OK)
            break;
        /*@ assert eps_end: sh->eps == \at(sh->eps, Pre); */
        REAL *swap = g;
        g = u;
        u = swap;
    }
    return st;
}

/*@
  behavior null_arg:
    assumes ctx == \null || sh == \null || theta == \null || x == \null || y == \null ||
            traj == \null;
    assigns \nothing;
    ensures status: \result == CEP_EARG;
  behavior bad_horizon:
    assumes ctx != \null && sh != \null && theta != \null && x != \null && y != \null &&
            traj != \null;
    assumes !(1 <= K <= T <= CEP_MAX_STEPS);
    assigns \nothing;
    ensures status: \result == CEP_EHORIZON;
  behavior run:
    assumes ctx != \null && sh != \null && theta != \null && x != \null && y != \null &&
            traj != \null;
    assumes 1 <= K <= T <= CEP_MAX_STEPS;
    requires valid_ctx: \valid_read(ctx);
    requires valid_sh: \valid_read(sh);
    requires shape: shape_ok(sh);
    requires valid_theta: \valid_read(theta + (0 .. sh->P - 1));
    requires valid_x: \valid_read(x + (0 .. sh->size[0] - 1));
    requires valid_y: \valid_read(y + (0 .. sh->size[sh->n_layers] - 1));
    requires valid_traj: \valid_read(traj + (0 .. (T + 1) * sh->S - 1));
    requires valid_grad_s: grad_s == \null || \valid(grad_s + (0 .. (K + 1) * sh->S - 1));
    requires valid_grad_theta: grad_theta == \null || \valid(grad_theta + (0 .. K * sh->P - 1));
    requires valid_total_K: total_K == \null || \valid(total_K + (0 .. sh->P - 1));
    requires valid_full: full == \null || \valid(full + (0 .. sh->P - 1));
    requires valid_loss: loss == \null || \valid(loss);
    requires sep_in: \separated(theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                                y + (0 .. sh->size[sh->n_layers] - 1),
                                traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_grad_s: grad_s != \null ==>
      \separated(grad_s + (0 .. (K + 1) * sh->S - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_grad_theta: grad_theta != \null ==>
      \separated(grad_theta + (0 .. K * sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_total_K: total_K != \null ==>
      \separated(total_K + (0 .. sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_full: full != \null ==>
      \separated(full + (0 .. sh->P - 1), theta + (0 .. sh->P - 1),
                 x + (0 .. sh->size[0] - 1), y + (0 .. sh->size[sh->n_layers] - 1),
                 traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_loss: loss != \null ==>
      \separated(loss, theta + (0 .. sh->P - 1), x + (0 .. sh->size[0] - 1),
                 y + (0 .. sh->size[sh->n_layers] - 1), traj + (0 .. (T + 1) * sh->S - 1), sh);
    requires sep_outs:
      (grad_s != \null && grad_theta != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), grad_theta + (0 .. K * sh->P - 1))) &&
      (grad_s != \null && total_K != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), total_K + (0 .. sh->P - 1))) &&
      (grad_s != \null && full != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), full + (0 .. sh->P - 1))) &&
      (grad_s != \null && loss != \null ==>
         \separated(grad_s + (0 .. (K + 1) * sh->S - 1), loss)) &&
      (grad_theta != \null && total_K != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), total_K + (0 .. sh->P - 1))) &&
      (grad_theta != \null && full != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), full + (0 .. sh->P - 1))) &&
      (grad_theta != \null && loss != \null ==>
         \separated(grad_theta + (0 .. K * sh->P - 1), loss)) &&
      (total_K != \null && full != \null ==>
         \separated(total_K + (0 .. sh->P - 1), full + (0 .. sh->P - 1))) &&
      (total_K != \null && loss != \null ==> \separated(total_K + (0 .. sh->P - 1), loss)) &&
      (full != \null && loss != \null ==> \separated(full + (0 .. sh->P - 1), loss));
    requires old: old_block(theta) && old_block(x) && old_block(y) && old_block(traj) &&
                  old_shape(sh);
    requires old_opt: (grad_s == \null || old_block(grad_s)) &&
                      (grad_theta == \null || old_block(grad_theta)) &&
                      (total_K == \null || old_block(total_K)) &&
                      (full == \null || old_block(full)) && (loss == \null || old_block(loss));
    assigns grad_s[0 .. (K + 1) * sh->S - 1], grad_theta[0 .. K * sh->P - 1],
            total_K[0 .. sh->P - 1], full[0 .. sh->P - 1], *loss, cep_heap_clock,
            *{ q | double *q; heap_birth(\base_addr(q)) >= cep_heap_clock };
    ensures status: \result == CEP_OK || \result == CEP_ENONFINITE || \result == CEP_ENOMEM ||
                    \result == CEP_EDIVERGED;
    ensures nonfinite: \result == CEP_ENONFINITE <==>
      !\old(all_fin(theta, sh->P) && all_fin(x, sh->size[0]) &&
            all_fin(y, sh->size[sh->n_layers]) && all_fin(traj, (T + 1) * sh->S));
  complete behaviors;
  disjoint behaviors;
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
    /*@ assert dims: 1 <= S <= CEP_MAX_PARAMS && 1 <= P <= CEP_MAX_PARAMS; */
    //@ ghost lemma_shape_max((cep_shape *)sh);
    //@ ghost cep_steps_lemma(T, S);
    //@ ghost cep_steps_lemma(K, S);
    //@ ghost cep_steps_lemma(K, P);
    /*@ assert no_overflow: (size_t)(T + 1) == T + 1 && (size_t)(K + 1) == K + 1 &&
          1 <= (T + 1) * S <= SIZE_MAX && 1 <= (K + 1) * S <= SIZE_MAX &&
          1 <= K * P <= SIZE_MAX; */
    if (FN(mul_size)(T + 1, S) == 0 || (grad_s != NULL && FN(mul_size)(K + 1, S) == 0) ||
        (grad_theta != NULL && FN(mul_size)(K, P) == 0))
        return CEP_EOVERFLOW;
    if (!FN(all_finite)(theta, P) || !FN(all_finite)(x, sh->size[0]) ||
        !FN(all_finite)(y, sh->size[N]) || !FN(all_finite)(traj, (T + 1) * S))
        return CEP_ENONFINITE;
    //@ ghost model_work_lemma(sh);
    size_t W = cep_model_work_len(sh);
    /*@ assert len: W == work_len(sh) && W <= 5 * CEP_MAX_PARAMS + CEP_MAX_LAYER_SIZE; */
    size_t n_mem = W + 2 * S + P; /* bptt_len(sh), far from SIZE_MAX */
    /*@ assert n_mem: n_mem == bptt_len(sh); */
    REAL *mem = FN(cep_vec_new)(ctx, n_mem);
    if (mem == NULL)
        return CEP_ENOMEM;
    /*@ assert born: born_in(mem, \at(cep_heap_clock, Pre), cep_heap_clock); */
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    st = FN(bptt_run)(ctx, mem, grad_s, grad_theta, total_K, full, loss, sh, theta, x, y, traj,
                      T, K);
    FN(cep_scope_leave)(&scope);
    FN(cep_vec_free)(mem);
    return st;
}
