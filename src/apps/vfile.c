/* vfile.c -- the array files of the golden vectors (vfile.h, spec/vectors.md §3).
 *
 * Writers go through one helper pair (wf_open / wf_finish): a temporary
 * file "<path>.tmpXXXXXX" next to the target, renamed over it only after
 * every byte was written and the stream flushed and closed without error;
 * on any failure the temporary file is removed.  Readers validate a header
 * completely (and, for .npy, compare the size it declares with the file's
 * length) before they allocate anything, so a corrupt file can never cause
 * a large allocation.  Numbers are converted through their bit patterns:
 * nothing here depends on the host's byte order. */
#define _GNU_SOURCE 1 /* renameat2 (Linux, glibc >= 2.28), nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <nettle/sha2.h>
#include "apps/vfile.h"
#include "util/errtext.h"


/* A .npy header longer than this is refused before it is read (NumPy's own
 * headers are well under 1 KiB; version 2.0 would allow 4 GiB). */
#define VF_NPY_MAX_HEADER ((size_t)1 << 20)
/* Room for "(a, b, c, d)" with four 20-digit numbers. */
#define VF_SHAPE_TEXT 128
/* How much of an offending line or word a message quotes. */
#define VF_QUOTE "%.40s"

static void clear_err(char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
}

const char *cep_vf_strerror(int status)
{
    switch (status) {
    case CEP_EVF_OPEN: return "an array file cannot be opened or created";
    case CEP_EVF_IO: return "reading, writing or renaming an array file failed";
    case CEP_EVF_FORMAT: return "an array file is malformed";
    case CEP_EVF_DTYPE: return "an array file holds an element type that is not accepted";
    case CEP_EVF_SHAPE: return "an array file's size disagrees with its shape";
    case CEP_EVF_INEXACT: return "a value is not exactly representable in the file's format";
    case CEP_EVF_LIMIT: return "an array has more than 2^28 elements or more than 4 axes";
    default: return cep_strerror(status);
    }
}

/* ---- number formats --------------------------------------------------------- */

const char *cep_fmt_name(cep_fmt f)
{
    switch (f) {
    case CEP_FMT_BINARY64: return "binary64";
    case CEP_FMT_BINARY32: return "binary32";
    case CEP_FMT_BFLOAT16: return "bfloat16";
    default: return "unknown";
    }
}

int cep_fmt_parse(cep_fmt *out, const char *name)
{
    if (out == NULL || name == NULL)
        return CEP_EARG;
    static const cep_fmt all[] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, cep_fmt_name(all[i])) == 0) {
            *out = all[i];
            return CEP_OK;
        }
    return CEP_EVF_DTYPE;
}

int cep_fmt_hex_digits(cep_fmt f)
{
    switch (f) {
    case CEP_FMT_BINARY32: return 8;
    case CEP_FMT_BFLOAT16: return 4;
    default: return 16;
    }
}

static int fmt_valid(cep_fmt f)
{
    return f == CEP_FMT_BINARY64 || f == CEP_FMT_BINARY32 || f == CEP_FMT_BFLOAT16;
}

/* bfloat16: 8 significant bits, binary32's exponent range.  A finite
 * nonzero |v| = m * 2^e with m in [1/2, 1) (frexp) has its last significant
 * bit at 2^(e-8), or at 2^-133 (the smallest subnormal) below the normal
 * range.  |v| / 2^q is then below 2^8 and exact (a scaling by a power of
 * two that moves away from the subnormal range of binary64 or stays inside
 * its normal range), its rounding to an integer is done by hand with ties
 * to even, and the result times 2^q is exact again: one rounding, no
 * binary32 step in between. */
static double round_bf16(double v)
{
    if (isnan(v) || isinf(v) || v == 0.0)
        return v;
    double a = fabs(v);
    int e;
    (void)frexp(a, &e);
    int q = e - 8;
    if (q < -133)
        q = -133;
    double r = ldexp(a, -q);          /* exact, r < 2^8 */
    double fl = floor(r);
    double frac = r - fl;             /* exact: r has at most 53 bits, r < 2^8 */
    if (frac > 0.5 || (frac == 0.5 && fmod(fl, 2.0) != 0.0))
        fl += 1.0;
    double res = ldexp(fl, q);        /* exact, or +inf far above binary32 */
    if (res >= 0x1p128)               /* beyond 0x7F7F after rounding: overflow */
        res = INFINITY;
    return copysign(res, v);
}

double cep_fmt_round(cep_fmt f, double v)
{
    switch (f) {
    case CEP_FMT_BINARY32: return (double)(float)v;
    case CEP_FMT_BFLOAT16: return round_bf16(v);
    default: return v;
    }
}

