/* train.c -- the training loop of train.h: configuration checks, the
 * trainer, epochs (shuffling, randbeta, batches) and evaluation
 * (spec/train.md §2-3).  The arithmetic of a batch is in the engines,
 * train_literal.c and train_fast.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "apps/train.h"
#include "apps/train_engine.h"
#include "util/errtext.h"

/* (TR.11) the run's generator is seeded apart from theta's (INIT.1) and the
 * feedback's (INIT.3) streams: cep_rng_seed(seed ^ "tran_rng"). */
#define TRAIN_RNG_SALT 0x7472616e5f726e67ull

static const char *const algo_names[] = {"ep", "cep", "cvf", "bptt", "tbptt"};

const char *cep_algo_name(cep_algo a)
{
    return (unsigned)a < sizeof algo_names / sizeof algo_names[0] ? algo_names[a] : "unknown";
}

int cep_algo_parse(cep_algo *out, const char *name)
{
    if (out == NULL || name == NULL)
        return CEP_EARG;
    for (unsigned i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (strcmp(name, algo_names[i]) == 0) {
            *out = (cep_algo)i;
            return CEP_OK;
        }
    return CEP_ETRAIN_ALGO;
}

const char *cep_train_strerror(int status)
{
    switch (status) {
    case CEP_ETRAIN_ALGO: return "the algorithm does not fit the model (cep: symmetric models, cvf: VF models)";
    case CEP_ETRAIN_ENGINE: return "the fast engine does not cover this model and algorithm";
    case CEP_ETRAIN_INTERRUPTED: return "training was interrupted";
    case CEP_ETRAIN_BATCH: return "the batch size is 0 or above 4096";
    case CEP_ETRAIN_THREADS: return "the thread count is 0 or above 256";
    case CEP_ETRAIN_DATA: return "the data set does not fit the network";
    default: return cep_strerror(status);
    }
}

static int check_config(const cep_train_config *c, char *err, size_t errlen)
{
    const cep_shape *sh = &c->shape;
    int vf = CEP_MODEL_IS_VF(sh->model);
    int st;
    if ((unsigned)c->algo > CEP_ALGO_TBPTT) {
        cep_errf(err, errlen, "unknown algorithm %d", (int)c->algo);
        return CEP_ETRAIN_ALGO;
    }
    if ((c->algo == CEP_ALGO_CEP && vf) || (c->algo == CEP_ALGO_CVF && !vf)) {
        cep_errf(err, errlen, "algorithm %s does not run on model %s (cep: energy, prototypical; "
                 "cvf: prototypical-vf, energy-vf)", cep_algo_name(c->algo), cep_model_name(sh->model));
        return CEP_ETRAIN_ALGO;
    }
    if ((st = cep_check_horizon(c->T, c->K)) != CEP_OK) {
        cep_errf(err, errlen, "T = %zu, K = %zu: need T >= K >= 1 and T <= 2^24", c->T, c->K);
        return st;
    }
    if ((st = cep_check_beta(c->beta)) != CEP_OK) {
        cep_errf(err, errlen, "beta = %g: must be finite and non-zero", c->beta);
        return st;
    }
    if ((st = cep_check_eta(sh->n_layers, c->eta)) != CEP_OK) {
        cep_errf(err, errlen, "a learning rate is negative or not finite");
        return st;
    }
    if (!(c->randbeta >= 0.0 && c->randbeta <= 1.0)) {
        cep_errf(err, errlen, "randbeta = %g: must be a probability in [0, 1]", c->randbeta);
        return CEP_EARG;
    }
    if (c->batch == 0 || c->batch > CEP_TRAIN_MAX_BATCH) {
        cep_errf(err, errlen, "batch = %zu: must be in 1..%u", c->batch, CEP_TRAIN_MAX_BATCH);
        return CEP_ETRAIN_BATCH;
    }
    if (c->threads == 0 || c->threads > CEP_TRAIN_MAX_THREADS) {
        cep_errf(err, errlen, "threads = %u: must be in 1..%u", c->threads, CEP_TRAIN_MAX_THREADS);
        return CEP_ETRAIN_THREADS;
    }
    if (vf && !(c->angle_deg >= 0.0 && c->angle_deg <= 180.0)) {
        cep_errf(err, errlen, "angle = %g: must be in [0, 180] degrees", c->angle_deg);
        return CEP_EARG;
    }
    if (!c->literal && !cep_fast_supports(c)) {
        cep_errf(err, errlen, "the fast engine covers the prototypical and prototypical-vf models "
                 "(model %s: use the literal engine)", cep_model_name(sh->model));
        return CEP_ETRAIN_ENGINE;
    }
    return CEP_OK;
}

void cep_train_rates(double *rate, const cep_shape *sh, const double *eta)
{
    for (size_t n = 1; n <= sh->n_layers; n++) {
        size_t nW = sh->size[n] * sh->size[n - 1];
        for (size_t i = 0; i < nW; i++)
            rate[sh->W_off[n] + i] = eta[n - 1];
        for (size_t i = 0; i < sh->size[n]; i++)
            rate[sh->b_off[n] + i] = eta[n - 1];
        if (CEP_MODEL_IS_VF(sh->model) && n < sh->n_layers)      /* (VF.4) */
            for (size_t i = 0; i < sh->size[n] * sh->size[n + 1]; i++)
                rate[sh->B_off[n] + i] = eta[n];
    }
}

int cep_trainer_new(cep_trainer **out, const cep_train_config *cfg, const double *theta,
                    const uint64_t rng[4], char *err, size_t errlen)
{
    if (out == NULL || cfg == NULL) {
        cep_errf(err, errlen, "cep_trainer_new: an argument is NULL");
        return CEP_EARG;
    }
    *out = NULL;
    int st = check_config(cfg, err, errlen);
    if (st != CEP_OK)
        return st;
    cep_trainer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return CEP_ENOMEM;
    t->cfg = *cfg;
    const cep_shape *sh = &t->cfg.shape;
    size_t B = cfg->batch, nx = sh->size[0], ny = sh->size[sh->n_layers];
    t->theta = malloc(sh->P * sizeof *t->theta);
    t->xb = malloc(B * nx * sizeof *t->xb);
    t->yb = malloc(B * ny * sizeof *t->yb);
    t->lb = malloc(B * sizeof *t->lb);
    if (t->theta == NULL || t->xb == NULL || t->yb == NULL || t->lb == NULL) {
        st = CEP_ENOMEM;
        goto fail;
    }
    if (theta != NULL) {
        for (size_t i = 0; i < sh->P; i++)
            if (!isfinite(theta[i])) {
                cep_errf(err, errlen, "theta[%zu] is not finite", i);
                st = CEP_ENONFINITE;
                goto fail;
            }
        memcpy(t->theta, theta, sh->P * sizeof *t->theta);
    } else {
        cep_init_theta(t->theta, sh, cfg->seed);                     /* (INIT.1) */
        if (CEP_MODEL_IS_VF(sh->model) &&
            (st = cep_init_feedback(t->theta, sh, cfg->angle_deg, cfg->seed, NULL)) != CEP_OK)
            goto fail;                                                /* (INIT.3) */
    }
    if (rng != NULL)
        memcpy(t->rng.s, rng, sizeof t->rng.s);
    else
        cep_rng_seed(&t->rng, cfg->seed ^ TRAIN_RNG_SALT);           /* (TR.11) */
    if ((st = cep_pool_new(&t->pool, cfg->threads)) != CEP_OK)
        goto fail;
    st = cfg->literal ? cep_literal_new(&t->eng, t) : cep_fast_new(&t->eng, t);
    if (st != CEP_OK)
        goto fail;
    *out = t;
    return CEP_OK;
fail:
    if (st == CEP_ENOMEM)
        cep_errf(err, errlen, "out of memory for a trainer of %zu parameters, batch %zu", sh->P, B);
    cep_trainer_free(t);
    return st;
}

void cep_trainer_free(cep_trainer *t)
{
    if (t == NULL)
        return;
    if (t->eng != NULL) {
        if (t->cfg.literal)
            cep_literal_free(t->eng);
        else
            cep_fast_free(t->eng);
    }
    cep_pool_free(t->pool);
    free(t->theta);
    free(t->xb);
    free(t->yb);
    free(t->lb);
    free(t->perm);
    free(t);
}

const double *cep_trainer_theta(const cep_trainer *t)
{
    return t->theta;
}

void cep_trainer_rng(const cep_trainer *t, uint64_t out[4])
{
    memcpy(out, t->rng.s, sizeof t->rng.s);
}

/* A diverging run stops: theta is checked after every batch, in parallel. */
typedef struct {
    const double *v;
    size_t n;
    unsigned char bad[CEP_TRAIN_MAX_THREADS];
} finite_job;

static void check_finite(void *arg, unsigned tid, unsigned nt)
{
    finite_job *f = arg;
    size_t lo, hi;
    cep_part(f->n, tid, nt, &lo, &hi);
    unsigned char bad = 0;
    for (size_t i = lo; i < hi; i++)
        bad |= !isfinite(f->v[i]);
    f->bad[tid] = bad;
}

static int batch_sums(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                      size_t B, double beta_sign, cep_eval *sums)
{
    double beta = beta_sign < 0 ? -t->cfg.beta : t->cfg.beta;       /* (TR.3) */
    int st = t->cfg.literal ? cep_literal_batch(t, x, y, labels, B, beta, sums)
                            : cep_fast_batch(t, x, y, labels, B, beta, sums);
    if (st == CEP_OK) {
        finite_job fj = {t->theta, t->cfg.shape.P, {0}};
        cep_pool_run(t->pool, check_finite, &fj);
        for (unsigned i = 0; i < cep_pool_size(t->pool); i++)
            if (fj.bad[i])
                return CEP_EDIVERGED;
    }
    return st;
}

int cep_train_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                    size_t B, double beta_sign, cep_eval *stats)
{
    if (t == NULL || x == NULL || y == NULL || labels == NULL)
        return CEP_EARG;
    if (B == 0 || B > t->cfg.batch)
        return CEP_ETRAIN_BATCH;
    cep_eval s = {0, 0, 0};
    int st = batch_sums(t, x, y, labels, B, beta_sign, &s);
    if (stats != NULL) {
        stats->n = s.n;
        stats->loss = s.n ? s.loss / (double)s.n : 0.0;
        stats->error = s.n ? s.error / (double)s.n : 0.0;
    }
    return st;
}

