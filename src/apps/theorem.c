/* theorem.c -- `cep theorem`: both sweeps, orders of convergence and the
 * verdict (spec/theorem.md). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "apps/theorem.h"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "apps/metrics_source.c"
#include "apps/theorem_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "apps/metrics_source.c"
#include "apps/theorem_source.c"
#include "scalar/template_off.h"

/* binary64's first phase stops at residual <= 2^-45 (TC.2): about 256 ulps
 * of a state of size 1, the floor below which binary64 iterations may cycle. */
#define BINARY64_TOL_LOG2 (-45)
/* A point enters the order fit when its error exceeds 16 times the rounding
 * floor 2^(12 - bits) / beta (TC.10). */
#define FLOOR_LOG2_MARGIN 12
#define FLOOR_FACTOR 16.0
#define ENERGY_ORDER_LO 0.9
#define ENERGY_ORDER_HI 1.1
#define ENERGY_BEST_ERR 1e-20

long cep_theorem_auto_prec(double beta_min, double eta_min)
{
    /* (TC.4) the floor 2^-p / beta must sit far below the O(beta) error at
     * the smallest beta, and eta must be resolvable next to theta: p covers
     * -2 log2(beta_min) and -log2(eta_min), plus 64 guard bits, rounded up
     * to a multiple of 32, at least 128. */
    double need = -2.0 * log2(fabs(beta_min));
    if (eta_min > 0 && -log2(eta_min) > need)
        need = -log2(eta_min);
    long p = (long)ceil(need) + 64;
    p = (p + 31) / 32 * 32;
    return p < 128 ? 128 : p;
}

double cep_fit_slope(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    return sxx > 0 ? sxy / sxx : NAN;
}

void cep_theorem_report_free(cep_theorem_report *rep)
{
    if (rep == NULL)
        return;
    for (size_t p = 0; p < CEP_THM_PRECS; p++) {
        free(rep->sw[p].m);
        free(rep->sw[p].trace_delta);
        free(rep->sw[p].trace_grad);
        rep->sw[p].m = NULL;
        rep->sw[p].trace_delta = NULL;
        rep->sw[p].trace_grad = NULL;
    }
}

/* Error of block b (or of every block when b == n_blocks) at beta j, the
 * maximum over the steps k < K (TC.10). */
static double sweep_err(const cep_theorem_report *rep, size_t p, size_t mode, size_t j, size_t b)
{
    double y = 0.0;
    size_t b0 = (b == rep->n_blocks) ? 0 : b, b1 = (b == rep->n_blocks) ? rep->n_blocks : b + 1;
    for (size_t k = 0; k < rep->K; k++)
        for (size_t bb = b0; bb < b1; bb++) {
            y = cep_thm_max(y, cep_thm_err(&rep->sw[p].m[cep_thm_idx(rep, j, mode, k, bb)]));
        }
    return y;
}

static void compute_orders(cep_theorem_report *rep, size_t p)
{
    const cep_theorem_sweep *sw = &rep->sw[p];
    for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
        for (size_t b = 0; b <= rep->n_blocks; b++) {
            double lx[CEP_THM_MAX_BETAS], ly[CEP_THM_MAX_BETAS];
            size_t n = 0, nonfinite = 0;
            for (size_t j = 0; j < rep->n_beta; j++) {
                double y = sweep_err(rep, p, mode, j, b);
                nonfinite += !isfinite(y);
                double floor = ldexp(1.0, (int)(FLOOR_LOG2_MARGIN - sw->bits)) / rep->beta[j];
                if (isfinite(y) && y > FLOOR_FACTOR * floor) {
                    lx[n] = log10(rep->beta[j]);
                    ly[n] = log10(y);
                    n++;
                }
            }
            rep->order_points[p][mode][b] = n;
            /* a NaN or infinite error is never "exact": it fails the fit */
            rep->exact[p][mode][b] = (n == 0 && nonfinite == 0);
            rep->order[p][mode][b] = (n >= 3 && nonfinite == 0) ? cep_fit_slope(lx, ly, n) : NAN;
        }
    for (size_t mode = 0; mode < CEP_THM_MODES; mode++) {
        double best = NAN, where = NAN;
        for (size_t j = 0; j < rep->n_beta; j++) {
            double y = sweep_err(rep, p, mode, j, rep->n_blocks);
            if (y < best || (best != best && y == y)) {
                best = y;
                where = rep->beta[j];
            }
        }
        rep->best_err[p][mode] = best;
        rep->best_beta[p][mode] = where;
        rep->plateau[p][mode] = sweep_err(rep, p, mode, rep->n_beta - 1, rep->n_blocks);
    }
}

