/* activation_source.c -- rho, rho' and rho'' of spec/model.md §1 (templated
 * body, included by model.c before model_source.c). */

/* R_CMP_DBL(u, c) in a function of its own, whose contract keeps only the
 * range of the result.  Why: WP 25 prints the hypotheses that r_cmp_dbl's
 * contract gives at a call with the constant 0.0 (`*u < 0.0`) with an
 * integer 0, and Why3 then rejects every later goal of the caller ("Type
 * mismatch between real and int"); with c a parameter it does not. */
/*@ requires valid_u: \valid_read(u);
    assigns \nothing;
    ensures range: -1 <= \result <= 1;
*/
static int FN(act_cmp)(const REAL *u, double c)
{
    return R_CMP_DBL(u, c);
}

/* For i < n: rho[i] = rho(u[i]) (ACT.1-4), drho[i] = rho'(u[i]),
 * ddrho[i] = rho''(u[i]); any output may be NULL.  The outputs must not
 * alias u.  The operation order of each line is the order of (ACT.*). */
/*@ requires valid_u: \valid_read(u + (0 .. n - 1));
    requires valid_rho: rho == \null || \valid(rho + (0 .. n - 1));
    requires valid_drho: drho == \null || \valid(drho + (0 .. n - 1));
    requires valid_ddrho: ddrho == \null || \valid(ddrho + (0 .. n - 1));
    requires sep_rho: rho != \null ==> \separated(rho + (0 .. n - 1), u + (0 .. n - 1));
    requires sep_drho: drho != \null ==> \separated(drho + (0 .. n - 1), u + (0 .. n - 1));
    requires sep_ddrho: ddrho != \null ==> \separated(ddrho + (0 .. n - 1), u + (0 .. n - 1));
    requires sep_rd: rho != \null && drho != \null ==> \separated(rho + (0 .. n - 1), drho + (0 .. n - 1));
    requires sep_rdd: rho != \null && ddrho != \null ==> \separated(rho + (0 .. n - 1), ddrho + (0 .. n - 1));
    requires sep_ddd: drho != \null && ddrho != \null ==> \separated(drho + (0 .. n - 1), ddrho + (0 .. n - 1));
    assigns rho[0 .. n - 1], drho[0 .. n - 1], ddrho[0 .. n - 1];
*/
static void FN(act_eval)(const cep_ctx *ctx, REAL *rho, REAL *drho, REAL *ddrho,
                         cep_activation act, const REAL *u, size_t n)
{
    REAL y[1], a[1], b[1], one[1], c[1];
    R_INIT(ctx, y);
    R_INIT(ctx, a);
    R_INIT(ctx, b);
    R_INIT(ctx, one);
    R_INIT(ctx, c);
    R_SET_DBL(ctx, one, 1.0);
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant one_is_1: one[0] == 1.0;
        loop assigns i, y[0], a[0], b[0], c[0], rho[0 .. n - 1], drho[0 .. n - 1], ddrho[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        const REAL *ui = &u[i];
        switch (act) {
        case CEP_ACT_TANH:
            /* (ACT.1) y = tanh u; y' = 1 - y*y; y'' = (-2*y) * y' */
            R_TANH(ctx, y, ui);
            R_MUL(ctx, a, y, y);
            R_SUB(ctx, a, one, a);
            if (rho) R_SET(ctx, &rho[i], y);
            if (drho) R_SET(ctx, &drho[i], a);
            if (ddrho) {
                R_SET_DBL(ctx, c, -2.0);
                R_MUL(ctx, b, c, y);
                R_MUL(ctx, &ddrho[i], b, a);
            }
            break;
        case CEP_ACT_SIGMOID4:
            /* (ACT.2) y = 1 / (1 + exp(-4 * (u - 1/2)));
             * y' = 4 * (y * (1 - y)); y'' = (4 * y') * (1 - 2*y) */
            R_SET_DBL(ctx, c, 0.5);
            R_SUB(ctx, a, ui, c);
            R_SET_DBL(ctx, c, -4.0);
            R_MUL(ctx, a, c, a);
            R_EXP(ctx, a, a);
            R_ADD(ctx, a, one, a);
            R_DIV(ctx, y, one, a);
            if (rho) R_SET(ctx, &rho[i], y);
            R_SUB(ctx, a, one, y);
            R_MUL(ctx, a, y, a);
            R_SET_DBL(ctx, c, 4.0);
            R_MUL(ctx, a, c, a); /* a = y' */
            if (drho) R_SET(ctx, &drho[i], a);
            if (ddrho) {
                R_MUL(ctx, a, c, a);
                R_SET_DBL(ctx, c, 2.0);
                R_MUL(ctx, b, c, y);
                R_SUB(ctx, b, one, b);
                R_MUL(ctx, &ddrho[i], a, b);
            }
            break;
        case CEP_ACT_HARDSIGMOID:
            /* (ACT.3) y = clamp(u, 0, 1); y' = 1 on [0, 1], 0 elsewhere; y'' = 0 */
            if (FN(act_cmp)(ui, 0.0) < 0) {
                if (rho) R_SET_DBL(ctx, &rho[i], 0.0);
                if (drho) R_SET_DBL(ctx, &drho[i], 0.0);
            } else if (FN(act_cmp)(ui, 1.0) > 0) {
                if (rho) R_SET_DBL(ctx, &rho[i], 1.0);
                if (drho) R_SET_DBL(ctx, &drho[i], 0.0);
            } else {
                if (rho) R_SET(ctx, &rho[i], ui);
                if (drho) R_SET_DBL(ctx, &drho[i], 1.0);
            }
            if (ddrho) R_SET_DBL(ctx, &ddrho[i], 0.0);
            break;
        case CEP_ACT_IDENTITY:
        default:
            /* (ACT.4) y = u; y' = 1; y'' = 0 */
            if (rho) R_SET(ctx, &rho[i], ui);
            if (drho) R_SET_DBL(ctx, &drho[i], 1.0);
            if (ddrho) R_SET_DBL(ctx, &ddrho[i], 0.0);
            break;
        }
    }
    R_CLEAR(c);
    R_CLEAR(one);
    R_CLEAR(b);
    R_CLEAR(a);
    R_CLEAR(y);
}
