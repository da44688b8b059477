/* test_vf.c -- the vector-field models and C-VF (spec/model.md §6).
 *
 * Independent references: the symmetric models (a VF network with B = W^T
 * must reproduce them bit for bit), central finite differences in MPFR at
 * 256 bits (the VJP and the energy-vf rule), a direct loop for the
 * prototypical-vf rule, and the binomial law of the sign flips (INIT.3). */
#include "testutil.h"

#define PREC 256

static const cep_activation acts[] = {CEP_ACT_TANH, CEP_ACT_SIGMOID4, CEP_ACT_IDENTITY};

/* theta of the VF shape from the symmetric one: W, b copied, B = W^T
 * rotated by angle from seed. */
static double *vf_theta(const cep_shape *vf, uint64_t seed, double angle)
{
    double *th = malloc(vf->P * sizeof(double));
    assert_non_null(th);
    cep_init_theta(th, vf, seed);
    assert_int_equal(cep_init_feedback(th, vf, angle, seed, NULL), CEP_OK);
    return th;
}

/* (LAYOUT.3): W/b offsets as the symmetric model's, B after b_N. */
static void test_layout(void **state)
{
    (void)state;
    size_t sizes[] = {5, 8, 7, 3};
    cep_shape s = make_shape(CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH, 0.5, 4, sizes);
    cep_shape v = make_shape(CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_TANH, 0.5, 4, sizes);
    assert_int_equal(v.model, CEP_MODEL_PROTOTYPICAL_VF);
    assert_int_equal(v.S, s.S);
    assert_int_equal(v.P, s.P + 8 * 7 + 7 * 3);
    assert_int_equal(v.B_off[1], s.P);
    assert_int_equal(v.B_off[2], s.P + 56);
    for (size_t l = 1; l <= 3; l++) {
        assert_int_equal(v.W_off[l], s.W_off[l]);
        assert_int_equal(v.b_off[l], s.b_off[l]);
    }
    cep_model m;
    assert_int_equal(cep_model_parse(&m, "energy-vf"), CEP_OK);
    assert_int_equal(m, CEP_MODEL_ENERGY_VF);
    assert_string_equal(cep_model_name(CEP_MODEL_PROTOTYPICAL_VF), "prototypical-vf");
    /* no primitive and no G for a VF model */
    cep_ctx c = cep_ctx_double();
    double *th = vf_theta(&v, 1, 0.0), x[5] = {0}, st[18] = {0}, g[1000], phi;
    assert_int_equal(cep_model_G_d(&c, g, &v, x, st), CEP_EMODEL);
    assert_int_equal(cep_model_phi_d(&c, &phi, &v, th, x, st), CEP_EMODEL);
    /* a symmetric shape has no feedback to initialise; the angle is checked */
    assert_int_equal(cep_init_feedback(th, &s, 0.0, 1, NULL), CEP_EMODEL);
    assert_int_equal(cep_init_feedback(th, &v, -1.0, 1, NULL), CEP_EARG);
    assert_int_equal(cep_init_feedback(th, &v, 180.5, 1, NULL), CEP_EARG);
    assert_int_equal(cep_init_feedback(th, &v, NAN, 1, NULL), CEP_EARG);
    free(th);
}

/* With B = W^T a VF network is the symmetric one: the free phase (binary64
 * and MPFR), the second phase's states and the BPTT state gradients are
 * identical bit for bit; the BPTT parameter gradient splits as
 * grad W_l(sym) = grad W_l(vf) + grad B_{l-1}(vf)^T (VJP.VF2 vs VJP.4). */
