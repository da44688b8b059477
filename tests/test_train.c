/* test_train.c -- the training layer (src/apps/train.h, spec/train.md).
 *
 * - batch size 1, literal engine: equals the library's per-example
 *   algorithm (cep_nudged_phase_d with eta, EP's total, cep_bptt_d), bit
 *   for bit;
 * - the fast engine equals the literal one (relative difference of theta
 *   <= 1e-12 after a few batches), every algorithm, batch 20 (the kernels
 *   with a constant trip count) and 7, one and two hidden layers;
 * - the thread count changes no bit (both engines);
 * - an interrupted run resumed from (theta, rng) equals the run without
 *   interruption, bit for bit;
 * - a tiny linearly separable task is learned to 0% training error by EP,
 *   C-EP, C-VF and BPTT in a few seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "cep.h"
#include "apps/train.h"
#include "apps/train_engine.h"

static cep_shape shape_of(cep_model m, cep_activation a, size_t n, const size_t *sizes)
{
    cep_shape sh;
    assert_int_equal(cep_shape_init(&sh, m, a, 0.5, n, sizes), CEP_OK);
    return sh;
}

static cep_train_config config(cep_shape sh, cep_algo algo, size_t T, size_t K, size_t batch,
                               double beta, double eta_in, double eta_out)
{
    cep_train_config c;
    memset(&c, 0, sizeof c);
    c.shape = sh;
    c.algo = algo;
    c.T = T;
    c.K = K;
    c.batch = batch;
    c.beta = beta;
    for (size_t n = 0; n < sh.n_layers; n++)
        c.eta[n] = n + 1 == sh.n_layers ? eta_out : eta_in * (double)(n + 1);
    c.seed = 7;
    c.threads = 1;
    return c;
}

/* A synthetic data set: n examples of nx bytes; the label is the class c
 * whose prototype (pixels in the c-th stripe bright) the image was drawn
 * around, so classes are linearly separable. */
static cep_dataset synthetic(size_t n, size_t nx, size_t ny, uint64_t seed)
{
    cep_dataset d = {n, nx, ny, malloc(n * nx), malloc(n)};
    assert_non_null(d.pixels);
    assert_non_null(d.labels);
    cep_rng r;
    cep_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned)(cep_rng_next(&r) % ny);
        d.labels[i] = (unsigned char)c;
        for (size_t p = 0; p < nx; p++) {
            int bright = p * ny / nx == c;
            double u = cep_rng_uniform(&r);
            d.pixels[i * nx + p] = (unsigned char)(bright ? 160 + 95 * u : 60 * u);
        }
    }
    return d;
}

static void batch_of(const cep_dataset *d, size_t first, size_t B, double *x, double *y,
                     unsigned *lab)
{
    for (size_t b = 0; b < B; b++) {
        size_t i = first + b;
        for (size_t p = 0; p < d->nx; p++)
            x[b * d->nx + p] = d->pixels[i * d->nx + p] / 255.0;
        for (size_t j = 0; j < d->ny; j++)
            y[b * d->ny + j] = j == d->labels[i] ? 1.0 : 0.0;
        lab[b] = d->labels[i];
    }
}

static cep_trainer *trainer(const cep_train_config *c)
{
    cep_trainer *t = NULL;
    char err[256];
    int st = cep_trainer_new(&t, c, NULL, NULL, err, sizeof err);
    if (st != CEP_OK)
        fail_msg("cep_trainer_new: %d %s", st, err);
    return t;
}

/* ---- batch size 1 equals the library's per-example algorithm ---------------- */

