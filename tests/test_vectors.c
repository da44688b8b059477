/* test_vectors.c -- the checker's rule and its failure report
 * (spec/vectors.md §7), on the committed suite vectors/v1:
 *  - the tolerance rule and ULP at the edges (zero, subnormal, huge, NaN, Inf);
 *  - single-value faults injected into this library's results are found at
 *    the right (case, phase, step, quantity, index), within-budget changes
 *    are not, and the replay holds the state before the failing step;
 *  - manifests and files that are corrupt are refused (status 2). */
#include <float.h>
#include <jansson.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "tmpdir.h"
#include "apps/vectors.h"

#define SUITE "vectors/v1/traj"
#define CASE "traj-proto-tanh-5-8-3"

/* ---- the rule ------------------------------------------------------------------ */
static void test_ulp_edges(void **state)
{
    (void)state;
    assert_true(cep_vtol_ulp(1.0, CEP_FMT_BINARY64) == 0x1p-52);
    assert_true(cep_vtol_ulp(-1.5, CEP_FMT_BINARY64) == 0x1p-52);
    assert_true(cep_vtol_ulp(0.0, CEP_FMT_BINARY64) == 0x1p-1074);
    assert_true(cep_vtol_ulp(0x1p-1074, CEP_FMT_BINARY64) == 0x1p-1074);
    assert_true(cep_vtol_ulp(0x1p-1022, CEP_FMT_BINARY64) == 0x1p-1074);
    assert_true(cep_vtol_ulp(DBL_MAX, CEP_FMT_BINARY64) == 0x1p971);
    assert_true(cep_vtol_ulp(1.0, CEP_FMT_BINARY32) == 0x1p-23);
    assert_true(cep_vtol_ulp(0.0, CEP_FMT_BINARY32) == 0x1p-149);
    assert_true(cep_vtol_ulp(0x1p-140, CEP_FMT_BINARY32) == 0x1p-149);
    assert_true(cep_vtol_ulp(1.0, CEP_FMT_BFLOAT16) == 0x1p-7);
    assert_true(cep_vtol_ulp(0.0, CEP_FMT_BFLOAT16) == 0x1p-133);
    assert_true(isnan(cep_vtol_ulp(INFINITY, CEP_FMT_BINARY64)));
}

static void test_rule_edges(void **state)
{
    (void)state;
    const cep_fmt f = CEP_FMT_BINARY64;
    /* zero and signed zero */
    assert_true(cep_vtol_pass(-0.0, 0.0, 0, 0, 0, f));
    assert_false(cep_vtol_pass(0x1p-1074, 0.0, 0, 0, 0, f));
    assert_true(cep_vtol_pass(0x1p-1074, 0.0, 0, 0, 1, f));
    /* subnormal: one ULP is the smallest subnormal */
    assert_true(cep_vtol_pass(0.0, 0x1p-1074, 0, 0, 1, f));
    assert_false(cep_vtol_pass(0x1p-1073, 0x1p-1074, 0, 0, 0.5, f));
    /* huge: the ULP at DBL_MAX is 2^971 */
    assert_true(cep_vtol_pass(nextafter(DBL_MAX, 0), DBL_MAX, 0, 0, 1, f));
    assert_false(cep_vtol_pass(nextafter(DBL_MAX, 0), DBL_MAX, 0, 0, 0.5, f));
    /* the bound is inclusive: |a - e| = atol passes, one more ulp does not */
    assert_true(cep_vtol_pass(1.0 + 0x1p-20, 1.0, 0x1p-20, 0, 0, f));
    assert_false(cep_vtol_pass(1.0 + 0x1p-20 + 0x1p-52, 1.0, 0x1p-20, 0, 0, f));
    /* rtol scales with |e| */
    assert_true(cep_vtol_pass(-1000.5, -1000.0, 0, 1e-3, 0, f));
    assert_false(cep_vtol_pass(-1001.5, -1000.0, 0, 1e-3, 0, f));
    /* non-finite values match by position only */
    assert_true(cep_vtol_pass(NAN, NAN, 0, 0, 0, f));
    assert_false(cep_vtol_pass(NAN, 1.0, 1e300, 1, 1, f));
    assert_false(cep_vtol_pass(1.0, NAN, 1e300, 1, 1, f));
    assert_true(cep_vtol_pass(INFINITY, INFINITY, 0, 0, 0, f));
    assert_false(cep_vtol_pass(-INFINITY, INFINITY, 1e300, 1, 1, f));
    assert_false(cep_vtol_pass(DBL_MAX, INFINITY, 1e300, 1, 1, f));
    assert_false(cep_vtol_pass(INFINITY, DBL_MAX, 1e300, 1, 1, f));
    /* binary32 ULP for the binary32 profile */
    assert_true(cep_vtol_pass(1.0f + 0x1p-23, 1.0, 0, 0, 1, CEP_FMT_BINARY32));
    assert_false(cep_vtol_pass(1.0 + 0x1p-22, 1.0, 0, 0, 1, CEP_FMT_BINARY32));
}

