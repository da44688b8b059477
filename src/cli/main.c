/* main.c -- the `cep` program: subcommands, messages, exit codes.
 * Exit codes: 0 success, 1 a computation failed, 2 bad usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cep.h"
#include "apps/idx.h"
#include "apps/theorem.h"
#include "cli/options.h"
#include "cli/train_cmd.h"
#include "cli/vectors_cmd.h"

static const char usage_top[] =
    "usage: cep <command> [options]\n"
    "\n"
    "Equilibrium Propagation (EP), Continual EP (C-EP) and BPTT in binary64 and\n"
    "GNU MPFR, after Ernoult et al. 2020.  Commands:\n"
    "  theorem   Theorem 1 checked step by step: C-EP/EP updates against BPTT\n"
    "            gradients over a sweep of beta, in MPFR and binary64; report,\n"
    "            CSV files and figures; exit 0 PASS/APPROXIMATE, 1 FAIL\n"
    "  run       first phase, second phase (EP or C-EP) and BPTT on one network;\n"
    "            prints per-step norms of Delta_s, Delta_theta, grad_s, grad_theta\n"
    "  train     train on MNIST-format data (default Fashion-MNIST) with EP, C-EP,\n"
    "            C-VF or BPTT: presets of the paper, progress, CSV, figure, checkpoint\n"
    "  vectors   generate the golden-vector suites (vectors/v1, spec/vectors.md)\n"
    "  check     compare an implementation's results with a vector suite;\n"
    "            exit 0 pass, 1 fail, 2 unusable input\n"
    "  help      this text;  cep <command> --help  for a command's options\n"
    "  version   the version and the MPFR/GMP it runs with\n";

static const char usage_run[] =
    "usage: cep run [options]\n"
    "\n"
    "Runs the first phase for T steps from s = 0, the second phase for K steps\n"
    "(C-EP when eta > 0, EP when eta = 0) and BPTT through the first phase, then\n"
    "prints, per step k, ||Delta_s(k)||, ||grad_s(k)||, ||Delta_s(k) + grad_s(k)||\n"
    "/ ||grad_s(k)|| and the same for theta (spec/model.md, eq. NORM.1-2, BPTT.1-4).\n"
    "Theorem 1 predicts the relative differences vanish as beta, eta -> 0.\n"
    "\n"
    "  --model M        energy | prototypical | prototypical-vf | energy-vf (default energy)\n"
    "  --angle A        VF models: angle of B to W^T, degrees (INIT.3) (default 0)\n"
    "  --sizes LIST     n_0,n_1,..,n_N, input first           (default 5,8,3)\n"
    "  --activation A   tanh | sigmoid4 | hardsigmoid | identity (default tanh)\n"
    "  --eps E          step of the energy model, in (0, 1]   (default 0.5)\n"
    "  --T N            first-phase steps, T >= K             (default 200)\n"
    "  --K N            second-phase steps, K >= 1            (default 10)\n"
    "  --beta B         nudging strength, finite, != 0        (default 1e-3)\n"
    "  --eta H          C-EP learning rate, >= 0; 0 = EP      (default 1e-6)\n"
    "  --seed S         seed of weights, input and target     (default 1)\n"
    "  --precision P    'double' (binary64) or MPFR bits      (default 256)\n"
    "  --help           this text\n"
    "\n"
    "Weights follow PyTorch's nn.Linear law, x is uniform in [0,1), y one-hot,\n"
    "all from the seed (spec/model.md §7).  beta, eta and eps are binary64\n"
    "numbers; MPFR uses their exact values.\n"
    "\n"
    "example: cep run --model energy --sizes 5,8,3 --T 200 --K 10 --beta 1e-20 \\\n"
    "                 --eta 1e-40 --precision 256\n";

static void print_sizes(const cep_cli_opts *o)
{
    for (size_t i = 0; i < o->n_sizes; i++)
        printf("%s%zu", i ? "," : "", o->sizes[i]);
}

static int cmd_run(int argc, char **argv)
{
    cep_cli_opts o;
    char err[256];
    cli_opts_default(&o, CLI_RUN);
    if (cli_parse(&o, CLI_RUN, argc, argv, 2, err, sizeof err)) {
        fprintf(stderr, "cep run: %s\n", err);
        return 2;
    }
    if (o.help) {
        fputs(usage_run, stdout);
        return 0;
    }
    cep_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int st = cep_shape_init(&cfg.shape, o.model, o.act, o.eps, o.n_sizes, o.sizes);
    if (st) {
        fprintf(stderr, "cep run: --sizes/--eps: %s\n", cep_strerror(st));
        return 2;
    }
    cfg.T = o.T;
    cfg.K = o.K;
    cfg.beta = o.beta;
    cfg.eta = o.eta;
    cfg.angle_deg = o.angle;
    cfg.seed = o.seed;
    cfg.use_mpfr = o.use_mpfr;
    if (o.use_mpfr)
        cep_ctx_mpfr(&cfg.ctx, o.prec);
    else
        cfg.ctx = cep_ctx_double();

    printf("cep run: model=%s sizes=", cep_model_name(o.model));
    print_sizes(&o);
    printf(" activation=%s eps=%g T=%zu K=%zu beta=%g eta=%g (%s) seed=%llu precision=",
           cep_activation_name(o.act), o.eps, o.T, o.K, o.beta, o.eta, o.eta > 0 ? "C-EP" : "EP",
           (unsigned long long)o.seed);
    if (o.use_mpfr)
        printf("MPFR %ld bits\n", o.prec);
    else
        printf("binary64\n");
    printf("network: S=%zu neurons, P=%zu parameters\n", cfg.shape.S, cfg.shape.P);

    cep_run_report rep;
    st = cep_run(&rep, &cfg);
    if (st) {
        if (rep.failed)
            fprintf(stderr, "cep run: %s: %s%s\n", rep.failed, cep_strerror(st),
                    st == CEP_EDIVERGED ? " (lower --beta, --eta or --eps)" : "");
        else
            fprintf(stderr, "cep run: %s\n", cep_strerror(st));
        return st == CEP_ENOMEM || st == CEP_EDIVERGED ? 1 : 2;
    }
    printf("first phase: residual ||s_T - s_{T-1}||_inf = %.3e, loss l(s_T, y) = %.6e\n",
           rep.residual, rep.loss);
    printf("\nper step k of the second phase (rel = ||Delta + grad|| / ||grad||; "
           "'*' = ||grad|| is 0, absolute shown)\n");
    printf("%4s %12s %12s %12s  %12s %12s %12s\n", "k", "|Delta_s|", "|grad_s|", "rel_s",
           "|Delta_th|", "|grad_th|", "rel_th");
    for (size_t k = 0; k < rep.K; k++)
        printf("%4zu %12.4e %12.4e %11.3e%c  %12.4e %12.4e %11.3e%c\n", k, rep.ds_norm[k],
               rep.gs_norm[k], rep.rel_s[k], rep.abs_s[k] ? '*' : ' ', rep.dth_norm[k],
               rep.gth_norm[k], rep.rel_th[k], rep.abs_th[k] ? '*' : ' ');
    printf("\ntotal over K steps: |sum Delta_theta| = %.4e, |sum grad_theta| = %.4e, "
           "rel = %.3e, angle = %.6g deg\n",
           rep.total_norm, rep.total_grad_norm, rep.total_rel, rep.total_angle_deg);
    cep_run_report_free(&rep);
    return 0;
}

static const char usage_theorem[] =
    "usage: cep theorem [options]\n"
    "\n"
    "Checks Theorem 1 of Ernoult et al. 2020 step by step (spec/theorem.md): runs the\n"
    "first phase until it has converged at the working precision, then K more\n"
    "steps (so s_{T-K} = .. = s_T = s_*), computes BPTT's grad_s(k), grad_theta(k),\n"
    "and for every beta of a sweep runs C-EP (eta = c beta^2) and EP (eta = 0),\n"
    "measuring at every step k < K and for every block (each layer's neurons, each\n"
    "W_n, each b_n) the error ||Delta + grad|| / ||grad||, the max abs error, the\n"
    "cosine and the sign agreement; then the observed order of convergence in beta.\n"
    "All of it in MPFR and again in binary64.\n"
    "\n"
    "Verdict and exit code: energy model: PASS (0) when every block converges with\n"
    "order in [0.9, 1.1] and the smallest MPFR error at every step is <= 1e-20,\n"
    "else FAIL (1); prototypical model: APPROXIMATE (0), with the Jacobian's\n"
    "asymmetry and the error plateau.  VF models (C-VF): energy-vf at --angle 0 is\n"
    "judged as the energy model; otherwise APPROXIMATE, with the weight angles\n"
    "and the paper's total-update angle.  Refusals (bad options, hardsigmoid, a first\n"
    "phase that does not converge within --T-max) exit 2, 2 and 1.\n"
    "\n"
    "  --model M           energy | prototypical | prototypical-vf | energy-vf (default energy)\n"
    "  --sizes LIST        n_0,n_1,..,n_N, input first           (default 10,16,16,4)\n"
    "  --activation A      tanh | sigmoid4 | identity            (default tanh)\n"
    "  --eps E             step of the energy model, in (0, 1]   (default 0.5)\n"
    "  --K N               second-phase steps                    (default 12)\n"
    "  --seed S            seed of weights, x and y              (default 1)\n"
    "  --precision P       MPFR bits, or 'auto' (from the smallest beta and eta) (default auto)\n"
    "  --beta-sweep F:T    beta from F down to T, one point per decade (default 1e-1:1e-30)\n"
    "  --every D           decades between sweep points, 1 or 2  (default 1)\n"
    "  --eta-scale C       C-EP's eta = C * beta^2               (default 1)\n"
    "  --data DIR          x, y = the first training example of the IDX files in DIR\n"
    "                      (e.g. /usr/share/datasets/fashion-mnist; needs sizes 784,..,10)\n"
    "  --out DIR           report directory, replaced atomically (default build/report)\n"
    "  --T-max N           first-phase step limit                (default 100000)\n"
    "  --gdd-beta B        the moderate beta of the GDD figure   (default 1e-2)\n"
    "  --angle A           VF models: angle of B_n to W_{n+1}^T in degrees, [0, 180];\n"
    "                      each entry of B = W^T flips sign with probability\n"
    "                      (1 - cos A)/2 (spec/model.md INIT.3)    (default 0)\n"
    "  --angle-sweep F:T:S VF models: also run the check at angles F, F+S, .., T and\n"
    "                      draw the total-update angle against the weight angle\n"
    "                      (angle_sweep.{csv,png,svg}, e.g. 0:180:22.5)\n"
    "  --help              this text\n"
    "\n"
    "Writes DIR/theorem.md (also printed, shorter), sweep.csv, orders.csv,\n"
    "first_phase.csv, gdd.csv, summary.csv and the figures gdd_moderate,\n"
    "gdd_smallest, err_vs_beta, err_per_step (.png and .svg, by gnuplot).\n";

static int dispatch(int argc, char **argv);

/* MPFR keeps caches of constants (log 2, pi, ...) for the process; free them
 * so that leak checkers see a clean exit. */