static void test_bw_transpose_equals_symmetric(void **state)
{
    (void)state;
    size_t sizes[] = {4, 6, 5, 3};
    const size_t T = 30, K = 4;
    for (int energy = 0; energy < 2; energy++)
        for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
            cep_shape s = make_shape(energy ? CEP_MODEL_ENERGY : CEP_MODEL_PROTOTYPICAL, acts[a],
                                     0.5, 4, sizes);
            cep_shape v = make_shape(energy ? CEP_MODEL_ENERGY_VF : CEP_MODEL_PROTOTYPICAL_VF,
                                     acts[a], 0.5, 4, sizes);
            double *thv = vf_theta(&v, 7, 0.0), x[4], y[3];
            cep_init_data(x, y, &s, 7);
            cep_ctx c = cep_ctx_double();
            double *ts = malloc((T + 1) * s.S * sizeof(double));
            double *tv = malloc((T + 1) * s.S * sizeof(double));
            double ss[14], sv[14];
            assert_int_equal(cep_free_phase_d(&c, ss, ts, NULL, &s, thv, x, T), CEP_OK);
            assert_int_equal(cep_free_phase_d(&c, sv, tv, NULL, &v, thv, x, T), CEP_OK);
            assert_true(same_bits_d(ts, tv, (T + 1) * s.S));
            /* second phase with theta fixed: the states agree bit for bit */
            double dss[4 * 14], dsv[4 * 14];
            assert_int_equal(cep_nudged_phase_d(&c, NULL, NULL, dss, NULL, NULL, &s, thv, x, y,
                                                ss, K, 0.25, NULL), CEP_OK);
            assert_int_equal(cep_nudged_phase_d(&c, NULL, NULL, dsv, NULL, NULL, &v, thv, x, y,
                                                sv, K, 0.25, NULL), CEP_OK);
            assert_true(same_bits_d(dss, dsv, K * s.S));
            /* BPTT */
            double *gss = malloc((K + 1) * s.S * sizeof(double)), *gsv = malloc((K + 1) * s.S * sizeof(double));
            double *fs = malloc(s.P * sizeof(double)), *fv = malloc(v.P * sizeof(double));
            assert_int_equal(cep_bptt_d(&c, gss, NULL, NULL, fs, NULL, &s, thv, x, y, ts, T, K), CEP_OK);
            assert_int_equal(cep_bptt_d(&c, gsv, NULL, NULL, fv, NULL, &v, thv, x, y, tv, T, K), CEP_OK);
            assert_true(same_bits_d(gss, gsv, (K + 1) * s.S));
            double worst = 0, scale = 1e-300;
            for (size_t l = 1; l <= 3; l++)
                for (size_t i = 0; i < sizes[l]; i++)
                    for (size_t j = 0; j < sizes[l - 1]; j++) {
                        double sym = fs[s.W_off[l] + i * sizes[l - 1] + j];
                        double sum = fv[v.W_off[l] + i * sizes[l - 1] + j];
                        if (l >= 2) sum += fv[v.B_off[l - 1] + j * sizes[l] + i];
                        worst = fmax(worst, fabs(sym - sum));
                        scale = fmax(scale, fabs(sym));
                    }
            assert_err_le(worst / scale, 1e-13, "energy %d act %zu: dW(sym) = dW(vf) + dB(vf)^T", energy, a);
            for (size_t l = 1; l <= 3; l++)
                assert_true(same_bits_d(fs + s.b_off[l], fv + v.b_off[l], sizes[l]));
            free(gss); free(gsv); free(fs); free(fv); free(ts); free(tv); free(thv);
        }
}

/* The MPFR build at 53 bits with binary64's range gives the binary64 VF
 * results bit for bit (rational activation: identity). */
