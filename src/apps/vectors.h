/* vectors.h -- golden vectors (spec/vectors.md): the generator behind
 * `cep vectors` and the conformance checker behind `cep check`.
 *
 * Nothing here prints or exits: progress goes to an optional callback and
 * failures come back as a status and one line of text in err. */
#ifndef CEP_VECTORS_H
#define CEP_VECTORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cep.h"
#include "apps/vfile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the vector tools, below -300. */
enum {
    CEP_EV_TRUTH = -301,    /* a value rounds differently at p and 2p bits (generation) */
    CEP_EV_MANIFEST = -302, /* a manifest is missing, unreadable or wrong (a field named) */
    CEP_EV_SHA = -303,      /* a file's sha256 differs from the manifest's               */
    CEP_EV_MISSING = -304,  /* a file the manifest or the selection needs does not exist  */
    CEP_EV_EXTRA = -305,    /* a results file no vector quantity corresponds to          */
    CEP_EV_USAGE = -306,    /* bad option value (names it)                               */
    CEP_EV_COMPUTE = -307   /* the library refused a case (status text follows)          */
};
const char *cep_vectors_strerror(int status);

#define CEP_VECTORS_SCHEMA "cep-vectors"
#define CEP_VECTORS_SCHEMA_VERSION "1.0"

/* ---- the quantities (spec/vectors.md §4) ---------------------------------- */
typedef enum { VQ_AXIS_STATE, VQ_AXIS_THETA, VQ_AXIS_SCALAR } vq_axis;
typedef enum { VQ_KIND_TRAJ = 0, VQ_KIND_STEP = 1 } vq_kind;
typedef struct {
    const char *name;
    vq_kind kind;
    const char *phase;       /* "free", "cep", "ep", "bptt", "step", "nudge", "vjp" */
    int phase_rank;          /* scan order of the phases within a case       */
    vq_axis axis;
    int rows;                /* 0: a single row (shape (width,)); else rows by RULE below */
    int first_step;          /* step of row 0                                 */
    const char *what;        /* one line for the manifest and the docs        */
} vq_info;
/* Rows: VQ_ROWS_T1 = T+1, VQ_ROWS_K1 = K+1, VQ_ROWS_K = K. */
enum { VQ_ROWS_ONE = 0, VQ_ROWS_T1 = 1, VQ_ROWS_K1 = 2, VQ_ROWS_K = 3 };
/* Indices in cep_vq_table. */
enum {
    VQ_FREE_S, VQ_CEP_S, VQ_CEP_THETA, VQ_CEP_DELTA_S, VQ_CEP_DELTA_THETA, VQ_CEP_TOTAL,
    VQ_EP_S, VQ_EP_TOTAL, VQ_BPTT_LOSS, VQ_BPTT_GRAD_S, VQ_BPTT_GRAD_THETA,
    VQ_BPTT_TOTAL,
    VQ_STEP_F, VQ_NUDGE_S, VQ_NUDGE_DELTA_S, VQ_NUDGE_DELTA_THETA, VQ_NUDGE_THETA, VQ_VJP_S,
    VQ_VJP_THETA, VQ_N
};
extern const vq_info cep_vq_table[];
extern const size_t cep_vq_count;
/* Index in cep_vq_table of a quantity name, or -1. */
int cep_vq_find(const char *name);

/* ---- computing a case (vtrace.c, one instantiation per precision) ---- */
/* What the templated tracer needs of a case. */
typedef struct {
    cep_shape sh;
    vq_kind kind;
    size_t T, K;
    double beta;
    const double *eta;
    const double *x, *y, *theta, *s, *v;
} vcase_in;
/* q[i] receives quantity i (len[i] values, allocated with cep_vec_new);
 * quantities of the other kind stay NULL.  Returns a cep status or
 * CEP_EV_COMPUTE when the step-by-step and whole-phase runs disagree. */
int vtrace_run_d(const cep_ctx *ctx, double **q, const size_t *len, const vcase_in *in);
int vtrace_run_mp(const cep_ctx *ctx, __mpfr_struct **q, const size_t *len, const vcase_in *in);
void vtrace_free_d(double **q);
void vtrace_free_mp(__mpfr_struct **q);
/* The full length of each quantity of a case (0: not of this kind). */
void vtrace_lengths(size_t *len, size_t *rows, size_t *width, vq_kind kind, const cep_shape *sh,
                    size_t T, size_t K);

/* ---- generator ---------------------------------------------------------------- */
typedef struct {
    const char *out_dir;      /* the suites go to out_dir/<suite>/ (e.g. vectors/v1) */
    int level;                /* 1: the committed suite; 2: larger, more seeds */
    const char *only;         /* fnmatch pattern of case ids, or NULL for all   */
    long truth_prec;          /* bits of the truth (>= 256); recheck at twice that */
    const char *source_hash;  /* sha256 of the generator's sources, recorded    */
    void (*progress)(void *arg, const char *line);
    void *progress_arg;
} cep_vgen_opts;
/* Both suites are written to <suite>.new and swapped in only when both are
 * complete; on a failure or a stop request (cep_stop_requested, tested
 * between cases and between the runs of a case: CEP_EINTR) the .new
 * directories are removed and the previous suites stay untouched. */
