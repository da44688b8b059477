/* cep.h -- Equilibrium Propagation, Continual EP and BPTT in binary64 and
 * in arbitrary precision (GNU MPFR), from one algorithm source.
 *
 * Every formula cites its equation in spec/model.md, e.g. (F.E) or (BPTT.2).
 *
 * Conventions (spec/model.md §0):
 *  - Library functions never print and never exit: they return CEP_OK (0)
 *    or a negative CEP_E* status; cep_strerror() names it.
 *  - Every algorithm is declared twice, with suffix _d (REAL = double) and
 *    _mp (REAL = __mpfr_struct, so REAL * is an mpfr_ptr).  Arrays of REAL
 *    are made by cep_vec_new_{d,mp} and freed by cep_vec_free_{d,mp}.
 *  - A state s = (s_1..s_N) is one flat array of cep_shape.S values, layer n
 *    starting at s_off[n]; the parameters theta = (W_1, b_1, .., W_N, b_N)
 *    are one flat array of cep_shape.P values, W_n row-major (size[n] rows,
 *    size[n-1] columns) at W_off[n] and b_n at b_off[n].
 *  - Outputs come first in argument lists, then inputs, then sizes.
 */
#ifndef CEP_H
#define CEP_H

#include <stddef.h>
#include <stdint.h>
#include <mpfr.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CEP_VERSION "0.1.0"

/* Status codes: 0 is success, every failure has its own negative code. */
enum {
    CEP_OK = 0,
    CEP_ENOMEM = -1,       /* an allocation failed                           */
    CEP_EOVERFLOW = -2,    /* a size product does not fit in size_t          */
    CEP_ELAYERS = -3,      /* fewer than 2 or more than CEP_MAX_LAYERS+1 sizes */
    CEP_ESIZE = -4,        /* a layer size is 0 or above CEP_MAX_LAYER_SIZE  */
    CEP_EPARAMS = -5,      /* parameter or state count above CEP_MAX_PARAMS   */
    CEP_EHORIZON = -6,     /* not T >= K >= 1, or T above CEP_MAX_STEPS       */
    CEP_EBETA = -7,        /* beta is zero or not finite                     */
    CEP_EETA = -8,         /* a learning rate is negative or not finite      */
    CEP_EEPS = -9,         /* eps not in (0, 1]                              */
    CEP_ENONFINITE = -10,  /* an input (x, y, theta, state) is NaN or Inf    */
    CEP_EPREC = -11,       /* precision not in [2, MPFR_PREC_MAX]            */
    CEP_EMODEL = -12,      /* unknown model                                  */
    CEP_EACT = -13,        /* unknown activation                             */
    CEP_EDIVERGED = -14,   /* a computed state or update became NaN or Inf   */
    CEP_EARG = -15,        /* a required pointer argument is NULL            */
    CEP_ENOTCONVERGED = -16, /* the first phase did not reach its tolerance  */
    CEP_ENOTDIFF = -17,    /* the activation is not differentiable (theorem)  */
    CEP_ESWEEP = -18,      /* a bad beta sweep, eta scale or sweep step       */
    CEP_EINTR = -19        /* stopped on request (cep_request_stop: SIGINT, SIGTERM) */
};
const char *cep_strerror(int status);

/* Stopping a long run cleanly (SIGINT, SIGTERM).  cep_request_stop records
 * a request (sig: the signal number, or any value > 0) and is
 * async-signal-safe: it only sets a flag.  The long loops of the apps layer
 * (cep_theorem between betas, cep_theorem_write before the swap, the vector
 * generator, cep_vectors_compute and cep check's replay between cases)
 * test cep_stop_requested() and return CEP_EINTR after removing their own
 * temporary files; outputs already in place are never touched then.
 * cep_stop_requested returns the recorded sig (0: none); cep_clear_stop
 * forgets it.  cep_stop_on_signals(1) installs SIGINT and SIGTERM handlers
 * that call cep_request_stop (for programs: the library never installs
 * them itself); cep_stop_on_signals(0) restores the previous handlers. */
void cep_request_stop(int sig);
int cep_stop_requested(void);
void cep_clear_stop(void);
int cep_stop_on_signals(int on);

