/* make_fake_suite.c -- a stand-in golden-vector suite for checking
 * proto_cep.c before the real suite (vectors/v1/traj) exists.
 *
 *   make_fake_suite SUITE LIBRESULTS [EMURESULTS]
 *
 * writes SUITE/manifest.json and SUITE/ID/inputs/{x,y,theta0}.npy for 36
 * prototypical trajectory cases (sizes 2-3-2, 5-8-3, 10-16-16-4; the four
 * activations; beta = 0.5, -0.5 and 0.7), plus one energy case and one
 * step case that proto_cep must skip; and LIBRESULTS/ID/<quantity>.npy, the
 * library's own binary64 answers for the quantities proto_cep writes.
 * beta = 0.7 is there because dividing by it and multiplying by 1/beta
 * differ; for a power of two they never do, nor (as it happens) for 0.3.
 *
 * With EMURESULTS, also the library's answers in MPFR emulating binary64
 * (53 bits, binary64's exponent range, correctly rounded tanh and exp):
 * identical to binary64 for identity and hardsigmoid, different in the
 * last bits for tanh and sigmoid4 wherever libm's tanh or exp is not
 * correctly rounded.
 *
 * Unlike proto_cep.c, this program links the library (src/cep.h):
 *
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -ffp-contract=off -Isrc \
 *      -o build/examples/make_fake_suite docs/examples/make_fake_suite.c \
 *      build/libcep.a -ljansson -lmpfr -lgmp -lz -lm
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cep.h"

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "make_fake_suite: %s: %s\n", what, detail);
    exit(1);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) die(path, strerror(errno));
}

/* A '<f8' .npy file (version 1.0) of shape (rows, cols), or (rows,) if
 * cols == 0; assumes a little-endian host. */
static void npy_write(const char *dir, const char *name, const double *v,
                      size_t rows, size_t cols)
{
    char path[4096], dict[128], shape[64];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    if (cols) snprintf(shape, sizeof shape, "(%zu, %zu)", rows, cols);
    else snprintf(shape, sizeof shape, "(%zu,)", rows);
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape);
    size_t hlen = (size_t)len + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f) die(path, strerror(errno));
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc((int)(hlen & 0xff), f);
    fputc((int)(hlen >> 8), f);
    fprintf(f, "%-*s\n", (int)hlen - 1, dict);
    size_t n = cols ? rows * cols : rows;
    if (fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0) die(path, "write failed");
}

static void check(int st, const char *id, const char *what)
{
    if (st != CEP_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: %s", what, cep_strerror(st));
        die(id, msg);
    }
}

/* The same results from the MPFR instantiation of the library, in a
 * context emulating binary64, into EMU/ID. */
static void emulated_results(const char *emu, const char *id, const cep_shape *sh,
                             const double *theta_d, const double *x_d, const double *y_d,
                             size_t T, size_t K, double beta, const double *eta)
{
    const size_t S = sh->S, P = sh->P, N = sh->n_layers;
    const cep_ctx ctx = cep_ctx_binary64_emulation();
    mpfr_ptr th = cep_vec_new_mp(&ctx, (K + 1) * P), x = cep_vec_new_mp(&ctx, sh->size[0]);
    mpfr_ptr y = cep_vec_new_mp(&ctx, sh->size[N]), traj = cep_vec_new_mp(&ctx, (T + 1) * S);
    mpfr_ptr s = cep_vec_new_mp(&ctx, (K + 1) * S), ds = cep_vec_new_mp(&ctx, K * S);
    mpfr_ptr dth = cep_vec_new_mp(&ctx, K * P), total = cep_vec_new_mp(&ctx, P);
    double *out = malloc(((T + 1) * S + (K + 1) * P) * sizeof *out);
    if (!th || !x || !y || !traj || !s || !ds || !dth || !total || !out)
        die(id, "out of memory");
    cep_vec_from_double_mp(&ctx, th, theta_d, P);
    cep_vec_from_double_mp(&ctx, x, x_d, sh->size[0]);
    cep_vec_from_double_mp(&ctx, y, y_d, sh->size[N]);

    check(cep_free_phase_mp(&ctx, s, traj, NULL, sh, th, x, T), id, "free phase (MPFR)");
    check(cep_nudged_phase_mp(&ctx, NULL, NULL, ds, dth, total, sh, th, x, y, s, K, beta,
                              eta), id, "nudged phase (MPFR)");
    for (size_t k = 0; k < K; k++)
        check(cep_nudged_phase_mp(&ctx, s + (k + 1) * S, th + (k + 1) * P, NULL, NULL, NULL,
                                  sh, th + k * P, x, y, s + k * S, 1, beta, eta),
              id, "nudged step (MPFR)");

    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", emu, id);
    make_dir(dir);
#define EMIT(name, v, rows, cols)                                   \
    (cep_vec_to_double_mp(out, v, (rows) * ((cols) ? (cols) : 1)), \
     npy_write(dir, name, out, rows, cols))
    EMIT("free_s", traj, T + 1, S);
    EMIT("cep_s", s, K + 1, S);
    EMIT("cep_theta", th, K + 1, P);
    EMIT("cep_delta_s", ds, K, S);
    EMIT("cep_delta_theta", dth, K, P);
    EMIT("cep_total", total, P, 0);
#undef EMIT
    cep_vec_free_mp(th); cep_vec_free_mp(x); cep_vec_free_mp(y); cep_vec_free_mp(traj);
    cep_vec_free_mp(s); cep_vec_free_mp(ds); cep_vec_free_mp(dth); cep_vec_free_mp(total);
    free(out);
}