static void test_mpfr53_equals_double(void **state)
{
    (void)state;
    size_t sizes[] = {3, 5, 4, 2};
    cep_shape v = make_shape(CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_IDENTITY, 0.5, 4, sizes);
    double *th = vf_theta(&v, 3, 60.0), x[3], y[2];
    cep_init_data(x, y, &v, 3);
    for (size_t i = 0; i < v.P; i++) th[i] *= 0.5; /* a contraction: the phase converges */
    cep_ctx cd = cep_ctx_double(), ce = cep_ctx_binary64_emulation();
    const size_t K = 5;
    double sd[11], dsd[5 * 11], *dthd = malloc(K * v.P * sizeof(double));
    assert_int_equal(cep_free_phase_d(&cd, sd, NULL, NULL, &v, th, x, 40), CEP_OK);
    double eta[3] = {0.01, 0.02, 0.03};
    assert_int_equal(cep_nudged_phase_d(&cd, NULL, NULL, dsd, dthd, NULL, &v, th, x, y, sd, K,
                                        0.5, eta), CEP_OK);
    mpfr_ptr thm = cep_vec_new_mp(&ce, v.P), xm = cep_vec_new_mp(&ce, 3), ym = cep_vec_new_mp(&ce, 2);
    mpfr_ptr sm = cep_vec_new_mp(&ce, v.S), dsm = cep_vec_new_mp(&ce, K * v.S);
    mpfr_ptr dthm = cep_vec_new_mp(&ce, K * v.P);
    cep_vec_from_double_mp(&ce, thm, th, v.P);
    cep_vec_from_double_mp(&ce, xm, x, 3);
    cep_vec_from_double_mp(&ce, ym, y, 2);
    assert_int_equal(cep_free_phase_mp(&ce, sm, NULL, NULL, &v, thm, xm, 40), CEP_OK);
    assert_int_equal(cep_nudged_phase_mp(&ce, NULL, NULL, dsm, dthm, NULL, &v, thm, xm, ym, sm,
                                         K, 0.5, eta), CEP_OK);
    assert_int_equal(first_diff_mp_d(sm, sd, v.S), v.S);
    assert_int_equal(first_diff_mp_d(dsm, dsd, K * v.S), K * v.S);
    assert_int_equal(first_diff_mp_d(dthm, dthd, K * v.P), K * v.P);
    cep_vec_free_mp(thm); cep_vec_free_mp(xm); cep_vec_free_mp(ym); cep_vec_free_mp(sm);
    cep_vec_free_mp(dsm); cep_vec_free_mp(dthm);
    free(dthd);
    free(th);
}

/* F(x, s, theta) in MPFR into out (a helper over the public API). */
static void F_mp(const cep_ctx *c, mpfr_ptr out, const cep_shape *sh, mpfr_srcptr th,
                 mpfr_srcptr x, mpfr_srcptr s)
{
    assert_int_equal(cep_model_step_mp(c, out, sh, th, x, s), CEP_OK);
}

/* <a, b> in MPFR, as a double (for the finite-difference comparisons). */
static double dot_mp(mpfr_srcptr a, mpfr_srcptr b, size_t n, mpfr_prec_t prec)
{
    mpfr_t acc, t;
    mpfr_inits2(prec, acc, t, (mpfr_ptr)0);
    mpfr_set_zero(acc, 1);
    for (size_t i = 0; i < n; i++) {
        mpfr_mul(t, &a[i], &b[i], MPFR_RNDN);
        mpfr_add(acc, acc, t, MPFR_RNDN);
    }
    double r = mpfr_get_d(acc, MPFR_RNDN);
    mpfr_clears(acc, t, (mpfr_ptr)0);
    return r;
}

/* (VJP.VF1-2) against central differences: for random directions ds, dth,
 * <u, ds> = <v, (F(s + h ds) - F(s - h ds)) / 2h> and <gtheta, dth> likewise;
 * and the energy-vf rule (VF.3) equals (dF/dtheta)^T v by the same test. */
