/* test_theorem.c -- `cep theorem`'s logic: the order fit on synthetic data
 * with a known slope, the automatic precision, PASS on a correct energy
 * network, FAIL or refusal on each deliberately wrong variant
 * (spec/theorem.md §6), APPROXIMATE on the prototypical model, and the CSV
 * files parsing back to the exact numbers of the report. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "apps/theorem.h"

/* (TC.10) slope of exact and of noisy lines */
static void test_fit_slope_known(void **state)
{
    (void)state;
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = -i;
        y[i] = 2.0 * x[i] + 3.0;
    }
    assert_true(fabs(cep_fit_slope(x, y, 20) - 2.0) < 1e-14);
    /* a line of slope 1 with deterministic +-0.05 wiggles: slope within 0.01 */
    for (int i = 0; i < 20; i++)
        y[i] = x[i] + ((i % 2) ? 0.05 : -0.05) - 7.0;
    assert_true(fabs(cep_fit_slope(x, y, 20) - 1.0) < 0.01);
    assert_true(isnan(cep_fit_slope(x, y, 1)));
    double cx[3] = {1, 1, 1};
    assert_true(isnan(cep_fit_slope(cx, y, 3)));
}

/* (TC.4) automatic precision */
static void test_auto_precision(void **state)
{
    (void)state;
    /* -2 log2(1e-30) = 199.3 -> 200 + 64 = 264 -> 288 */
    assert_int_equal(cep_theorem_auto_prec(1e-30, 1e-60), 288);
    assert_int_equal(cep_theorem_auto_prec(1e-2, 1e-4), 128);
    /* eta dominating: -log2(1e-100) = 332.2 -> 333 + 64 = 397 -> 416 */
    assert_int_equal(cep_theorem_auto_prec(1e-10, 1e-100), 416);
}

static cep_theorem_config small_config(cep_model model, cep_activation act)
{
    static const size_t sizes[] = {4, 6, 5, 3};
    cep_theorem_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(cep_shape_init(&c.shape, model, act, 0.5, 4, sizes), CEP_OK);
    c.K = 6;
    c.seed = 3;
    c.beta_from = 1e-1;
    c.beta_to = 1e-24;
    c.decades_per_point = 1;
    c.eta_scale = 1.0;
    c.T_max = 100000;
    c.gdd_beta = 1e-2;
    return c;
}

static void test_energy_passes(void **state)
{
    (void)state;
    cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    cep_theorem_report r;
    assert_int_equal(cep_theorem(&r, &c), CEP_OK);
    if (r.verdict != CEP_VERDICT_PASS)
        fprintf(stderr, "  reason: %s\n", r.reason);
    assert_int_equal(r.verdict, CEP_VERDICT_PASS);
    assert_int_equal(r.sw[0].bits, cep_theorem_auto_prec(1e-24, 1e-48));
    double o = r.order[0][0][r.n_blocks];
    assert_true(o > 0.9 && o < 1.1);
    /* binary64 stops far above MPFR: its floor is above 1e-9 */
    assert_true(r.best_err[1][0] > 1e-9 && r.best_err[0][0] < 1e-22);
    printf("  [info] small energy network: order %.4f, MPFR best %.2e, binary64 best %.2e at %.0e\n",
           o, r.best_err[0][0], r.best_err[1][0], r.best_beta[1][0]);
    cep_theorem_report_free(&r);
}

/* Every wrong variant must FAIL (spec/theorem.md §6). */
static void test_wrong_variants_fail(void **state)
{
    (void)state;
    const cep_fault faults[] = {CEP_FAULT_G_WITHOUT_EPS, CEP_FAULT_NUDGE_SIGN, CEP_FAULT_BPTT_SHIFT};
    for (size_t i = 0; i < 3; i++) {
        cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
        c.fault = faults[i];
        cep_theorem_report r;
        assert_int_equal(cep_theorem(&r, &c), CEP_OK);
        printf("  [info] fault %d: %s -- %s\n", (int)faults[i],
               r.verdict == CEP_VERDICT_FAIL ? "FAIL" : "not FAIL", r.reason);
        assert_int_equal(r.verdict, CEP_VERDICT_FAIL);
        cep_theorem_report_free(&r);
    }
}

