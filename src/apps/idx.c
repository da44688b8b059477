/* idx.c -- the IDX reader of idx.h (MNIST, Fashion-MNIST).
 *
 * Every file goes through zlib's gz* functions, which decompress gzip and
 * pass anything else through unchanged: one code path for .gz and plain
 * files.  The header is validated completely before the data buffer is
 * allocated, so no header, however corrupt, can cause a large allocation or
 * an unbounded read. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "apps/idx.h"
#include "util/errtext.h"

/* gzread takes an unsigned count and returns an int: stay well inside both. */
#define IDX_READ_CHUNK ((size_t)1 << 30)
#define IDX_GROW_MIN ((size_t)1 << 20)   /* first data buffer of cep_idx_load */
/* zlib's default input buffer is 8 KiB; a larger one reads 26 MB of
 * compressed training images in fewer system calls. */
#define IDX_GZ_BUFFER (128u * 1024u)

const char *cep_idx_strerror(int status)
{
    switch (status) {
    case CEP_EIDX_OPEN: return "an IDX file cannot be opened";
    case CEP_EIDX_READ: return "reading an IDX file failed";
    case CEP_EIDX_GZIP: return "an IDX file is not valid gzip data";
    case CEP_EIDX_EMPTY: return "an IDX file is empty";
    case CEP_EIDX_MAGIC: return "not an IDX file of unsigned bytes (bad magic number)";
    case CEP_EIDX_NDIMS: return "an IDX file has a number of dimensions outside 1..4";
    case CEP_EIDX_DIM: return "an IDX file has a dimension of size 0";
    case CEP_EIDX_SIZE: return "an IDX file declares more than 2^31 bytes of data";
    case CEP_EIDX_TRUNC: return "an IDX file is truncated";
    case CEP_EIDX_TRAILING: return "an IDX file has data after its last item";
    case CEP_EIDX_NOTFOUND: return "an IDX data set file was not found";
    case CEP_EIDX_SHAPE: return "the IDX files do not fit the network's input size";
    case CEP_EIDX_LABEL: return "an IDX label is not below the network's output size";
    case CEP_EIDX_COUNT: return "the IDX image and label files have different item counts";
    default: return cep_strerror(status);
    }
}

/* "3*28*28": the declared sizes, as messages show them. */
static void dims_text(char *buf, size_t len, const uint64_t *d, unsigned n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%llu", i ? "*" : "", (unsigned long long)d[i]);
        if (w < 0)
            return;
        used += (size_t)w;
    }
}

/* The status of a failed gz* call.  zlib prefixes its own message with the
 * name it was given, "<fd:N>" for gzdopen, which means nothing to a user:
 * drop it, ours names the path. */
static int gz_status(gzFile f, const char *path, char *err, size_t errlen)
{
    int errnum = Z_OK;
    const char *m = gzerror(f, &errnum);
    if (m == NULL)
        m = "";
    if (strncmp(m, "<fd:", 4) == 0) {
        const char *p = strstr(m, ">: ");
        if (p != NULL)
            m = p + 3;
    }
    switch (errnum) {
    case Z_MEM_ERROR:
        cep_errf(err, errlen, "%s: out of memory in zlib", path);
        return CEP_ENOMEM;
    case Z_ERRNO:
        cep_errf(err, errlen, "%s: read error: %s", path, m);
        return CEP_EIDX_READ;
    default:
        /* Z_DATA_ERROR (bad header, bad deflate data, CRC or length
         * mismatch) and Z_BUF_ERROR (compressed stream cut short). */
        cep_errf(err, errlen, "%s: not gzip or corrupt: %s", path, m);
        return CEP_EIDX_GZIP;
    }
}

/* Read up to n bytes; *got says how many came.  A short count at a clean
 * end of file is not an error here (the caller knows what it expected);
 * a short count because of a zlib or system error is. */
static int read_bytes(gzFile f, unsigned char *buf, size_t n, size_t *got, const char *path,
                      char *err, size_t errlen)
{
    *got = 0;
    while (*got < n) {
        size_t chunk = n - *got;
        if (chunk > IDX_READ_CHUNK)
            chunk = IDX_READ_CHUNK;
        int r = gzread(f, buf + *got, (unsigned)chunk);
        if (r < 0)
            return gz_status(f, path, err, errlen);
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    if (*got < n) {
        int errnum = Z_OK;
        (void)gzerror(f, &errnum);
        if (errnum != Z_OK)
            return gz_status(f, path, err, errlen);
    }
    return CEP_OK;
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x09: return "signed bytes";
    case 0x0B: return "16-bit integers";
    case 0x0C: return "32-bit integers";
    case 0x0D: return "32-bit floats";
    case 0x0E: return "64-bit floats";
    default: return NULL;
    }
}

