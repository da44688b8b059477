/* tensor_source.c -- vectors and matrices of REAL (templated body).
 *
 * Instantiated by tensor.c for binary64 and MPFR.  These are the only loops
 * over raw memory in the library.  Matrices are row-major, m rows, n
 * columns.  Summation order is part of the specification (spec/model.md
 * §0, (ORD.1)): every sum starts from +0 and adds its terms one at a time,
 * in increasing index order; a product is rounded before it is added.
 *
 * ACSL contracts (`make proofs`, proofs/README.md) are checked by WP on the
 * binary64 instantiation; they are comments, so the MPFR instantiation
 * carries them unchecked.  Values are stated in real arithmetic (the logic
 * functions dot, coldot, max_abs_diff of proofs/real.acsl): they hold for
 * ideal reals, not for the rounded binary64 results.  An output array may be
 * the very same array as an input of the same length (in place) or must not
 * overlap it; scalar operands must not overlap an output array.
 */

/* ---- allocation ------------------------------------------------------- */

#if defined(CEP_TEMPLATE_D)
/* Trusted (proofs/proofs.mk WP_TRUSTED): WP 25 cannot model calloc and
 * free (no \fresh, \freeable); ASan and valgrind check these two. */
/* Freshness: the ghost clock and birth dates of proofs/algo.acsl. */
/*@ assigns cep_heap_clock;
    ensures clock: cep_heap_clock >= \old(cep_heap_clock);
    ensures fresh: \result != \null ==> new_block{Pre, Post}(\result);
    ensures bad_size: n == 0 || n > SIZE_MAX / sizeof(double) ==> \result == \null;
    ensures valid: \result != \null ==> \valid(\result + (0 .. n - 1));
    ensures zero: \result != \null ==> \forall integer i; 0 <= i < n ==> real_zero(\result[i]);
    ensures owned: \result != \null ==> vec_block(\result);
*/
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

#if defined(CEP_TEMPLATE_D)
/* Trusted, see cep_vec_new. */
/*@ requires owned: v == \null || vec_block(v);
    assigns \nothing;
*/
#endif
void FN(cep_vec_free)(REAL *v)
{
    free(v);
}

/*@ requires valid_dst: \valid(dst + (0 .. n - 1));
    requires valid_src: \valid_read(src + (0 .. n - 1));
    requires sep: \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> dst[i] == src[i];
*/
void FN(cep_vec_from_double)(const cep_ctx *ctx, REAL *dst, const double *src, size_t n)
{
    cep_scope scope;
    FN(cep_scope_enter)(&scope, ctx);
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> dst[k] == src[k];
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_SET_DBL(ctx, &dst[i], src[i]);
    FN(cep_scope_leave)(&scope);
}

/*@ requires valid_dst: \valid(dst + (0 .. n - 1));
    requires valid_src: \valid_read(src + (0 .. n - 1));
    requires sep: \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> dst[i] == src[i];
*/
void FN(cep_vec_to_double)(double *dst, const REAL *src, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> dst[k] == src[k];
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        dst[i] = R_GET_DBL(&src[i]);
}

/* ---- elementwise ------------------------------------------------------ */

