/* train_cmd.c -- `cep train`: presets, options, the progress display, the
 * per-epoch CSV, the learning-curve figure and the checkpoint (spec/train.md
 * §5-6).  The training itself is src/apps/train.c. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <nettle/sha2.h>
#include "cep.h"
#include "apps/checkpoint.h"
#include "apps/idx.h"
#include "apps/plot.h"
#include "apps/train.h"
#include "apps/vfile.h"
#include "cli/options.h"
#include "cli/train_cmd.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

static const char usage_train[] =
    "usage: cep train [options]\n"
    "\n"
    "Trains a network on an IDX data set (MNIST format; default Fashion-MNIST from\n"
    "Debian's dataset-fashion-mnist) with EP, C-EP, C-VF or BPTT, mini-batches,\n"
    "per-layer learning rates and randbeta (spec/train.md).  After every epoch:\n"
    "the test error (first phase only), a line of train.csv, the learning-curve\n"
    "figure and a checkpoint that --resume continues bit for bit.\n"
    "\n"
    "  --preset P       ep-1h | cep-1h | cvf-1h | bptt-1h | ep-2h | cep-2h | cvf-2h |\n"
    "                   bptt-2h: the paper's settings (MODELS.md §7; bptt-*: ours),\n"
    "                   every one overridable by the options below (default cep-1h)\n"
    "  --data DIR       directory of the four IDX files, plain or .gz\n"
    "                   (default " DEFAULT_DATA ")\n"
    "  --epochs N       epochs of the whole run (default: the preset's)\n"
    "  --batch N        mini-batch size (default 20)\n"
    "  --seed S         theta, shuffling and randbeta (default 1)\n"
    "  --threads N      worker threads; results are identical for every N\n"
    "                   (default: all cores)\n"
    "  --out DIR        train.csv, curve.{png,svg}, checkpoint.bin, run.txt\n"
    "                   (default build/train/<preset>)\n"
    "  --resume FILE    continue the run of a checkpoint (its settings are used;\n"
    "                   --epochs, --threads, --data, --out, --literal may change)\n"
    "  --algo A         ep | cep | cvf | bptt | tbptt (tbptt: the last K steps)\n"
    "  --model M        prototypical | prototypical-vf | energy | energy-vf\n"
    "  --activation A   sigmoid4 | tanh | hardsigmoid | identity\n"
    "  --sizes LIST     n_0,..,n_N (n_0 = pixels, n_N = classes)\n"
    "  --eps E          step of the energy models, in (0, 1]\n"
    "  --T N, --K N     first- and second-phase steps\n"
    "  --beta B         nudging strength\n"
    "  --lr LIST        learning rates from the output layer towards the input,\n"
    "                   one per weight matrix, as in the paper (e.g. 0.04,0.08)\n"
    "  --randbeta P     probability of flipping beta's sign per mini-batch\n"
    "  --angle A        VF models: initial angle of B to W^T, degrees (INIT.3)\n"
    "  --train-max N    use the first N training examples of the shuffled order\n"
    "  --test-max N     evaluate on the first N test examples (default all)\n"
    "  --literal        the literal engine (the library's per-example functions;\n"
    "                   every model; slow); default: the fast engine, which\n"
    "                   covers prototypical(-vf) and falls back to literal otherwise\n"
    "  --help           this text\n"
    "\n"
    "Exit: 0 done, 1 training failed (diverged), 2 bad usage or data,\n"
    "130 interrupted (the last finished epoch's files are kept).\n"
    "\n"
    "example: cep train --preset cep-1h --epochs 1\n";

typedef struct {
    const char *name;
    cep_model model;
    cep_algo algo;
    size_t n_sizes;
    size_t T, K;
    double beta, randbeta;
    double lr[3];            /* output layer first */
    unsigned epochs;
} preset;

