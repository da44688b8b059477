/* fuzz_cli.c -- the command-line parsers of the cep program.  cep has no
 * configuration file: its configuration is the command line (and the
 * presets of `cep train`, selected by --preset), so these are its only
 * configuration parsers.
 *
 *   byte 0   the command, % 6: run and theorem (cli_parse, src/cli/options.c),
 *            train (parse_options, static in src/cli/train_cmd.c, hence the
 *            #include below, llm.c-style), vectors, check, compute
 *            (vectors_parse, check_parse, compute_parse, src/cli/vectors_cmd.c)
 *   bytes 1.. the arguments after "cep <command>", split at '\n' and '\0'
 *            (at most 64), each in its own allocation so that ASan sees
 *            any read past its end
 *
 * Only the parsing runs: nothing is computed, read or written.  The parsers
 * print usage errors to stderr (and cep train --help its usage to stdout);
 * run with -close_fd_mask=3. */
#include "cli/options.h"
#include "cli/vectors_cmd.h"
#include "cli/train_cmd.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const cmds[6] = {"run", "theorem", "train", "vectors", "check", "compute"};
    unsigned cmd = data[0] % 6u;
    char *argv[MAX_ARGS + 3];
    int argc = 0;
    argv[argc++] = strdup("cep");
    argv[argc++] = strdup(cmds[cmd]);
    /* every separator ends an argument; a last one without a separator
     * counts when it is not empty ("a\nb\n" and "a\nb" are both a, b) */
    size_t start = 1;
    for (size_t i = 1; i <= size && argc < MAX_ARGS + 2; i++) {
        if (i < size ? data[i] != '\n' && data[i] != '\0' : i == start)
            continue;
        char *a = malloc(i - start + 1);
        if (a == NULL)
            break;
        memcpy(a, data + start, i - start);
        a[i - start] = '\0';
        argv[argc++] = a;
        start = i + 1;
    }
    argv[argc] = NULL;

    char err[512];
    switch (cmd) {
    case 0:
    case 1: {
        cli_command c = cmd == 0 ? CLI_RUN : CLI_THEOREM;
        cep_cli_opts o;
        cli_opts_default(&o, c);
        cli_parse(&o, c, argc, argv, 2, err, sizeof err);
        break;
    }
    case 2: {
        train_opts o;
        parse_options(&o, argc, argv);
        break;
    }
    case 3: {
        vectors_args a;
        vectors_parse(&a, argc, argv);
        break;
    }
    case 4: {
        check_args a;
        check_parse(&a, argc, argv);
        break;
    }
    default: {
        compute_args a;
        compute_parse(&a, argc, argv);
        break;
    }
    }
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return 0;
}