static void test_batch1_equals_library(void **state)
{
    (void)state;
    const size_t sizes[] = {6, 5, 4, 3};
    cep_ctx ctx = cep_ctx_double();
    const cep_model models[] = {CEP_MODEL_PROTOTYPICAL, CEP_MODEL_ENERGY, CEP_MODEL_PROTOTYPICAL_VF};
    for (size_t mi = 0; mi < 3; mi++) {
        cep_shape sh = shape_of(models[mi], CEP_ACT_SIGMOID4, 4, sizes);
        int vf = CEP_MODEL_IS_VF(sh.model);
        const cep_algo algos[] = {CEP_ALGO_EP, vf ? CEP_ALGO_CVF : CEP_ALGO_CEP, CEP_ALGO_BPTT,
                                  CEP_ALGO_TBPTT};
        cep_dataset d = synthetic(4, 6, 3, 11);
        for (size_t ai = 0; ai < 4; ai++) {
            cep_train_config c = config(sh, algos[ai], 12, 4, 1, 0.3, 0.05, 0.02);
            c.literal = 1;
            cep_trainer *t = trainer(&c);
            double *th = malloc(sh.P * sizeof *th), *out = malloc(sh.P * sizeof *out);
            double *sstar = malloc(sh.S * sizeof *sstar), *traj = malloc(13 * sh.S * sizeof *traj);
            assert_non_null(th);
            memcpy(th, cep_trainer_theta(t), sh.P * sizeof *th);
            for (size_t i = 0; i < 4; i++) {
                double x[6], y[3];
                unsigned lab;
                batch_of(&d, i, 1, x, y, &lab);
                double sign = i % 2 ? -1.0 : 1.0;
                assert_int_equal(cep_train_batch(t, x, y, &lab, 1, sign, NULL), CEP_OK);
                /* the same step by the library */
                double beta = sign * c.beta;
                if (algos[ai] == CEP_ALGO_BPTT || algos[ai] == CEP_ALGO_TBPTT) {
                    assert_int_equal(cep_free_phase_d(&ctx, sstar, traj, NULL, &sh, th, x, c.T), CEP_OK);
                    assert_int_equal(cep_bptt_d(&ctx, NULL, NULL, algos[ai] == CEP_ALGO_TBPTT ? out : NULL,
                                                algos[ai] == CEP_ALGO_BPTT ? out : NULL, NULL, &sh, th,
                                                x, y, traj, c.T, c.K), CEP_OK);
                    double *rate = malloc(sh.P * sizeof *rate);
                    cep_train_rates(rate, &sh, c.eta);
                    for (size_t p = 0; p < sh.P; p++)
                        th[p] += -1.0 * (rate[p] * (out[p] / 1.0));
                    free(rate);
                } else {
                    assert_int_equal(cep_free_phase_d(&ctx, sstar, NULL, NULL, &sh, th, x, c.T), CEP_OK);
                    if (algos[ai] == CEP_ALGO_EP) {
                        assert_int_equal(cep_nudged_phase_d(&ctx, NULL, NULL, NULL, NULL, out, &sh, th, x,
                                                            y, sstar, c.K, beta, NULL), CEP_OK);
                        double *rate = malloc(sh.P * sizeof *rate);
                        cep_train_rates(rate, &sh, c.eta);
                        for (size_t p = 0; p < sh.P; p++)
                            th[p] += 1.0 * (rate[p] * (out[p] / 1.0));
                        free(rate);
                    } else {
                        assert_int_equal(cep_nudged_phase_d(&ctx, NULL, out, NULL, NULL, NULL, &sh, th, x,
                                                            y, sstar, c.K, beta, c.eta), CEP_OK);
                        memcpy(th, out, sh.P * sizeof *th);
                    }
                }
                const double *tt = cep_trainer_theta(t);
                for (size_t p = 0; p < sh.P; p++)
                    if (memcmp(&tt[p], &th[p], sizeof(double)) != 0)
                        fail_msg("%s %s batch 1 example %zu: theta[%zu] %.17g != library %.17g",
                                 cep_model_name(sh.model), cep_algo_name(algos[ai]), i, p, tt[p], th[p]);
            }
            free(th);
            free(out);
            free(sstar);
            free(traj);
            cep_trainer_free(t);
        }
        cep_dataset_free(&d);
    }
}

/* ---- fast = literal; threads change nothing ---------------------------------- */

