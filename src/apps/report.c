/* report.c -- the files of `cep theorem`: theorem.md, CSV tables, gnuplot
 * scripts and figures, written into a temporary sibling directory that
 * replaces the target in one rename (spec/theorem.md §7). */
#define _GNU_SOURCE 1 /* mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "apps/plot.h"
#include "apps/theorem.h"
#include "apps/vfile.h"

static const char *const prec_name[CEP_THM_PRECS] = {"mpfr", "binary64"};
static const char *const mode_name[CEP_THM_MODES] = {"C-EP", "EP"};
static const char *const verdict_name[] = {"PASS", "FAIL", "APPROXIMATE"};

/* ---- small file helpers ------------------------------------------------ */

typedef struct {
    char dir[4096];
    char *err;
    size_t errlen;
    int failed;
} writer;

static FILE *wopen(writer *w, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL && !w->failed) {
        snprintf(w->err, w->errlen, "%s: cannot create: %s", path, strerror(errno));
        w->failed = 1;
    }
    return f;
}

static void wclose(writer *w, FILE *f, const char *name)
{
    if (f == NULL)
        return;
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (!w->failed)
            snprintf(w->err, w->errlen, "%s/%s: write failed: %s", w->dir, name, strerror(errno));
        w->failed = 1;
    }
}

/* mkdir -p of the parent directories of path */
static int make_parents(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i < n; i++)
        if (buf[i] == '/') {
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            buf[i] = '/';
        }
    return 0;
}

/* Remove a directory of plain files (our own report directories only). */
static void remove_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static const char *fmt_err(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.2e", v);
    return buf;
}

/* ---- shared text ------------------------------------------------------- */

static double overall(const cep_theorem_report *rep, size_t p, size_t mode, size_t j)
{
    double y = 0.0;
    for (size_t k = 0; k < rep->K; k++)
        for (size_t b = 0; b < rep->n_blocks; b++) {
            y = cep_thm_max(y, cep_thm_err(&rep->sw[p].m[cep_thm_idx(rep, j, mode, k, b)]));
        }
    return y;
}

static void sizes_text(char *buf, size_t n, const cep_shape *sh)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t l = 0; l <= sh->n_layers && used < n; l++)
        used += (size_t)snprintf(buf + used, n - used, "%s%zu", l ? "-" : "", sh->size[l]);
}

static void order_text(char *buf, size_t n, const cep_theorem_report *rep, size_t p, size_t mode,
                       size_t b)
{
    if (rep->sw[p].status != CEP_OK)
        snprintf(buf, n, "not run");
    else if (rep->exact[p][mode][b])
        snprintf(buf, n, "exact");
    else if (isnan(rep->order[p][mode][b]))
        snprintf(buf, n, "n/a (%zu pts)", rep->order_points[p][mode][b]);
    else
        snprintf(buf, n, "%.3f (%zu pts)", rep->order[p][mode][b], rep->order_points[p][mode][b]);
}


