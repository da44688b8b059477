/* theorem.h -- `cep theorem`: Theorem 1 checked step by step over a sweep of
 * beta, in MPFR and in binary64 (spec/theorem.md). */
#ifndef CEP_THEOREM_H
#define CEP_THEOREM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cep.h"

/* Deliberately wrong variants, for the tests of the verdict logic only
 * (spec/theorem.md §6).  A real run uses CEP_FAULT_NONE. */
typedef enum {
    CEP_FAULT_NONE = 0,
    CEP_FAULT_G_WITHOUT_EPS = 1, /* Delta_theta formed from G without its eps factor */
    CEP_FAULT_NUDGE_SIGN = 2,    /* the output pushed away from y, normalised by +beta */
    CEP_FAULT_BPTT_SHIFT = 3     /* Delta(k) compared with grad(k+1)               */
} cep_fault;

typedef enum { CEP_VERDICT_PASS = 0, CEP_VERDICT_FAIL = 1, CEP_VERDICT_APPROXIMATE = 2 } cep_verdict;

#define CEP_THM_MODES 2 /* 0: C-EP with eta = c beta^2;  1: EP (eta = 0) */
#define CEP_THM_PRECS 2 /* 0: MPFR;  1: binary64 */
#define CEP_THM_MAX_BETAS 128
/* blocks: s_l (N), W_l and b_l (2N), B_l (N-1, VF models) */
#define CEP_THM_MAX_BLOCKS (4 * CEP_MAX_LAYERS)

/* `cep theorem --angle-sweep` (TC.16): per requested angle of B to W^T,
 * the achieved angles and the total-update angles of the run at it. */
#define CEP_THM_MAX_ANGLES 181
typedef struct {
    size_t n;
    double beta_moderate, beta_smallest;        /* the betas of the columns   */
    double angle[CEP_THM_MAX_ANGLES];            /* requested, degrees         */
    double achieved[CEP_THM_MAX_ANGLES][CEP_MAX_LAYERS]; /* (VF.6) per layer   */
    double tot_moderate[CEP_THM_MAX_ANGLES];     /* MPFR C-VF, at gdd beta     */
    double tot_smallest[CEP_THM_MAX_ANGLES];     /* MPFR C-VF, smallest beta   */
    double tot_acc_smallest[CEP_THM_MAX_ANGLES]; /* MPFR accumulate-only       */
    double tot_b64_moderate[CEP_THM_MAX_ANGLES]; /* binary64 C-VF, gdd beta    */
    double err_smallest[CEP_THM_MAX_ANGLES];     /* MPFR C-VF overall error    */
} cep_angle_sweep;

typedef struct {
    cep_shape shape;
    size_t K;
    uint64_t seed;
    const double *x, *y;        /* NULL: drawn from the seed (INIT.2)            */
    double beta_from, beta_to;  /* sweep bounds, beta_from >= beta_to > 0        */
    unsigned decades_per_point; /* 1 or 2                                         */
    double eta_scale;           /* c in eta = c beta^2, > 0                       */
    long prec;                  /* MPFR bits; 0 = automatic (TC.4)               */
    size_t T_max;               /* first-phase step limit                         */
    double gdd_beta;            /* the moderate beta of the GDD figure            */
    cep_fault fault;
    double angle_deg;           /* VF models: angle of B_n to W_{n+1}^T (INIT.3) */
    const cep_angle_sweep *angle_sweep; /* written beside the report when not NULL */
    void (*progress)(void *arg, const char *what, size_t done, size_t total);
    void *progress_arg;
} cep_theorem_config;

/* The metrics of one block at one step (TC.5-8), in binary64. */
typedef struct {
    double max_abs;      /* max_i |Delta_i + g_i|                                */
    double rel;          /* ||Delta + g|| / ||g||, or ||Delta + g|| when g = 0   */
    double cos;          /* <Delta, -g> / (||Delta|| ||g||); NaN when undefined  */
    double sign;         /* fraction of i with g_i != 0 and sign Delta_i = -sign g_i; NaN if none */
    unsigned char is_abs; /* 1: ||g|| = 0 at this step, rel is the absolute error */
} cep_metric;

/* One precision's sweep. */
typedef struct {
    long bits;               /* 53 for binary64                                   */
    int is_mpfr;
    int status;              /* CEP_OK, or why the sweep stopped                  */
    long tol_log2;           /* the first phase stops at residual <= 2^tol_log2   */
    size_t T_conv, T;        /* steps to converge; T = T_conv + K                 */
    double residual_conv;    /* residual at T_conv                                */
    double residual_T;       /* ||s_T - s_{T-1}||_inf (FREE.2)                     */
    double loss;             /* l(s_T, y)                                         */
    double asymmetry;        /* ||J - J^T||_F / ||J||_F at s_* (TC.9); MPFR only */
    cep_metric *m;           /* [beta][mode][k][block]                             */
    double *trace_delta;     /* [2][trace][k]: at gdd beta and at the smallest beta */
    double *trace_grad;      /* [trace][k]: -grad                                  */
} cep_theorem_sweep;