/* Open through open(2) rather than gzopen, so that a failure has a
 * reliable errno and a directory is refused before zlib reads from it. */
static int open_gz(gzFile *out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cep_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return CEP_EIDX_OPEN;
    }
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e != 0) {
        close(fd);
        cep_errf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return CEP_EIDX_OPEN;
    }
    gzFile f = gzdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        cep_errf(err, errlen, "%s: out of memory opening the file", path);
        return CEP_ENOMEM;
    }
    (void)gzbuffer(f, IDX_GZ_BUFFER);
    *out = f;
    return CEP_OK;
}

/* Read and validate the header; fill the sizes of *out (not the data). */
static int read_header(cep_idx *out, gzFile f, const char *path, char *err, size_t errlen)
{
    unsigned char h[4 * CEP_IDX_MAX_DIMS];
    size_t got;
    int st = read_bytes(f, h, 4, &got, path, err, errlen);
    if (st != CEP_OK)
        return st;
    if (got == 0) {
        cep_errf(err, errlen, "%s: empty file", path);
        return CEP_EIDX_EMPTY;
    }
    if (got < 4) {
        cep_errf(err, errlen, "%s: truncated header: 4 bytes of magic number expected, %zu read",
                path, got);
        return CEP_EIDX_TRUNC;
    }
    unsigned long magic = (unsigned long)h[0] << 24 | (unsigned long)h[1] << 16 |
                          (unsigned long)h[2] << 8 | h[3];
    if (h[0] != 0 || h[1] != 0) {
        cep_errf(err, errlen,
                "%s: bad magic 0x%08lx (expected 0x0000080N: unsigned bytes): not an IDX file",
                path, magic);
        return CEP_EIDX_MAGIC;
    }
    if (h[2] != 0x08) {
        const char *tn = type_name(h[2]);
        if (tn != NULL)
            cep_errf(err, errlen,
                    "%s: bad magic 0x%08lx: element type 0x%02X (%s) is not supported "
                    "(expected 0x0000080N: unsigned bytes)", path, magic, h[2], tn);
        else
            cep_errf(err, errlen,
                    "%s: bad magic 0x%08lx: unknown element type 0x%02X "
                    "(expected 0x0000080N: unsigned bytes)", path, magic, h[2]);
        return CEP_EIDX_MAGIC;
    }
    unsigned nd = h[3];
    if (nd < 1 || nd > CEP_IDX_MAX_DIMS) {
        cep_errf(err, errlen, "%s: %u dimensions (expected 1 to %d)", path, nd, CEP_IDX_MAX_DIMS);
        return CEP_EIDX_NDIMS;
    }
    st = read_bytes(f, h, 4 * (size_t)nd, &got, path, err, errlen);
    if (st != CEP_OK)
        return st;
    if (got < 4 * (size_t)nd) {
        cep_errf(err, errlen, "%s: truncated header: %zu bytes expected, %zu read", path,
                4 + 4 * (size_t)nd, 4 + got);
        return CEP_EIDX_TRUNC;
    }
    uint64_t d[CEP_IDX_MAX_DIMS];
    for (unsigned i = 0; i < nd; i++)
        d[i] = (uint64_t)h[4 * i] << 24 | (uint64_t)h[4 * i + 1] << 16 |
               (uint64_t)h[4 * i + 2] << 8 | h[4 * i + 3];
    char dt[64];
    dims_text(dt, sizeof dt, d, nd);
    for (unsigned i = 0; i < nd; i++)
        if (d[i] == 0) {
            cep_errf(err, errlen, "%s: dimension %u is 0 (sizes %s)", path, i, dt);
            return CEP_EIDX_DIM;
        }
    /* Every factor is >= 1, so the running product never decreases and the
     * test before each multiplication keeps it exact in 64 bits. */
    const uint64_t lim = CEP_IDX_MAX_BYTES;
    uint64_t total = 1;
    for (unsigned i = 0; i < nd; i++) {
        if (d[i] > lim || total > lim / d[i]) {
            cep_errf(err, errlen, "%s: size %s overflows the limit of 2^31 bytes", path, dt);
            return CEP_EIDX_SIZE;
        }
        total *= d[i];
    }
    out->n_dims = nd;
    out->item_size = 1;
    for (unsigned i = 0; i < nd; i++) {
        out->dims[i] = (size_t)d[i];
        if (i > 0)
            out->item_size *= (size_t)d[i];
    }
    return CEP_OK;
}

