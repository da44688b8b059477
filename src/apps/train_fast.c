/* train_fast.c -- the fast training engine (spec/train.md §4, TR.8-10):
 * the mathematics of train_literal.c, reformulated for speed, binary64,
 * models prototypical and prototypical-vf (BPTT: prototypical).
 *
 * Reformulations (each exact in real arithmetic; the engines agree to
 * about 1e-15 relative, tests/test_train.c checks <= 1e-12):
 * (TR.8)  The input drive H = W_1 X (n_1 x B) is computed once per batch:
 *         theta is fixed during the first phase.
 * (TR.9)  In C-EP/C-VF the change of W_1 over the second phase is a sum of
 *         rank-one terms c (s_{1,k+1}^b - s_{1,k}^b) x_b^T (c = eta_1 /
 *         (beta B)), so W_1 x_a moves by c sum_b (s_{1,k+1}^b - s_{1,k}^b)
 *         (x_b . x_a): H is tracked through the batch's Gram matrix
 *         Gx[b][a] = x_b . x_a, and W_1 itself is updated once, after the
 *         phase, by the telescoped sum c sum_b (s_{1,K}^b - s_{1,0}^b) x_b^T.
 * (TR.10) Batch means are matrix products over the batch: states are kept
 *         feature-major (row r = neuron r, one column per example) for the
 *         dynamics and transposed (one row per example) for the updates.
 * Every product loops over the batch (or a row) innermost with the sum's
 * index outside it, so the compiler vectorises without reordering any sum:
 * each number is the same sequence of IEEE operations whatever the SIMD
 * width (the kernels are compiled for AVX-512, AVX2 and the baseline, and
 * chosen at run time) and whatever the thread count (rows are split by
 * cep_part, TR.13). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "apps/train_engine.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define FAST_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FAST_CLONES
#endif
#define HOT static inline __attribute__((always_inline))

/* The batch size whose kernels are compiled with a constant trip count (the
 * paper's mini-batch): its accumulators stay in registers. */
#define FAST_NB 20
/* A feedback W_{n+1}^T s_{n+1} with n_{n+1} up to this many rows reads W_{n+1}'s
 * columns in place; above, a transposed copy is kept (and refreshed after
 * every update) so that the reads are contiguous. */
#define FAST_COLUMN_MAX 64

struct cep_engine {
    size_t B, S, P, N, T;
    size_t sz[CEP_MAX_LAYERS + 1];
    size_t s_off[CEP_MAX_LAYERS + 1];
    int vf, bptt;
    double *xf;        /* n_0 x B: the inputs, feature-major                    */
    double *gram;      /* B x B: Gx[b][a] = x_b . x_a (TR.9)                    */
    double *H;         /* n_1 x B: W_1 x (TR.8), tracked in C-EP/C-VF (TR.9)    */
    double *s, *s_new; /* S x B: the state, feature-major                       */
    double *s_star;    /* S x B: s_* (EP) or s_0 of the second phase (W_1, TR.9) */
    double *st, *st_new; /* B x S: the state, one row per example (TR.10)       */
    double *st_star;   /* B x S: s_star transposed                              */
    double *rate;      /* P: learning rate of each parameter (BPTT)             */
    double *yf;        /* n_N x B: targets, feature-major                       */
    double *WT;        /* for each n >= 2 (symmetric): W_n^T, n_{n-1} x n_n      */
    size_t WT_off[CEP_MAX_LAYERS + 1];
    size_t wt_len;
    int use_wt[CEP_MAX_LAYERS + 1]; /* W_n^T kept (n_n > FAST_COLUMN_MAX): else columns */
    double *acc;       /* P: the EP-style VF sums (VF.5)                        */
    double *traj;      /* BPTT: (T+1) x S x B states                            */
    double *dtraj;     /* BPTT: T x S x B, rho'(u_t)                             */
    double *v, *a;     /* BPTT: S x B, dL/ds_t and rho' (.) dL/ds_{t+1}          */
    double *at;        /* BPTT: B x S, a transposed                             */
    double *a1sum;     /* BPTT: n_1 x B, sum_t a_{1,t}                           */
    double *grad;      /* BPTT: P, batch sums of the gradient                   */
    double *row;       /* threads x max(n) scratch rows                         */
    size_t row_len;
    double *loss;      /* B */
    unsigned char *wrong;
};

int cep_fast_supports(const cep_train_config *cfg)
{
    cep_model m = cfg->shape.model;
    if (cfg->algo == CEP_ALGO_BPTT || cfg->algo == CEP_ALGO_TBPTT)
        return m == CEP_MODEL_PROTOTYPICAL;
    return m == CEP_MODEL_PROTOTYPICAL || m == CEP_MODEL_PROTOTYPICAL_VF;
}

void cep_fast_free(cep_engine *e)
{
    if (e == NULL)
        return;
    free(e->xf);
    free(e->gram);
    free(e->H);
    free(e->s);
    free(e->s_new);
    free(e->s_star);
    free(e->st);
    free(e->st_new);
    free(e->st_star);
    free(e->rate);
    free(e->yf);
    free(e->WT);
    free(e->acc);
    free(e->traj);
    free(e->dtraj);
    free(e->v);
    free(e->a);
    free(e->at);
    free(e->a1sum);
    free(e->grad);
    free(e->row);
    free(e->loss);
    free(e->wrong);
    free(e);
}