/* A first phase that cannot converge within T_max is refused, with the
 * residual it reached. */
static void test_unconverged_refused(void **state)
{
    (void)state;
    cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.T_max = 5;
    cep_theorem_report r;
    assert_int_equal(cep_theorem(&r, &c), CEP_ENOTCONVERGED);
    assert_int_equal(r.sw[0].T_conv, 5);
    assert_true(r.sw[0].residual_conv > 1e-6);
    cep_theorem_report_free(&r);
}

static void test_refusals(void **state)
{
    (void)state;
    cep_theorem_report r;
    cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_HARDSIGMOID);
    assert_int_equal(cep_theorem(&r, &c), CEP_ENOTDIFF);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.beta_to = 1.0; /* from < to */
    assert_int_equal(cep_theorem(&r, &c), CEP_ESWEEP);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.beta_to = 0.0;
    assert_int_equal(cep_theorem(&r, &c), CEP_ESWEEP);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.decades_per_point = 3;
    assert_int_equal(cep_theorem(&r, &c), CEP_ESWEEP);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.eta_scale = -1;
    assert_int_equal(cep_theorem(&r, &c), CEP_ESWEEP);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.beta_to = 1e-300; /* 300 points > 128 */
    assert_int_equal(cep_theorem(&r, &c), CEP_ESWEEP);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.prec = 1;
    assert_int_equal(cep_theorem(&r, &c), CEP_EPREC);
    c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.K = 0;
    assert_int_equal(cep_theorem(&r, &c), CEP_EHORIZON);
    assert_int_equal(cep_theorem(NULL, &c), CEP_EARG);
}

/* The prototypical model: APPROXIMATE, with a measured asymmetry and a
 * plateau well above the energy model's errors. */
static void test_prototypical_is_approximate(void **state)
{
    (void)state;
    cep_theorem_config c = small_config(CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH);
    c.beta_to = 1e-12;
    cep_theorem_report r;
    assert_int_equal(cep_theorem(&r, &c), CEP_OK);
    assert_int_equal(r.verdict, CEP_VERDICT_APPROXIMATE);
    assert_true(r.sw[0].asymmetry > 1e-3 && r.sw[0].asymmetry < 2.0);
    assert_true(r.plateau[0][0] > 1e-6);
    printf("  [info] prototypical: asymmetry %.4f, plateau %.4f\n", r.sw[0].asymmetry,
           r.plateau[0][0]);
    cep_theorem_report_free(&r);
}