/* Limits, checked before any allocation. */
#define CEP_MAX_LAYERS 16                    /* N, layers after the input  */
#define CEP_MAX_LAYER_SIZE ((size_t)1 << 20) /* neurons in one layer       */
#define CEP_MAX_PARAMS ((size_t)1 << 28)     /* entries of theta           */
#define CEP_MAX_STEPS ((size_t)1 << 24)      /* T                          */
#define CEP_PREC_MIN 2                       /* MPFR bits (MPFR allows 1)  */
/* The largest precision the cep program accepts (--precision, --arith):
 * 2^20 bits is 128 KiB a number, far past any use here (make verify needs
 * 288), while MPFR_PREC_MAX (2^63 - 257) would let one number exhaust the
 * memory; the library itself takes any precision up to MPFR_PREC_MAX. */
#define CEP_CLI_PREC_MAX (1L << 20)

/* The symmetric models (spec §2) and their vector-field variants (spec §6):
 * separate feedback weights B_n in place of W_{n+1}^T. */
typedef enum {
    CEP_MODEL_ENERGY = 0,
    CEP_MODEL_PROTOTYPICAL = 1,
    CEP_MODEL_PROTOTYPICAL_VF = 2,
    CEP_MODEL_ENERGY_VF = 3
} cep_model;
#define CEP_MODEL_IS_VF(m) ((m) == CEP_MODEL_PROTOTYPICAL_VF || (m) == CEP_MODEL_ENERGY_VF)
typedef enum {
    CEP_ACT_TANH = 0,
    CEP_ACT_SIGMOID4 = 1,
    CEP_ACT_HARDSIGMOID = 2,
    CEP_ACT_IDENTITY = 3
} cep_activation;

const char *cep_model_name(cep_model m);
const char *cep_activation_name(cep_activation a);
/* Parse a name; return CEP_OK or CEP_EMODEL / CEP_EACT. */
int cep_model_parse(cep_model *out, const char *name);
int cep_activation_parse(cep_activation *out, const char *name);

/* The computation context: precision and exponent range of one computation.
 * binary64 ignores it.  MPFR creates every variable with `prec` bits; when
 * `emulate` is set, the exponent range [emin, emax] (MPFR's convention,
 * significand in [1/2, 1)) and subnormals are imposed for the duration of
 * each call and the caller's range is restored afterwards. */
typedef struct {
    long prec;
    int emulate;
    long emin, emax;
} cep_ctx;
cep_ctx cep_ctx_double(void);
int cep_ctx_mpfr(cep_ctx *out, long prec);   /* CEP_EPREC if out of range */
cep_ctx cep_ctx_binary64_emulation(void);      /* 53 bits, [-1073, 1024]   */

/* Network shape: model, activation, eps and the layer sizes (spec §1). */
typedef struct {
    cep_model model;
    cep_activation act;
    double eps;                          /* step of the energy model (F.E) */
    size_t n_layers;                     /* N                             */
    size_t size[CEP_MAX_LAYERS + 1];     /* size[0] = n_0 (input) .. size[N] */
    size_t s_off[CEP_MAX_LAYERS + 1];    /* offset of s_n in the state, n >= 1 */
    size_t W_off[CEP_MAX_LAYERS + 1];    /* offset of W_n in theta, n >= 1 */
    size_t b_off[CEP_MAX_LAYERS + 1];    /* offset of b_n in theta, n >= 1 */
    size_t S;                            /* state length  n_1 + .. + n_N  */
    size_t P;                            /* theta length                  */
    /* VF models only (LAYOUT.3): B_n (size[n] x size[n+1], row-major) at
     * B_off[n], n = 1..N-1, after b_N; 0 for the symmetric models. */
    size_t B_off[CEP_MAX_LAYERS + 1];
} cep_shape;

/* sizes[0..n_sizes-1] = n_0, n_1, .., n_N.  Validates everything (codes
 * CEP_ELAYERS, CEP_ESIZE, CEP_EPARAMS, CEP_EOVERFLOW, CEP_EEPS, CEP_EMODEL,
 * CEP_EACT). eps is used by the energy model only but always validated. */
int cep_shape_init(cep_shape *sh, cep_model model, cep_activation act,
                   double eps, size_t n_sizes, const size_t *sizes);

/* Validation of the phase horizons and hyper-parameters (spec §3). */
int cep_check_horizon(size_t T, size_t K);
int cep_check_beta(double beta);
int cep_check_eta(size_t n, const double *eta);

