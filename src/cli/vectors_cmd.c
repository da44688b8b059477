/* vectors_cmd.c -- `cep vectors` and `cep check`: option parsing and
 * messages only; the work is in src/apps/vgen.c and src/apps/vcheck.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apps/vectors.h"
#include "cli/vectors_cmd.h"

static const char usage_vectors[] =
    "usage: cep vectors [options]\n"
    "\n"
    "Generates the golden-vector suites (spec/vectors.md): vectors/v1/traj\n"
    "(trajectory cases) and vectors/v1/step (single-step cases).  Truth in MPFR,\n"
    "rechecked at twice the precision and rounded once to binary64 and binary32;\n"
    "in-format traces in binary64, binary32 and bfloat16; measured tolerances;\n"
    ".npy, $readmemh .hex, TestFloat-style text and C headers; a manifest with\n"
    "the sha256 of every file.  Each suite is written to <suite>.new and swapped\n"
    "in only when complete.\n"
    "\n"
    "  --out DIR          output directory            (default vectors/v1)\n"
    "  --level N          1: committed suite; 2: larger, more seeds (default 1)\n"
    "  --only PATTERN     only the case ids matching this glob (for debugging)\n"
    "  --precision BITS   truth precision, >= 256; rechecked at 2x (default 256)\n"
    "  --source-hash HEX  recorded as generator.source_sha256 (make vectors\n"
    "                     passes the sha256 of the src/ tree)\n"
    "  --quiet            no progress lines\n"
    "  --help             this text\n"
    "\n"
    "example: make vectors   (regenerates vectors/v1 byte for byte)\n";

static const char usage_check[] =
    "usage: cep check VECTORS_DIR RESULTS_DIR [options]\n"
    "\n"
    "Compares an implementation's results with one golden-vector suite.  Results\n"
    "are RESULTS_DIR/<case id>/<quantity>.npy ('<f8' or '<f4', the vector's shape)\n"
    "or <quantity>.txt (one number a line).  Values are scanned in time order\n"
    "(phase, step, quantity, index); the first failing value is named with its\n"
    "layer and index, expected and actual in hex and decimal, the errors and the\n"
    "rule |a - e| <= atol + rtol |e| + ulps ULP(e).  Exit 0 pass, 1 fail,\n"
    "2 unusable input (missing or extra files, wrong shapes, bad manifest or\n"
    "sha256).\n"
    "\n"
    "  --profile P        binary64 (against truth64) | binary32 | bfloat16\n"
    "                     (against truth32)                (default binary64)\n"
    "  --exact            compare bit for bit with the in-format trace instead\n"
    "  --atol X, --rtol X, --ulps X   override the manifest's budget\n"
    "  --case GLOB        only these case ids (repeatable, or comma-separated)\n"
    "  --quantity GLOB    only these quantities (repeatable, or comma-separated)\n"
    "  --errors N         failing values listed in detail  (default 10)\n"
    "  --format F         human | tap | junit | json       (default human)\n"
    "  --replay DIR       write the state before the first failing step as a\n"
    "                     single-step suite in DIR\n"
    "  --no-sha           skip the manifest's sha256 check\n"
    "  --help             this text\n"
    "\n"
    "example: cep check vectors/v1/traj my_results --case 'traj-proto-*' \\\n"
    "                   --quantity 'free_s,cep_*'\n";

static const char usage_compute[] =
    "usage: cep compute VECTORS_DIR RESULTS_DIR [options]\n"
    "\n"
    "Runs this library on every case of a vector suite, from the suite's own\n"
    "files (inputs and the manifest's parameters), and writes the results as\n"
    "RESULTS_DIR/<case id>/<quantity>.npy ('<f8', theta in full): the layout\n"
    "`cep check` reads.  This is how the library checks itself (make verify)\n"
    "and how a --replay case is rerun.\n"
    "\n"
    "  --arith A     double (the binary64 build, default) | binary64 | binary32 |\n"
    "                bfloat16 (MPFR emulating the format) | BITS (MPFR)\n"
    "  --case GLOB   only these case ids (repeatable, or comma-separated)\n"
    "  --help        this text\n"
    "\n"
    "example: cep compute vectors/v1/traj build/mine && cep check vectors/v1/traj build/mine\n";

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* The shape all three command lines share: --help, up to `max_pos`
 * positional arguments, flags without a value, options with one value.
 * next_arg returns ARG_HELP, ARG_FLAG (name), ARG_OPT (name, value),
 * ARG_DONE, or ARG_ERROR after printing one line naming the argument. */