/* Read a whole file into a malloc'ed string. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Numbers compare equal when both are NaN or both have the same value. */
static int same_number(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void test_csv_round_trip_and_atomic_dir(void **state)
{
    (void)state;
    cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.beta_to = 1e-8;
    cep_theorem_report r;
    assert_int_equal(cep_theorem(&r, &c), CEP_OK);
    char base[] = "/tmp/cep-test-XXXXXX";
    assert_non_null(mkdtemp(base));
    char dir[256], path[800], err[512];
    snprintf(dir, sizeof dir, "%s/report", base);
    /* an older report with a stale file: it must disappear */
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/stale.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    int figs = 0;
    assert_int_equal(cep_theorem_write(&r, &c, dir, "cep theorem (test)", &figs, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), -1);
    /* no temporary or old directory left beside it */
    DIR *d = opendir(base);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            entries++;
    closedir(d);
    assert_int_equal(entries, 1);

    /* sweep.csv: every metric parses back to the report's binary64 value */
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    char *csv = slurp(path);
    char *save = NULL, *line = strtok_r(csv, "\n", &save);
    assert_string_equal(line, "precision,bits,mode,beta,eta,k,block,max_abs,rel,is_abs,cos,sign_agreement");
    size_t rows = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char prec[16], mode[8], block[8];
        long bits;
        double beta, eta, max_abs, rel, cosv, sign;
        size_t k;
        int is_abs;
        char cosbuf[40], signbuf[40];
        int n = sscanf(line, "%15[^,],%ld,%7[^,],%lg,%lg,%zu,%7[^,],%lg,%lg,%d,%39[^,],%39s", prec,
                       &bits, mode, &beta, &eta, &k, block, &max_abs, &rel, &is_abs, cosbuf, signbuf);
        assert_int_equal(n, 12);
        cosv = strtod(cosbuf, NULL);
        sign = strtod(signbuf, NULL);
        size_t p = strcmp(prec, "mpfr") == 0 ? 0 : 1, md = strcmp(mode, "C-EP") == 0 ? 0 : 1;
        size_t j = 0, b = 0;
        while (j < r.n_beta && r.beta[j] != beta) j++;
        while (b < r.n_blocks && strcmp(r.block_name[b], block) != 0) b++;
        assert_true(j < r.n_beta && b < r.n_blocks && k < r.K);
        const cep_metric *m = &r.sw[p].m[cep_thm_idx(&r, j, md, k, b)];
        assert_true(same_number(m->max_abs, max_abs));
        assert_true(same_number(m->rel, rel));
        assert_true(same_number(m->cos, cosv));
        assert_true(same_number(m->sign, sign));
        assert_int_equal(m->is_abs, is_abs);
        assert_int_equal(bits, r.sw[p].bits);
        rows++;
    }
    assert_int_equal(rows, 2 * r.n_beta * 2 * r.K * r.n_blocks);
    free(csv);

    /* orders.csv: the fitted orders */
    snprintf(path, sizeof path, "%s/orders.csv", dir);
    csv = slurp(path);
    line = strtok_r(csv, "\n", &save);
    rows = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char prec[16], mode[8], block[16], obuf[40];
        size_t pts;
        int exact;
        assert_int_equal(sscanf(line, "%15[^,],%7[^,],%15[^,],%39[^,],%zu,%d", prec, mode, block,
                                obuf, &pts, &exact), 6);
        size_t p = strcmp(prec, "mpfr") == 0 ? 0 : 1, md = strcmp(mode, "C-EP") == 0 ? 0 : 1, b = 0;
        while (b < r.n_blocks && strcmp(r.block_name[b], block) != 0) b++;
        assert_true(same_number(r.order[p][md][b], strtod(obuf, NULL)));
        assert_int_equal(r.order_points[p][md][b], pts);
        rows++;
    }
    assert_int_equal(rows, 2 * 2 * (r.n_blocks + 1));
    free(csv);
    /* theorem.md carries the verdict and the command line */
    snprintf(path, sizeof path, "%s/theorem.md", dir);
    csv = slurp(path);
    /* the sweep stops at 1e-8, above the 1e-20 the PASS rule asks for */
    assert_int_equal(r.verdict, CEP_VERDICT_FAIL);
    assert_non_null(strstr(csv, "Verdict: **FAIL**"));
    assert_non_null(strstr(csv, r.reason));
    assert_non_null(strstr(csv, "cep theorem (test)"));
    free(csv);
    /* clean up: the report holds plain files only */
    d = opendir(dir);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
    rmdir(base);
    cep_theorem_report_free(&r);
}

/* An output directory that cannot be created gives a one-line error and
 * leaves nothing behind. */
static void test_write_error(void **state)
{
    (void)state;
    cep_theorem_config c = small_config(CEP_MODEL_ENERGY, CEP_ACT_TANH);
    c.beta_to = 1e-3;
    cep_theorem_report r;
    assert_int_equal(cep_theorem(&r, &c), CEP_OK);
    char err[512] = "";
    int figs = 1;
    assert_int_equal(cep_theorem_write(&r, &c, "/proc/cep-no-such/report", "x", &figs, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "/proc/cep-no-such/report"));
    assert_null(strchr(err, '\n'));
    cep_theorem_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_slope_known),
        cmocka_unit_test(test_auto_precision),
        cmocka_unit_test(test_energy_passes),
        cmocka_unit_test(test_wrong_variants_fail),
        cmocka_unit_test(test_unconverged_refused),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_prototypical_is_approximate),
        cmocka_unit_test(test_csv_round_trip_and_atomic_dir),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests_name("theorem", tests, NULL, free_mpfr_caches);
}