/* ---- fault injection ----------------------------------------------------------- */
typedef struct {
    char dir[256];      /* results of this library for CASE */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (test_tmpdir_make(fx->dir, sizeof fx->dir, "vectors") != 0)
        return -1;
    const char *cases[1] = {CASE};
    cep_vrun_opts o;
    memset(&o, 0, sizeof o);
    o.vectors_dir = SUITE;
    o.results_dir = fx->dir;
    o.ctx = cep_ctx_double();
    o.cases = cases;
    o.n_cases = 1;
    char err[512];
    if (cep_vectors_compute(&o, err, sizeof err) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    int st = test_tree_remove(fx->dir);
    free(fx);
    return st;
}

/* Replace one value of a results array; return the old one. */
static double poke(const fixture *fx, const char *q, size_t row, size_t col, double v)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s/%s.npy", fx->dir, CASE, q);
    cep_array a = {0};
    assert_int_equal(cep_npy_read(&a, path, err, sizeof err), 0);
    size_t w = a.ndim == 2 ? a.shape[1] : a.n;
    double old = a.data[row * w + col];
    a.data[row * w + col] = v;
    assert_int_equal(cep_npy_write(path, a.data, a.ndim, a.shape, CEP_FMT_BINARY64, err, sizeof err), 0);
    cep_array_free(&a);
    return old;
}

/* Run the checker on CASE with JSON output; return its status and the
 * parsed report (caller decrefs). */
static int run_check(const fixture *fx, json_t **report, const char *replay)
{
    const char *cases[1] = {CASE};
    cep_vcheck_opts o;
    memset(&o, 0, sizeof o);
    o.vectors_dir = SUITE;
    o.results_dir = fx->dir;
    o.profile = CEP_FMT_BINARY64;
    o.cases = cases;
    o.n_cases = 1;
    o.max_errors = 10;
    o.format = VC_JSON;
    o.replay_dir = replay;
    o.skip_sha = 1;   /* the files are the committed ones; sha256 is tested below */
    FILE *out = tmpfile();
    assert_non_null(out);
    char err[512] = "";
    int rc = cep_vectors_check(&o, out, err, sizeof err);
    if (rc == 2)
        fprintf(stderr, "check: %s\n", err);
    rewind(out);
    json_error_t je;
    *report = json_loadf(out, 0, &je);
    fclose(out);
    return rc;
}

static void expect_first(json_t *r, const char *phase, long step, const char *q, long index)
{
    json_t *ff = json_object_get(r, "first_failure");
    assert_non_null(ff);
    assert_string_equal(json_string_value(json_object_get(ff, "case")), CASE);
    assert_string_equal(json_string_value(json_object_get(ff, "phase")), phase);
    assert_int_equal(json_integer_value(json_object_get(ff, "step")), step);
    assert_string_equal(json_string_value(json_object_get(ff, "quantity")), q);
    assert_int_equal(json_integer_value(json_object_get(ff, "index")), index);
}