typedef enum { ARG_DONE, ARG_HELP, ARG_FLAG, ARG_OPT, ARG_ERROR } arg_kind;
typedef struct {
    const char *cmd;            /* "vectors", "check", "compute" */
    int argc;
    char **argv;
    int i;
    int max_pos, npos;
    const char *pos[2];
    const char *const *flags;   /* NULL-terminated names without a value */
} argscan;

static arg_kind next_arg(argscan *s, char **name, char **value)
{
    while (++s->i < s->argc) {
        char *a = s->argv[s->i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return ARG_HELP;
        if (a[0] != '-' || a[1] != '-') {
            if (s->npos == s->max_pos) {
                fprintf(stderr, "cep %s: unexpected argument '%s' (cep %s --help)\n", s->cmd, a, s->cmd);
                return ARG_ERROR;
            }
            s->pos[s->npos++] = a;
            continue;
        }
        *name = a;
        for (const char *const *f = s->flags; f && *f; f++)
            if (strcmp(a, *f) == 0)
                return ARG_FLAG;
        if (s->i + 1 >= s->argc) {
            fprintf(stderr, "cep %s: %s needs a value (cep %s --help)\n", s->cmd, a, s->cmd);
            return ARG_ERROR;
        }
        *value = s->argv[++s->i];
        return ARG_OPT;
    }
    return ARG_DONE;
}

static argscan scan_of(const char *cmd, int argc, char **argv, int max_pos, const char *const *flags)
{
    argscan s;
    memset(&s, 0, sizeof s);
    s.cmd = cmd;
    s.argc = argc;
    s.argv = argv;
    s.i = 1;
    s.max_pos = max_pos;
    s.flags = flags;
    return s;
}

static void progress_line(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "%s\n", line);
}

/* ---- parsing (no work done, nothing on stdout: tests/fuzz/fuzz_cli.c) ---- */

int vectors_parse(vectors_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    cep_vgen_opts *o = &a->o;
    o->out_dir = "vectors/v1";
    o->level = 1;
    o->truth_prec = 256;
    o->progress = progress_line;
    static const char *const flags[] = {"--quiet", NULL};
    argscan sc = scan_of("vectors", argc, argv, 0, flags);
    char *k_a = NULL, *v = NULL;
    arg_kind k;
    while ((k = next_arg(&sc, &k_a, &v)) != ARG_DONE) {
        long n;
        if (k == ARG_ERROR)
            return 2;
        if (k == ARG_HELP) {
            a->help = 1;
            return 0;
        }
        if (k == ARG_FLAG) {
            o->progress = NULL;        /* --quiet */
        } else if (strcmp(k_a, "--out") == 0) {
            o->out_dir = v;
        } else if (strcmp(k_a, "--only") == 0) {
            o->only = v;
        } else if (strcmp(k_a, "--source-hash") == 0) {
            o->source_hash = v;
        } else if (strcmp(k_a, "--level") == 0) {
            if (parse_long(v, 1, 2, &n)) {
                fprintf(stderr, "cep vectors: --level '%s': expected 1 or 2\n", v);
                return 2;
            }
            o->level = (int)n;
        } else if (strcmp(k_a, "--precision") == 0) {
            if (parse_long(v, 256, 65536, &n)) {
                fprintf(stderr, "cep vectors: --precision '%s': expected bits in 256..65536\n", v);
                return 2;
            }
            o->truth_prec = n;
        } else {
            fprintf(stderr, "cep vectors: unknown option '%s' (cep vectors --help)\n", k_a);
            return 2;
        }
    }
    return 0;
}

/* Split a comma-separated list into the pattern array (argv strings are
 * modified in place). */
static int add_patterns(const char **pats, size_t *n, size_t cap, char *list)
{
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n >= cap)
            return -1;
        pats[(*n)++] = tok;
    }
    return 0;
}