typedef struct {
    size_t n_beta, K, n_blocks, n_traces;
    double beta[CEP_THM_MAX_BETAS];
    double eta[CEP_THM_MAX_BETAS];     /* C-EP's eta at each beta                  */
    size_t gdd_index;                  /* index of the beta nearest cfg->gdd_beta   */
    char block_name[CEP_THM_MAX_BLOCKS][8];
    size_t trace_block[3 * CEP_THM_MAX_BLOCKS], trace_index[3 * CEP_THM_MAX_BLOCKS];
    cep_theorem_sweep sw[CEP_THM_PRECS];
    /* orders of convergence (TC.10): [prec][mode][block], block n_blocks = overall */
    double order[CEP_THM_PRECS][CEP_THM_MODES][CEP_THM_MAX_BLOCKS + 1];
    size_t order_points[CEP_THM_PRECS][CEP_THM_MODES][CEP_THM_MAX_BLOCKS + 1];
    unsigned char exact[CEP_THM_PRECS][CEP_THM_MODES][CEP_THM_MAX_BLOCKS + 1];
    double best_err[CEP_THM_PRECS][CEP_THM_MODES]; /* smallest overall error ... */
    double best_beta[CEP_THM_PRECS][CEP_THM_MODES]; /* ... and where           */
    double plateau[CEP_THM_PRECS][CEP_THM_MODES];   /* overall error at the smallest beta */
    /* (TC.14) angle in degrees between sum_k Delta_theta(k) and -sum_k grad_theta(k):
     * [prec][beta][mode] */
    double angle[CEP_THM_PRECS][CEP_THM_MAX_BETAS][CEP_THM_MODES];
    /* VF models (TC.15): the achieved angle of B_n to W_{n+1}^T, n = 1..N-1 (VF.6) */
    double weight_angle[CEP_MAX_LAYERS];
    cep_verdict verdict;
    char reason[512];
} cep_theorem_report;

/* The automatic MPFR precision for a sweep down to beta_min with eta_min (TC.4). */
long cep_theorem_auto_prec(double beta_min, double eta_min);

/* Runs both sweeps and computes orders and verdict.  Returns CEP_OK when the
 * report is complete (whatever the verdict), CEP_ENOTCONVERGED (the report
 * holds the residual reached), CEP_EINTR (cep_stop_requested(), tested before
 * each beta; nothing to report), or another CEP_E* code. */
int cep_theorem(cep_theorem_report *rep, const cep_theorem_config *cfg);
void cep_theorem_report_free(cep_theorem_report *rep);

/* The report as markdown into f: full (theorem.md) or shorter (terminal). */
void cep_theorem_format(FILE *f, const cep_theorem_report *rep, const cep_theorem_config *cfg,
                        const char *cmdline, int full);

/* Index into rep->sw[p].m for (beta j, mode, step k, block b). */
static inline size_t cep_thm_idx(const cep_theorem_report *r, size_t j, size_t mode, size_t k,
                                 size_t b)
{
    return ((j * CEP_THM_MODES + mode) * r->K + k) * r->n_blocks + b;
}

/* The error used for orders and verdicts: rel, which is the absolute error
 * where the block's gradient is zero (TC.6). */
static inline double cep_thm_err(const cep_metric *m) { return m->rel; }

/* max(y, e) in which a NaN wins: a NaN metric must never look small. */
static inline double cep_thm_max(double y, double e)
{
    if (y != y || e != e)
        return e != e ? e : y;
    return e > y ? e : y;
}

/* Least-squares slope of y against x (TC.10); NaN when n < 2 or x constant. */
double cep_fit_slope(const double *x, const double *y, size_t n);

/* Writes the report directory atomically (theorem.md, CSV files, gnuplot
 * scripts and figures): everything goes to a temporary sibling directory
 * that replaces `dir` at the end.  cmdline is recorded in theorem.md.
 * err receives one line on failure.  *figures_made is set to 1 when gnuplot
 * produced the figures.  Returns 0, CEP_EINTR when cep_stop_requested() is
 * set before the swap (the temporary directory removed, `dir` untouched), or
 * -1. */
int cep_theorem_write(const cep_theorem_report *rep, const cep_theorem_config *cfg,
                      const char *dir, const char *cmdline, int *figures_made,
                      char *err, size_t errlen);

#endif
