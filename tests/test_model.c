/* test_model.c -- the model layer against independent derivatives.
 *
 * Tests 1 and 2 of the core issue: F = dPhi/ds for the energy model, dF/ds
 * symmetric there, and G = dPhi/dtheta for both models, all by central
 * differences in MPFR at 256 bits (step h = 2^-90: truncation ~ h^2 = 1e-54,
 * rounding ~ 2^-256 / h = 1e-50, both far under the 1e-30 tolerance).
 * Also: the vector-Jacobian product equals the finite-difference Jacobian
 * (both models), and the prototypical Jacobian is measurably asymmetric.
 */
#include "testutil.h"

#define PREC 256
#define FD_LOG2_H (-90)
#define TOL 1e-30

static const cep_activation smooth_acts[] = {CEP_ACT_TANH, CEP_ACT_SIGMOID4, CEP_ACT_IDENTITY};

/* A random state in [-1, 1) from the seed, so the derivatives are taken at a
 * generic point (not only at the fixed point). */
static mpfr_ptr random_state(const mp_problem *p, uint64_t seed)
{
    mpfr_ptr s = cep_vec_new_mp(&p->ctx, p->sh.S);
    assert_non_null(s);
    cep_rng r;
    cep_rng_seed(&r, seed * 7919u + 3u);
    for (size_t i = 0; i < p->sh.S; i++)
        mpfr_set_d(&s[i], 2.0 * cep_rng_uniform(&r) - 1.0, MPFR_RNDN);
    return s;
}

/* out[i] = (f(v + h e_i) - f(v - h e_i)) / (2h) for the scalar Phi, where v
 * is either the state (wrt_theta = 0) or theta (wrt_theta = 1). */
static void fd_grad_phi(mpfr_ptr out, const mp_problem *p, mpfr_ptr s, mpfr_ptr theta,
                        int wrt_theta)
{
    size_t n = wrt_theta ? p->sh.P : p->sh.S;
    mpfr_ptr v = wrt_theta ? theta : s;
    mpfr_t h, save, fp, fm;
    mpfr_inits2(PREC, h, save, fp, fm, (mpfr_ptr)0);
    mpfr_set_ui_2exp(h, 1, FD_LOG2_H, MPFR_RNDN);
    for (size_t i = 0; i < n; i++) {
        mpfr_set(save, &v[i], MPFR_RNDN);
        mpfr_add(&v[i], save, h, MPFR_RNDN);
        assert_int_equal(cep_model_phi_mp(&p->ctx, fp, &p->sh, theta, p->x, s), CEP_OK);
        mpfr_sub(&v[i], save, h, MPFR_RNDN);
        assert_int_equal(cep_model_phi_mp(&p->ctx, fm, &p->sh, theta, p->x, s), CEP_OK);
        mpfr_set(&v[i], save, MPFR_RNDN);
        mpfr_sub(fp, fp, fm, MPFR_RNDN);
        mpfr_div(fp, fp, h, MPFR_RNDN);
        mpfr_div_2ui(&out[i], fp, 1, MPFR_RNDN);
    }
    mpfr_clears(h, save, fp, fm, (mpfr_ptr)0);
}

/* Test 1: energy model, F = dPhi/ds (F.E vs PHI.E). */
static void test_energy_F_is_grad_phi(void **state)
{
    (void)state;
    const size_t sizes[] = {4, 6, 5, 3};
    double worst = 0.0;
    for (size_t a = 0; a < 3; a++)
        for (size_t si = 0; si < N_SEEDS; si++) {
            cep_shape sh = make_shape(CEP_MODEL_ENERGY, smooth_acts[a], 0.5, 4, sizes);
            mp_problem p;
            mp_problem_init(&p, &sh, PREC, test_seeds[si]);
            mpfr_ptr s = random_state(&p, test_seeds[si]);
            mpfr_ptr F = cep_vec_new_mp(&p.ctx, sh.S), fd = cep_vec_new_mp(&p.ctx, sh.S);
            assert_int_equal(cep_model_step_mp(&p.ctx, F, &sh, p.theta, p.x, s), CEP_OK);
            fd_grad_phi(fd, &p, s, p.theta, 0);
            double err = mp_rel_err(F, fd, sh.S, 0.0);
            if (err > worst) worst = err;
            assert_err_le(err, TOL, "F vs dPhi/ds, act %s seed %llu",
                          cep_activation_name(smooth_acts[a]), (unsigned long long)test_seeds[si]);
            cep_vec_free_mp(F);
            cep_vec_free_mp(fd);
            cep_vec_free_mp(s);
            mp_problem_clear(&p);
        }
    printf("  [info] test 1: worst |F - FD dPhi/ds| / max|F| = %.3e\n", worst);
}