static double train_batches(const cep_train_config *c, const cep_dataset *d, size_t nbatches,
                            double *theta_out)
{
    cep_trainer *t = trainer(c);
    size_t B = c->batch, nx = d->nx, ny = d->ny;
    double *x = malloc(B * nx * sizeof *x), *y = malloc(B * ny * sizeof *y);
    unsigned *lab = malloc(B * sizeof *lab);
    double loss = 0;
    for (size_t i = 0; i < nbatches; i++) {
        batch_of(d, i * B, B, x, y, lab);
        cep_eval ev;
        int st = cep_train_batch(t, x, y, lab, B, i % 3 == 2 ? -1.0 : 1.0, &ev);
        if (st != CEP_OK)
            fail_msg("cep_train_batch %s: %d", cep_algo_name(c->algo), st);
        loss += ev.loss;
    }
    memcpy(theta_out, cep_trainer_theta(t), c->shape.P * sizeof *theta_out);
    free(x);
    free(y);
    free(lab);
    cep_trainer_free(t);
    return loss;
}

static void test_fast_equals_literal(void **state)
{
    (void)state;
    const size_t s1[] = {30, 12, 4}, s2[] = {30, 12, 70, 4};   /* 70 > FAST_COLUMN_MAX: W_2^T kept */
    const size_t *sz[] = {s1, s2};
    const size_t nsz[] = {3, 4};
    const size_t batches[] = {20, 7};
    cep_dataset d = synthetic(80, 30, 4, 3);
    double worst = 0;
    for (size_t si = 0; si < 2; si++)
        for (size_t mi = 0; mi < 2; mi++) {
            cep_model m = mi ? CEP_MODEL_PROTOTYPICAL_VF : CEP_MODEL_PROTOTYPICAL;
            cep_shape sh = shape_of(m, si ? CEP_ACT_TANH : CEP_ACT_SIGMOID4, nsz[si], sz[si]);
            const cep_algo algos[] = {CEP_ALGO_EP, mi ? CEP_ALGO_CVF : CEP_ALGO_CEP, CEP_ALGO_BPTT,
                                      CEP_ALGO_TBPTT};
            for (size_t ai = 0; ai < (mi ? 2u : 4u); ai++)
                for (size_t bi = 0; bi < 2; bi++) {
                    cep_train_config c = config(sh, algos[ai], 15, 5, batches[bi], 0.4, 0.2, 0.1);
                    c.angle_deg = mi ? 30.0 : 0.0;
                    double *tf = malloc(sh.P * sizeof *tf), *tl = malloc(sh.P * sizeof *tl);
                    double *t2 = malloc(sh.P * sizeof *t2), *t3 = malloc(sh.P * sizeof *t3);
                    size_t nbat = 80 / batches[bi] < 4 ? 80 / batches[bi] : 4;
                    double lf = train_batches(&c, &d, nbat, tf);
                    c.threads = 3;
                    train_batches(&c, &d, nbat, t3);
                    c.threads = 1;
                    c.literal = 1;
                    double ll = train_batches(&c, &d, nbat, tl);
                    c.threads = 2;
                    train_batches(&c, &d, nbat, t2);
                    double num = 0, den = 0, init = 0;
                    double *t0 = calloc(sh.P, sizeof *t0);
                    cep_init_theta(t0, &sh, c.seed);               /* the trainer's start */
                    if (mi)
                        assert_int_equal(cep_init_feedback(t0, &sh, c.angle_deg, c.seed, NULL), CEP_OK);
                    for (size_t p = 0; p < sh.P; p++) {
                        num = fmax(num, fabs(tf[p] - tl[p]));
                        den = fmax(den, fabs(tl[p]));
                        init = fmax(init, fabs(tl[p] - t0[p]));
                    }
                    double rel = num / den;
                    worst = fmax(worst, rel);
                    if (!(rel <= 1e-12))
                        fail_msg("%s %s sizes %zu layers batch %zu: fast vs literal max |dtheta| / "
                                 "max |theta| = %.3g", cep_model_name(m), cep_algo_name(algos[ai]),
                                 nsz[si], batches[bi], rel);
                    /* training moved theta far more than the difference (the test can fail) */
                    assert_true(init > 1e6 * num);
                    assert_true(fabs(lf - ll) <= 1e-12 * fabs(ll));
                    assert_memory_equal(tf, t3, sh.P * sizeof *tf);   /* fast, 1 vs 3 threads    */
                    assert_memory_equal(tl, t2, sh.P * sizeof *tl);   /* literal, 1 vs 2 threads */
                    free(tf);
                    free(tl);
                    free(t2);
                    free(t3);
                    free(t0);
                }
        }
    printf("fast vs literal: worst relative difference %.3g\n", worst);
    cep_dataset_free(&d);
}

