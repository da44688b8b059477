/* checkpoint.c -- the training checkpoint file of checkpoint.h.
 *
 * One walker per part of the file (ck_head, ck_rest, ck_arrays) serves both
 * directions: the writer and the reader visit the same fields in the same
 * order through the same byte-by-byte little-endian coders, so the two
 * cannot disagree on the layout.  The reader reads the whole file (at most
 * 2^31 bytes, checked before allocating), walks it with a bounds-checked
 * cursor, validates every field (ck_check, shared with the writer), the
 * length the fields imply and the CRC before it allocates theta and the
 * history, and leaves *out zeroed on any failure. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "apps/checkpoint.h"
#include "apps/vfile.h"
#include "util/errtext.h"

#define CK_MAGIC "CEPCKPT1"
#define CK_MAGIC_LEN 8
#define CK_VERSION 1u
#define CK_MAX_FILE ((uint64_t)1 << 31)
/* Bytes before the header fields: magic, version, header length. */
#define CK_PREFIX (CK_MAGIC_LEN + 4 + 4)

/* Version-1 header length: 4 u32, N+1 sizes, 4 f64, 6 u64, N etas, 4 rng
 * words and n_history = 16 + 8(N+1) + 32 + 48 + 8N + 32 + 8 = 144 + 16N. */
static uint64_t ck_header_len(uint64_t N) { return 144 + 16 * N; }

/* Length of the whole file the fields imply (P <= 2^28, n_history <= 10^6:
 * no overflow in uint64_t). */
static uint64_t ck_file_len(const cep_checkpoint *ck)
{
    return CK_PREFIX + ck_header_len(ck->n_layers) + 8 * ck->P
         + 8 * CEP_CKPT_HISTORY_COLS * ck->n_history + 4;
}

static const char *const ck_hist_col[CEP_CKPT_HISTORY_COLS] = {
    "epoch", "train_loss", "train_error", "test_loss", "test_error", "seconds"};

const char *cep_ckpt_strerror(int status)
{
    switch (status) {
    case CEP_ECKPT_OPEN: return "a checkpoint file cannot be opened or read";
    case CEP_ECKPT_FORMAT: return "a checkpoint file has a bad magic, version, header length or field";
    case CEP_ECKPT_TRUNC: return "a checkpoint file is shorter or longer than its fields imply";
    case CEP_ECKPT_CRC: return "a checkpoint file's checksum does not match";
    case CEP_ECKPT_NONFINITE: return "a checkpoint file holds a NaN or an infinity";
    default:
        if (status <= -200 && status > -300)
            return cep_vf_strerror(status);   /* the writer's I/O failures */
        return cep_strerror(status);
    }
}

/* ---- the cursor and the walkers ------------------------------------------ */

/* In read mode a field past the end reads as 0; `at` advances regardless,
 * so after a walk at > n means truncated and at is the length needed. */
typedef struct {
    unsigned char *p;
    size_t n, at;
    int write;
} cursor;

static void io_u(cursor *c, uint64_t *v, unsigned k)
{
    if (c->at <= c->n && k <= c->n - c->at) {
        unsigned char *b = c->p + c->at;
        if (c->write) {
            for (unsigned i = 0; i < k; i++)
                b[i] = (unsigned char)(*v >> (8 * i));
        } else {
            uint64_t x = 0;
            for (unsigned i = 0; i < k; i++)
                x |= (uint64_t)b[i] << (8 * i);
            *v = x;
        }
    } else if (!c->write) {
        *v = 0;
    }
    c->at += k;
}

/* Writing only reads *v (theta and the history may be the caller's). */
static void io_u32(cursor *c, uint32_t *v)
{
    uint64_t t = *v;
    io_u(c, &t, 4);
    if (!c->write)
        *v = (uint32_t)t;
}

static void io_u64(cursor *c, uint64_t *v) { io_u(c, v, 8); }

static void io_f64(cursor *c, double *d)
{
    uint64_t t;
    memcpy(&t, d, sizeof t);
    io_u(c, &t, 8);
    if (!c->write)
        memcpy(d, &t, sizeof t);
}

/* The first four header fields: model, activation, algorithm, N. */
static void ck_head(cursor *c, cep_checkpoint *ck)
{
    io_u32(c, &ck->model);
    io_u32(c, &ck->activation);
    io_u32(c, &ck->algorithm);
    io_u32(c, &ck->n_layers);
}

