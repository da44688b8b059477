/* vgen.c -- `cep vectors`: the golden-vector generator (spec/vectors.md).
 *
 * For every case: inputs drawn from the documented PRNG and rounded to
 * bfloat16 (so that binary64, binary32 and bfloat16 hardware all start from
 * the very same numbers, VEC.IN); the truth computed in MPFR at p bits,
 * recomputed at 2p bits, each value rounded once to binary64 and binary32 and
 * required to round the same at both precisions (VEC.TRUTH); the in-format
 * traces (MPFR emulating binary64, binary32, bfloat16: VEC.TRACE) and the
 * double build; the per-step error envelopes of the traces against the truth
 * and the budgets derived from them (VEC.BUDGET); then every array in every
 * file format (vfile.h) and the manifest with the sha256 of every file.
 * A suite is written to "<suite>.new" and swapped in only when complete. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <jansson.h>
#include <gmp.h>
#include "internal.h"
#include "apps/vectors.h"
#include "util/errtext.h"

/* Paths and names are built with snprintf into buffers far larger than any
 * directory the tools accept (checked on entry); gcc cannot see that bound. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* ---- the quantity table (spec/vectors.md §4) -------------------------------- */
const vq_info cep_vq_table[VQ_N] = {
    {"free_s", VQ_KIND_TRAJ, "free", 0, VQ_AXIS_STATE, VQ_ROWS_T1, 0,
     "first-phase states s_0 = 0 .. s_T (FREE.0-1)"},
    {"cep_s", VQ_KIND_TRAJ, "cep", 1, VQ_AXIS_STATE, VQ_ROWS_K1, 0,
     "C-EP second-phase states s_0 = s_T .. s_K (NUDGE.1, NUDGE.3)"},
    {"cep_theta", VQ_KIND_TRAJ, "cep", 1, VQ_AXIS_THETA, VQ_ROWS_K1, 0,
     "C-EP parameters theta_0 .. theta_K (CEP.1)"},
    {"cep_delta_s", VQ_KIND_TRAJ, "cep", 1, VQ_AXIS_STATE, VQ_ROWS_K, 1,
     "C-EP neuron updates Delta_s(k) = (s_{k+1} - s_k)/beta, row k at step k+1 (NORM.1)"},
    {"cep_delta_theta", VQ_KIND_TRAJ, "cep", 1, VQ_AXIS_THETA, VQ_ROWS_K, 1,
     "C-EP synapse updates Delta_theta(k), row k at step k+1 (NUDGE.2)"},
    {"cep_total", VQ_KIND_TRAJ, "cep", 1, VQ_AXIS_THETA, VQ_ROWS_ONE, -1,
     "sum_k Delta_theta(k), at step K (CEP.2)"},
    {"ep_s", VQ_KIND_TRAJ, "ep", 2, VQ_AXIS_STATE, VQ_ROWS_K1, 0,
     "EP second-phase states s_0 = s_T .. s_K, theta fixed (NUDGE.1, NUDGE.4)"},
    {"ep_total", VQ_KIND_TRAJ, "ep", 2, VQ_AXIS_THETA, VQ_ROWS_ONE, -1,
     "EP update (G(s_K) - G(s_T))/beta, at step K (EP.1)"},
    {"bptt_loss", VQ_KIND_TRAJ, "bptt", 3, VQ_AXIS_SCALAR, VQ_ROWS_ONE, 0,
     "L = l(s_T, y), at step 0 (COST.1)"},
    {"bptt_grad_s", VQ_KIND_TRAJ, "bptt", 3, VQ_AXIS_STATE, VQ_ROWS_K1, 0,
     "grad_s(k) = dL/ds_{T-k}, k = 0..K (BPTT.1-2)"},
    {"bptt_grad_theta", VQ_KIND_TRAJ, "bptt", 3, VQ_AXIS_THETA, VQ_ROWS_K, 1,
     "grad_theta(k) = dL/dtheta_{T-k-1}, row k at step k+1 (BPTT.3)"},
    {"bptt_total", VQ_KIND_TRAJ, "bptt", 3, VQ_AXIS_THETA, VQ_ROWS_ONE, -1,
     "sum_{k<K} grad_theta(k), at step K (BPTT.4)"},
    {"step_F", VQ_KIND_STEP, "free", 0, VQ_AXIS_STATE, VQ_ROWS_ONE, 1,
     "F(x, s, theta) (F.E / F.P)"},
    {"nudge_s", VQ_KIND_STEP, "nudge", 1, VQ_AXIS_STATE, VQ_ROWS_ONE, 1,
     "next nudged state from s (NUDGE.1)"},
    {"nudge_delta_s", VQ_KIND_STEP, "nudge", 1, VQ_AXIS_STATE, VQ_ROWS_ONE, 1,
     "Delta_s = (s_1 - s)/beta (NORM.1)"},
    {"nudge_delta_theta", VQ_KIND_STEP, "nudge", 1, VQ_AXIS_THETA, VQ_ROWS_ONE, 1,
     "Delta_theta = (G(s_1) - G(s))/beta (NUDGE.2)"},
    {"nudge_theta", VQ_KIND_STEP, "nudge", 1, VQ_AXIS_THETA, VQ_ROWS_ONE, 1,
     "theta + eta Delta_theta (CEP.1)"},
    {"vjp_s", VQ_KIND_STEP, "vjp", 2, VQ_AXIS_STATE, VQ_ROWS_ONE, 1,
     "(dF/ds)^T v at (x, s, theta) (VJP.E / VJP.P, BPTT.2)"},
    {"vjp_theta", VQ_KIND_STEP, "vjp", 2, VQ_AXIS_THETA, VQ_ROWS_ONE, 1,
     "(dF/dtheta)^T v at (x, s, theta) (VJP.E / VJP.P, BPTT.3)"},
};
const size_t cep_vq_count = VQ_N;