static double *alloc_d(size_t n, int *ok)
{
    double *p = calloc(n ? n : 1, sizeof *p);
    if (p == NULL)
        *ok = 0;
    return p;
}

int cep_fast_new(cep_engine **out, const cep_trainer *t)
{
    const cep_train_config *c = &t->cfg;
    const cep_shape *sh = &c->shape;
    if (!cep_fast_supports(c))
        return CEP_ETRAIN_ENGINE;
    cep_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return CEP_ENOMEM;
    e->B = c->batch;
    e->S = sh->S;
    e->P = sh->P;
    e->N = sh->n_layers;
    e->T = c->T;
    e->vf = CEP_MODEL_IS_VF(sh->model);
    e->bptt = c->algo == CEP_ALGO_BPTT || c->algo == CEP_ALGO_TBPTT;
    size_t maxn = 0, wt = 0;
    for (size_t n = 0; n <= e->N; n++) {
        e->sz[n] = sh->size[n];
        e->s_off[n] = n ? sh->s_off[n] : 0;
        if (sh->size[n] > maxn)
            maxn = sh->size[n];
    }
    for (size_t n = 2; n <= e->N; n++) {
        e->WT_off[n] = wt;
        e->use_wt[n] = !e->vf && sh->size[n] > FAST_COLUMN_MAX;
        wt += e->use_wt[n] ? sh->size[n] * sh->size[n - 1] : 0;
    }
    size_t B = e->B, S = e->S;
    int ok = 1;
    e->xf = alloc_d(sh->size[0] * B, &ok);
    e->gram = alloc_d(B * B, &ok);
    e->H = alloc_d(sh->size[1] * B, &ok);
    e->s = alloc_d(S * B, &ok);
    e->s_new = alloc_d(S * B, &ok);
    e->s_star = alloc_d(S * B, &ok);
    e->st = alloc_d(S * B, &ok);
    e->st_new = alloc_d(S * B, &ok);
    e->st_star = alloc_d(S * B, &ok);
    e->yf = alloc_d(sh->size[e->N] * B, &ok);
    e->WT = alloc_d(wt, &ok);
    e->wt_len = wt;
    e->row_len = maxn > B ? maxn : B;
    e->row = alloc_d(c->threads * maxn, &ok);
    e->loss = alloc_d(B, &ok);
    e->wrong = calloc(B, 1);
    if (e->wrong == NULL)
        ok = 0;
    if (e->vf && c->algo == CEP_ALGO_EP)
        e->acc = alloc_d(e->P, &ok);
    if (e->bptt) {
        e->traj = alloc_d((e->T + 1) * S * B, &ok);
        e->dtraj = alloc_d(e->T * S * B, &ok);
        e->v = alloc_d(S * B, &ok);
        e->a = alloc_d(S * B, &ok);
        e->at = alloc_d(S * B, &ok);
        e->a1sum = alloc_d(sh->size[1] * B, &ok);
        e->grad = alloc_d(e->P, &ok);
        e->rate = alloc_d(e->P, &ok);
    }
    if (!ok) {
        cep_fast_free(e);
        return CEP_ENOMEM;
    }
    if (e->rate != NULL)
        cep_train_rates(e->rate, sh, c->eta);
    *out = e;
    return CEP_OK;
}

/* ---- kernels ---------------------------------------------------------------- */

/* acc[0..nb-1] += w * src[0..nb-1] */
HOT void k_axpy(double *restrict acc, double w, const double *restrict src, size_t nb)
{
    for (size_t b = 0; b < nb; b++)
        acc[b] += w * src[b];
}

/* Row i of C (nb columns) = init[0..nb-1] + sum_p A[p] * X[p][.], p = 0..k-1
 * in order: one row of the product of a weight row with a feature-major
 * block (TR.10). */
HOT void k_row_product(double *restrict c, const double *restrict init, const double *restrict A,
                       const double *restrict X, size_t k, size_t nb)
{
    double acc[CEP_TRAIN_MAX_BATCH];
    for (size_t b = 0; b < nb; b++)
        acc[b] = init ? init[b] : 0.0;
    for (size_t p = 0; p < k; p++)
        k_axpy(acc, A[p], X + p * nb, nb);
    for (size_t b = 0; b < nb; b++)
        c[b] = acc[b];
}

/* c[0..nb-1] = sum_p A[p * stride] * X[p][.]: a column of a weight matrix
 * times a feature-major block, p in order. */
HOT void k_col_product(double *restrict c, const double *restrict A, size_t stride,
                       const double *restrict X, size_t k, size_t nb)
{
    double acc[CEP_TRAIN_MAX_BATCH];
    for (size_t b = 0; b < nb; b++)
        acc[b] = 0.0;
    for (size_t p = 0; p < k; p++)
        k_axpy(acc, A[p * stride], X + p * nb, nb);
    for (size_t b = 0; b < nb; b++)
        c[b] = acc[b];
}