static void test_clean_results_pass(void **state)
{
    json_t *r;
    assert_int_equal(run_check(*state, &r, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "pass");
    assert_null(json_object_get(r, "first_failure"));
    json_decref(r);
}

/* One wrong value per run, in each phase; the checker names its place,
 * including the step of the time scan (row + first_step of the quantity)
 * and the last step before it that passed. */
static void test_injected_faults(void **state)
{
    const fixture *fx = *state;
    static const struct {
        const char *q; size_t row, col; const char *phase; long step; long last_step;
    } inj[] = {
        {"free_s", 5, 3, "free", 5, 4},
        {"cep_s", 3, 10, "cep", 3, 2},
        {"cep_theta", 2, 40, "cep", 2, 1},
        {"cep_delta_s", 0, 0, "cep", 1, 0},      /* Delta_s(0) belongs to step 1 */
        {"cep_delta_theta", 5, 74, "cep", 6, 5},
        {"cep_total", 0, 7, "cep", 6, 5},         /* totals sit at step K = 6 */
        {"ep_s", 6, 8, "ep", 6, 5},
        {"ep_total", 0, 0, "ep", 6, 5},
        {"bptt_loss", 0, 0, "bptt", 0, -1},
        {"bptt_grad_s", 4, 2, "bptt", 4, 3},
        {"bptt_grad_theta", 0, 11, "bptt", 1, 0},
    };
    for (size_t i = 0; i < sizeof inj / sizeof inj[0]; i++) {
        double old = poke(fx, inj[i].q, inj[i].row, inj[i].col, 0.0);
        double bad = old == 0.0 ? 1e-3 : old * (1 + 1e-9) + 1e-12;
        poke(fx, inj[i].q, inj[i].row, inj[i].col, bad);
        json_t *r;
        int rc = run_check(fx, &r, NULL);
        if (rc != 1)
            fprintf(stderr, "injection %s[%zu][%zu]: rc %d\n", inj[i].q, inj[i].row, inj[i].col, rc);
        assert_int_equal(rc, 1);
        expect_first(r, inj[i].phase, inj[i].step, inj[i].q, (long)inj[i].col);
        assert_int_equal(json_integer_value(json_object_get(r, "values_failed")), 1);
        json_t *ff = json_object_get(r, "first_failure");
        assert_true(json_real_value(json_object_get(ff, "actual")) == bad);
        assert_true(json_real_value(json_object_get(ff, "expected")) != bad);
        if (inj[i].last_step >= 0)
            assert_int_equal(json_integer_value(json_object_get(ff, "last_pass_step")), inj[i].last_step);
        json_decref(r);
        /* NaN at the same place fails at the same place. */
        poke(fx, inj[i].q, inj[i].row, inj[i].col, NAN);
        assert_int_equal(run_check(fx, &r, NULL), 1);
        expect_first(r, inj[i].phase, inj[i].step, inj[i].q, (long)inj[i].col);
        json_decref(r);
        poke(fx, inj[i].q, inj[i].row, inj[i].col, old);
    }
    json_t *r;
    assert_int_equal(run_check(fx, &r, NULL), 0);
    json_decref(r);
}

/* A change inside the manifest's budget passes; just outside it fails. */
static void test_budget_respected(void **state)
{
    const fixture *fx = *state;
    json_t *r;
    assert_int_equal(run_check(fx, &r, NULL), 0);
    json_decref(r);
    json_error_t je;
    json_t *m = json_load_file(SUITE "/manifest.json", 0, &je);
    assert_non_null(m);
    double atol = -1;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "cases"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "id")), CASE) == 0)
            atol = json_real_value(json_object_get(json_object_get(json_object_get(
                json_object_get(c, "tolerance"), "binary64"), "cep_s"), "atol"));
    json_decref(m);
    assert_true(atol > 0);
    /* Compare with the truth itself: this library's value may sit off it. */
    char path[512], err[512];
    cep_array e = {0};
    snprintf(path, sizeof path, SUITE "/" CASE "/truth64/cep_s.npy");
    assert_int_equal(cep_npy_read(&e, path, err, sizeof err), 0);
    double ev = e.data[2 * e.shape[1] + 1];
    cep_array_free(&e);
    double old = poke(fx, "cep_s", 2, 1, ev + 0.5 * atol);
    assert_int_equal(run_check(fx, &r, NULL), 0);
    json_decref(r);
    poke(fx, "cep_s", 2, 1, ev + 2.0 * atol);
    assert_int_equal(run_check(fx, &r, NULL), 1);
    expect_first(r, "cep", 2, "cep_s", 1);
    json_decref(r);
    poke(fx, "cep_s", 2, 1, old);
}

