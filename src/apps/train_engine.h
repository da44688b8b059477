/* train_engine.h -- what train.c shares with its two engines
 * (train_literal.c, train_fast.c).  Internal to the training layer. */
#ifndef CEP_TRAIN_ENGINE_H
#define CEP_TRAIN_ENGINE_H

#include "cep.h"
#include "apps/pool.h"
#include "apps/train.h"

typedef struct cep_engine cep_engine;

struct cep_trainer {
    cep_train_config cfg;
    double *theta;            /* shape.P values: the parameters being trained */
    cep_rng rng;              /* (TR.11) shuffling and randbeta               */
    cep_pool *pool;
    cep_engine *eng;
    /* one batch as doubles, example-major: x[b*nx + i], y[b*ny + j] */
    double *xb, *yb;
    unsigned *lb;
    size_t *perm;             /* the epoch's order (cep_train_epoch)          */
    size_t perm_n;
};

/* Engine interface: new/free, one batch step (TR.1-7) with the batch's beta
 * (sign included), and the first phase for evaluation (TR.12).  Both
 * batch and eval fill stats with sums (loss_sum in stats->loss, wrong count
 * in stats->error, n), train.c turns them into means. */
int cep_literal_new(cep_engine **out, const cep_trainer *t);
void cep_literal_free(cep_engine *e);
int cep_literal_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                      size_t B, double beta, cep_eval *sums);
int cep_literal_eval(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                     size_t B, cep_eval *sums);

int cep_fast_new(cep_engine **out, const cep_trainer *t);
void cep_fast_free(cep_engine *e);
int cep_fast_batch(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                   size_t B, double beta, cep_eval *sums);
int cep_fast_eval(cep_trainer *t, const double *x, const double *y, const unsigned *labels,
                  size_t B, cep_eval *sums);

/* The fast engine's exp (TR.10b), exposed for its test. */
double cep_train_fast_exp(double x);

/* (TR.2) the predicted class: the first index of the largest output. */
static inline unsigned cep_argmax(const double *v, size_t n)
{
    unsigned best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = (unsigned)i;
    return best;
}

#endif