/* The report in markdown: full for theorem.md, shorter for the terminal. */
void cep_theorem_format(FILE *f, const cep_theorem_report *rep, const cep_theorem_config *cfg,
                        const char *cmdline, int full)
{
    const cep_shape *sh = &cfg->shape;
    char sz[256], a[32], b[32], c[32], d[32];
    sizes_text(sz, sizeof sz, sh);
    size_t jmin = rep->n_beta - 1;
    fprintf(f, "%s Theorem 1, step by step: %s model, %s, sizes %s\n\n", full ? "#" : "==",
            cep_model_name(sh->model), cep_activation_name(sh->act), sz);
    fprintf(f, "Verdict: **%s** -- %s.\n\n", verdict_name[rep->verdict], rep->reason);
    if (full) {
        fprintf(f, "Command: `%s`\n\n", cmdline ? cmdline : "(library call)");
        fprintf(f, "| setting | value |\n|---|---|\n");
        fprintf(f, "| model, activation | %s, %s |\n", cep_model_name(sh->model),
                cep_activation_name(sh->act));
        fprintf(f, "| sizes (input first) | %s (S = %zu neurons, P = %zu parameters) |\n", sz, sh->S,
                sh->P);
        fprintf(f, "| eps | %g |\n| K | %zu |\n| seed | %llu |\n", sh->eps, rep->K,
                (unsigned long long)cfg->seed);
        fprintf(f, "| data | %s |\n", cfg->x ? "x, y from --data (first training example)"
                                               : "x uniform in [0,1), y one-hot, from the seed");
        fprintf(f, "| beta sweep | %.0e down to %.0e, every %u decade(s), %zu points |\n",
                cfg->beta_from, rep->beta[jmin], cfg->decades_per_point, rep->n_beta);
        fprintf(f, "| eta | C-EP: eta = %g * beta^2; EP: eta = 0 |\n", cfg->eta_scale);
        fprintf(f, "| MPFR precision | %ld bits%s |\n", rep->sw[0].bits,
                cfg->prec ? "" : " (automatic, TC.4)");
        fprintf(f, "| first-phase limit | T_max = %zu |\n\n", cfg->T_max);
    }
    if (CEP_MODEL_IS_VF(sh->model)) {
        /* (TC.15) the weight angles and the meaning of the two modes */
        fprintf(f, "%s Feedback weights (C-VF)\n\n", full ? "##" : "--");
        fprintf(f, "Requested angle of B_n to W_{n+1}^T: %.4g degrees (INIT.3). Below, \"C-EP\" is C-VF "
                   "(the local rule VF.3 applied at every step) and \"EP\" its accumulate-only variant "
                   "(theta fixed, VF.5). Total-update angle: between sum_k Delta_theta(k) and "
                   "-sum_k grad_theta^BPTT(k) over all of theta (W, b and B), MPFR (TC.14).\n\n",
                cfg->angle_deg);
        fprintf(f, "| layer n | angle(B_n, W_{n+1}^T) achieved (deg) |\n|---:|---:|\n");
        for (size_t l = 1; l < sh->n_layers; l++)
            fprintf(f, "| %zu | %.4f |\n", l, rep->weight_angle[l - 1]);
        fprintf(f, "\n| beta | total-update angle C-VF (deg) | accumulate-only (deg) | binary64 C-VF (deg) |\n"
                   "|---:|---:|---:|---:|\n");
        for (size_t j = 0; j < rep->n_beta; j++)
            fprintf(f, "| %.0e | %.4g | %.4g | %.4g |\n", rep->beta[j], rep->angle[0][j][0],
                    rep->angle[0][j][1], rep->sw[1].status == CEP_OK ? rep->angle[1][j][0] : NAN);
        fprintf(f, "\n");
    }
    fprintf(f, "%s First phase (run to convergence, then K more steps)\n\n", full ? "##" : "--");
    fprintf(f, "| precision | stop at residual | T_conv | T = T_conv + K | residual at T | loss |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|\n");
    for (size_t p = 0; p < CEP_THM_PRECS; p++) {
        const cep_theorem_sweep *sw = &rep->sw[p];
        if (sw->status == CEP_OK)
            fprintf(f, "| %s %ld bits | 2^%ld | %zu | %zu | %.3e | %.15g |\n", prec_name[p], sw->bits,
                    sw->tol_log2, sw->T_conv, sw->T, sw->residual_T, sw->loss);
        else
            fprintf(f, "| %s %ld bits | 2^%ld | not reached in %zu steps | - | %.3e | - |\n",
                    prec_name[p], sw->bits, sw->tol_log2, sw->T_conv, sw->residual_conv);
    }
    fprintf(f, "\n%s Sweep: error = max over steps k < K and blocks of ||Delta + grad|| / ||grad||\n\n",
            full ? "##" : "--");
    fprintf(f, "(absolute ||Delta + grad|| where a block's gradient is exactly zero; the angle is the\n"
               "paper's, between sum_k Delta_theta(k) and -sum_k grad_theta(k), MPFR, TC.14)\n\n");
    fprintf(f, "| beta | eta (C-EP) | MPFR C-EP | MPFR EP | binary64 C-EP | binary64 EP | angle C-EP (deg) |\n");
    fprintf(f, "|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t j = 0; j < rep->n_beta; j++) {
        int ok1 = rep->sw[1].status == CEP_OK;
        fprintf(f, "| %.0e | %.0e | %s | %s | %s | %s | %.2e |\n", rep->beta[j], rep->eta[j],
                fmt_err(a, sizeof a, overall(rep, 0, 0, j)), fmt_err(b, sizeof b, overall(rep, 0, 1, j)),
                fmt_err(c, sizeof c, ok1 ? overall(rep, 1, 0, j) : NAN),
                fmt_err(d, sizeof d, ok1 ? overall(rep, 1, 1, j) : NAN), rep->angle[0][j][0]);
    }
    fprintf(f, "\n%s Observed order of convergence in beta\n\n", full ? "##" : "--");
    fprintf(f, "Least-squares slope of log10(error) against log10(beta) over the points whose\n"
               "error exceeds 16 x 2^(12-p)/beta (the rounding floor); 'exact' = at the floor\n"
               "for every beta (the update equals minus the gradient to rounding).\n\n");
    fprintf(f, "| block | MPFR C-EP | MPFR EP | binary64 C-EP | binary64 EP |\n|---|---|---|---|---|\n");
    for (size_t bl = 0; bl <= rep->n_blocks; bl++) {
        if (!full && bl < rep->n_blocks && bl >= sh->n_layers && 0)
            continue;
        char o[4][40];
        for (size_t q = 0; q < 4; q++)
            order_text(o[q], sizeof o[q], rep, q / 2, q % 2, bl);
        fprintf(f, "| %s | %s | %s | %s | %s |\n", bl == rep->n_blocks ? "**overall**" : rep->block_name[bl],
                o[0], o[1], o[2], o[3]);
    }
    fprintf(f, "\nSmallest overall error: MPFR C-EP %.3e at beta = %.0e; binary64 C-EP %.3e at "
               "beta = %.0e (the binary64 floor).\n",
            rep->best_err[0][0], rep->best_beta[0][0], rep->best_err[1][0], rep->best_beta[1][0]);
    if (sh->model != CEP_MODEL_ENERGY)
        fprintf(f, "\nPrototypical model: J = dF/ds at s_* has ||J - J^T||_F / ||J||_F = %.4g; "
                   "the error plateaus as beta -> 0 at %.4g (C-EP) and %.4g (EP) in MPFR.\n",
                rep->sw[0].asymmetry, rep->plateau[0][0], rep->plateau[0][1]);
    fprintf(f, "\n%s Per step k at the smallest beta = %.0e (MPFR, C-EP): relative error per block\n\n",
            full ? "##" : "--", rep->beta[jmin]);
    fprintf(f, "('*' = the block's gradient is zero at that step: absolute error)\n\n| k |");
    for (size_t bl = 0; bl < rep->n_blocks; bl++)
        fprintf(f, " %s |", rep->block_name[bl]);
    fprintf(f, "%s\n|---:|", full ? " min cos | min sign agreement |" : "");
    for (size_t bl = 0; bl < rep->n_blocks + (full ? 2 : 0); bl++)
        fprintf(f, "---:|");
    fprintf(f, "\n");
    for (size_t k = 0; k < rep->K; k++) {
        fprintf(f, "| %zu |", k);
        double mc = INFINITY, ms = INFINITY;
        for (size_t bl = 0; bl < rep->n_blocks; bl++) {
            const cep_metric *m = &rep->sw[0].m[cep_thm_idx(rep, jmin, 0, k, bl)];
            fprintf(f, " %.2e%s |", m->rel, m->is_abs ? "*" : "");
            if (!isnan(m->cos) && m->cos < mc) mc = m->cos;
            if (!isnan(m->sign) && m->sign < ms) ms = m->sign;
        }
        if (full)
            fprintf(f, " %.15f | %.4f |", mc, ms);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

/* ---- CSV ------------------------------------------------------------------ */

static void write_csvs(writer *w, const cep_theorem_report *rep)
{
    FILE *f = wopen(w, "sweep.csv");
    if (f) {
        fprintf(f, "precision,bits,mode,beta,eta,k,block,max_abs,rel,is_abs,cos,sign_agreement\n");
        for (size_t p = 0; p < CEP_THM_PRECS; p++) {
            if (rep->sw[p].status != CEP_OK)
                continue;
            for (size_t j = 0; j < rep->n_beta; j++)
                for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
                    for (size_t k = 0; k < rep->K; k++)
                        for (size_t b = 0; b < rep->n_blocks; b++) {
                            const cep_metric *m = &rep->sw[p].m[cep_thm_idx(rep, j, mode, k, b)];
                            fprintf(f, "%s,%ld,%s,%.17g,%.17g,%zu,%s,%.17g,%.17g,%d,%.17g,%.17g\n",
                                    prec_name[p], rep->sw[p].bits, mode_name[mode], rep->beta[j],
                                    mode == 0 ? rep->eta[j] : 0.0, k, rep->block_name[b], m->max_abs,
                                    m->rel, m->is_abs, m->cos, m->sign);
                        }
        }
        wclose(w, f, "sweep.csv");
    }
    f = wopen(w, "orders.csv");
    if (f) {
        fprintf(f, "precision,mode,block,order,points,exact\n");
        for (size_t p = 0; p < CEP_THM_PRECS; p++)
            for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
                for (size_t b = 0; b <= rep->n_blocks && rep->sw[p].status == CEP_OK; b++)
                    fprintf(f, "%s,%s,%s,%.17g,%zu,%d\n", prec_name[p], mode_name[mode],
                            b == rep->n_blocks ? "overall" : rep->block_name[b], rep->order[p][mode][b],
                            rep->order_points[p][mode][b], rep->exact[p][mode][b]);
        wclose(w, f, "orders.csv");
    }
    f = wopen(w, "angles.csv");
    if (f) {
        fprintf(f, "precision,mode,beta,angle_deg\n");
        for (size_t p = 0; p < CEP_THM_PRECS; p++)
            for (size_t j = 0; j < rep->n_beta && rep->sw[p].status == CEP_OK; j++)
                for (size_t mode = 0; mode < CEP_THM_MODES; mode++)
                    fprintf(f, "%s,%s,%.17g,%.17g\n", prec_name[p], mode_name[mode], rep->beta[j],
                            rep->angle[p][j][mode]);
        wclose(w, f, "angles.csv");
    }
    f = wopen(w, "first_phase.csv");
    if (f) {
        fprintf(f, "precision,bits,tol_log2,status,T_conv,T,residual_conv,residual_T,loss,asymmetry\n");
        for (size_t p = 0; p < CEP_THM_PRECS; p++) {
            const cep_theorem_sweep *sw = &rep->sw[p];
            fprintf(f, "%s,%ld,%ld,%d,%zu,%zu,%.17g,%.17g,%.17g,%.17g\n", prec_name[p], sw->bits,
                    sw->tol_log2, sw->status, sw->T_conv, sw->T, sw->residual_conv, sw->residual_T,
                    sw->loss, sw->asymmetry);
        }
        wclose(w, f, "first_phase.csv");
    }
    f = wopen(w, "gdd.csv");
    if (f) {
        fprintf(f, "precision,beta,block,index,k,delta,neg_grad\n");
        for (size_t p = 0; p < CEP_THM_PRECS; p++)
            for (size_t which = 0; which < 2 && rep->sw[p].status == CEP_OK; which++) {
                double beta = rep->beta[which == 0 ? rep->gdd_index : rep->n_beta - 1];
                for (size_t t = 0; t < rep->n_traces; t++)
                    for (size_t k = 0; k < rep->K; k++)
                        fprintf(f, "%s,%.17g,%s,%zu,%zu,%.17g,%.17g\n", prec_name[p], beta,
                                rep->block_name[rep->trace_block[t]], rep->trace_index[t], k,
                                rep->sw[p].trace_delta[(which * rep->n_traces + t) * rep->K + k],
                                rep->sw[p].trace_grad[t * rep->K + k]);
            }
        wclose(w, f, "gdd.csv");
    }
    f = wopen(w, "summary.csv");
    if (f) {
        fprintf(f, "key,value\nverdict,%s\nreason,\"%s\"\nmpfr_bits,%ld\nbest_err_mpfr_cep,%.17g\n"
                   "best_beta_mpfr_cep,%.17g\nbest_err_binary64_cep,%.17g\nbest_beta_binary64_cep,%.17g\n"
                   "order_mpfr_cep,%.17g\norder_mpfr_ep,%.17g\norder_binary64_cep,%.17g\n",
                verdict_name[rep->verdict], rep->reason, rep->sw[0].bits, rep->best_err[0][0],
                rep->best_beta[0][0], rep->best_err[1][0], rep->best_beta[1][0],
                rep->order[0][0][rep->n_blocks], rep->order[0][1][rep->n_blocks],
                rep->order[1][0][rep->n_blocks]);
        wclose(w, f, "summary.csv");
    }
}

/* ---- figures ----------------------------------------------------------- */

static void write_plot_data(writer *w, const cep_theorem_report *rep)
{
    FILE *f = wopen(w, "err_vs_beta.dat");
    if (f) {
        fprintf(f, "# beta  mpfr_cep  mpfr_ep  binary64_cep  binary64_ep\n");
        for (size_t j = 0; j < rep->n_beta; j++) {
            fprintf(f, "%.17g", rep->beta[j]);
            for (size_t q = 0; q < 4; q++)
                fprintf(f, " %.17g", rep->sw[q / 2].status == CEP_OK ? overall(rep, q / 2, q % 2, j) : NAN);
            fprintf(f, "\n");
        }
        wclose(w, f, "err_vs_beta.dat");
    }
    f = wopen(w, "err_per_step.dat");
    if (f) {
        fprintf(f, "# k");
        for (size_t b = 0; b < rep->n_blocks; b++)
            fprintf(f, " %s", rep->block_name[b]);
        fprintf(f, "\n");
        for (size_t k = 0; k < rep->K; k++) {
            fprintf(f, "%zu", k);
            for (size_t b = 0; b < rep->n_blocks; b++)
                fprintf(f, " %.17g",
                        rep->sw[0].m[cep_thm_idx(rep, rep->n_beta - 1, 0, k, b)].rel);
            fprintf(f, "\n");
        }
        wclose(w, f, "err_per_step.dat");
    }
    for (size_t which = 0; which < 2; which++) {
        const char *name = which == 0 ? "gdd_moderate.dat" : "gdd_smallest.dat";
        f = wopen(w, name);
        if (!f)
            continue;
        /* one gnuplot data block per trace: k, Delta, -grad */
        for (size_t t = 0; t < rep->n_traces; t++) {
            fprintf(f, "# %s[%zu]\n", rep->block_name[rep->trace_block[t]], rep->trace_index[t]);
            for (size_t k = 0; k < rep->K; k++)
                fprintf(f, "%zu %.17g %.17g\n", k,
                        rep->sw[0].trace_delta[(which * rep->n_traces + t) * rep->K + k],
                        rep->sw[0].trace_grad[t * rep->K + k]);
            fprintf(f, "\n\n");
        }
        wclose(w, f, name);
    }
}

static void write_scripts(writer *w, const cep_theorem_report *rep, const cep_theorem_config *cfg)
{
    /* figure 2: the floor and its removal */
    FILE *f = wopen(w, "err_vs_beta.gp");
    if (f) {
        size_t jr = rep->gdd_index;
        /* the reference line sits one decade above the MPFR C-EP curve */
        double c = 10.0 * overall(rep, 0, 0, jr) / rep->beta[jr];
        for (int svg = 0; svg < 2; svg++) {
            fprintf(f, "set terminal %s size 900,600%s\nset output 'err_vs_beta.%s'\n",
                    svg ? "svg" : "pngcairo", svg ? " dynamic" : "", svg ? "svg" : "png");
            fprintf(f, "set logscale xy\nset format x '10^{%%L}'\nset format y '10^{%%L}'\n"
                       "set xlabel 'beta (eta = %g beta^2 for C-EP)'\nset ylabel 'max_{k,block} ||Delta + grad|| / ||grad||'\n"
                       "set title 'Theorem 1: C-EP / EP updates vs BPTT gradients (MPFR %ld bits and binary64)'\n"
                       "set key bottom left box opaque\nset grid\nset xrange [*:*] reverse\n",
                    cfg->eta_scale, rep->sw[0].bits);
            fprintf(f, "plot 'err_vs_beta.dat' u 1:2 w lp pt 7 lc rgb '#1f77b4' t 'MPFR C-EP', "
                       "'' u 1:3 w lp pt 6 dt 2 lc rgb '#1f77b4' t 'MPFR EP (eta = 0)', "
                       "'' u 1:($4 > 0 ? $4 : 1/0) w lp pt 5 lc rgb '#d62728' t 'binary64 C-EP', "
                       "'' u 1:($5 > 0 ? $5 : 1/0) w lp pt 4 dt 2 lc rgb '#d62728' t 'binary64 EP', "
                       "%.17g*x w l dt 3 lc rgb 'gray40' t 'slope 1: O(beta) (shifted up a decade)'\n", c);
        }
        wclose(w, f, "err_vs_beta.gp");
    }
    /* figure 3: error per step at the smallest beta */
    f = wopen(w, "err_per_step.gp");
    if (f) {
        for (int svg = 0; svg < 2; svg++) {
            fprintf(f, "set terminal %s size 900,600%s\nset output 'err_per_step.%s'\n",
                    svg ? "svg" : "pngcairo", svg ? " dynamic" : "", svg ? "svg" : "png");
            fprintf(f, "set logscale y\nset format y '10^{%%L}'\nset xlabel 'step k of the second phase'\n"
                       "set ylabel '||Delta(k) + grad(k)|| / ||grad(k)||'\n"
                       "set title 'Error per step and block at beta = %.0e (MPFR, C-EP); absolute error where grad = 0'\n"
                       "set key outside right\nset grid\n",
                    rep->beta[rep->n_beta - 1]);
            fprintf(f, "plot ");
            for (size_t b = 0; b < rep->n_blocks; b++)
                fprintf(f, "%s'err_per_step.dat' u 1:($%zu > 0 ? $%zu : 1/0) w lp t '%s'",
                        b ? ", " : "", b + 2, b + 2, rep->block_name[b]);
            fprintf(f, "\n");
        }
        wclose(w, f, "err_per_step.gp");
    }
    /* figure 1: the paper's GDD picture, one panel per state / weight block */
    size_t panels = 0, panel_block[CEP_THM_MAX_BLOCKS];
    for (size_t t = 0; t < rep->n_traces; t++)
        if (panels == 0 || panel_block[panels - 1] != rep->trace_block[t])
            panel_block[panels++] = rep->trace_block[t];
    size_t cols = 2, rows = (panels + 1) / 2;
    for (size_t which = 0; which < 2; which++) {
        const char *name = which == 0 ? "gdd_moderate.gp" : "gdd_smallest.gp";
        const char *stem = which == 0 ? "gdd_moderate" : "gdd_smallest";
        double beta = rep->beta[which == 0 ? rep->gdd_index : rep->n_beta - 1];
        f = wopen(w, name);
        if (!f)
            continue;
        for (int svg = 0; svg < 2; svg++) {
            fprintf(f, "set terminal %s size 1100,%zu%s\nset output '%s.%s'\n", svg ? "svg" : "pngcairo",
                    260 * rows + 60, svg ? " dynamic" : "", stem, svg ? "svg" : "png");
            fprintf(f, "set multiplot layout %zu,%zu title 'C-EP updates Delta(k) (points) and -grad^{BPTT}(k) "
                       "(lines), beta = %.0e, eta = %.0e, MPFR %ld bits'\n",
                    rows, cols, beta, cfg->eta_scale * beta * beta, rep->sw[0].bits);
            fprintf(f, "set grid\nset xlabel 'k'\nset key off\nset format y '%%.2g'\n");
            for (size_t q = 0; q < panels; q++) {
                fprintf(f, "set title '%s'\nplot ", rep->block_name[panel_block[q]]);
                int first = 1;
                for (size_t t = 0; t < rep->n_traces; t++) {
                    if (rep->trace_block[t] != panel_block[q])
                        continue;
                    fprintf(f, "%s'%s.dat' index %zu u 1:3 w l lw 2 lc %zu, '' index %zu u 1:2 w p pt 7 ps 0.8 lc %zu",
                            first ? "" : ", ", stem, t, t % 8 + 1, t, t % 8 + 1);
                    first = 0;
                }
                fprintf(f, "\n");
            }
            fprintf(f, "unset multiplot\n");
        }
        wclose(w, f, name);
    }
}

/* Run gnuplot on each script inside dir; 1 when all succeeded. */
/* (TC.16) the angle sweep: table, CSV, data and the figure's script. */
static void write_angle_sweep(writer *w, FILE *md, const cep_angle_sweep *a, const cep_shape *sh)
{
    size_t N1 = sh->n_layers - 1;
    fprintf(md, "## Weight symmetry against gradient quality (angle sweep, TC.16)\n\n"
                "For each requested angle of B_n to W_{n+1}^T (INIT.3, same seed), the achieved angle "
                "(VF.6; mean over the N-1 feedback matrices) and the angle between the total update "
                "sum_k Delta_theta(k) and -sum_k grad_theta^BPTT(k) (TC.14), C-VF at beta = %.0e "
                "and %.0e (MPFR) and binary64 at %.0e; figure `angle_sweep.png`.\n\n",
            a->beta_moderate, a->beta_smallest, a->beta_moderate);
    fprintf(md, "| requested (deg) | achieved (deg) | C-VF beta %.0e | C-VF beta %.0e | accumulate-only beta %.0e "
                "| binary64 C-VF beta %.0e | C-VF error at beta %.0e |\n|---:|---:|---:|---:|---:|---:|---:|\n",
            a->beta_moderate, a->beta_smallest, a->beta_smallest, a->beta_moderate, a->beta_smallest);
    FILE *c = wopen(w, "angle_sweep.csv"), *d = wopen(w, "angle_sweep.dat");
    if (c) {
        fprintf(c, "requested_deg,achieved_mean_deg");
        for (size_t l = 1; l <= N1; l++) fprintf(c, ",achieved_B%zu_deg", l);
        fprintf(c, ",total_angle_cvf_beta_moderate,total_angle_cvf_beta_smallest,"
                   "total_angle_accumulate_beta_smallest,total_angle_binary64_beta_moderate,"
                   "cvf_error_beta_smallest\n");
    }
    for (size_t i = 0; i < a->n; i++) {
        double mean = 0;
        for (size_t l = 0; l < N1; l++) mean += a->achieved[i][l] / (double)N1;
        fprintf(md, "| %.4g | %.4f | %.4f | %.4f | %.4f | %.4f | %.3e |\n", a->angle[i], mean,
                a->tot_moderate[i], a->tot_smallest[i], a->tot_acc_smallest[i],
                a->tot_b64_moderate[i], a->err_smallest[i]);
        if (c) {
            fprintf(c, "%.17g,%.17g", a->angle[i], mean);
            for (size_t l = 0; l < N1; l++) fprintf(c, ",%.17g", a->achieved[i][l]);
            fprintf(c, ",%.17g,%.17g,%.17g,%.17g,%.17g\n", a->tot_moderate[i], a->tot_smallest[i],
                    a->tot_acc_smallest[i], a->tot_b64_moderate[i], a->err_smallest[i]);
        }
        if (d)
            fprintf(d, "%.17g %.17g %.17g %.17g %.17g %.17g\n", a->angle[i], mean, a->tot_moderate[i],
                    a->tot_smallest[i], a->tot_acc_smallest[i], a->tot_b64_moderate[i]);
    }
    fprintf(md, "\n");
    wclose(w, c, "angle_sweep.csv");
    wclose(w, d, "angle_sweep.dat");
    FILE *f = wopen(w, "angle_sweep.gp");
    if (f) {
        for (int svg = 0; svg < 2; svg++) {
            fprintf(f, svg ? "set terminal svg size 900,600 font 'sans,12'\nset output 'angle_sweep.svg'\n"
                           : "set terminal pngcairo size 900,600 font 'sans,11'\nset output 'angle_sweep.png'\n");
            fprintf(f, "set title 'C-VF (%s): weight symmetry against gradient quality'\n"
                       "set xlabel 'achieved angle between B and W^T (degrees)'\n"
                       "set ylabel 'angle between total C-VF update and -BPTT gradient (degrees)'\n"
                       "set grid\nset key top left box opaque\nset xrange [0:180]\nset yrange [0:*]\n"
                       "plot 'angle_sweep.dat' u 2:3 w lp pt 7 lc rgb '#1f77b4' t 'C-VF, beta %.0e (MPFR)', "
                       "'' u 2:4 w lp pt 5 lc rgb '#2ca02c' t 'C-VF, beta %.0e (MPFR)', "
                       "'' u 2:5 w lp pt 4 dt 2 lc rgb '#9467bd' t 'accumulate-only, beta %.0e (MPFR)', "
                       "'' u 2:6 w p pt 6 ps 1.5 lc rgb '#d62728' t 'C-VF, beta %.0e (binary64)'\n",
                    cep_model_name(sh->model), a->beta_moderate, a->beta_smallest, a->beta_smallest,
                    a->beta_moderate);
        }
        wclose(w, f, "angle_sweep.gp");
    }
}

static int run_gnuplot(const char *dir, int with_sweep)
{
    const char *scripts[] = {"err_vs_beta.gp", "err_per_step.gp", "gdd_moderate.gp", "gdd_smallest.gp",
                             "angle_sweep.gp"};
    return cep_gnuplot_run(dir, scripts, with_sweep ? 5u : 4u);
}

int cep_theorem_write(const cep_theorem_report *rep, const cep_theorem_config *cfg,
                      const char *dir, const char *cmdline, int *figures_made,
                      char *err, size_t errlen)
{
    writer w;
    memset(&w, 0, sizeof w);
    w.err = err;
    w.errlen = errlen;
    *figures_made = 0;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n > 3000) {
        snprintf(err, errlen, "%s: bad output directory name", dir);
        return -1;
    }
    char target[3100];
    memcpy(target, dir, n);
    target[n] = '\0';
    if (make_parents(target) != 0) {
        snprintf(err, errlen, "%s: cannot create its parent directories: %s", target, strerror(errno));
        return -1;
    }
    snprintf(w.dir, sizeof w.dir, "%s.tmp-XXXXXX", target);
    if (mkdtemp(w.dir) == NULL) {
        snprintf(err, errlen, "%s: cannot create a temporary directory beside it: %s", target,
                 strerror(errno));
        return -1;
    }
    chmod(w.dir, 0755);
    FILE *f = wopen(&w, "theorem.md");
    if (f) {
        cep_theorem_format(f, rep, cfg, cmdline, 1);
        fprintf(f, "## Files\n\n"
                   "- `sweep.csv`: every metric for every precision, mode, beta, step k and block\n"
                   "- `orders.csv`: observed orders of convergence; `angles.csv`: the total-update angle per beta; `first_phase.csv`: T, residuals, loss, asymmetry\n"
                   "- `gdd.csv`: the traces of figure 1; `summary.csv`: verdict and headline numbers\n"
                   "- `gdd_moderate.{png,svg}`, `gdd_smallest.{png,svg}`: Delta^C-EP(k) and -grad^BPTT(k) against k\n"
                   "- `err_vs_beta.{png,svg}`: error against beta, MPFR and binary64, with the O(beta) line\n"
                   "- `err_per_step.{png,svg}`: error per step k and block at the smallest beta\n"
                   "- `*.gp`, `*.dat`: the gnuplot scripts and data that drew them\n");
        if (cfg->angle_sweep) {
            fprintf(f, "- `angle_sweep.{csv,png,svg}`: the angle sweep below\n\n");
            write_angle_sweep(&w, f, cfg->angle_sweep, &cfg->shape);
        }
        wclose(&w, f, "theorem.md");
    }
    write_csvs(&w, rep);
    write_plot_data(&w, rep);
    write_scripts(&w, rep, cfg);
    if (w.failed) {
        remove_flat_dir(w.dir);
        return -1;
    }
    *figures_made = cep_stop_requested() ? 0 : run_gnuplot(w.dir, cfg->angle_sweep != NULL);
    if (cep_stop_requested()) { /* SIGINT/SIGTERM: keep the previous report, drop ours */
        snprintf(err, errlen, "%s: interrupted: the previous report is kept", target);
        remove_flat_dir(w.dir);
        return CEP_EINTR;
    }
    /* Swap the new directory in: exchanged with an existing report in one
     * step where the kernel can, so that DIR always names a complete report
     * (cep_dir_replace, vfile.h). */
    return cep_dir_replace(w.dir, target, err, errlen) == CEP_OK ? 0 : -1;
}
