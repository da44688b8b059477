/* status.c -- human-readable names of the status codes of cep.h. */
#include <signal.h>
#include <string.h>
#include "cep.h"

const char *cep_strerror(int status)
{
    switch (status) {
    case CEP_OK: return "success";
    case CEP_ENOMEM: return "out of memory";
    case CEP_EOVERFLOW: return "a size product overflows size_t";
    case CEP_ELAYERS: return "need between 2 and 17 layer sizes (input, ..., output)";
    case CEP_ESIZE: return "a layer size is 0 or larger than 1048576";
    case CEP_EPARAMS: return "more than 2^28 parameters";
    case CEP_EHORIZON: return "need T >= K >= 1 and T <= 2^24";
    case CEP_EBETA: return "beta must be finite and non-zero";
    case CEP_EETA: return "learning rates must be finite and >= 0";
    case CEP_EEPS: return "eps must be in (0, 1]";
    case CEP_ENONFINITE: return "an input (x, y, theta or state) is NaN or infinite";
    case CEP_EPREC: return "precision must be between 2 and MPFR_PREC_MAX bits";
    case CEP_EMODEL: return "unknown model (energy, prototypical)";
    case CEP_EACT: return "unknown activation (tanh, sigmoid4, hardsigmoid, identity)";
    case CEP_EDIVERGED: return "the dynamics diverged: a state or update became NaN or infinite";
    case CEP_EARG: return "a required argument is missing (NULL)";
    case CEP_ENOTCONVERGED: return "the first phase did not converge within the step limit";
    case CEP_ENOTDIFF: return "the activation is not differentiable (hardsigmoid has kinks at 0 and 1): Theorem 1 needs a differentiable rho";
    case CEP_ESWEEP: return "bad sweep: need beta_from >= beta_to > 0, at most 128 points, eta scale > 0";
    case CEP_EINTR: return "stopped on request (SIGINT or SIGTERM)";
    default: return "unknown status";
    }
}

/* ---- stop requests (cep.h) ---------------------------------------------------- */
static volatile sig_atomic_t stop_sig;
static struct sigaction old_int, old_term;
static int installed;

void cep_request_stop(int sig) { stop_sig = sig > 0 ? sig : 1; }
int cep_stop_requested(void) { return (int)stop_sig; }
void cep_clear_stop(void) { stop_sig = 0; }

static void on_stop_signal(int sig) { stop_sig = sig; }

int cep_stop_on_signals(int on)
{
    if (on && !installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        if (sigaction(SIGINT, &sa, &old_int) != 0 || sigaction(SIGTERM, &sa, &old_term) != 0)
            return CEP_EARG;
        installed = 1;
    } else if (!on && installed) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        installed = 0;
    }
    return CEP_OK;
}