/* The rest of the header; requires 1 <= N <= CEP_MAX_LAYERS. */
static void ck_rest(cursor *c, cep_checkpoint *ck)
{
    for (uint32_t l = 0; l <= ck->n_layers; l++)
        io_u64(c, &ck->size[l]);
    io_f64(c, &ck->eps);
    io_f64(c, &ck->beta);
    io_f64(c, &ck->randbeta);
    io_f64(c, &ck->angle_deg);
    io_u64(c, &ck->T);
    io_u64(c, &ck->K);
    io_u64(c, &ck->batch);
    io_u64(c, &ck->seed);
    io_u64(c, &ck->epochs_done);
    io_u64(c, &ck->P);
    for (uint32_t l = 0; l < ck->n_layers; l++)
        io_f64(c, &ck->eta[l]);
    for (int i = 0; i < 4; i++)
        io_u64(c, &ck->rng[i]);
    io_u64(c, &ck->n_history);
}

static void ck_arrays(cursor *c, cep_checkpoint *ck)
{
    for (uint64_t i = 0; i < ck->P; i++)
        io_f64(c, &ck->theta[i]);
    for (uint64_t i = 0; i < ck->n_history * CEP_CKPT_HISTORY_COLS; i++)
        io_f64(c, &ck->history[i]);
}

/* ---- validation shared by the writer and the reader ---------------------- */

/* 0 when the header fields are consistent, else 1 and the message. */
static int ck_check(const cep_checkpoint *ck, const char *path, char *err, size_t errlen)
{
    if (ck->n_layers < 1 || ck->n_layers > CEP_MAX_LAYERS) {
        cep_errf(err, errlen, "%s: field n_layers = %lu is outside 1..%d", path,
                 (unsigned long)ck->n_layers, CEP_MAX_LAYERS);
        return 1;
    }
    size_t sizes[CEP_MAX_LAYERS + 1];
    for (uint32_t l = 0; l <= ck->n_layers; l++) {
        if (ck->size[l] < 1 || ck->size[l] > CEP_MAX_LAYER_SIZE) {
            cep_errf(err, errlen, "%s: field size[%lu] = %llu is outside 1..%zu", path,
                     (unsigned long)l, (unsigned long long)ck->size[l], CEP_MAX_LAYER_SIZE);
            return 1;
        }
        sizes[l] = (size_t)ck->size[l];
    }
    cep_shape sh;
    int st = cep_shape_init(&sh, (cep_model)ck->model, (cep_activation)ck->activation, ck->eps,
                            (size_t)ck->n_layers + 1, sizes);
    if (st == CEP_EMODEL)
        cep_errf(err, errlen, "%s: field model = %lu is not a known model", path,
                 (unsigned long)ck->model);
    else if (st == CEP_EACT)
        cep_errf(err, errlen, "%s: field activation = %lu is not a known activation", path,
                 (unsigned long)ck->activation);
    else if (st == CEP_EEPS)
        cep_errf(err, errlen, "%s: field eps = %.17g is outside (0, 1]", path, ck->eps);
    else if (st != CEP_OK)
        cep_errf(err, errlen, "%s: fields size[0..%lu] are refused: %s", path,
                 (unsigned long)ck->n_layers, cep_strerror(st));
    else if (ck->P != sh.P)
        cep_errf(err, errlen, "%s: field P = %llu differs from the %zu parameters of the "
                 "shape (model %s, activation %s, sizes)", path, (unsigned long long)ck->P,
                 sh.P, cep_model_name((cep_model)ck->model),
                 cep_activation_name((cep_activation)ck->activation));
    else if (ck->epochs_done > CEP_CKPT_MAX_EPOCHS)
        cep_errf(err, errlen, "%s: field epochs_done = %llu is above %u", path,
                 (unsigned long long)ck->epochs_done, CEP_CKPT_MAX_EPOCHS);
    else if (ck->n_history != ck->epochs_done)
        cep_errf(err, errlen, "%s: field n_history = %llu differs from epochs_done = %llu", path,
                 (unsigned long long)ck->n_history, (unsigned long long)ck->epochs_done);
    else if (ck_file_len(ck) > CK_MAX_FILE)
        cep_errf(err, errlen, "%s: fields P = %llu and n_history = %llu imply %llu bytes, more "
                 "than the 2^31 a checkpoint may have", path, (unsigned long long)ck->P,
                 (unsigned long long)ck->n_history, (unsigned long long)ck_file_len(ck));
    else
        return 0;
    return 1;
}

