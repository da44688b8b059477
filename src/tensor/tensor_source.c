/* tensor_source.c -- vectors and matrices of REAL (templated body).
 *
 * Instantiated by tensor.c for binary64 and MPFR.  These are the only loops
 * over raw memory in the library.  Matrices are row-major, m rows, n
 * columns.  Summation order is part of the specification (spec/model.md
 * §0, (ORD.1)): every sum starts from +0 and adds its terms one at a time,
 * in increasing index order; a product is rounded before it is added.
 */

/* ---- allocation ------------------------------------------------------- */

#if defined(CEP_TEMPLATE_D)
REAL *FN(cep_vec_new)(const cep_ctx *ctx, size_t n)
{
    (void)ctx;
    if (n == 0 || n > SIZE_MAX / sizeof(REAL))
        return NULL;
    return calloc(n, sizeof(REAL)); /* all bits zero is +0.0 in IEEE 754 */
}
#else
/* One block holds the n structs followed by their limbs (MPFR's custom
 * interface), so a vector is one allocation and is freed by one free(). */
REAL *FN(cep_vec_new)(const cep_ctx *ctx, size_t n)
{
    mpfr_prec_t prec = (mpfr_prec_t)ctx->prec;
    if (n == 0 || prec < CEP_PREC_MIN || prec > MPFR_PREC_MAX)
        return NULL;
    size_t limb_bytes = mpfr_custom_get_size(prec);
    size_t per = sizeof(REAL) + limb_bytes;
    if (per < limb_bytes || n > SIZE_MAX / per)
        return NULL;
    char *block = malloc(n * per);
    if (block == NULL)
        return NULL;
    REAL *v = (REAL *)(void *)block;
    char *limbs = block + n * sizeof(REAL);
    for (size_t i = 0; i < n; i++) {
        void *mant = limbs + i * limb_bytes;
        mpfr_custom_init(mant, prec);
        mpfr_custom_init_set(&v[i], MPFR_ZERO_KIND, 0, prec, mant);
    }
    return v;
}
#endif

void FN(cep_vec_free)(REAL *v)
{
    free(v);
}

void FN(cep_vec_from_double)(const cep_ctx *ctx, REAL *dst, const double *src, size_t n)
{
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    for (size_t i = 0; i < n; i++)
        R_SET_DBL(ctx, &dst[i], src[i]);
    FN(cep_scope_leave)(&scope);
}

void FN(cep_vec_to_double)(double *dst, const REAL *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = R_GET_DBL(&src[i]);
}

/* ---- elementwise ------------------------------------------------------ */

void FN(t_zero)(const cep_ctx *ctx, REAL *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_SET_DBL(ctx, &v[i], 0.0);
}

void FN(t_copy)(const cep_ctx *ctx, REAL *dst, const REAL *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_SET(ctx, &dst[i], &src[i]);
}

/* z = a - b */
void FN(t_sub)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_SUB(ctx, &z[i], &a[i], &b[i]);
}

/* y = y + x */
void FN(t_add_to)(const cep_ctx *ctx, REAL *y, const REAL *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_ADD(ctx, &y[i], &y[i], &x[i]);
}

/* y = y + (a * x): the product is rounded first (ORD.1). */
void FN(t_axpy)(const cep_ctx *ctx, REAL *y, const REAL *a, const REAL *x, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    for (size_t i = 0; i < n; i++) {
        R_MUL(ctx, t, a, &x[i]);
        R_ADD(ctx, &y[i], &y[i], t);
    }
    R_CLEAR(t);
}

/* z = a / d */
void FN(t_div_scalar)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_DIV(ctx, &z[i], &a[i], d);
}

/* z = a (.) b, elementwise product */
void FN(t_mul)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        R_MUL(ctx, &z[i], &a[i], &b[i]);
}

/* 1 if every entry is a finite number */
int FN(t_all_finite)(const REAL *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!R_IS_FINITE(&v[i]))
            return 0;
    return 1;
}

/* ---- matrix products -------------------------------------------------- */

/* y[i] = y[i] + sum_j W[i][j] x[j]  (ORD.1: the row sum is formed from +0
 * in increasing j, then added to y[i]). */
