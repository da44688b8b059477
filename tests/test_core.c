/* test_core.c -- PRNG, shapes and validation, the tensor layer and the
 * status texts, against independently known answers. */
#include "testutil.h"

/* splitmix64 from state 0: the first outputs published with the algorithm
 * (and recomputed by an independent Python implementation). */
static void test_splitmix64_known_answers(void **state)
{
    (void)state;
    uint64_t s = 0;
    assert_true(cep_splitmix64(&s) == 0xe220a8397b1dcdafu);
    assert_true(cep_splitmix64(&s) == 0x6e789e6aa1b965f4u);
    assert_true(cep_splitmix64(&s) == 0x06c45d188009454fu);
}

/* xoshiro256** from the state {1, 2, 3, 4}: the reference implementation's
 * first outputs 11520, 0, 1509978240; and from cep_rng_seed(1) (state from
 * splitmix64(1)), values computed by an independent Python implementation. */
static void test_xoshiro_known_answers(void **state)
{
    (void)state;
    cep_rng r = {{1, 2, 3, 4}};
    assert_true(cep_rng_next(&r) == 11520u);
    assert_true(cep_rng_next(&r) == 0u);
    assert_true(cep_rng_next(&r) == 1509978240u);
    cep_rng_seed(&r, 1);
    assert_true(cep_rng_next(&r) == 0xb3f2af6d0fc710c5u);
    assert_true(cep_rng_next(&r) == 0x853b559647364ceau);
    assert_true(cep_rng_next(&r) == 0x92f89756082a4514u);
    assert_true(cep_rng_next(&r) == 0x642e1c7bc266a3a7u);
    cep_rng_seed(&r, 1);
    assert_true(cep_rng_uniform(&r) == 0x1.67e55eda1f8e2p-1);
    assert_true(cep_rng_uniform(&r) == 0x1.0a76ab2c8e6c9p-1);
}

/* (INIT.1-2): bounds of the law, determinism, one-hot target. */
static void test_init_law(void **state)
{
    (void)state;
    const size_t sizes[] = {784, 30, 10};
    cep_shape sh = make_shape(CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 1.0, 3, sizes);
    double *a = malloc(sh.P * sizeof(double)), *b = malloc(sh.P * sizeof(double));
    cep_init_theta(a, &sh, 7);
    cep_init_theta(b, &sh, 7);
    assert_true(same_bits_d(a, b, sh.P));
    double lim1 = 1.0 / sqrt(784.0), lim2 = 1.0 / sqrt(30.0), mean = 0.0;
    for (size_t i = sh.W_off[1]; i < sh.W_off[2]; i++) {
        assert_true(a[i] >= -lim1 && a[i] < lim1);
        mean += a[i];
    }
    for (size_t i = sh.W_off[2]; i < sh.P; i++)
        assert_true(a[i] >= -lim2 && a[i] < lim2);
    /* 23550 draws uniform on [-a, a): the mean is within 5 sigma of 0 */
    size_t n1 = sh.W_off[2];
    mean /= (double)n1;
    assert_true(fabs(mean) < 5.0 * lim1 / sqrt(3.0 * (double)n1));
    cep_init_theta(b, &sh, 8);
    assert_false(same_bits_d(a, b, sh.P));
    double x[784], y[10];
    cep_init_data(x, y, &sh, 3);
    int ones = 0;
    for (int i = 0; i < 10; i++) {
        assert_true(y[i] == 0.0 || y[i] == 1.0);
        ones += y[i] == 1.0;
    }
    assert_int_equal(ones, 1);
    for (int i = 0; i < 784; i++)
        assert_true(x[i] >= 0.0 && x[i] < 1.0);
    free(a);
    free(b);
}

/* (LAYOUT.1-2) offsets and counts for 5-8-3 and a deep network. */
static void test_shape_layout(void **state)
{
    (void)state;
    const size_t s1[] = {5, 8, 3};
    cep_shape sh = make_shape(CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, s1);
    assert_int_equal(sh.n_layers, 2);
    assert_int_equal(sh.S, 11);
    assert_int_equal(sh.P, 5 * 8 + 8 + 8 * 3 + 3);
    assert_int_equal(sh.s_off[1], 0);
    assert_int_equal(sh.s_off[2], 8);
    assert_int_equal(sh.W_off[1], 0);
    assert_int_equal(sh.b_off[1], 40);
    assert_int_equal(sh.W_off[2], 48);
    assert_int_equal(sh.b_off[2], 72);
    size_t deep[CEP_MAX_LAYERS + 1];
    for (size_t i = 0; i <= CEP_MAX_LAYERS; i++)
        deep[i] = 2;
    cep_shape d = make_shape(CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH, 1.0, CEP_MAX_LAYERS + 1, deep);
    assert_int_equal(d.S, 2 * CEP_MAX_LAYERS);
    assert_int_equal(d.P, 6 * CEP_MAX_LAYERS);
    assert_true(cep_model_work_len(&d) == 5 * d.S + 2);
}