/* 0 when theta and the history are finite, else 1 and the message. */
static int ck_check_finite(const cep_checkpoint *ck, const char *path, char *err, size_t errlen)
{
    for (uint64_t i = 0; i < ck->P; i++)
        if (!isfinite(ck->theta[i])) {
            cep_errf(err, errlen, "%s: theta[%llu] is not finite (%g)", path,
                     (unsigned long long)i, ck->theta[i]);
            return 1;
        }
    for (uint64_t i = 0; i < ck->n_history * CEP_CKPT_HISTORY_COLS; i++)
        if (!isfinite(ck->history[i])) {
            cep_errf(err, errlen, "%s: history[%llu].%s is not finite (%g)", path,
                     (unsigned long long)(i / CEP_CKPT_HISTORY_COLS),
                     ck_hist_col[i % CEP_CKPT_HISTORY_COLS], ck->history[i]);
            return 1;
        }
    return 0;
}

/* ---- writing --------------------------------------------------------------- */

int cep_ckpt_write(const char *path, const cep_checkpoint *ck, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (path == NULL || ck == NULL) {
        cep_errf(err, errlen, "cep_ckpt_write: %s is NULL", path == NULL ? "path" : "ck");
        return CEP_EARG;
    }
    if (ck_check(ck, path, err, errlen))
        return CEP_EARG;
    if ((ck->theta == NULL && ck->P > 0) || (ck->history == NULL && ck->n_history > 0)) {
        cep_errf(err, errlen, "%s: %s is NULL with %s = %llu", path,
                 ck->theta == NULL ? "theta" : "history", ck->theta == NULL ? "P" : "n_history",
                 (unsigned long long)(ck->theta == NULL ? ck->P : ck->n_history));
        return CEP_EARG;
    }
    if (ck_check_finite(ck, path, err, errlen))
        return CEP_ENONFINITE;
    size_t n = (size_t)ck_file_len(ck);   /* <= 2^31 by ck_check */
    unsigned char *buf = malloc(n);
    if (buf == NULL) {
        cep_errf(err, errlen, "%s: out of memory for %zu bytes", path, n);
        return CEP_ENOMEM;
    }
    cep_checkpoint fields = *ck;          /* the walkers only read it here */
    cursor c = {buf, n, CK_MAGIC_LEN, 1};
    memcpy(buf, CK_MAGIC, CK_MAGIC_LEN);
    uint32_t version = CK_VERSION, hlen = (uint32_t)ck_header_len(ck->n_layers);
    io_u32(&c, &version);
    io_u32(&c, &hlen);
    ck_head(&c, &fields);
    ck_rest(&c, &fields);
    ck_arrays(&c, &fields);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(n - 4));
    io_u32(&c, &crc);
    int st = cep_bytes_write_atomic(path, buf, n, err, errlen);
    free(buf);
    return st;
}

/* ---- reading --------------------------------------------------------------- */

/* The whole file into *buf (malloc'd), refusing more than 2^31 bytes first. */
static int ck_slurp(unsigned char **buf, size_t *n, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cep_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return CEP_ECKPT_OPEN;
    }
    struct stat sb;
    int st = CEP_OK;
    if (fstat(fileno(f), &sb) != 0) {
        cep_errf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        st = CEP_ECKPT_OPEN;
    } else if (!S_ISREG(sb.st_mode)) {
        cep_errf(err, errlen, "%s: not a regular file", path);
        st = CEP_ECKPT_OPEN;
    } else if ((uint64_t)sb.st_size > CK_MAX_FILE) {
        cep_errf(err, errlen, "%s: %lld bytes, longer than the 2^31 a checkpoint may have", path,
                 (long long)sb.st_size);
        st = CEP_ECKPT_TRUNC;
    } else {
        *n = (size_t)sb.st_size;
        *buf = malloc(*n > 0 ? *n : 1);
        if (*buf == NULL) {
            cep_errf(err, errlen, "%s: out of memory for %zu bytes", path, *n);
            st = CEP_ENOMEM;
        } else if (fread(*buf, 1, *n, f) != *n) {
            cep_errf(err, errlen, "%s: read error: %s", path,
                     ferror(f) ? strerror(errno) : "the file shrank while it was read");
            st = CEP_ECKPT_OPEN;
            free(*buf);
            *buf = NULL;
        }
    }
    fclose(f);
    return st;
}

/* whole: want is the length of the file the fields imply, else the bytes
 * the header needs so far. */