/* The replay of a C-EP step holds the expected state before the step as
 * input and the failing step's expected values as output. */
static void test_replay(void **state)
{
    const fixture *fx = *state;
    char rdir[300];
    snprintf(rdir, sizeof rdir, "%s/replay", fx->dir);
    double old = poke(fx, "cep_s", 3, 4, 42.0);
    json_t *r;
    assert_int_equal(run_check(fx, &r, rdir), 1);
    json_decref(r);
    poke(fx, "cep_s", 3, 4, old);
    char path[512], err[512];
    cep_array in_s = {0}, in_th = {0}, out_s = {0}, exp_s = {0}, exp_th = {0};
    snprintf(path, sizeof path, "%s/replay-" CASE "-cep-3/inputs/s.npy", rdir);
    assert_int_equal(cep_npy_read(&in_s, path, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/replay-" CASE "-cep-3/inputs/theta.npy", rdir);
    assert_int_equal(cep_npy_read(&in_th, path, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/replay-" CASE "-cep-3/truth64/nudge_s.npy", rdir);
    assert_int_equal(cep_npy_read(&out_s, path, err, sizeof err), 0);
    assert_int_equal(cep_npy_read(&exp_s, SUITE "/" CASE "/truth64/cep_s.npy", err, sizeof err), 0);
    assert_int_equal(cep_npy_read(&exp_th, SUITE "/" CASE "/truth64/cep_theta.npy", err, sizeof err), 0);
    size_t S = exp_s.shape[1], P = exp_th.shape[1];
    assert_int_equal(in_s.n, S);
    assert_int_equal(in_th.n, P);
    assert_memory_equal(in_s.data, &exp_s.data[2 * S], S * sizeof(double));
    assert_memory_equal(in_th.data, &exp_th.data[2 * P], P * sizeof(double));
    assert_memory_equal(out_s.data, &exp_s.data[3 * S], S * sizeof(double));
    cep_array_free(&in_s);
    cep_array_free(&in_th);
    cep_array_free(&out_s);
    cep_array_free(&exp_s);
    cep_array_free(&exp_th);
    /* This library reruns the replayed step and passes it. */
    char rres[320];
    snprintf(rres, sizeof rres, "%s/replay-results", fx->dir);
    cep_vrun_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.vectors_dir = rdir;
    ro.results_dir = rres;
    ro.ctx = cep_ctx_double();
    assert_int_equal(cep_vectors_compute(&ro, err, sizeof err), 0);
    cep_vcheck_opts o;
    memset(&o, 0, sizeof o);
    o.vectors_dir = rdir;
    o.results_dir = rres;
    o.format = VC_HUMAN;
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(cep_vectors_check(&o, devnull, err, sizeof err), 0);
    fclose(devnull);
}


/* A binary32 testbench that prints its results as decimal text with
 * "%.9e" (as docs/vectors.md shows) passes --exact against the b32 trace;
 * with "%.6e" it does not. */
static void write_text_results(const char *dir, const char *suite, const char *cid, int digits)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, cid);
    assert_true(mkdir(dir, 0777) == 0 || errno == EEXIST);
    assert_true(mkdir(path, 0777) == 0 || errno == EEXIST);
    static const char *const qs[] = {"step_F", "nudge_s", "nudge_delta_s", "nudge_delta_theta",
                                     "nudge_theta", "vjp_s", "vjp_theta"};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        cep_array a = {0};
        snprintf(path, sizeof path, "%s/%s/b32/%s.npy", suite, cid, qs[k]);
        assert_int_equal(cep_npy_read(&a, path, err, sizeof err), 0);
        snprintf(path, sizeof path, "%s/%s/%s.txt", dir, cid, qs[k]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "# %s, binary32 results printed with %%.%de\n", qs[k], digits);
        for (size_t i = 0; i < a.n; i++)
            fprintf(f, "%.*e\n", digits, a.data[i]);
        fclose(f);
        cep_array_free(&a);
    }
}

static void test_text_results_binary32(void **state)
{
    const fixture *fx = *state;
    const char *suite = "vectors/v1/step", *cid = "step-proto-tanh-5-8-3";
    const char *cases[1] = {cid};
    for (int digits = 0; digits < 2; digits++) {
        char dir[300], err[512];
        snprintf(dir, sizeof dir, "%s/text%d", fx->dir, digits);
        write_text_results(dir, suite, cid, digits == 0 ? 9 : 6);
        cep_vcheck_opts o;
        memset(&o, 0, sizeof o);
        o.vectors_dir = suite;
        o.results_dir = dir;
        o.profile = CEP_FMT_BINARY32;
        o.exact = 1;
        o.cases = cases;
        o.n_cases = 1;
        o.skip_sha = 1;
        FILE *devnull = fopen("/dev/null", "w");
        assert_int_equal(cep_vectors_check(&o, devnull, err, sizeof err), digits == 0 ? 0 : 1);
        fclose(devnull);
    }
}

/* ---- corrupted manifests ----------------------------------------------------------- */
/* A one-case copy of the suite (the case directory linked, the manifest's
 * file list cut to it) with one edit; check must refuse it (2) with a
 * message naming the manifest, the field or the file. */
static void expect_refused(const fixture *fx, const char *edit_key, json_t *edit_val, int in_case,
                           const char *needle)
{
    char sdir[300], err[512] = "";
    snprintf(sdir, sizeof sdir, "%s/suite", fx->dir);
    char cwd[200], dest[400], link[400];
    assert_non_null(getcwd(cwd, sizeof cwd));
    test_tree_remove(sdir);                       /* the previous edit's copy, if any */
    assert_int_equal(mkdir(sdir, 0777), 0);
    snprintf(dest, sizeof dest, "%s/" SUITE "/" CASE, cwd);
    snprintf(link, sizeof link, "%s/" CASE, sdir);
    assert_int_equal(symlink(dest, link), 0);
    json_error_t je;
    json_t *m = json_load_file(SUITE "/manifest.json", 0, &je);
    assert_non_null(m);
    json_t *files = json_object(), *all = json_object_get(m, "files");
    const char *key;
    json_t *val;
    json_object_foreach(all, key, val)
        if (strncmp(key, CASE "/", strlen(CASE) + 1) == 0)
            json_object_set(files, key, val);
    json_object_set_new(m, "files", files);
    json_t *target = m;
    if (in_case) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(m, "cases"), i, c)
            if (strcmp(json_string_value(json_object_get(c, "id")), CASE) == 0)
                target = c;
    }
    if (edit_val)
        json_object_set_new(target, edit_key, edit_val);
    else
        json_object_del(target, edit_key);
    char mpath[400];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", sdir);
    assert_int_equal(json_dump_file(m, mpath, JSON_INDENT(1)), 0);
    json_decref(m);
    const char *cases[1] = {CASE};
    cep_vcheck_opts o;
    memset(&o, 0, sizeof o);
    o.vectors_dir = sdir;
    o.results_dir = fx->dir;
    o.cases = cases;
    o.n_cases = 1;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = cep_vectors_check(&o, devnull, err, sizeof err);
    fclose(devnull);
    if (rc != 2 || strstr(err, needle) == NULL)
        fprintf(stderr, "edit %s: rc %d, message '%s', wanted '%s'\n", edit_key, rc, err, needle);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, needle));
}

