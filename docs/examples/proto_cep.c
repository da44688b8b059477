/* proto_cep.c -- a worked example for docs/vectors.md: the prototypical
 * model's free phase and the C-EP second phase, re-implemented from
 * spec/model.md alone (nothing from src/ is included or linked).
 *
 *   proto_cep [--bug] SUITE RESULTS
 *
 * reads SUITE/manifest.json and, for every case with kind "trajectory" and
 * model "prototypical", SUITE/ID/inputs/{x,y,theta0}.npy; it writes
 * RESULTS/ID/{free_s,cep_s,cep_theta,cep_delta_s,cep_delta_theta,cep_total}.npy.
 *
 * Everything is binary64 with the spec's operation order (§0.2, §0.5): one
 * rounded operation per C operator, sums from +0 in increasing index order,
 * no FMA (compile with -ffp-contract=off). The results then agree bit for
 * bit with any conforming implementation, except where libm's tanh and exp
 * differ (activations tanh and sigmoid4).
 *
 * --bug plants one realistic mistake (the sign of the nudging term, see
 * nudged_step) so that a checker can be seen to catch it.
 *
 * Build:
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off \
 *      -o build/examples/proto_cep docs/examples/proto_cep.c -ljansson -lm
 */
#define _POSIX_C_SOURCE 200809L /* mkdir */

#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#if FLT_EVAL_METHOD != 0
#error "binary64 intermediates required (spec/model.md §0.2)"
#endif

/* Limits of spec/model.md §0.7. */
#define MAX_LAYERS 16
#define MAX_LAYER_SIZE ((size_t)1 << 20)
#define MAX_PARAMS ((size_t)1 << 28)
#define MAX_STEPS ((size_t)1 << 24)

enum act { ACT_TANH, ACT_SIGMOID4, ACT_HARDSIGMOID, ACT_IDENTITY };

/* The network of one case, with the offsets of (LAYOUT.1-2). */
typedef struct {
    enum act act;
    size_t N;                         /* layers after the input           */
    size_t n[MAX_LAYERS + 1];         /* n[0] = n_0 .. n[N] = n_N         */
    size_t s_off[MAX_LAYERS + 1];     /* s_l starts at s_off[l], l >= 1   */
    size_t W_off[MAX_LAYERS + 1];     /* W_l starts at W_off[l]           */
    size_t b_off[MAX_LAYERS + 1];     /* b_l starts at b_off[l]           */
    size_t S, P;
} net;

/* ---------------------------------------------------------------------- */
/* The model (spec §1.2, §2.1, §2.3)                                       */
/* ---------------------------------------------------------------------- */

/* rho(u), (ACT.1)-(ACT.4), each line one rounded operation. */
static double rho(enum act a, double u)
{
    switch (a) {
    case ACT_TANH:
        return tanh(u);                                 /* (ACT.1) */
    case ACT_SIGMOID4: {
        double e = exp(-4.0 * (u - 0.5));               /* (ACT.2) */
        return 1.0 / (1.0 + e);
    }
    case ACT_HARDSIGMOID:                               /* (ACT.3) */
        if (u < 0.0) return 0.0;                        /* -0 is not < 0: rho(-0) = -0 */
        if (u > 1.0) return 1.0;
        return u;
    case ACT_IDENTITY:                                  /* (ACT.4) */
    default:
        return u;
    }
}

/* Layer l of a state s (l >= 1), or the input x for l = 0 (PRE.1, p = s). */
static const double *layer(const net *nt, const double *x, const double *s, size_t l)
{
    return l == 0 ? x : s + nt->s_off[l];
}

/* out = F(x, s, theta), (F.P) with h by (PRE.2)/(ORD.2). out != s.
 * Every sum starts from +0 and adds its terms in increasing index order,
 * each product rounded first (ORD.1): "r = r + W * s" is two roundings
 * because -ffp-contract=off forbids fusing it into an FMA. */
