/* train_bench.c -- training throughput of the fast engine (docs/bench.md):
 * examples/s per 1-hidden-layer preset on Fashion-MNIST (784-512-10, batch
 * 20, the paper's T, K), GFLOP/s from the engine's operation count
 * (cep_train_flops_per_example), against the machine's binary64 FMA peak
 * measured here with AVX-512 (or AVX2) FMA instructions.
 * Usage: train_bench [DATA_DIR [EXAMPLES]]  (default Fashion-MNIST, 12000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include "cep.h"
#include "apps/train.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#ifdef HAVE_X86
/* 12 independent accumulators hide the FMA latency; 2 flops per lane. */
__attribute__((target("avx512f"))) static double peak512(long iters)
{
    __m512d a[12], m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-7);
    for (int i = 0; i < 12; i++)
        a[i] = _mm512_set1_pd(1.0 + i);
    for (long n = 0; n < iters; n++)
        for (int i = 0; i < 12; i++)
            a[i] = _mm512_fmadd_pd(a[i], m, c);
    double s = 0, out[8];
    for (int i = 0; i < 12; i++) {
        _mm512_storeu_pd(out, a[i]);
        s += out[0];
    }
    return s;
}

__attribute__((target("avx2,fma"))) static double peak256(long iters)
{
    __m256d a[12], m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-7);
    for (int i = 0; i < 12; i++)
        a[i] = _mm256_set1_pd(1.0 + i);
    for (long n = 0; n < iters; n++)
        for (int i = 0; i < 12; i++)
            a[i] = _mm256_fmadd_pd(a[i], m, c);
    double s = 0, out[4];
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_pd(out, a[i]);
        s += out[0];
    }
    return s;
}
#endif

static volatile double sink;

static void *peak_thread(void *arg)
{
    double *gflops = arg;
#ifdef HAVE_X86
    long iters = 20000000;
    int w512 = __builtin_cpu_supports("avx512f");
    double t0 = now();
    sink = w512 ? peak512(iters) : peak256(iters);
    double dt = now() - t0;
    *gflops = 1e-9 * (double)iters * 12 * (w512 ? 8 : 4) * 2 / dt;
#else
    *gflops = 0;
#endif
    return NULL;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 12000;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    double p1 = 0, pall[64] = {0};
    peak_thread(&p1);
    pthread_t th[64];
    int nt = ncpu > 64 ? 64 : (int)ncpu;
    for (int i = 0; i < nt; i++)
        pthread_create(&th[i], NULL, peak_thread, &pall[i]);
    double ptot = 0;
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        ptot += pall[i];
    }
#ifdef HAVE_X86
    const char *isa = __builtin_cpu_supports("avx512f") ? "AVX-512" : "AVX2";
#else
    const char *isa = "none";
#endif
    printf("binary64 FMA peak (%s, measured): %.1f GFLOP/s on 1 core, %.1f GFLOP/s on %d cores\n",
           isa, p1, ptot, nt);
    printf("(the engines use no FMA: -ffp-contract=off, a multiply and an add per term, so their\n"
           " ceiling is half the FMA peak)\n\n");
    char err[512];
    cep_dataset d;
    if (cep_dataset_load(&d, dir, "train", 784, 10, n, err, sizeof err) != CEP_OK) {
        fprintf(stderr, "train_bench: %s\n", err);
        return 2;
    }
    struct { const char *name; cep_model m; cep_algo a; size_t T, K; double beta, lr_out, lr_in; } p[] = {
        {"ep-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_EP, 30, 10, 0.1, 0.04, 0.08},
        {"cep-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_CEP, 40, 15, 0.2, 0.0028, 0.0056},
        {"cvf-1h", CEP_MODEL_PROTOTYPICAL_VF, CEP_ALGO_CVF, 40, 15, 0.2, 0.0038, 0.0076},
        {"bptt-1h", CEP_MODEL_PROTOTYPICAL, CEP_ALGO_BPTT, 30, 10, 0.1, 0.04, 0.08},
    };
    printf("| preset | T | K | threads | examples/s | s per 60000-example epoch | MFLOP/example | GFLOP/s | %% of FMA peak |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        for (int threads = 1; threads <= nt; threads = threads == nt ? nt + 1 : nt) {
            size_t sizes[] = {784, 512, 10};
            cep_train_config c;
            memset(&c, 0, sizeof c);
            cep_shape_init(&c.shape, p[i].m, CEP_ACT_SIGMOID4, 1.0, 3, sizes);
            c.algo = p[i].a;
            c.T = p[i].T;
            c.K = p[i].K;
            c.batch = 20;
            c.beta = p[i].beta;
            c.eta[0] = p[i].lr_in;
            c.eta[1] = p[i].lr_out;
            c.seed = 1;
            c.threads = (unsigned)threads;
            cep_trainer *t;
            if (cep_trainer_new(&t, &c, NULL, NULL, err, sizeof err) != CEP_OK) {
                fprintf(stderr, "train_bench: %s\n", err);
                return 1;
            }
            cep_eval ev;
            double best = 1e30;
            for (int rep = 0; rep < 3; rep++) {
                double t0 = now();
                if (cep_train_epoch(t, &d, n, &ev, NULL, NULL) != CEP_OK)
                    return 1;
                double dt = now() - t0;
                if (dt < best)
                    best = dt;
            }
            double eps = (double)n / best, fl = cep_train_flops_per_example(&c);
            double gf = 1e-9 * fl * eps, peak = threads == 1 ? p1 : ptot;
            printf("| %s | %zu | %zu | %d | %.0f | %.1f | %.2f | %.2f | %.1f |\n", p[i].name, c.T, c.K,
                   threads, eps, 60000.0 / eps, 1e-6 * fl, gf, 100 * gf / peak);
            fflush(stdout);
            cep_trainer_free(t);
        }
    printf("\n(best of 3 passes over the first %zu training examples, batch 20; GFLOP/s from the\n"
           " engine's operation count, cep_train_flops_per_example)\n", n);
    cep_dataset_free(&d);
    return 0;
}
