/* scope.c -- install and restore MPFR's exponent range around one public
 * call (spec/model.md §0).  MPFR keeps emin/emax in (thread-local) global
 * state; a computation that emulates an IEEE format needs its own range, and
 * must leave the caller's range exactly as it found it. */
#include "internal.h"

void cep_scope_enter_d(cep_scope *scope, const cep_ctx *ctx)
{
    (void)ctx;
    scope->active = 0;
}

void cep_scope_leave_d(cep_scope *scope)
{
    (void)scope;
}

void cep_scope_enter_mp(cep_scope *scope, const cep_ctx *ctx)
{
    scope->active = ctx->emulate;
    if (!scope->active)
        return;
    scope->emin = mpfr_get_emin();
    scope->emax = mpfr_get_emax();
    /* Widen first so that setting either bound can never fail. */
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    mpfr_set_emin((mpfr_exp_t)ctx->emin);
    mpfr_set_emax((mpfr_exp_t)ctx->emax);
}

void cep_scope_leave_mp(cep_scope *scope)
{
    if (!scope->active)
        return;
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    mpfr_set_emin(scope->emin);
    mpfr_set_emax(scope->emax);
}