/* Column j of J = dF/ds by central differences: col[i] = dF_i/ds_j. */
static void fd_jacobian(mpfr_ptr J, const mp_problem *p, mpfr_ptr s)
{
    size_t S = p->sh.S;
    mpfr_ptr Fp = cep_vec_new_mp(&p->ctx, S), Fm = cep_vec_new_mp(&p->ctx, S);
    mpfr_t h, save;
    mpfr_inits2(PREC, h, save, (mpfr_ptr)0);
    mpfr_set_ui_2exp(h, 1, FD_LOG2_H, MPFR_RNDN);
    for (size_t j = 0; j < S; j++) {
        mpfr_set(save, &s[j], MPFR_RNDN);
        mpfr_add(&s[j], save, h, MPFR_RNDN);
        assert_int_equal(cep_model_step_mp(&p->ctx, Fp, &p->sh, p->theta, p->x, s), CEP_OK);
        mpfr_sub(&s[j], save, h, MPFR_RNDN);
        assert_int_equal(cep_model_step_mp(&p->ctx, Fm, &p->sh, p->theta, p->x, s), CEP_OK);
        mpfr_set(&s[j], save, MPFR_RNDN);
        for (size_t i = 0; i < S; i++) {
            mpfr_ptr Jij = &J[i * S + j];
            mpfr_sub(Jij, &Fp[i], &Fm[i], MPFR_RNDN);
            mpfr_div(Jij, Jij, h, MPFR_RNDN);
            mpfr_div_2ui(Jij, Jij, 1, MPFR_RNDN);
        }
    }
    mpfr_clears(h, save, (mpfr_ptr)0);
    cep_vec_free_mp(Fp);
    cep_vec_free_mp(Fm);
}

/* ||J - J^T||_max / ||J||_max */
static double asymmetry(mpfr_srcptr J, size_t S, long prec)
{
    cep_ctx c;
    assert_int_equal(cep_ctx_mpfr(&c, prec), CEP_OK);
    mpfr_ptr JT = cep_vec_new_mp(&c, S * S);
    for (size_t i = 0; i < S; i++)
        for (size_t j = 0; j < S; j++)
            mpfr_set(&JT[j * S + i], &J[i * S + j], MPFR_RNDN);
    double r = mp_rel_err(J, JT, S * S, 0.0);
    cep_vec_free_mp(JT);
    return r;
}

/* Test 1 (second half) and the VJP: J symmetric for the energy model; the
 * VJP's u = J^T v equals the finite-difference J^T v for both models, and the
 * prototypical J is not symmetric (its F is not a gradient field). */