static uint32_t float_bits(double v)
{
    float x = (float)v;
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

uint64_t cep_fmt_bits(cep_fmt f, double v)
{
    switch (f) {
    case CEP_FMT_BINARY32: return float_bits(v);
    case CEP_FMT_BFLOAT16: return float_bits(round_bf16(v)) >> 16;
    default: {
        uint64_t b;
        memcpy(&b, &v, sizeof b);
        return b;
    }
    }
}

static double from_float_bits(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return (double)x;
}

double cep_fmt_from_bits(cep_fmt f, uint64_t bits)
{
    switch (f) {
    case CEP_FMT_BINARY32: return from_float_bits((uint32_t)(bits & 0xFFFFFFFFu));
    case CEP_FMT_BFLOAT16: return from_float_bits((uint32_t)(bits & 0xFFFFu) << 16);
    default: {
        double v;
        memcpy(&v, &bits, sizeof v);
        return v;
    }
    }
}

void cep_array_free(cep_array *a)
{
    if (a == NULL)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- shared checks -------------------------------------------------------------- */

/* "()", "(5,)", "(3, 4)": Python's spelling, used by .npy and in messages. */
static void shape_text(char *buf, size_t len, size_t ndim, const size_t *shape)
{
    size_t used = 0;
    int w = snprintf(buf, len, "(");
    used = w > 0 ? (size_t)w : 0;
    for (size_t i = 0; i < ndim && used < len; i++) {
        w = snprintf(buf + used, len - used, "%s%zu", i ? ", " : "", shape[i]);
        if (w < 0)
            return;
        used += (size_t)w;
    }
    if (used < len)
        snprintf(buf + used, len - used, "%s", ndim == 1 ? ",)" : ")");
}

/* The arguments every array writer shares: path, shape within the limits,
 * data present, format known.  *n gets the element count. */
static int check_array_args(size_t *n, const char *path, const double *data, size_t ndim,
                            const size_t *shape, cep_fmt fmt, const char *fn, char *err,
                            size_t errlen)
{
    if (path == NULL) {
        cep_errf(err, errlen, "%s: path is NULL", fn);
        return CEP_EARG;
    }
    if (!fmt_valid(fmt)) {
        cep_errf(err, errlen, "%s: unknown number format %d", path, (int)fmt);
        return CEP_EARG;
    }
    if (ndim > CEP_VF_MAX_NDIM) {
        cep_errf(err, errlen, "%s: %zu axes, at most %d allowed", path, ndim, CEP_VF_MAX_NDIM);
        return CEP_EVF_LIMIT;
    }
    if (ndim > 0 && shape == NULL) {
        cep_errf(err, errlen, "%s: shape is NULL", path);
        return CEP_EARG;
    }
    size_t count = 1;
    for (size_t i = 0; i < ndim; i++) {
        if (shape[i] != 0 && count > CEP_VF_MAX_ELEMS / shape[i]) {
            char st[VF_SHAPE_TEXT];
            shape_text(st, sizeof st, ndim, shape);
            cep_errf(err, errlen, "%s: shape %s has more than 2^28 elements", path, st);
            return CEP_EVF_LIMIT;
        }
        count *= shape[i];
    }
    if (count > 0 && data == NULL) {
        cep_errf(err, errlen, "%s: data is NULL", path);
        return CEP_EARG;
    }
    *n = count;
    return CEP_OK;
}

/* Every value must be exactly representable in fmt (NaN always is). */
static int check_exact(const char *path, const char *what, const double *data, size_t n,
                       cep_fmt fmt, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        double v = data[i];
        if (isnan(v) || cep_fmt_round(fmt, v) == v)
            continue;
        cep_errf(err, errlen, "%s: %s[%zu] = %.17g is not exactly representable in %s", path,
                what, i, v, cep_fmt_name(fmt));
        return CEP_EVF_INEXACT;
    }
    return CEP_OK;
}

/* ---- atomic writers ------------------------------------------------------------- */

typedef struct {
    const char *path;
    char *tmp;
    FILE *f;
} wfile;

static int wf_open(wfile *w, const char *path, char *err, size_t errlen)
{
    w->path = path;
    w->f = NULL;
    size_t len = strlen(path);
    w->tmp = malloc(len + sizeof ".tmpXXXXXX");
    if (w->tmp == NULL) {
        cep_errf(err, errlen, "%s: out of memory", path);
        return CEP_ENOMEM;
    }
    memcpy(w->tmp, path, len);
    memcpy(w->tmp + len, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    int fd = mkstemp(w->tmp);
    if (fd < 0) {
        cep_errf(err, errlen, "%s: cannot create a temporary file next to it: %s", path,
                strerror(errno));
        free(w->tmp);
        w->tmp = NULL;
        return CEP_EVF_OPEN;
    }
    /* mkstemp makes the file 0600; give it the mode a plain fopen would.
     * Reading the umask means setting it: restore it at once. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, (mode_t)0666 & ~mask);
    w->f = fdopen(fd, "wb");
    if (w->f == NULL) {
        cep_errf(err, errlen, "%s: cannot open the temporary file %s: %s", path, w->tmp,
                strerror(errno));
        close(fd);
        unlink(w->tmp);
        free(w->tmp);
        w->tmp = NULL;
        return CEP_EVF_OPEN;
    }
    return CEP_OK;
}

/* Finish a write begun by wf_open: with st == CEP_OK, check, flush, close
 * and rename; otherwise (or when any of that fails) remove the temporary
 * file.  Returns the final status. */
static int wf_finish(wfile *w, int st, char *err, size_t errlen)
{
    if (w->f != NULL) {
        if (st == CEP_OK && (ferror(w->f) || fflush(w->f) != 0)) {
            cep_errf(err, errlen, "%s: write error: %s", w->path, strerror(errno));
            st = CEP_EVF_IO;
        }
        if (fclose(w->f) != 0 && st == CEP_OK) {
            cep_errf(err, errlen, "%s: write error on close: %s", w->path, strerror(errno));
            st = CEP_EVF_IO;
        }
        w->f = NULL;
    }
    if (st == CEP_OK && rename(w->tmp, w->path) != 0) {
        cep_errf(err, errlen, "%s: cannot rename %s to it: %s", w->path, w->tmp, strerror(errno));
        st = CEP_EVF_IO;
    }
    if (st != CEP_OK)
        unlink(w->tmp);
    free(w->tmp);
    w->tmp = NULL;
    return st;
}

/* A write through the stream; the first failure is reported. */
static int wf_put(wfile *w, const void *buf, size_t n, char *err, size_t errlen)
{
    if (n > 0 && fwrite(buf, 1, n, w->f) != n) {
        cep_errf(err, errlen, "%s: write error: %s", w->path, strerror(errno));
        return CEP_EVF_IO;
    }
    return CEP_OK;
}

static int wf_printf(wfile *w, char *err, size_t errlen, const char *fmt, ...) CEP_PRINTF(4, 5);
static int wf_printf(wfile *w, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(w->f, fmt, ap);
    va_end(ap);
    if (r < 0) {
        cep_errf(err, errlen, "%s: write error: %s", w->path, strerror(errno));
        return CEP_EVF_IO;
    }
    return CEP_OK;
}

/* Each line of header (NULL or "" means none; a final '\n' does not make an
 * empty line) prefixed by `prefix`. */
static int wf_header(wfile *w, const char *prefix, const char *header, char *err, size_t errlen)
{
    if (header == NULL)
        return CEP_OK;
    const char *p = header;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        int st = wf_printf(w, err, errlen, "%s%.*s\n", prefix, (int)len, p);
        if (st != CEP_OK)
            return st;
        p += len;
        if (*p == '\n')
            p++;
    }
    return CEP_OK;
}

/* ---- .npy ------------------------------------------------------------------------- */

static void put_le(unsigned char *b, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *b, int nbytes)
{
    uint64_t v = 0;
    for (int i = nbytes - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int cep_npy_write(const char *path, const double *data, size_t ndim, const size_t *shape,
                  cep_fmt fmt, char *err, size_t errlen)
{
    clear_err(err, errlen);
    size_t n;
    int st = check_array_args(&n, path, data, ndim, shape, fmt, "cep_npy_write", err, errlen);
    if (st != CEP_OK)
        return st;
    if (fmt != CEP_FMT_BINARY64 && (st = check_exact(path, "data", data, n, fmt, err, errlen)) != CEP_OK)
        return st;
    const int item = fmt == CEP_FMT_BINARY64 ? 8 : 4;

    /* magic (6) + version (2) + length (2) + dict + spaces + '\n' = 64 k */
    char sh[VF_SHAPE_TEXT], hdr[256];
    shape_text(sh, sizeof sh, ndim, shape);
    int dl = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      item == 8 ? "<f8" : "<f4", sh);
    if (dl < 0 || (size_t)dl >= sizeof hdr - 64) {
        cep_errf(err, errlen, "%s: internal error: header too long", path);
        return CEP_EARG;
    }
    size_t total = 10 + (size_t)dl + 1;
    total = (total + 63) / 64 * 64;
    size_t hlen = total - 10;
    memset(hdr + dl, ' ', hlen - (size_t)dl - 1);
    hdr[hlen - 1] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    put_le(pre + 8, hlen, 2);

    wfile w;
    if ((st = wf_open(&w, path, err, errlen)) != CEP_OK)
        return st;
    st = wf_put(&w, pre, sizeof pre, err, errlen);
    if (st == CEP_OK)
        st = wf_put(&w, hdr, hlen, err, errlen);
    unsigned char buf[4096];
    size_t used = 0;
    for (size_t i = 0; i < n && st == CEP_OK; i++) {
        uint64_t b = cep_fmt_bits(item == 8 ? CEP_FMT_BINARY64 : CEP_FMT_BINARY32, data[i]);
        put_le(buf + used, b, item);
        used += (size_t)item;
        if (used == sizeof buf || i + 1 == n) {
            st = wf_put(&w, buf, used, err, errlen);
            used = 0;
        }
    }
    return wf_finish(&w, st, err, errlen);
}

/* The header dict of a .npy file, as Python's literal syntax: parsed by a
 * small recursive-descent reader over hdr[0..len). */
typedef struct {
    const char *s;
    size_t len, pos;
    const char *path;
    char *err;
    size_t errlen;
} npy_parser;

static void np_ws(npy_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int np_syntax(npy_parser *p, const char *expected)
{
    if (p->pos < p->len)
        cep_errf(p->err, p->errlen, "%s: header: syntax error at byte %zu: %s expected, found '%c'",
                p->path, p->pos, expected,
                (p->s[p->pos] >= 32 && p->s[p->pos] < 127) ? p->s[p->pos] : '?');
    else
        cep_errf(p->err, p->errlen, "%s: header: syntax error: %s expected, found the end",
                p->path, expected);
    return CEP_EVF_FORMAT;
}

/* Expect the character c (after blanks). */
static int np_char(npy_parser *p, char c, const char *what)
{
    np_ws(p);
    if (p->pos < p->len && p->s[p->pos] == c) {
        p->pos++;
        return CEP_OK;
    }
    return np_syntax(p, what);
}

/* A quoted string without escapes, into buf (cap bytes). */
static int np_string(npy_parser *p, char *buf, size_t cap)
{
    np_ws(p);
    if (p->pos >= p->len || (p->s[p->pos] != '\'' && p->s[p->pos] != '"'))
        return np_syntax(p, "a quoted string");
    char q = p->s[p->pos++];
    size_t k = 0;
    while (p->pos < p->len && p->s[p->pos] != q) {
        char c = p->s[p->pos++];
        if (c == '\\' || c == '\n' || k + 1 >= cap) {
            cep_errf(p->err, p->errlen, "%s: header: unsupported or overlong string at byte %zu",
                    p->path, p->pos - 1);
            return CEP_EVF_FORMAT;
        }
        buf[k++] = c;
    }
    if (p->pos >= p->len)
        return np_syntax(p, "a closing quote");
    p->pos++;
    buf[k] = '\0';
    return CEP_OK;
}

static int np_is_word(npy_parser *p, const char *w)
{
    size_t l = strlen(w);
    if (p->len - p->pos < l || memcmp(p->s + p->pos, w, l) != 0)
        return 0;
    if (p->pos + l < p->len) {
        char c = p->s[p->pos + l];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            return 0;
    }
    p->pos += l;
    return 1;
}

/* (a, b, ...) of non-negative integers: *ndim, dims; more than
 * CEP_VF_MAX_NDIM axes or a number above 2^64-1 is CEP_EVF_LIMIT. */
static int np_shape(npy_parser *p, size_t *ndim, uint64_t *dims)
{
    int st = np_char(p, '(', "'(' opening the shape tuple");
    if (st != CEP_OK)
        return st;
    *ndim = 0;
    np_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ')') {
        p->pos++;
        return CEP_OK;
    }
    for (;;) {
        np_ws(p);
        if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
            return np_syntax(p, "an integer in the shape");
        uint64_t v = 0;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            unsigned d = (unsigned)(p->s[p->pos++] - '0');
            if (v > (UINT64_MAX - d) / 10) {
                cep_errf(p->err, p->errlen, "%s: header: a shape entry exceeds 2^64 - 1", p->path);
                return CEP_EVF_LIMIT;
            }
            v = v * 10 + d;
        }
        if (*ndim == CEP_VF_MAX_NDIM) {
            cep_errf(p->err, p->errlen, "%s: header: more than %d axes in 'shape'", p->path,
                    CEP_VF_MAX_NDIM);
            return CEP_EVF_LIMIT;
        }
        dims[(*ndim)++] = v;
        np_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ')') {
            if (*ndim == 1)
                return np_syntax(p, "',' after the single entry of a 1-tuple");
            p->pos++;
            return CEP_OK;
        }
        if ((st = np_char(p, ',', "',' or ')' in the shape")) != CEP_OK)
            return st;
        np_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ')') {
            p->pos++;
            return CEP_OK;
        }
    }
}