static void model_step(const net *nt, double *out, const double *theta,
                       const double *x, const double *s)
{
    for (size_t l = 1; l <= nt->N; l++) {
        const size_t nl = nt->n[l], nb = nt->n[l - 1];
        const double *W = theta + nt->W_off[l], *b = theta + nt->b_off[l];
        const double *below = layer(nt, x, s, l - 1);
        for (size_t i = 0; i < nl; i++) {
            double r = 0.0;                             /* r_i = (W_l s_{l-1})_i, (ORD.1) */
            for (size_t j = 0; j < nb; j++)
                r = r + W[i * nb + j] * below[j];
            double h = r + b[i];
            if (l < nt->N) {                            /* c_i = (W_{l+1}^T s_{l+1})_i */
                const size_t na = nt->n[l + 1];
                const double *Wa = theta + nt->W_off[l + 1];
                const double *above = s + nt->s_off[l + 1];
                double c = 0.0;
                for (size_t k = 0; k < na; k++)
                    c = c + Wa[k * nl + i] * above[k];
                h = h + c;                              /* h = (r + b) + c, (ORD.2) */
            }
            out[nt->s_off[l] + i] = rho(nt->act, h);
        }
    }
}

/* g = G(x, s) = dPhi/dtheta in theta's layout, (G.P). */
static void model_G(const net *nt, double *g, const double *x, const double *s)
{
    for (size_t l = 1; l <= nt->N; l++) {
        const size_t nl = nt->n[l], nb = nt->n[l - 1];
        const double *sl = s + nt->s_off[l], *below = layer(nt, x, s, l - 1);
        double *gW = g + nt->W_off[l], *gb = g + nt->b_off[l];
        for (size_t i = 0; i < nl; i++) {
            for (size_t j = 0; j < nb; j++)
                gW[i * nb + j] = sl[i] * below[j];
            gb[i] = sl[i];
        }
    }
}

/* ---------------------------------------------------------------------- */
/* The two phases (spec §3)                                                */
/* ---------------------------------------------------------------------- */

/* traj[(T+1) S] = s_0 .. s_T: (FREE.0) then (FREE.1). Returns 0, or -1 on a
 * non-finite state. */
static int free_phase(const net *nt, double *traj, const double *theta,
                      const double *x, size_t T)
{
    const size_t S = nt->S;
    for (size_t i = 0; i < S; i++)
        traj[i] = 0.0;                                  /* (FREE.0): every entry +0 */
    for (size_t t = 0; t < T; t++) {
        double *next = traj + (t + 1) * S;
        model_step(nt, next, theta, x, traj + t * S);   /* (FREE.1) */
        for (size_t i = 0; i < S; i++)
            if (!isfinite(next[i])) return -1;
    }
    return 0;
}

/* The outputs of the second phase, step-major (§0.6). */
typedef struct {
    double *s;        /* (K+1) S: s_0 = s_* .. s_K      */
    double *theta;    /* (K+1) P: theta_0 .. theta_K    */
    double *delta_s;  /* K S: (NORM.1)                  */
    double *delta_th; /* K P: (NUDGE.2) = (NORM.2)      */
    double *total;    /* P:   (CEP.2)                   */
} cep_out;

/* One step k of (NUDGE.1): next = F(x, s, theta_k) - beta (s_N - y) on the
 * output layer, F alone on the others. */
static void nudged_step(const net *nt, double *next, const double *theta,
                        const double *x, const double *y, const double *s,
                        double beta, int bug)
{
    model_step(nt, next, theta, x, s);
    const size_t o = nt->s_off[nt->N];
    for (size_t i = 0; i < nt->n[nt->N]; i++) {
        double f = next[o + i];
        double pull = beta * (s[o + i] - y[i]);         /* beta dl/ds, (COST.2) */
        next[o + i] = f - pull;                         /* (NUDGE.1) */
        if (bug) next[o + i] = f + pull; /* DELIBERATE BUG (--bug): nudging sign flipped */
    }
}

/* The C-EP second phase, K steps from s_* (NUDGE.1-4, CEP.1-2, NORM.1-2).
 * eta[l-1] is the rate of block l = (W_l, b_l). g0, g1: P scratch each.
 * Returns 0, or -1 on a non-finite state or update. */