static void test_jacobian_symmetry_and_vjp(void **state)
{
    (void)state;
    const size_t sizes[] = {3, 5, 4, 2};
    double worst_sym = 0.0;
    for (int m = 0; m < 2; m++)
        for (size_t a = 0; a < 3; a++)
            for (size_t si = 0; si < N_SEEDS; si++) {
                cep_model model = m ? CEP_MODEL_PROTOTYPICAL : CEP_MODEL_ENERGY;
                cep_shape sh = make_shape(model, smooth_acts[a], 0.7, 4, sizes);
                mp_problem p;
                mp_problem_init(&p, &sh, PREC, test_seeds[si]);
                size_t S = sh.S;
                mpfr_ptr s = random_state(&p, test_seeds[si]);
                mpfr_ptr J = cep_vec_new_mp(&p.ctx, S * S);
                fd_jacobian(J, &p, s);
                double asym = asymmetry(J, S, PREC);
                if (model == CEP_MODEL_ENERGY && asym > worst_sym) worst_sym = asym;
                /* With the identity, the prototypical F = W s + b + W^T s is
                 * linear with a symmetric J too; otherwise rho'(h) breaks it. */
                if (model == CEP_MODEL_ENERGY || smooth_acts[a] == CEP_ACT_IDENTITY)
                    assert_err_le(asym, TOL, "J symmetric, act %s seed %llu",
                                  cep_activation_name(smooth_acts[a]),
                                  (unsigned long long)test_seeds[si]);
                else
                    assert_true(asym > 1e-3); /* a gradient field would give 0 */

                /* VJP against FD: u = J^T v for a random v; also gtheta's size. */
                mpfr_ptr v = random_state(&p, test_seeds[si] + 100);
                mpfr_ptr u = cep_vec_new_mp(&p.ctx, S), ufd = cep_vec_new_mp(&p.ctx, S);
                mpfr_ptr gth = cep_vec_new_mp(&p.ctx, sh.P);
                assert_int_equal(cep_model_step_vjp_mp(&p.ctx, u, gth, &sh, p.theta, p.x, s, v),
                                 CEP_OK);
                mpfr_t t;
                mpfr_init2(t, PREC);
                for (size_t j = 0; j < S; j++) {
                    mpfr_set_zero(&ufd[j], 1);
                    for (size_t i = 0; i < S; i++) {
                        mpfr_mul(t, &J[i * S + j], &v[i], MPFR_RNDN);
                        mpfr_add(&ufd[j], &ufd[j], t, MPFR_RNDN);
                    }
                }
                mpfr_clear(t);
                assert_err_le(mp_rel_err(u, ufd, S, 0.0), TOL, "VJP u vs FD, model %s act %s",
                              cep_model_name(model), cep_activation_name(smooth_acts[a]));
                cep_vec_free_mp(gth);
                cep_vec_free_mp(ufd);
                cep_vec_free_mp(u);
                cep_vec_free_mp(v);
                cep_vec_free_mp(J);
                cep_vec_free_mp(s);
                mp_problem_clear(&p);
            }
    printf("  [info] test 1: worst energy ||J - J^T||_max / ||J||_max = %.3e\n", worst_sym);
}

/* The parameter half of the VJP: gtheta = (dF/dtheta)^T v against central
 * differences of v . F(theta) in each parameter. */
static void test_vjp_theta_matches_fd(void **state)
{
    (void)state;
    const size_t sizes[] = {3, 4, 2};
    for (int m = 0; m < 2; m++)
        for (size_t a = 0; a < 3; a++)
            for (size_t si = 0; si < 3; si++) {
                cep_model model = m ? CEP_MODEL_PROTOTYPICAL : CEP_MODEL_ENERGY;
                cep_shape sh = make_shape(model, smooth_acts[a], 0.5, 3, sizes);
                mp_problem p;
                mp_problem_init(&p, &sh, PREC, test_seeds[si]);
                size_t S = sh.S, P = sh.P;
                mpfr_ptr s = random_state(&p, test_seeds[si]);
                mpfr_ptr v = random_state(&p, test_seeds[si] + 50);
                mpfr_ptr u = cep_vec_new_mp(&p.ctx, S), gth = cep_vec_new_mp(&p.ctx, P);
                mpfr_ptr fd = cep_vec_new_mp(&p.ctx, P), F = cep_vec_new_mp(&p.ctx, S);
                assert_int_equal(cep_model_step_vjp_mp(&p.ctx, u, gth, &sh, p.theta, p.x, s, v),
                                 CEP_OK);
                mpfr_t h, save, fp, fm;
                mpfr_inits2(PREC, h, save, fp, fm, (mpfr_ptr)0);
                mpfr_set_ui_2exp(h, 1, FD_LOG2_H, MPFR_RNDN);
                for (size_t j = 0; j < P; j++) {
                    mpfr_set(save, &p.theta[j], MPFR_RNDN);
                    mpfr_add(&p.theta[j], save, h, MPFR_RNDN);
                    cep_model_step_mp(&p.ctx, F, &sh, p.theta, p.x, s);
                    t_dot_mp(&p.ctx, fp, v, F, S);
                    mpfr_sub(&p.theta[j], save, h, MPFR_RNDN);
                    cep_model_step_mp(&p.ctx, F, &sh, p.theta, p.x, s);
                    t_dot_mp(&p.ctx, fm, v, F, S);
                    mpfr_set(&p.theta[j], save, MPFR_RNDN);
                    mpfr_sub(fp, fp, fm, MPFR_RNDN);
                    mpfr_div(fp, fp, h, MPFR_RNDN);
                    mpfr_div_2ui(&fd[j], fp, 1, MPFR_RNDN);
                }
                mpfr_clears(h, save, fp, fm, (mpfr_ptr)0);
                assert_err_le(mp_rel_err(gth, fd, P, 0.0), TOL, "VJP gtheta vs FD, model %s act %s",
                              cep_model_name(model), cep_activation_name(smooth_acts[a]));
                cep_vec_free_mp(F);
                cep_vec_free_mp(fd);
                cep_vec_free_mp(gth);
                cep_vec_free_mp(u);
                cep_vec_free_mp(v);
                cep_vec_free_mp(s);
                mp_problem_clear(&p);
            }
}

