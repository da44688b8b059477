/* fuzz_checkpoint.c -- cep_ckpt_read (src/apps/checkpoint.h) on arbitrary
 * bytes.  Byte 0 is a control byte, bytes 1.. the file.  The file ends with
 * a CRC-32 of every byte before it, which a fuzzer would almost never get
 * right: when byte 0 is odd, the harness recomputes it (zlib's crc32) and
 * patches the last 4 bytes, so that mutations reach the field checks; when
 * it is even the file is read as given (the CRC check itself is fuzzed). */
#include <zlib.h>
#include "apps/checkpoint.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_dir_make("checkpoint");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = size - 1;
    uint8_t *file = malloc(n ? n : 1);
    if (file == NULL)
        return 0;
    memcpy(file, data + 1, n);
    if ((data[0] & 1) && n >= 4) {
        uint32_t c = (uint32_t)crc32(0L, file, (uInt)(n - 4));
        for (int k = 0; k < 4; k++)
            file[n - 4 + (size_t)k] = (uint8_t)(c >> (8 * k));   /* little-endian */
    }
    char path[512], err[512];
    fuzz_write(path, sizeof path, "in.ckpt", file, n);
    free(file);
    cep_checkpoint ck;
    if (cep_ckpt_read(&ck, path, err, sizeof err) == 0 && ck.P > 0) {
        volatile double sink = ck.theta[ck.P - 1];
        (void)sink;
    }
    cep_ckpt_free(&ck);
    unlink(path);
    return 0;
}