/* Parse and check the dict: dtype, C order, shape; *n = element count. */
static int npy_parse_header(cep_array *a, size_t *item, const char *hdr, size_t len,
                            const char *path, char *err, size_t errlen)
{
    npy_parser p = {hdr, len, 0, path, err, errlen};
    int st = np_char(&p, '{', "'{' opening the header dict");
    if (st != CEP_OK)
        return st;
    char descr[32] = "", key[32];
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0;
    size_t ndim = 0;
    uint64_t dims[CEP_VF_MAX_NDIM] = {0};
    for (;;) {
        np_ws(&p);
        if (p.pos < p.len && p.s[p.pos] == '}') {
            p.pos++;
            break;
        }
        if ((st = np_string(&p, key, sizeof key)) != CEP_OK)
            return st;
        if ((st = np_char(&p, ':', "':' after a key")) != CEP_OK)
            return st;
        np_ws(&p);
        int *seen;
        if (strcmp(key, "descr") == 0) {
            seen = &have_descr;
            if (p.pos < p.len && (p.s[p.pos] != '\'' && p.s[p.pos] != '"')) {
                cep_errf(err, errlen, "%s: header: 'descr' is not a simple type string "
                        "(structured dtype), expected '<f8' or '<f4'", path);
                return CEP_EVF_DTYPE;
            }
            st = np_string(&p, descr, sizeof descr);
        } else if (strcmp(key, "fortran_order") == 0) {
            seen = &have_order;
            if (np_is_word(&p, "True"))
                fortran = 1;
            else if (np_is_word(&p, "False"))
                fortran = 0;
            else
                st = np_syntax(&p, "True or False for 'fortran_order'");
        } else if (strcmp(key, "shape") == 0) {
            seen = &have_shape;
            st = np_shape(&p, &ndim, dims);
        } else {
            cep_errf(err, errlen, "%s: header: unknown key '%s'", path, key);
            return CEP_EVF_FORMAT;
        }
        if (st != CEP_OK)
            return st;
        if (*seen) {
            cep_errf(err, errlen, "%s: header: key '%s' appears twice", path, key);
            return CEP_EVF_FORMAT;
        }
        *seen = 1;
        np_ws(&p);
        if (p.pos < p.len && p.s[p.pos] == '}') {
            p.pos++;
            break;
        }
        if ((st = np_char(&p, ',', "',' or '}' after a value")) != CEP_OK)
            return st;
    }
    np_ws(&p);
    if (p.pos != p.len)
        return np_syntax(&p, "only blanks after the header dict");
    if (!have_descr || !have_order || !have_shape) {
        cep_errf(err, errlen, "%s: header: key '%s' is missing", path,
                !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
        return CEP_EVF_FORMAT;
    }
    if (strcmp(descr, "<f8") == 0) {
        a->dtype = CEP_FMT_BINARY64;
        *item = 8;
    } else if (strcmp(descr, "<f4") == 0) {
        a->dtype = CEP_FMT_BINARY32;
        *item = 4;
    } else {
        cep_errf(err, errlen, "%s: header: 'descr' is '%s', expected '<f8' or '<f4'", path, descr);
        return CEP_EVF_DTYPE;
    }
    if (fortran) {
        cep_errf(err, errlen, "%s: header: 'fortran_order' is True, only C order (False) is read",
                path);
        return CEP_EVF_FORMAT;
    }
    uint64_t count = 1;
    for (size_t i = 0; i < ndim; i++) {
        if (dims[i] != 0 && count > (uint64_t)CEP_VF_MAX_ELEMS / dims[i]) {
            cep_errf(err, errlen, "%s: header: 'shape' has more than 2^28 elements", path);
            return CEP_EVF_LIMIT;
        }
        count *= dims[i];
    }
    a->ndim = ndim;
    for (size_t i = 0; i < ndim; i++)
        a->shape[i] = (size_t)dims[i];
    a->n = (size_t)count;
    return CEP_OK;
}

/* Open path for reading, refusing directories; *size = its length. */
static int open_read(FILE **out, off_t *size, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cep_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return CEP_EVF_OPEN;
    }
    struct stat sb;
    int e = fstat(fileno(f), &sb) != 0 ? errno : S_ISDIR(sb.st_mode) ? EISDIR : 0;
    if (e != 0) {
        fclose(f);
        cep_errf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return CEP_EVF_OPEN;
    }
    if (size != NULL)
        *size = sb.st_size;
    *out = f;
    return CEP_OK;
}