/* Examples idx[0..B-1] of d into the trainer's batch buffers: x = pixel/255,
 * y one-hot (TR.0). */
static void load_batch(cep_trainer *t, const cep_dataset *d, const size_t *idx, size_t B)
{
    size_t nx = d->nx, ny = d->ny;
    for (size_t b = 0; b < B; b++) {
        const unsigned char *px = d->pixels + idx[b] * nx;
        for (size_t i = 0; i < nx; i++)
            t->xb[b * nx + i] = px[i] / 255.0;
        unsigned lab = d->labels[idx[b]];
        for (size_t j = 0; j < ny; j++)
            t->yb[b * ny + j] = j == lab ? 1.0 : 0.0;
        t->lb[b] = lab;
    }
}

static int check_data(const cep_trainer *t, const cep_dataset *d)
{
    const cep_shape *sh = &t->cfg.shape;
    if (d == NULL || d->pixels == NULL || d->labels == NULL)
        return CEP_EARG;
    if (d->nx != sh->size[0] || d->ny != sh->size[sh->n_layers] || d->n == 0)
        return CEP_ETRAIN_DATA;
    return CEP_OK;
}

int cep_train_epoch(cep_trainer *t, const cep_dataset *d, size_t max_examples, cep_eval *stats,
                    cep_train_progress progress, void *user)
{
    if (t == NULL)
        return CEP_EARG;
    int st = check_data(t, d);
    if (st != CEP_OK)
        return st;
    size_t n = d->n;
    if (t->perm_n != n) {
        free(t->perm);
        t->perm_n = 0;
        if ((t->perm = malloc(n * sizeof *t->perm)) == NULL)
            return CEP_ENOMEM;
        t->perm_n = n;
    }
    /* (TR.11) Fisher-Yates from the identity, j = floor(u * (i + 1)) */
    for (size_t i = 0; i < n; i++)
        t->perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(cep_rng_uniform(&t->rng) * (double)(i + 1));
        if (j > i)
            j = i;
        size_t tmp = t->perm[i];
        t->perm[i] = t->perm[j];
        t->perm[j] = tmp;
    }
    size_t total = max_examples == 0 || max_examples > n ? n : max_examples;
    cep_eval acc = {0, 0, 0};
    for (size_t done = 0; done < total;) {
        size_t B = total - done < t->cfg.batch ? total - done : t->cfg.batch;
        load_batch(t, d, t->perm + done, B);
        double sign = cep_rng_uniform(&t->rng) < t->cfg.randbeta ? -1.0 : 1.0;  /* (TR.3) */
        cep_eval s = {0, 0, 0};
        if ((st = batch_sums(t, t->xb, t->yb, t->lb, B, sign, &s)) != CEP_OK)
            break;
        acc.loss += s.loss;
        acc.error += s.error;
        acc.n += s.n;
        done += B;
        if (progress != NULL && progress(user, done, total, acc.loss, (size_t)acc.error) != 0 &&
            done < total) {
            st = CEP_ETRAIN_INTERRUPTED;
            break;
        }
    }
    if (stats != NULL) {
        stats->n = acc.n;
        stats->loss = acc.n ? acc.loss / (double)acc.n : 0.0;
        stats->error = acc.n ? acc.error / (double)acc.n : 0.0;
    }
    return st;
}