static const preset presets[] = {
    {"ep-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_EP, 3, 30, 10, 0.1, 0.0, {0.04, 0.08, 0}, 30},
    {"cep-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_CEP, 3, 40, 15, 0.2, 0.0, {0.0028, 0.0056, 0}, 100},
    {"cvf-1h", CEP_MODEL_PROTOTYPICAL_VF, CEP_ALGO_CVF, 3, 40, 15, 0.2, 0.5, {0.0038, 0.0076, 0}, 100},
    {"bptt-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_BPTT, 3, 30, 10, 0.1, 0.0, {0.04, 0.08, 0}, 30},
    {"ep-2h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_EP, 4, 100, 20, 0.5, 0.0, {0.005, 0.05, 0.2}, 50},
    {"cep-2h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_CEP, 4, 100, 20, 0.5, 0.0, {0.00018, 0.0018, 0.01}, 150},
    {"cvf-2h", CEP_MODEL_PROTOTYPICAL_VF, CEP_ALGO_CVF, 4, 100, 20, 0.35, 0.5, {0.00016, 0.0016, 0.009}, 150},
    {"bptt-2h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_BPTT, 4, 100, 20, 0.5, 0.0, {0.005, 0.05, 0.2}, 50},
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

/* ---- progress --------------------------------------------------------------- */

typedef struct {
    int tty;
    unsigned epoch, epochs;
    double t0, last;
    size_t next_line;   /* non-tty: next example count that prints a line */
} progress_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_eta(char *buf, size_t n, double s)
{
    if (!(s >= 0) || s > 1e7)
        snprintf(buf, n, "--");
    else if (s >= 3600)
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
    else if (s >= 60)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%.0fs", s);
}

static int on_progress(void *user, size_t done, size_t total, double loss_sum, size_t n_wrong)
{
    progress_state *p = user;
    double t = now_s(), el = t - p->t0;
    double rate = el > 0 ? (double)done / el : 0;
    char eta[32];
    fmt_eta(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : -1);
    if (p->tty) {
        if (t - p->last >= 0.1 || done == total) {
            int w = 30, fill = (int)(w * (double)done / (double)total);
            char bar[40];
            for (int i = 0; i < w; i++)
                bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
            bar[w] = '\0';
            printf("\r\033[Kepoch %u/%u [%s] %3.0f%% %zu/%zu  %.0f ex/s  loss %.4f  err %.2f%%  ETA %s",
                   p->epoch, p->epochs, bar, 100.0 * (double)done / (double)total, done, total, rate,
                   loss_sum / (double)done, 100.0 * (double)n_wrong / (double)done, eta);
            fflush(stdout);
            p->last = t;
        }
    } else if (done >= p->next_line && done < total) {
        printf("epoch %u/%u: %zu/%zu examples (%.0f%%), %.0f ex/s, loss %.4f, error %.2f%%, ETA %s\n",
               p->epoch, p->epochs, done, total, 100.0 * (double)done / (double)total, rate,
               loss_sum / (double)done, 100.0 * (double)n_wrong / (double)done, eta);
        fflush(stdout);
        p->next_line += total / 10 > 0 ? total / 10 : 1;
    }
    return cep_stop_requested() != 0;   /* SIGINT/SIGTERM: finish the batch */
}

/* ---- outputs ------------------------------------------------------------------ */

static int write_csv(const char *dir, const double *hist, size_t rows, char *err, size_t errlen)
{
    size_t cap = 128 + rows * 160;
    char *buf = malloc(cap), path[4200];
    if (buf == NULL)
        return CEP_ENOMEM;
    size_t len = (size_t)snprintf(buf, cap, "epoch,train_loss,train_error,test_loss,test_error,seconds\n");
    for (size_t i = 0; i < rows; i++) {
        const double *h = hist + i * CEP_CKPT_HISTORY_COLS;
        len += (size_t)snprintf(buf + len, cap - len, "%.0f,%.17g,%.17g,%.17g,%.17g,%.3f\n", h[0],
                                h[1], h[2], h[3], h[4], h[5]);
    }
    snprintf(path, sizeof path, "%s/train.csv", dir);
    int st = cep_text_write_atomic(path, buf, err, errlen);
    free(buf);
    return st;
}

/* curve.gp (error in % against epoch, train and test), run by gnuplot into
 * curve.png and curve.svg; 1 when the figures were made.  cep runs it through
 * a driver that sets out_suffix, so that gnuplot writes curve.{png,svg}.new,
 * renamed over the figures only when gnuplot succeeded (never a half-drawn
 * figure under its name); `gnuplot curve.gp` by hand writes them directly.
 * 0 when gnuplot is missing or fails (the figures are an extra, reported);
 * -1 when a script cannot be written (err says why): like any other file of
 * the run, that is an error. */
static int write_figure(const char *dir, const char *title, char *err, size_t errlen)
{
    char path[4200], script[4096];
    int n = snprintf(script, sizeof script,
        "# learning curve of cep train (train.csv); gnuplot curve.gp\n"
        "set datafile separator ','\n"
        "set key top right\n"
        "set grid\n"
        "set xlabel 'epoch'\n"
        "set ylabel 'error (%%)'\n"
        "set title '%s'\n"
        "set logscale y\n"
        "if (!exists('out_suffix')) out_suffix = ''\n"
        "do for [t in 'pngcairo svg'] {\n"
        "  if (t eq 'pngcairo') { set terminal pngcairo size 900,600; set output 'curve.png'.out_suffix } "
        "else { set terminal svg size 900,600; set output 'curve.svg'.out_suffix }\n"
        "  plot 'train.csv' skip 1 using 1:(100*$3) with linespoints title 'train error (first phase, during the epoch)', \\\n"
        "       'train.csv' skip 1 using 1:(100*$5) with linespoints title 'test error'\n"
        "}\n", title);
    if (n < 0 || (size_t)n >= sizeof script)
        return 0;
    snprintf(path, sizeof path, "%s/curve.gp", dir);
    if (cep_text_write_atomic(path, script, err, errlen) != CEP_OK)
        return -1;
    char drv[4200], png[4200], svg[4200], png_new[4300], svg_new[4300];
    snprintf(drv, sizeof drv, "%s/curve.tmp-run.gp", dir);
    snprintf(png, sizeof png, "%s/curve.png", dir);
    snprintf(svg, sizeof svg, "%s/curve.svg", dir);
    snprintf(png_new, sizeof png_new, "%s.new", png);
    snprintf(svg_new, sizeof svg_new, "%s.new", svg);
    if (cep_text_write_atomic(drv, "out_suffix = '.new'\nload 'curve.gp'\n", err, errlen) != CEP_OK)
        return -1;
    const char *scripts[] = {"curve.tmp-run.gp"};
    int ok = cep_gnuplot_run(dir, scripts, 1);
    unlink(drv);
    if (ok && (rename(png_new, png) != 0 || rename(svg_new, svg) != 0))
        ok = 0;
    unlink(png_new);
    unlink(svg_new);
    return ok;
}

static void theta_hash(char hex[65], const double *theta, size_t P)
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    for (size_t i = 0; i < P; i++) {
        uint64_t u;
        uint8_t le[8];
        memcpy(&u, &theta[i], 8);
        for (int k = 0; k < 8; k++)
            le[k] = (uint8_t)(u >> (8 * k));
        sha256_update(&c, 8, le);
    }
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- options ------------------------------------------------------------------- */

typedef struct {
    const preset *pre;
    cep_train_config cfg;
    size_t sizes[CEP_MAX_LAYERS + 1], n_sizes;
    double eps;
    cep_activation act;
    cep_model model;
    unsigned epochs;
    int epochs_given;
    const char *data, *out, *resume;
    size_t train_max, test_max;
    int config_given;        /* an option that a resumed run may not change */
    const char *config_opt;
    int lr_given, threads_given;
    double lr[CEP_MAX_LAYERS];
    size_t n_lr;
} train_opts;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cep train: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (cep train --help)\n");
    va_end(ap);
    return 2;
}

static int parse_list(double *out, size_t *n, const char *s)
{
    char buf[512];
    if (strlen(s) >= sizeof buf || *s == '\0')
        return -1;
    strcpy(buf, s);
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n >= CEP_MAX_LAYERS || cli_parse_double(tok, &out[*n]) || out[*n] < 0)
            return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

static int parse_options(train_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->pre = &presets[1];
    o->data = DEFAULT_DATA;
    o->eps = 0.5;
    o->act = CEP_ACT_SIGMOID4;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    o->cfg.threads = nproc >= 1 && nproc <= (long)CEP_TRAIN_MAX_THREADS ? (unsigned)nproc : 1;
    o->cfg.batch = 20;
    o->cfg.seed = 1;
    /* the preset first: the other options override it whatever their order */
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--preset") == 0) {
            if (i + 1 >= argc)
                return usage_error("option %s needs a value", "--preset");
            const preset *p = NULL;
            for (size_t k = 0; k < N_PRESETS; k++)
                if (strcmp(argv[i + 1], presets[k].name) == 0)
                    p = &presets[k];
            if (p == NULL)
                return usage_error("unknown preset '%s' (ep-1h, cep-1h, cvf-1h, bptt-1h, ep-2h, "
                                   "cep-2h, cvf-2h, bptt-2h)", argv[i + 1]);
            o->pre = p;
            o->config_given = 1;
            o->config_opt = "--preset";
        }
    const preset *p = o->pre;
    o->model = p->model;
    o->cfg.algo = p->algo;
    o->cfg.T = p->T;
    o->cfg.K = p->K;
    o->cfg.beta = p->beta;
    o->cfg.randbeta = p->randbeta;
    o->epochs = p->epochs;
    o->n_sizes = p->n_sizes;
    o->sizes[0] = 784;
    for (size_t n = 1; n + 1 < p->n_sizes; n++)
        o->sizes[n] = 512;
    o->sizes[p->n_sizes - 1] = 10;
    o->n_lr = p->n_sizes - 1;
    memcpy(o->lr, p->lr, o->n_lr * sizeof *o->lr);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_train, stdout);
            return -1;
        }
        if (strcmp(a, "--literal") == 0) {
            o->cfg.literal = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", a);
        if (i + 1 >= argc)
            return usage_error("option %s needs a value", a);
        const char *v = argv[++i];
        unsigned long long u;
        double d;
        int cfg_opt = 1;
        if (strcmp(a, "--preset") == 0)
            continue;
        else if (strcmp(a, "--data") == 0) {
            o->data = v;
            cfg_opt = 0;
        } else if (strcmp(a, "--out") == 0) {
            o->out = v;
            cfg_opt = 0;
        } else if (strcmp(a, "--resume") == 0) {
            o->resume = v;
            cfg_opt = 0;
        } else if (strcmp(a, "--epochs") == 0) {
            if (cli_parse_u64(v, CEP_CKPT_MAX_EPOCHS, &u) || u == 0)
                return usage_error("--epochs '%s': need an integer in 1..1000000", v);
            o->epochs = (unsigned)u;
            o->epochs_given = 1;
            cfg_opt = 0;
        } else if (strcmp(a, "--threads") == 0) {
            if (cli_parse_u64(v, CEP_TRAIN_MAX_THREADS, &u) || u == 0)
                return usage_error("--threads '%s': need an integer in 1..256", v);
            o->cfg.threads = (unsigned)u;
            cfg_opt = 0;
        } else if (strcmp(a, "--train-max") == 0) {
            if (cli_parse_u64(v, 1ull << 40, &u))
                return usage_error("--train-max '%s': need a count (0: all)", v);
            o->train_max = (size_t)u;
            cfg_opt = 0;
        } else if (strcmp(a, "--test-max") == 0) {
            if (cli_parse_u64(v, 1ull << 40, &u))
                return usage_error("--test-max '%s': need a count (0: all)", v);
            o->test_max = (size_t)u;
            cfg_opt = 0;
        } else if (strcmp(a, "--batch") == 0) {
            if (cli_parse_u64(v, CEP_TRAIN_MAX_BATCH, &u) || u == 0)
                return usage_error("--batch '%s': need an integer in 1..4096", v);
            o->cfg.batch = (size_t)u;
        } else if (strcmp(a, "--seed") == 0) {
            if (cli_parse_u64(v, UINT64_MAX, &u))
                return usage_error("--seed '%s': need an unsigned integer", v);
            o->cfg.seed = u;
        } else if (strcmp(a, "--algo") == 0) {
            if (cep_algo_parse(&o->cfg.algo, v) != CEP_OK)
                return usage_error("--algo '%s': use ep, cep, cvf, bptt or tbptt", v);
        } else if (strcmp(a, "--model") == 0) {
            if (cep_model_parse(&o->model, v) != CEP_OK)
                return usage_error("--model '%s': use prototypical, prototypical-vf, energy or "
                                   "energy-vf", v);
        } else if (strcmp(a, "--activation") == 0) {
            if (cep_activation_parse(&o->act, v) != CEP_OK)
                return usage_error("--activation '%s': use sigmoid4, tanh, hardsigmoid or identity", v);
        } else if (strcmp(a, "--sizes") == 0) {
            if (cli_parse_sizes(o->sizes, &o->n_sizes, v))
                return usage_error("--sizes '%s': need n_0,n_1,..,n_N (2 to 17 sizes, each in "
                                   "1..1048576)", v);
        } else if (strcmp(a, "--eps") == 0) {
            if (cli_parse_double(v, &o->eps) || !(o->eps > 0 && o->eps <= 1))
                return usage_error("--eps '%s': need a number in (0, 1]", v);
        } else if (strcmp(a, "--T") == 0 || strcmp(a, "--K") == 0) {
            if (cli_parse_u64(v, CEP_MAX_STEPS, &u) || u == 0)
                return usage_error("%s '%s': need an integer in 1..16777216", a, v);
            *(a[2] == 'T' ? &o->cfg.T : &o->cfg.K) = (size_t)u;
        } else if (strcmp(a, "--beta") == 0) {
            if (cli_parse_double(v, &o->cfg.beta) || o->cfg.beta == 0)
                return usage_error("--beta '%s': need a finite non-zero number", v);
        } else if (strcmp(a, "--lr") == 0) {
            if (parse_list(o->lr, &o->n_lr, v))
                return usage_error("--lr '%s': need non-negative numbers separated by commas", v);
            o->lr_given = 1;
        } else if (strcmp(a, "--randbeta") == 0) {
            if (cli_parse_double(v, &d) || d < 0 || d > 1)
                return usage_error("--randbeta '%s': need a probability in [0, 1]", v);
            o->cfg.randbeta = d;
        } else if (strcmp(a, "--angle") == 0) {
            if (cli_parse_double(v, &d) || d < 0 || d > 180)
                return usage_error("--angle '%s': need degrees in [0, 180]", v);
            o->cfg.angle_deg = d;
        } else
            return usage_error("unknown option %s", a);
        if (cfg_opt) {
            o->config_given = 1;
            o->config_opt = a;
        }
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------------ */

int cmd_train(int argc, char **argv)
{
    train_opts o;
    int r = parse_options(&o, argc, argv);
    if (r != 0)
        return r < 0 ? 0 : r;
    char err[1024] = "", outdir[4096], ckpath[4200];
    cep_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    double *hist = NULL;
    size_t hist_rows = 0;
    const double *theta0 = NULL;
    const uint64_t *rng0 = NULL;
    cep_train_config *c = &o.cfg;
    if (o.resume != NULL) {
        if (o.config_given) {
            fprintf(stderr, "cep train: %s cannot change a resumed run: its settings come from %s\n",
                    o.config_opt, o.resume);
            return 2;
        }
        int st = cep_ckpt_read(&ck, o.resume, err, sizeof err);
        if (st != CEP_OK) {
            fprintf(stderr, "cep train: %s\n", err);
            return 2;
        }
        o.model = (cep_model)ck.model;
        o.act = (cep_activation)ck.activation;
        c->algo = (cep_algo)ck.algorithm;
        o.n_sizes = ck.n_layers + 1;
        for (size_t n = 0; n < o.n_sizes; n++)
            o.sizes[n] = (size_t)ck.size[n];
        o.eps = ck.eps;
        c->beta = ck.beta;
        c->randbeta = ck.randbeta;
        c->angle_deg = ck.angle_deg;
        c->T = (size_t)ck.T;
        c->K = (size_t)ck.K;
        c->batch = (size_t)ck.batch;
        c->seed = ck.seed;
        memcpy(c->eta, ck.eta, sizeof c->eta);
        theta0 = ck.theta;
        rng0 = ck.rng;
        hist_rows = (size_t)ck.n_history;
        if (!o.epochs_given) {
            fprintf(stderr, "cep train: --resume needs --epochs N, the total number of epochs "
                    "(%s has %zu done)\n", o.resume, hist_rows);
            cep_ckpt_free(&ck);
            return 2;
        }
    }
    int st = cep_shape_init(&c->shape, o.model, o.act, o.eps, o.n_sizes, o.sizes);
    if (st != CEP_OK) {
        fprintf(stderr, "cep train: the network: %s\n", cep_strerror(st));
        cep_ckpt_free(&ck);
        return 2;
    }
    size_t N = c->shape.n_layers;
    if (o.resume == NULL) {
        if (o.n_lr != N) {
            fprintf(stderr, "cep train: --lr has %zu rate(s) but the network has %zu weight "
                    "matrices (give them from the output layer towards the input)\n", o.n_lr, N);
            return 2;
        }
        for (size_t n = 0; n < N; n++)
            c->eta[n] = o.lr[N - 1 - n];   /* eta[n-1] is W_n's rate: input first */
    }
    if (!c->literal && !cep_fast_supports(c)) {
        printf("cep train: the fast engine does not cover model %s with %s: using the literal "
               "engine (slow)\n", cep_model_name(o.model), cep_algo_name(c->algo));
        c->literal = 1;
    }
    if (o.resume != NULL && hist_rows >= o.epochs) {
        fprintf(stderr, "cep train: %s already has %zu epochs; ask for more with --epochs\n",
                o.resume, hist_rows);
        cep_ckpt_free(&ck);
        return 2;
    }
    snprintf(outdir, sizeof outdir, "%s", o.out ? o.out : "build/train");
    if (o.out == NULL)
        snprintf(outdir, sizeof outdir, "build/train/%s", o.pre->name);
    cep_dataset train = {0}, test = {0};
    size_t nx = o.sizes[0], ny = o.sizes[o.n_sizes - 1];
    printf("cep train: loading %s ...\n", o.data);
    fflush(stdout);
    st = cep_dataset_load(&train, o.data, "train", nx, ny, 0, err, sizeof err);
    if (st == CEP_OK)
        st = cep_dataset_load(&test, o.data, "t10k", nx, ny, 0, err, sizeof err);
    if (st != CEP_OK) {
        fprintf(stderr, "cep train: %s\n", err);
        cep_dataset_free(&train);
        cep_ckpt_free(&ck);
        return 2;
    }
    if ((st = cep_mkdir_p(outdir, err, sizeof err)) != CEP_OK) {
        fprintf(stderr, "cep train: %s\n", err);
        cep_dataset_free(&train);
        cep_dataset_free(&test);
        cep_ckpt_free(&ck);
        return 2;
    }
    cep_trainer *t = NULL;
    st = cep_trainer_new(&t, c, theta0, rng0, err, sizeof err);
    if (st != CEP_OK) {
        fprintf(stderr, "cep train: %s\n", err[0] ? err : cep_train_strerror(st));
        cep_dataset_free(&train);
        cep_dataset_free(&test);
        cep_ckpt_free(&ck);
        return 2;
    }
    hist = malloc((size_t)o.epochs * CEP_CKPT_HISTORY_COLS * sizeof *hist);
    if (hist == NULL) {
        fprintf(stderr, "cep train: out of memory\n");
        cep_trainer_free(t);
        cep_dataset_free(&train);
        cep_dataset_free(&test);
        cep_ckpt_free(&ck);
        return 1;
    }
    if (hist_rows > 0)
        memcpy(hist, ck.history, hist_rows * CEP_CKPT_HISTORY_COLS * sizeof *hist);
    size_t ntrain = o.train_max && o.train_max < train.n ? o.train_max : train.n;
    size_t ntest = o.test_max && o.test_max < test.n ? o.test_max : test.n;
    /* run.txt: what this run is, for people */
    static char run_txt[4096];
    {
        char lrs[256] = "", *txt = run_txt;
        size_t l = 0;
        for (size_t n = N; n >= 1; n--)
            l += (size_t)snprintf(lrs + l, sizeof lrs - l, "%s%g", n == N ? "" : ",", c->eta[n - 1]);
        char sz[256] = "";
        l = 0;
        for (size_t n = 0; n < o.n_sizes; n++)
            l += (size_t)snprintf(sz + l, sizeof sz - l, "%s%zu", n ? "-" : "", o.sizes[n]);
        snprintf(txt, sizeof run_txt,
                 "preset %s%s\nmodel %s, activation %s, sizes %s\nalgorithm %s, T %zu, K %zu, beta %g, "
                 "randbeta %g, lr (output first) %s, batch %zu, seed %llu, VF angle %g\nengine %s, threads %u\n"
                 "data %s: %zu training examples, %zu test examples\n",
                 o.resume ? "(resumed from " : o.pre->name, o.resume ? o.resume : "",
                 cep_model_name(o.model), cep_activation_name(o.act), sz, cep_algo_name(c->algo), c->T,
                 c->K, c->beta, c->randbeta, lrs, c->batch, (unsigned long long)c->seed,
                 c->angle_deg,
                 c->literal ? "literal" : "fast", c->threads, o.data, ntrain, ntest);
        fputs(txt, stdout);
        /* run_txt is written with the first finished epoch's files, so that an
         * interrupted first epoch leaves a previous run's files all intact */
    }
    /* SIGINT/SIGTERM: the current batch finishes, the last finished epoch's
     * files are kept; exit 128 + signal (the handler restarts interrupted
     * writes, SA_RESTART) */
    cep_clear_stop();
    cep_stop_on_signals(1);
    snprintf(ckpath, sizeof ckpath, "%s/checkpoint.bin", outdir);
    int rc = 0, figures = 0;
    progress_state ps = {isatty(1), 0, o.epochs, 0, 0, 0};
    for (unsigned e = (unsigned)hist_rows + 1; e <= o.epochs; e++) {
        ps.epoch = e;
        ps.t0 = now_s();
        ps.last = 0;
        ps.next_line = ntrain / 10 > 0 ? ntrain / 10 : 1;
        cep_eval tr, te;
        st = cep_train_epoch(t, &train, ntrain, &tr, on_progress, &ps);
        double train_secs = now_s() - ps.t0;
        if (st == CEP_OK)
            st = cep_evaluate(t, &test, ntest, &te);
        double secs = now_s() - ps.t0;
        if (ps.tty)
            printf("\r\033[K");
        if (st == CEP_ETRAIN_INTERRUPTED || (st == CEP_OK && cep_stop_requested())) {
            int sig = cep_stop_requested() > 0 ? cep_stop_requested() : SIGINT;
            printf("cep train: interrupted during epoch %u (signal %d); the files of epoch %u are "
                   "kept in %s (continue: cep train --resume %s --epochs %u)\n", e, sig,
                   e - 1, outdir, ckpath, o.epochs);
            rc = 128 + sig;
            break;
        }
        if (st != CEP_OK) {
            fprintf(stderr, "cep train: epoch %u: %s%s\n", e, cep_train_strerror(st),
                    st == CEP_EDIVERGED ? " (lower the learning rates or beta); the files of the "
                                          "last good epoch are kept" : "");
            rc = 1;
            break;
        }
        double *h = hist + (e - 1) * CEP_CKPT_HISTORY_COLS;
        h[0] = e;
        h[1] = tr.loss;
        h[2] = tr.error;
        h[3] = te.loss;
        h[4] = te.error;
        h[5] = secs;
        hist_rows = e;
        printf("epoch %u/%u: train loss %.4f error %.2f%% | test loss %.4f error %.2f%% | %.1f s "
               "(training %.0f examples/s)\n", e, o.epochs, tr.loss, 100 * tr.error, te.loss,
               100 * te.error, secs, (double)ntrain / train_secs);
        fflush(stdout);
        /* the checkpoint, then the CSV and the figure: each written atomically */
        cep_checkpoint out;
        memset(&out, 0, sizeof out);
        out.model = (uint32_t)o.model;
        out.activation = (uint32_t)o.act;
        out.algorithm = (uint32_t)c->algo;
        out.n_layers = (uint32_t)N;
        for (size_t n = 0; n <= N; n++)
            out.size[n] = o.sizes[n];
        out.eps = o.eps;
        out.beta = c->beta;
        out.randbeta = c->randbeta;
        out.angle_deg = c->angle_deg;
        out.T = c->T;
        out.K = c->K;
        out.batch = c->batch;
        out.seed = c->seed;
        out.epochs_done = e;
        out.P = c->shape.P;
        memcpy(out.eta, c->eta, sizeof out.eta);
        cep_trainer_rng(t, out.rng);
        out.theta = (double *)cep_trainer_theta(t);
        out.n_history = e;
        out.history = hist;
        if ((st = cep_ckpt_write(ckpath, &out, err, sizeof err)) != CEP_OK ||
            (st = write_csv(outdir, hist, hist_rows, err, sizeof err)) != CEP_OK) {
            fprintf(stderr, "cep train: %s\n", err);
            rc = 1;
            break;
        }
        if (run_txt[0]) { /* with the first finished epoch (see above) */
            char p[4200];
            snprintf(p, sizeof p, "%s/run.txt", outdir);
            if ((st = cep_text_write_atomic(p, run_txt, err, sizeof err)) != CEP_OK) {
                fprintf(stderr, "cep train: %s\n", err);
                rc = 1;
                break;
            }
            run_txt[0] = '\0';
        }
        char title[256];
        snprintf(title, sizeof title, "cep train %s (%s, %s)", o.resume ? "(resumed)" : o.pre->name,
                 cep_algo_name(c->algo), cep_model_name(o.model));
        figures = write_figure(outdir, title, err, sizeof err);
        if (figures < 0) {
            fprintf(stderr, "cep train: %s\n", err);
            rc = 1;
            break;
        }
    }
    cep_stop_on_signals(0);
    if (rc == 0) {
        char hex[65];
        theta_hash(hex, cep_trainer_theta(t), c->shape.P);
        printf("files: %s/{train.csv,checkpoint.bin,run.txt%s}\n", outdir,
               figures ? ",curve.png,curve.svg" : "");
        if (!figures)
            printf("(no figure: gnuplot missing or failed, see %s/gnuplot.log)\n", outdir);
        printf("theta sha256 %s\n", hex);
    }
    free(hist);
    cep_trainer_free(t);
    cep_dataset_free(&train);
    cep_dataset_free(&test);
    cep_ckpt_free(&ck);
    return rc;
}
