/* fuzz_hex.c -- cep_hex_read (src/apps/vfile.h, VF.HEX) on arbitrary bytes.
 * Byte 0 chooses the format (% 3: binary64, binary32, bfloat16); the rest
 * is the $readmemh file. */
#include "apps/vfile.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_dir_make("hex");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const cep_fmt fmts[3] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    char path[512], err[512];
    fuzz_write(path, sizeof path, "in.hex", data + 1, size - 1);
    cep_array a;
    if (cep_hex_read(&a, path, fmts[data[0] % 3], err, sizeof err) == 0 && a.n > 0) {
        volatile double sink = a.data[0] + a.data[a.n - 1];
        (void)sink;
    }
    cep_array_free(&a);
    unlink(path);
    return 0;
}
