/* run.c -- `cep run` in both precisions and its report (spec/model.md §8). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "apps/metrics_source.c"
#include "apps/run_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "apps/metrics_source.c"
#include "apps/run_source.c"
#include "scalar/template_off.h"

void cep_run_report_free(cep_run_report *rep)
{
    if (rep == NULL)
        return;
    free(rep->ds_norm);
    free(rep->gs_norm);
    free(rep->rel_s);
    free(rep->dth_norm);
    free(rep->gth_norm);
    free(rep->rel_th);
    free(rep->abs_s);
    free(rep->abs_th);
    memset(rep, 0, sizeof *rep);
}

int cep_run(cep_run_report *rep, const cep_run_config *cfg)
{
    if (rep == NULL || cfg == NULL)
        return CEP_EARG;
    memset(rep, 0, sizeof *rep);
    int st = cep_check_horizon(cfg->T, cfg->K);
    if (st == CEP_OK) st = cep_check_beta(cfg->beta);
    if (st == CEP_OK) st = cep_check_eta(1, &cfg->eta);
    if (st == CEP_OK && cfg->use_mpfr &&
        (cfg->ctx.prec < CEP_PREC_MIN || cfg->ctx.prec > MPFR_PREC_MAX))
        st = CEP_EPREC;
    if (st != CEP_OK)
        return st;
    const cep_shape *sh = &cfg->shape;
    /* Every array below is at most (T+1)*S or K*P entries: refuse products
     * that overflow before anything is allocated. */
    if (cfg->T + 1 > SIZE_MAX / sh->S || (sh->P != 0 && cfg->K > SIZE_MAX / sh->P))
        return CEP_EOVERFLOW;
    size_t K = cfg->K;
    rep->K = K;
    rep->ds_norm = calloc(K, sizeof(double));
    rep->gs_norm = calloc(K, sizeof(double));
    rep->rel_s = calloc(K, sizeof(double));
    rep->dth_norm = calloc(K, sizeof(double));
    rep->gth_norm = calloc(K, sizeof(double));
    rep->rel_th = calloc(K, sizeof(double));
    rep->abs_s = calloc(K, 1);
    rep->abs_th = calloc(K, 1);
    if (!rep->ds_norm || !rep->gs_norm || !rep->rel_s || !rep->dth_norm || !rep->gth_norm ||
        !rep->rel_th || !rep->abs_s || !rep->abs_th) {
        cep_run_report_free(rep);
        return CEP_ENOMEM;
    }
    st = cfg->use_mpfr ? run_mp(rep, cfg) : run_d(rep, cfg);
    if (st != CEP_OK) {
        const char *failed = rep->failed;
        cep_run_report_free(rep);
        rep->failed = failed;
    } else {
        rep->failed = NULL;
    }
    return st;
}