static const char *const mode_name[CEP_THM_MODES] = {"C-EP", "EP"};

static void decide(cep_theorem_report *rep, const cep_theorem_config *cfg)
{
    /* energy-vf with B = W^T is the energy model's dynamics, and its rule
     * (VF.3) has the same limit as (NUDGE.2): Theorem 1 holds (spec/theorem.md
     * TC.15), so it gets the energy model's verdict. */
    int gradient_field = cfg->shape.model == CEP_MODEL_ENERGY ||
                         (cfg->shape.model == CEP_MODEL_ENERGY_VF && cfg->angle_deg == 0.0);
    if (CEP_MODEL_IS_VF(cfg->shape.model) && !gradient_field) {
        rep->verdict = CEP_VERDICT_APPROXIMATE;
        snprintf(rep->reason, sizeof rep->reason,
                 "%s with B at %.4g degrees to W^T (achieved %.4g for B_1): the dynamics is not "
                 "a gradient field (||J - J^T||_F / ||J||_F = %.3g at s_*), so Theorem 1 does not "
                 "apply; C-VF error at the smallest beta %.3g, total-update angle to BPTT %.3g degrees",
                 cep_model_name(cfg->shape.model), cfg->angle_deg, rep->weight_angle[0],
                 rep->sw[0].asymmetry, rep->plateau[0][0], rep->angle[0][rep->n_beta - 1][0]);
        return;
    }
    if (!gradient_field) {
        rep->verdict = CEP_VERDICT_APPROXIMATE;
        if (rep->sw[0].asymmetry > 1e-12)
            snprintf(rep->reason, sizeof rep->reason,
                     "F is not a gradient field (||J - J^T||_F / ||J||_F = %.3g at s_*), so Theorem 1's "
                     "premise does not hold; as beta -> 0 the C-EP error plateaus at %.3g (EP %.3g)",
                     rep->sw[0].asymmetry, rep->plateau[0][0], rep->plateau[0][1]);
        else
            snprintf(rep->reason, sizeof rep->reason,
                     "the prototypical model is not a gradient field in general, so no PASS is "
                     "claimed; here J = dF/ds happens to be symmetric at s_* (asymmetry %.3g, e.g. "
                     "identity activation) and the C-EP error at the smallest beta is %.3g (EP %.3g)",
                     rep->sw[0].asymmetry, rep->plateau[0][0], rep->plateau[0][1]);
        return;
    }
    for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
        for (size_t b = 0; b <= rep->n_blocks; b++) {
            if (rep->exact[0][mode][b])
                continue;
            double o = rep->order[0][mode][b];
            const char *name = b == rep->n_blocks ? "overall" : rep->block_name[b];
            if (isnan(o)) {
                rep->verdict = CEP_VERDICT_FAIL;
                snprintf(rep->reason, sizeof rep->reason,
                         "%s, block %s: only %zu beta above the precision floor, too few to fit an order",
                         mode_name[mode], name, rep->order_points[0][mode][b]);
                return;
            }
            if (o < ENERGY_ORDER_LO || o > ENERGY_ORDER_HI) {
                rep->verdict = CEP_VERDICT_FAIL;
                snprintf(rep->reason, sizeof rep->reason,
                         "%s, block %s: observed order %.3f in beta is outside [%.1f, %.1f]",
                         mode_name[mode], name, o, ENERGY_ORDER_LO, ENERGY_ORDER_HI);
                return;
            }
        }
    for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
        for (size_t k = 0; k < rep->K; k++) {
            double best = INFINITY;
            for (size_t j = 0; j < rep->n_beta; j++) {
                double y = 0.0;
                for (size_t b = 0; b < rep->n_blocks; b++) {
                    y = cep_thm_max(y, cep_thm_err(&rep->sw[0].m[cep_thm_idx(rep, j, mode, k, b)]));
                }
                if (y < best || y != y) best = y; /* NaN: the step fails */
                if (best != best) break;
            }
            if (!(best <= ENERGY_BEST_ERR)) {
                rep->verdict = CEP_VERDICT_FAIL;
                snprintf(rep->reason, sizeof rep->reason,
                         "%s, step k = %zu: the smallest MPFR error over the sweep is %.3g > %.0e",
                         mode_name[mode], k, best, ENERGY_BEST_ERR);
                return;
            }
        }
    rep->verdict = CEP_VERDICT_PASS;
    snprintf(rep->reason, sizeof rep->reason,
             "every block converges with order in [%.1f, %.1f] (overall C-EP %.3f, EP %.3f) and "
             "at every step k < %zu the smallest MPFR error is <= %.0e",
             ENERGY_ORDER_LO, ENERGY_ORDER_HI, rep->order[0][0][rep->n_blocks],
             rep->order[0][1][rep->n_blocks], rep->K, ENERGY_BEST_ERR);
}