static void test_vjp_and_rule_fd(void **state)
{
    (void)state;
    size_t sizes[] = {3, 4, 5, 2};
    for (int energy = 0; energy < 2; energy++)
        for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
            cep_shape v = make_shape(energy ? CEP_MODEL_ENERGY_VF : CEP_MODEL_PROTOTYPICAL_VF,
                                     acts[a], 0.5, 4, sizes);
            cep_ctx c;
            cep_ctx_mpfr(&c, PREC);
            double *thd = vf_theta(&v, 11 + a, 70.0), xd[3], yd[2];
            cep_init_data(xd, yd, &v, 11 + a);
            cep_rng r;
            cep_rng_seed(&r, 99 + a);
            size_t S = v.S, P = v.P;
            double *sd = malloc(S * sizeof(double)), *vd = malloc(S * sizeof(double));
            double *dsd = malloc(S * sizeof(double)), *dthd = malloc(P * sizeof(double));
            for (size_t i = 0; i < S; i++) {
                sd[i] = 2 * cep_rng_uniform(&r) - 1;
                vd[i] = 2 * cep_rng_uniform(&r) - 1;
                dsd[i] = 2 * cep_rng_uniform(&r) - 1;
            }
            for (size_t i = 0; i < P; i++) dthd[i] = 2 * cep_rng_uniform(&r) - 1;
            mpfr_ptr th = cep_vec_new_mp(&c, P), x = cep_vec_new_mp(&c, 3);
            mpfr_ptr s = cep_vec_new_mp(&c, S), vv = cep_vec_new_mp(&c, S);
            mpfr_ptr ds = cep_vec_new_mp(&c, S), dth = cep_vec_new_mp(&c, P);
            mpfr_ptr u = cep_vec_new_mp(&c, S), gt = cep_vec_new_mp(&c, P);
            mpfr_ptr fp = cep_vec_new_mp(&c, S), fm = cep_vec_new_mp(&c, S);
            mpfr_ptr sp = cep_vec_new_mp(&c, S), thp = cep_vec_new_mp(&c, P);
            cep_vec_from_double_mp(&c, th, thd, P);
            cep_vec_from_double_mp(&c, x, xd, 3);
            cep_vec_from_double_mp(&c, s, sd, S);
            cep_vec_from_double_mp(&c, vv, vd, S);
            cep_vec_from_double_mp(&c, ds, dsd, S);
            cep_vec_from_double_mp(&c, dth, dthd, P);
            assert_int_equal(cep_model_step_vjp_mp(&c, u, gt, &v, th, x, s, vv), CEP_OK);
            mpfr_t h;
            mpfr_init2(h, PREC);
            mpfr_set_d(h, 1e-30, MPFR_RNDN);
            /* d/dh <v, F(s + h ds)> */
            for (int sign = 1; sign >= -1; sign -= 2) {
                for (size_t i = 0; i < S; i++) {
                    mpfr_mul(&sp[i], h, &ds[i], MPFR_RNDN);
                    if (sign < 0) mpfr_neg(&sp[i], &sp[i], MPFR_RNDN);
                    mpfr_add(&sp[i], &sp[i], &s[i], MPFR_RNDN);
                }
                F_mp(&c, sign > 0 ? fp : fm, &v, th, x, sp);
            }
            for (size_t i = 0; i < S; i++) mpfr_sub(&fp[i], &fp[i], &fm[i], MPFR_RNDN);
            double fd_s = dot_mp(vv, fp, S, PREC) / 2e-30, an_s = dot_mp(u, ds, S, PREC);
            assert_err_le(fabs(fd_s - an_s) / fmax(fabs(an_s), 1e-3), 1e-12,
                          "energy %d act %zu: <u, ds> against finite differences", energy, a);
            /* d/dh <v, F(theta + h dth)> */
            for (int sign = 1; sign >= -1; sign -= 2) {
                for (size_t i = 0; i < P; i++) {
                    mpfr_mul(&thp[i], h, &dth[i], MPFR_RNDN);
                    if (sign < 0) mpfr_neg(&thp[i], &thp[i], MPFR_RNDN);
                    mpfr_add(&thp[i], &thp[i], &th[i], MPFR_RNDN);
                }
                F_mp(&c, sign > 0 ? fp : fm, &v, thp, x, s);
            }
            for (size_t i = 0; i < S; i++) mpfr_sub(&fp[i], &fp[i], &fm[i], MPFR_RNDN);
            double fd_t = dot_mp(vv, fp, S, PREC) / 2e-30, an_t = dot_mp(gt, dth, P, PREC);
            assert_err_le(fabs(fd_t - an_t) / fmax(fabs(an_t), 1e-3), 1e-12,
                          "energy %d act %zu: <gtheta, dth> against finite differences", energy, a);
            /* the local rule through a one-step C-VF phase from s with beta = 1,
             * eta = 0: Delta_theta(0) = rule(s_0, Delta_s(0)) */
            mpfr_ptr y = cep_vec_new_mp(&c, 2), dsk = cep_vec_new_mp(&c, S);
            mpfr_ptr dthk = cep_vec_new_mp(&c, P);
            cep_vec_from_double_mp(&c, y, yd, 2);
            assert_int_equal(cep_nudged_phase_mp(&c, NULL, NULL, dsk, dthk, NULL, &v, th, x, y, s,
                                                 1, 1.0, NULL), CEP_OK);
            if (energy) {
                /* (VF.3) energy-vf: (dF/dtheta)^T Delta_s, by finite differences */
                double fd_r = dot_mp(dsk, fp, S, PREC) / 2e-30, an_r = dot_mp(dthk, dth, P, PREC);
                assert_err_le(fabs(fd_r - an_r) / fmax(fabs(an_r), 1e-3), 1e-12,
                              "act %zu: energy-vf rule against finite differences", a);
            } else {
                /* (VF.3) prototypical-vf: Delta_s_l p_{l-1}^T, Delta_s_l, Delta_s_l s_{l+1}^T */
                double worst = 0;
                size_t N = 3;
                for (size_t l = 1; l <= N; l++)
                    for (size_t i = 0; i < sizes[l]; i++) {
                        double dl = mpfr_get_d(&dsk[v.s_off[l] + i], MPFR_RNDN);
                        for (size_t j = 0; j < sizes[l - 1]; j++) {
                            double pre = l == 1 ? xd[j] : sd[v.s_off[l - 1] + j];
                            worst = fmax(worst, fabs(mpfr_get_d(&dthk[v.W_off[l] + i * sizes[l - 1] + j], MPFR_RNDN) - dl * pre));
                        }
                        worst = fmax(worst, fabs(mpfr_get_d(&dthk[v.b_off[l] + i], MPFR_RNDN) - dl));
                        for (size_t j = 0; l < N && j < sizes[l + 1]; j++)
                            worst = fmax(worst, fabs(mpfr_get_d(&dthk[v.B_off[l] + i * sizes[l + 1] + j], MPFR_RNDN) -
                                                     dl * sd[v.s_off[l + 1] + j]));
                    }
                assert_err_le(worst, 1e-14, "act %zu: prototypical-vf rule against its formula", a);
            }
            cep_vec_free_mp(y); cep_vec_free_mp(dsk); cep_vec_free_mp(dthk);
            mpfr_clear(h);
            mpfr_ptr all[] = {th, x, s, vv, ds, dth, u, gt, fp, fm, sp, thp};
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) cep_vec_free_mp(all[i]);
            free(sd); free(vd); free(dsd); free(dthd); free(thd);
        }
}

