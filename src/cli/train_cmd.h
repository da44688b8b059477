/* train_cmd.h -- the `cep train` subcommand. */
#ifndef CEP_CLI_TRAIN_CMD_H
#define CEP_CLI_TRAIN_CMD_H

int cmd_train(int argc, char **argv);

#endif