static void test_corrupt_manifests(void **state)
{
    const fixture *fx = *state;
    expect_refused(fx, "cases", NULL, 0, "field 'cases'");
    expect_refused(fx, "cases", json_string("all"), 0, "field 'cases'");
    expect_refused(fx, "files", NULL, 0, "field 'files'");
    expect_refused(fx, "schema_version", json_string("2.0"), 0, "version '2.0'");
    expect_refused(fx, "sizes", json_string("5-8-3"), 1, "field 'sizes'");
    expect_refused(fx, "sizes", json_pack("[i,i,i]", 5, 0, 3), 1, "'sizes' is not a valid network");
    expect_refused(fx, "activation", json_string("relu"), 1, "'activation' is invalid");
    expect_refused(fx, "tolerance", json_object(), 1, "tolerance.binary64.free_s");
    expect_refused(fx, "quantities", json_pack("[{s:s,s:[s],s:i}]", "name", "grad_x",
                                                "profiles", "truth64", "first_step", 0),
                   1, "unknown quantity 'grad_x'");
    expect_refused(fx, "files", json_pack("{s:s}", "../../etc/passwd", "00"), 0,
                   "leaves the suite directory");
    expect_refused(fx, "files", json_pack("{s:s}", CASE "/truth64/free_s.npy", "00"), 0,
                   "differs from the manifest's");
}

