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
    long prec;             /* MPFR bits; 0 = automatic (theorem) */
    int help;
    /* cep theorem */
    double beta_from, beta_to;
    unsigned decades;
    double eta_scale;
    const char *data_dir;  /* NULL: x, y from the seed */
    const char *out_dir;
    size_t T_max;
    double gdd_beta;
    /* VF models */
    double angle;          /* --angle, degrees (INIT.3) */
    int angle_given;
    size_t n_angles;       /* --angle-sweep: 0 when not given */
    double angles[181];
} cep_cli_opts;

typedef enum { CLI_RUN = 1, CLI_THEOREM = 2 } cli_command;

/* Defaults of a command. */
void cli_opts_default(cep_cli_opts *o, cli_command cmd);
/* Parse argv[first..argc-1] for cmd.  On error, writes one line naming the
 * option and the value into err (size errlen) and returns -1. */
int cli_parse(cep_cli_opts *o, cli_command cmd, int argc, char **argv, int first, char *err,
              size_t errlen);

/* The parsers behind cli_parse, for the other subcommands: 0 or -1.
 * u64: decimal digits only, <= max; double: strtod syntax, finite, whole
 * string; sizes: "n0,n1,..", 2..CEP_MAX_LAYERS+1 sizes in 1..CEP_MAX_LAYER_SIZE. */
int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);
int cli_parse_double(const char *s, double *out);
int cli_parse_sizes(size_t *sizes, size_t *n, const char *s);

#endif