FAST_CLONES static void row_product_nb(double *c, const double *init, const double *A,
                                       const double *X, size_t k)
{
    k_row_product(c, init, A, X, k, FAST_NB);
}

FAST_CLONES static void row_product_any(double *c, const double *init, const double *A,
                                        const double *X, size_t k, size_t nb)
{
    k_row_product(c, init, A, X, k, nb);
}

FAST_CLONES static void col_product(double *c, const double *A, size_t stride, const double *X,
                                    size_t k, size_t nb)
{
    k_col_product(c, A, stride, X, k, nb);
}

static void row_product(double *c, const double *init, const double *A, const double *X, size_t k,
                        size_t nb)
{
    if (nb == FAST_NB)
        row_product_nb(c, init, A, X, k);
    else
        row_product_any(c, init, A, X, k, nb);
}

/* w[0..k-1] += coef * tmp, tmp[p] = sum_b (d1[b] * X1[b][p] - d2[b] * X2[b][p])
 * over b in order (X1, X2 example-major with row stride ld; d2/X2 may be
 * NULL): a row of a rank-nb update (TR.5, TR.9).  Blocks of 8 columns keep
 * their sums in registers across the batch; tmp is unused scratch kept for
 * the callers' sake. */
#define UPD_BLOCK 8
FAST_CLONES static void row_update(double *restrict w, double coef, double *restrict tmp,
                                   const double *restrict d1, const double *restrict X1,
                                   const double *restrict d2, const double *restrict X2, size_t ld,
                                   size_t k, size_t nb)
{
    (void)tmp;
    size_t p = 0;
    for (; p + UPD_BLOCK <= k; p += UPD_BLOCK) {
        double acc[UPD_BLOCK] = {0};
        for (size_t b = 0; b < nb; b++) {
            const double *x1 = X1 + b * ld + p;
            double a1 = d1[b];
            for (size_t i = 0; i < UPD_BLOCK; i++)
                acc[i] += a1 * x1[i];
            if (d2 != NULL) {
                const double *x2 = X2 + b * ld + p;
                double a2 = d2[b];
                for (size_t i = 0; i < UPD_BLOCK; i++)
                    acc[i] -= a2 * x2[i];
            }
        }
        for (size_t i = 0; i < UPD_BLOCK; i++)
            w[p + i] += coef * acc[i];
    }
    for (; p < k; p++) {
        double acc = 0.0;
        for (size_t b = 0; b < nb; b++) {
            acc += d1[b] * X1[b * ld + p];
            if (d2 != NULL)
                acc -= d2[b] * X2[b * ld + p];
        }
        w[p] += coef * acc;
    }
}

/* ---- activation (ACT.1-4, the library's operation order) ---------------------- */

/* (TR.10b) exp for the fast engine's sigmoid4: branch-free, so that the
 * batch loop vectorises (libm's exp is a call per value and was half of a
 * step).  x is clamped to [-708, 709] (below, exp(x) < 3.4e-308, which
 * changes no sigmoid4 value by more than 1e-307); x = k ln2 + r with
 * ln2 split in two (Cody-Waite: k * LN2_HI is exact for |k| < 2^11),
 * |r| <= ln2/2; exp(r) by its Taylor polynomial of degree 13 (truncation
 * below 5e-18 relative) in Horner form; 2^k from the exponent bits.
 * Measured against libm over [-708, 709]: within 1 ulp (tests/test_train.c asserts 4). */
