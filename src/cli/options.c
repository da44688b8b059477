/* options.c -- strict parsing of cep's options: every value must be consumed
 * whole, numbers must be finite and in range, and each failure names the
 * option and the offending text. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/options.h"

void cli_opts_default(cep_cli_opts *o, cli_command cmd)
{
    memset(o, 0, sizeof *o);
    o->model = CEP_MODEL_ENERGY;
    o->act = CEP_ACT_TANH;
    o->n_sizes = 3;
    o->sizes[0] = 5;
    o->sizes[1] = 8;
    o->sizes[2] = 3;
    o->eps = 0.5;
    o->T = 200;
    o->K = 10;
    o->beta = 1e-3;
    o->eta = 1e-6;
    o->seed = 1;
    o->use_mpfr = 1;
    o->prec = 256;
    o->beta_from = 1e-1;
    o->beta_to = 1e-30;
    o->decades = 1;
    o->eta_scale = 1.0;
    o->out_dir = "build/report";
    o->T_max = 100000;
    o->gdd_beta = 1e-2;
    if (cmd == CLI_THEOREM) {
        /* the embedded default of `make verify` (spec/theorem.md §8) */
        o->n_sizes = 4;
        o->sizes[0] = 10;
        o->sizes[1] = 16;
        o->sizes[2] = 16;
        o->sizes[3] = 4;
        o->K = 12;
        o->prec = 0;
    }
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return -1;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || (errno == ERANGE && v != 0.0 && fabs(v) > 1.0))
        return -1;
    *out = v;
    return 0;
}

static int parse_sizes(cep_cli_opts *o, const char *s)
{
    char buf[512];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len + 1);
    size_t n = 0;
    char *save = NULL;
    if (buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
        return -1;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned long long v;
        if (n >= CEP_MAX_LAYERS + 1 || parse_u64(tok, CEP_MAX_LAYER_SIZE, &v) || v == 0)
            return -1;
        o->sizes[n++] = (size_t)v;
    }
    if (n < 2)
        return -1;
    o->n_sizes = n;
    return 0;
}

int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    return parse_u64(s, max, out);
}

int cli_parse_double(const char *s, double *out)
{
    return parse_double(s, out);
}