static int cep_phase(const net *nt, cep_out *o, const double *theta0,
                     const double *x, const double *y, const double *s_star,
                     size_t K, double beta, const double *eta, int bug,
                     double *g0, double *g1)
{
    const size_t S = nt->S, P = nt->P;
    memcpy(o->s, s_star, S * sizeof *o->s);             /* (NUDGE.3) */
    memcpy(o->theta, theta0, P * sizeof *o->theta);
    for (size_t m = 0; m < P; m++)
        o->total[m] = 0.0;                              /* (CEP.2) from +0 */
    model_G(nt, g0, x, o->s);                           /* G(s_0), reused at step 0 */

    for (size_t k = 0; k < K; k++) {
        const double *s = o->s + k * S, *th = o->theta + k * P;
        double *s1 = o->s + (k + 1) * S, *th1 = o->theta + (k + 1) * P;
        double *ds = o->delta_s + k * S, *dth = o->delta_th + k * P;

        nudged_step(nt, s1, th, x, y, s, beta, bug);    /* (NUDGE.1) */
        for (size_t i = 0; i < S; i++) {
            if (!isfinite(s1[i])) return -1;
            ds[i] = (s1[i] - s[i]) / beta;              /* (NORM.1) */
        }

        model_G(nt, g1, x, s1);                         /* G(s_{k+1}) */
        for (size_t m = 0; m < P; m++) {
            dth[m] = (g1[m] - g0[m]) / beta;            /* (NUDGE.2): divide, no 1/beta */
            if (!isfinite(dth[m])) return -1;
        }

        for (size_t l = 1; l <= nt->N; l++) {           /* (CEP.1), block by block */
            const size_t end = nt->b_off[l] + nt->n[l];
            for (size_t m = nt->W_off[l]; m < end; m++)
                th1[m] = th[m] + eta[l - 1] * dth[m];
        }
        for (size_t m = 0; m < P; m++)
            o->total[m] = o->total[m] + dth[m];         /* (CEP.2), k increasing */

        double *t = g0; g0 = g1; g1 = t;                /* G(s_{k+1}) is next step's G(s_k) */
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* .npy files (NumPy format version 1.0, '<f8' or '<f4' read, '<f8' written) */
/* ---------------------------------------------------------------------- */

/* Decode / encode one little-endian binary64, independent of the host. */
static double get_le_f8(const unsigned char *p)
{
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--)
        u = (u << 8) | p[k];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static double get_le_f4(const unsigned char *p)
{
    uint32_t u = 0;
    for (int k = 3; k >= 0; k--)
        u = (u << 8) | p[k];
    float f;
    memcpy(&f, &u, sizeof f);
    return (double)f;
}

static void put_le_f8(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int k = 0; k < 8; k++, u >>= 8)
        p[k] = (unsigned char)(u & 0xff);
}

/* Find 'key': in the header dict and return a pointer just past the colon
 * and any spaces, or NULL. */
static const char *npy_field(const char *hdr, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(hdr, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    return p;
}

/* Read a 1-D '<f8' or '<f4' array (the suite's inputs are '<f4'); *out (malloc'd) and *n receive it. Returns 0, or
 * -1 after printing "FILE: what is wrong". */
static int npy_read(const char *path, double **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "proto_cep: %s: %s\n", path, strerror(errno));
        return -1;
    }
    unsigned char pre[10];
    char *hdr = NULL;
    unsigned char *raw = NULL;
    const char *why = NULL;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        why = "not a .npy file (bad magic)";
        goto fail;
    }
    if (pre[6] != 1 || pre[7] != 0) {
        why = "unsupported .npy version (need 1.0)";
        goto fail;
    }
    size_t hlen = (size_t)pre[8] | ((size_t)pre[9] << 8);
    hdr = malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) {
        why = "truncated header";
        goto fail;
    }
    hdr[hlen] = '\0';
    const char *p = npy_field(hdr, "descr");
    size_t item = 0;
    if (p && strncmp(p, "'<f8'", 5) == 0)
        item = 8;
    else if (p && strncmp(p, "'<f4'", 5) == 0)
        item = 4;
    else {
        why = "dtype is not '<f8' or '<f4' (little-endian binary64 or binary32)";
        goto fail;
    }
    p = npy_field(hdr, "fortran_order");
    if (!p || strncmp(p, "False", 5) != 0) {
        why = "not C order (fortran_order must be False)";
        goto fail;
    }
    p = npy_field(hdr, "shape");
    char *end;
    if (!p || *p != '(') {
        why = "no shape";
        goto fail;
    }
    errno = 0;
    unsigned long long len = strtoull(p + 1, &end, 10);
    while (*end == ' ') end++;
    if (errno || end == p + 1 || end[0] != ',' || end[1] != ')' || len > MAX_PARAMS) {
        why = "shape is not 1-D (n,) with a sane n";
        goto fail;
    }
    raw = malloc(len ? (size_t)len * item : 1);
    double *v = malloc(len ? (size_t)len * sizeof *v : 1);
    if (!raw || !v) {
        free(v);
        why = "out of memory";
        goto fail;
    }
    if (fread(raw, item, (size_t)len, f) != (size_t)len || fgetc(f) != EOF) {
        free(v);
        why = "data length does not match the shape";
        goto fail;
    }
    for (size_t i = 0; i < (size_t)len; i++)
        v[i] = item == 8 ? get_le_f8(raw + 8 * i) : get_le_f4(raw + 4 * i);
    fclose(f);
    free(hdr);
    free(raw);
    *out = v;
    *n = (size_t)len;
    return 0;
