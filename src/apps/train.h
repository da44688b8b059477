/* train.h -- training on a data set: EP, C-EP, C-VF and BPTT with
 * mini-batches (spec/train.md).
 *
 * One batch step (spec/train.md §2, TR.1-7), for examples b = 0..B-1 that
 * share theta:
 *   first phase   s^b_* = T steps of F from 0                    (TR.1)
 *   statistics    loss l(s^b_*, y^b), error argmax(s^b_N) != label (TR.2)
 *   beta          -beta with probability randbeta, one draw a batch (TR.3)
 *   EP            theta += eta (.) mean_b (1/beta)(G(s^b_K) - G(s^b_*)),
 *                 theta fixed during the K nudged steps          (TR.4)
 *   C-EP, C-VF    at every nudged step k: every example steps with theta_k,
 *                 theta_{k+1} = theta_k + eta (.) mean_b Delta^b(k)   (TR.5)
 *   BPTT, TBPTT   theta -= eta (.) mean_b dL^b/dtheta (all T steps, or the
 *                 last K steps only)                               (TR.6)
 * mean_b v^b = (sum_{b=0..B-1} v^b) / B, summed in b order.
 *
 * Two engines compute it (train_literal.c, train_fast.c):
 * - literal: the library's per-example functions (cep_free_phase_d,
 *   cep_nudged_phase_d one step at a time, cep_bptt_d) -- the algorithm as
 *   written, any model;
 * - fast: the same mathematics reformulated for speed (TR.8-10: the input
 *   drive W_1 x computed once per batch and, in C-EP/C-VF, tracked through
 *   the Gram matrix of the batch's inputs; matrix-matrix products over the
 *   batch; W_1 updated once per batch), binary64, prototypical and
 *   prototypical-vf models.  Checked against the literal engine (relative
 *   difference <= 1e-12 over a few batches, tests/test_train.c).
 * Both are deterministic and give the same bits for every thread count:
 * work is split by neuron rows, every sum runs in a fixed order. */
#ifndef CEP_TRAIN_H
#define CEP_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "cep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the training layer (below -500). */
enum {
    CEP_ETRAIN_ALGO = -501,        /* the algorithm does not fit the model        */
    CEP_ETRAIN_ENGINE = -502,      /* the fast engine does not cover this model   */
    CEP_ETRAIN_INTERRUPTED = -503, /* the progress callback asked to stop         */
    CEP_ETRAIN_BATCH = -504,       /* batch size 0 or above CEP_TRAIN_MAX_BATCH  */
    CEP_ETRAIN_THREADS = -505,     /* threads 0 or above CEP_TRAIN_MAX_THREADS   */
    CEP_ETRAIN_DATA = -506         /* a data set does not fit the network        */
};
#define CEP_TRAIN_MAX_BATCH 4096u
#define CEP_TRAIN_MAX_THREADS 256u

typedef enum {
    CEP_ALGO_EP = 0,    /* EP: accumulate over the K steps, apply once      */
    CEP_ALGO_CEP = 1,   /* C-EP: continual updates (symmetric models)       */
    CEP_ALGO_CVF = 2,   /* C-VF: continual updates (VF models)              */
    CEP_ALGO_BPTT = 3,  /* gradient of the loss after T steps, all T steps  */
    CEP_ALGO_TBPTT = 4  /* the same gradient truncated to the last K steps  */
} cep_algo;

const char *cep_algo_name(cep_algo a);
int cep_algo_parse(cep_algo *out, const char *name);
const char *cep_train_strerror(int status);

/* A labelled data set: n examples of nx pixels (bytes, scaled by 1/255 into
 * x), labels 0..ny-1 (one-hot into y). */
typedef struct {
    size_t n, nx, ny;
    unsigned char *pixels;   /* n * nx, owned  */
    unsigned char *labels;   /* n, owned       */
} cep_dataset;

/* Load "train" (train-images-idx3-ubyte, train-labels-idx1-ubyte) or
 * "t10k" from dir (plain or .gz, the names of cep_idx_find), checking that
 * images are rows*cols == nx, that both files have the same count and that
 * every label is < ny.  max_items 0: all. */
int cep_dataset_load(cep_dataset *out, const char *dir, const char *stem, size_t nx, size_t ny,
                     size_t max_items, char *err, size_t errlen);
void cep_dataset_free(cep_dataset *d);

typedef struct {
    cep_shape shape;
    cep_algo algo;
    size_t T, K, batch;
    double beta;                 /* nudging strength, != 0                      */
    double randbeta;             /* probability of flipping beta's sign, [0,1]  */
    double eta[CEP_MAX_LAYERS];  /* eta[n-1]: rate of W_n, b_n (and B_{n-1})    */
    double angle_deg;            /* VF: initial angle of B to W^T (INIT.3)      */
    uint64_t seed;               /* theta (INIT.1, INIT.3), shuffling, randbeta */
    unsigned threads;            /* >= 1                                        */
    int literal;                 /* 1: the literal engine                       */
} cep_train_config;

typedef struct cep_trainer cep_trainer;

/* Create a trainer.  theta NULL: from the seed (INIT.1, and INIT.3 for VF);
 * rng NULL: seeded from cfg->seed (TR.11).  Validates cfg (horizon, beta,
 * rates, batch, threads, algorithm against model, engine coverage). */
int cep_trainer_new(cep_trainer **out, const cep_train_config *cfg, const double *theta,
                    const uint64_t rng[4], char *err, size_t errlen);
void cep_trainer_free(cep_trainer *t);
const double *cep_trainer_theta(const cep_trainer *t);   /* shape.P values */
void cep_trainer_rng(const cep_trainer *t, uint64_t out[4]);

/* Progress: called after every batch; a non-zero return stops the epoch
 * (CEP_ETRAIN_INTERRUPTED, theta then holds the batches done so far). */
typedef int (*cep_train_progress)(void *user, size_t done, size_t total, double loss_sum,
                                  size_t n_wrong);

typedef struct {
    double loss, error;      /* mean first-phase loss, error fraction (TR.2) */
    size_t n;
} cep_eval;

/* One batch step (TR.1-7) on B examples given as doubles: x[B*nx],
 * y[B*ny] (one-hot), labels[B].  stats (may be NULL) gets the batch's
 * first-phase loss and error.  beta_sign +1 or -1 (TR.3, drawn by the
 * caller). */
int cep_train_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                    size_t B, double beta_sign, cep_eval *stats);

/* One epoch over d (TR.11): a permutation drawn from the trainer's rng,
 * batches of cfg->batch in that order (a last partial batch is used), one
 * randbeta draw a batch.  max_examples 0: all of d. */
int cep_train_epoch(cep_trainer *t, const cep_dataset *d, size_t max_examples, cep_eval *stats,
                    cep_train_progress progress, void *user);

/* First phase only (TR.12) on the first n examples of d (0: all). */
int cep_evaluate(cep_trainer *t, const cep_dataset *d, size_t n, cep_eval *out);

/* 1 when the fast engine covers cfg's model and algorithm (prototypical
 * and prototypical-vf; BPTT on prototypical), 0 otherwise. */
int cep_fast_supports(const cep_train_config *cfg);

/* rate[i] (P values): the learning rate of theta[i], eta[n-1] for W_n and
 * b_n, eta[n] for B_n (VF.4). */
void cep_train_rates(double *rate, const cep_shape *sh, const double *eta);

/* Flops (multiply or add) that one example costs in one epoch of training,
 * counted from the engine's loops: for the benchmark (docs/bench.md). */
double cep_train_flops_per_example(const cep_train_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