/* Up to three spread components of each state and weight block (TC.11). */
static void choose_traces(cep_theorem_report *rep, const cep_shape *sh)
{
    size_t N = sh->n_layers, t = 0;
    for (size_t b = 0; b < rep->n_blocks; b++) {
        size_t len, rows = 1, cols = 1;
        if (b >= 3 * N) { /* B_l of a VF model */
            size_t l = b - 3 * N + 1;
            rows = sh->size[l];
            cols = sh->size[l + 1];
            len = rows * cols;
        } else if (b < N) {
            len = sh->size[b + 1];
            rows = len;
        } else if ((b - N) % 2 == 0) {
            size_t l = (b - N) / 2 + 1;
            rows = sh->size[l];
            cols = sh->size[l - 1];
            len = rows * cols;
        } else {
            continue; /* biases: the figure shows neurons and synapses */
        }
        size_t pick[3] = {0, (rows / 2) * cols + cols / 2, len - 1};
        for (size_t q = 0; q < 3; q++) {
            int dup = 0;
            for (size_t r = 0; r < q; r++)
                dup |= pick[r] == pick[q];
            if (dup)
                continue;
            rep->trace_block[t] = b;
            rep->trace_index[t] = pick[q];
            t++;
        }
    }
    rep->n_traces = t;
}