/* Names in dir that begin with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* --replay DIR when a stop request (SIGINT/SIGTERM: cep_request_stop) came
 * during the comparison: the failure is still reported, DIR keeps its
 * previous content byte for byte and no staging directory is left beside
 * it; without the request, DIR is replaced whole by the replay suite
 * (docs/robustness.md, "Atomic outputs and interruption"). */
static void test_replay_stopped_or_replaced(void **state)
{
    const fixture *fx = *state;
    char rdir[300], prev[340], rcase[400], text[64] = "";
    snprintf(rdir, sizeof rdir, "%s/replay-kept", fx->dir);
    snprintf(prev, sizeof prev, "%s/previous.txt", rdir);
    snprintf(rcase, sizeof rcase, "%s/replay-" CASE "-cep-3", rdir);
    assert_int_equal(mkdir(rdir, 0777), 0);
    FILE *f = fopen(prev, "w");
    assert_non_null(f);
    fputs("the previous replay\n", f);
    fclose(f);
    double old = poke(fx, "cep_s", 3, 4, 42.0);
    json_t *r;
    cep_request_stop(15);
    int rc = run_check(fx, &r, rdir);
    cep_clear_stop();
    assert_int_equal(rc, 1);
    assert_non_null(json_object_get(r, "first_failure"));
    json_decref(r);
    f = fopen(prev, "r");
    assert_non_null(f);
    assert_non_null(fgets(text, sizeof text, f));
    fclose(f);
    assert_string_equal(text, "the previous replay\n");
    struct stat sb;
    assert_int_equal(stat(rcase, &sb), -1);
    assert_int_equal(count_prefixed(fx->dir, "replay-kept.tmp-"), 0);

    assert_int_equal(run_check(fx, &r, rdir), 1);
    json_decref(r);
    poke(fx, "cep_s", 3, 4, old);
    assert_int_equal(stat(prev, &sb), -1);
    assert_int_equal(stat(rcase, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(count_prefixed(fx->dir, "replay-kept."), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ulp_edges),
        cmocka_unit_test(test_rule_edges),
        cmocka_unit_test(test_clean_results_pass),
        cmocka_unit_test(test_injected_faults),
        cmocka_unit_test(test_budget_respected),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_replay_stopped_or_replaced),
        cmocka_unit_test(test_text_results_binary32),
        cmocka_unit_test(test_corrupt_manifests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
