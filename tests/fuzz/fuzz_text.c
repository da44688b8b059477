/* fuzz_text.c -- cep_text_read (src/apps/vfile.h, VF.RES: one number a
 * line) on arbitrary bytes.  The input is the whole file. */
#include "apps/vfile.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_dir_make("text");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], err[512];
    fuzz_write(path, sizeof path, "in.txt", data, size);
    cep_array a;
    if (cep_text_read(&a, path, err, sizeof err) == 0 && a.n > 0) {
        volatile double sink = a.data[0] + a.data[a.n - 1];
        (void)sink;
    }
    cep_array_free(&a);
    unlink(path);
    return 0;
}