int cli_parse_sizes(size_t *sizes, size_t *n, const char *s)
{
    cep_cli_opts o;
    if (parse_sizes(&o, s) != 0)
        return -1;
    memcpy(sizes, o.sizes, o.n_sizes * sizeof *sizes);
    *n = o.n_sizes;
    return 0;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* "FROM:TO" with FROM >= TO > 0 */
static int parse_sweep(cep_cli_opts *o, const char *s)
{
    const char *colon = strchr(s, ':');
    char a[64];
    if (colon == NULL || (size_t)(colon - s) >= sizeof a)
        return -1;
    memcpy(a, s, (size_t)(colon - s));
    a[colon - s] = '\0';
    double from, to;
    if (parse_double(a, &from) || parse_double(colon + 1, &to))
        return -1;
    if (!(from >= to && to > 0))
        return -1;
    o->beta_from = from;
    o->beta_to = to;
    return 0;
}

/* FROM:TO:STEP in degrees: angles FROM, FROM + STEP, .. up to TO (TO
 * included when it is reached to within 1e-9 of a step). */
static int parse_angle_sweep(cep_cli_opts *o, const char *s)
{
    char buf[192], *parts[3];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    parts[0] = buf;
    for (int k = 1; k < 3; k++) {
        char *c = strchr(parts[k - 1], ':');
        if (c == NULL)
            return -1;
        *c = '\0';
        parts[k] = c + 1;
    }
    double from, to, step;
    if (parse_double(parts[0], &from) || parse_double(parts[1], &to) || parse_double(parts[2], &step))
        return -1;
    if (!(from >= 0 && from <= to && to <= 180 && step > 0))
        return -1;
    double n = floor((to - from) / step + 1e-9) + 1;
    if (n > 181)
        return -1;
    o->n_angles = (size_t)n;
    for (size_t i = 0; i < o->n_angles; i++)
        o->angles[i] = from + (double)i * step;
    return 0;
}

int cli_parse(cep_cli_opts *o, cli_command cmd, int argc, char **argv, int first, char *err,
              size_t errlen)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            FAIL("unexpected argument '%s' (options start with --)", a);
        const char *name = a + 2;
        const char *val = NULL;
        const char *eq = strchr(name, '=');
        char key[64];
        size_t klen = eq ? (size_t)(eq - name) : strlen(name);
        if (klen >= sizeof key)
            FAIL("unknown option '%s'", a);
        memcpy(key, name, klen);
        key[klen] = '\0';
        /* which command takes which option */
        static const struct { const char *name; unsigned cmds; } known[] = {
            {"model", CLI_RUN | CLI_THEOREM}, {"sizes", CLI_RUN | CLI_THEOREM},
            {"activation", CLI_RUN | CLI_THEOREM}, {"eps", CLI_RUN | CLI_THEOREM},
            {"K", CLI_RUN | CLI_THEOREM}, {"seed", CLI_RUN | CLI_THEOREM},
            {"precision", CLI_RUN | CLI_THEOREM}, {"T", CLI_RUN}, {"beta", CLI_RUN},
            {"eta", CLI_RUN}, {"beta-sweep", CLI_THEOREM}, {"every", CLI_THEOREM},
            {"eta-scale", CLI_THEOREM}, {"data", CLI_THEOREM}, {"out", CLI_THEOREM},
            {"T-max", CLI_THEOREM}, {"gdd-beta", CLI_THEOREM}, {"angle", CLI_RUN | CLI_THEOREM},
            {"angle-sweep", CLI_THEOREM}};
        int found = -1;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strcmp(key, known[k].name) == 0)
                found = (int)k;
        if (found < 0)
            FAIL("unknown option '--%s' (see --help)", key);
        if (!(known[found].cmds & cmd))
            FAIL("option '--%s' does not apply to this command (see --help)%s", key,
                 strcmp(key, "T") == 0 ? "; theorem runs the first phase to convergence, see --T-max" : "");
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            FAIL("option '--%s' needs a value", key);

        unsigned long long u;
        if (strcmp(key, "model") == 0) {
            if (cep_model_parse(&o->model, val))
                FAIL("--model: '%s' is not one of energy, prototypical, prototypical-vf, energy-vf", val);
        } else if (strcmp(key, "activation") == 0) {
            if (cep_activation_parse(&o->act, val))
                FAIL("--activation: '%s' is not one of tanh, sigmoid4, hardsigmoid, identity", val);
        } else if (strcmp(key, "sizes") == 0) {
            if (parse_sizes(o, val))
                FAIL("--sizes: '%s' is not a list of 2 to %d integers in [1, %zu] separated by commas",
                     val, CEP_MAX_LAYERS + 1, (size_t)CEP_MAX_LAYER_SIZE);
        } else if (strcmp(key, "eps") == 0) {
            if (parse_double(val, &o->eps) || !(o->eps > 0 && o->eps <= 1))
                FAIL("--eps: '%s' is not a number in (0, 1]", val);
        } else if (strcmp(key, "T") == 0) {
            if (parse_u64(val, CEP_MAX_STEPS, &u) || u < 1)
                FAIL("--T: '%s' is not an integer in [1, %zu]", val, (size_t)CEP_MAX_STEPS);
            o->T = (size_t)u;
        } else if (strcmp(key, "K") == 0) {
            if (parse_u64(val, CEP_MAX_STEPS, &u) || u < 1)
                FAIL("--K: '%s' is not an integer in [1, %zu]", val, (size_t)CEP_MAX_STEPS);
            o->K = (size_t)u;
        } else if (strcmp(key, "beta") == 0) {
            if (parse_double(val, &o->beta) || o->beta == 0.0)
                FAIL("--beta: '%s' is not a finite non-zero number", val);
        } else if (strcmp(key, "eta") == 0) {
            if (parse_double(val, &o->eta) || o->eta < 0.0)
                FAIL("--eta: '%s' is not a finite number >= 0", val);
        } else if (strcmp(key, "seed") == 0) {
            if (parse_u64(val, UINT64_MAX, &u))
                FAIL("--seed: '%s' is not an integer in [0, 2^64-1]", val);
            o->seed = (uint64_t)u;
        } else if (strcmp(key, "beta-sweep") == 0) {
            if (parse_sweep(o, val))
                FAIL("--beta-sweep: '%s' is not FROM:TO with FROM >= TO > 0 (e.g. 1e-1:1e-30)", val);
        } else if (strcmp(key, "every") == 0) {
            if (strcmp(val, "1") != 0 && strcmp(val, "2") != 0)
                FAIL("--every: '%s' is not 1 or 2 (decades between sweep points)", val);
            o->decades = (unsigned)(val[0] - '0');
        } else if (strcmp(key, "eta-scale") == 0) {
            if (parse_double(val, &o->eta_scale) || !(o->eta_scale > 0))
                FAIL("--eta-scale: '%s' is not a finite number > 0", val);
        } else if (strcmp(key, "angle") == 0) {
            if (parse_double(val, &o->angle) || !(o->angle >= 0 && o->angle <= 180))
                FAIL("--angle: '%s' is not a number of degrees in [0, 180]", val);
            o->angle_given = 1;
        } else if (strcmp(key, "angle-sweep") == 0) {
            if (parse_angle_sweep(o, val))
                FAIL("--angle-sweep: '%s' is not FROM:TO:STEP with 0 <= FROM <= TO <= 180, STEP > 0 "
                     "and at most 181 angles (e.g. 0:180:22.5)", val);
        } else if (strcmp(key, "gdd-beta") == 0) {
            if (parse_double(val, &o->gdd_beta) || !(o->gdd_beta > 0))
                FAIL("--gdd-beta: '%s' is not a finite number > 0", val);
        } else if (strcmp(key, "data") == 0) {
            if (*val == '\0')
                FAIL("--data: empty directory name");
            o->data_dir = val;
        } else if (strcmp(key, "out") == 0) {
            if (*val == '\0')
                FAIL("--out: empty directory name");
            o->out_dir = val;
        } else if (strcmp(key, "T-max") == 0) {
            if (parse_u64(val, CEP_MAX_STEPS / 2, &u) || u < 1)
                FAIL("--T-max: '%s' is not an integer in [1, %zu]", val, (size_t)CEP_MAX_STEPS / 2);
            o->T_max = (size_t)u;
        } else if (strcmp(key, "precision") == 0) {
            if (cmd == CLI_THEOREM && strcmp(val, "auto") == 0) {
                o->prec = 0;
            } else if (cmd == CLI_THEOREM && (strcmp(val, "double") == 0 || strcmp(val, "binary64") == 0)) {
                FAIL("--precision: theorem always runs binary64 beside MPFR; give the MPFR bits or 'auto'");
            } else if (strcmp(val, "double") == 0 || strcmp(val, "binary64") == 0) {
                o->use_mpfr = 0;
            } else {
                if (parse_u64(val, (unsigned long long)CEP_CLI_PREC_MAX, &u) || u < CEP_PREC_MIN)
                    FAIL("--precision: '%s' is not 'double' or a bit count in [2, %ld]", val,
                         (long)CEP_CLI_PREC_MAX);
                o->use_mpfr = 1;
                o->prec = (long)u;
            }
        }
    }
    if (!o->help && (o->angle_given || o->n_angles) && !CEP_MODEL_IS_VF(o->model))
        FAIL("--angle%s: the %s model has no feedback weights; use --model prototypical-vf or energy-vf",
             o->n_angles ? "-sweep" : "", cep_model_name(o->model));
    if (!o->help && cmd == CLI_RUN && o->T < o->K)
        FAIL("--T %zu is smaller than --K %zu: the theorem needs T >= K", o->T, o->K);
    return 0;
}