fail:
    fprintf(stderr, "proto_cep: %s: %s\n", path, why);
    fclose(f);
    free(hdr);
    free(raw);
    return -1;
}

/* Write v as a '<f8' array of shape (rows, cols), or (rows,) if cols == 0.
 * Returns 0, or -1 after printing the error. */
static int npy_write(const char *path, const double *v, size_t rows, size_t cols)
{
    char dict[128], shape[64];
    if (cols) snprintf(shape, sizeof shape, "(%zu, %zu)", rows, cols);
    else snprintf(shape, sizeof shape, "(%zu,)", rows);
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape);
    /* Pad with spaces and end with '\n' so that 10 + hlen is a multiple of 64. */
    size_t hlen = (size_t)len + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    size_t count = cols ? rows * cols : rows;

    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "proto_cep: %s: %s\n", path, strerror(errno));
        return -1;
    }
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fputs(dict, f) >= 0;
    for (size_t k = (size_t)len; ok && k < hlen - 1; k++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    for (size_t i = 0; ok && i < count; i++) {
        unsigned char b[8];
        put_le_f8(b, v[i]);
        ok = fwrite(b, 1, 8, f) == 8;
    }
    if (fclose(f) != 0) ok = 0;
    if (!ok) {
        fprintf(stderr, "proto_cep: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* One case of the manifest                                                */
/* ---------------------------------------------------------------------- */

typedef struct {
    const char *id;
    net nt;
    size_t T, K;
    double beta;
    double eta[MAX_LAYERS];
} case_t;

static int bad(const char *manifest, const char *id, const char *what)
{
    fprintf(stderr, "proto_cep: %s: case \"%s\": %s\n", manifest, id ? id : "?", what);
    return -1;
}

/* A JSON integer in [lo, hi] into *out. */
static int get_size(const json_t *obj, const char *key, size_t lo, size_t hi, size_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) return -1;
    json_int_t i = json_integer_value(v);
    if (i < 0 || (unsigned long long)i < lo || (unsigned long long)i > hi) return -1;
    *out = (size_t)i;
    return 0;
}

/* Parse and validate the fields of one prototypical trajectory case. */
static int parse_case(const char *mf, const json_t *c, case_t *cs)
{
    const char *id = cs->id;
    const char *act = json_string_value(json_object_get(c, "activation"));
    if (!act) return bad(mf, id, "\"activation\" missing or not a string");
    if (!strcmp(act, "tanh")) cs->nt.act = ACT_TANH;
    else if (!strcmp(act, "sigmoid4")) cs->nt.act = ACT_SIGMOID4;
    else if (!strcmp(act, "hardsigmoid")) cs->nt.act = ACT_HARDSIGMOID;
    else if (!strcmp(act, "identity")) cs->nt.act = ACT_IDENTITY;
    else return bad(mf, id, "unknown \"activation\" (tanh, sigmoid4, hardsigmoid, identity)");

    const json_t *sz = json_object_get(c, "sizes");
    if (!json_is_array(sz) || json_array_size(sz) < 2 || json_array_size(sz) > MAX_LAYERS + 1)
        return bad(mf, id, "\"sizes\" must be an array of 2..17 integers");
    net *nt = &cs->nt;
    nt->N = json_array_size(sz) - 1;
    for (size_t l = 0; l <= nt->N; l++) {
        const json_t *v = json_array_get(sz, l);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            (unsigned long long)json_integer_value(v) > MAX_LAYER_SIZE)
            return bad(mf, id, "a layer size is not an integer in [1, 2^20]");
        nt->n[l] = (size_t)json_integer_value(v);
    }
    /* (LAYOUT.1-2); every product stays below 2^40 + 2^20, no overflow. */
    nt->S = 0;
    nt->P = 0;
    for (size_t l = 1; l <= nt->N; l++) {
        nt->s_off[l] = nt->S;
        nt->S += nt->n[l];
        nt->W_off[l] = nt->P;
        nt->b_off[l] = nt->W_off[l] + nt->n[l] * nt->n[l - 1];
        nt->P = nt->b_off[l] + nt->n[l];
        if (nt->P > MAX_PARAMS) return bad(mf, id, "more than 2^28 parameters");
    }

    if (get_size(c, "T", 1, MAX_STEPS, &cs->T) || get_size(c, "K", 1, cs->T, &cs->K))
        return bad(mf, id, "\"T\", \"K\" must be integers with 1 <= K <= T <= 2^24");
    const json_t *b = json_object_get(c, "beta");
    if (!json_is_number(b) || !isfinite(json_number_value(b)) || json_number_value(b) == 0.0)
        return bad(mf, id, "\"beta\" must be a finite non-zero number");
    cs->beta = json_number_value(b);
    const json_t *e = json_object_get(c, "eta");
    if (!json_is_array(e) || json_array_size(e) != nt->N)
        return bad(mf, id, "\"eta\" must be an array of N = len(sizes) - 1 numbers");
    for (size_t l = 0; l < nt->N; l++) {
        const json_t *v = json_array_get(e, l);
        if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
            return bad(mf, id, "an \"eta\" entry is not a finite number >= 0");
        cs->eta[l] = json_number_value(v);
    }
    /* The output arrays must fit in memory sizes: (T+1) S and (K+1) P. */
    if (nt->S > SIZE_MAX / 8 / (cs->T + 1) || nt->P > SIZE_MAX / 8 / (cs->K + 1))
        return bad(mf, id, "T, K and the sizes are too large for this machine");
    return 0;
}

/* Read one input vector of the expected length. */
static int read_input(const char *suite, const char *id, const char *name,
                      size_t want, double **out)
{
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/%s/inputs/%s.npy", suite, id, name);
    if (npy_read(path, out, &n)) return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite((*out)[i])) {
            fprintf(stderr, "proto_cep: %s: entry %zu is not finite\n", path, i);
            return -1;
        }
    if (n != want) {
        fprintf(stderr, "proto_cep: %s: has %zu values, the case needs %zu\n", path, n, want);
        return -1;
    }
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "proto_cep: %s: cannot create directory: %s\n", path, strerror(errno));
    return -1;
}

