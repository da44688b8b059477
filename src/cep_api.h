/* cep_api.h -- declarations of the templated public API.  Included twice by
 * cep.h (suffix _d with double, _mp with __mpfr_struct); never directly.
 * See cep.h for the layout of states and parameters. */
#define CEP_API_CAT2(a, b) a##b
#define CEP_API_CAT(a, b) CEP_API_CAT2(a, b)
#define CEP_API(name) CEP_API_CAT(name, CEP_API_SUFFIX)

/* Vectors of n REAL, all +0, at ctx's precision; NULL on n = 0 overflow or
 * allocation failure.  cep_vec_free accepts NULL. */
CEP_API_REAL *CEP_API(cep_vec_new)(const cep_ctx *ctx, size_t n);
void CEP_API(cep_vec_free)(CEP_API_REAL *v);
/* dst[i] = src[i] rounded to the context (exact for binary64 at >= 53 bits). */
void CEP_API(cep_vec_from_double)(const cep_ctx *ctx, CEP_API_REAL *dst, const double *src, size_t n);
void CEP_API(cep_vec_to_double)(double *dst, const CEP_API_REAL *src, size_t n);

/* --- Model layer (spec §2) -------------------------------------------- */
/* F(x, s, theta): out[S] = the next state, (F.E) or (F.P). */
int CEP_API(cep_model_step)(const cep_ctx *ctx, CEP_API_REAL *out, const cep_shape *sh,
                            const CEP_API_REAL *theta, const CEP_API_REAL *x, const CEP_API_REAL *s);
/* G(x, s) = dPhi/dtheta in theta's layout: g[P], (G.E) or (G.P). */
int CEP_API(cep_model_G)(const cep_ctx *ctx, CEP_API_REAL *g, const cep_shape *sh,
                         const CEP_API_REAL *x, const CEP_API_REAL *s);
/* Vector-Jacobian product of one step: u[S] = (dF/ds)^T v and
 * gtheta[P] = (dF/dtheta)^T v at (x, s, theta), (VJP.E) or (VJP.P);
 * gtheta may be NULL when only u is wanted. */
int CEP_API(cep_model_step_vjp)(const cep_ctx *ctx, CEP_API_REAL *u, CEP_API_REAL *gtheta,
                                const cep_shape *sh, const CEP_API_REAL *theta,
                                const CEP_API_REAL *x, const CEP_API_REAL *s, const CEP_API_REAL *v);
/* The primitive Phi(x, s, theta) of (PHI.E) or (PHI.P); phi is one REAL. */
int CEP_API(cep_model_phi)(const cep_ctx *ctx, CEP_API_REAL *phi, const cep_shape *sh,
                           const CEP_API_REAL *theta, const CEP_API_REAL *x, const CEP_API_REAL *s);
/* The cost l(s, y) = 1/2 ||s_N - y||^2 (COST.1); loss is one REAL. */
int CEP_API(cep_loss)(const cep_ctx *ctx, CEP_API_REAL *loss, const cep_shape *sh,
                      const CEP_API_REAL *s, const CEP_API_REAL *y);

/* --- Algorithm layer (spec §3, §4) ------------------------------------ */
/* First phase (FREE.1): T steps from s_0 = 0.  s_T[S] receives s_* = s_T.
 * traj, if not NULL, receives s_0..s_T ((T+1)*S values).  residual, if not
 * NULL, receives ||s_T - s_{T-1}||_inf (FREE.2).  Needs T >= 1. */
int CEP_API(cep_free_phase)(const cep_ctx *ctx, CEP_API_REAL *s_T, CEP_API_REAL *traj,
                            CEP_API_REAL *residual, const cep_shape *sh,
                            const CEP_API_REAL *theta, const CEP_API_REAL *x, size_t T);

/* First phase run to convergence (FREE.3): steps from s_0 = 0 until the
 * residual ||s_t - s_{t-1}||_inf <= 2^tol_log2, at most T_max steps.
 * *T_conv receives that t; s_out[S] the state s_t; residual (one REAL, may
 * be NULL) the last residual.  Returns CEP_ENOTCONVERGED (with s_out,
 * *T_conv = T_max and residual filled) when T_max steps do not suffice. */
int CEP_API(cep_free_phase_converge)(const cep_ctx *ctx, CEP_API_REAL *s_out, size_t *T_conv,
                                     CEP_API_REAL *residual, const cep_shape *sh,
                                     const CEP_API_REAL *theta, const CEP_API_REAL *x,
                                     long tol_log2, size_t T_max);

/* Second phase (NUDGE.1-4), K steps from s_0^beta = s_star, theta_0 = theta.
 * eta == NULL: EP (theta fixed); total[P] receives the EP update
 *   (1/beta)(G(s_K) - G(s_star)) of (EP.1).
 * eta != NULL: C-EP with learning rate eta[n-1] for W_n and b_n (n = 1..N);
 *   theta_{k+1} = theta_k + eta * Delta_theta(k) (CEP.1); total receives
 *   sum_k Delta_theta(k) (CEP.2).  eta = 0 runs the C-EP arithmetic with a
 *   zero rate (theta stays put).
 * Optional outputs (NULL to skip): s_K[S]; theta_K[P]; delta_s[K*S] with
 * Delta_s(k) = (s_{k+1} - s_k)/beta (NORM.1); delta_theta[K*P] with
 * Delta_theta(k) (NORM.2); total[P]. */
int CEP_API(cep_nudged_phase)(const cep_ctx *ctx, CEP_API_REAL *s_K, CEP_API_REAL *theta_K,
                              CEP_API_REAL *delta_s, CEP_API_REAL *delta_theta,
                              CEP_API_REAL *total, const cep_shape *sh,
                              const CEP_API_REAL *theta, const CEP_API_REAL *x,
                              const CEP_API_REAL *y, const CEP_API_REAL *s_star,
                              size_t K, double beta, const double *eta);

/* BPTT (BPTT.1-5) through the first phase whose trajectory traj = s_0..s_T
 * was written by cep_free_phase.  Optional outputs (NULL to skip):
 * grad_s[(K+1)*S], grad_s(k) = dL/ds_{T-k}, k = 0..K;
 * grad_theta[K*P], grad_theta(k) = dL/dtheta_{T-k-1}, k = 0..K-1;
 * total_K[P] = sum_{k<K} grad_theta(k); full[P] = dL/dtheta (all T steps);
 * loss (one REAL) = L = l(s_T, y). */
int CEP_API(cep_bptt)(const cep_ctx *ctx, CEP_API_REAL *grad_s, CEP_API_REAL *grad_theta,
                      CEP_API_REAL *total_K, CEP_API_REAL *full, CEP_API_REAL *loss,
                      const cep_shape *sh, const CEP_API_REAL *theta, const CEP_API_REAL *x,
                      const CEP_API_REAL *y, const CEP_API_REAL *traj, size_t T, size_t K);

#undef CEP_API
#undef CEP_API_CAT
#undef CEP_API_CAT2