/* Read exactly n bytes; a short read is truncation (CEP_EVF_FORMAT, with
 * what) or an I/O error. */
static int read_exact(FILE *f, void *buf, size_t n, const char *path, const char *what,
                      char *err, size_t errlen)
{
    size_t got = n > 0 ? fread(buf, 1, n, f) : 0;
    if (got == n)
        return CEP_OK;
    if (ferror(f)) {
        cep_errf(err, errlen, "%s: read error in %s: %s", path, what, strerror(errno));
        return CEP_EVF_IO;
    }
    cep_errf(err, errlen, "%s: truncated %s: %zu bytes expected, %zu present", path, what, n, got);
    return CEP_EVF_FORMAT;
}

int cep_npy_read(cep_array *out, const char *path, char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (out == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_npy_read: %s is NULL", out == NULL ? "out" : "path");
        return CEP_EARG;
    }
    memset(out, 0, sizeof *out);
    FILE *f;
    off_t fsize;
    int st = open_read(&f, &fsize, path, err, errlen);
    if (st != CEP_OK)
        return st;
    char *hdr = NULL;
    cep_array a;
    memset(&a, 0, sizeof a);
    unsigned char pre[12];
    if ((st = read_exact(f, pre, 8, path, "magic and version", err, errlen)) != CEP_OK)
        goto done;
    if (memcmp(pre, "\x93NUMPY", 6) != 0) {
        cep_errf(err, errlen, "%s: bad magic: not a .npy file (expected \\x93NUMPY)", path);
        st = CEP_EVF_FORMAT;
        goto done;
    }
    int lbytes = pre[6] == 1 && pre[7] == 0 ? 2 : pre[6] == 2 && pre[7] == 0 ? 4 : 0;
    if (lbytes == 0) {
        cep_errf(err, errlen, "%s: format version %u.%u, only 1.0 and 2.0 are read", path,
                pre[6], pre[7]);
        st = CEP_EVF_FORMAT;
        goto done;
    }
    if ((st = read_exact(f, pre + 8, (size_t)lbytes, path, "header length", err, errlen)) != CEP_OK)
        goto done;
    uint64_t hlen = get_le(pre + 8, lbytes);
    uint64_t data_off = 8 + (uint64_t)lbytes + hlen;
    if (hlen > VF_NPY_MAX_HEADER) {
        cep_errf(err, errlen, "%s: header length %llu exceeds %zu bytes", path,
                (unsigned long long)hlen, VF_NPY_MAX_HEADER);
        st = CEP_EVF_FORMAT;
        goto done;
    }
    if ((uint64_t)fsize < data_off) {
        cep_errf(err, errlen, "%s: truncated header: %llu bytes declared, the file has %llu", path,
                (unsigned long long)hlen, (unsigned long long)fsize);
        st = CEP_EVF_FORMAT;
        goto done;
    }
    hdr = malloc((size_t)hlen + 1);
    if (hdr == NULL) {
        cep_errf(err, errlen, "%s: out of memory", path);
        st = CEP_ENOMEM;
        goto done;
    }
    if ((st = read_exact(f, hdr, (size_t)hlen, path, "header", err, errlen)) != CEP_OK)
        goto done;
    hdr[hlen] = '\0';
    size_t item = 8;
    if ((st = npy_parse_header(&a, &item, hdr, (size_t)hlen, path, err, errlen)) != CEP_OK)
        goto done;
    uint64_t want = (uint64_t)a.n * item, have = (uint64_t)fsize - data_off;
    if (have != want) {
        char sh[VF_SHAPE_TEXT];
        shape_text(sh, sizeof sh, a.ndim, a.shape);
        cep_errf(err, errlen, "%s: data: shape %s of %zu-byte numbers needs %llu bytes, the file "
                "has %llu (%s)", path, sh, item, (unsigned long long)want,
                (unsigned long long)have, have < want ? "truncated" : "extra bytes at the end");
        st = CEP_EVF_SHAPE;
        goto done;
    }
    a.data = malloc((a.n > 0 ? a.n : 1) * sizeof(double));
    if (a.data == NULL) {
        cep_errf(err, errlen, "%s: out of memory for %zu numbers", path, a.n);
        st = CEP_ENOMEM;
        goto done;
    }
    unsigned char buf[4096];
    const size_t per = sizeof buf / item;
    for (size_t i = 0; i < a.n; i += per) {
        size_t k = a.n - i < per ? a.n - i : per;
        if ((st = read_exact(f, buf, k * item, path, "data", err, errlen)) != CEP_OK)
            goto done;
        for (size_t j = 0; j < k; j++)
            a.data[i + j] = cep_fmt_from_bits(a.dtype, get_le(buf + j * item, (int)item));
    }
    if (fgetc(f) != EOF) {
        cep_errf(err, errlen, "%s: data: extra bytes at the end (the file grew while read)", path);
        st = CEP_EVF_SHAPE;
        goto done;
    }
    *out = a;
    memset(&a, 0, sizeof a);
    st = CEP_OK;
done:
    free(hdr);
    cep_array_free(&a);
    fclose(f);
    return st;
}