int cep_vq_find(const char *name)
{
    for (size_t i = 0; i < VQ_N; i++)
        if (strcmp(cep_vq_table[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *cep_vectors_strerror(int status)
{
    switch (status) {
    case CEP_EV_TRUTH: return "a truth value rounds differently at p and 2p bits";
    case CEP_EV_MANIFEST: return "the manifest is missing, unreadable or wrong";
    case CEP_EV_SHA: return "a file's sha256 differs from the manifest's";
    case CEP_EV_MISSING: return "a file is missing";
    case CEP_EV_EXTRA: return "a results file matches no vector quantity";
    case CEP_EV_USAGE: return "bad option value";
    case CEP_EV_COMPUTE: return "the library refused or disagreed on a case";
    default:
        if (status <= -200 && status > -300)
            return cep_vf_strerror(status);
        return cep_strerror(status);
    }
}

/* ---- cases (spec/vectors.md §5) ---------------------------------------------- */
enum { E_LARGE = 1, E_SATURATE = 2, E_KINK = 4, E_ZERO_X = 8 };

typedef struct {
    char id[64];
    char comment[240];
    char flags[96];
    vq_kind kind;
    cep_model model;
    cep_activation act;
    double eps;
    size_t n_sizes, sizes[5];
    size_t T, K;
    double beta;
    double eta[CEP_MAX_LAYERS];
    uint64_t seed;
    unsigned edits;
    size_t n_rows;          /* > 0: theta quantities keep W_1 rows `rows` + the other blocks */
    size_t rows[4];
    double angle;           /* VF models: B at this angle to W^T (INIT.3), degrees */
} vcase;

static const char *model_tag(cep_model m)
{
    return m == CEP_MODEL_ENERGY ? "energy" : m == CEP_MODEL_PROTOTYPICAL ? "proto"
         : m == CEP_MODEL_PROTOTYPICAL_VF ? "pvf" : "evf";
}

static void sizes_tag(char *buf, size_t len, const vcase *c)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < c->n_sizes && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%zu", i ? "-" : "", c->sizes[i]);
}

static vcase base_case(vq_kind kind, cep_model m, cep_activation a, size_t n, const size_t *sz,
                       size_t T, size_t K, uint64_t seed)
{
    vcase c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.model = m;
    c.act = a;
    c.eps = 0.5;
    c.n_sizes = n;
    for (size_t i = 0; i < n; i++)
        c.sizes[i] = sz[i];
    c.T = T;
    c.K = K;
    /* beta and eta are exact in bfloat16 but not powers of two, so that
     * dividing by beta differs from multiplying by a rounded 1/beta, and
     * eta * Delta_theta rounds (NUDGE.2, CEP.1 are then really tested). */
    c.beta = 0.75;
    for (size_t l = 0; l + 1 < n; l++)
        c.eta[l] = ldexp(0.375, -(int)l);
    c.seed = seed;
    char st[48];
    sizes_tag(st, sizeof st, &c);
    snprintf(c.id, sizeof c.id, "%s-%s-%s-%s", kind == VQ_KIND_TRAJ ? "traj" : "step",
             model_tag(m), cep_activation_name(a), st);
    snprintf(c.flags, sizeof c.flags, "BASIC");
    snprintf(c.comment, sizeof c.comment, "%s model, %s, sizes %s, seed %llu",
             cep_model_name(m), cep_activation_name(a), st, (unsigned long long)seed);
    return c;
}

/* The case list of a level.  Ids are stable within v1: never renumbered,
 * never reused for another meaning. */
static size_t build_cases(vcase *out, size_t cap, int level)
{
    static const size_t tiny[] = {2, 3, 2}, small[] = {5, 8, 3}, deep[] = {10, 16, 16, 4},
                        paper[] = {784, 512, 10};
    size_t n = 0;
#define ADD(c) do { if (n < cap) out[n] = (c); n++; } while (0)
    for (int m = 0; m < 2; m++)
        for (int a = 0; a < 4; a++) {
            cep_model mm = (cep_model)m;
            cep_activation aa = (cep_activation)a;
            ADD(base_case(VQ_KIND_STEP, mm, aa, 3, tiny, 1, 1, 1));
            ADD(base_case(VQ_KIND_STEP, mm, aa, 3, small, 1, 1, 2));
            ADD(base_case(VQ_KIND_TRAJ, mm, aa, 3, tiny, 12, 5, 3));
            ADD(base_case(VQ_KIND_TRAJ, mm, aa, 3, small, 20, 6, 4));
        }
    /* Two hidden layers: the paper's two smooth activations, both models. */
    ADD(base_case(VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 4, deep, 24, 6, 5));
    ADD(base_case(VQ_KIND_TRAJ, CEP_MODEL_ENERGY, CEP_ACT_TANH, 4, deep, 24, 6, 6));
    ADD(base_case(VQ_KIND_STEP, CEP_MODEL_PROTOTYPICAL, CEP_ACT_HARDSIGMOID, 4, deep, 1, 1, 7));

    vcase c;
    /* Paper-sized: one input, W_1 kept in full only at the first and last step. */
    c = base_case(VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_HARDSIGMOID, 3, paper, 12, 3, 8);
    c.n_rows = 2;
    c.rows[0] = 0; c.rows[1] = 511;
    snprintf(c.flags, sizeof c.flags, "PAPER_SIZE THETA_SUBSET");
    snprintf(c.comment, sizeof c.comment,
             "784-512-10 prototypical hardsigmoid (the paper's MNIST network), one input, "
             "T = 12, K = 3; every state at every step; theta quantities keep W_1 rows 0 and "
             "511 and all of b_1, W_2, b_2 at every step (inputs/theta_index); W_1 in full "
             "only at step 0 (inputs/theta0); .hex only for binary32 and bfloat16 (size)");
    ADD(c);

    /* The edge cases (VEC.IN lists their edits). */
    static const struct {
        vq_kind kind;
        cep_model m;
        cep_activation a;
        size_t T, K;
        uint64_t seed;
        double beta;           /* 0: the default 0.75 */
        unsigned edits;
        const char *id, *flags, *comment;
    } edge[] = {
        {VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH, 20, 6, 9, -0.75, 0,
         "traj-proto-tanh-5-8-3-negbeta", "NEGATIVE_BETA",
         "beta = -0.75: the nudge pushes away from the target"},
        {VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 20, 6, 10, 0, E_SATURATE,
         "traj-proto-sigmoid4-5-8-3-saturated", "SATURATION",
         "weights x4 and biases +-12: pre-activations far in the flat tails, rho' near 0 "
         "(flushes to 0 in the narrow formats)"},
        {VQ_KIND_TRAJ, CEP_MODEL_ENERGY, CEP_ACT_TANH, 20, 6, 11, 0, E_SATURATE,
         "traj-energy-tanh-5-8-3-saturated", "SATURATION",
         "energy model, weights x4 and biases +-12"},
        {VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_HARDSIGMOID, 20, 6, 12, 0, E_KINK,
         "traj-proto-hardsigmoid-5-8-3-kinks", "KINK",
         "hidden neurons 0 and 1 and output neuron 0 cut off (zero weights in and out) with "
         "biases 0, 1 and 1: their pre-activations sit exactly on hardsigmoid's kinks at "
         "every step (rho' = 1 there, ACT.3)"},
        {VQ_KIND_STEP, CEP_MODEL_ENERGY, CEP_ACT_HARDSIGMOID, 1, 1, 13, 0, E_KINK,
         "step-energy-hardsigmoid-5-8-3-kinks", "KINK",
         "state entries exactly 0, 1 and -0 in every layer: hardsigmoid's kinks (ACT.3)"},
        {VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_TANH, 20, 6, 14, 0, E_ZERO_X,
         "traj-proto-tanh-5-8-3-zero-input", "ZERO_INPUT", "x = 0: only the biases drive the network"},
        {VQ_KIND_TRAJ, CEP_MODEL_ENERGY, CEP_ACT_SIGMOID4, 20, 6, 15, 0, E_LARGE,
         "traj-energy-sigmoid4-5-8-3-large-weights", "LARGE_WEIGHTS", "weights and biases x8"},
        {VQ_KIND_TRAJ, CEP_MODEL_ENERGY, CEP_ACT_TANH, 500, 10, 16, 0, 0,
         "traj-energy-tanh-5-8-3-long", "LONG_HORIZON",
         "T = 500: the first phase settles to its fixed point"},
    };
    for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++) {
        c = base_case(edge[e].kind, edge[e].m, edge[e].a, 3, small, edge[e].T, edge[e].K,
                      edge[e].seed);
        if (edge[e].beta != 0)
            c.beta = edge[e].beta;
        c.edits = edge[e].edits;
        snprintf(c.id, sizeof c.id, "%s", edge[e].id);
        snprintf(c.flags, sizeof c.flags, "%s", edge[e].flags);
        snprintf(c.comment, sizeof c.comment, "%s", edge[e].comment);
        ADD(c);
    }

    /* The vector-field models (spec/model.md §6): C-VF in the "cep" phase,
     * the accumulate-only variant in "ep"; B = W^T and B at 45 degrees. */
    static const struct { cep_model m; cep_activation a; vq_kind kind; const size_t *sz; size_t n;
                          size_t T, K; uint64_t seed; double angle; } vf[] = {
        {CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_TANH, VQ_KIND_TRAJ, small, 3, 20, 6, 17, 0.0},
        {CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_TANH, VQ_KIND_TRAJ, small, 3, 20, 6, 18, 45.0},
        {CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_SIGMOID4, VQ_KIND_TRAJ, deep, 4, 24, 6, 19, 45.0},
        {CEP_MODEL_PROTOTYPICAL_VF, CEP_ACT_HARDSIGMOID, VQ_KIND_STEP, small, 3, 1, 1, 20, 45.0},
        {CEP_MODEL_ENERGY_VF, CEP_ACT_TANH, VQ_KIND_TRAJ, small, 3, 20, 6, 21, 0.0},
        {CEP_MODEL_ENERGY_VF, CEP_ACT_TANH, VQ_KIND_TRAJ, small, 3, 20, 6, 22, 45.0},
        {CEP_MODEL_ENERGY_VF, CEP_ACT_SIGMOID4, VQ_KIND_STEP, small, 3, 1, 1, 23, 45.0},
    };
    for (size_t e = 0; e < sizeof vf / sizeof vf[0]; e++) {
        c = base_case(vf[e].kind, vf[e].m, vf[e].a, vf[e].n, vf[e].sz, vf[e].T, vf[e].K,
                      vf[e].seed);
        c.angle = vf[e].angle;
        size_t o = strlen(c.id);
        snprintf(c.id + o, sizeof c.id - o, "-a%.0f", vf[e].angle);
        snprintf(c.flags, sizeof c.flags, "VF%s", vf[e].angle == 0 ? " SYMMETRIC_FEEDBACK" : "");
        o = strlen(c.comment);
        snprintf(c.comment + o, sizeof c.comment - o,
                 "; feedback B at %.0f degrees to W^T (INIT.3); phase cep = C-VF (VF.3-4), "
                 "phase ep = accumulate-only (VF.5)", vf[e].angle);
        ADD(c);
    }

    if (level >= 2) {
        /* More seeds and longer phases, generated on demand. */
        for (uint64_t seed = 101; seed <= 103; seed++)
            for (int m = 0; m < 2; m++)
                for (int a = 0; a < 4; a++) {
                    /* identity grows without bound on this network, and C-EP's
                     * weight updates make the growth doubly exponential: a short
                     * horizon keeps it finite */
                    int lin = a == CEP_ACT_IDENTITY;
                    c = base_case(VQ_KIND_TRAJ, (cep_model)m, (cep_activation)a, 4, deep,
                                  lin ? 10 : 60, lin ? 3 : 20, seed);
                    size_t o = strlen(c.id);
                    snprintf(c.id + o, sizeof c.id - o, "-s%llu", (unsigned long long)seed);
                    snprintf(c.flags, sizeof c.flags, "LEVEL2");
                    ADD(c);
                }
        c = base_case(VQ_KIND_TRAJ, CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 3, paper, 40, 15, 201);
        c.n_rows = 4;
        c.rows[0] = 0; c.rows[1] = 170; c.rows[2] = 341; c.rows[3] = 511;
        snprintf(c.id, sizeof c.id, "traj-proto-sigmoid4-784-512-10-cep1h");
        snprintf(c.flags, sizeof c.flags, "LEVEL2 PAPER_SIZE THETA_SUBSET");
        snprintf(c.comment, sizeof c.comment,
                 "784-512-10 prototypical sigmoid4 with C-EP-1h's horizons T = 40, K = 15; theta "
                 "quantities keep W_1 rows 0, 170, 341, 511 and all of b_1, W_2, b_2");
        ADD(c);
    }
#undef ADD
    return n;
}

/* ---- inputs (VEC.IN) ------------------------------------------------------- */
static double to_bf16(double v) { return cep_fmt_round(CEP_FMT_BFLOAT16, v); }

typedef struct {
    cep_shape sh;
    double *x, *y, *theta, *s, *v;
} vinputs;

static void vinputs_free(vinputs *in)
{
    free(in->x);
    free(in->y);
    free(in->theta);
    free(in->s);
    free(in->v);
    memset(in, 0, sizeof *in);
}

/* Cut neuron i of layer l off from the layers beside it (row i of W_l and
 * column i of W_{l+1} zero), so that its pre-activation is exactly b_l[i]. */
static void isolate_neuron(double *th, const cep_shape *sh, size_t l, size_t i, double bias)
{
    for (size_t j = 0; j < sh->size[l - 1]; j++)
        th[sh->W_off[l] + i * sh->size[l - 1] + j] = 0.0;
    if (l < sh->n_layers)
        for (size_t k = 0; k < sh->size[l + 1]; k++)
            th[sh->W_off[l + 1] + k * sh->size[l] + i] = 0.0;
    th[sh->b_off[l] + i] = bias;
}

static int make_inputs(vinputs *in, const vcase *c)
{
    memset(in, 0, sizeof *in);
    int st = cep_shape_init(&in->sh, c->model, c->act, c->eps, c->n_sizes, c->sizes);
    if (st)
        return st;
    const cep_shape *sh = &in->sh;
    size_t nx = sh->size[0], ny = sh->size[sh->n_layers];
    in->x = malloc(nx * sizeof(double));
    in->y = malloc(ny * sizeof(double));
    in->theta = malloc(sh->P * sizeof(double));
    in->s = calloc(sh->S, sizeof(double));
    in->v = calloc(sh->S, sizeof(double));
    if (!in->x || !in->y || !in->theta || !in->s || !in->v) {
        vinputs_free(in);
        return CEP_ENOMEM;
    }
    cep_init_theta(in->theta, sh, c->seed);                        /* (INIT.1) */
    cep_init_data(in->x, in->y, sh, c->seed);                      /* (INIT.2) */
    if (CEP_MODEL_IS_VF(c->model)) {
        int fst = cep_init_feedback(in->theta, sh, c->angle, c->seed, NULL); /* (INIT.3) */
        if (fst != CEP_OK) {
            vinputs_free(in);
            return fst;
        }
    }
    if (c->edits & (E_LARGE | E_SATURATE)) {
        double f = (c->edits & E_LARGE) ? 8.0 : 4.0;
        for (size_t m = 0; m < sh->P; m++)
            in->theta[m] *= f;
        if (c->edits & E_SATURATE)
            for (size_t l = 1; l <= sh->n_layers; l++)
                for (size_t i = 0; i < sh->size[l]; i++)
                    in->theta[sh->b_off[l] + i] = (i % 2) ? -12.0 : 12.0;
    }
    if ((c->edits & E_KINK) && c->model == CEP_MODEL_PROTOTYPICAL) {
        isolate_neuron(in->theta, sh, 1, 0, 0.0);
        isolate_neuron(in->theta, sh, 1, 1, 1.0);
        isolate_neuron(in->theta, sh, sh->n_layers, 0, 1.0);
    }
    if (c->edits & E_ZERO_X)
        for (size_t i = 0; i < nx; i++)
            in->x[i] = 0.0;
    for (size_t m = 0; m < sh->P; m++)
        in->theta[m] = to_bf16(in->theta[m]);
    for (size_t i = 0; i < nx; i++)
        in->x[i] = to_bf16(in->x[i]);
    if (c->kind == VQ_KIND_STEP) {
        /* (VEC.IN) s uniform in [-1/4, 5/4) (around hardsigmoid's [0, 1]),
         * v uniform in [-1, 1), from their own stream. */
        cep_rng r;
        cep_rng_seed(&r, c->seed ^ 0x57e9570e57e9570eu);
        for (size_t i = 0; i < sh->S; i++)
            in->s[i] = to_bf16(1.5 * cep_rng_uniform(&r) - 0.25);
        for (size_t i = 0; i < sh->S; i++)
            in->v[i] = to_bf16(2.0 * cep_rng_uniform(&r) - 1.0);
        if (c->edits & E_KINK)
            for (size_t l = 1; l <= sh->n_layers; l++)
                for (size_t i = 0; i < sh->size[l] && i < 3; i++)
                    in->s[sh->s_off[l] + i] = i == 0 ? 0.0 : i == 1 ? 1.0 : -0.0;
    }
    return CEP_OK;
}

/* ---- the arrays of one case --------------------------------------------------- */
enum { PF_TRUTH64, PF_TRUTH32, PF_B64, PF_B32, PF_BF16, PF_N };
static const char *const pf_dir[PF_N] = {"truth64", "truth32", "b64", "b32", "bf16"};
static const cep_fmt pf_fmt[PF_N] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BINARY64,
                                     CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};

typedef struct {
    size_t len[VQ_N];       /* full length of each quantity (0: not in this case) */
    size_t rows[VQ_N], width[VQ_N];
    double *val[PF_N][VQ_N]; /* full length, binary64 holding the profile's values */
    double *dbl[VQ_N];       /* the double build */
    long truth_bits;         /* the precision the truth was certified at */
} varrays;

static void varrays_free(varrays *a)
{
    for (int p = 0; p < PF_N; p++)
        for (int i = 0; i < VQ_N; i++)
            free(a->val[p][i]);
    for (int i = 0; i < VQ_N; i++)
        free(a->dbl[i]);
}

static void plan_lengths(varrays *a, const vcase *c, const cep_shape *sh)
{
    vtrace_lengths(a->len, a->rows, a->width, c->kind, sh, c->T, c->K);
}

/* Round an MPFR value once to the format (MPFR_RNDN with the format's
 * exponent range and subnormals), returned as the binary64 holding it. */
static double mp_round_to(mpfr_srcptr v, cep_fmt f)
{
    static const long prec[3] = {53, 24, 8}, emin[3] = {-1073, -148, -132}, emax[3] = {1024, 128, 128};
    mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
    mpfr_t t;
    mpfr_init2(t, prec[f]);
    mpfr_set_emin(emin[f]);
    mpfr_set_emax(emax[f]);
    int tern = mpfr_set(t, v, MPFR_RNDN);
    tern = mpfr_check_range(t, tern, MPFR_RNDN);
    mpfr_subnormalize(t, tern, MPFR_RNDN);
    mpfr_set_emin(old_min);
    mpfr_set_emax(old_max);
    double d = mpfr_get_d(t, MPFR_RNDN);   /* exact: t fits binary64 */
    mpfr_clear(t);
    return d;
}

static void vin_of(vcase_in *vi, const vinputs *in, const vcase *c)
{
    vi->sh = in->sh;
    vi->kind = c->kind;
    vi->T = c->T;
    vi->K = c->K;
    vi->beta = c->beta;
    vi->eta = c->eta;
    vi->x = in->x;
    vi->y = in->y;
    vi->theta = in->theta;
    vi->s = in->s;
    vi->v = in->v;
}

/* (VEC.TRUTH) and (VEC.TRACE): fill every profile's arrays. */
#define TRUTH_MAX_ESCALATIONS 4

static int compute_case(varrays *a, const vcase *c, const vinputs *in, long prec,
                        char *err, size_t errlen)
{
    vcase_in vi;
    vin_of(&vi, in, c);
    __mpfr_struct *q1[VQ_N] = {0}, *q2[VQ_N] = {0}, *qt[VQ_N] = {0};
    double *qd[VQ_N] = {0};
    int st = CEP_OK;
    for (int p = 0; p < PF_N; p++)
        for (int i = 0; i < VQ_N; i++)
            if (a->len[i]) {
                a->val[p][i] = malloc(a->len[i] * sizeof(double));
                if (!a->val[p][i])
                    return CEP_ENOMEM;
            }
    /* (VEC.TRUTH) p bits, checked at 2p; when some value rounds differently
     * (a cancellation whose result sits below p bits' rounding noise), the
     * case is recomputed at 2p checked at 4p, and so on up to
     * TRUTH_MAX_ESCALATIONS doublings; the bits used are recorded. */
    for (int esc = 0; esc <= TRUTH_MAX_ESCALATIONS; esc++, prec *= 2) {
        cep_ctx c1, c2;
        cep_ctx_mpfr(&c1, prec);
        cep_ctx_mpfr(&c2, 2 * prec);
        vtrace_free_mp(q1);
        vtrace_free_mp(q2);
        st = vtrace_run_mp(&c1, q1, a->len, &vi);
        if (st == CEP_OK)
            st = vtrace_run_mp(&c2, q2, a->len, &vi);
        if (st != CEP_OK) {
            cep_errf(err, errlen, "case %s: truth at %ld/%ld bits: %s", c->id, prec, 2 * prec,
                    cep_vectors_strerror(st));
            goto out;
        }
        for (int i = 0; i < VQ_N && st == CEP_OK; i++)
            for (size_t j = 0; j < a->len[i]; j++) {
                double v64 = mp_round_to(&q1[i][j], CEP_FMT_BINARY64);
                double v32 = mp_round_to(&q1[i][j], CEP_FMT_BINARY32);
                double w64 = mp_round_to(&q2[i][j], CEP_FMT_BINARY64);
                double w32 = mp_round_to(&q2[i][j], CEP_FMT_BINARY32);
                /* == : a value that rounds to zero at both precisions is
                 * certified as zero, its sign is not (spec/vectors.md §5.2) */
                if (v64 != w64 || v32 != w32) {
                    cep_errf(err, errlen,
                            "case %s: %s[%zu] rounds to %a / %a (binary64 / binary32) at %ld bits "
                            "but to %a / %a at %ld bits", c->id, cep_vq_table[i].name, j, v64, v32,
                            prec, w64, w32, 2 * prec);
                    st = CEP_EV_TRUTH;
                    break;
                }
                a->val[PF_TRUTH64][i][j] = v64;
                a->val[PF_TRUTH32][i][j] = v32;
            }
        if (st == CEP_OK) {
            a->truth_bits = prec;
            break;
        }
    }
    if (st)
        goto out;
    static const cep_ctx trace_ctx[3] = {{53, 1, -1073, 1024}, {24, 1, -148, 128},
                                         {8, 1, -132, 128}};
    for (int t = 0; t < 3 && st == CEP_OK; t++) {
        if (cep_stop_requested()) { /* SIGINT/SIGTERM: a big case stops between its runs */
            cep_errf(err, errlen, "interrupted during case %s: the previous suites are kept", c->id);
            st = CEP_EINTR;
            break;
        }
        st = vtrace_run_mp(&trace_ctx[t], qt, a->len, &vi);
        if (st != CEP_OK) {
            cep_errf(err, errlen, "case %s: %s trace: %s", c->id, pf_dir[PF_B64 + t],
                    cep_vectors_strerror(st));
            break;
        }
        for (int i = 0; i < VQ_N; i++)
            if (a->len[i])
                cep_vec_to_double_mp(a->val[PF_B64 + t][i], qt[i], a->len[i]);
        vtrace_free_mp(qt);
    }
    if (st)
        goto out;
    cep_ctx cd = cep_ctx_double();
    st = vtrace_run_d(&cd, qd, a->len, &vi);
    if (st != CEP_OK) {
        cep_errf(err, errlen, "case %s: double build: %s", c->id, cep_vectors_strerror(st));
        goto out;
    }
    for (int i = 0; i < VQ_N; i++) {
        a->dbl[i] = qd[i];
        qd[i] = NULL;
    }
out:
    vtrace_free_mp(q1);
    vtrace_free_mp(q2);
    vtrace_free_mp(qt);
    vtrace_free_d(qd);
    return st;
}

/* ---- budgets (VEC.BUDGET) -------------------------------------------------- */
#define BUDGET_FACTOR 8.0

static double pow2_ceil(double v)
{
    if (!(v > 0))
        return 0.0;
    int e;
    double m = frexp(v, &e);   /* v = m 2^e, m in [1/2, 1) */
    return m == 0.5 ? v : ldexp(1.0, e);
}

/* Per-row maxima of |t - e| (non-finite pairs at the same place count 0). */
static void envelope(double *env, const double *t, const double *e, size_t rows, size_t w)
{
    for (size_t r = 0; r < rows; r++) {
        double m = 0;
        for (size_t j = 0; j < w; j++) {
            double a = t[r * w + j], b = e[r * w + j];
            double d = (isfinite(a) && isfinite(b)) ? fabs(a - b)
                       : (isnan(a) && isnan(b)) || a == b ? 0.0 : INFINITY;
            if (d > m)
                m = d;
        }
        env[r] = m;
    }
}

static json_t *json_array_of(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        cep_json_append(a, json_real(v[i]));
    return a;
}

/* The three profiles' budgets for one quantity and their envelopes. */
static int budget_json(json_t *tol, json_t *env_obj, const varrays *a, int i, char *err,
                       size_t errlen, const char *id)
{
    static const struct { const char *name; int expect; int traces[2]; int ntr; double u; } prof[3] = {
        {"binary64", PF_TRUTH64, {PF_B64, -1}, 2, 0x1p-53},
        {"binary32", PF_TRUTH32, {PF_B32, 0}, 1, 0x1p-24},
        {"bfloat16", PF_TRUTH32, {PF_BF16, 0}, 1, 0x1p-8},
    };
    size_t rows = a->rows[i], w = a->width[i];
    double *env = malloc(rows * sizeof(double)), *env2 = malloc(rows * sizeof(double));
    if (!env || !env2) {
        free(env);
        free(env2);
        return CEP_ENOMEM;
    }
    for (int p = 0; p < 3; p++) {
        const double *e = a->val[prof[p].expect][i];
        double E = 0, M = 0;
        json_t *penv = json_object();
        for (int t = 0; t < prof[p].ntr; t++) {
            const double *tr = prof[p].traces[t] < 0 ? a->dbl[i] : a->val[prof[p].traces[t]][i];
            envelope(t == 0 ? env : env2, tr, e, rows, w);
            const double *ev = t == 0 ? env : env2;
            for (size_t r = 0; r < rows; r++)
                if (ev[r] > E)
                    E = ev[r];
            cep_json_set(penv, prof[p].traces[t] < 0 ? "double_build" : pf_dir[prof[p].traces[t]],
                                json_array_of(ev, rows));
        }
        for (size_t j = 0; j < rows * w; j++)
            if (isfinite(e[j]) && fabs(e[j]) > M)
                M = fabs(e[j]);
        if (!isfinite(E)) {
            cep_errf(err, errlen, "case %s: %s: the %s trace is non-finite where the truth is not",
                    id, cep_vq_table[i].name, prof[p].name);
            json_decref(penv);
            free(env);
            free(env2);
            return CEP_EV_COMPUTE;
        }
        double floor_u = prof[p].u * M;
        double atol = pow2_ceil(BUDGET_FACTOR * (E > floor_u ? E : floor_u));
        json_t *qt = json_object();
        cep_json_set(qt, "atol", json_real(atol));
        cep_json_set(qt, "rtol", json_real(0.0));
        cep_json_set(qt, "ulps", json_real(0.0));
        cep_json_set(qt, "max_trace_error", json_real(E));
        cep_json_set(qt, "max_abs_expected", json_real(M));
        json_t *pt = json_object_get(tol, prof[p].name);
        cep_json_set(pt, cep_vq_table[i].name, qt);
        json_t *pe = json_object_get(env_obj, prof[p].name);
        cep_json_set(pe, cep_vq_table[i].name, penv);
    }
    free(env);
    free(env2);
    return CEP_OK;
}

/* ---- writing ------------------------------------------------------------------ */
typedef struct {
    char root[4608];       /* the suite directory being written (".new") */
    json_t *files;         /* relative path -> sha256, filled at the end */
    char err[512];
} vsuite;

/* Select the stored columns of a theta-axis quantity (THETA_SUBSET). */
static double *subset_copy(const double *v, size_t rows, size_t w, const size_t *idx, size_t n)
{
    double *o = malloc((rows * n > 0 ? rows * n : 1) * sizeof(double));
    if (!o)
        return NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++)
            o[r * n + j] = v[r * w + idx[j]];
    return o;
}