int compute_parse(compute_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    cep_vrun_opts *o = &a->o;
    o->ctx = cep_ctx_double();
    o->cases = a->cases;
    argscan sc = scan_of("compute", argc, argv, 2, NULL);
    char *k_a = NULL, *v = NULL;
    arg_kind k;
    while ((k = next_arg(&sc, &k_a, &v)) != ARG_DONE) {
        long n;
        if (k == ARG_ERROR)
            return 2;
        if (k == ARG_HELP) {
            a->help = 1;
            return 0;
        }
        if (strcmp(k_a, "--arith") == 0) {
            static const cep_ctx emu[3] = {{53, 1, -1073, 1024}, {24, 1, -148, 128}, {8, 1, -132, 128}};
            cep_fmt f;
            if (strcmp(v, "double") == 0) {
                o->use_mpfr = 0;
            } else if (cep_fmt_parse(&f, v) == 0) {
                o->use_mpfr = 1;
                o->ctx = emu[f];
            } else if (parse_long(v, CEP_PREC_MIN, CEP_CLI_PREC_MAX, &n) == 0) {
                o->use_mpfr = 1;
                cep_ctx_mpfr(&o->ctx, n);
            } else {
                fprintf(stderr, "cep compute: --arith '%s': expected double, binary64, binary32, "
                        "bfloat16 or MPFR bits\n", v);
                return 2;
            }
        } else if (strcmp(k_a, "--case") == 0) {
            if (add_patterns(a->cases, &o->n_cases, CLI_MAX_PATTERNS, v)) {
                fprintf(stderr, "cep compute: more than %d --case patterns\n", CLI_MAX_PATTERNS);
                return 2;
            }
        } else {
            fprintf(stderr, "cep compute: unknown option '%s' (cep compute --help)\n", k_a);
            return 2;
        }
    }
    if (sc.npos != 2) {
        fprintf(stderr, "cep compute: need VECTORS_DIR and RESULTS_DIR (cep compute --help)\n");
        return 2;
    }
    o->vectors_dir = sc.pos[0];
    o->results_dir = sc.pos[1];
    return 0;
}

int check_parse(check_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    cep_vcheck_opts *o = &a->o;
    o->profile = CEP_FMT_BINARY64;
    o->max_errors = 10;
    o->format = VC_HUMAN;
    o->cases = a->cases;
    o->quantities = a->quantities;
    static const char *const flags[] = {"--exact", "--no-sha", NULL};
    argscan sc = scan_of("check", argc, argv, 2, flags);
    char *k_a = NULL, *v = NULL;
    arg_kind k;
    while ((k = next_arg(&sc, &k_a, &v)) != ARG_DONE) {
        if (k == ARG_ERROR)
            return 2;
        if (k == ARG_HELP) {
            a->help = 1;
            return 0;
        }
        if (k == ARG_FLAG) {
            if (strcmp(k_a, "--exact") == 0)
                o->exact = 1;
            else
                o->skip_sha = 1;
            continue;
        }
        long n;
        if (strcmp(k_a, "--profile") == 0) {
            if (cep_fmt_parse(&o->profile, v)) {
                fprintf(stderr, "cep check: --profile '%s': expected binary64, binary32 or bfloat16\n", v);
                return 2;
            }
        } else if (strcmp(k_a, "--atol") == 0 || strcmp(k_a, "--rtol") == 0 || strcmp(k_a, "--ulps") == 0) {
            double d;
            if (parse_double(v, &d)) {
                fprintf(stderr, "cep check: %s '%s': expected a finite number >= 0\n", k_a, v);
                return 2;
            }
            if (k_a[2] == 'a') { o->atol = d; o->have_atol = 1; }
            else if (k_a[2] == 'r') { o->rtol = d; o->have_rtol = 1; }
            else { o->ulps = d; o->have_ulps = 1; }
        } else if (strcmp(k_a, "--case") == 0) {
            if (add_patterns(a->cases, &o->n_cases, CLI_MAX_PATTERNS, v)) {
                fprintf(stderr, "cep check: more than %d --case patterns\n", CLI_MAX_PATTERNS);
                return 2;
            }
        } else if (strcmp(k_a, "--quantity") == 0) {
            if (add_patterns(a->quantities, &o->n_quantities, CLI_MAX_PATTERNS, v)) {
                fprintf(stderr, "cep check: more than %d --quantity patterns\n", CLI_MAX_PATTERNS);
                return 2;
            }
        } else if (strcmp(k_a, "--errors") == 0) {
            if (parse_long(v, 0, 1000000000L, &n)) {
                fprintf(stderr, "cep check: --errors '%s': expected a count >= 0\n", v);
                return 2;
            }
            o->max_errors = n;
        } else if (strcmp(k_a, "--format") == 0) {
            if (strcmp(v, "human") == 0) o->format = VC_HUMAN;
            else if (strcmp(v, "tap") == 0) o->format = VC_TAP;
            else if (strcmp(v, "junit") == 0) o->format = VC_JUNIT;
            else if (strcmp(v, "json") == 0) o->format = VC_JSON;
            else {
                fprintf(stderr, "cep check: --format '%s': expected human, tap, junit or json\n", v);
                return 2;
            }
        } else if (strcmp(k_a, "--replay") == 0) {
            o->replay_dir = v;
        } else {
            fprintf(stderr, "cep check: unknown option '%s' (cep check --help)\n", k_a);
            return 2;
        }
    }
    if (sc.npos != 2) {
        fprintf(stderr, "cep check: need VECTORS_DIR and RESULTS_DIR (cep check --help)\n");
        return 2;
    }
    o->vectors_dir = sc.pos[0];
    o->results_dir = sc.pos[1];
    return 0;
}