/* One case: inputs into SUITE/ID/inputs, the library's answers into LIB/ID. */
static void one_case(const char *suite, const char *lib, const char *emu, const char *id,
                     cep_activation act, size_t ns, const size_t *sizes,
                     size_t T, size_t K, double beta, const double *eta, uint64_t seed)
{
    cep_shape sh;
    check(cep_shape_init(&sh, CEP_MODEL_PROTOTYPICAL, act, 1.0, ns, sizes), id, "shape");
    const size_t S = sh.S, P = sh.P, N = sh.n_layers;
    const cep_ctx ctx = cep_ctx_double();
    double *x = malloc(sizes[0] * sizeof *x), *y = malloc(sizes[N] * sizeof *y);
    double *theta = malloc(P * sizeof *theta), *traj = malloc((T + 1) * S * sizeof *traj);
    double *s_T = malloc(S * sizeof *s_T);
    double *cs = malloc((K + 1) * S * sizeof *cs), *cth = malloc((K + 1) * P * sizeof *cth);
    double *ds = malloc(K * S * sizeof *ds), *dth = malloc(K * P * sizeof *dth);
    double *total = malloc(P * sizeof *total), *s_K = malloc(S * sizeof *s_K);
    double *th_K = malloc(P * sizeof *th_K);
    if (!x || !y || !theta || !traj || !s_T || !cs || !cth || !ds || !dth || !total ||
        !s_K || !th_K)
        die(id, "out of memory");
    cep_init_theta(theta, &sh, seed);
    cep_init_data(x, y, &sh, seed);

    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", suite, id);
    make_dir(dir);
    snprintf(dir, sizeof dir, "%s/%s/inputs", suite, id);
    make_dir(dir);
    npy_write(dir, "x", x, sizes[0], 0);
    npy_write(dir, "y", y, sizes[N], 0);
    npy_write(dir, "theta0", theta, P, 0);

    /* The free phase, then the whole C-EP phase in one call. */
    check(cep_free_phase_d(&ctx, s_T, traj, NULL, &sh, theta, x, T), id, "free phase");
    check(cep_nudged_phase_d(&ctx, s_K, th_K, ds, dth, total, &sh, theta, x, y, s_T,
                             K, beta, eta), id, "nudged phase");
    /* Every s_k and theta_k: the same phase one step at a time (K = 1). */
    memcpy(cs, s_T, S * sizeof *cs);
    memcpy(cth, theta, P * sizeof *cth);
    for (size_t k = 0; k < K; k++)
        check(cep_nudged_phase_d(&ctx, cs + (k + 1) * S, cth + (k + 1) * P, NULL, NULL, NULL,
                                 &sh, cth + k * P, x, y, cs + k * S, 1, beta, eta),
              id, "nudged step");
    if (memcmp(cs + K * S, s_K, S * sizeof *s_K) || memcmp(cth + K * P, th_K, P * sizeof *th_K))
        die(id, "K single steps do not end where one K-step call ends");

    snprintf(dir, sizeof dir, "%s/%s", lib, id);
    make_dir(dir);
    npy_write(dir, "free_s", traj, T + 1, S);
    npy_write(dir, "cep_s", cs, K + 1, S);
    npy_write(dir, "cep_theta", cth, K + 1, P);
    npy_write(dir, "cep_delta_s", ds, K, S);
    npy_write(dir, "cep_delta_theta", dth, K, P);
    npy_write(dir, "cep_total", total, P, 0);
    if (emu) emulated_results(emu, id, &sh, theta, x, y, T, K, beta, eta);
    free(x); free(y); free(theta); free(traj); free(s_T); free(cs); free(cth);
    free(ds); free(dth); free(total); free(s_K); free(th_K);
}