/* ---- resume = no interruption -------------------------------------------------- */

static void test_resume_bit_for_bit(void **state)
{
    (void)state;
    const size_t sizes[] = {30, 10, 4};
    cep_shape sh = shape_of(CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 3, sizes);
    cep_dataset d = synthetic(60, 30, 4, 5);
    cep_train_config c = config(sh, CEP_ALGO_CEP, 10, 4, 8, 0.3, 0.02, 0.01);
    c.randbeta = 0.5;
    cep_trainer *a = trainer(&c);
    for (int e = 0; e < 3; e++)
        assert_int_equal(cep_train_epoch(a, &d, 0, NULL, NULL, NULL), CEP_OK);
    cep_trainer *b = trainer(&c);
    assert_int_equal(cep_train_epoch(b, &d, 0, NULL, NULL, NULL), CEP_OK);
    uint64_t rng[4];
    cep_trainer_rng(b, rng);
    double *th = malloc(sh.P * sizeof *th);
    memcpy(th, cep_trainer_theta(b), sh.P * sizeof *th);
    cep_trainer_free(b);
    cep_trainer *r = NULL;
    assert_int_equal(cep_trainer_new(&r, &c, th, rng, NULL, 0), CEP_OK);
    for (int e = 0; e < 2; e++)
        assert_int_equal(cep_train_epoch(r, &d, 0, NULL, NULL, NULL), CEP_OK);
    assert_memory_equal(cep_trainer_theta(a), cep_trainer_theta(r), sh.P * sizeof(double));
    /* and the run did move: epochs 2-3 changed theta */
    assert_memory_not_equal(th, cep_trainer_theta(r), sh.P * sizeof(double));
    free(th);
    cep_trainer_free(a);
    cep_trainer_free(r);
    cep_dataset_free(&d);
}

/* ---- a separable task is learned ------------------------------------------------ */

static void test_learns_separable_task(void **state)
{
    (void)state;
    const size_t sizes[] = {16, 12, 4};
    cep_dataset d = synthetic(200, 16, 4, 9);
    struct { cep_model m; cep_algo a; double beta, eta_in, eta_out; } runs[] = {
        {CEP_MODEL_PROTOTYPICAL, CEP_ALGO_EP, 0.5, 0.2, 0.1},
        {CEP_MODEL_PROTOTYPICAL, CEP_ALGO_CEP, 0.5, 0.02, 0.01},
        {CEP_MODEL_PROTOTYPICAL_VF, CEP_ALGO_CVF, 0.5, 0.02, 0.01},
        {CEP_MODEL_PROTOTYPICAL, CEP_ALGO_BPTT, 0.5, 0.2, 0.1},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        cep_shape sh = shape_of(runs[i].m, CEP_ACT_SIGMOID4, 3, sizes);
        cep_train_config c = config(sh, runs[i].a, 20, 6, 10, runs[i].beta, runs[i].eta_in,
                                    runs[i].eta_out);
        c.eta[0] = runs[i].eta_in;
        cep_trainer *t = trainer(&c);
        cep_eval before, after = {1, 1, 0};
        assert_int_equal(cep_evaluate(t, &d, 0, &before), CEP_OK);
        int epochs = 0;
        while (epochs < 30 && after.error > 0) {
            assert_int_equal(cep_train_epoch(t, &d, 0, NULL, NULL, NULL), CEP_OK);
            assert_int_equal(cep_evaluate(t, &d, 0, &after), CEP_OK);
            epochs++;
        }
        printf("%s on %s: training error %.3f -> %.3f in %d epochs\n", cep_algo_name(runs[i].a),
               cep_model_name(runs[i].m), before.error, after.error, epochs);
        assert_true(before.error > 0.3);
        assert_true(after.error == 0.0);
        cep_trainer_free(t);
    }
    cep_dataset_free(&d);
}

