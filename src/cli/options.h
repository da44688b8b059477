/* options.h -- command-line parsing for the cep program (no algorithm logic). */
#ifndef CEP_CLI_OPTIONS_H
#define CEP_CLI_OPTIONS_H

#include <stddef.h>
#include "cep.h"

typedef struct {
    cep_model model;
    cep_activation act;
    size_t sizes[CEP_MAX_LAYERS + 1];
    size_t n_sizes;
    double eps;
    size_t T, K;
    double beta, eta;
    uint64_t seed;
    int use_mpfr;
    long prec;
    int help;
} cep_cli_opts;

/* Defaults of `cep run`. */
void cli_opts_default(cep_cli_opts *o);
/* Parse argv[first..argc-1].  On error, writes one line naming the option and
 * the value into err (size errlen) and returns -1. */
int cli_parse(cep_cli_opts *o, int argc, char **argv, int first, char *err, size_t errlen);

#endif
