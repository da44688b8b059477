/* fuzz_idx.c -- the IDX reader (src/apps/idx.h), plain and gzip (zlib
 * reads both alike), on arbitrary bytes.
 *
 *   byte 0      max_items (0 = every item)
 *   byte 1      mode, & 3: 0 and 2 cep_idx_load of bytes 2..; 1
 *               cep_idx_load_pair (nx 4, ny 10); 3 cep_idx_first_example
 *               (nx 4, ny 10)
 *   bytes 2..3  pair modes: bytes 4.. are split at this offset (little-
 *               endian, modulo their length) into the images file
 *               train-images-idx3-ubyte and the labels file
 *               train-labels-idx1-ubyte */
#include "apps/idx.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NX 4
#define NY 10
#define IMAGES "train-images-idx3-ubyte"
#define LABELS "train-labels-idx1-ubyte"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_dir_make("idx");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_items = data[0];
    unsigned mode = data[1] & 3u;
    char path[512], lpath[512], err[512];
    if (mode == 0 || mode == 2) {
        fuzz_write(path, sizeof path, IMAGES, data + 2, size - 2);
        cep_idx x;
        if (cep_idx_load(&x, path, max_items, err, sizeof err) == 0 && x.n_items * x.item_size > 0) {
            volatile unsigned char sink = x.data[x.n_items * x.item_size - 1];
            (void)sink;
        }
        cep_idx_free(&x);
        unlink(path);
        return 0;
    }
    if (size < 4)
        return 0;
    size_t rest = size - 4;
    size_t cut = rest ? ((size_t)data[2] | (size_t)data[3] << 8) % (rest + 1) : 0;
    fuzz_write(path, sizeof path, IMAGES, data + 4, cut);
    fuzz_write(lpath, sizeof lpath, LABELS, data + 4 + cut, rest - cut);
    if (mode == 1) {
        cep_idx img, lab;
        if (cep_idx_load_pair(&img, &lab, fuzz_dir, IMAGES, LABELS, NX, NY, max_items, err,
                              sizeof err) == 0 && lab.n_items > 0) {
            volatile unsigned char sink = lab.data[lab.n_items - 1];
            (void)sink;
        }
        cep_idx_free(&img);
        cep_idx_free(&lab);
    } else {
        double x[NX], y[NY];
        cep_idx_first_example(x, NX, y, NY, fuzz_dir, err, sizeof err);
    }
    unlink(path);
    unlink(lpath);
    return 0;
}