static int write_array(vsuite *su, const char *rel_noext, const double *v, size_t ndim,
                       const size_t *shape, cep_fmt fmt, int hex, const char *header)
{
    char path[8192], dir[8192];
    snprintf(path, sizeof path, "%s/%s.npy", su->root, rel_noext);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int st = cep_mkdir_p(dir, su->err, sizeof su->err);
    if (st)
        return st;
    st = cep_npy_write(path, v, ndim, shape, fmt, su->err, sizeof su->err);
    if (st == CEP_OK && hex) {
        snprintf(path, sizeof path, "%s/%s.hex", su->root, rel_noext);
        st = cep_hex_write(path, v, ndim, shape, fmt, header, su->err, sizeof su->err);
    }
    return st;
}

static json_t *json_shape(size_t ndim, const size_t *shape)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ndim; i++)
        cep_json_append(a, json_integer((json_int_t)shape[i]));
    return a;
}

#define CHEADER_MAX_VALUES 1500

static json_t *case_json_head(const vcase *c, const cep_shape *sh)
{
    json_t *o = json_object();
    cep_json_set(o, "id", json_string(c->id));
    cep_json_set(o, "kind", json_string(c->kind == VQ_KIND_TRAJ ? "trajectory" : "step"));
    cep_json_set(o, "comment", json_string(c->comment));
    json_t *fl = json_array();
    char buf[96];
    snprintf(buf, sizeof buf, "%s", c->flags);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        cep_json_append(fl, json_string(tok));
    cep_json_set(o, "flags", fl);
    cep_json_set(o, "model", json_string(cep_model_name(c->model)));
    cep_json_set(o, "activation", json_string(cep_activation_name(c->act)));
    cep_json_set(o, "eps", json_real(c->eps));
    cep_json_set(o, "sizes", json_shape(c->n_sizes, c->sizes));
    cep_json_set(o, "S", json_integer((json_int_t)sh->S));
    cep_json_set(o, "P", json_integer((json_int_t)sh->P));
    cep_json_set(o, "T", json_integer((json_int_t)c->T));
    cep_json_set(o, "K", json_integer((json_int_t)c->K));
    cep_json_set(o, "beta", json_real(c->beta));
    cep_json_set(o, "eta", json_array_of(c->eta, c->n_sizes - 1));
    cep_json_set(o, "seed", json_integer((json_int_t)c->seed));
    if (CEP_MODEL_IS_VF(c->model))
        cep_json_set(o, "angle_deg", json_real(c->angle));
    return o;
}

