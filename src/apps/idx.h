/* idx.h -- reading the IDX files of MNIST and Fashion-MNIST.
 *
 * IDX (http://yann.lecun.com/exdb/mnist/) is big-endian: two zero bytes,
 * one element-type byte, one byte with the number of dimensions, one 32-bit
 * size per dimension, then the elements in row-major order.  Only unsigned
 * bytes (type 0x08) are accepted: it is the type of every MNIST and
 * Fashion-MNIST file, and refusing the other types (0x09 signed byte,
 * 0x0B short, 0x0C int, 0x0D float, 0x0E double) beats silently reading
 * multi-byte numbers as pixels.
 *
 * Files may be plain (the MNIST downloads once unpacked) or gzip-compressed
 * (Debian's dataset-fashion-mnist ships .gz); zlib reads both alike.
 *
 * Like the rest of the library, nothing here prints or exits: every call
 * returns 0 or a negative status and, on failure, writes one line naming
 * the file and the problem into the caller's err buffer (err may be NULL or
 * errlen 0 when the caller does not want the text). */
#ifndef CEP_IDX_H
#define CEP_IDX_H

#include <stddef.h>
#include "cep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the IDX reader, below -100 so that they never collide
 * with cep.h's.  CEP_ENOMEM and CEP_EARG keep their cep.h meaning (CEP_EARG
 * also when a path does not fit the caller's buffer). */
enum {
    CEP_EIDX_OPEN = -101,     /* the file cannot be opened (errno's text follows) */
    CEP_EIDX_READ = -102,     /* a read failed at the system level                 */
    CEP_EIDX_GZIP = -103,     /* gzip data that zlib cannot decompress             */
    CEP_EIDX_EMPTY = -104,    /* the file (after decompression) has no byte at all */
    CEP_EIDX_MAGIC = -105,    /* first bytes not 0, 0, 0x08 (unsigned bytes)       */
    CEP_EIDX_NDIMS = -106,    /* number of dimensions not in 1..CEP_IDX_MAX_DIMS   */
    CEP_EIDX_DIM = -107,      /* a dimension is 0                                  */
    CEP_EIDX_SIZE = -108,     /* the declared data exceed CEP_IDX_MAX_BYTES        */
    CEP_EIDX_TRUNC = -109,    /* the header or the data end early                  */
    CEP_EIDX_TRAILING = -110, /* bytes after the last declared item                */
    CEP_EIDX_NOTFOUND = -111, /* cep_idx_find: no candidate name exists            */
    CEP_EIDX_SHAPE = -112,    /* the files do not fit the network (nx, dimensions) */
    CEP_EIDX_LABEL = -113,    /* a label is not below the number of outputs ny     */
    CEP_EIDX_COUNT = -114     /* images and labels have different item counts      */
};

/* Limits, checked on the header before anything is allocated: the largest
 * real file (MNIST/Fashion-MNIST training images) has 47,040,000 data bytes,
 * so 2^31 leaves room for bigger IDX data sets while a corrupt header can
 * never make us allocate or read gigabytes, and every size fits a 32-bit
 * size_t and zlib's int-sized reads. */
#define CEP_IDX_MAX_DIMS 4
#define CEP_IDX_MAX_BYTES ((size_t)1 << 31)

typedef struct {
    unsigned n_dims;        /* 1..4                                              */
    size_t dims[4];         /* as declared in the header; dims[0] = number of items */
    size_t item_size;       /* product of dims[1..n_dims-1] (1 for labels)       */
    size_t n_items;         /* items actually loaded (<= dims[0])                */
    unsigned char *data;    /* n_items * item_size bytes, row-major              */
} cep_idx;

/* Text of a status: the IDX codes here, every other code by cep_strerror. */
const char *cep_idx_strerror(int status);

/* Load an IDX file, plain or gzip-compressed.  max_items = 0 loads every
 * item; otherwise at most max_items from the start, and reading stops there,
 * so that the first image of a 47 MB file costs one header and 784 bytes
 * (the flip side: the rest of the file, the gzip CRC included, is then not
 * checked).  When every item is loaded, bytes after the declared data are
 * an error (CEP_EIDX_TRAILING): a file longer than its header says is not
 * the file the header describes.
 * On failure *out is left empty (cep_idx_free on it is harmless) and err
 * holds "<path>: <what is wrong>". */
int cep_idx_load(cep_idx *out, const char *path, size_t max_items, char *err, size_t errlen);
/* Free the data and empty *idx; idx may be NULL or already empty. */
void cep_idx_free(cep_idx *idx);

/* Find a data set file in dir.  Tries, in order, "<stem>", "<stem>.gz",
 * then MNIST's other spelling with a dot before "idx" (stem
 * "train-images-idx3-ubyte" also finds "train-images.idx3-ubyte", and the
 * reverse) and its ".gz": the official MNIST archives, their unpacked form
 * and Debian's package all use one of these names.  dir "" means the
 * current directory.  Writes the first existing name into path (pathlen
 * bytes) and returns 0; otherwise CEP_EIDX_NOTFOUND with err naming the
 * directory and every name tried. */
int cep_idx_find(char *path, size_t pathlen, const char *dir, const char *stem, char *err,
                 size_t errlen);

/* A data set: the images file "<image_stem>" and the labels file
 * "<label_stem>" of dir (found by cep_idx_find), up to max_items each (0:
 * all), checked as a pair: images 3-dimensional with rows * cols == nx,
 * labels 1-dimensional, the same declared item count (CEP_EIDX_COUNT), every
 * loaded label < ny (CEP_EIDX_LABEL, naming the item).  On failure both are
 * left empty. */
int cep_idx_load_pair(cep_idx *img, cep_idx *lab, const char *dir, const char *image_stem,
                      const char *label_stem, size_t nx, size_t ny, size_t max_items, char *err,
                      size_t errlen);

/* The first example of the training set in dir, as a network's x and y:
 * image 0 of train-images-idx3-ubyte, pixel / 255 into x[0..nx-1] in file
 * order (requires a 3-dimensional file with rows * cols == nx), and label 0
 * of train-labels-idx1-ubyte as the one-hot y[0..ny-1] (requires a
 * 1-dimensional file and label < ny).  Both files must declare the same
 * number of items: otherwise they are not a pair.  Only the headers and
 * the first item are read.  x and y are written only on success. */
int cep_idx_first_example(double *x, size_t nx, double *y, size_t ny, const char *dir, char *err,
                          size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