int cep_evaluate(cep_trainer *t, const cep_dataset *d, size_t n, cep_eval *out)
{
    if (t == NULL || out == NULL)
        return CEP_EARG;
    int st = check_data(t, d);
    if (st != CEP_OK)
        return st;
    size_t total = n == 0 || n > d->n ? d->n : n;
    cep_eval acc = {0, 0, 0};
    size_t idx[CEP_TRAIN_MAX_BATCH];
    for (size_t done = 0; done < total && st == CEP_OK;) {
        size_t B = total - done < t->cfg.batch ? total - done : t->cfg.batch;
        for (size_t b = 0; b < B; b++)
            idx[b] = done + b;
        load_batch(t, d, idx, B);
        cep_eval s = {0, 0, 0};
        st = t->cfg.literal ? cep_literal_eval(t, t->xb, t->yb, t->lb, B, &s)
                            : cep_fast_eval(t, t->xb, t->yb, t->lb, B, &s);
        acc.loss += s.loss;
        acc.error += s.error;
        acc.n += s.n;
        done += B;
    }
    out->n = acc.n;
    out->loss = acc.n ? acc.loss / (double)acc.n : 0.0;
    out->error = acc.n ? acc.error / (double)acc.n : 0.0;
    return st;
}

/* Multiplications and additions per example per epoch of the fast engine,
 * counted from its loops (train_fast.c); the exps of the activation count
 * as one each.  Dense products only: the O(n) element-wise work is left
 * out (below 2% for the presets). */