/* Write one case: inputs, every profile's arrays, the text and C header
 * forms; return its manifest object. */
static int write_case(vsuite *su, json_t *cases, const vcase *c, const vinputs *in,
                      const varrays *a)
{
    const cep_shape *sh = &in->sh;
    json_t *o = case_json_head(c, sh);
    cep_json_set(o, "truth_bits", json_integer(a->truth_bits));
    cep_json_append(cases, o);
    char rel[512], hdr[512];
    int st = CEP_OK;

    /* Inputs: exact in bfloat16, so one '<f4' .npy and one binary32 .hex serve all. */
    struct { const char *name; const double *v; size_t n; } inp[5] = {
        {"x", in->x, sh->size[0]}, {"y", in->y, sh->size[sh->n_layers]},
        {c->kind == VQ_KIND_TRAJ ? "theta0" : "theta", in->theta, sh->P},
        {"s", in->s, sh->S}, {"v", in->v, sh->S}};
    size_t n_inp = c->kind == VQ_KIND_TRAJ ? 3 : 5;
    json_t *ji = json_object();
    for (size_t k = 0; k < n_inp && st == CEP_OK; k++) {
        snprintf(rel, sizeof rel, "%s/inputs/%s", c->id, inp[k].name);
        snprintf(hdr, sizeof hdr, "cep vectors v1, case %s, input %s (exact in bfloat16)", c->id,
                 inp[k].name);
        st = write_array(su, rel, inp[k].v, 1, &inp[k].n, CEP_FMT_BINARY32, 0, hdr);
        if (st == CEP_OK) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s.hex", su->root, rel);
            st = cep_hex_write(path, inp[k].v, 1, &inp[k].n, CEP_FMT_BINARY32, hdr, su->err,
                               sizeof su->err);
        }
        json_t *e = json_object();
        char fn[600];
        cep_json_set(e, "shape", json_shape(1, &inp[k].n));
        snprintf(fn, sizeof fn, "%s.npy", rel);
        cep_json_set(e, "npy", json_string(fn));
        snprintf(fn, sizeof fn, "%s.hex", rel);
        cep_json_set(e, "hex", json_string(fn));
        cep_json_set(ji, inp[k].name, e);
    }
    cep_json_set(o, "inputs", ji);
    if (st)
        return st;

    /* The subset of theta's entries the per-step theta quantities keep. */
    size_t *idx = NULL, n_idx = sh->P;
    if (c->n_rows) {
        idx = malloc(sh->P * sizeof(size_t));
        double *idx_d = malloc(sh->P * sizeof(double));
        if (!idx || !idx_d) {
            free(idx);
            free(idx_d);
            return CEP_ENOMEM;
        }
        n_idx = 0;
        for (size_t r = 0; r < c->n_rows; r++)
            for (size_t j = 0; j < sh->size[0]; j++)
                idx[n_idx++] = sh->W_off[1] + c->rows[r] * sh->size[0] + j;
        for (size_t m = sh->b_off[1]; m < sh->P; m++)
            idx[n_idx++] = m;
        for (size_t j = 0; j < n_idx; j++)
            idx_d[j] = (double)idx[j];
        snprintf(rel, sizeof rel, "%s/inputs/theta_index", c->id);
        st = write_array(su, rel, idx_d, 1, &n_idx, CEP_FMT_BINARY64, 0, NULL);
        free(idx_d);
        json_t *sub = json_object();
        char fn[600];
        snprintf(fn, sizeof fn, "%s.npy", rel);
        cep_json_set(sub, "npy", json_string(fn));
        cep_json_set(sub, "count", json_integer((json_int_t)n_idx));
        cep_json_set(sub, "rule", json_string(c->comment));
        cep_json_set(o, "theta_subset", sub);
        if (st) {
            free(idx);
            return st;
        }
    }

    json_t *tol = json_object(), *envs = json_object(), *qs = json_array();
    cep_json_set(tol, "binary64", json_object());
    cep_json_set(tol, "binary32", json_object());
    cep_json_set(tol, "bfloat16", json_object());
    cep_json_set(envs, "binary64", json_object());
    cep_json_set(envs, "binary32", json_object());
    cep_json_set(envs, "bfloat16", json_object());
    cep_json_set(o, "quantities", qs);
    cep_json_set(o, "tolerance", tol);
    cep_json_set(o, "envelope", envs);
    size_t total_values = 0;
    for (int i = 0; i < VQ_N; i++)
        total_values += a->len[i];
    int small = total_values <= CHEADER_MAX_VALUES;

    for (int i = 0; i < VQ_N && st == CEP_OK; i++) {
        if (!a->len[i])
            continue;
        const vq_info *qi = &cep_vq_table[i];
        int sub = idx && qi->axis == VQ_AXIS_THETA;
        size_t w = sub ? n_idx : a->width[i];
        size_t shape[2], ndim;
        if (qi->rows == VQ_ROWS_ONE) {
            shape[0] = w;
            ndim = 1;
        } else {
            shape[0] = a->rows[i];
            shape[1] = w;
            ndim = 2;
        }
        json_t *qj = json_object();
        cep_json_set(qj, "name", json_string(qi->name));
        cep_json_set(qj, "phase", json_string(qi->phase));
        cep_json_set(qj, "axis", json_string(qi->axis == VQ_AXIS_STATE ? "state"
                                                   : qi->axis == VQ_AXIS_THETA ? "theta" : "scalar"));
        cep_json_set(qj, "shape", json_shape(ndim, shape));
        cep_json_set(qj, "first_step", json_integer(qi->first_step >= 0 ? qi->first_step
                                                           : (json_int_t)c->K));
        cep_json_set(qj, "subset", json_boolean(sub));
        cep_json_set(qj, "what", json_string(qi->what));
        json_t *prof = json_array();
        for (int p = 0; p < PF_N && st == CEP_OK; p++) {
            const double *v = a->val[p][i];
            double *tmp = NULL;
            if (sub) {
                tmp = subset_copy(v, a->rows[i], a->width[i], idx, n_idx);
                if (!tmp) {
                    st = CEP_ENOMEM;
                    break;
                }
                v = tmp;
            }
            snprintf(rel, sizeof rel, "%s/%s/%s", c->id, pf_dir[p], qi->name);
            snprintf(hdr, sizeof hdr, "cep vectors v1, case %s, %s, quantity %s: %s", c->id,
                     pf_dir[p], qi->name, qi->what);
            /* The paper-sized case keeps .hex for the narrow formats only (size). */
            st = write_array(su, rel, v, ndim, shape, pf_fmt[p], !idx || pf_fmt[p] != CEP_FMT_BINARY64, hdr);
            free(tmp);
            cep_json_append(prof, json_string(pf_dir[p]));
        }
        cep_json_set(qj, "profiles", prof);
        cep_json_append(qs, qj);
        if (st == CEP_OK)
            st = budget_json(tol, envs, a, i, su->err, sizeof su->err, c->id);
    }
    /* TestFloat-style lines for the single-step cases, one file per profile. */
    if (st == CEP_OK && c->kind == VQ_KIND_STEP)
        for (int p = 0; p < PF_N && st == CEP_OK; p++) {
            const char *names[VQ_N];
            const double *data[VQ_N];
            size_t counts[VQ_N], na = 0;
            for (int i = 0; i < VQ_N; i++)
                if (a->len[i]) {
                    names[na] = cep_vq_table[i].name;
                    data[na] = a->val[p][i];
                    counts[na++] = a->len[i];
                }
            char path[8192];
            snprintf(path, sizeof path, "%s/%s/%s/vectors.txt", su->root, c->id, pf_dir[p]);
            snprintf(hdr, sizeof hdr, "cep vectors v1, case %s, %s (%s bit patterns): "
                     "quantity index expected", c->id, pf_dir[p], cep_fmt_name(pf_fmt[p]));
            st = cep_tf_write(path, hdr, na, names, data, counts, pf_fmt[p], su->err,
                              sizeof su->err);
        }
    /* A C header of inputs, truth64 and truth32, for small cases. */
    if (st == CEP_OK && small) {
        const char *names[2 * VQ_N + 5];
        const double *data[2 * VQ_N + 5];
        size_t counts[2 * VQ_N + 5], na = 0;
        cep_fmt fmts[2 * VQ_N + 5];
        char namebuf[2 * VQ_N + 5][96];
        char cid[64];
        snprintf(cid, sizeof cid, "%s", c->id);
        for (char *p = cid; *p; p++)
            if (*p == '-') *p = '_';
        for (size_t k = 0; k < n_inp; k++) {
            snprintf(namebuf[na], sizeof namebuf[na], "%s_in_%s", cid, inp[k].name);
            names[na] = namebuf[na];
            data[na] = inp[k].v;
            counts[na] = inp[k].n;
            fmts[na++] = CEP_FMT_BINARY64;
        }
        for (int p = 0; p < 2; p++)
            for (int i = 0; i < VQ_N; i++)
                if (a->len[i]) {
                    snprintf(namebuf[na], sizeof namebuf[na], "%s_%s_%s", cid, pf_dir[p],
                             cep_vq_table[i].name);
                    names[na] = namebuf[na];
                    data[na] = a->val[p][i];
                    counts[na] = a->len[i];
                    fmts[na++] = pf_fmt[p];
                }
        char path[8192], guard[96];
        snprintf(path, sizeof path, "%s/%s/%s.h", su->root, c->id, c->id);
        snprintf(guard, sizeof guard, "CEP_VECTORS_%s_H", cid);
        for (char *p = guard; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        snprintf(hdr, sizeof hdr, "cep vectors v1, case %s: inputs (binary64 bits), truth64 "
                 "(binary64 bits) and truth32 (binary32 bits), row-major, step-major", c->id);
        st = cep_cheader_write(path, guard, hdr, na, names, data, counts, fmts, su->err,
                               sizeof su->err);
    }
    /* Which profiles come in which file format (spec/vectors.md §3). */
    json_t *fm = json_object(), *npy = json_array(), *hex = json_array(), *tf = json_array();
    for (int p = 0; p < PF_N; p++) {
        cep_json_append(npy, json_string(pf_dir[p]));
        if (!idx || pf_fmt[p] != CEP_FMT_BINARY64)
            cep_json_append(hex, json_string(pf_dir[p]));
        if (c->kind == VQ_KIND_STEP)
            cep_json_append(tf, json_string(pf_dir[p]));
    }
    cep_json_set(fm, "npy", npy);
    cep_json_set(fm, "hex", hex);
    cep_json_set(fm, "testfloat", tf);
    if (small) {
        snprintf(rel, sizeof rel, "%s/%s.h", c->id, c->id);
        cep_json_set(fm, "c_header", json_string(rel));
    } else {
        cep_json_set(fm, "c_header", json_null());
    }
    cep_json_set(o, "formats", fm);
    free(idx);
    return st;
}