/* Run one case and write its six results. Returns 0, 1 (computation
 * diverged), or 2 (bad input, I/O error). */
static int run_case(const char *suite, const char *results, const case_t *cs, int bug)
{
    const net *nt = &cs->nt;
    const size_t S = nt->S, P = nt->P, T = cs->T, K = cs->K;
    double *x = NULL, *y = NULL, *theta0 = NULL;
    int rc = 2;
    if (read_input(suite, cs->id, "x", nt->n[0], &x) ||
        read_input(suite, cs->id, "y", nt->n[nt->N], &y) ||
        read_input(suite, cs->id, "theta0", P, &theta0)) {
        free(x);
        free(y);
        free(theta0);
        return 2;
    }

    double *traj = malloc((T + 1) * S * sizeof *traj);
    cep_out o = {
        .s = malloc((K + 1) * S * sizeof(double)),
        .theta = malloc((K + 1) * P * sizeof(double)),
        .delta_s = malloc(K * S * sizeof(double)),
        .delta_th = malloc(K * P * sizeof(double)),
        .total = malloc(P * sizeof(double)),
    };
    double *g0 = malloc(P * sizeof *g0), *g1 = malloc(P * sizeof *g1);
    if (!traj || !o.s || !o.theta || !o.delta_s || !o.delta_th || !o.total || !g0 || !g1) {
        fprintf(stderr, "proto_cep: case \"%s\": out of memory\n", cs->id);
        goto done;
    }

    if (free_phase(nt, traj, theta0, x, T) ||
        cep_phase(nt, &o, theta0, x, y, traj + T * S, K, cs->beta, cs->eta, bug, g0, g1)) {
        fprintf(stderr, "proto_cep: case \"%s\": a state or update became NaN or infinite\n",
                cs->id);
        rc = 1;
        goto done;
    }

    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", results, cs->id);
    if (make_dir(dir)) goto done;
#define OUT(name, v, r, c) \
    (snprintf(path, sizeof path, "%s/%s.npy", dir, name), npy_write(path, v, r, c))
    if (OUT("free_s", traj, T + 1, S) || OUT("cep_s", o.s, K + 1, S) ||
        OUT("cep_theta", o.theta, K + 1, P) || OUT("cep_delta_s", o.delta_s, K, S) ||
        OUT("cep_delta_theta", o.delta_th, K, P) || OUT("cep_total", o.total, P, 0))
        goto done;
#undef OUT
    rc = 0;
done:
    free(x); free(y); free(theta0); free(traj);
    free(o.s); free(o.theta); free(o.delta_s); free(o.delta_th); free(o.total);
    free(g0); free(g1);
    return rc;
}