HOT double fast_exp(double x)
{
    const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
    const double SHIFT = 6755399441055744.0;  /* 1.5 * 2^52: rounds to an integer */
    x = x < -708.0 ? -708.0 : x;
    x = x > 709.0 ? 709.0 : x;
    double t = x * 1.4426950408889634 + SHIFT;
    double k = t - SHIFT;
    double r = x - k * LN2_HI;
    r = r - k * LN2_LO;
    double p = 1.0 / 6227020800.0;                       /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* t's bits are those of SHIFT plus k (its unit in the last place is 1) */
    uint64_t tb;
    memcpy(&tb, &t, sizeof tb);
    uint64_t bits = (tb - 0x4338000000000000ull + 1023u) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

double cep_train_fast_exp(double x)
{
    return fast_exp(x);
}

HOT double act_rho(cep_activation act, double u)
{
    switch (act) {
    case CEP_ACT_TANH: return tanh(u);
    case CEP_ACT_SIGMOID4: return 1.0 / (1.0 + fast_exp(-4.0 * (u - 0.5)));
    case CEP_ACT_HARDSIGMOID: return u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u;
    default: return u;
    }
}

HOT double act_drho(cep_activation act, double u, double y)
{
    switch (act) {
    case CEP_ACT_TANH: return 1.0 - y * y;
    case CEP_ACT_SIGMOID4: return 4.0 * (y * (1.0 - y));
    case CEP_ACT_HARDSIGMOID: return u < 0.0 || u > 1.0 ? 0.0 : 1.0;
    default: return 1.0;
    }
}

/* ---- one parallel job per sub-step -------------------------------------------- */

typedef enum {
    J_PREPARE,     /* xf, gram, H = W_1 x (TR.8), WT, yf, s = 0 */
    J_STEP,        /* s_new = F(s) (- beta (s_N - y) when nudged); st_new; H tracking */
    J_UPDATE,      /* C-EP / C-VF: W_n, n >= 2, B_n and b_n from (s, s_new) */
    J_FINAL,       /* W_1 (TR.9) and, for EP, every block from (s_star, s) */
    J_REFRESH_WT,  /* WT = W^T after an update */
    J_BPTT_A,      /* a = rho'(u_t) (.) v, transposed */
    J_BPTT_B       /* v = (dF/ds)^T a, gradient sums of step t */
} job_kind;

typedef struct {
    cep_trainer *t;
    job_kind kind;
    const double *x, *y;     /* example-major inputs and targets */
    const unsigned *labels;
    size_t nb;
    double beta;
    int nudged, record;      /* J_STEP: nudge the output; store rho'(u) (BPTT) */
    size_t t_step;           /* BPTT: the step t (s_t -> s_{t+1})             */
    int grads;               /* BPTT: accumulate the parameter gradient       */
    int want_st;             /* J_STEP: write the transposed state st_new      */
} fjob;

#define W_(t, n) ((t)->theta + (t)->cfg.shape.W_off[n])
#define b_(t, n) ((t)->theta + (t)->cfg.shape.b_off[n])
#define B_(t, n) ((t)->theta + (t)->cfg.shape.B_off[n])

static void job_prepare(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    cep_trainer *t = j->t;
    size_t nb = j->nb, n0 = e->sz[0], n1 = e->sz[1], nN = e->sz[e->N], lo, hi;
    /* x feature-major: rows p of n_0 */
    cep_part(n0, tid, nt, &lo, &hi);
    for (size_t p = lo; p < hi; p++)
        for (size_t b = 0; b < nb; b++)
            e->xf[p * nb + b] = j->x[b * n0 + p];
    cep_part(nN, tid, nt, &lo, &hi);
    for (size_t r = lo; r < hi; r++)
        for (size_t b = 0; b < nb; b++)
            e->yf[r * nb + b] = j->y[b * nN + r];
    /* Gx[b][.] = sum_p x_b[p] x_.[p] (TR.9), from example-major rows */
    cep_part(nb, tid, nt, &lo, &hi);
    for (size_t b = lo; b < hi; b++)
        for (size_t a = 0; a < nb; a++) {
            double s = 0.0;
            const double *xa = j->x + a * n0, *xb = j->x + b * n0;
            for (size_t p = 0; p < n0; p++)
                s += xb[p] * xa[p];
            e->gram[b * nb + a] = s;
        }
    /* s = 0 (FREE.1), all layers */
    cep_part(e->S, tid, nt, &lo, &hi);
    memset(e->s + lo * nb, 0, (hi - lo) * nb * sizeof *e->s);
    /* WT_n = W_n^T, by rows j of W_n */
    for (size_t n = 2; n <= e->N; n++)
        if (e->use_wt[n]) {
            cep_part(e->sz[n], tid, nt, &lo, &hi);
            const double *W = W_(t, n);
            double *WT = e->WT + e->WT_off[n];
            size_t np = e->sz[n - 1], nn = e->sz[n];
            for (size_t r = lo; r < hi; r++)
                for (size_t p = 0; p < np; p++)
                    WT[p * nn + r] = W[r * np + p];
        }
    (void)n1;
}

/* H = W_1 x (TR.8): rows of layer 1.  A separate job: it needs every xf row. */
static void job_drive(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    size_t nb = j->nb, n0 = e->sz[0], lo, hi;
    cep_part(e->sz[1], tid, nt, &lo, &hi);
    const double *W1 = W_(j->t, 1);
    for (size_t r = lo; r < hi; r++)
        row_product(e->H + r * nb, NULL, W1 + r * n0, e->xf, n0, nb);
}

/* One row r of layer n (F.P) / (F.PVF), and (NUDGE.1) on the output when
 * nudged: u = [H_r or W_n,r s_{n-1}] + b_r + [(W_{n+1}^T)_r s_{n+1} or
 * B_n,r s_{n+1}]; s_new = rho(u) - beta (s_N - y); rho'(u) kept for BPTT. */
HOT void step_row(const fjob *j, cep_engine *e, size_t n, size_t r, size_t nb)
{
    cep_trainer *t = j->t;
    cep_activation act = t->cfg.shape.act;
    size_t N = e->N, S = e->S, np = e->sz[n - 1], off = e->s_off[n];
    double u[CEP_TRAIN_MAX_BATCH], fb[CEP_TRAIN_MAX_BATCH];
    double bias = b_(t, n)[r];
    if (n == 1)
        for (size_t b = 0; b < nb; b++)
            u[b] = e->H[r * nb + b] + bias;
    else
        k_row_product(u, NULL, W_(t, n) + r * np, e->s + e->s_off[n - 1] * nb, np, nb);
    if (n > 1)
        for (size_t b = 0; b < nb; b++)
            u[b] += bias;
    if (n < N) {
        size_t nq = e->sz[n + 1];
        const double *sq = e->s + e->s_off[n + 1] * nb;
        if (e->vf)
            k_row_product(fb, NULL, B_(t, n) + r * nq, sq, nq, nb);
        else if (e->use_wt[n + 1])
            k_row_product(fb, NULL, e->WT + e->WT_off[n + 1] + r * nq, sq, nq, nb);
        else
            k_col_product(fb, W_(t, n + 1) + r, e->sz[n], sq, nq, nb);
        for (size_t b = 0; b < nb; b++)
            u[b] += fb[b];
    }
    double *out = e->s_new + (off + r) * nb;
    const double *old = e->s + (off + r) * nb;
    if (act == CEP_ACT_SIGMOID4)          /* the common case, vectorised */
        for (size_t b = 0; b < nb; b++)
            out[b] = 1.0 / (1.0 + fast_exp(-4.0 * (u[b] - 0.5)));
    else
        for (size_t b = 0; b < nb; b++)
            out[b] = act_rho(act, u[b]);
    if (j->record) {
        double *dtr = e->dtraj + (j->t_step * S + off + r) * nb;
        for (size_t b = 0; b < nb; b++)
            dtr[b] = act_drho(act, u[b], out[b]);
    }
    if (j->nudged && n == N)
        for (size_t b = 0; b < nb; b++) {
            double d = old[b] - e->yf[r * nb + b];
            d = j->beta * d;
            out[b] = out[b] - d;
        }
    if (j->want_st)
        for (size_t b = 0; b < nb; b++)
            e->st_new[b * S + off + r] = out[b];
    if (j->nudged && n == 1 && t->cfg.algo != CEP_ALGO_EP) {
        /* (TR.9) H_r += coef1 * sum_b (s_new - s)[b] Gx[b][.] */
        double d[CEP_TRAIN_MAX_BATCH], g[CEP_TRAIN_MAX_BATCH];
        double coef1 = t->cfg.eta[0] / (j->beta * (double)nb);
        for (size_t b = 0; b < nb; b++)
            d[b] = out[b] - old[b];
        k_row_product(g, NULL, d, e->gram, nb, nb);
        for (size_t b = 0; b < nb; b++)
            e->H[r * nb + b] += coef1 * g[b];
    }
}

FAST_CLONES static void step_rows_nb(const fjob *j, cep_engine *e, size_t n, size_t lo, size_t hi)
{
    for (size_t r = lo; r < hi; r++)
        step_row(j, e, n, r, FAST_NB);
}

FAST_CLONES static void step_rows_any(const fjob *j, cep_engine *e, size_t n, size_t lo, size_t hi,
                                      size_t nb)
{
    for (size_t r = lo; r < hi; r++)
        step_row(j, e, n, r, nb);
}

static void job_step(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    for (size_t n = 1; n <= e->N; n++) {
        size_t lo, hi;
        cep_part(e->sz[n], tid, nt, &lo, &hi);
        if (j->nb == FAST_NB)
            step_rows_nb(j, e, n, lo, hi);
        else
            step_rows_any(j, e, n, lo, hi, j->nb);
    }
}

/* (TR.5) C-EP: W_n += eta_n/(beta B) sum_b (s'_n s'_{n-1}^T - s_n s_{n-1}^T)
 * for n >= 2; b_n += eta_n/(beta B) sum_b (s'_n - s_n) for all n.
 * (VF.3-4) C-VF: W_n += eta_n/(beta B) sum_b (s'_n - s_n) s_{n-1}^T (n >= 2),
 * B_n += eta_{n+1}/(beta B) sum_b (s'_n - s_n) s_{n+1}^T.
 * EP-style VF (VF.5): the same sums into acc instead of theta. */
static void job_update(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    cep_trainer *t = j->t;
    const cep_shape *sh = &t->cfg.shape;
    size_t nb = j->nb, N = e->N, S = e->S, lo, hi;
    double *tmp = e->row + (size_t)tid * e->row_len;
    double inv = 1.0 / (j->beta * (double)nb);
    int ep_vf = t->cfg.algo == CEP_ALGO_EP;
    double *base = ep_vf ? e->acc : t->theta;
    for (size_t n = 1; n <= N; n++) {
        size_t nn = e->sz[n], np = e->sz[n - 1], off = e->s_off[n];
        double coef = ep_vf ? 1.0 : t->cfg.eta[n - 1] * inv;
        cep_part(nn, tid, nt, &lo, &hi);
        for (size_t r = lo; r < hi; r++) {
            const double *sn = e->s_new + (off + r) * nb, *so = e->s + (off + r) * nb;
            double d[CEP_TRAIN_MAX_BATCH];
            for (size_t b = 0; b < nb; b++)
                d[b] = sn[b] - so[b];
            if (!ep_vf) {
                double sum = 0.0;
                for (size_t b = 0; b < nb; b++)
                    sum += d[b];
                b_(t, n)[r] += coef * sum;
            }
            if (n >= 2) {
                double *w = base + sh->W_off[n] + r * np;
                if (e->vf)
                    row_update(w, coef, tmp, d, e->st + e->s_off[n - 1], NULL, NULL, S, np, nb);
                else
                    row_update(w, coef, tmp, sn, e->st_new + e->s_off[n - 1], so,
                               e->st + e->s_off[n - 1], S, np, nb);
            }
            if (e->vf && n < N) {
                size_t nq = e->sz[n + 1];
                double cB = ep_vf ? 1.0 : t->cfg.eta[n] * inv;
                row_update(base + sh->B_off[n] + r * nq, cB, tmp, d, e->st + e->s_off[n + 1], NULL,
                           NULL, S, nq, nb);
            }
        }
    }
}

/* After the second phase.  C-EP/C-VF: W_1 += eta_1/(beta B) sum_b (s_{1,K} -
 * s_{1,0}) x_b^T (TR.9).  EP (TR.4): every block from (s_*, s_K): W_n +=
 * eta_n/(beta B) sum_b (s^K_n s^K_{n-1}^T - s^*_n s^*_{n-1}^T) (s_0 = x),
 * b_n likewise; VF: W_1 and b_n telescoped, W_n (n >= 2) and B_n from acc. */
static void job_final(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    cep_trainer *t = j->t;
    const cep_shape *sh = &t->cfg.shape;
    size_t nb = j->nb, N = e->N, S = e->S, n0 = e->sz[0], lo, hi;
    double *tmp = e->row + (size_t)tid * e->row_len;
    double inv = 1.0 / (j->beta * (double)nb);
    int ep = t->cfg.algo == CEP_ALGO_EP;
    /* s holds s_K, s_star holds s_* (EP) or s_0 of the phase */
    for (size_t n = 1; n <= (ep ? N : 1); n++) {
        size_t nn = e->sz[n], np = e->sz[n - 1], off = e->s_off[n];
        double coef = t->cfg.eta[n - 1] * inv;
        cep_part(nn, tid, nt, &lo, &hi);
        for (size_t r = lo; r < hi; r++) {
            const double *sk = e->s + (off + r) * nb, *s0 = e->s_star + (off + r) * nb;
            double *w = t->theta + sh->W_off[n] + r * np;
            if (n == 1) {
                double d[CEP_TRAIN_MAX_BATCH];
                for (size_t b = 0; b < nb; b++)
                    d[b] = sk[b] - s0[b];
                row_update(w, coef, tmp, d, j->x, NULL, NULL, n0, n0, nb);
            } else if (e->vf) {
                const double *aw = e->acc + sh->W_off[n] + r * np;
                for (size_t p = 0; p < np; p++)
                    w[p] += coef * aw[p];
            } else {
                /* st = s_K transposed, st_star = s_* transposed */
                row_update(w, coef, tmp, sk, e->st + e->s_off[n - 1], s0, e->st_star + e->s_off[n - 1],
                           S, np, nb);
            }
            if (ep) {
                double sum = 0.0;
                for (size_t b = 0; b < nb; b++)
                    sum += sk[b] - s0[b];
                b_(t, n)[r] += coef * sum;
                if (e->vf && n < N) {
                    size_t nq = e->sz[n + 1];
                    double cB = t->cfg.eta[n] * inv;
                    double *wb = B_(t, n) + r * nq;
                    const double *ab = e->acc + sh->B_off[n] + r * nq;
                    for (size_t q = 0; q < nq; q++)
                        wb[q] += cB * ab[q];
                }
            }
        }
    }
}

static void job_refresh_wt(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    size_t lo, hi;
    for (size_t n = 2; n <= e->N; n++) {
        if (!e->use_wt[n])
            continue;
        cep_part(e->sz[n], tid, nt, &lo, &hi);
        const double *W = W_(j->t, n);
        double *WT = e->WT + e->WT_off[n];
        size_t np = e->sz[n - 1], nn = e->sz[n];
        for (size_t r = lo; r < hi; r++)
            for (size_t p = 0; p < np; p++)
                WT[p * nn + r] = W[r * np + p];
    }
}

/* (VJP.P) a = rho'(u_t) (.) v, and its transpose; rows of the state. */
static void job_bptt_a(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    size_t nb = j->nb, S = e->S, lo, hi;
    const double *dr = e->dtraj + j->t_step * S * nb;
    cep_part(S, tid, nt, &lo, &hi);
    for (size_t r = lo; r < hi; r++)
        for (size_t b = 0; b < nb; b++) {
            double a = dr[r * nb + b] * e->v[r * nb + b];
            e->a[r * nb + b] = a;
            e->at[b * S + r] = a;
        }
}

/* (VJP.P) v_m = W_{m+1}^T a_{m+1} + W_m a_{m-1} (the state VJP), and the
 * parameter VJP of step t summed over the batch:
 * gW_n += sum_b (a_n s_{n-1,t}^T + s_{n,t} a_{n-1}^T) (n >= 2), gb_n += sum_b a_n,
 * a1sum += a_1 (gW_1 = a1sum x^T at the end). */
static void job_bptt_b(const fjob *j, cep_engine *e, unsigned tid, unsigned nt)
{
    cep_trainer *t = j->t;
    const cep_shape *sh = &t->cfg.shape;
    size_t nb = j->nb, N = e->N, S = e->S, lo, hi;
    double *tmp = e->row + (size_t)tid * e->row_len;
    const double *s_t = e->traj + j->t_step * S * nb;   /* feature-major */
    double *stt = e->st;                                /* s_t transposed (caller) */
    for (size_t m = 1; m <= N; m++) {
        size_t nm = e->sz[m], off = e->s_off[m];
        cep_part(nm, tid, nt, &lo, &hi);
        for (size_t r = lo; r < hi; r++) {
            double v[CEP_TRAIN_MAX_BATCH], w2[CEP_TRAIN_MAX_BATCH];
            for (size_t b = 0; b < nb; b++)
                v[b] = 0.0;
            if (m < N) {   /* from u_{m+1} = W_{m+1} s_m + ..: column r of W_{m+1} = row r of WT */
                size_t nq = e->sz[m + 1];
                if (e->use_wt[m + 1])
                    row_product(v, NULL, e->WT + e->WT_off[m + 1] + r * nq,
                                e->a + e->s_off[m + 1] * nb, nq, nb);
                else
                    col_product(v, W_(t, m + 1) + r, nm, e->a + e->s_off[m + 1] * nb, nq, nb);
            }
            if (m > 1) {   /* from u_{m-1} = .. + W_m^T s_m: row r of W_m */
                size_t np = e->sz[m - 1];
                row_product(w2, NULL, W_(t, m) + r * np, e->a + e->s_off[m - 1] * nb, np, nb);
                for (size_t b = 0; b < nb; b++)
                    v[b] += w2[b];
            }
            if (j->grads) {
                const double *ar = e->a + (off + r) * nb;
                double sum = 0.0;
                for (size_t b = 0; b < nb; b++)
                    sum += ar[b];
                e->grad[sh->b_off[m] + r] += sum;
                if (m == 1)
                    for (size_t b = 0; b < nb; b++)
                        e->a1sum[r * nb + b] += ar[b];
                else {
                    size_t np = e->sz[m - 1];
                    const double *sr = s_t + (off + r) * nb;
                    /* tmp = sum_b (a_r[b] s_{m-1}[b][.] + s_r[b] a_{m-1}[b][.]) */
                    double *g = e->grad + sh->W_off[m] + r * np;
                    double neg[CEP_TRAIN_MAX_BATCH];
                    for (size_t b = 0; b < nb; b++)
                        neg[b] = -sr[b];
                    row_update(g, 1.0, tmp, ar, stt + e->s_off[m - 1], neg, e->at + e->s_off[m - 1],
                               S, np, nb);
                }
            }
            /* v is written after every thread has read a: into s_new, swapped by the caller */
            for (size_t b = 0; b < nb; b++)
                e->s_new[(off + r) * nb + b] = v[b];
        }
    }
}

static void fast_run(void *arg, unsigned tid, unsigned nt)
{
    const fjob *j = arg;
    cep_engine *e = j->t->eng;
    switch (j->kind) {
    case J_PREPARE: job_prepare(j, e, tid, nt); break;
    case J_STEP: job_step(j, e, tid, nt); break;
    case J_UPDATE: job_update(j, e, tid, nt); break;
    case J_FINAL: job_final(j, e, tid, nt); break;
    case J_REFRESH_WT: job_refresh_wt(j, e, tid, nt); break;
    case J_BPTT_A: job_bptt_a(j, e, tid, nt); break;
    case J_BPTT_B: job_bptt_b(j, e, tid, nt); break;
    }
}

/* A pseudo-kind for job_drive, run between prepare and the first step. */
static void fast_drive(void *arg, unsigned tid, unsigned nt)
{
    const fjob *j = arg;
    job_drive(j, j->t->eng, tid, nt);
}

static void run(cep_trainer *t, fjob *j, job_kind k)
{
    j->kind = k;
    cep_pool_run(t->pool, fast_run, j);
}

static void swap(double **a, double **b)
{
    double *tmp = *a;
    *a = *b;
    *b = tmp;
}

/* transposes of s into st (only needed once per phase boundary: cheap) */
static void transpose_state(double *dst, const double *src, size_t S, size_t nb)
{
    for (size_t r = 0; r < S; r++)
        for (size_t b = 0; b < nb; b++)
            dst[b * S + r] = src[r * nb + b];
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* (TR.1-2) the first phase of the batch from s = 0, T steps (the states
 * recorded for BPTT when record is set); per-example loss and error. */
static void free_phase(cep_trainer *t, fjob *j, int record)
{
    cep_engine *e = t->eng;
    size_t nb = j->nb, S = e->S, N = e->N, nN = e->sz[N];
    run(t, j, J_PREPARE);
    cep_pool_run(t->pool, fast_drive, j);
    j->nudged = 0;
    if (record)
        memset(e->traj, 0, S * nb * sizeof *e->traj);
    for (size_t k = 0; k < t->cfg.T; k++) {
        j->record = record;
        j->t_step = k;
        j->want_st = k + 1 == t->cfg.T;   /* st = s_T^T starts the second phase */
        run(t, j, J_STEP);
        swap(&e->s, &e->s_new);
        swap(&e->st, &e->st_new);
        if (record)
            memcpy(e->traj + (k + 1) * S * nb, e->s, S * nb * sizeof *e->s);
    }
    j->record = 0;
    const double *sN = e->s + e->s_off[N] * nb;
    for (size_t b = 0; b < nb; b++) {
        double l = 0.0;
        size_t best = 0;
        for (size_t r = 0; r < nN; r++) {
            double d = sN[r * nb + b] - e->yf[r * nb + b];
            l += d * d;
            if (sN[r * nb + b] > sN[best * nb + b])
                best = r;
        }
        e->loss[b] = 0.5 * l;                                         /* (COST.1) */
        e->wrong[b] = best != j->labels[b];
    }
}

static void collect(const cep_engine *e, size_t nb, cep_eval *sums)
{
    sums->loss = 0.0;
    sums->error = 0.0;
    for (size_t b = 0; b < nb; b++) {
        sums->loss += e->loss[b];
        sums->error += e->wrong[b];
    }
    sums->n = nb;
}

/* theta_i -= rate_i * (grad_i / B) (TR.6) */
static void apply_grad(void *arg, unsigned tid, unsigned nt)
{
    const fjob *j = arg;
    cep_engine *e = j->t->eng;
    size_t lo, hi;
    cep_part(e->P, tid, nt, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        j->t->theta[i] -= e->rate[i] * (e->grad[i] / (double)j->nb);
}

/* gW_1 = sum_b a1sum_b x_b^T (rows of layer 1) */
static void grad_w1(void *arg, unsigned tid, unsigned nt)
{
    const fjob *j = arg;
    cep_engine *e = j->t->eng;
    const cep_shape *sh = &j->t->cfg.shape;
    size_t nb = j->nb, n0 = e->sz[0], lo, hi;
    double *tmp = e->row + (size_t)tid * e->row_len;
    cep_part(e->sz[1], tid, nt, &lo, &hi);
    for (size_t r = lo; r < hi; r++)
        row_update(e->grad + sh->W_off[1] + r * n0, 1.0, tmp, e->a1sum + r * nb, j->x, NULL, NULL,
                   n0, n0, nb);
}

static int bptt_batch(cep_trainer *t, fjob *j)
{
    cep_engine *e = t->eng;
    size_t nb = j->nb, S = e->S, N = e->N, T = t->cfg.T;
    size_t Kg = t->cfg.algo == CEP_ALGO_TBPTT ? t->cfg.K : T;
    memset(e->grad, 0, e->P * sizeof *e->grad);
    memset(e->a1sum, 0, e->sz[1] * nb * sizeof *e->a1sum);
    /* v = dl/ds_T = s_N - y on the output (COST.2) */
    memset(e->v, 0, S * nb * sizeof *e->v);
    const double *sT = e->traj + T * S * nb;
    for (size_t r = e->s_off[N] * nb; r < S * nb; r++)
        e->v[r] = sT[r] - e->yf[r - e->s_off[N] * nb];
    for (size_t k = 0; k < T; k++) {
        size_t ts = T - 1 - k;
        j->t_step = ts;
        j->grads = k < Kg;
        run(t, j, J_BPTT_A);
        if (j->grads)
            transpose_state(e->st, e->traj + ts * S * nb, S, nb);
        run(t, j, J_BPTT_B);
        swap(&e->v, &e->s_new);
    }
    cep_pool_run(t->pool, grad_w1, j);
    cep_pool_run(t->pool, apply_grad, j);
    return CEP_OK;
}

int cep_fast_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                   size_t nb, double beta, cep_eval *sums)
{
    cep_engine *e = t->eng;
    size_t S = e->S;
    fjob j = {.t = t, .x = x, .y = y, .labels = labels, .nb = nb, .beta = beta};
    free_phase(t, &j, e->bptt);
    collect(e, nb, sums);
    if (!all_finite(e->s, S * nb))
        return CEP_EDIVERGED;
    if (e->bptt)
        return bptt_batch(t, &j);
    /* s_star, st_star: s_* (EP) and s_0 of the second phase (TR.9) */
    memcpy(e->s_star, e->s, S * nb * sizeof *e->s);
    memcpy(e->st_star, e->st, S * nb * sizeof *e->st);
    if (e->acc != NULL)
        memset(e->acc, 0, e->P * sizeof *e->acc);
    j.nudged = 1;
    j.want_st = 1;
    int continual = t->cfg.algo != CEP_ALGO_EP;
    for (size_t k = 0; k < t->cfg.K; k++) {
        run(t, &j, J_STEP);                  /* (NUDGE.1), H tracked (TR.9) */
        if (continual || e->vf)
            run(t, &j, J_UPDATE);            /* (TR.5), (VF.3-5) */
        if (continual && e->wt_len > 0)
            run(t, &j, J_REFRESH_WT);
        swap(&e->s, &e->s_new);
        swap(&e->st, &e->st_new);
    }
    run(t, &j, J_FINAL);                     /* W_1 (TR.9); EP (TR.4) */
    if (!continual && e->wt_len > 0)
        run(t, &j, J_REFRESH_WT);
    if (!all_finite(e->s, S * nb))
        return CEP_EDIVERGED;
    return CEP_OK;
}

int cep_fast_eval(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                  size_t nb, cep_eval *sums)
{
    fjob j = {.t = t, .x = x, .y = y, .labels = labels, .nb = nb, .beta = 1.0};
    free_phase(t, &j, 0);
    collect(t->eng, nb, sums);
    return all_finite(t->eng->s, t->eng->S * nb) ? CEP_OK : CEP_EDIVERGED;
}