/* sha256 of every file under root, as a sorted object. */
static json_t *g_files;
static size_t g_root_len;
static char g_sha_err[512];
static int sha_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)ftw;
    if (flag != FTW_F)
        return 0;
    char hex[65];
    if (cep_sha256_file(hex, p, g_sha_err, sizeof g_sha_err) != 0)
        return 1;
    cep_json_set(g_files, p + g_root_len + 1, json_string(hex));
    return 0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_files(json_t *files)
{
    size_t n = json_object_size(files), k = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    json_t *out = json_object();
    if (!keys) {
        json_decref(out);
        return NULL;          /* counted as a lost field by cep_json_set */
    }
    const char *key;
    json_t *val;
    json_object_foreach(files, key, val) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    for (size_t i = 0; i < n; i++)
        cep_json_set(out, keys[i], json_incref(json_object_get(files, keys[i])));
    free(keys);
    return out;
}

static int write_manifest(vsuite *su, json_t *m)
{
    g_files = json_object();
    if (g_files == NULL) {
        cep_errf(su->err, sizeof su->err, "%s: out of memory", su->root);
        return CEP_ENOMEM;
    }
    g_root_len = strlen(su->root);
    if (nftw(su->root, sha_cb, 16, FTW_PHYS) != 0) {
        cep_errf(su->err, sizeof su->err, "%s", g_sha_err);
        json_decref(g_files);
        return CEP_EVF_IO;
    }
    cep_json_set(m, "files", sorted_files(g_files));
    json_decref(g_files);
    char path[8192];
    snprintf(path, sizeof path, "%s/manifest.json", su->root);
    return cep_manifest_write(path, m, su->err, sizeof su->err);
}