/*@ requires valid_v: \valid(v + (0 .. n - 1));
    assigns v[0 .. n - 1];
    ensures zero: \forall integer i; 0 <= i < n ==> real_zero(v[i]);
*/
void FN(t_zero)(const cep_ctx *ctx, REAL *v, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> real_zero(v[k]);
        loop assigns i, v[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_SET_DBL(ctx, &v[i], 0.0);
}

/*@ requires valid_dst: \valid(dst + (0 .. n - 1));
    requires valid_src: \valid_read(src + (0 .. n - 1));
    requires sep: dst == src || \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> dst[i] == \old(src[i]);
*/
void FN(t_copy)(const cep_ctx *ctx, REAL *dst, const REAL *src, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> dst[k] == \at(src[k], Pre);
        loop invariant todo: \forall integer k; i <= k < n ==> src[k] == \at(src[k], Pre);
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_SET(ctx, &dst[i], &src[i]);
}

/* z = a - b */
/*@ requires valid_z: \valid(z + (0 .. n - 1));
    requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_a: z == a || \separated(z + (0 .. n - 1), a + (0 .. n - 1));
    requires sep_b: z == b || \separated(z + (0 .. n - 1), b + (0 .. n - 1));
    assigns z[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> z[i] == \old(a[i]) - \old(b[i]);
*/
void FN(t_sub)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *b, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> z[k] == \at(a[k], Pre) - \at(b[k], Pre);
        loop invariant todo_a: \forall integer k; i <= k < n ==> a[k] == \at(a[k], Pre);
        loop invariant todo_b: \forall integer k; i <= k < n ==> b[k] == \at(b[k], Pre);
        loop assigns i, z[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_SUB(ctx, &z[i], &a[i], &b[i]);
}

/* y = y + x */
/*@ requires valid_y: \valid(y + (0 .. n - 1));
    requires valid_x: \valid_read(x + (0 .. n - 1));
    requires sep: y == x || \separated(y + (0 .. n - 1), x + (0 .. n - 1));
    assigns y[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> y[i] == \old(y[i]) + \old(x[i]);
*/
void FN(t_add_to)(const cep_ctx *ctx, REAL *y, const REAL *x, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> y[k] == \at(y[k], Pre) + \at(x[k], Pre);
        loop invariant todo_y: \forall integer k; i <= k < n ==> y[k] == \at(y[k], Pre);
        loop invariant todo_x: \forall integer k; i <= k < n ==> x[k] == \at(x[k], Pre);
        loop assigns i, y[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_ADD(ctx, &y[i], &y[i], &x[i]);
}

/* y = y + (a * x): the product is rounded first (ORD.1). */
/*@ requires valid_y: \valid(y + (0 .. n - 1));
    requires valid_a: \valid_read(a);
    requires valid_x: \valid_read(x + (0 .. n - 1));
    requires sep_a: \separated(a, y + (0 .. n - 1));
    requires sep_x: \separated(y + (0 .. n - 1), x + (0 .. n - 1));
    assigns y[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> y[i] == \old(y[i]) + *a * x[i];
*/
void FN(t_axpy)(const cep_ctx *ctx, REAL *y, const REAL *a, const REAL *x, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> y[k] == \at(y[k], Pre) + *a * x[k];
        loop invariant todo: \forall integer k; i <= k < n ==> y[k] == \at(y[k], Pre);
        loop assigns i, t[0], y[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        R_MUL(ctx, t, a, &x[i]);
        R_ADD(ctx, &y[i], &y[i], t);
    }
    R_CLEAR(t);
}

/* z = a / d */
/*@ requires valid_z: \valid(z + (0 .. n - 1));
    requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_d: \valid_read(d);
    requires nonzero: !real_zero(*d);
    requires sep_a: z == a || \separated(z + (0 .. n - 1), a + (0 .. n - 1));
    requires sep_d: \separated(d, z + (0 .. n - 1));
    assigns z[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> z[i] == \old(a[i]) / \old(*d);
*/
void FN(t_div_scalar)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *d, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> z[k] == \at(a[k], Pre) / \at(*d, Pre);
        loop invariant todo: \forall integer k; i <= k < n ==> a[k] == \at(a[k], Pre);
        loop assigns i, z[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_DIV(ctx, &z[i], &a[i], d);
}

/* z = a (.) b, elementwise product */
/*@ requires valid_z: \valid(z + (0 .. n - 1));
    requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_a: z == a || \separated(z + (0 .. n - 1), a + (0 .. n - 1));
    requires sep_b: z == b || \separated(z + (0 .. n - 1), b + (0 .. n - 1));
    assigns z[0 .. n - 1];
    ensures value: \forall integer i; 0 <= i < n ==> z[i] == \old(a[i]) * \old(b[i]);
*/
void FN(t_mul)(const cep_ctx *ctx, REAL *z, const REAL *a, const REAL *b, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant done: \forall integer k; 0 <= k < i ==> z[k] == \at(a[k], Pre) * \at(b[k], Pre);
        loop invariant todo_a: \forall integer k; i <= k < n ==> a[k] == \at(a[k], Pre);
        loop invariant todo_b: \forall integer k; i <= k < n ==> b[k] == \at(b[k], Pre);
        loop assigns i, z[0 .. n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        R_MUL(ctx, &z[i], &a[i], &b[i]);
}

/* 1 if every entry is a finite number */
/*@ requires valid_v: \valid_read(v + (0 .. n - 1));
    assigns \nothing;
    ensures boolean: \result == 0 || \result == 1;
    ensures value: \result == 1 <==> (\forall integer i; 0 <= i < n ==> \is_finite(v[i]));
*/
int FN(t_all_finite)(const REAL *v, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant finite: \forall integer k; 0 <= k < i ==> \is_finite(v[k]);
        loop assigns i;
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        if (!R_IS_FINITE(&v[i]))
            return 0;
    return 1;
}

/* ---- matrix products -------------------------------------------------- */

/* t_matvec_acc and t_matvec_t_acc state their values (dot, coldot of
 * proofs/real.acsl; row offsets through proofs/tensor.acsl's row_at and its
 * lemma functions).  t_outer and t_outer_acc have memory-safety and framing
 * contracts only: their entrywise values (index i*n + j under quantifiers)
 * did not prove yet (proofs/TRUST.md §5).  The row loops keep
 * `row == i * n` and check `row + n <= m * n` before each row. */

/* y[i] = y[i] + sum_j W[i][j] x[j]  (ORD.1: the row sum is formed from +0
 * in increasing j, then added to y[i]). */
/*@ requires size: m * n <= SIZE_MAX;
    requires valid_y: \valid(y + (0 .. m - 1));
    requires valid_W: \valid_read(W + (0 .. m * n - 1));
    requires valid_x: \valid_read(x + (0 .. n - 1));
    requires sep_W: \separated(y + (0 .. m - 1), W + (0 .. m * n - 1));
    requires sep_x: \separated(y + (0 .. m - 1), x + (0 .. n - 1));
    assigns y[0 .. m - 1];
    ensures value: \forall integer i; 0 <= i < m ==>
                     y[i] == \old(y[i]) + \old(dot(W + i * n, x, n));
*/
void FN(t_matvec_acc)(const cep_ctx *ctx, REAL *y, const REAL *W, const REAL *x,
                      size_t m, size_t n)
{
    REAL acc[1], t[1];
    R_INIT(ctx, acc);
    R_INIT(ctx, t);
    size_t row = 0;
    /*@ ghost lemma_row_at(n); */
    /*@ loop invariant bound: 0 <= i <= m;
        loop invariant row: row == i * n;
        loop invariant done: \forall integer p; 0 <= p < i ==>
          y[p] == \at(y[p], Pre) + dot{Pre}(W + row_at(p, n), x, n);
        loop invariant todo: \forall integer p; i <= p < m ==> y[p] == \at(y[p], Pre);
        loop assigns i, row, acc[0], t[0], y[0 .. m - 1];
        loop variant m - i;
    */
    for (size_t i = 0; i < m; i++, row += n) {
        R_SET_DBL(ctx, acc, 0.0);
        /*@ ghost lemma_row_fits(i, m, n); */
        /*@ assert row_fits: row + n <= m * n; */
        /*@ loop invariant bound: 0 <= j <= n;
            loop invariant sum: acc[0] == dot{Pre}(W + row, x, j);
            loop assigns j, acc[0], t[0];
            loop variant n - j;
        */
        for (size_t j = 0; j < n; j++) {
            /*@ assert idx: (size_t)(row + j) == row + j && (size_t)(j + 1) == j + 1; */
            /*@ assert frame: \let r = row; \let k = j;
                  W[r + k] == \at(W[r + k], Pre) && x[k] == \at(x[k], Pre); */
            /*@ assert unfold: \let r = row; \let k = j; dot{Pre}(W + r, x, k + 1) ==
                  dot{Pre}(W + r, x, k) + \at(W[r + k] * x[k], Pre); */
            R_MUL(ctx, t, &W[row + j], &x[j]);
            R_ADD(ctx, acc, acc, t);
        }
        /*@ assert row_sum: acc[0] == dot{Pre}(W + i * n, x, n); */
        /*@ assert y_i: \let p = i; y[p] == \at(y[p], Pre); */
        R_ADD(ctx, &y[i], &y[i], acc);
        /*@ assert row_i: \let p = i;
              y[p] == \at(y[p], Pre) + dot{Pre}(W + row_at(p, n), x, n); */
        /*@ assert next: (size_t)(row + n) == (i + 1) * n && (size_t)(i + 1) == i + 1; */
    }
    R_CLEAR(t);
    R_CLEAR(acc);
}

/* y[j] = y[j] + sum_i W[i][j] v[i]  (ORD.1: the column sum is formed from
 * +0 in increasing i in `acc`, then added to y[j]).  W is m x n, so this is
 * y = y + W^T v.  acc has n entries of scratch. */
/*@ requires size: m * n <= SIZE_MAX;
    requires valid_y: \valid(y + (0 .. n - 1));
    requires valid_acc: \valid(acc + (0 .. n - 1));
    requires valid_W: \valid_read(W + (0 .. m * n - 1));
    requires valid_v: \valid_read(v + (0 .. m - 1));
    requires sep_acc: \separated(acc + (0 .. n - 1), y + (0 .. n - 1));
    requires sep_W: \separated(y + (0 .. n - 1), W + (0 .. m * n - 1)) &&
                    \separated(acc + (0 .. n - 1), W + (0 .. m * n - 1));
    requires sep_v: \separated(y + (0 .. n - 1), v + (0 .. m - 1)) &&
                    \separated(acc + (0 .. n - 1), v + (0 .. m - 1));
    assigns y[0 .. n - 1], acc[0 .. n - 1];
    ensures value: \forall integer j; 0 <= j < n ==>
                     y[j] == \old(y[j]) + \old(coldot(W, v, j, n, m));
*/
void FN(t_matvec_t_acc)(const cep_ctx *ctx, REAL *y, REAL *acc, const REAL *W,
                        const REAL *v, size_t m, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    FN(t_zero)(ctx, acc, n);
    size_t row = 0;
    /*@ loop invariant bound: 0 <= i <= m;
        loop invariant row: row == i * n;
        loop invariant sum: \forall integer q; 0 <= q < n ==>
          acc[q] == coldot{Pre}(W, v, q, n, i);
        loop assigns i, row, t[0], acc[0 .. n - 1];
        loop variant m - i;
    */
    for (size_t i = 0; i < m; i++, row += n) {
        /*@ ghost lemma_row_fits(i, m, n); */
        /*@ assert row_fits: row + n <= m * n; */
        /*@ loop invariant bound: 0 <= j <= n;
            loop invariant done: \forall integer q; 0 <= q < j ==>
              acc[q] == coldot{Pre}(W, v, q, n, i + 1);
            loop invariant todo: \forall integer q; j <= q < n ==>
              acc[q] == coldot{Pre}(W, v, q, n, i);
            loop assigns j, t[0], acc[0 .. n - 1];
            loop variant n - j;
        */
        for (size_t j = 0; j < n; j++) {
            /*@ assert idx: (size_t)(row + j) == row + j && (size_t)(j + 1) == j + 1; */
            /*@ assert frame: \let r = row; \let p = i; \let k = j;
                  W[r + k] == \at(W[r + k], Pre) && v[p] == \at(v[p], Pre); */
            R_MUL(ctx, t, &W[row + j], &v[i]);
            /*@ assert prod: \let r = row; \let p = i; \let k = j;
                  t[0] == \at(W[r + k] * v[p], Pre); */
            /*@ assert unfold: \let r = row; \let p = i; \let k = j;
                  coldot{Pre}(W, v, k, n, p + 1) ==
                  coldot{Pre}(W, v, k, n, p) + \at(W[r + k] * v[p], Pre); */
            /*@ assert acc_old: \let p = i; \let k = j; acc[k] == coldot{Pre}(W, v, k, n, p); */
            R_ADD(ctx, &acc[j], &acc[j], t);
            /*@ assert acc_new: \let p = i; \let k = j; acc[k] == coldot{Pre}(W, v, k, n, p + 1); */
        }
        /*@ assert next: (size_t)(row + n) == (i + 1) * n && (size_t)(i + 1) == i + 1; */
    }
    /*@ assert y_same: \forall integer q; 0 <= q < n ==> y[q] == \at(y[q], Pre); */
    FN(t_add_to)(ctx, y, acc, n);
    R_CLEAR(t);
}

/* A[i][j] = (c * a[i]) * b[j], or a[i] * b[j] when c is NULL (G.E, G.P). */
/*@ requires size: m * n <= SIZE_MAX;
    requires valid_A: \valid(A + (0 .. m * n - 1));
    requires valid_c: c == \null || \valid_read(c);
    requires valid_a: \valid_read(a + (0 .. m - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_c: c == \null || \separated(c, A + (0 .. m * n - 1));
    requires sep_a: \separated(A + (0 .. m * n - 1), a + (0 .. m - 1));
    requires sep_b: \separated(A + (0 .. m * n - 1), b + (0 .. n - 1));
    assigns A[0 .. m * n - 1];
*/
void FN(t_outer)(const cep_ctx *ctx, REAL *A, const REAL *c, const REAL *a,
                 const REAL *b, size_t m, size_t n)
{
    REAL ca[1];
    R_INIT(ctx, ca);
    size_t row = 0;
    /*@ loop invariant bound: 0 <= i <= m;
        loop invariant row: row == i * n;
        loop assigns i, row, ca[0], A[0 .. m * n - 1];
        loop variant m - i;
    */
    for (size_t i = 0; i < m; i++, row += n) {
        if (c != NULL)
            R_MUL(ctx, ca, c, &a[i]);
        else
            R_SET(ctx, ca, &a[i]);
        /*@ assert row_fits: row + n <= m * n; */
        /*@ loop invariant bound: 0 <= j <= n;
            loop assigns j, A[row .. row + n - 1];
            loop variant n - j;
        */
        for (size_t j = 0; j < n; j++)
            R_MUL(ctx, &A[row + j], ca, &b[j]);
    }
    R_CLEAR(ca);
}

/* A[i][j] = A[i][j] + a[i] * b[j]  (the product rounded first). */
/*@ requires size: m * n <= SIZE_MAX;
    requires valid_A: \valid(A + (0 .. m * n - 1));
    requires valid_a: \valid_read(a + (0 .. m - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_a: \separated(A + (0 .. m * n - 1), a + (0 .. m - 1));
    requires sep_b: \separated(A + (0 .. m * n - 1), b + (0 .. n - 1));
    assigns A[0 .. m * n - 1];
*/
void FN(t_outer_acc)(const cep_ctx *ctx, REAL *A, const REAL *a, const REAL *b,
                     size_t m, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    size_t row = 0;
    /*@ loop invariant bound: 0 <= i <= m;
        loop invariant row: row == i * n;
        loop assigns i, row, t[0], A[0 .. m * n - 1];
        loop variant m - i;
    */
    for (size_t i = 0; i < m; i++, row += n) {
        /*@ assert row_fits: row + n <= m * n; */
        /*@ loop invariant bound: 0 <= j <= n;
            loop assigns j, t[0], A[row .. row + n - 1];
            loop variant n - j;
        */
        for (size_t j = 0; j < n; j++) {
            R_MUL(ctx, t, &a[i], &b[j]);
            R_ADD(ctx, &A[row + j], &A[row + j], t);
        }
    }
    R_CLEAR(t);
}

/* ---- reductions ------------------------------------------------------- */

/* out = sum_i a[i] b[i] (ORD.1) */
/*@ requires valid_out: \valid(out);
    requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_a: \separated(out, a + (0 .. n - 1));
    requires sep_b: \separated(out, b + (0 .. n - 1));
    assigns *out;
    ensures value: *out == \old(dot(a, b, n));
    ensures square: a == b ==> *out >= 0.0;
*/
void FN(t_dot)(const cep_ctx *ctx, REAL *out, const REAL *a, const REAL *b, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    R_SET_DBL(ctx, out, 0.0);
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant sum: *out == dot{Pre}(a, b, i);
        loop invariant square: a == b ==> *out >= 0.0;
        loop assigns i, t[0], *out;
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        /*@ assert frame: \let k = i; a[k] == \at(a[k], Pre) && b[k] == \at(b[k], Pre); */
        /*@ assert unfold: \let k = i;
              dot{Pre}(a, b, k + 1) == dot{Pre}(a, b, k) + \at(a[k] * b[k], Pre); */
        R_MUL(ctx, t, &a[i], &b[i]);
        R_ADD(ctx, out, out, t);
    }
    R_CLEAR(t);
}

/* out = ||v||_2 = sqrt(sum_i v[i]^2) (ORD.1) */
/*@ requires valid_out: \valid(out);
    requires valid_v: \valid_read(v + (0 .. n - 1));
    requires sep: \separated(out, v + (0 .. n - 1));
    assigns *out;
    ensures value: *out == \sqrt(\old(dot(v, v, n)));
    ensures nonneg: *out >= 0.0;
*/
void FN(t_norm2)(const cep_ctx *ctx, REAL *out, const REAL *v, size_t n)
{
    FN(t_dot)(ctx, out, v, v, n);
    R_SQRT(ctx, out, out);
}

/* out = max_i |a[i] - b[i]| */
/*@ requires valid_out: \valid(out);
    requires valid_a: \valid_read(a + (0 .. n - 1));
    requires valid_b: \valid_read(b + (0 .. n - 1));
    requires sep_a: \separated(out, a + (0 .. n - 1));
    requires sep_b: \separated(out, b + (0 .. n - 1));
    assigns *out;
    ensures value: *out == \old(max_abs_diff(a, b, n));
    ensures nonneg: *out >= 0.0;
*/
void FN(t_norm_inf_diff)(const cep_ctx *ctx, REAL *out, const REAL *a, const REAL *b, size_t n)
{
    REAL t[1];
    R_INIT(ctx, t);
    R_SET_DBL(ctx, out, 0.0);
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant max: *out == max_abs_diff{Pre}(a, b, i);
        loop invariant nonneg: *out >= 0.0;
        loop assigns i, t[0], *out;
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        /*@ assert frame: \let k = i; a[k] == \at(a[k], Pre) && b[k] == \at(b[k], Pre); */
        /*@ assert unfold: \let k = i; max_abs_diff{Pre}(a, b, k + 1) ==
              \max(max_abs_diff{Pre}(a, b, k), \abs(\at(a[k] - b[k], Pre))); */
        R_SUB(ctx, t, &a[i], &b[i]);
        R_ABS(ctx, t, t);
        if (R_CMP(t, out) > 0)
            R_SET(ctx, out, t);
    }
    R_CLEAR(t);
}