/* --- Deterministic pseudo-random numbers (spec §7) --------------------- */
/* xoshiro256** seeded by four outputs of splitmix64(seed). */
typedef struct { uint64_t s[4]; } cep_rng;
uint64_t cep_splitmix64(uint64_t *state);
void cep_rng_seed(cep_rng *r, uint64_t seed);
uint64_t cep_rng_next(cep_rng *r);
double cep_rng_uniform(cep_rng *r);          /* (next >> 11) * 2^-53, in [0,1) */

/* Initial parameters (INIT.1): W_n, b_n uniform in [-a, a), a = 1/sqrt(n_{n-1}),
 * drawn in theta order from cep_rng_seed(seed).  theta has sh->P entries. */
void cep_init_theta(double *theta, const cep_shape *sh, uint64_t seed);
/* Feedback weights of a VF shape (INIT.3): B_n = W_{n+1}^T with each entry's
 * sign flipped with probability (1 - cos(angle))/2, one uniform draw per
 * entry of B in theta order from cep_rng_seed(seed ^ 0xfeedbac4feedbac4).
 * angle_deg in [0, 180]; angle 0 copies W^T exactly.  theta's W blocks must
 * be set already.  achieved_deg (NULL or N-1 entries) receives the angle of
 * each B_n to W_{n+1}^T (VF.6).  CEP_EMODEL for a symmetric shape, CEP_EARG
 * for an angle outside [0, 180] or NaN. */
int cep_init_feedback(double *theta, const cep_shape *sh, double angle_deg, uint64_t seed,
                      double *achieved_deg);
/* (VF.6) angle in degrees between B_n and W_{n+1}^T, n = 1..N-1, into
 * out_deg[n-1]; NaN when either block is zero.  CEP_EMODEL if not VF. */
int cep_feedback_angles(double *out_deg, const double *theta, const cep_shape *sh);
/* Default data (INIT.2): x uniform in [0,1), y one-hot at class
 * floor(u * n_N), from cep_rng_seed(seed ^ 0x5eed5eed5eed5eed). */
void cep_init_data(double *x, double *y, const cep_shape *sh, uint64_t seed);


/* --- Apps layer: `cep run` (a first-phase / C-EP / BPTT comparison) ---- */
typedef struct {
    cep_shape shape;
    size_t T, K;
    double beta;
    double eta;          /* 0: EP; > 0: C-EP with this rate for every layer */
    uint64_t seed;       /* theta from (INIT.1), x and y from (INIT.2)      */
    int use_mpfr;        /* 0: binary64; 1: MPFR with ctx                   */
    cep_ctx ctx;
    double angle_deg;    /* VF models: angle of B to W^T (INIT.3), degrees  */
} cep_run_config;

/* Per-step norms, all converted to binary64 for display.  rel_* is
 * ||Delta + grad|| / ||grad|| (RUN.1), or the absolute ||Delta + grad|| when
 * ||grad|| = 0 (then abs_* is 1). */
typedef struct {
    size_t K;
    double residual;                     /* (FREE.2)                         */
    double loss;                         /* L = l(s_T, y)                    */
    double *ds_norm, *gs_norm, *rel_s;   /* K entries each                   */
    double *dth_norm, *gth_norm, *rel_th;
    unsigned char *abs_s, *abs_th;
    double total_norm, total_grad_norm;  /* ||sum_k Delta_theta||, ||sum_k grad_theta|| */
    double total_rel, total_angle_deg;   /* (RUN.1), (RUN.2)                 */
    const char *failed;  /* on failure: the stage that failed (static text, e.g. "the first
                          * phase"), also after cep_run freed the arrays; NULL on success.
                          * Norms beyond binary64's range are CEP_EDIVERGED too. */
} cep_run_report;

int cep_run(cep_run_report *rep, const cep_run_config *cfg);
void cep_run_report_free(cep_run_report *rep);

/* --- The templated API: once per precision ---------------------------- */
#define CEP_API_SUFFIX _d
#define CEP_API_REAL double
#include "cep_api.h"
#undef CEP_API_SUFFIX
#undef CEP_API_REAL
#define CEP_API_SUFFIX _mp
#define CEP_API_REAL __mpfr_struct
#include "cep_api.h"
#undef CEP_API_SUFFIX
#undef CEP_API_REAL

#ifdef __cplusplus
}
#endif
#endif
