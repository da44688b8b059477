/* train_literal.c -- the literal training engine (spec/train.md §2): every
 * example goes through the library's own per-example functions, exactly the
 * algorithm the theorem check and the golden vectors use, any model:
 *   first phase        cep_free_phase_d                          (TR.1)
 *   EP                 cep_nudged_phase_d with eta = NULL, K steps (TR.4)
 *   C-EP, C-VF         cep_nudged_phase_d for one step at a time, with
 *                      zero rates: its total is Delta^b(k); the batch mean
 *                      is applied between steps                   (TR.5)
 *   BPTT, TBPTT        cep_free_phase_d with the trajectory, cep_bptt_d (TR.6)
 * Examples are split over the threads; the batch mean of each parameter is
 * summed in example order by the thread that owns that parameter's range,
 * so the bits do not depend on the thread count (TR.13). */
#include <stdlib.h>
#include <string.h>
#include "apps/train_engine.h"

struct cep_engine {
    size_t B, S, P, T;
    double *rate;       /* P: the learning rate of each parameter          */
    double *zero_eta;   /* CEP_MAX_LAYERS zeros: one C-EP step, theta fixed */
    double *s;          /* B * S: s^b (the state being stepped)             */
    double *s_next;     /* B * S                                            */
    double *delta;      /* B * P: each example's update or gradient          */
    double *traj;       /* threads * (T + 1) * S: BPTT trajectories          */
    double *loss;       /* B: first-phase losses                            */
    unsigned char *wrong; /* B                                              */
};

typedef struct {
    cep_trainer *t;
    const double *x, *y;
    const unsigned *labels;
    size_t B;
    double beta;
    int phase;          /* 0 free (+ EP or BPTT), 1 one nudged step, 2 reduce */
    int free_only;      /* phase 0: the first phase only (evaluation, TR.12)  */
    double sign;        /* reduce: +1 add the mean update, -1 subtract       */
    int status[CEP_TRAIN_MAX_THREADS];
} lit_job;

int cep_literal_new(cep_engine **out, const cep_trainer *t)
{
    const cep_shape *sh = &t->cfg.shape;
    cep_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return CEP_ENOMEM;
    e->B = t->cfg.batch;
    e->S = sh->S;
    e->P = sh->P;
    e->T = t->cfg.T;
    size_t nt = t->cfg.threads;
    e->rate = malloc(e->P * sizeof *e->rate);
    e->zero_eta = calloc(CEP_MAX_LAYERS, sizeof *e->zero_eta);
    e->s = malloc(e->B * e->S * sizeof *e->s);
    e->s_next = malloc(e->B * e->S * sizeof *e->s_next);
    e->delta = malloc(e->B * e->P * sizeof *e->delta);
    e->loss = malloc(e->B * sizeof *e->loss);
    e->wrong = malloc(e->B);
    int bptt = t->cfg.algo == CEP_ALGO_BPTT || t->cfg.algo == CEP_ALGO_TBPTT;
    e->traj = bptt ? malloc(nt * (e->T + 1) * e->S * sizeof *e->traj) : NULL;
    if (e->rate == NULL || e->zero_eta == NULL || e->s == NULL || e->s_next == NULL ||
        e->delta == NULL || e->loss == NULL || e->wrong == NULL || (bptt && e->traj == NULL)) {
        cep_literal_free(e);
        return CEP_ENOMEM;
    }
    cep_train_rates(e->rate, sh, t->cfg.eta);
    *out = e;
    return CEP_OK;
}

void cep_literal_free(cep_engine *e)
{
    if (e == NULL)
        return;
    free(e->rate);
    free(e->zero_eta);
    free(e->s);
    free(e->s_next);
    free(e->delta);
    free(e->traj);
    free(e->loss);
    free(e->wrong);
    free(e);
}

/* (TR.2) loss and error of example b from its state s. */
static int example_stats(const cep_ctx *ctx, cep_engine *e, const cep_shape *sh, size_t b,
                         const double *s, const double *y, unsigned label)
{
    size_t N = sh->n_layers, ny = sh->size[N];
    int st = cep_loss_d(ctx, &e->loss[b], sh, s, y);
    e->wrong[b] = cep_argmax(s + sh->s_off[N], ny) != label;
    return st;
}