static int ck_truncated(size_t n, uint64_t want, int whole, const char *path, char *err,
                        size_t errlen)
{
    if (n < want)
        cep_errf(err, errlen, "%s: truncated: %zu bytes, %s %llu", path, n,
                 whole ? "the fields imply" : "the header needs at least",
                 (unsigned long long)want);
    else
        cep_errf(err, errlen, "%s: %zu bytes, longer than the %llu the fields imply", path, n,
                 (unsigned long long)want);
    return CEP_ECKPT_TRUNC;
}

/* Parse buf[0..n-1] into *ck (zeroed on entry); on failure *ck stays
 * zeroed with nothing allocated. */
static int ck_parse(cep_checkpoint *ck, unsigned char *buf, size_t n, const char *path,
                    char *err, size_t errlen)
{
    if (memcmp(buf, CK_MAGIC, n < CK_MAGIC_LEN ? n : CK_MAGIC_LEN) != 0) {
        cep_errf(err, errlen, "%s: bad magic (not a " CK_MAGIC " checkpoint)", path);
        return CEP_ECKPT_FORMAT;
    }
    cep_checkpoint f;
    memset(&f, 0, sizeof f);
    cursor c = {buf, n, CK_MAGIC_LEN, 0};
    uint32_t version = 0, hlen = 0;
    io_u32(&c, &version);
    io_u32(&c, &hlen);
    ck_head(&c, &f);
    if (c.at > n)
        return ck_truncated(n, c.at, 0, path, err, errlen);
    if (version != CK_VERSION) {
        cep_errf(err, errlen, "%s: field version = %lu is not %u", path, (unsigned long)version,
                 CK_VERSION);
        return CEP_ECKPT_FORMAT;
    }
    if ((f.n_layers < 1 || f.n_layers > CEP_MAX_LAYERS) && ck_check(&f, path, err, errlen))
        return CEP_ECKPT_FORMAT;
    if (hlen != ck_header_len(f.n_layers)) {
        cep_errf(err, errlen, "%s: field header_length = %lu is not %llu, the version-1 length "
                 "for n_layers = %lu", path, (unsigned long)hlen,
                 (unsigned long long)ck_header_len(f.n_layers), (unsigned long)f.n_layers);
        return CEP_ECKPT_FORMAT;
    }
    ck_rest(&c, &f);
    if (c.at > n)
        return ck_truncated(n, c.at, 0, path, err, errlen);
    if (ck_check(&f, path, err, errlen))
        return CEP_ECKPT_FORMAT;
    if (ck_file_len(&f) != n)
        return ck_truncated(n, ck_file_len(&f), 1, path, err, errlen);
    uint32_t stored = 0, computed = (uint32_t)crc32(0L, buf, (uInt)(n - 4));
    cursor tail = {buf, n, n - 4, 0};
    io_u32(&tail, &stored);
    if (stored != computed) {
        cep_errf(err, errlen, "%s: checksum mismatch (stored 0x%08lx, computed 0x%08lx)", path,
                 (unsigned long)stored, (unsigned long)computed);
        return CEP_ECKPT_CRC;
    }
    size_t nh = (size_t)f.n_history * CEP_CKPT_HISTORY_COLS;
    f.theta = malloc((size_t)f.P * sizeof *f.theta);   /* P >= 1 for every shape */
    f.history = nh > 0 ? malloc(nh * sizeof *f.history) : NULL;
    if (f.theta == NULL || (nh > 0 && f.history == NULL)) {
        cep_errf(err, errlen, "%s: out of memory for theta and the history", path);
        cep_ckpt_free(&f);
        return CEP_ENOMEM;
    }
    ck_arrays(&c, &f);
    if (ck_check_finite(&f, path, err, errlen)) {
        cep_ckpt_free(&f);
        return CEP_ECKPT_NONFINITE;
    }
    *ck = f;
    return CEP_OK;
}

int cep_ckpt_read(cep_checkpoint *out, const char *path, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (out == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_ckpt_read: %s is NULL", out == NULL ? "out" : "path");
        return CEP_EARG;
    }
    unsigned char *buf = NULL;
    size_t n = 0;
    int st = ck_slurp(&buf, &n, path, err, errlen);
    if (st != CEP_OK)
        return st;
    st = ck_parse(out, buf, n, path, err, errlen);
    free(buf);
    return st;
}

void cep_ckpt_free(cep_checkpoint *ck)
{
    if (ck == NULL)
        return;
    free(ck->theta);
    free(ck->history);
    memset(ck, 0, sizeof *ck);
}