/* Test 2: G = dPhi/dtheta for both models (G.E vs PHI.E, G.P vs PHI.P). */
static void test_G_is_dphi_dtheta(void **state)
{
    (void)state;
    const size_t sizes[] = {4, 5, 3, 2};
    for (int m = 0; m < 2; m++)
        for (size_t a = 0; a < 3; a++)
            for (size_t si = 0; si < N_SEEDS; si++) {
                cep_model model = m ? CEP_MODEL_PROTOTYPICAL : CEP_MODEL_ENERGY;
                cep_shape sh = make_shape(model, smooth_acts[a], 0.3, 4, sizes);
                mp_problem p;
                mp_problem_init(&p, &sh, PREC, test_seeds[si]);
                mpfr_ptr s = random_state(&p, test_seeds[si]);
                mpfr_ptr G = cep_vec_new_mp(&p.ctx, sh.P), fd = cep_vec_new_mp(&p.ctx, sh.P);
                assert_int_equal(cep_model_G_mp(&p.ctx, G, &sh, p.x, s), CEP_OK);
                fd_grad_phi(fd, &p, s, p.theta, 1);
                assert_err_le(mp_rel_err(G, fd, sh.P, 0.0), TOL, "G vs dPhi/dtheta, model %s act %s",
                              cep_model_name(model), cep_activation_name(smooth_acts[a]));
                cep_vec_free_mp(G);
                cep_vec_free_mp(fd);
                cep_vec_free_mp(s);
                mp_problem_clear(&p);
            }
}

/* Closed forms of one step on a 1-1 network, identity activation, where
 * F.E = (1-eps) s + eps (w x + b) and F.P = w x + b. */
static void test_step_closed_form(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 1};
    cep_shape she = make_shape(CEP_MODEL_ENERGY, CEP_ACT_IDENTITY, 0.25, 2, sizes);
    cep_shape shp = make_shape(CEP_MODEL_PROTOTYPICAL, CEP_ACT_IDENTITY, 1.0, 2, sizes);
    cep_ctx c = cep_ctx_double();
    double theta[2] = {3.0, 0.5}, x[1] = {2.0}, s[1] = {4.0}, out[1], g[2], phi[1];
    assert_int_equal(cep_model_step_d(&c, out, &she, theta, x, s), CEP_OK);
    assert_true(out[0] == 0.75 * 4.0 + 0.25 * (3.0 * 2.0 + 0.5));
    assert_int_equal(cep_model_step_d(&c, out, &shp, theta, x, s), CEP_OK);
    assert_true(out[0] == 6.5);
    /* G.E: eps * s * x and eps * s;  G.P: s * x and s */
    assert_int_equal(cep_model_G_d(&c, g, &she, x, s), CEP_OK);
    assert_true(g[0] == 0.25 * 4.0 * 2.0 && g[1] == 0.25 * 4.0);
    assert_int_equal(cep_model_G_d(&c, g, &shp, x, s), CEP_OK);
    assert_true(g[0] == 8.0 && g[1] == 4.0);
    /* PHI.E = (1-eps)/2 s^2 + eps s (w x + b) = 0.375*16 + 0.25*4*6.5 */
    assert_int_equal(cep_model_phi_d(&c, phi, &she, theta, x, s), CEP_OK);
    assert_true(phi[0] == 0.375 * 16.0 + 0.25 * 4.0 * 6.5);
    assert_int_equal(cep_model_phi_d(&c, phi, &shp, theta, x, s), CEP_OK);
    assert_true(phi[0] == 4.0 * 6.5);
    /* COST.1: 1/2 (4 - 1)^2 */
    double y[1] = {1.0}, l[1];
    assert_int_equal(cep_loss_d(&c, l, &she, s, y), CEP_OK);
    assert_true(l[0] == 4.5);
}

/* Activations against their closed forms at points where binary64 is exact
 * or the value is known (ACT.1-4), and rho' against central differences. */
