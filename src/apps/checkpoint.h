/* checkpoint.h -- the training checkpoint file of `cep train` (spec/train.md §5).
 *
 * A checkpoint is everything `cep train --resume` needs to continue a run
 * bit for bit: the network, the hyper-parameters, the position in the run
 * (epochs done), the state of the run's random generator, the parameters
 * theta and the per-epoch history that the CSV file and the figure show.
 *
 * Format (version 1), all integers little-endian, every real a binary64
 * bit pattern stored as a little-endian uint64 (independent of the host's
 * byte order):
 *
 *   bytes 0..7    magic "CEPCKPT1"
 *   u32           format version (1)
 *   u32           header length H in bytes (from the next byte to the end of
 *                 the header fields below; lets a reader skip fields it does
 *                 not know in a later minor revision -- version 1 readers
 *                 require exactly the version-1 length)
 *   header fields (in this order):
 *     u32 model, u32 activation, u32 algorithm, u32 n_layers (N, 1..16)
 *     u64 size[0..N]                 (n_0 .. n_N)
 *     f64 eps, f64 beta, f64 randbeta, f64 angle_deg
 *     u64 T, u64 K, u64 batch, u64 seed, u64 epochs_done, u64 P
 *     f64 eta[0..N-1]                (per-layer rates, eta[n-1] for W_n, b_n)
 *     u64 rng[4]                     (the run's xoshiro256** state)
 *     u64 n_history                  (rows, == epochs_done)
 *   f64 theta[P]
 *   n_history rows of 6 f64: epoch, train_loss, train_error, test_loss,
 *                            test_error, seconds
 *   u32           CRC-32 (zlib's crc32) of every preceding byte
 *
 * The reader validates everything before it trusts anything: magic,
 * version, header length, N in 1..CEP_MAX_LAYERS, every size in
 * 1..CEP_MAX_LAYER_SIZE, P == the parameter count cep_shape_init computes
 * for (model, activation, sizes), n_history == epochs_done <= 10^6, the
 * file length == the length these fields imply (read the whole file,
 * refuse more than 2^31 bytes before allocating), the CRC, and that every
 * real of theta and of the history is finite.  A failure returns a
 * negative status and writes "<path>: <what is wrong, naming the field>"
 * into err.
 *
 * Writing goes through cep_bytes_write_atomic (vfile.h): a temporary file
 * renamed over the target, never a half-written checkpoint. */
#ifndef CEP_CHECKPOINT_H
#define CEP_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "cep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the checkpoint reader, below -400: idx.h has -1xx,
 * vfile.h -2xx (cep_ckpt_write passes cep_bytes_write_atomic's on), and
 * vectors.h -3xx, so every code names one failure. */
enum {
    CEP_ECKPT_OPEN = -401,    /* cannot open or read the file (errno's text follows) */
    CEP_ECKPT_FORMAT = -402,  /* bad magic, version, header length or field value    */
    CEP_ECKPT_TRUNC = -403,   /* the file is shorter or longer than its fields imply */
    CEP_ECKPT_CRC = -404,     /* the checksum does not match                         */
    CEP_ECKPT_NONFINITE = -405 /* a NaN or an infinity in theta or the history       */
};

#define CEP_CKPT_HISTORY_COLS 6
#define CEP_CKPT_MAX_EPOCHS 1000000u

typedef struct {
    uint32_t model, activation, algorithm, n_layers;
    uint64_t size[CEP_MAX_LAYERS + 1];
    double eps, beta, randbeta, angle_deg;
    uint64_t T, K, batch, seed, epochs_done, P;
    double eta[CEP_MAX_LAYERS];
    uint64_t rng[4];
    double *theta;            /* P values, owned (malloc)                         */
    uint64_t n_history;
    double *history;          /* n_history * CEP_CKPT_HISTORY_COLS values, owned  */
} cep_checkpoint;

const char *cep_ckpt_strerror(int status);

/* Write ck to path atomically.  CEP_EARG on an inconsistent ck (n_layers out
 * of range, NULL theta with P > 0, n_history != epochs_done, or any other
 * field the reader would refuse), CEP_ENONFINITE on a NaN or an infinity in
 * theta or the history: a file the reader refuses is never written.  I/O
 * failures return vfile.h's codes. */
int cep_ckpt_write(const char *path, const cep_checkpoint *ck, char *err, size_t errlen);
/* Read and validate path into *out (theta and history malloc'd); on failure
 * *out is left empty (cep_ckpt_free on it is harmless). */
int cep_ckpt_read(cep_checkpoint *out, const char *path, char *err, size_t errlen);
void cep_ckpt_free(cep_checkpoint *ck);

#ifdef __cplusplus
}
#endif
#endif
