/* bench.c -- `make bench`: timings of the first phase, of C-EP and of BPTT
 * on a 784-512-10 prototypical network, in binary64 and in GNU MPFR at 64,
 * 128 and 256 bits.  The numbers and how to read them: docs/bench.md.
 *
 * Public API only (cep.h).  Network: CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4,
 * eps = 1, sizes 784,512,10, theta (INIT.1) and x, y (INIT.2) from seed 1.
 *
 * What is timed (clock_gettime(CLOCK_MONOTONIC), every measurement repeated
 * and the minimum reported, the median printed next to it):
 *  - free-phase step: cep_free_phase with n steps from s_0 = 0, no
 *    trajectory, divided by n;
 *  - C-EP step: cep_nudged_phase (eta = 1e-4 for every layer, beta = 0.2)
 *    from the free-phase state s_* (T = 40), only s_K requested.  One call
 *    also allocates its work vectors, copies theta and computes G(s_*), so
 *    the step is the marginal cost (t(K) - t(1)) / (K - 1); the fixed cost
 *    t(1) - step is printed as "C-EP setup";
 *  - BPTT pass: cep_free_phase with T = 40 storing the trajectory (printed
 *    separately), then cep_bptt with K = 15 and every output (grad_s,
 *    grad_theta, total_K, full, loss); full != NULL makes it go back through
 *    all T = 40 steps.  The BPTT column times the cep_bptt call alone.
 * Output buffers are allocated outside the timed regions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cep.h"

#define N0 784
#define N1 512
#define N2 10
#define SEED 1
#define T_FREE 40   /* first-phase horizon of the BPTT pass and of s_*  */
#define K_BPTT 15   /* K of the BPTT pass                               */
#define BETA 0.2
#define ETA 1e-4
#define MAX_REPS 16
#define STR(a) #a
#define XSTR(a) STR(a)

/* One precision: binary64 (mp == 0) or MPFR at ctx.prec bits, with the
 * step counts and repetitions chosen so that `make bench` stays within a
 * few minutes on a 2-core machine (see docs/bench.md). */
typedef struct {
    const char *name;
    int mp;
    long bits;
    cep_ctx ctx;
    size_t n_free;   /* steps of the timed first phase                  */
    size_t k_cep;    /* K of the long C-EP run (the short one has K = 1) */
    int reps;        /* repetitions of the step measurements            */
    int reps_bptt;   /* repetitions of the T = 40 phase and of BPTT     */
} prec_t;

typedef struct {
    double min, med;
} stat_t;

typedef struct {
    double free_step, free_step_med;        /* s per step                */
    double cep_step, cep_step_med;          /* s per step (marginal)     */
    double cep_setup;                       /* s, t(1) - step            */
    double cep_raw;                         /* s, t(K) / K               */
    double free40, free40_med;              /* s, T = 40 with trajectory */
    double bptt, bptt_med;                  /* s, one cep_bptt call      */
    double loss;                            /* L = l(s_T, y), from BPTT  */
    double residual;                        /* (FREE.2) at T = 40        */
} result_t;

/* ---- helpers ---------------------------------------------------------- */