/* Test 9, shape half: each invalid configuration has its own status. */
static void test_shape_validation(void **state)
{
    (void)state;
    cep_shape sh;
    const size_t ok[] = {5, 8, 3};
    const size_t zero[] = {5, 0, 3};
    const size_t huge[] = {5, CEP_MAX_LAYER_SIZE + 1, 3};
    const size_t big[] = {CEP_MAX_LAYER_SIZE, CEP_MAX_LAYER_SIZE, 3}; /* 2^40 weights */
    size_t many[CEP_MAX_LAYERS + 2];
    for (size_t i = 0; i < CEP_MAX_LAYERS + 2; i++)
        many[i] = 3;
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, ok), CEP_OK);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, zero), CEP_ESIZE);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, huge), CEP_ESIZE);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, big), CEP_EPARAMS);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 1, ok), CEP_ELAYERS);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 0, NULL), CEP_ELAYERS);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5,
                                    CEP_MAX_LAYERS + 2, many), CEP_ELAYERS);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5,
                                    CEP_MAX_LAYERS + 1, many), CEP_OK);
    const double bad_eps[] = {0.0, -0.5, 1.0000000000000002, NAN, INFINITY};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, bad_eps[i], 3, ok),
                         CEP_EEPS);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, CEP_ACT_TANH, 1.0, 3, ok), CEP_OK);
    assert_int_equal(cep_shape_init(&sh, (cep_model)7, CEP_ACT_TANH, 0.5, 3, ok), CEP_EMODEL);
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_ENERGY, (cep_activation)9, 0.5, 3, ok), CEP_EACT);
    assert_int_equal(cep_shape_init(NULL, CEP_MODEL_ENERGY, CEP_ACT_TANH, 0.5, 3, ok), CEP_EARG);
    assert_int_equal(cep_check_beta(1e-300), CEP_OK);
    assert_int_equal(cep_check_eta(0, NULL), CEP_OK);
}

/* Every status has its own text; unknown codes are named as such. */
static void test_status_texts(void **state)
{
    (void)state;
    for (int a = CEP_EARG; a <= CEP_OK; a++)
        for (int b = CEP_EARG; b < a; b++)
            assert_true(strcmp(cep_strerror(a), cep_strerror(b)) != 0);
    assert_string_equal(cep_strerror(12345), "unknown status");
}

/* Tensor kernels against closed forms, in both precisions. */
static void test_tensor_closed_forms(void **state)
{
    (void)state;
    cep_ctx c = cep_ctx_double(), m;
    assert_int_equal(cep_ctx_mpfr(&m, 300), CEP_OK);
    enum { n = 100 };
    double a[n], out[1];
    for (int i = 0; i < n; i++)
        a[i] = i + 1;
    /* sum_{i=1}^{n} i^2 = n(n+1)(2n+1)/6, exact in binary64 */
    t_dot_d(&c, out, a, a, n);
    assert_true(out[0] == n * (n + 1) * (2 * n + 1) / 6.0);
    mpfr_ptr am = cep_vec_new_mp(&m, n), om = cep_vec_new_mp(&m, 2);
    cep_vec_from_double_mp(&m, am, a, n);
    assert_int_equal((int)mpfr_get_prec(&am[17]), 300);
    t_norm2_mp(&m, om, am, n);
    mpfr_set_ui(&om[1], n * (n + 1) * (2 * n + 1) / 6, MPFR_RNDN);
    mpfr_sqrt(&om[1], &om[1], MPFR_RNDN);
    assert_true(mpfr_equal_p(&om[0], &om[1])); /* both correctly rounded sqrt of 338350 */
    /* W = [[1,2,3],[4,5,6]], x = (1,1,1), v = (1,-1): W x = (6,15), W^T v = (-3,-3,-3) */
    double W[6] = {1, 2, 3, 4, 5, 6}, x[3] = {1, 1, 1}, v[2] = {1, -1};
    double y[2] = {10, 20}, z[3] = {0, 0, 0}, acc[3];
    t_matvec_acc_d(&c, y, W, x, 2, 3);
    assert_true(y[0] == 16 && y[1] == 35);
    t_matvec_t_acc_d(&c, z, acc, W, v, 2, 3);
    assert_true(z[0] == -3 && z[1] == -3 && z[2] == -3);
    /* outer products: A = (2 * (1,2))^T (3,4) ; then A += (1,1)^T (1,1) */
    double A[4], two[1] = {2}, p[2] = {1, 2}, q[2] = {3, 4}, one[2] = {1, 1};
    t_outer_d(&c, A, two, p, q, 2, 2);
    assert_true(A[0] == 6 && A[1] == 8 && A[2] == 12 && A[3] == 16);
    t_outer_acc_d(&c, A, one, one, 2, 2);
    assert_true(A[0] == 7 && A[3] == 17);
    t_norm_inf_diff_d(&c, out, p, q, 2);
    assert_true(out[0] == 2);
    double nanv[2] = {1, NAN};
    assert_false(t_all_finite_d(nanv, 2));
    assert_true(t_all_finite_d(p, 2));
    /* Summation order (ORD.1): 1 + 2^-53 + 2^-53 = 1 from left to right
     * in binary64 (each addition rounds back to 1), 1 + 2^-52 the other way. */
    double l[3] = {1, 0x1p-53, 0x1p-53}, ones3[3] = {1, 1, 1};
    t_dot_d(&c, out, l, ones3, 3);
    assert_true(out[0] == 1.0);
    cep_vec_free_mp(om);
    cep_vec_free_mp(am);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix64_known_answers),
        cmocka_unit_test(test_xoshiro_known_answers),
        cmocka_unit_test(test_init_law),
        cmocka_unit_test(test_shape_layout),
        cmocka_unit_test(test_shape_validation),
        cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_tensor_closed_forms),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, free_mpfr_caches);
}