/* ---- $readmemh ------------------------------------------------------------------------- */

static int write_words(wfile *w, const double *data, size_t n, cep_fmt fmt, char *err,
                       size_t errlen)
{
    const int digits = cep_fmt_hex_digits(fmt);
    for (size_t i = 0; i < n; i++) {
        int st = wf_printf(w, err, errlen, "%0*llX\n", digits,
                           (unsigned long long)cep_fmt_bits(fmt, data[i]));
        if (st != CEP_OK)
            return st;
    }
    return CEP_OK;
}

int cep_hex_write(const char *path, const double *data, size_t ndim, const size_t *shape,
                  cep_fmt fmt, const char *header, char *err, size_t errlen)
{
    clear_err(err, errlen);
    size_t n;
    int st = check_array_args(&n, path, data, ndim, shape, fmt, "cep_hex_write", err, errlen);
    if (st != CEP_OK || (st = check_exact(path, "data", data, n, fmt, err, errlen)) != CEP_OK)
        return st;
    char sh[VF_SHAPE_TEXT];
    shape_text(sh, sizeof sh, ndim, shape);
    wfile w;
    if ((st = wf_open(&w, path, err, errlen)) != CEP_OK)
        return st;
    st = wf_header(&w, "// ", header, err, errlen);
    if (st == CEP_OK)
        st = wf_printf(&w, err, errlen, "// format %s, shape %s, row-major, one word per line\n",
                       cep_fmt_name(fmt), sh);
    if (st == CEP_OK)
        st = write_words(&w, data, n, fmt, err, errlen);
    return wf_finish(&w, st, err, errlen);
}

