/* internal_api.h -- templated internal declarations; included twice by
 * internal.h.  Each function is documented at its definition. */
#define CEP_I2(a, b) a##b
#define CEP_I1(a, b) CEP_I2(a, b)
#define I(name) CEP_I1(name, CEP_IDECL_SUFFIX)
#define R CEP_IDECL_REAL

/* scope (scalar layer) */
void I(cep_scope_enter)(cep_scope *scope, const cep_ctx *ctx);
void I(cep_scope_leave)(cep_scope *scope);

/* tensor layer */
void I(t_zero)(const cep_ctx *ctx, R *v, size_t n);
void I(t_copy)(const cep_ctx *ctx, R *dst, const R *src, size_t n);
void I(t_sub)(const cep_ctx *ctx, R *z, const R *a, const R *b, size_t n);
void I(t_add_to)(const cep_ctx *ctx, R *y, const R *x, size_t n);
void I(t_axpy)(const cep_ctx *ctx, R *y, const R *a, const R *x, size_t n);
void I(t_div_scalar)(const cep_ctx *ctx, R *z, const R *a, const R *d, size_t n);
void I(t_mul)(const cep_ctx *ctx, R *z, const R *a, const R *b, size_t n);
int I(t_all_finite)(const R *v, size_t n);
void I(t_matvec_acc)(const cep_ctx *ctx, R *y, const R *W, const R *x, size_t m, size_t n);
void I(t_matvec_t_acc)(const cep_ctx *ctx, R *y, R *acc, const R *W, const R *v, size_t m, size_t n);
void I(t_outer)(const cep_ctx *ctx, R *A, const R *c, const R *a, const R *b, size_t m, size_t n);
void I(t_outer_acc)(const cep_ctx *ctx, R *A, const R *a, const R *b, size_t m, size_t n);
void I(t_dot)(const cep_ctx *ctx, R *out, const R *a, const R *b, size_t n);
void I(t_norm2)(const cep_ctx *ctx, R *out, const R *v, size_t n);
void I(t_norm_inf_diff)(const cep_ctx *ctx, R *out, const R *a, const R *b, size_t n);

/* model layer: workspace of 5*S + max layer size entries, see model_source.c */
size_t cep_model_work_len(const cep_shape *sh);
void I(m_step)(const cep_ctx *ctx, R *out, R *work, const cep_shape *sh,
               const R *theta, const R *x, const R *s);
void I(m_G)(const cep_ctx *ctx, R *g, R *work, const cep_shape *sh, const R *x, const R *s);
void I(m_step_vjp)(const cep_ctx *ctx, R *u, R *gtheta, R *work, const cep_shape *sh,
                   const R *theta, const R *x, const R *s, const R *v);


/* The vector-field models (vf_source.c) and the C-VF second phase
 * (vf_phase_source.c).  They run only on VF shapes, which are never
 * shape_ok: the proved callers reach them in branches that WP shows dead
 * under their preconditions (requires \false), so the VF code is outside
 * the proofs (proofs/TRUST.md) and tested instead (tests/test_vf.c). */
/*@ requires symmetric_only: \false; assigns \nothing; */
void I(vf_step)(const cep_ctx *ctx, R *out, R *work, const cep_shape *sh,
                const R *theta, const R *x, const R *s);
/*@ requires symmetric_only: \false; assigns \nothing; */
void I(vf_step_vjp)(const cep_ctx *ctx, R *u, R *gtheta, R *work, const cep_shape *sh,
                    const R *theta, const R *x, const R *s, const R *v);
/*@ requires symmetric_only: \false; assigns \nothing; */
void I(vf_rule)(const cep_ctx *ctx, R *dth, R *work, const cep_shape *sh,
                const R *x, const R *s, const R *v);
/*@ requires symmetric_only: \false; assigns \nothing; */
int I(vf_nudged_phase)(const cep_ctx *ctx, R *s_K, R *theta_K, R *delta_s, R *delta_theta,
                       R *total, const cep_shape *sh, const R *theta, const R *x,
                       const R *y, const R *s_star, size_t K, double beta, const double *eta);

#undef I
#undef R
#undef CEP_I1
#undef CEP_I2