/* A case id becomes one path component: no '/', not "." or "..". */
static int id_ok(const char *id)
{
    return id && *id && !strchr(id, '/') && strcmp(id, ".") && strcmp(id, "..");
}

static void usage(void)
{
    fprintf(stderr,
            "usage: proto_cep [--bug] SUITE RESULTS\n"
            "  Reads SUITE/manifest.json and, for each case with kind \"trajectory\" and\n"
            "  model \"prototypical\", SUITE/ID/inputs/{x,y,theta0}.npy; writes\n"
            "  RESULTS/ID/{free_s,cep_s,cep_theta,cep_delta_s,cep_delta_theta,cep_total}.npy.\n"
            "  --bug  flip the sign of the nudging term (a deliberate bug, to test a checker)\n"
            "Exit: 0 success, 1 a computation diverged, 2 bad usage or bad input.\n");
}

int main(int argc, char **argv)
{
    int bug = 0, a = 1;
    if (a < argc && !strcmp(argv[a], "--bug")) {
        bug = 1;
        a++;
    }
    if (argc - a != 2 || argv[a][0] == '-' || argv[a + 1][0] == '-') {
        usage();
        return 2;
    }
    const char *suite = argv[a], *results = argv[a + 1];

    char mf[4096];
    snprintf(mf, sizeof mf, "%s/manifest.json", suite);
    json_error_t jerr;
    json_t *root = json_load_file(mf, 0, &jerr);
    if (!root) {
        if (jerr.line > 0)
            fprintf(stderr, "proto_cep: %s:%d:%d: %s\n", mf, jerr.line, jerr.column, jerr.text);
        else
            fprintf(stderr, "proto_cep: %s: %s\n", mf, jerr.text);
        return 2;
    }
    const json_t *cases = json_object_get(root, "cases");
    if (!json_is_array(cases)) {
        fprintf(stderr, "proto_cep: %s: no \"cases\" array\n", mf);
        json_decref(root);
        return 2;
    }
    if (make_dir(results)) {
        json_decref(root);
        return 2;
    }

    int rc = 0;
    size_t done = 0;
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *jc = json_array_get(cases, c);
        case_t cs = {.id = json_string_value(json_object_get(jc, "id"))};
        const char *kind = json_string_value(json_object_get(jc, "kind"));
        const char *model = json_string_value(json_object_get(jc, "model"));
        if (!json_is_object(jc) || !id_ok(cs.id) || !kind || !model) {
            fprintf(stderr, "proto_cep: %s: case %zu: needs a string \"id\" (one path "
                    "component), \"kind\" and \"model\"\n", mf, c);
            rc = 2;
            continue;
        }
        if (strcmp(kind, "trajectory") || strcmp(model, "prototypical"))
            continue;                                   /* not this example's business */
        if (parse_case(mf, jc, &cs)) {
            rc = 2;
            continue;
        }
        int r = run_case(suite, results, &cs, bug);
        if (r > rc) rc = r;
        if (r == 0) done++;
    }
    printf("proto_cep: %zu case(s) written to %s%s\n", done, results,
           bug ? " (with --bug: wrong on purpose)" : "");
    json_decref(root);
    return rc;
}