/* Blanks of a line: spaces, tabs and a '\r' of CRLF files. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append v to a growing array of doubles (*cap doubling). */
static int push_value(cep_array *a, size_t *cap, double v, const char *path, char *err,
                      size_t errlen)
{
    if (a->n == *cap) {
        if (*cap >= CEP_VF_MAX_ELEMS) {
            cep_errf(err, errlen, "%s: more than 2^28 numbers", path);
            return CEP_EVF_LIMIT;
        }
        size_t nc = *cap ? *cap * 2 : 256;
        double *nd = realloc(a->data, nc * sizeof(double));
        if (nd == NULL) {
            cep_errf(err, errlen, "%s: out of memory for %zu numbers", path, nc);
            return CEP_ENOMEM;
        }
        a->data = nd;
        *cap = nc;
    }
    a->data[a->n++] = v;
    return CEP_OK;
}

/* The line-by-line readers: call parse_line on every line that is neither
 * blank nor a comment (comment = begins, after blanks, with `comment`). */
typedef int (*line_fn)(double *v, const char *s, size_t len, size_t lineno, const char *path,
                       const void *ctx, char *err, size_t errlen);

static int read_lines(cep_array *out, const char *path, const char *comment, line_fn parse,
                      const void *ctx, cep_fmt dtype, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f;
    int st = open_read(&f, NULL, path, err, errlen);
    if (st != CEP_OK)
        return st;
    cep_array a;
    memset(&a, 0, sizeof a);
    size_t cap = 0, lineno = 0, lcap = 0;
    char *line = NULL;
    ssize_t got;
    errno = 0;
    while ((got = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        size_t b = 0, e = (size_t)got;
        while (b < e && is_blank(line[b]))
            b++;
        while (e > b && is_blank(line[e - 1]))
            e--;
        if (b == e || strncmp(line + b, comment, strlen(comment)) == 0)
            continue;
        line[e] = '\0';
        double v;
        if ((st = parse(&v, line + b, e - b, lineno, path, ctx, err, errlen)) != CEP_OK)
            goto done;
        if ((st = push_value(&a, &cap, v, path, err, errlen)) != CEP_OK)
            goto done;
    }
    if (ferror(f)) {
        cep_errf(err, errlen, "%s: read error: %s", path, strerror(errno));
        st = errno == ENOMEM ? CEP_ENOMEM : CEP_EVF_IO;
        goto done;
    }
    if (a.data == NULL && (a.data = malloc(sizeof(double))) == NULL) {
        cep_errf(err, errlen, "%s: out of memory", path);
        st = CEP_ENOMEM;
        goto done;
    }
    a.ndim = 1;
    a.shape[0] = a.n;
    a.dtype = dtype;
    *out = a;
    memset(&a, 0, sizeof a);
    st = CEP_OK;
done:
    free(line);
    cep_array_free(&a);
    fclose(f);
    return st;
}

static int parse_hex_word(double *v, const char *s, size_t len, size_t lineno, const char *path,
                          const void *ctx, char *err, size_t errlen)
{
    const cep_fmt fmt = *(const cep_fmt *)ctx;
    const size_t digits = (size_t)cep_fmt_hex_digits(fmt);
    uint64_t bits = 0;
    for (size_t i = 0; i < len; i++) {
        int h = hex_value(s[i]);
        if (h < 0) {
            cep_errf(err, errlen, "%s: line %zu: '" VF_QUOTE "' is not a hex word (bad character "
                    "at column %zu)", path, lineno, s, i + 1);
            return CEP_EVF_FORMAT;
        }
        bits = bits << 4 | (uint64_t)h;
    }
    if (len != digits) {
        cep_errf(err, errlen, "%s: line %zu: '" VF_QUOTE "' has %zu digits, a %s word has %zu",
                path, lineno, s, len, cep_fmt_name(fmt), digits);
        return CEP_EVF_FORMAT;
    }
    *v = cep_fmt_from_bits(fmt, bits);
    return CEP_OK;
}

int cep_hex_read(cep_array *out, const char *path, cep_fmt fmt, char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (out == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_hex_read: %s is NULL", out == NULL ? "out" : "path");
        return CEP_EARG;
    }
    memset(out, 0, sizeof *out);
    if (!fmt_valid(fmt)) {
        cep_errf(err, errlen, "%s: unknown number format %d", path, (int)fmt);
        return CEP_EARG;
    }
    return read_lines(out, path, "//", parse_hex_word, &fmt, fmt, err, errlen);
}

/* ---- results text ------------------------------------------------------------------------ */

static int parse_number(double *v, const char *s, size_t len, size_t lineno, const char *path,
                        const void *ctx, char *err, size_t errlen)
{
    (void)ctx;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s) {
        cep_errf(err, errlen, "%s: line %zu: '" VF_QUOTE "' is not a number", path, lineno, s);
        return CEP_EVF_FORMAT;
    }
    if (end != s + len) {
        cep_errf(err, errlen, "%s: line %zu: trailing '" VF_QUOTE "' after the number", path,
                lineno, end);
        return CEP_EVF_FORMAT;
    }
    /* ERANGE on underflow is a correctly rounded tiny number: kept.  On
     * overflow a finite text became an infinity: refused. */
    if (errno == ERANGE && isinf(x)) {
        cep_errf(err, errlen, "%s: line %zu: '" VF_QUOTE "' overflows binary64", path, lineno, s);
        return CEP_EVF_FORMAT;
    }
    *v = x;
    return CEP_OK;
}