static void die_status(const char *what, const prec_t *p, int st)
{
    fprintf(stderr, "bench: %s (%s): %s\n", what, p->name, cep_strerror(st));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("bench: clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static stat_t stats(double *t, int n)
{
    qsort(t, (size_t)n, sizeof t[0], cmp_double);
    stat_t s;
    s.min = t[0];
    s.med = (n % 2) ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    return s;
}

/* Precision-independent wrappers over the _d / _mp API (void * vectors). */
static void *vnew(const prec_t *p, size_t n)
{
    void *v = p->mp ? (void *)cep_vec_new_mp(&p->ctx, n) : (void *)cep_vec_new_d(&p->ctx, n);
    if (v == NULL) {
        fprintf(stderr, "bench: cannot allocate %zu values (%s): %s\n", n, p->name,
                cep_strerror(CEP_ENOMEM));
        exit(1);
    }
    return v;
}

static void vfree(const prec_t *p, void *v)
{
    if (p->mp)
        cep_vec_free_mp(v);
    else
        cep_vec_free_d(v);
}

static void vfrom(const prec_t *p, void *dst, const double *src, size_t n)
{
    if (p->mp)
        cep_vec_from_double_mp(&p->ctx, dst, src, n);
    else
        cep_vec_from_double_d(&p->ctx, dst, src, n);
}

static double vone(const prec_t *p, const void *v)
{
    double d;
    if (p->mp)
        cep_vec_to_double_mp(&d, v, 1);
    else
        cep_vec_to_double_d(&d, v, 1);
    return d;
}

static int run_free(const prec_t *p, void *s_T, void *traj, void *residual, const cep_shape *sh,
                    const void *theta, const void *x, size_t T)
{
    if (p->mp)
        return cep_free_phase_mp(&p->ctx, s_T, traj, residual, sh, theta, x, T);
    return cep_free_phase_d(&p->ctx, s_T, traj, residual, sh, theta, x, T);
}

static int run_cep(const prec_t *p, void *s_K, const cep_shape *sh, const void *theta,
                   const void *x, const void *y, const void *s_star, size_t K, const double *eta)
{
    if (p->mp)
        return cep_nudged_phase_mp(&p->ctx, s_K, NULL, NULL, NULL, NULL, sh, theta, x, y,
                                   s_star, K, BETA, eta);
    return cep_nudged_phase_d(&p->ctx, s_K, NULL, NULL, NULL, NULL, sh, theta, x, y, s_star,
                              K, BETA, eta);
}

static int run_bptt(const prec_t *p, void *grad_s, void *grad_theta, void *total_K, void *full,
                    void *loss, const cep_shape *sh, const void *theta, const void *x,
                    const void *y, const void *traj, size_t T, size_t K)
{
    if (p->mp)
        return cep_bptt_mp(&p->ctx, grad_s, grad_theta, total_K, full, loss, sh, theta, x, y,
                           traj, T, K);
    return cep_bptt_d(&p->ctx, grad_s, grad_theta, total_K, full, loss, sh, theta, x, y, traj,
                      T, K);
}

/* ---- one precision ------------------------------------------------------ */

static void bench_one(result_t *r, const prec_t *p, const cep_shape *sh, const double *theta_d,
                      const double *x_d, const double *y_d)
{
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    if (p->k_cep < 2 || p->n_free < 1 || p->reps < 1 || p->reps > MAX_REPS ||
        p->reps_bptt < 1 || p->reps_bptt > MAX_REPS) {
        fprintf(stderr, "bench: bad step counts for %s\n", p->name);
        exit(1);
    }
    double eta[CEP_MAX_LAYERS];
    for (size_t l = 0; l < N; l++)
        eta[l] = ETA;
    double t[MAX_REPS], t1[MAX_REPS];
    stat_t st1, stK;
    int st;

    void *theta = vnew(p, P), *x = vnew(p, sh->size[0]), *y = vnew(p, sh->size[N]);
    vfrom(p, theta, theta_d, P);
    vfrom(p, x, x_d, sh->size[0]);
    vfrom(p, y, y_d, sh->size[N]);
    void *s_star = vnew(p, S), *s_tmp = vnew(p, S), *res = vnew(p, 1), *loss = vnew(p, 1);
    void *traj = vnew(p, (T_FREE + 1) * S);
    void *grad_s = vnew(p, (K_BPTT + 1) * S), *grad_theta = vnew(p, K_BPTT * P);
    void *total_K = vnew(p, P), *full = vnew(p, P);

    /* First phase T = 40 with the trajectory: s_* and traj for C-EP and BPTT. */
    fprintf(stderr, "bench: %s: free phase T=%d with trajectory x%d\n", p->name, T_FREE,
            p->reps_bptt);
    for (int i = 0; i < p->reps_bptt; i++) {
        double t0 = now();
        st = run_free(p, s_star, traj, res, sh, theta, x, T_FREE);
        t[i] = now() - t0;
        if (st != CEP_OK)
            die_status("cep_free_phase T=40", p, st);
    }
    stK = stats(t, p->reps_bptt);
    r->free40 = stK.min;
    r->free40_med = stK.med;
    r->residual = vone(p, res);

    /* Free-phase step. */
    fprintf(stderr, "bench: %s: free phase T=%zu x%d\n", p->name, p->n_free, p->reps);
    for (int i = 0; i < p->reps; i++) {
        double t0 = now();
        st = run_free(p, s_tmp, NULL, NULL, sh, theta, x, p->n_free);
        t[i] = now() - t0;
        if (st != CEP_OK)
            die_status("cep_free_phase", p, st);
    }
    stK = stats(t, p->reps);
    r->free_step = stK.min / (double)p->n_free;
    r->free_step_med = stK.med / (double)p->n_free;

    /* C-EP step: K = 1 and K = k_cep from s_*. */
    fprintf(stderr, "bench: %s: C-EP K=1 and K=%zu x%d\n", p->name, p->k_cep, p->reps);
    for (int i = 0; i < p->reps; i++) {
        double t0 = now();
        st = run_cep(p, s_tmp, sh, theta, x, y, s_star, 1, eta);
        t1[i] = now() - t0;
        if (st != CEP_OK)
            die_status("cep_nudged_phase K=1", p, st);
        t0 = now();
        st = run_cep(p, s_tmp, sh, theta, x, y, s_star, p->k_cep, eta);
        t[i] = now() - t0;
        if (st != CEP_OK)
            die_status("cep_nudged_phase", p, st);
    }
    st1 = stats(t1, p->reps);
    stK = stats(t, p->reps);
    r->cep_step = (stK.min - st1.min) / (double)(p->k_cep - 1);
    r->cep_step_med = (stK.med - st1.med) / (double)(p->k_cep - 1);
    r->cep_setup = st1.min - r->cep_step;
    r->cep_raw = stK.min / (double)p->k_cep;

    /* BPTT pass T = 40, K = 15, full gradient. */
    fprintf(stderr, "bench: %s: BPTT T=%d K=%d x%d\n", p->name, T_FREE, K_BPTT, p->reps_bptt);
    for (int i = 0; i < p->reps_bptt; i++) {
        double t0 = now();
        st = run_bptt(p, grad_s, grad_theta, total_K, full, loss, sh, theta, x, y, traj, T_FREE,
                      K_BPTT);
        t[i] = now() - t0;
        if (st != CEP_OK)
            die_status("cep_bptt", p, st);
    }
    stK = stats(t, p->reps_bptt);
    r->bptt = stK.min;
    r->bptt_med = stK.med;
    r->loss = vone(p, loss);

    vfree(p, full);
    vfree(p, total_K);
    vfree(p, grad_theta);
    vfree(p, grad_s);
    vfree(p, traj);
    vfree(p, loss);
    vfree(p, res);
    vfree(p, s_tmp);
    vfree(p, s_star);
    vfree(p, y);
    vfree(p, x);
    vfree(p, theta);
}

/* ---- machine ------------------------------------------------------------- */

static void print_machine(void)
{
    char cpu[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[512];
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c != NULL) {
                    c++;
                    while (*c == ' ' || *c == '\t')
                        c++;
                    c[strcspn(c, "\n")] = '\0';
                    snprintf(cpu, sizeof cpu, "%s", c);
                }
                break;
            }
        }
        fclose(f);
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    double gib = (pages > 0 && psize > 0) ? (double)pages * (double)psize / 1073741824.0 : 0.0;
    char date[64] = "unknown";
    time_t tt = time(NULL);
    struct tm tm;
    if (gmtime_r(&tt, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);

    printf("date:     %s\n", date);
    printf("machine:  %s, %ld cores online, %.1f GiB RAM\n", cpu, ncpu, gib);
#if defined(__clang__)
    printf("compiler: clang %s\n", __VERSION__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s\n", __VERSION__);
#endif
    printf("libs:     cep %s, MPFR %s, GMP %s\n", CEP_VERSION, mpfr_get_version(), gmp_version);
}

/* ---- main ----------------------------------------------------------------- */

int main(void)
{
    prec_t precs[] = {
        /* name        mp bits ctx  n_free k_cep reps reps_bptt */
        {"binary64", 0, 53, {0, 0, 0, 0}, 2000, 200, 9, 9},
        {"MPFR-64", 1, 64, {0, 0, 0, 0}, 40, 16, 5, 3},
        {"MPFR-128", 1, 128, {0, 0, 0, 0}, 40, 16, 5, 3},
        {"MPFR-256", 1, 256, {0, 0, 0, 0}, 40, 16, 5, 3},
    };
    enum { NPREC = sizeof precs / sizeof precs[0] };
    result_t res[NPREC];
    memset(res, 0, sizeof res);

    const size_t sizes[] = {N0, N1, N2};
    cep_shape sh;
    int st = cep_shape_init(&sh, CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 1.0, 3, sizes);
    if (st != CEP_OK) {
        fprintf(stderr, "bench: cep_shape_init: %s\n", cep_strerror(st));
        return 1;
    }
    double *theta_d = malloc(sh.P * sizeof *theta_d);
    double *x_d = malloc(sh.size[0] * sizeof *x_d);
    double *y_d = malloc(sh.size[sh.n_layers] * sizeof *y_d);
    if (theta_d == NULL || x_d == NULL || y_d == NULL) {
        fprintf(stderr, "bench: %s\n", cep_strerror(CEP_ENOMEM));
        return 1;
    }
    cep_init_theta(theta_d, &sh, SEED);
    cep_init_data(x_d, y_d, &sh, SEED);

    for (int i = 0; i < NPREC; i++) {
        prec_t *p = &precs[i];
        if (p->mp) {
            st = cep_ctx_mpfr(&p->ctx, p->bits);
            if (st != CEP_OK)
                die_status("cep_ctx_mpfr", p, st);
        } else {
            p->ctx = cep_ctx_double();
        }
        double t0 = now();
        bench_one(&res[i], p, &sh, theta_d, x_d, y_d);
        fprintf(stderr, "bench: %s done in %.1f s\n", p->name, now() - t0);
    }

    printf("cep bench: %s network %d-%d-%d, activation %s, eps 1, seed %d\n",
           cep_model_name(sh.model), N0, N1, N2, cep_activation_name(sh.act), SEED);
    printf("          S = %zu state values, P = %zu parameters\n", sh.S, sh.P);
    print_machine();
    printf("\n");
    static const char *const head[] = {"precision", "free-phase step (ms)", "C-EP step (ms)",
                                       "BPTT pass T=" XSTR(T_FREE) ",K=" XSTR(K_BPTT) " (s)",
                                       "free phase T=" XSTR(T_FREE) " (s)"};
    enum { NCOL = sizeof head / sizeof head[0] };
    int w[NCOL];
    for (int c = 0; c < NCOL; c++) {
        w[c] = (int)strlen(head[c]);
        printf("| %-*s ", w[c], head[c]);
    }
    printf("|\n");
    for (int c = 0; c < NCOL; c++) {
        putchar('|');
        for (int j = 0; j < w[c] + 1; j++)
            putchar('-');
        putchar(c == 0 ? '-' : ':'); /* numbers right-aligned */
    }
    printf("|\n");
    for (int i = 0; i < NPREC; i++)
        printf("| %-*s | %*.3f | %*.3f | %*.3f | %*.3f |\n", w[0], precs[i].name,
               w[1], 1e3 * res[i].free_step, w[2], 1e3 * res[i].cep_step, w[3], res[i].bptt,
               w[4], res[i].free40);
    printf("\n");

    /* Estimated flop counts (one multiply or add = 1 flop; activations,
     * copies and O(S) work ignored): */
    double P = (double)sh.P;
    double f_free = 2.0 * ((double)N0 * N1 + 2.0 * N1 * N2);       /* matvecs (PRE.2) */
    double f_G = (double)N0 * N1 + (double)N1 * N2;                 /* outer products  */
    double f_cep = f_free + f_G + 4.0 * P;                          /* + sub, div, axpy */
    double f_vjp = f_free + 4.0 * N1 * N2 + f_G + 2.0 * N1 * N2 + P; /* + u, outer(_acc), full */
    double f_bptt = (double)T_FREE * f_vjp;
    printf("binary64 GFLOP/s (estimates from operation counts, not measured flops):\n");
    printf("  free-phase step: %.0f flop -> %.2f GFLOP/s\n", f_free, 1e-9 * f_free / res[0].free_step);
    printf("  C-EP step:       %.0f flop -> %.2f GFLOP/s\n", f_cep, 1e-9 * f_cep / res[0].cep_step);
    printf("  BPTT pass:       %.0f flop -> %.2f GFLOP/s\n", f_bptt, 1e-9 * f_bptt / res[0].bptt);
    printf("\n");

    printf("details (min and median over the repetitions; steps per measurement):\n");
    for (int i = 0; i < NPREC; i++) {
        const prec_t *p = &precs[i];
        const result_t *r = &res[i];
        printf("  %-9s free step %.3f ms (median %.3f; T=%zu, x%d); "
               "C-EP step %.3f ms (median %.3f; K=%zu and K=1, x%d), setup %.3f ms, "
               "t(K)/K %.3f ms;\n"
               "            free T=%d %.3f s (median %.3f), BPTT %.3f s (median %.3f), x%d; "
               "loss %.17g, residual %.3g\n",
               p->name, 1e3 * r->free_step, 1e3 * r->free_step_med, p->n_free, p->reps,
               1e3 * r->cep_step, 1e3 * r->cep_step_med, p->k_cep, p->reps, 1e3 * r->cep_setup,
               1e3 * r->cep_raw, T_FREE, r->free40, r->free40_med, r->bptt, r->bptt_med,
               p->reps_bptt, r->loss, r->residual);
    }
    printf("  C-EP step = (t(K) - t(1)) / (K - 1): G(s_*), allocation and copies excluded;\n"
           "  setup = t(1) - step. BPTT times cep_bptt only (the T=%d free phase is its own\n"
           "  column); it writes grad_s, grad_theta (K*P values), total_K, full and loss.\n",
           T_FREE);

    free(y_d);
    free(x_d);
    free(theta_d);
    mpfr_free_cache();
    return 0;
}
