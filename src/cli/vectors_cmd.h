/* vectors_cmd.h -- the `cep vectors` and `cep check` subcommands. */
#ifndef CEP_CLI_VECTORS_CMD_H
#define CEP_CLI_VECTORS_CMD_H

int cmd_vectors(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compute(int argc, char **argv);

#endif