void FN(t_matvec_acc)(const cep_ctx *ctx, REAL *y, const REAL *W, const REAL *x,
                      size_t m, size_t n)
{
    REAL acc[1], t[1];
    R_INIT(ctx, acc);
    R_INIT(ctx, t);
    size_t row = 0;
    for (size_t i = 0; i < m; i++, row += n) {
        R_SET_DBL(ctx, acc, 0.0);
        for (size_t j = 0; j < n; j++) {
            R_MUL(ctx, t, &W[row + j], &x[j]);
            R_ADD(ctx, acc, acc, t);
        }
        R_ADD(ctx, &y[i], &y[i], acc);
    }
    R_CLEAR(t);
    R_CLEAR(acc);
}

/* y[j] = y[j] + sum_i W[i][j] v[i]  (ORD.1: the column sum is formed from
 * +0 in increasing i in `acc`, then added to y[j]).  W is m x n, so this is
 * y = y + W^T v.  acc has n entries of scratch. */
void FN(t_matvec_t_acc)(const cep_ctx *ctx, REAL *y, REAL *acc, const REAL *W,
                        const REAL *v, size_t m, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    FN(t_zero)(ctx, acc, n);
    size_t row = 0;
    for (size_t i = 0; i < m; i++, row += n) {
        for (size_t j = 0; j < n; j++) {
            R_MUL(ctx, t, &W[row + j], &v[i]);
            R_ADD(ctx, &acc[j], &acc[j], t);
        }
    }
    FN(t_add_to)(ctx, y, acc, n);
    R_CLEAR(t);
}

/* A[i][j] = (c * a[i]) * b[j], or a[i] * b[j] when c is NULL (G.E, G.P). */
void FN(t_outer)(const cep_ctx *ctx, REAL *A, const REAL *c, const REAL *a,
                 const REAL *b, size_t m, size_t n)
{
    REAL ca[1];
    R_INIT(ctx, ca);
    size_t row = 0;
    for (size_t i = 0; i < m; i++, row += n) {
        if (c != NULL)
            R_MUL(ctx, ca, c, &a[i]);
        else
            R_SET(ctx, ca, &a[i]);
        for (size_t j = 0; j < n; j++)
            R_MUL(ctx, &A[row + j], ca, &b[j]);
    }
    R_CLEAR(ca);
}

/* A[i][j] = A[i][j] + a[i] * b[j]  (the product rounded first). */
void FN(t_outer_acc)(const cep_ctx *ctx, REAL *A, const REAL *a, const REAL *b,
                     size_t m, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    size_t row = 0;
    for (size_t i = 0; i < m; i++, row += n) {
        for (size_t j = 0; j < n; j++) {
            R_MUL(ctx, t, &a[i], &b[j]);
            R_ADD(ctx, &A[row + j], &A[row + j], t);
        }
    }
    R_CLEAR(t);
}

/* ---- reductions ------------------------------------------------------- */

/* out = sum_i a[i] b[i] (ORD.1) */
void FN(t_dot)(const cep_ctx *ctx, REAL *out, const REAL *a, const REAL *b, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    R_SET_DBL(ctx, out, 0.0);
    for (size_t i = 0; i < n; i++) {
        R_MUL(ctx, t, &a[i], &b[i]);
        R_ADD(ctx, out, out, t);
    }
    R_CLEAR(t);
}

/* out = ||v||_2 = sqrt(sum_i v[i]^2) (ORD.1) */
void FN(t_norm2)(const cep_ctx *ctx, REAL *out, const REAL *v, size_t n)
{
    FN(t_dot)(ctx, out, v, v, n);
    R_SQRT(ctx, out, out);
}

/* out = max_i |a[i] - b[i]| */
void FN(t_norm_inf_diff)(const cep_ctx *ctx, REAL *out, const REAL *a, const REAL *b, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    R_SET_DBL(ctx, out, 0.0);
    for (size_t i = 0; i < n; i++) {
        R_SUB(ctx, t, &a[i], &b[i]);
        R_ABS(ctx, t, t);
        if (R_CMP(t, out) > 0)
            R_SET(ctx, out, t);
    }
    R_CLEAR(t);
}