double cep_train_flops_per_example(const cep_train_config *cfg)
{
    const cep_shape *sh = &cfg->shape;
    size_t N = sh->n_layers;
    double B = (double)cfg->batch, T = (double)cfg->T, K = (double)cfg->K;
    double in = 2.0 * (double)sh->size[1] * (double)sh->size[0];   /* W_1 x, or its update */
    double inner = 0;                                             /* W_n, n >= 2, both ways */
    for (size_t n = 2; n <= N; n++)
        inner += 2.0 * 2.0 * (double)sh->size[n] * (double)sh->size[n - 1];
    double step = inner;
    switch (cfg->algo) {
    case CEP_ALGO_EP:
        /* W_1 x once, T + K steps, the update of every block once */
        return in + (T + K) * step + in + inner;
    case CEP_ALGO_CEP:
    case CEP_ALGO_CVF:
        /* + per nudged step: the update of W_n, n >= 2 (two products), and the
         * tracked drive G (S1_{k+1} - S1_k) over the batch (2 B n_1) */
        return in + T * step + K * (step + inner + 2.0 * B * (double)sh->size[1]) + in;
    case CEP_ALGO_BPTT:
    case CEP_ALGO_TBPTT: {
        double Kb = cfg->algo == CEP_ALGO_BPTT ? T : K;
        /* forward T steps; backward: the state VJP (T steps) and the
         * parameter VJP (Kb steps), each as dense as a step */
        return in + T * step + T * step + Kb * inner + in;
    }
    }
    return 0;
}
