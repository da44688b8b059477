/* main.c -- the `cep` program: subcommands, messages, exit codes.
 * Exit codes: 0 success, 1 a computation failed, 2 bad usage. */
#include <stdio.h>
#include <string.h>
#include "cep.h"
#include "cli/options.h"

static const char usage_top[] =
    "usage: cep <command> [options]\n"
    "\n"
    "Equilibrium Propagation (EP), Continual EP (C-EP) and BPTT in binary64 and\n"
    "GNU MPFR, after Ernoult et al. 2020.  Commands:\n"
    "  run       first phase, second phase (EP or C-EP) and BPTT on one network;\n"
    "            prints per-step norms of Delta_s, Delta_theta, grad_s, grad_theta\n"
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
    "  --model M        energy | prototypical                 (default energy)\n"
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
    cli_opts_default(&o);
    if (cli_parse(&o, argc, argv, 2, err, sizeof err)) {
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

static int dispatch(int argc, char **argv);

/* MPFR keeps caches of constants (log 2, pi, ...) for the process; free them
 * so that leak checkers see a clean exit. */
int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    mpfr_free_cache();
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "cep: no command given (commands: run, help, version; try 'cep help')\n");
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
    fprintf(stderr, "cep: unknown command '%s' (commands: run, help, version)\n", argv[1]);
    return 2;
}