static json_t *case_json(const char *id, const char *kind, const char *model,
                         const char *act, size_t ns, const size_t *sizes, size_t T,
                         size_t K, double beta, const double *eta)
{
    json_t *sz = json_array(), *et = json_array();
    for (size_t l = 0; l < ns; l++) json_array_append_new(sz, json_integer((json_int_t)sizes[l]));
    for (size_t l = 0; l + 1 < ns; l++) json_array_append_new(et, json_real(eta[l]));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:f, s:o}", "id", id, "kind", kind,
                     "model", model, "activation", act, "sizes", sz, "T", (json_int_t)T,
                     "K", (json_int_t)K, "beta", beta, "eta", et);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: make_fake_suite SUITE LIBRESULTS [EMURESULTS]\n");
        return 2;
    }
    const char *suite = argv[1], *lib = argv[2], *emu = argc == 4 ? argv[3] : NULL;
    make_dir(suite);
    make_dir(lib);
    if (emu) make_dir(emu);

    static const size_t net_a[] = {2, 3, 2}, net_b[] = {5, 8, 3}, net_c[] = {10, 16, 16, 4};
    static const struct { const size_t *sizes; size_t ns, T, K; } nets[] = {
        {net_a, 3, 12, 5}, {net_b, 3, 30, 10}, {net_c, 4, 20, 8}};
    static const char *acts[] = {"tanh", "sigmoid4", "hardsigmoid", "identity"};
    static const double betas[] = {0.5, -0.5, 0.7};
    static const double eta[] = {0.1, 0.05, 0.025};

    json_t *cases = json_array();
    uint64_t seed = 1;
    for (size_t a = 0; a < 4; a++)
        for (size_t n = 0; n < 3; n++)
            for (size_t b = 0; b < 3; b++, seed++) {
                static const char *const bname[] = {"pos", "neg", "odd"};
                char id[64];
                snprintf(id, sizeof id, "proto-%s-%zu-%s", acts[a], n, bname[b]);
                cep_activation act;
                check(cep_activation_parse(&act, acts[a]), id, "activation");
                /* identity is linear and unbounded: the 10-16-16-4 network
                 * grows in its free phase and C-EP then blows up within about
                 * 8 steps, so it gets short horizons. */
                size_t T = nets[n].T, K = nets[n].K;
                if (act == CEP_ACT_IDENTITY && n == 2) {
                    T = 10;
                    K = 3;
                }
                one_case(suite, lib, emu, id, act, nets[n].ns, nets[n].sizes, T, K, betas[b],
                         eta, seed);
                json_array_append_new(cases, case_json(id, "trajectory", "prototypical",
                                                       acts[a], nets[n].ns, nets[n].sizes,
                                                       T, K, betas[b], eta));
            }
    /* Two cases proto_cep must skip (no inputs written for them). */
    json_array_append_new(cases, case_json("energy-skip", "trajectory", "energy", "tanh",
                                           3, net_b, 30, 10, 0.5, eta));
    json_array_append_new(cases, case_json("step-skip", "step", "prototypical", "tanh",
                                           3, net_b, 30, 10, 0.5, eta));

    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", suite);
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "cases", cases);
    if (!root || json_dump_file(root, path, JSON_INDENT(2)) != 0) die(path, "cannot write");
    json_decref(root);
    printf("make_fake_suite: 36 cases in %s, library results in %s\n", suite, lib);
    return 0;
}