/* ---- the commands: parse, then run ------------------------------------------ */

/* SIGINT/SIGTERM while a suite command works: the library stops between
 * cases and publishes nothing unfinished (cep_stop_requested, src/cep.h). */
static void stop_on_signals(int on)
{
    if (on)
        cep_clear_stop();
    cep_stop_on_signals(on);
}

/* The message of an interrupted command, and its exit status 128 + signal. */
static int interrupted(const char *cmd, const char *what)
{
    fprintf(stderr, "cep %s: %s (signal %d)\n", cmd, what, cep_stop_requested());
    return 128 + cep_stop_requested();
}

int cmd_vectors(int argc, char **argv)
{
    vectors_args a;
    int rc = vectors_parse(&a, argc, argv);
    if (rc)
        return rc;
    if (a.help) {
        fputs(usage_vectors, stdout);
        return 0;
    }
    char err[1024] = "";
    stop_on_signals(1);
    int st = cep_vectors_generate(&a.o, err, sizeof err);
    stop_on_signals(0);
    if (st == CEP_EINTR)
        return interrupted("vectors", err);
    if (st) {
        fprintf(stderr, "cep vectors: %s\n", err[0] ? err : cep_vectors_strerror(st));
        return st == CEP_EV_USAGE ? 2 : 1;
    }
    return 0;
}

int cmd_compute(int argc, char **argv)
{
    compute_args a;
    int rc = compute_parse(&a, argc, argv);
    if (rc)
        return rc;
    if (a.help) {
        fputs(usage_compute, stdout);
        return 0;
    }
    char err[1024] = "";
    stop_on_signals(1);
    int st = cep_vectors_compute(&a.o, err, sizeof err);
    stop_on_signals(0);
    if (st == CEP_EINTR)
        return interrupted("compute", err);
    if (st) {
        fprintf(stderr, "cep compute: %s\n", err[0] ? err : cep_vectors_strerror(st));
        return st == CEP_EDIVERGED || st == CEP_ENOMEM ? 1 : 2;
    }
    return 0;
}

int cmd_check(int argc, char **argv)
{
    check_args a;
    int rc = check_parse(&a, argc, argv);
    if (rc)
        return rc;
    if (a.help) {
        fputs(usage_check, stdout);
        return 0;
    }
    char err[1024] = "";
    stop_on_signals(1);
    rc = cep_vectors_check(&a.o, stdout, err, sizeof err);
    stop_on_signals(0);
    if (cep_stop_requested())
        return interrupted("check", a.o.replay_dir ? "interrupted; the --replay directory is not written"
                                                   : "interrupted");
    if (rc == 2)
        fprintf(stderr, "cep check: %s\n", err[0] ? err : "unusable input");
    return rc;
}
