/* vectors_cmd.h -- the `cep vectors`, `cep check` and `cep compute`
 * subcommands.  Each is a parse (the options struct filled from argv, usage
 * errors printed to stderr, nothing run) and a run; the parsers are public
 * for tests/fuzz/fuzz_cli.c. */
#ifndef CEP_CLI_VECTORS_CMD_H
#define CEP_CLI_VECTORS_CMD_H

#include "apps/vectors.h"

#define CLI_MAX_PATTERNS 64

typedef struct {
    cep_vgen_opts o;
    int help;                  /* --help seen: print the usage, run nothing */
} vectors_args;
typedef struct {
    cep_vcheck_opts o;         /* o.cases, o.quantities point into this struct */
    const char *cases[CLI_MAX_PATTERNS], *quantities[CLI_MAX_PATTERNS];
    int help;
} check_args;
typedef struct {
    cep_vrun_opts o;           /* o.cases points into this struct */
    const char *cases[CLI_MAX_PATTERNS];
    int help;
} compute_args;

/* Parse argv[2..argc-1] (argv[0] "cep", argv[1] the command): 0, or 2 after
 * one line on stderr naming the bad argument.  --case/--quantity lists are
 * split in place (the argv strings are modified).  The pointers in the
 * struct point into argv. */
int vectors_parse(vectors_args *a, int argc, char **argv);
int check_parse(check_args *a, int argc, char **argv);
int compute_parse(compute_args *a, int argc, char **argv);

int cmd_vectors(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compute(int argc, char **argv);

#endif
