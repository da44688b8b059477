/* metrics_source.c -- metrics shared by `cep run` and `cep theorem`
 * (templated; included by run.c and theorem.c inside their instantiations). */

/* (RUN.2) the angle between a and -b, in degrees, as 2 asin(||a/|a| + b/|b| || / 2),
 * which keeps full relative accuracy for tiny angles (acos of a cosine near 1
 * would not).  90 degrees when either vector is zero. tmp has n entries. */
static double FN(angle_deg)(const cep_ctx *ctx, REAL *tmp, const REAL *a, const REAL *na,
                            const REAL *b, const REAL *nb, size_t n)
{
    if (R_IS_ZERO(na) || R_IS_ZERO(nb))
        return 90.0;
    REAL u[1], v[1];
    R_INIT(ctx, u);
    R_INIT(ctx, v);
    for (size_t i = 0; i < n; i++) {
        R_DIV(ctx, u, &a[i], na);
        R_DIV(ctx, v, &b[i], nb);
        R_ADD(ctx, &tmp[i], u, v);
    }
    FN(t_norm2)(ctx, u, tmp, n);
    R_SET_DBL(ctx, v, 0.5);
    R_MUL(ctx, u, u, v);
    if (R_CMP_DBL(u, 1.0) > 0) /* rounding can push the half-chord past 1 */
        R_SET_DBL(ctx, u, 1.0);
    R_ASIN(ctx, u, u);
    double r = 2.0 * R_GET_DBL(u) * (180.0 / 3.14159265358979323846);
    R_CLEAR(v);
    R_CLEAR(u);
    return r;
}