static void test_activation_values(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 1};
    cep_ctx c = cep_ctx_double();
    /* prototypical, identity weights w = 1, b = 0: F = rho(x) */
    double theta[2] = {1.0, 0.0}, s[1] = {0.0}, out[1];
    struct { cep_activation a; double u, expect; } table[] = {
        {CEP_ACT_HARDSIGMOID, -0.5, 0.0},  /* below the kink at 0 */
        {CEP_ACT_HARDSIGMOID, 0.0, 0.0},   /* exactly at the kink */
        {CEP_ACT_HARDSIGMOID, 0.25, 0.25}, /* linear part */
        {CEP_ACT_HARDSIGMOID, 1.0, 1.0},   /* exactly at the kink */
        {CEP_ACT_HARDSIGMOID, 7.0, 1.0},   /* saturated */
        {CEP_ACT_SIGMOID4, 0.5, 0.5},      /* the midpoint */
        {CEP_ACT_TANH, 0.0, 0.0},
        {CEP_ACT_IDENTITY, -3.5, -3.5},
        {CEP_ACT_SIGMOID4, -1000.0, 0.0},  /* exp overflows to +Inf: 1/(1+Inf) = 0 */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        cep_shape sh = make_shape(CEP_MODEL_PROTOTYPICAL, table[i].a, 1.0, 2, sizes);
        double x[1] = {table[i].u};
        assert_int_equal(cep_model_step_d(&c, out, &sh, theta, x, s), CEP_OK);
        assert_true(out[0] == table[i].expect);
    }
    /* sigmoid4 at u = 1 in MPFR: 1/(1+e^-2) */
    cep_shape sh = make_shape(CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 1.0, 2, sizes);
    cep_ctx m;
    assert_int_equal(cep_ctx_mpfr(&m, 200), CEP_OK);
    mpfr_ptr th = cep_vec_new_mp(&m, 2), xm = cep_vec_new_mp(&m, 1), sm = cep_vec_new_mp(&m, 1),
             om = cep_vec_new_mp(&m, 1), ex = cep_vec_new_mp(&m, 1);
    cep_vec_from_double_mp(&m, th, theta, 2);
    mpfr_set_ui(&xm[0], 1, MPFR_RNDN);
    assert_int_equal(cep_model_step_mp(&m, om, &sh, th, xm, sm), CEP_OK);
    mpfr_set_si(&ex[0], -2, MPFR_RNDN);
    mpfr_exp(&ex[0], &ex[0], MPFR_RNDN);
    mpfr_add_ui(&ex[0], &ex[0], 1, MPFR_RNDN);
    mpfr_ui_div(&ex[0], 1, &ex[0], MPFR_RNDN);
    assert_err_le(mp_rel_err(om, ex, 1, 0.0), 1e-58, "sigmoid4(1)");
    cep_vec_free_mp(ex);
    cep_vec_free_mp(om);
    cep_vec_free_mp(sm);
    cep_vec_free_mp(xm);
    cep_vec_free_mp(th);
}

/* Public helpers: names round-trip, unknown names are refused. */
static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        cep_model m;
        assert_int_equal(cep_model_parse(&m, cep_model_name((cep_model)i)), CEP_OK);
        assert_int_equal((int)m, i);
    }
    for (int i = 0; i < 4; i++) {
        cep_activation a;
        assert_int_equal(cep_activation_parse(&a, cep_activation_name((cep_activation)i)), CEP_OK);
        assert_int_equal((int)a, i);
    }
    cep_model m;
    cep_activation a;
    assert_int_equal(cep_model_parse(&m, "hopfield"), CEP_EMODEL);
    assert_int_equal(cep_model_parse(&m, NULL), CEP_EMODEL);
    assert_int_equal(cep_activation_parse(&a, "relu"), CEP_EACT);
    assert_string_equal(cep_model_name((cep_model)9), "?");
    assert_string_equal(cep_activation_name((cep_activation)9), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy_F_is_grad_phi),
        cmocka_unit_test(test_jacobian_symmetry_and_vjp),
        cmocka_unit_test(test_vjp_theta_matches_fd),
        cmocka_unit_test(test_G_is_dphi_dtheta),
        cmocka_unit_test(test_step_closed_form),
        cmocka_unit_test(test_activation_values),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, free_mpfr_caches);
}