void *cep_manifest_load(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cep_errf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if ((long long)sb.st_size > CEP_MANIFEST_MAX_BYTES) {
        cep_errf(err, errlen, "%s: %lld bytes, more than the 2^28 a manifest may have", path,
                 (long long)sb.st_size);
        return NULL;
    }
    json_error_t je;
    json_t *man = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (man == NULL)
        cep_errf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
    else if (!json_is_object(man)) {
        cep_errf(err, errlen, "%s: not a JSON object", path);
        json_decref(man);
        man = NULL;
    }
    return man;
}

static _Thread_local unsigned json_lost;   /* fields lost since cep_json_begin */

void cep_json_begin(void) { json_lost = 0; }

void cep_json_set(void *obj, const char *key, void *value)
{
    if (json_object_set_new((json_t *)obj, key, (json_t *)value) != 0)
        json_lost++;
}

void cep_json_append(void *arr, void *value)
{
    if (json_array_append_new((json_t *)arr, (json_t *)value) != 0)
        json_lost++;
}

int cep_manifest_write(const char *path, const void *json, char *err, size_t errlen)
{
    if (json == NULL || json_lost != 0) {
        cep_errf(err, errlen, "%s: out of memory while building the manifest", path);
        return CEP_ENOMEM;
    }
    char *text = json_dumps((const json_t *)json,
                            JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    /* Read the text back and compare: jansson 2.14's json_dumps can return
     * a text with a key missing when one of its allocations fails (seen
     * under tests/test_allocfail.c; docs/robustness.md), and the 17 digits
     * must give back every binary64 exactly. */
    json_t *back = text ? json_loads(text, 0, NULL) : NULL;
    int same = back != NULL && json_equal(back, (json_t *)json);
    json_decref(back);
    if (text != NULL && !same) {
        free(text);
        cep_errf(err, errlen, "%s: the manifest text does not read back as the manifest "
                 "(out of memory?)", path);
        return CEP_ENOMEM;
    }
    size_t n = text ? strlen(text) : 0;
    char *line = text ? realloc(text, n + 2) : NULL;
    if (line == NULL) {
        free(text);
        cep_errf(err, errlen, "%s: out of memory", path);
        return CEP_ENOMEM;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    int st = cep_text_write_atomic(path, line, err, errlen);
    free(line);
    return st;
}

static json_t *suite_head(const char *suite, const cep_vgen_opts *o)
{
    cep_json_begin();
    json_t *m = json_object();
    cep_json_set(m, "schema", json_string(CEP_VECTORS_SCHEMA));
    cep_json_set(m, "schema_version", json_string(CEP_VECTORS_SCHEMA_VERSION));
    cep_json_set(m, "suite", json_string(suite));
    cep_json_set(m, "level", json_integer(o->level));
    json_t *g = json_object();
    cep_json_set(g, "name", json_string("cep"));
    cep_json_set(g, "version", json_string(CEP_VERSION));
    cep_json_set(g, "source_sha256", json_string(o->source_hash ? o->source_hash : "unknown"));
    cep_json_set(g, "mpfr_version", json_string(mpfr_get_version()));
    cep_json_set(g, "gmp_version", json_string(gmp_version));
    cep_json_set(m, "generator", g);
    json_t *t = json_object();
    cep_json_set(t, "precision_bits", json_integer(o->truth_prec));
    cep_json_set(t, "recheck_bits", json_integer(2 * o->truth_prec));
    cep_json_set(t, "rounding", json_string("to nearest, ties to even, once, from the "
                                                   "MPFR value to each target format"));
    cep_json_set(t, "targets", json_string("truth64: binary64; truth32: binary32 (with "
                                                  "subnormals)"));
    cep_json_set(m, "truth", t);
    json_t *p = json_object();
    cep_json_set(p, "truth64", json_string("the truth rounded to binary64 ('<f8', 16-digit hex)"));
    cep_json_set(p, "truth32", json_string("the truth rounded to binary32 ('<f4', 8-digit hex)"));
    cep_json_set(p, "b64", json_string("the algorithm computed in binary64 (MPFR, 53 bits, "
                                              "exponents [-1073, 1024], subnormals), operation order of spec/model.md"));
    cep_json_set(p, "b32", json_string("the same in binary32 (24 bits, [-148, 128])"));
    cep_json_set(p, "bf16", json_string("the same in bfloat16 (8 bits, [-132, 128]); "
                                               "'<f4' in .npy (exact), 4-digit hex"));
    cep_json_set(m, "profiles", p);
    json_t *b = json_object();
    cep_json_set(b, "rule", json_string("pass when |a - e| <= atol + rtol |e| + ulps ULP(e)"));
    cep_json_set(b, "expected", json_string("binary64: truth64; binary32 and bfloat16: truth32"));
    cep_json_set(b, "derivation", json_string(
        "per case and quantity: E = the largest |trace - expected| over every step and index and "
        "over the variations (binary64: the b64 trace and the double build with the platform's "
        "libm; binary32: the b32 trace; bfloat16: the bf16 trace); M = the largest |expected|; "
        "u = 2^-53, 2^-24, 2^-8; atol = 8 max(E, u M) rounded up to a power of two; rtol = ulps = 0"));
    cep_json_set(b, "safety_factor", json_real(BUDGET_FACTOR));
    cep_json_set(m, "budget", b);
    json_t *n = json_object();
    cep_json_set(n, "BASIC", json_string("a model x activation x size grid point, default inputs"));
    cep_json_set(n, "NEGATIVE_BETA", json_string("beta < 0"));
    cep_json_set(n, "SATURATION", json_string("pre-activations deep in the flat tails of rho"));
    cep_json_set(n, "KINK", json_string("values exactly on hardsigmoid's kinks 0 and 1"));
    cep_json_set(n, "ZERO_INPUT", json_string("x = 0"));
    cep_json_set(n, "LARGE_WEIGHTS", json_string("weights and biases scaled by 8"));
    cep_json_set(n, "LONG_HORIZON", json_string("T >= 500"));
    cep_json_set(n, "PAPER_SIZE", json_string("the paper's 784-512-10 network"));
    cep_json_set(n, "THETA_SUBSET", json_string("per-step theta quantities keep the columns listed in inputs/theta_index"));
    cep_json_set(n, "LEVEL2", json_string("generated on demand (LEVEL=2), not committed"));
    cep_json_set(m, "notes", n);
    cep_json_set(m, "inputs", json_string(
        "x, y, theta from the PRNG of spec/model.md §7 (INIT.1-2) with the case's seed, edited as "
        "the flags say, then rounded to bfloat16; single-step s and v as spec/vectors.md says"));
    return m;
}

static void say(const cep_vgen_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const cep_vgen_opts *o, const char *fmt, ...)
{
    if (!o->progress)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    o->progress(o->progress_arg, buf);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define MAX_CASES 128

int cep_vectors_generate(const cep_vgen_opts *o, char *err, size_t errlen)
{
    if (o == NULL || o->out_dir == NULL)
        return CEP_EARG;
    if (o->level < 1 || o->level > 2 || o->truth_prec < 256 || o->truth_prec > 65536) {
        cep_errf(err, errlen, "level must be 1 or 2 and the truth precision 256..65536 bits");
        return CEP_EV_USAGE;
    }
    if (strlen(o->out_dir) > 3000) {
        cep_errf(err, errlen, "%.40s...: output directory name too long", o->out_dir);
        return CEP_EV_USAGE;
    }
    static vcase cases[MAX_CASES];
    size_t n = build_cases(cases, MAX_CASES, o->level);
    if (n > MAX_CASES)
        return CEP_EOVERFLOW;
    static const char *const suites[2] = {"traj", "step"};
    int st = CEP_OK;
    /* Both suites are written to <suite>.new first and swapped in only when
     * both are complete; a failure or a stop request (cep_stop_requested:
     * SIGINT, SIGTERM) removes the .new directories and leaves the previous
     * suites untouched. */
    vsuite sus[2];
    memset(sus, 0, sizeof sus);
    size_t n_done[2] = {0, 0};
    for (int s = 0; s < 2 && st == CEP_OK; s++) {
        vq_kind kind = s == 0 ? VQ_KIND_TRAJ : VQ_KIND_STEP;
        vsuite su;
        memset(&su, 0, sizeof su);
        char final_dir[4096];
        snprintf(final_dir, sizeof final_dir, "%s/%s", o->out_dir, suites[s]);
        snprintf(su.root, sizeof su.root, "%s.new", final_dir);
        if (cep_tree_remove(su.root) != 0) {
            cep_errf(err, errlen, "%s: cannot remove: %s", su.root, strerror(errno));
            st = CEP_EVF_OPEN;
            break;
        }
        if (cep_mkdir_p(su.root, err, errlen) != 0) {
            st = CEP_EVF_OPEN;
            break;
        }
        json_t *m = suite_head(suites[s], o), *jcases = json_array();
        cep_json_set(m, "cases", jcases);
        size_t done = 0, total = 0;
        for (size_t i = 0; i < n; i++)
            if (cases[i].kind == kind && (!o->only || fnmatch(o->only, cases[i].id, 0) == 0))
                total++;
        for (size_t i = 0; i < n && st == CEP_OK; i++) {
            const vcase *c = &cases[i];
            if (c->kind != kind || (o->only && fnmatch(o->only, c->id, 0) != 0))
                continue;
            if (cep_stop_requested()) {
                cep_errf(err, errlen, "interrupted before case %s: the previous suites in %s are kept",
                         c->id, o->out_dir);
                st = CEP_EINTR;
                break;
            }
            double t0 = now_s();
            vinputs in;
            varrays a;
            memset(&a, 0, sizeof a);
            st = make_inputs(&in, c);
            if (st) {
                cep_errf(err, errlen, "case %s: %s", c->id, cep_strerror(st));
                break;
            }
            plan_lengths(&a, c, &in.sh);
            st = compute_case(&a, c, &in, o->truth_prec, err, errlen);
            if (st == CEP_OK) {
                st = write_case(&su, jcases, c, &in, &a);
                if (st)
                    cep_errf(err, errlen, "%s", su.err);
            }
            varrays_free(&a);
            vinputs_free(&in);
            done++;
            say(o, "vectors: %s [%zu/%zu] %s (%.1f s)", suites[s], done, total, c->id, now_s() - t0);
        }
        if (st == CEP_OK) {
            st = write_manifest(&su, m);
            if (st)
                cep_errf(err, errlen, "%s", su.err);
        }
        json_decref(m);
        sus[s] = su;
        n_done[s] = done;
    }
    for (int s = 0; s < 2; s++) {
        const vsuite *sp = &sus[s];
        char final_dir[4096];
        snprintf(final_dir, sizeof final_dir, "%s/%s", o->out_dir, suites[s]);
        if (st == CEP_OK) {
            /* Swap the complete suite in (exchanged with the old one in one
             * step where the kernel can); on failure the .new directory is
             * removed and so, below, is the other one. */
            if (cep_dir_replace(sp->root, final_dir, err, errlen) != CEP_OK) {
                st = CEP_EVF_IO;
                continue;
            }
            say(o, "vectors: wrote %s (%zu cases)", final_dir, n_done[s]);
        } else if (sp->root[0]) {
            cep_tree_remove(sp->root);
        }
    }
    return st;
}
