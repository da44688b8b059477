/* vfile.h -- the array files of the golden vectors (spec/vectors.md §3).
 *
 * One canonical array (binary64 numbers in memory, a shape of 1..4 axes,
 * row-major) is written to every file format of the suite, so the formats
 * cannot disagree:
 *   .npy   NumPy format version 1.0, '<f8' (binary64) or '<f4' (binary32 and
 *          bfloat16 values, which binary32 holds exactly)          (VF.NPY)
 *   .hex   Verilog $readmemh: one fixed-width upper-case word a line, the
 *          IEEE bit pattern of binary64 (16 digits), binary32 (8) or
 *          bfloat16 (4), after a `//` header that repeats the format (VF.HEX)
 *   .txt   TestFloat-style lines `name index bits`, one element a line (VF.TF)
 *   .h     a C header of `static const uint64_t/uint32_t/uint16_t` arrays (VF.H)
 * and read back from .npy, .hex and the results' text format (one number a
 * line, decimal or C99 hex float, `#` comments) (VF.RES).
 *
 * Every writer writes a temporary file in the target's directory and renames
 * it over the target only when everything was written and flushed: a failure
 * never leaves a half-written file.  Like the rest of the library nothing
 * here prints or exits: a call returns 0 or a negative status and, on
 * failure, writes one line "<path>: <what is wrong>" into err (err may be
 * NULL or errlen 0). */
#ifndef CEP_VFILE_H
#define CEP_VFILE_H

#include <stddef.h>
#include <stdint.h>
#include "cep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the array files, below -200 (cep.h's CEP_ENOMEM and
 * CEP_EARG keep their meaning). */
enum {
    CEP_EVF_OPEN = -201,    /* a file cannot be opened or created (errno's text follows) */
    CEP_EVF_IO = -202,      /* a read, write, flush or rename failed                      */
    CEP_EVF_FORMAT = -203,  /* malformed content: magic, header, a line, a number          */
    CEP_EVF_DTYPE = -204,   /* an element type other than the ones accepted               */
    CEP_EVF_SHAPE = -205,   /* a shape or element count other than the one expected        */
    CEP_EVF_INEXACT = -206, /* a value does not fit the format exactly (writers)           */
    CEP_EVF_LIMIT = -207    /* more than CEP_VF_MAX_ELEMS elements or CEP_VF_MAX_NDIM axes  */
};
const char *cep_vf_strerror(int status);

#define CEP_VF_MAX_NDIM 4
#define CEP_VF_MAX_ELEMS ((size_t)1 << 28)

/* The number format of a file's elements. */
typedef enum { CEP_FMT_BINARY64 = 0, CEP_FMT_BINARY32 = 1, CEP_FMT_BFLOAT16 = 2 } cep_fmt;
const char *cep_fmt_name(cep_fmt f);          /* "binary64", "binary32", "bfloat16" */
int cep_fmt_parse(cep_fmt *out, const char *name);

/* v rounded to the format, to nearest, ties to even, with the format's
 * subnormals and overflow to infinity (NaN stays NaN). */
double cep_fmt_round(cep_fmt f, double v);
/* The IEEE bit pattern of v in the format; v must be representable
 * (cep_fmt_round(f, v) == v or NaN).  bfloat16 is the top half of binary32. */
uint64_t cep_fmt_bits(cep_fmt f, double v);
double cep_fmt_from_bits(cep_fmt f, uint64_t bits);
int cep_fmt_hex_digits(cep_fmt f);             /* 16, 8, 4 */

/* An array read from a file: n = product of shape[0..ndim-1] values,
 * converted exactly to binary64; `dtype` is what the file held. */
typedef struct {
    size_t ndim;
    size_t shape[CEP_VF_MAX_NDIM];
    size_t n;
    cep_fmt dtype;           /* BINARY64 for '<f8' / 16-digit words, BINARY32 for '<f4', ... */
    double *data;
} cep_array;
void cep_array_free(cep_array *a);           /* frees data, empties *a; a may be NULL */