static void lit_run(void *arg, unsigned tid, unsigned nt)
{
    lit_job *j = arg;
    cep_trainer *t = j->t;
    cep_engine *e = t->eng;
    const cep_train_config *c = &t->cfg;
    const cep_shape *sh = &c->shape;
    cep_ctx ctx = cep_ctx_double();
    size_t nx = sh->size[0], ny = sh->size[sh->n_layers], S = e->S, P = e->P;
    size_t lo, hi;
    int st = CEP_OK;
    if (j->phase == 2) {
        /* theta_i += sign * rate_i * ((sum_b delta^b_i) / B), b in order (TR.4-6) */
        cep_part(P, tid, nt, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            double sum = 0.0;
            for (size_t b = 0; b < j->B; b++)
                sum += e->delta[b * P + i];
            double mean = sum / (double)j->B;
            t->theta[i] += j->sign * (e->rate[i] * mean);
        }
        j->status[tid] = CEP_OK;
        return;
    }
    cep_part(j->B, tid, nt, &lo, &hi);
    for (size_t b = lo; b < hi && st == CEP_OK; b++) {
        const double *x = j->x + b * nx, *y = j->y + b * ny;
        double *s = e->s + b * S, *d = e->delta + b * P;
        if (j->phase == 1) {
            /* one nudged step from s_k with theta_k; d = Delta^b(k) (TR.5) */
            st = cep_nudged_phase_d(&ctx, e->s_next + b * S, NULL, NULL, NULL, d, sh, t->theta, x,
                                    y, s, 1, j->beta, e->zero_eta);
            continue;
        }
        if (!j->free_only && (c->algo == CEP_ALGO_BPTT || c->algo == CEP_ALGO_TBPTT)) {
            double *traj = e->traj + (size_t)tid * (e->T + 1) * S;
            st = cep_free_phase_d(&ctx, s, traj, NULL, sh, t->theta, x, c->T);
            if (st == CEP_OK)
                st = example_stats(&ctx, e, sh, b, s, y, j->labels[b]);
            if (st == CEP_OK)
                st = cep_bptt_d(&ctx, NULL, NULL, c->algo == CEP_ALGO_TBPTT ? d : NULL,
                                c->algo == CEP_ALGO_BPTT ? d : NULL, NULL, sh, t->theta, x, y,
                                traj, c->T, c->K);
            continue;
        }
        st = cep_free_phase_d(&ctx, s, NULL, NULL, sh, t->theta, x, c->T);     /* (TR.1) */
        if (st == CEP_OK)
            st = example_stats(&ctx, e, sh, b, s, y, j->labels[b]);
        if (st == CEP_OK && !j->free_only && c->algo == CEP_ALGO_EP)                         /* (TR.4) */
            st = cep_nudged_phase_d(&ctx, NULL, NULL, NULL, NULL, d, sh, t->theta, x, y, s, c->K,
                                    j->beta, NULL);
    }
    j->status[tid] = st;
}

static int run_phase(cep_trainer *t, lit_job *j, int phase)
{
    j->phase = phase;
    unsigned nt = cep_pool_size(t->pool);
    for (unsigned i = 0; i < nt; i++)
        j->status[i] = CEP_OK;
    cep_pool_run(t->pool, lit_run, j);
    for (unsigned i = 0; i < nt; i++)
        if (j->status[i] != CEP_OK)
            return j->status[i];
    return CEP_OK;
}

static void collect(const cep_engine *e, size_t B, cep_eval *sums)
{
    sums->loss = 0.0;
    sums->error = 0.0;
    for (size_t b = 0; b < B; b++) {
        sums->loss += e->loss[b];
        sums->error += e->wrong[b];
    }
    sums->n = B;
}

int cep_literal_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                      size_t B, double beta, cep_eval *sums)
{
    cep_engine *e = t->eng;
    lit_job j = {.t = t, .x = x, .y = y, .labels = labels, .B = B, .beta = beta, .sign = 1.0};
    int st = run_phase(t, &j, 0);
    if (st != CEP_OK)
        return st;
    collect(e, B, sums);
    switch (t->cfg.algo) {
    case CEP_ALGO_EP:
        return run_phase(t, &j, 2);
    case CEP_ALGO_BPTT:
    case CEP_ALGO_TBPTT:
        j.sign = -1.0;                                                       /* (TR.6) */
        return run_phase(t, &j, 2);
    case CEP_ALGO_CEP:
    case CEP_ALGO_CVF:
        for (size_t k = 0; k < t->cfg.K; k++) {                              /* (TR.5) */
            if ((st = run_phase(t, &j, 1)) != CEP_OK || (st = run_phase(t, &j, 2)) != CEP_OK)
                return st;
            double *tmp = e->s;
            e->s = e->s_next;
            e->s_next = tmp;
        }
        return CEP_OK;
    }
    return CEP_ETRAIN_ALGO;
}

int cep_literal_eval(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                     size_t B, cep_eval *sums)
{
    cep_engine *e = t->eng;
    lit_job j = {.t = t, .x = x, .y = y, .labels = labels, .B = B, .beta = 1.0, .sign = 1.0,
                 .free_only = 1};
    int st = run_phase(t, &j, 0);
    if (st == CEP_OK)
        collect(e, B, sums);
    return st;
}
