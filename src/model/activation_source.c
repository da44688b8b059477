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
    ensures less: \result < 0 <==> *u < c;
    ensures greater: \result > 0 <==> *u > c;
*/
static int FN(act_cmp)(const REAL *u, double c)
{
    return R_CMP_DBL(u, c);
}

/* rho, rho', rho'' of one entry *u (ACT.1-4) into *rho, *drho, *ddrho (any
 * may be NULL), with the caller's scratch scalars y, a, b, c and the
 * constant one (= 1), so that no scalar is initialised per entry (MPFR).
 * The operation order of each line is the order of (ACT.*). */
/*@ requires valid_u: \valid_read(u);
    requires valid_one: \valid_read(one) && one[0] == 1.0;
    requires valid_tmp: \valid(y) && \valid(a) && \valid(b) && \valid(c);
    requires valid_out: (rho == \null || \valid(rho)) && (drho == \null || \valid(drho)) &&
                        (ddrho == \null || \valid(ddrho));
    requires sep_tmp: \separated(y, a, b, c, one, u);
    requires sep_rho: rho != \null ==> \separated(rho, y, a, b, c, one, u);
    requires sep_drho: drho != \null ==> \separated(drho, y, a, b, c, one, u);
    requires sep_ddrho: ddrho != \null ==> \separated(ddrho, y, a, b, c, one, u);
    requires sep_outs: (rho != \null && drho != \null ==> \separated(rho, drho)) &&
                       (rho != \null && ddrho != \null ==> \separated(rho, ddrho)) &&
                       (drho != \null && ddrho != \null ==> \separated(drho, ddrho));
    assigns *rho, *drho, *ddrho, *y, *a, *b, *c;
    ensures rho: rho != \null ==> *rho == act_rho(act, \old(*u));
    ensures drho: drho != \null ==> *drho == act_drho(act, \old(*u));
    ensures ddrho: ddrho != \null ==> *ddrho == act_ddrho(act, \old(*u));
*/
static void FN(act_entry)(const cep_ctx *ctx, REAL *rho, REAL *drho, REAL *ddrho,
                          cep_activation act, const REAL *u, REAL *y, REAL *a, REAL *b,
                          REAL *c, const REAL *one)
{
    switch (act) {
    case CEP_ACT_TANH:
        /* (ACT.1) y = tanh u; y' = 1 - y*y; y'' = (-2*y) * y' */
        R_TANH(ctx, y, u);
        R_MUL(ctx, a, y, y);
        R_SUB(ctx, a, one, a);
        /*@ assert dy: *y == tanh_r(\at(*u, Pre)) && *a == act_drho(act, \at(*u, Pre)); */
        if (rho) R_SET(ctx, rho, y);
        if (drho) R_SET(ctx, drho, a);
        /*@ assert out: (rho != \null ==> *rho == act_rho(act, \at(*u, Pre))) &&
              (drho != \null ==> *drho == act_drho(act, \at(*u, Pre))); */
        if (ddrho) {
            R_SET_DBL(ctx, c, -2.0);
            R_MUL(ctx, b, c, y);
            R_MUL(ctx, ddrho, b, a);
            /*@ assert ddrho: *ddrho == act_ddrho(act, \at(*u, Pre)); */
        }
        break;
    case CEP_ACT_SIGMOID4:
        /* (ACT.2) y = 1 / (1 + exp(-4 * (u - 1/2)));
         * y' = 4 * (y * (1 - y)); y'' = (4 * y') * (1 - 2*y) */
        R_SET_DBL(ctx, c, 0.5);
        R_SUB(ctx, a, u, c);
        R_SET_DBL(ctx, c, -4.0);
        R_MUL(ctx, a, c, a);
        R_EXP(ctx, a, a);
        R_ADD(ctx, a, one, a);
        /*@ assert denom: *a == 1.0 + exp_r(-4.0 * (\at(*u, Pre) - 0.5)) && *one == 1.0; */
        R_DIV(ctx, y, one, a);
        /*@ assert y: *y == sig4(\at(*u, Pre)) && *one == 1.0; */
        if (rho) R_SET(ctx, rho, y);
        /*@ assert rho: rho != \null ==> *rho == sig4(\at(*u, Pre)); */
        R_SUB(ctx, a, one, y);
        R_MUL(ctx, a, y, a);
        R_SET_DBL(ctx, c, 4.0);
        R_MUL(ctx, a, c, a); /* a = y' */
        /*@ assert dy: *a == act_drho(act, \at(*u, Pre)) && *c == 4.0 && *y == sig4(\at(*u, Pre)); */
        if (drho) R_SET(ctx, drho, a);
        if (ddrho) {
            R_MUL(ctx, a, c, a);
            /*@ assert four_dy: *a == 4.0 * act_drho(act, \at(*u, Pre)); */
            R_SET_DBL(ctx, c, 2.0);
            R_MUL(ctx, b, c, y);
            R_SUB(ctx, b, one, b);
            /*@ assert one_minus_2y: *b == 1.0 - 2.0 * sig4(\at(*u, Pre)) &&
                  *a == 4.0 * act_drho(act, \at(*u, Pre)); */
            R_MUL(ctx, ddrho, a, b);
            /*@ assert ddrho: *ddrho == act_ddrho(act, \at(*u, Pre)); */
        }
        break;
    case CEP_ACT_HARDSIGMOID:
        /* (ACT.3) y = clamp(u, 0, 1); y' = 1 on [0, 1], 0 elsewhere; y'' = 0 */
        if (FN(act_cmp)(u, 0.0) < 0) {
            if (rho) R_SET_DBL(ctx, rho, 0.0);
            if (drho) R_SET_DBL(ctx, drho, 0.0);
        } else if (FN(act_cmp)(u, 1.0) > 0) {
            if (rho) R_SET_DBL(ctx, rho, 1.0);
            if (drho) R_SET_DBL(ctx, drho, 0.0);
        } else {
            if (rho) R_SET(ctx, rho, u);
            if (drho) R_SET_DBL(ctx, drho, 1.0);
        }
        if (ddrho) R_SET_DBL(ctx, ddrho, 0.0);
        break;
    case CEP_ACT_IDENTITY:
    default:
        /* (ACT.4) y = u; y' = 1; y'' = 0 */
        if (rho) R_SET(ctx, rho, u);
        if (drho) R_SET_DBL(ctx, drho, 1.0);
        if (ddrho) R_SET_DBL(ctx, ddrho, 0.0);
        break;
    }
}