/* ---- the fast engine's exp (TR.10b) against libm ------------------------------ */

static void test_fast_exp_ulps(void **state)
{
    (void)state;
    cep_rng r;
    cep_rng_seed(&r, 99);
    double worst = 0;
    for (int i = 0; i < 200000; i++) {
        double x = i < 1000 ? -708.0 + 1417.0 * i / 999.0
                            : (i % 2 ? -20.0 + 40.0 * cep_rng_uniform(&r)
                                     : -708.0 + 1417.0 * cep_rng_uniform(&r));
        double f = cep_train_fast_exp(x), g = exp(x);
        double ulp = nextafter(g, INFINITY) - g;
        double e = fabs(f - g) / ulp;
        if (e > worst)
            worst = e;
    }
    printf("fast exp: worst error %.2f ulp over [-708, 709]\n", worst);
    assert_true(worst <= 4.0);
    assert_true(cep_train_fast_exp(0.0) == 1.0);
    assert_true(cep_train_fast_exp(-1000.0) > 0.0 && cep_train_fast_exp(-1000.0) < 4e-308);
    assert_true(isnan(cep_train_fast_exp(NAN)));
}

/* ---- refusals -------------------------------------------------------------------- */

static void test_refusals(void **state)
{
    (void)state;
    const size_t sizes[] = {8, 5, 3};
    cep_shape sp = shape_of(CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH, 3, sizes);
    cep_shape sv = shape_of(CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_TANH, 3, sizes);
    cep_shape se = shape_of(CEP_MODEL_ENERGY, CEP_ACT_TANH, 3, sizes);
    cep_trainer *t = NULL;
    char err[256];
    cep_train_config c = config(sp, CEP_ALGO_CVF, 10, 3, 4, 0.1, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_ETRAIN_ALGO);
    c = config(sv, CEP_ALGO_CEP, 10, 3, 4, 0.1, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_ETRAIN_ALGO);
    c = config(se, CEP_ALGO_CEP, 10, 3, 4, 0.1, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_ETRAIN_ENGINE);
    assert_non_null(strstr(err, "literal"));
    c.literal = 1;
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_OK);
    cep_trainer_free(t);
    c = config(sp, CEP_ALGO_CEP, 10, 3, 0, 0.1, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_ETRAIN_BATCH);
    c = config(sp, CEP_ALGO_CEP, 10, 3, 4, 0.0, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_EBETA);
    c = config(sp, CEP_ALGO_CEP, 2, 3, 4, 0.1, 0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_EHORIZON);
    c = config(sp, CEP_ALGO_CEP, 10, 3, 4, 0.1, -0.1, 0.1);
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_EETA);
    c = config(sp, CEP_ALGO_CEP, 10, 3, 4, 0.1, 0.1, 0.1);
    c.randbeta = NAN;
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_EARG);
    c.randbeta = 0;
    c.threads = 0;
    assert_int_equal(cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err), CEP_ETRAIN_THREADS);
    c.threads = 1;
    double *th = calloc(sp.P, sizeof *th);
    th[3] = NAN;
    assert_int_equal(cep_trainer_new(&t, &c, th, NULL, err, sizeof err), CEP_ENONFINITE);
    assert_non_null(strstr(err, "theta[3]"));
    free(th);
    /* a diverging run stops with CEP_EDIVERGED */
    c = config(sp, CEP_ALGO_EP, 10, 3, 4, 1e-300, 1e300, 1e300);
    c.shape.act = CEP_ACT_IDENTITY;
    t = trainer(&c);
    cep_dataset d = synthetic(8, 8, 3, 1);
    assert_int_equal(cep_train_epoch(t, &d, 0, NULL, NULL, NULL), CEP_EDIVERGED);
    cep_dataset_free(&d);
    cep_trainer_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch1_equals_library),
        cmocka_unit_test(test_fast_equals_literal),
        cmocka_unit_test(test_resume_bit_for_bit),
        cmocka_unit_test(test_learns_separable_task),
        cmocka_unit_test(test_fast_exp_ulps),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("train", tests, NULL, NULL);
}