int cep_idx_load(cep_idx *out, const char *path, size_t max_items, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_idx_load: %s is NULL", out == NULL ? "out" : "path");
        return CEP_EARG;
    }
    memset(out, 0, sizeof *out);
    gzFile f;
    int st = open_gz(&f, path, err, errlen);
    if (st != CEP_OK)
        return st;
    cep_idx r = {0};
    st = read_header(&r, f, path, err, errlen);
    if (st != CEP_OK)
        goto done;
    r.n_items = (max_items == 0 || max_items > r.dims[0]) ? r.dims[0] : max_items;
    size_t n = r.n_items * r.item_size; /* <= CEP_IDX_MAX_BYTES by read_header */
    /* The buffer grows with the bytes actually read (IDX_GROW_MIN, then
     * doubling, then exactly n): a header that declares 2^31 bytes in a
     * file of a few bytes costs a few bytes, not 2 GB (tests/fuzz/fuzz_idx). */
    size_t cap = n < IDX_GROW_MIN ? n : IDX_GROW_MIN, got = 0;
    r.data = malloc(cap > 0 ? cap : 1);
    for (;;) {
        if (r.data == NULL) {
            cep_errf(err, errlen, "%s: out of memory for %zu data bytes", path, n);
            st = CEP_ENOMEM;
            goto done;
        }
        size_t part;
        st = read_bytes(f, r.data + got, cap - got, &part, path, err, errlen);
        if (st != CEP_OK)
            goto done;
        got += part;
        if (got < cap || cap == n)
            break;
        cap = cap > n / 2 ? n : 2 * cap;
        unsigned char *grown = realloc(r.data, cap);
        if (grown == NULL) {
            free(r.data);
            r.data = NULL;
            continue;                       /* reported at the top of the loop */
        }
        r.data = grown;
    }
    if (got < n) {
        cep_errf(err, errlen, "%s: truncated: %zu data bytes expected, %zu read", path, n, got);
        st = CEP_EIDX_TRUNC;
        goto done;
    }
    /* Only when the whole file was asked for: one more byte tells a file
     * longer than declared, and for gzip it also makes zlib check the
     * stream's CRC and length. */
    if (r.n_items == r.dims[0]) {
        unsigned char extra;
        st = read_bytes(f, &extra, 1, &got, path, err, errlen);
        if (st != CEP_OK)
            goto done;
        if (got != 0) {
            cep_errf(err, errlen,
                    "%s: trailing data after the last item (the header declares %zu items "
                    "of %zu bytes)", path, r.dims[0], r.item_size);
            st = CEP_EIDX_TRAILING;
            goto done;
        }
    }
done:
    gzclose_r(f);
    if (st != CEP_OK) {
        free(r.data);
        return st;
    }
    *out = r;
    return CEP_OK;
}

void cep_idx_free(cep_idx *idx)
{
    if (idx == NULL)
        return;
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}

/* The longest stem cep_idx_find accepts: real names are about 25 bytes. */
#define IDX_MAX_STEM 200

int cep_idx_find(char *path, size_t pathlen, const char *dir, const char *stem, char *err,
                 size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (path == NULL || pathlen == 0 || dir == NULL || stem == NULL) {
        cep_errf(err, errlen, "cep_idx_find: a required argument is NULL or empty");
        return CEP_EARG;
    }
    path[0] = '\0';
    size_t sl = strlen(stem);
    if (sl == 0 || sl > IDX_MAX_STEM) {
        cep_errf(err, errlen, "%s: file name stem of %zu bytes (expected 1 to %d)", dir, sl,
                IDX_MAX_STEM);
        return CEP_EARG;
    }
    const char *shown = dir[0] ? dir : ".";
    struct stat st;
    if (stat(shown, &st) != 0) {
        cep_errf(err, errlen, "%s: cannot open directory: %s", shown, strerror(errno));
        return CEP_EIDX_NOTFOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        cep_errf(err, errlen, "%s: cannot open directory: %s", shown, strerror(ENOTDIR));
        return CEP_EIDX_NOTFOUND;
    }
    /* MNIST's archives unpack to "train-images.idx3-ubyte" on some systems,
     * "train-images-idx3-ubyte" on others: try the other separator too. */
    char names[4][IDX_MAX_STEM + 4];
    size_t n_names = 2;
    snprintf(names[0], sizeof names[0], "%s", stem);
    snprintf(names[1], sizeof names[1], "%s.gz", stem);
    const char *dash = strstr(stem, "-idx"), *dot = strstr(stem, ".idx");
    const char *sep_at = dash != NULL ? dash : dot;
    if (sep_at != NULL) {
        memcpy(names[2], names[0], sizeof names[2]);
        memcpy(names[3], names[1], sizeof names[3]);
        names[2][sep_at - stem] = names[3][sep_at - stem] = dash != NULL ? '.' : '-';
        n_names = 4;
    }
    size_t dl = strlen(dir);
    const char *sep = (dl == 0 || dir[dl - 1] == '/') ? "" : "/";
    for (size_t i = 0; i < n_names; i++) {
        int w = snprintf(path, pathlen, "%s%s%s", dir, sep, names[i]);
        if (w < 0 || (size_t)w >= pathlen) {
            path[0] = '\0';
            cep_errf(err, errlen, "%s: the path to %s does not fit in %zu bytes", shown, names[i],
                    pathlen);
            return CEP_EARG;
        }
        if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
            return CEP_OK;
    }
    path[0] = '\0';
    if (n_names == 4)
        cep_errf(err, errlen, "%s: none of %s, %s, %s, %s found", shown, names[0], names[1],
                names[2], names[3]);
    else
        cep_errf(err, errlen, "%s: neither %s nor %s found", shown, names[0], names[1]);
    return CEP_EIDX_NOTFOUND;
}