int cep_vectors_generate(const cep_vgen_opts *o, char *err, size_t errlen);

/* ---- `cep compute`: this library's results for a suite (vrun.c) ---- */
typedef struct {
    const char *vectors_dir;  /* a suite (manifest.json and the inputs)         */
    const char *results_dir;  /* <case>/<quantity>.npy are written here ('<f8') */
    int use_mpfr;             /* 0: the double build; 1: MPFR with ctx          */
    cep_ctx ctx;
    const char *const *cases; size_t n_cases;   /* fnmatch patterns, none = all */
} cep_vrun_opts;
/* The results go to a staging directory RESULTS_DIR/.compute.tmp-XXXXXX and
 * are renamed into place only when every selected case is done: on a failure
 * (a non-finite input names its file and index: CEP_ENONFINITE; a diverging
 * case names the case: CEP_EDIVERGED) or a stop request (cep_stop_requested,
 * tested between cases: CEP_EINTR) no previous result is touched and the
 * staging directory is removed. */
int cep_vectors_compute(const cep_vrun_opts *o, char *err, size_t errlen);

/* A manifest (a jansson json_t, passed as void * so that this header needs
 * no jansson) written atomically: indented, keys in insertion order, reals
 * with 17 significant digits (exact for binary64), a final newline.
 * CEP_ENOMEM, and nothing written, when a field was lost while building it
 * (cep_json_set below). */
int cep_manifest_write(const char *path, const void *json, char *err, size_t errlen);

/* Read a manifest: a JSON object with no duplicate key, of at most
 * CEP_MANIFEST_MAX_BYTES bytes (refused, naming the size, before anything is
 * read: level-1 manifests have about 1 MB).  Returns the json_t * (the
 * caller json_decref's it) or NULL with err = "<path>: <what is wrong>". */
#define CEP_MANIFEST_MAX_BYTES ((long long)1 << 28)
void *cep_manifest_load(const char *path, char *err, size_t errlen);

/* Building a manifest.  jansson's setters report a failed allocation (their
 * own, or a NULL value from a constructor that failed) only by their return
 * value, so a manifest built with them unchecked can silently miss fields.
 * Every field of a manifest goes through these, which count such losses
 * (per thread); cep_json_begin() starts a manifest and cep_manifest_write
 * refuses one that lost anything.  obj, arr and value are json_t *; value
 * is stolen, as by json_object_set_new / json_array_append_new. */
void cep_json_begin(void);
void cep_json_set(void *obj, const char *key, void *value);
void cep_json_append(void *arr, void *value);

/* ---- checker ------------------------------------------------------------------- */
typedef enum { VC_HUMAN, VC_TAP, VC_JUNIT, VC_JSON } vc_format;
typedef struct {
    const char *vectors_dir;  /* one suite: its manifest.json is here          */
    const char *results_dir;  /* <case>/<quantity>.npy or .txt                */
    cep_fmt profile;          /* binary64 (truth64), binary32 or bfloat16 (truth32) */
    int exact;                /* compare with the in-format trace, bit for bit */
    int have_atol, have_rtol, have_ulps;
    double atol, rtol, ulps;  /* command-line overrides of the manifest's budget */
    const char *const *cases; size_t n_cases;            /* fnmatch patterns, none = all */
    const char *const *quantities; size_t n_quantities;  /* fnmatch patterns, none = all */
    long max_errors;          /* detailed failing values shown (default 10)   */
    vc_format format;
    const char *replay_dir;   /* write the replay single-step suite here, or NULL */
    int skip_sha;             /* do not verify the manifest's sha256 list     */
} cep_vcheck_opts;
/* Returns 0 when every selected value passes, 1 when some fail, 2 when the
 * input is unusable (err says why; a NaN or an infinity among the expected
 * values is, naming the file and index).  The report goes to out.  With a
 * stop request (cep_stop_requested) seen before the replay, no replay is
 * written. */
int cep_vectors_check(const cep_vcheck_opts *o, FILE *out, char *err, size_t errlen);

/* The rule of (VEC.TOL): pass when |a - e| <= atol + rtol |e| + ulps ULP(e),
 * with ULP(e) in format f; non-finite values match by position (NaN with
 * NaN, +inf with +inf, -inf with -inf). */
int cep_vtol_pass(double a, double e, double atol, double rtol, double ulps, cep_fmt f);
/* ULP(e): the distance between e and the next number away from zero in
 * format f (the smallest subnormal at 0). */
double cep_vtol_ulp(double e, cep_fmt f);

#ifdef __cplusplus
}
#endif
#endif