int cep_theorem(cep_theorem_report *rep, const cep_theorem_config *cfg)
{
    if (rep == NULL || cfg == NULL)
        return CEP_EARG;
    memset(rep, 0, sizeof *rep);
    const cep_shape *sh = &cfg->shape;
    if (sh->act == CEP_ACT_HARDSIGMOID)
        return CEP_ENOTDIFF;
    if (cfg->K < 1 || cfg->K >= CEP_MAX_STEPS || cfg->T_max < 1 ||
        cfg->T_max > CEP_MAX_STEPS - cfg->K - 1)
        return CEP_EHORIZON;
    if (!(cfg->beta_from >= cfg->beta_to && cfg->beta_to > 0 && isfinite(cfg->beta_from)) ||
        (cfg->decades_per_point != 1 && cfg->decades_per_point != 2) ||
        !(cfg->eta_scale > 0 && isfinite(cfg->eta_scale)))
        return CEP_ESWEEP;
    if (cfg->prec != 0 && (cfg->prec < CEP_PREC_MIN || cfg->prec > MPFR_PREC_MAX))
        return CEP_EPREC;
    double span = (log10(cfg->beta_from) - log10(cfg->beta_to)) / cfg->decades_per_point;
    if (span + 1 > CEP_THM_MAX_BETAS)
        return CEP_ESWEEP;
    rep->n_beta = (size_t)floor(span + 1e-9) + 1;
    /* (TC.1) beta_j = beta_from * 10^(-j d), eta_j = c beta_j^2 */
    for (size_t j = 0; j < rep->n_beta; j++) {
        rep->beta[j] = pow(10.0, log10(cfg->beta_from) - (double)(j * cfg->decades_per_point));
        if (j == 0) rep->beta[j] = cfg->beta_from;
        rep->eta[j] = cfg->eta_scale * rep->beta[j] * rep->beta[j];
        if (!(rep->eta[j] > 0) || !isfinite(rep->eta[j]))
            return CEP_ESWEEP;
    }
    size_t best = 0;
    for (size_t j = 1; j < rep->n_beta; j++)
        if (fabs(log10(rep->beta[j] / cfg->gdd_beta)) < fabs(log10(rep->beta[best] / cfg->gdd_beta)))
            best = j;
    rep->gdd_index = best;
    rep->K = cfg->K;
    size_t N = sh->n_layers;
    int vf = CEP_MODEL_IS_VF(sh->model);
    if (vf && !(cfg->angle_deg >= 0.0 && cfg->angle_deg <= 180.0))
        return CEP_ESWEEP;
    rep->n_blocks = 3 * N + (vf ? N - 1 : 0);
    /* N <= CEP_MAX_LAYERS = 16, so every name fits in "s16" / "W16" / "B15" */
    for (size_t b = 0; b < rep->n_blocks; b++) {
        unsigned layer = (unsigned)(b >= 3 * N ? b - 3 * N + 1 : b < N ? b + 1 : (b - N) / 2 + 1) % 100u;
        char kind = b >= 3 * N ? 'B' : b < N ? 's' : ((b - N) % 2 == 0 ? 'W' : 'b');
        snprintf(rep->block_name[b], sizeof rep->block_name[b], "%c%u", kind, layer);
    }
    choose_traces(rep, sh);

    size_t n_m = rep->n_beta * CEP_THM_MODES * rep->K * rep->n_blocks;
    for (size_t p = 0; p < CEP_THM_PRECS; p++) {
        rep->sw[p].m = calloc(n_m, sizeof(cep_metric));
        rep->sw[p].trace_delta = calloc(2 * rep->n_traces * rep->K + 1, sizeof(double));
        rep->sw[p].trace_grad = calloc(rep->n_traces * rep->K + 1, sizeof(double));
        if (!rep->sw[p].m || !rep->sw[p].trace_delta || !rep->sw[p].trace_grad) {
            cep_theorem_report_free(rep);
            return CEP_ENOMEM;
        }
    }

    double *th = malloc(sh->P * sizeof(double)), *x = malloc(sh->size[0] * sizeof(double));
    double *y = malloc(sh->size[N] * sizeof(double));
    int st = CEP_ENOMEM;
    if (th && x && y) {
        cep_init_theta(th, sh, cfg->seed);
        if (vf) { /* (INIT.3) feedback at the requested angle, then (VF.6) */
            st = cep_init_feedback(th, sh, cfg->angle_deg, cfg->seed, rep->weight_angle);
            if (st != CEP_OK) {
                free(y);
                free(x);
                free(th);
                cep_theorem_report_free(rep);
                return st;
            }
        }
        cep_init_data(x, y, sh, cfg->seed);
        if (cfg->x) memcpy(x, cfg->x, sh->size[0] * sizeof(double));
        if (cfg->y) memcpy(y, cfg->y, sh->size[N] * sizeof(double));
        cep_ctx cm;
        long bits = cfg->prec ? cfg->prec : cep_theorem_auto_prec(rep->beta[rep->n_beta - 1],
                                                                   rep->eta[rep->n_beta - 1]);
        cep_ctx_mpfr(&cm, bits);
        rep->sw[0].bits = bits;
        rep->sw[0].is_mpfr = 1;
        rep->sw[0].tol_log2 = -(bits - 8); /* (TC.2) */
        rep->sw[1].bits = 53;
        rep->sw[1].is_mpfr = 0;
        rep->sw[1].tol_log2 = BINARY64_TOL_LOG2;
        rep->sw[1].asymmetry = NAN;
        cep_ctx cd = cep_ctx_double();
        st = theorem_sweep_mp(rep, 0, cfg, &cm, th, x, y);
        rep->sw[0].status = st;
        if (st == CEP_OK) {
            rep->sw[1].status = theorem_sweep_d(rep, 1, cfg, &cd, th, x, y);
            /* a binary64 sweep that stops on its own (no convergence) is a
             * finding of the report; running out of memory or being
             * interrupted is not */
            if (rep->sw[1].status == CEP_EINTR || rep->sw[1].status == CEP_ENOMEM)
                st = rep->sw[1].status;
        }
        if (st == CEP_OK) {
            compute_orders(rep, 0);
            if (rep->sw[1].status == CEP_OK)
                compute_orders(rep, 1);
            else
                for (size_t m = 0; m < CEP_THM_MODES; m++) {
                    rep->best_err[1][m] = rep->best_beta[1][m] = rep->plateau[1][m] = NAN;
                    for (size_t b = 0; b <= rep->n_blocks; b++)
                        rep->order[1][m][b] = NAN;
                }
            decide(rep, cfg);
        }
    }
    free(y);
    free(x);
    free(th);
    if (st != CEP_OK && st != CEP_ENOTCONVERGED)
        cep_theorem_report_free(rep);
    return st;
}