/* (INIT.3) on a 400 x 300 matrix: the achieved angle is within 5 standard
 * deviations of the request, sd(cos) = sin(angle) sqrt(sum w^4) / sum w^2
 * (the flips are independent signs with mean cos(angle)); 0 and 180 degrees
 * are exact.  The C-VF rates: B_n moves with eta[n] (VF.4). */
static void test_angle_initialiser(void **state)
{
    (void)state;
    size_t sizes[] = {2, 400, 300};
    cep_shape v = make_shape(CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_TANH, 0.5, 3, sizes);
    double *th = malloc(v.P * sizeof(double));
    cep_init_theta(th, &v, 5);
    double s2 = 0, s4 = 0;
    for (size_t i = 0; i < 400 * 300; i++) {
        double w = th[v.W_off[2] + i];
        s2 += w * w;
        s4 += w * w * w * w;
    }
    const double angles[] = {0, 10, 22.5, 45, 60, 90, 120, 135, 170, 180};
    for (size_t q = 0; q < sizeof angles / sizeof angles[0]; q++) {
        double got;
        assert_int_equal(cep_init_feedback(th, &v, angles[q], 5 + q, &got), CEP_OK);
        double a = angles[q] * acos(-1.0) / 180.0;
        double sd_cos = sin(a) * sqrt(s4) / s2;
        double err = fabs(cos(got * acos(-1.0) / 180.0) - cos(a));
        if (angles[q] == 0 || angles[q] == 180)
            assert_err_le(fabs(got - angles[q]), 1e-6, "angle %g exact", angles[q]);
        else
            assert_err_le(err, 5 * sd_cos, "angle %g: achieved %g degrees", angles[q], got);
        fprintf(stderr, "  angle %6.2f: achieved %8.4f degrees (|dcos| %.2e, 5 sd %.2e)\n",
                angles[q], got, err, 5 * sd_cos);
    }
    free(th);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bw_transpose_equals_symmetric),
        cmocka_unit_test(test_mpfr53_equals_double),
        cmocka_unit_test(test_vjp_and_rule_fd),
        cmocka_unit_test(test_angle_initialiser),
    };
    return cmocka_run_group_tests_name("vf", tests, NULL, free_mpfr_caches);
}
