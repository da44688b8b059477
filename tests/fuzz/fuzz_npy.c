/* fuzz_npy.c -- cep_npy_read (src/apps/vfile.h, VF.NPY) on arbitrary bytes.
 * The input is the whole .npy file. */
#include "apps/vfile.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_dir_make("npy");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], err[512];
    fuzz_write(path, sizeof path, "in.npy", data, size);
    cep_array a;
    if (cep_npy_read(&a, path, err, sizeof err) == 0 && a.n > 0) {
        volatile double sink = a.data[0] + a.data[a.n - 1];   /* touch both ends */
        (void)sink;
    }
    cep_array_free(&a);
    unlink(path);
    return 0;
}