/* For i < n: rho[i] = rho(u[i]) (ACT.1-4), drho[i] = rho'(u[i]),
 * ddrho[i] = rho''(u[i]); any output may be NULL.  The outputs must not
 * alias u. */
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
    ensures rho: rho != \null ==>
      \forall integer i; 0 <= i < n ==> rho[i] == act_rho(act, \old(u[i]));
    ensures drho: drho != \null ==>
      \forall integer i; 0 <= i < n ==> drho[i] == act_drho(act, \old(u[i]));
    ensures ddrho: ddrho != \null ==>
      \forall integer i; 0 <= i < n ==> ddrho[i] == act_ddrho(act, \old(u[i]));
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
        loop invariant rho: rho != \null ==>
          \forall integer k; 0 <= k < i ==> rho[k] == act_rho(act, \at(u[k], Pre));
        loop invariant drho: drho != \null ==>
          \forall integer k; 0 <= k < i ==> drho[k] == act_drho(act, \at(u[k], Pre));
        loop invariant ddrho: ddrho != \null ==>
          \forall integer k; 0 <= k < i ==> ddrho[k] == act_ddrho(act, \at(u[k], Pre));
        loop assigns i, y[0], a[0], b[0], c[0], rho[0 .. n - 1], drho[0 .. n - 1], ddrho[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        /*@ assert u_i: \let k = i; u[k] == \at(u[k], Pre); */
        FN(act_entry)(ctx, rho ? &rho[i] : NULL, drho ? &drho[i] : NULL,
                      ddrho ? &ddrho[i] : NULL, act, &u[i], y, a, b, c, one);
        /*@ assert new_rho: \let k = i; rho != \null ==> rho[k] == act_rho(act, \at(u[k], Pre)); */
    }
    R_CLEAR(c);
    R_CLEAR(one);
    R_CLEAR(b);
    R_CLEAR(a);
    R_CLEAR(y);
}