int cep_text_read(cep_array *out, const char *path, char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (out == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_text_read: %s is NULL", out == NULL ? "out" : "path");
        return CEP_EARG;
    }
    return read_lines(out, path, "#", parse_number, NULL, CEP_FMT_BINARY64, err, errlen);
}

/* ---- TestFloat text and C header -------------------------------------------------------- */

/* [A-Za-z_][A-Za-z0-9_]*, at most 200 characters. */
static int is_ident(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 200 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* The arrays of a multi-array writer: names valid (ident: a C identifier,
 * else any non-empty word without blanks), counts within the limit, data
 * present, values exact in their format. */
static int check_arrays(const char *path, size_t n_arrays, const char *const *names,
                        const double *const *data, const size_t *counts, const cep_fmt *fmts,
                        cep_fmt fmt, int ident, char *err, size_t errlen)
{
    if (n_arrays > 0 && (names == NULL || data == NULL || counts == NULL)) {
        cep_errf(err, errlen, "%s: %s is NULL", path,
                names == NULL ? "names" : data == NULL ? "data" : "counts");
        return CEP_EARG;
    }
    for (size_t a = 0; a < n_arrays; a++) {
        const char *nm = names[a];
        cep_fmt fa = fmts != NULL ? fmts[a] : fmt;
        if (nm == NULL || nm[0] == '\0') {
            cep_errf(err, errlen, "%s: array %zu has no name", path, a);
            return CEP_EARG;
        }
        int ok = ident ? is_ident(nm) : 1;
        for (const char *c = nm; *c && ok; c++)
            ok = *c > ' ' && *c < 127;
        if (!ok) {
            cep_errf(err, errlen, "%s: array name '" VF_QUOTE "' is not %s", path, nm,
                    ident ? "a C identifier" : "one printable word");
            return CEP_EARG;
        }
        if (!fmt_valid(fa)) {
            cep_errf(err, errlen, "%s: array '%s': unknown number format %d", path, nm, (int)fa);
            return CEP_EARG;
        }
        if (counts[a] > CEP_VF_MAX_ELEMS) {
            cep_errf(err, errlen, "%s: array '%s' has more than 2^28 elements", path, nm);
            return CEP_EVF_LIMIT;
        }
        if (counts[a] > 0 && data[a] == NULL) {
            cep_errf(err, errlen, "%s: array '%s': data is NULL", path, nm);
            return CEP_EARG;
        }
        int st = check_exact(path, nm, data[a], counts[a], fa, err, errlen);
        if (st != CEP_OK)
            return st;
    }
    return CEP_OK;
}

int cep_tf_write(const char *path, const char *header, size_t n_arrays, const char *const *names,
                 const double *const *data, const size_t *counts, cep_fmt fmt,
                 char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (path == NULL) {
        cep_errf(err, errlen, "cep_tf_write: path is NULL");
        return CEP_EARG;
    }
    if (!fmt_valid(fmt)) {
        cep_errf(err, errlen, "%s: unknown number format %d", path, (int)fmt);
        return CEP_EARG;
    }
    int st = check_arrays(path, n_arrays, names, data, counts, NULL, fmt, 0, err, errlen);
    if (st != CEP_OK)
        return st;
    wfile w;
    if ((st = wf_open(&w, path, err, errlen)) != CEP_OK)
        return st;
    st = wf_header(&w, "# ", header, err, errlen);
    const int digits = cep_fmt_hex_digits(fmt);
    for (size_t a = 0; a < n_arrays && st == CEP_OK; a++)
        for (size_t i = 0; i < counts[a] && st == CEP_OK; i++)
            st = wf_printf(&w, err, errlen, "%s %zu %0*llX\n", names[a], i, digits,
                           (unsigned long long)cep_fmt_bits(fmt, data[a][i]));
    return wf_finish(&w, st, err, errlen);
}

static void upper_name(char *buf, size_t cap, const char *s)
{
    size_t k = 0;
    for (; s[k] != '\0' && k + 1 < cap; k++)
        buf[k] = (s[k] >= 'a' && s[k] <= 'z') ? (char)(s[k] - 'a' + 'A') : s[k];
    buf[k] = '\0';
}

/* Two arrays whose names differ only in case would define one NAME_LEN twice. */
static int check_len_names(const char *path, size_t n_arrays, const char *const *names,
                           char *err, size_t errlen)
{
    for (size_t a = 0; a < n_arrays; a++)
        for (size_t b = 0; b < a; b++)
            if (strcasecmp(names[a], names[b]) == 0) {
                cep_errf(err, errlen, "%s: arrays '%s' and '%s' would both define %s_LEN", path,
                        names[b], names[a], names[a]);
                return CEP_EARG;
            }
    return CEP_OK;
}

int cep_cheader_write(const char *path, const char *guard, const char *header, size_t n_arrays,
                      const char *const *names, const double *const *data, const size_t *counts,
                      const cep_fmt *fmts, char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (path == NULL) {
        cep_errf(err, errlen, "cep_cheader_write: path is NULL");
        return CEP_EARG;
    }
    if (n_arrays > 0 && fmts == NULL) {
        cep_errf(err, errlen, "%s: fmts is NULL", path);
        return CEP_EARG;
    }
    if (!is_ident(guard)) {
        cep_errf(err, errlen, "%s: include guard '" VF_QUOTE "' is not a C identifier", path,
                guard != NULL ? guard : "(null)");
        return CEP_EARG;
    }
    int st;
    if (header != NULL && strstr(header, "*/") != NULL) {
        cep_errf(err, errlen, "%s: the header text contains \"*/\", which would end its comment",
                path);
        return CEP_EARG;
    }
    if ((st = check_arrays(path, n_arrays, names, data, counts, fmts, CEP_FMT_BINARY64, 1, err,
                           errlen)) != CEP_OK ||
        (st = check_len_names(path, n_arrays, names, err, errlen)) != CEP_OK)
        return st;
    wfile w;
    if ((st = wf_open(&w, path, err, errlen)) != CEP_OK)
        return st;
    if (header != NULL && header[0] != '\0') {
        st = wf_printf(&w, err, errlen, "/*\n");
        if (st == CEP_OK)
            st = wf_header(&w, " * ", header, err, errlen);
        if (st == CEP_OK)
            st = wf_printf(&w, err, errlen, " */\n");
    }
    if (st == CEP_OK)
        st = wf_printf(&w, err, errlen, "#ifndef %s\n#define %s\n\n#include <stdint.h>\n", guard,
                       guard);
    for (size_t a = 0; a < n_arrays && st == CEP_OK; a++) {
        const cep_fmt fa = fmts[a];
        const int digits = cep_fmt_hex_digits(fa);
        const int width = digits * 4;
        char up[256];
        upper_name(up, sizeof up, names[a]);
        size_t cnt = counts[a];
        /* C has no zero-length arrays: an empty one holds one padding 0. */
        st = wf_printf(&w, err, errlen, "\n#define %s_LEN %zu\nstatic const uint%d_t %s[%zu] = {%s",
                       up, cnt, width, names[a], cnt > 0 ? cnt : 1,
                       cnt > 0 ? "" : " 0u /* empty: padding only */ };\n");
        for (size_t i = 0; i < cnt && st == CEP_OK; i++)
            st = wf_printf(&w, err, errlen, "%s0x%0*llXu%s", i % 4 == 0 ? "\n    " : " ", digits,
                           (unsigned long long)cep_fmt_bits(fa, data[a][i]),
                           i + 1 < cnt ? "," : "\n};\n");
    }
    if (st == CEP_OK)
        st = wf_printf(&w, err, errlen, "\n#endif /* %s */\n", guard);
    return wf_finish(&w, st, err, errlen);
}

/* ---- SHA-256 ------------------------------------------------------------------------------- */

int cep_text_write_atomic(const char *path, const char *text, char *err, size_t errlen)
{
    if (path == NULL || text == NULL) {
        cep_errf(err, errlen, "cep_text_write_atomic: %s is NULL", path == NULL ? "path" : "text");
        return CEP_EARG;
    }
    wfile w;
    int st = wf_open(&w, path, err, errlen);
    if (st != CEP_OK)
        return st;
    st = wf_put(&w, text, strlen(text), err, errlen);
    return wf_finish(&w, st, err, errlen);
}

int cep_bytes_write_atomic(const char *path, const void *bytes, size_t n, char *err, size_t errlen)
{
    if (path == NULL || (bytes == NULL && n > 0)) {
        cep_errf(err, errlen, "cep_bytes_write_atomic: %s is NULL", path == NULL ? "path" : "bytes");
        return CEP_EARG;
    }
    wfile w;
    int st = wf_open(&w, path, err, errlen);
    if (st != CEP_OK)
        return st;
    st = wf_put(&w, bytes, n, err, errlen);
    return wf_finish(&w, st, err, errlen);
}

static int tree_remove_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

int cep_tree_remove(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, tree_remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int cep_dir_replace(const char *fresh, const char *target, char *err, size_t errlen)
{
    struct stat st;
    if (stat(target, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            cep_errf(err, errlen, "%s: exists and is not a directory", target);
            cep_tree_remove(fresh);
            return CEP_EVF_IO;
        }
#ifdef RENAME_EXCHANGE
        if (renameat2(AT_FDCWD, fresh, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
            cep_tree_remove(fresh);           /* now holds the previous directory */
            return CEP_OK;
        }
#endif
        char old[4200];
        int w = snprintf(old, sizeof old, "%s.old-%ld", target, (long)getpid());
        if (w < 0 || (size_t)w >= sizeof old || rename(target, old) != 0) {
            cep_errf(err, errlen, "%s: cannot move the previous directory aside: %s", target,
                     strerror(errno));
            cep_tree_remove(fresh);
            return CEP_EVF_IO;
        }
        if (rename(fresh, target) != 0) {
            cep_errf(err, errlen, "%s: cannot rename %s into place: %s", target, fresh,
                     strerror(errno));
            rename(old, target);
            cep_tree_remove(fresh);
            return CEP_EVF_IO;
        }
        cep_tree_remove(old);
        return CEP_OK;
    }
    if (rename(fresh, target) != 0) {
        cep_errf(err, errlen, "%s: cannot rename %s into place: %s", target, fresh, strerror(errno));
        cep_tree_remove(fresh);
        return CEP_EVF_IO;
    }
    return CEP_OK;
}

int cep_mkdir_p(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n >= sizeof buf) {
        cep_errf(err, errlen, "%.60s: directory name empty or too long", path ? path : "(null)");
        return CEP_EARG;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (buf[i] == '/' || buf[i] == '\0') {
            char ch = buf[i];
            buf[i] = '\0';
            struct stat sb;
            if (mkdir(buf, 0777) != 0 && !(errno == EEXIST && stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))) {
                cep_errf(err, errlen, "%s: cannot create directory: %s", buf,
                         errno == EEXIST ? "a file of that name exists" : strerror(errno));
                return CEP_EVF_OPEN;
            }
            buf[i] = ch;
        }
    return CEP_OK;
}

int cep_sha256_file(char hex[65], const char *path, char *err, size_t errlen)
{
    clear_err(err, errlen);
    if (hex == NULL || path == NULL) {
        cep_errf(err, errlen, "cep_sha256_file: %s is NULL", hex == NULL ? "hex" : "path");
        return CEP_EARG;
    }
    hex[0] = '\0';
    FILE *f;
    int st = open_read(&f, NULL, path, err, errlen);
    if (st != CEP_OK)
        return st;
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, got, buf);
    if (ferror(f)) {
        cep_errf(err, errlen, "%s: read error: %s", path, strerror(errno));
        fclose(f);
        return CEP_EVF_IO;
    }
    fclose(f);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof d; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * SHA256_DIGEST_SIZE] = '\0';
    return CEP_OK;
}