/* Room for a data set path: directory plus file name. */
#define IDX_PATH_MAX 4096

int cep_idx_load_pair(cep_idx *img, cep_idx *lab, const char *dir, const char *image_stem,
                      const char *label_stem, size_t nx, size_t ny, size_t max_items, char *err,
                      size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (img == NULL || lab == NULL || dir == NULL || image_stem == NULL || label_stem == NULL) {
        cep_errf(err, errlen, "cep_idx_load_pair: an argument is NULL");
        return CEP_EARG;
    }
    memset(img, 0, sizeof *img);
    memset(lab, 0, sizeof *lab);
    char ipath[IDX_PATH_MAX], lpath[IDX_PATH_MAX];
    int st = cep_idx_find(ipath, sizeof ipath, dir, image_stem, err, errlen);
    if (st == CEP_OK)
        st = cep_idx_find(lpath, sizeof lpath, dir, label_stem, err, errlen);
    if (st == CEP_OK)
        st = cep_idx_load(img, ipath, max_items, err, errlen);
    if (st == CEP_OK)
        st = cep_idx_load(lab, lpath, max_items, err, errlen);
    if (st != CEP_OK)
        goto fail;
    st = CEP_EIDX_SHAPE;
    if (img->n_dims != 3) {
        cep_errf(err, errlen, "%s: %u dimensions (expected 3: images, rows, columns)", ipath,
                img->n_dims);
        goto fail;
    }
    if (lab->n_dims != 1) {
        cep_errf(err, errlen, "%s: %u dimensions (expected 1: labels)", lpath, lab->n_dims);
        goto fail;
    }
    if (img->dims[0] != lab->dims[0]) {
        cep_errf(err, errlen, "%s has %zu images but %s has %zu labels", ipath, img->dims[0], lpath,
                lab->dims[0]);
        st = CEP_EIDX_COUNT;
        goto fail;
    }
    if (img->item_size != nx) {
        cep_errf(err, errlen, "%s: images of %zux%zu = %zu pixels, but the network has nx = %zu inputs",
                ipath, img->dims[1], img->dims[2], img->item_size, nx);
        goto fail;
    }
    for (size_t i = 0; i < lab->n_items; i++)
        if (lab->data[i] >= ny) {
            cep_errf(err, errlen, "%s: label %u of item %zu is not below ny = %zu (the network's outputs)",
                    lpath, (unsigned)lab->data[i], i, ny);
            st = CEP_EIDX_LABEL;
            goto fail;
        }
    return CEP_OK;
fail:
    cep_idx_free(img);
    cep_idx_free(lab);
    return st;
}

int cep_idx_first_example(double *x, size_t nx, double *y, size_t ny, const char *dir, char *err,
                          size_t errlen)
{
    if (x == NULL || y == NULL || dir == NULL) {
        cep_errf(err, errlen, "cep_idx_first_example: %s is NULL",
                x == NULL ? "x" : y == NULL ? "y" : "dir");
        return CEP_EARG;
    }
    cep_idx img, lab;
    int st = cep_idx_load_pair(&img, &lab, dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               nx, ny, 1, err, errlen);
    if (st != CEP_OK)
        return st;
    unsigned label = lab.data[0];
    for (size_t i = 0; i < nx; i++)
        x[i] = img.data[i] / 255.0;
    for (size_t j = 0; j < ny; j++)
        y[j] = j == label ? 1.0 : 0.0;
    cep_idx_free(&img);
    cep_idx_free(&lab);
    return CEP_OK;
}