/* Progress of a long theorem run on stderr: one rewritten line on a
 * terminal, a plain line per stage otherwise. */
static void theorem_progress(void *arg, const char *what, size_t done, size_t total)
{
    int tty = *(int *)arg;
    if (tty) {
        fprintf(stderr, "\r\033[K[theorem] %s (%zu/%zu)", what, done, total);
        if (done == total)
            fputc('\n', stderr);
    } else if (done == 0 || done == total || done % 10 == 0) {
        fprintf(stderr, "[theorem] %s (%zu/%zu)\n", what, done, total);
    }
    fflush(stderr);
}

static void join_args(char *buf, size_t n, int argc, char **argv)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used + 1 < n; i++) {
        int quote = strchr(argv[i], ' ') != NULL || argv[i][0] == '\0';
        used += (size_t)snprintf(buf + used, n - used, "%s%s%s%s", i ? " " : "",
                                 quote ? "'" : "", argv[i], quote ? "'" : "");
    }
}

static int cmd_theorem(int argc, char **argv)
{
    cep_cli_opts o;
    char err[512];
    cli_opts_default(&o, CLI_THEOREM);
    if (cli_parse(&o, CLI_THEOREM, argc, argv, 2, err, sizeof err)) {
        fprintf(stderr, "cep theorem: %s\n", err);
        return 2;
    }
    if (o.help) {
        fputs(usage_theorem, stdout);
        return 0;
    }
    if (o.act == CEP_ACT_HARDSIGMOID) {
        fprintf(stderr, "cep theorem: --activation hardsigmoid: %s\n", cep_strerror(CEP_ENOTDIFF));
        return 2;
    }
    cep_theorem_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int st = cep_shape_init(&cfg.shape, o.model, o.act, o.eps, o.n_sizes, o.sizes);
    if (st) {
        fprintf(stderr, "cep theorem: --sizes/--eps: %s\n", cep_strerror(st));
        return 2;
    }
    double *x = NULL, *y = NULL;
    if (o.data_dir) {
        size_t nx = o.sizes[0], ny = o.sizes[o.n_sizes - 1];
        x = malloc(nx * sizeof *x);
        y = malloc(ny * sizeof *y);
        if (!x || !y) {
            fprintf(stderr, "cep theorem: out of memory\n");
            free(x);
            free(y);
            return 1;
        }
        st = cep_idx_first_example(x, nx, y, ny, o.data_dir, err, sizeof err);
        if (st) {
            fprintf(stderr, "cep theorem: --data: %s\n", err);
            free(x);
            free(y);
            return 2;
        }
    }
    int tty = isatty(2);
    cfg.K = o.K;
    cfg.seed = o.seed;
    cfg.x = x;
    cfg.y = y;
    cfg.beta_from = o.beta_from;
    cfg.beta_to = o.beta_to;
    cfg.decades_per_point = o.decades;
    cfg.eta_scale = o.eta_scale;
    cfg.prec = o.prec;
    cfg.T_max = o.T_max;
    cfg.gdd_beta = o.gdd_beta;
    cfg.progress = theorem_progress;
    cfg.progress_arg = &tty;
    cfg.angle_deg = o.angle;
    cep_theorem_report rep;
    static cep_angle_sweep sweep;
    /* SIGINT/SIGTERM: stop between betas, keep the previous report (exit 128 + signal) */
    cep_clear_stop();
    cep_stop_on_signals(1);
    st = CEP_OK;
    for (size_t i = 0; i < o.n_angles && st != CEP_EINTR; i++) {
        /* (TC.16) one full check per angle; the report below is at --angle */
        fprintf(stderr, "[theorem] angle sweep: %zu/%zu, B at %g degrees to W^T\n", i + 1, o.n_angles,
                o.angles[i]);
        cep_theorem_config c1 = cfg;
        c1.angle_deg = o.angles[i];
        c1.progress = NULL;
        st = cep_theorem(&rep, &c1);
        sweep.angle[i] = o.angles[i];
        sweep.n = i + 1;
        if (st == CEP_ENOTCONVERGED) {
            /* recorded as NaN: no fixed point to compare at this angle */
            fprintf(stderr, "[theorem] angle sweep: at %g degrees the first phase does not converge "
                            "within --T-max %zu (residual %.3e): no angles there\n",
                    o.angles[i], cfg.T_max, rep.sw[0].residual_conv);
            for (size_t l = 0; l < CEP_MAX_LAYERS; l++) sweep.achieved[i][l] = NAN;
            sweep.tot_moderate[i] = sweep.tot_smallest[i] = sweep.tot_acc_smallest[i] = NAN;
            sweep.tot_b64_moderate[i] = sweep.err_smallest[i] = NAN;
            cep_theorem_report_free(&rep);
            continue;
        }
        if (st == CEP_EINTR)
            break;
        if (st != CEP_OK) {
            fprintf(stderr, "cep theorem: --angle-sweep at %g degrees: %s\n", o.angles[i], cep_strerror(st));
            cep_stop_on_signals(0);
            free(x);
            free(y);
            return 2;
        }
        size_t jm = rep.gdd_index, js = rep.n_beta - 1;
        sweep.beta_moderate = rep.beta[jm];
        sweep.beta_smallest = rep.beta[js];
        memcpy(sweep.achieved[i], rep.weight_angle, sizeof rep.weight_angle);
        sweep.tot_moderate[i] = rep.angle[0][jm][0];
        sweep.tot_smallest[i] = rep.angle[0][js][0];
        sweep.tot_acc_smallest[i] = rep.angle[0][js][1];
        sweep.tot_b64_moderate[i] = rep.sw[1].status == CEP_OK ? rep.angle[1][jm][0] : NAN;
        sweep.err_smallest[i] = rep.plateau[0][0];
        cep_theorem_report_free(&rep);
    }
    if (o.n_angles)
        cfg.angle_sweep = &sweep;
    if (st != CEP_EINTR)
        st = cep_theorem(&rep, &cfg);
    int rc = 0;
    if (st == CEP_EINTR) {
        rc = 128 + cep_stop_requested();
        fprintf(stderr, "cep theorem: interrupted (signal %d) before the report was written; "
                        "%s is unchanged\n", rc - 128, o.out_dir);
    } else if (st == CEP_ENOTCONVERGED && !(rep.sw[0].residual_conv < 1e300)) {
        fprintf(stderr, "cep theorem: the first phase diverged: after %zu steps the residual "
                        "||s_t - s_{t-1}||_inf is beyond binary64's range (%g); use a contracting "
                        "network (smaller eps or weights, another activation)\n",
                rep.sw[0].T_conv, rep.sw[0].residual_conv);
        rc = 1;
    } else if (st == CEP_ENOTCONVERGED) {
        const cep_theorem_sweep *sw = &rep.sw[0];
        fprintf(stderr, "cep theorem: the first phase did not converge: after %zu steps (--T-max) the "
                        "residual ||s_t - s_{t-1}||_inf is %.3e > 2^%ld (MPFR %ld bits); raise --T-max "
                        "or use a contracting network (smaller eps or weights)\n",
                sw->T_conv, sw->residual_conv, sw->tol_log2, sw->bits);
        rc = 1;
    } else if (st == CEP_ESWEEP || st == CEP_EPREC || st == CEP_EHORIZON || st == CEP_ENOTDIFF) {
        fprintf(stderr, "cep theorem: %s\n", cep_strerror(st));
        rc = 2;
    } else if (st != CEP_OK) {
        fprintf(stderr, "cep theorem: %s\n", cep_strerror(st));
        rc = 1;
    } else {
        char cmdline[2048];
        join_args(cmdline, sizeof cmdline, argc, argv);
        int figs = 0;
        cep_theorem_format(stdout, &rep, &cfg, cmdline, 0);
        if (rep.sw[1].status != CEP_OK)
            printf("note: the binary64 sweep did not run: %s (residual %.3e after %zu steps)\n",
                   cep_strerror(rep.sw[1].status), rep.sw[1].residual_conv, rep.sw[1].T_conv);
        int wst = cep_theorem_write(&rep, &cfg, o.out_dir, cmdline, &figs, err, sizeof err);
        if (wst == CEP_EINTR) {
            rc = 128 + cep_stop_requested();
            fprintf(stderr, "cep theorem: %s (signal %d; no temporary directory left)\n", err, rc - 128);
        } else if (wst != 0) {
            fprintf(stderr, "cep theorem: %s\n", err);
            rc = 1;
        } else {
            printf("report: %s/theorem.md (and CSV files)\n", o.out_dir);
            if (cfg.angle_sweep) {
                printf("\nangle sweep (C-VF total-update angle to BPTT, MPFR; TC.16):\n"
                       "  requested  achieved(B_1)  beta %.0e  beta %.0e\n", sweep.beta_moderate,
                       sweep.beta_smallest);
                for (size_t i = 0; i < sweep.n; i++)
                    printf("  %9.4g  %13.4f  %9.4f  %9.4f\n", sweep.angle[i], sweep.achieved[i][0],
                           sweep.tot_moderate[i], sweep.tot_smallest[i]);
                printf("figure: %s/angle_sweep.{png,svg}\n", o.out_dir);
            }
            if (figs)
                printf("figures: %s/{gdd_moderate,gdd_smallest,err_vs_beta,err_per_step}.{png,svg}\n",
                       o.out_dir);
            else
                printf("figures: NOT made (is gnuplot installed? see %s/gnuplot.log); "
                       "the scripts are in %s/*.gp\n", o.out_dir, o.out_dir);
            rc = rep.verdict == CEP_VERDICT_FAIL ? 1 : 0;
            printf("verdict: %s\n", rep.verdict == CEP_VERDICT_PASS ? "PASS"
                                    : rep.verdict == CEP_VERDICT_FAIL ? "FAIL" : "APPROXIMATE");
        }
    }
    cep_stop_on_signals(0);
    cep_theorem_report_free(&rep);
    free(x);
    free(y);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    mpfr_free_cache();
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "cep: no command given (commands: theorem, run, help, version; try 'cep help')\n");
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage_top, stdout);
        return 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("cep %s (MPFR %s, GMP %s)\n", CEP_VERSION, mpfr_get_version(), gmp_version);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(argv[1], "train") == 0)
        return cmd_train(argc, argv);
    if (strcmp(argv[1], "vectors") == 0)
        return cmd_vectors(argc, argv);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc, argv);
    if (strcmp(argv[1], "compute") == 0)
        return cmd_compute(argc, argv);
    if (strcmp(argv[1], "theorem") == 0)
        return cmd_theorem(argc, argv);
    fprintf(stderr, "cep: unknown command '%s' (commands: theorem, run, help, version)\n", argv[1]);
    return 2;
}