/* (VF.NPY) Write data[0..n-1] (n = product of shape) as .npy.  BINARY64 gives
 * '<f8'; BINARY32 and BFLOAT16 give '<f4' and every value must be exactly
 * representable in the format (CEP_EVF_INEXACT naming the index otherwise).
 * ndim = 0 writes a scalar (shape ()).  Header padded with spaces and '\n'
 * so that the data start at a multiple of 64 bytes. */
int cep_npy_write(const char *path, const double *data, size_t ndim, const size_t *shape,
                  cep_fmt fmt, char *err, size_t errlen);
/* Read a .npy file of '<f8' or '<f4' (also '<f2' is refused: CEP_EVF_DTYPE),
 * C order, format version 1.0 or 2.0; a header that does not parse, a
 * Fortran-ordered array, a size that disagrees with the file length: errors
 * naming the field. */
int cep_npy_read(cep_array *out, const char *path, char *err, size_t errlen);

/* (VF.HEX) $readmemh file: the lines of `header` (may be NULL; each line is
 * prefixed by "// "), then "// format <name>, shape (a, b), row-major, one
 * word per line", then one word a line. */
int cep_hex_write(const char *path, const double *data, size_t ndim, const size_t *shape,
                  cep_fmt fmt, const char *header, char *err, size_t errlen);
/* Read a $readmemh file of words of the format's width (`//` comments and
 * blank lines skipped); out gets ndim 1, shape {count}. */
int cep_hex_read(cep_array *out, const char *path, cep_fmt fmt, char *err, size_t errlen);

/* (VF.TF) TestFloat-style text: the header lines prefixed by "# ", then for
 * each array a, for each index i: "<name[a]> <i> <bits>" (bits as in .hex). */
int cep_tf_write(const char *path, const char *header, size_t n_arrays, const char *const *names,
                 const double *const *data, const size_t *counts, cep_fmt fmt,
                 char *err, size_t errlen);

/* (VF.H) A C header: include guard `guard`, the header lines as a comment,
 * then for each array `static const uintW_t <names[a]>[counts[a]] = {..};`
 * with W = 64, 32 or 16 by fmts[a] (bit patterns, 4 a line) and a
 * `#define <NAME>_LEN count`. */
int cep_cheader_write(const char *path, const char *guard, const char *header, size_t n_arrays,
                      const char *const *names, const double *const *data, const size_t *counts,
                      const cep_fmt *fmts, char *err, size_t errlen);

/* (VF.RES) Results text: one number a line (strtod syntax: decimal, C99 hex
 * float, inf, nan), blank lines and lines starting with '#' skipped; out gets
 * ndim 1, dtype BINARY64. */
int cep_text_read(cep_array *out, const char *path, char *err, size_t errlen);

/* Write text to path through a temporary file renamed over it (the same
 * guarantee as the array writers: never a half-written file). */
int cep_text_write_atomic(const char *path, const char *text, char *err, size_t errlen);

/* Write n bytes to path through a temporary file renamed over it. */
int cep_bytes_write_atomic(const char *path, const void *bytes, size_t n, char *err, size_t errlen);

/* rm -rf: remove path and everything below it (symbolic links are removed,
 * not followed); a missing path is not an error.  0, or -1 with errno. */
int cep_tree_remove(const char *path);

/* Put the complete directory `fresh` (made beside `target`, e.g. by mkdtemp
 * on "<target>.tmp-XXXXXX") in place of `target`: where the kernel can, the
 * two are exchanged in one step (renameat2 RENAME_EXCHANGE), so that target
 * always names a complete directory; otherwise the old one is moved aside
 * first.  The old directory is then removed.  On failure `fresh` is removed,
 * target is as it was, and err says why. */
int cep_dir_replace(const char *fresh, const char *target, char *err, size_t errlen);

/* mkdir -p: create path and its missing parents (mode 0777 & ~umask). */
int cep_mkdir_p(const char *path, char *err, size_t errlen);

/* SHA-256 of a file's bytes (nettle), as 64 lower-case hex digits + NUL. */
int cep_sha256_file(char hex[65], const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
