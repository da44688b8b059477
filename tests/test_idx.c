/* test_idx.c -- the IDX reader (src/apps/idx.h) on fixtures written at run
 * time into a fresh temporary directory, plain and gzip-compressed, and on
 * the real Fashion-MNIST files when the Debian package is installed.
 *
 * Every malformed file must give its own status and a one-line message that
 * names the file and says what is wrong; the loader must leave nothing
 * allocated on failure (run under ASan and valgrind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "tmpdir.h"
#include "apps/idx.h"
#include "apps/train.h"

/* The fixture directory, made by the group setup and removed afterwards. */
static char tmpdir[256];

#define PATH_LEN 512
#define ERR_LEN 512

static void path_of(char *buf, const char *name)
{
    int w = snprintf(buf, PATH_LEN, "%s/%s", tmpdir, name);
    assert_true(w > 0 && w < PATH_LEN);
}

/* Write n bytes to tmpdir/name, through zlib's gzip writer when gz is set. */
static void write_fixture(const char *name, const unsigned char *bytes, size_t n, int gz)
{
    char p[PATH_LEN];
    path_of(p, name);
    if (gz) {
        gzFile f = gzopen(p, "wb");
        assert_non_null(f);
        if (n > 0)
            assert_int_equal(gzwrite(f, bytes, (unsigned)n), (int)n);
        assert_int_equal(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        if (n > 0)
            assert_int_equal(fwrite(bytes, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
    }
}

/* Read tmpdir/name back whole (to damage gzip files byte by byte). */
static size_t read_fixture(const char *name, unsigned char *buf, size_t cap)
{
    char p[PATH_LEN];
    path_of(p, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    assert_true(n < cap);
    fclose(f);
    return n;
}

static void make_subdir(const char *name)
{
    char p[PATH_LEN];
    path_of(p, name);
    assert_int_equal(mkdir(p, 0700), 0);
}

/* An IDX file in memory: magic 00 00 type nd, nd big-endian sizes, data. */
static size_t make_idx(unsigned char *buf, unsigned type, unsigned nd, const uint32_t *dims,
                       const unsigned char *data, size_t n)
{
    size_t k = 0;
    buf[k++] = 0;
    buf[k++] = 0;
    buf[k++] = (unsigned char)type;
    buf[k++] = (unsigned char)nd;
    for (unsigned i = 0; i < nd; i++) {
        buf[k++] = (unsigned char)(dims[i] >> 24);
        buf[k++] = (unsigned char)(dims[i] >> 16);
        buf[k++] = (unsigned char)(dims[i] >> 8);
        buf[k++] = (unsigned char)dims[i];
    }
    if (n > 0)
        memcpy(buf + k, data, n);
    return k + n;
}

/* The two small data sets every test starts from: three 2x2 images and
 * their three labels.  Pixel values 0, 51, 255 check the scaling by 255. */
static const unsigned char img_data[12] = {0, 51, 255, 102, 1, 2, 3, 4, 250, 251, 252, 253};
static const uint32_t img_dims[3] = {3, 2, 2};
static const unsigned char lab_data[3] = {2, 0, 1};
static const uint32_t lab_dims[1] = {3};

static void write_images(const char *name, int gz)
{
    unsigned char b[64];
    write_fixture(name, b, make_idx(b, 0x08, 3, img_dims, img_data, 12), gz);
}

static void write_labels(const char *name, int gz)
{
    unsigned char b[64];
    write_fixture(name, b, make_idx(b, 0x08, 1, lab_dims, lab_data, 3), gz);
}

/* The error text must be one line holding the path and the key word. */
static void check_message(const char *err, const char *path, const char *word)
{
    if (strstr(err, path) == NULL || strstr(err, word) == NULL || strchr(err, '\n') != NULL) {
        print_error("message \"%s\" lacks the path \"%s\" or the word \"%s\"\n", err, path, word);
        fail();
    }
}

/* Load tmpdir/name, expect status code and a message with word; the output
 * must come back empty. */
static void expect_load_error(const char *name, size_t max_items, int code, const char *word)
{
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, name);
    cep_idx r;
    memset(&r, 0x5a, sizeof r);
    int st = cep_idx_load(&r, p, max_items, err, sizeof err);
    if (st != code) {
        print_error("%s: status %d, expected %d (message \"%s\")\n", name, st, code, err);
        fail();
    }
    check_message(err, p, word);
    assert_null(r.data);
    assert_int_equal(r.n_items, 0);
    assert_int_equal(r.n_dims, 0);
    cep_idx_free(&r);
}

/* Write bytes as name (plain) and name.gz (gzip), expect the same failure
 * from both: zlib's pass-through must not change what the reader sees. */
static void expect_error_both(const char *name, const unsigned char *b, size_t n, size_t max_items,
                              int code, const char *word)
{
    char gzname[128];
    snprintf(gzname, sizeof gzname, "%s.gz", name);
    write_fixture(name, b, n, 0);
    write_fixture(gzname, b, n, 1);
    expect_load_error(name, max_items, code, word);
    expect_load_error(gzname, max_items, code, word);
}

static int setup_tmpdir(void **state)
{
    (void)state;
    return test_tmpdir_make(tmpdir, sizeof tmpdir, "idx");
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    return test_tree_remove(tmpdir);
}

/* ---- values -------------------------------------------------------------- */

static void check_images(const cep_idx *r, size_t n_items)
{
    assert_int_equal(r->n_dims, 3);
    assert_int_equal(r->dims[0], 3);
    assert_int_equal(r->dims[1], 2);
    assert_int_equal(r->dims[2], 2);
    assert_int_equal(r->item_size, 4);
    assert_int_equal(r->n_items, n_items);
    assert_non_null(r->data);
    assert_memory_equal(r->data, img_data, n_items * 4);
}

/* The bytes written come back exactly, from plain and from gzip files. */
static void test_load_plain_and_gzip_values_exact(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    cep_idx r;
    for (int gz = 0; gz <= 1; gz++) {
        const char *iname = gz ? "vals-images.gz" : "vals-images";
        const char *lname = gz ? "vals-labels.gz" : "vals-labels";
        write_images(iname, gz);
        write_labels(lname, gz);
        path_of(p, iname);
        assert_int_equal(cep_idx_load(&r, p, 0, err, sizeof err), CEP_OK);
        assert_string_equal(err, "");
        check_images(&r, 3);
        cep_idx_free(&r);
        assert_null(r.data);
        path_of(p, lname);
        assert_int_equal(cep_idx_load(&r, p, 0, err, sizeof err), CEP_OK);
        assert_int_equal(r.n_dims, 1);
        assert_int_equal(r.dims[0], 3);
        assert_int_equal(r.item_size, 1);
        assert_int_equal(r.n_items, 3);
        assert_memory_equal(r.data, lab_data, 3);
        cep_idx_free(&r);
    }
}

/* 4-dimensional files (the format's upper limit here) load too. */
static void test_load_four_dimensions(void **state)
{
    (void)state;
    const uint32_t dims[4] = {2, 1, 3, 2};
    unsigned char data[12], b[64];
    for (int i = 0; i < 12; i++)
        data[i] = (unsigned char)(200 + i);
    write_fixture("four-dims", b, make_idx(b, 0x08, 4, dims, data, 12), 0);
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "four-dims");
    cep_idx r;
    assert_int_equal(cep_idx_load(&r, p, 0, err, sizeof err), CEP_OK);
    assert_int_equal(r.n_dims, 4);
    assert_int_equal(r.item_size, 6);
    assert_int_equal(r.n_items, 2);
    assert_memory_equal(r.data, data, 12);
    cep_idx_free(&r);
}

/* max_items loads a prefix; above the count it loads everything. */
static void test_max_items_loads_a_prefix(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    cep_idx r;
    for (int gz = 0; gz <= 1; gz++) {
        const char *name = gz ? "max-images.gz" : "max-images";
        write_images(name, gz);
        path_of(p, name);
        const size_t asked[4] = {1, 2, 3, 1000};
        const size_t loaded[4] = {1, 2, 3, 3};
        for (int i = 0; i < 4; i++) {
            assert_int_equal(cep_idx_load(&r, p, asked[i], err, sizeof err), CEP_OK);
            check_images(&r, loaded[i]);
            cep_idx_free(&r);
        }
    }
}

/* A limited read stops at the last item asked for: whatever follows (here
 * trailing garbage, or data missing after item 0) is not looked at. */
static void test_max_items_does_not_read_to_the_end(void **state)
{
    (void)state;
    unsigned char b[64], data[13];
    memcpy(data, img_data, 12);
    data[12] = 0xee;
    size_t n = make_idx(b, 0x08, 3, img_dims, data, 13);
    write_fixture("prefix-trailing", b, n, 0);
    write_fixture("prefix-short", b, n - 9, 0); /* items 1 and 2 incomplete */
    char p[PATH_LEN], err[ERR_LEN];
    cep_idx r;
    path_of(p, "prefix-trailing");
    assert_int_equal(cep_idx_load(&r, p, 2, err, sizeof err), CEP_OK);
    check_images(&r, 2);
    cep_idx_free(&r);
    path_of(p, "prefix-short");
    assert_int_equal(cep_idx_load(&r, p, 1, err, sizeof err), CEP_OK);
    check_images(&r, 1);
    cep_idx_free(&r);
    expect_load_error("prefix-short", 2, CEP_EIDX_TRUNC, "truncated");
}

/* ---- malformed files: one status each, path and key word in the text ---- */

/* Nonzero first bytes: not an IDX file at all (here a PNG signature). */
static void test_bad_magic_nonzero_first_bytes(void **state)
{
    (void)state;
    const unsigned char png[16] = {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
    expect_error_both("magic-png", png, sizeof png, 0, CEP_EIDX_MAGIC, "bad magic 0x89504e47");
    unsigned char b[64];
    size_t n = make_idx(b, 0x08, 1, lab_dims, lab_data, 3);
    b[1] = 0x01;
    expect_error_both("magic-byte1", b, n, 0, CEP_EIDX_MAGIC, "bad magic 0x00010801");
}

/* The other IDX element types are refused by name, not read as bytes. */
static void test_bad_magic_unsupported_types(void **state)
{
    (void)state;
    unsigned char b[64];
    size_t n = make_idx(b, 0x0D, 3, img_dims, img_data, 12);
    expect_error_both("type-0d", b, n, 0, CEP_EIDX_MAGIC, "bad magic 0x00000d03");
    expect_load_error("type-0d", 0, CEP_EIDX_MAGIC, "0x0D (32-bit floats) is not supported");
    const unsigned types[6] = {0x00, 0x07, 0x09, 0x0B, 0x0C, 0x0E};
    for (int i = 0; i < 6; i++) {
        n = make_idx(b, types[i], 1, lab_dims, lab_data, 3);
        write_fixture("type-other", b, n, 0);
        expect_load_error("type-other", 0, CEP_EIDX_MAGIC, "bad magic");
        expect_load_error("type-other", 0, CEP_EIDX_MAGIC, "expected 0x0000080N: unsigned bytes");
    }
}

/* Zero-sized dimensions, in the item count or inside an item. */
static void test_zero_dimension(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t d2[3] = {3, 2, 0}, d0[3] = {0, 2, 2};
    expect_error_both("dim2-zero", b, make_idx(b, 0x08, 3, d2, img_data, 12), 0, CEP_EIDX_DIM,
                      "dimension 2 is 0 (sizes 3*2*0)");
    expect_error_both("dim0-zero", b, make_idx(b, 0x08, 3, d0, NULL, 0), 0, CEP_EIDX_DIM,
                      "dimension 0 is 0");
}

/* The number of dimensions must be 1..4: 0 and 5 are refused. */
static void test_zero_or_five_dimensions(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t d5[5] = {1, 1, 1, 1, 2};
    expect_error_both("ndims-0", b, make_idx(b, 0x08, 0, NULL, img_data, 12), 0, CEP_EIDX_NDIMS,
                      "0 dimensions (expected 1 to 4)");
    expect_error_both("ndims-5", b, make_idx(b, 0x08, 5, d5, img_data, 2), 0, CEP_EIDX_NDIMS,
                      "5 dimensions (expected 1 to 4)");
}

/* The header ends inside the magic number or inside the sizes. */
static void test_truncated_header(void **state)
{
    (void)state;
    unsigned char b[64];
    make_idx(b, 0x08, 3, img_dims, img_data, 12);
    expect_error_both("head-3", b, 3, 0, CEP_EIDX_TRUNC, "truncated header: 4 bytes");
    expect_error_both("head-10", b, 10, 0, CEP_EIDX_TRUNC,
                      "truncated header: 16 bytes expected, 10 read");
}

/* The data end before the declared item count. */
static void test_truncated_data(void **state)
{
    (void)state;
    unsigned char b[64];
    size_t n = make_idx(b, 0x08, 3, img_dims, img_data, 12);
    expect_error_both("data-short", b, n - 1, 0, CEP_EIDX_TRUNC,
                      "truncated: 12 data bytes expected, 11 read");
    expect_error_both("data-none", b, 16, 0, CEP_EIDX_TRUNC,
                      "truncated: 12 data bytes expected, 0 read");
}

/* Bytes after the declared data: an error when the whole file is read
 * (max_items 0, or at least the item count). */
static void test_trailing_data(void **state)
{
    (void)state;
    unsigned char b[64], data[14];
    memcpy(data, img_data, 12);
    data[12] = data[13] = 0;
    size_t n = make_idx(b, 0x08, 3, img_dims, data, 14);
    expect_error_both("trailing", b, n, 0, CEP_EIDX_TRAILING, "trailing data after the last item");
    expect_load_error("trailing", 3, CEP_EIDX_TRAILING, "trailing data");
    expect_load_error("trailing.gz", 7, CEP_EIDX_TRAILING, "trailing data");
}

/* Sizes are refused from the header, before any allocation: 2^31 cubed
 * would overflow 64 bits; just above 2^31 bytes is over the limit, exactly
 * 2^31 is allowed (and only the first item is then read). */
static void test_size_overflow(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t huge[3] = {0x80000000u, 0x80000000u, 0x80000000u};
    expect_error_both("size-huge", b, make_idx(b, 0x08, 3, huge, img_data, 12), 0, CEP_EIDX_SIZE,
                      "size 2147483648*2147483648*2147483648 overflows");
    const uint32_t over[2] = {65536, 32769}, one_over[1] = {0x80000001u};
    const uint32_t max4[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
    expect_error_both("size-over", b, make_idx(b, 0x08, 2, over, img_data, 12), 1, CEP_EIDX_SIZE,
                      "size 65536*32769 overflows the limit of 2^31 bytes");
    expect_error_both("size-over1", b, make_idx(b, 0x08, 1, one_over, img_data, 12), 1,
                      CEP_EIDX_SIZE, "overflows");
    expect_error_both("size-max4", b, make_idx(b, 0x08, 4, max4, img_data, 12), 1, CEP_EIDX_SIZE,
                      "overflows");
    const uint32_t limit[2] = {32768, 65536};
    write_fixture("size-limit", b, make_idx(b, 0x08, 2, limit, img_data, 12), 0);
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "size-limit");
    cep_idx r;
    assert_int_equal(cep_idx_load(&r, p, 1, err, sizeof err), CEP_EIDX_TRUNC); /* 12 < 65536 */
    check_message(err, p, "truncated: 65536 data bytes expected, 12 read");
    const uint32_t limit1[1] = {0x80000000u};
    write_fixture("size-limit1", b, make_idx(b, 0x08, 1, limit1, img_data, 12), 0);
    path_of(p, "size-limit1");
    assert_int_equal(cep_idx_load(&r, p, 1, err, sizeof err), CEP_OK);
    assert_int_equal(r.dims[0], (size_t)1 << 31);
    assert_int_equal(r.n_items, 1);
    assert_int_equal(r.data[0], img_data[0]);
    cep_idx_free(&r);
}

/* A header that declares the limit, 2^31 bytes, over 12 data bytes, read
 * whole: truncated, and the buffer grows with the bytes read, so that the
 * 20-byte file does not cost 2 GB (tests/fuzz/fuzz_idx found the up-front
 * malloc: libFuzzer's malloc limit; corpus/idx/regress-2g-header.idx). */
static void test_declared_size_is_not_allocated_up_front(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t limit1[1] = {0x80000000u}, limit3[3] = {2048, 1024, 1024};
    expect_error_both("declared-2g", b, make_idx(b, 0x08, 1, limit1, img_data, 12), 0,
                      CEP_EIDX_TRUNC, "truncated: 2147483648 data bytes expected, 12 read");
    expect_error_both("declared-2g-3d", b, make_idx(b, 0x08, 3, limit3, img_data, 12), 0,
                      CEP_EIDX_TRUNC, "truncated: 2147483648 data bytes expected, 12 read");
}

/* A path that does not exist, and a directory, cannot be opened. */
static void test_missing_file_and_directory(void **state)
{
    (void)state;
    expect_load_error("no-such-file", 0, CEP_EIDX_OPEN, "cannot open: No such file or directory");
    make_subdir("a-directory");
    expect_load_error("a-directory", 0, CEP_EIDX_OPEN, "cannot open: Is a directory");
}

/* A valid gzip header followed by garbage: zlib's message is passed on. */
static void test_corrupt_gzip(void **state)
{
    (void)state;
    const unsigned char bad[24] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03,
                                   0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8,
                                   0xf7, 0xf6, 0xf5, 0xf4, 0xf3, 0xf2};
    write_fixture("garbage.gz", bad, sizeof bad, 0);
    expect_load_error("garbage.gz", 0, CEP_EIDX_GZIP, "not gzip or corrupt: invalid block type");
    expect_load_error("garbage.gz", 1, CEP_EIDX_GZIP, "not gzip or corrupt");
}

/* A gzip file cut short, and one whose CRC does not match its data. */
static void test_truncated_and_crc_damaged_gzip(void **state)
{
    (void)state;
    unsigned char z[256];
    write_images("whole.gz", 1);
    size_t n = read_fixture("whole.gz", z, sizeof z);
    assert_true(n > 18);
    write_fixture("cut.gz", z, n - 10, 0); /* inside the 8-byte trailer or before */
    expect_load_error("cut.gz", 0, CEP_EIDX_GZIP, "not gzip or corrupt: unexpected end of file");
    z[n - 8] ^= 0x01; /* first byte of the CRC-32 */
    write_fixture("crc.gz", z, n, 0);
    expect_load_error("crc.gz", 0, CEP_EIDX_GZIP, "not gzip or corrupt: incorrect data check");
}

/* An empty file, plain or an empty gzip stream. */
static void test_empty_file(void **state)
{
    (void)state;
    expect_error_both("empty", NULL, 0, 0, CEP_EIDX_EMPTY, "empty file");
    expect_load_error("empty", 1, CEP_EIDX_EMPTY, "empty file");
}

/* Deterministic random damage to valid files, plain and gzip: every load
 * either succeeds or fails cleanly with a message naming the file (the
 * sanitizers and valgrind check "cleanly"). */
static void test_random_damage_never_crashes(void **state)
{
    (void)state;
    unsigned char plain[64], z[256], b[256];
    size_t np = make_idx(plain, 0x08, 3, img_dims, img_data, 12);
    write_images("fuzz-src.gz", 1);
    size_t nz = read_fixture("fuzz-src.gz", z, sizeof z);
    uint64_t s = 0x9e3779b97f4a7c15u;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "fuzz");
    int ok = 0, failed = 0;
    for (int it = 0; it < 400; it++) {
        int gz = it & 1;
        size_t n = gz ? nz : np;
        memcpy(b, gz ? z : plain, n);
        s = s * 6364136223846793005u + 1442695040888963407u;
        int flips = 1 + (int)((s >> 60) & 3);
        for (int k = 0; k < flips; k++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            b[(s >> 33) % n] = (unsigned char)(s >> 13);
        }
        s = s * 6364136223846793005u + 1442695040888963407u;
        if ((s >> 62) == 0)
            n = (size_t)((s >> 20) % n); /* also cut it */
        write_fixture("fuzz", b, n, 0);
        cep_idx r;
        int st = cep_idx_load(&r, p, (size_t)(it % 3), err, sizeof err);
        if (st == CEP_OK) {
            assert_non_null(r.data);
            assert_true(r.n_items >= 1 && r.n_items <= r.dims[0]);
            ok++;
        } else {
            assert_true(st < -100 || st == CEP_ENOMEM);
            assert_null(r.data);
            check_message(err, p, ": ");
            failed++;
        }
        cep_idx_free(&r);
    }
    assert_true(ok > 0 && failed > 0);
}

/* Tiny or absent error buffers are respected; NULL arguments are refused. */
static void test_error_buffer_and_null_arguments(void **state)
{
    (void)state;
    char p[PATH_LEN], err[8];
    cep_idx r;
    path_of(p, "no-such-file");
    memset(err, 'x', sizeof err);
    assert_int_equal(cep_idx_load(&r, p, 0, err, 5), CEP_EIDX_OPEN);
    assert_int_equal(strlen(err), 4);
    assert_int_equal(err[5], 'x');
    assert_int_equal(cep_idx_load(&r, p, 0, NULL, 0), CEP_EIDX_OPEN);
    assert_int_equal(cep_idx_load(NULL, p, 0, NULL, 0), CEP_EARG);
    assert_int_equal(cep_idx_load(&r, NULL, 0, err, sizeof err), CEP_EARG);
    char found[PATH_LEN];
    assert_int_equal(cep_idx_find(NULL, 10, tmpdir, "x", NULL, 0), CEP_EARG);
    assert_int_equal(cep_idx_find(found, sizeof found, NULL, "x", NULL, 0), CEP_EARG);
    assert_int_equal(cep_idx_find(found, sizeof found, tmpdir, NULL, NULL, 0), CEP_EARG);
    double x[4], y[3];
    assert_int_equal(cep_idx_first_example(NULL, 4, y, 3, tmpdir, NULL, 0), CEP_EARG);
    assert_int_equal(cep_idx_first_example(x, 4, NULL, 3, tmpdir, NULL, 0), CEP_EARG);
    assert_int_equal(cep_idx_first_example(x, 4, y, 3, NULL, NULL, 0), CEP_EARG);
    cep_idx_free(NULL);
    memset(&r, 0, sizeof r);
    cep_idx_free(&r);
    cep_idx_free(&r);
}

/* Each status has its own text; other codes fall through to cep_strerror. */
static void test_status_texts(void **state)
{
    (void)state;
    for (int a = CEP_EIDX_COUNT; a <= CEP_EIDX_OPEN; a++)
        for (int b = CEP_EIDX_COUNT; b < a; b++)
            assert_true(strcmp(cep_idx_strerror(a), cep_idx_strerror(b)) != 0);
    assert_string_equal(cep_idx_strerror(CEP_ENOMEM), cep_strerror(CEP_ENOMEM));
    assert_string_equal(cep_idx_strerror(-100), "unknown status");
}

/* ---- finding the files ------------------------------------------------ */

/* "<stem>", "<stem>.gz", the dotted MNIST spelling and its .gz, in this
 * order; a miss names the directory and all four names. */
static void test_find_tries_the_four_names(void **state)
{
    (void)state;
    make_subdir("find");
    char dir[PATH_LEN], want[PATH_LEN], found[PATH_LEN], err[ERR_LEN];
    path_of(dir, "find");
    const char *stem = "train-images-idx3-ubyte";
    assert_int_equal(cep_idx_find(found, sizeof found, dir, stem, err, sizeof err),
                     CEP_EIDX_NOTFOUND);
    check_message(err, dir, "none of train-images-idx3-ubyte, train-images-idx3-ubyte.gz, "
                            "train-images.idx3-ubyte, train-images.idx3-ubyte.gz found");
    assert_string_equal(found, "");
    const char *order[4] = {"find/train-images.idx3-ubyte.gz", "find/train-images.idx3-ubyte",
                            "find/train-images-idx3-ubyte.gz", "find/train-images-idx3-ubyte"};
    for (int i = 0; i < 4; i++) { /* each new file takes precedence over the earlier ones */
        write_images(order[i], 0);
        path_of(want, order[i]);
        assert_int_equal(cep_idx_find(found, sizeof found, dir, stem, err, sizeof err), CEP_OK);
        assert_string_equal(found, want);
    }
    /* the dotted stem finds the dashed name; a trailing slash adds none */
    char dir_slash[PATH_LEN + 1];
    snprintf(dir_slash, sizeof dir_slash, "%s/", dir);
    assert_int_equal(cep_idx_find(found, sizeof found, dir_slash, "train-images.idx3-ubyte", err,
                                  sizeof err), CEP_OK);
    path_of(want, "find/train-images.idx3-ubyte");
    assert_string_equal(found, want);
    /* too small a buffer for the path */
    assert_int_equal(cep_idx_find(found, 10, dir, stem, err, sizeof err), CEP_EARG);
    check_message(err, dir, "does not fit in 10 bytes");
    /* a directory that is not there */
    path_of(dir, "not-a-dir");
    assert_int_equal(cep_idx_find(found, sizeof found, dir, stem, err, sizeof err),
                     CEP_EIDX_NOTFOUND);
    check_message(err, dir, "cannot open directory: No such file or directory");
}

/* ---- the first training example ------------------------------------------ */

/* x = pixels / 255 (255 -> 1.0, 0 -> 0.0, 51 -> 0.2), y one-hot at label 0;
 * images plain and labels gzip in the same directory. */
static void test_first_example_scaling_and_one_hot(void **state)
{
    (void)state;
    make_subdir("first");
    write_images("first/train-images-idx3-ubyte", 0);
    write_labels("first/train-labels-idx1-ubyte.gz", 1);
    char dir[PATH_LEN], err[ERR_LEN];
    path_of(dir, "first");
    double x[4] = {-1, -1, -1, -1}, y[3] = {-1, -1, -1};
    assert_int_equal(cep_idx_first_example(x, 4, y, 3, dir, err, sizeof err), CEP_OK);
    assert_true(x[0] == 0.0);
    assert_true(x[1] == 0.2);
    assert_true(x[2] == 1.0);
    assert_true(x[3] == 0.4);
    assert_true(y[0] == 0.0 && y[1] == 0.0 && y[2] == 1.0);
}

/* Sets up dir "name" with the images and labels given (NULL: standard). */
static void make_pair(const char *name, const unsigned char *img, size_t ni,
                      const unsigned char *lab, size_t nl)
{
    char p[PATH_LEN];
    make_subdir(name);
    unsigned char b[64];
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte", name);
    if (img != NULL)
        write_fixture(p, img, ni, 0);
    else
        write_fixture(p, b, make_idx(b, 0x08, 3, img_dims, img_data, 12), 0);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte", name);
    if (lab != NULL)
        write_fixture(p, lab, nl, 0);
    else
        write_fixture(p, b, make_idx(b, 0x08, 1, lab_dims, lab_data, 3), 0);
}

/* Expect cep_idx_first_example on dir "name" to fail with code, a message
 * naming file (relative to tmpdir) and word, and x, y untouched. */
static void expect_first_error(const char *name, const char *file, size_t nx, size_t ny, int code,
                               const char *word)
{
    char dir[PATH_LEN], p[PATH_LEN], err[ERR_LEN];
    path_of(dir, name);
    path_of(p, file);
    double x[8], y[8];
    for (int i = 0; i < 8; i++)
        x[i] = y[i] = -1;
    int st = cep_idx_first_example(x, nx, y, ny, dir, err, sizeof err);
    if (st != code) {
        print_error("%s: status %d, expected %d (message \"%s\")\n", name, st, code, err);
        fail();
    }
    check_message(err, p, word);
    for (int i = 0; i < 8; i++)
        assert_true(x[i] == -1 && y[i] == -1);
}

/* Label 2 needs ny >= 3. */
static void test_first_example_label_not_below_ny(void **state)
{
    (void)state;
    make_pair("fe-label", NULL, 0, NULL, 0);
    expect_first_error("fe-label", "fe-label/train-labels-idx1-ubyte", 4, 2, CEP_EIDX_LABEL,
                       "label 2 of item 0 is not below ny = 2");
}

/* 2x2 images need nx = 4. */
static void test_first_example_nx_mismatch(void **state)
{
    (void)state;
    make_pair("fe-nx", NULL, 0, NULL, 0);
    expect_first_error("fe-nx", "fe-nx/train-images-idx3-ubyte", 5, 3, CEP_EIDX_SHAPE,
                       "images of 2x2 = 4 pixels, but the network has nx = 5 inputs");
}

/* 3 images but 2 labels: not a pair. */
static void test_first_example_count_mismatch(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t two[1] = {2};
    size_t n = make_idx(b, 0x08, 1, two, lab_data, 2);
    make_pair("fe-count", NULL, 0, b, n);
    expect_first_error("fe-count", "fe-count/train-images-idx3-ubyte", 4, 3, CEP_EIDX_COUNT,
                       "has 3 images but");
    expect_first_error("fe-count", "fe-count/train-labels-idx1-ubyte", 4, 3, CEP_EIDX_COUNT,
                       "has 2 labels");
}

/* Images must have 3 dimensions and labels 1; a missing file is named. */
static void test_first_example_dimensions_and_missing_files(void **state)
{
    (void)state;
    unsigned char b[64];
    const uint32_t flat[2] = {3, 4};
    size_t n = make_idx(b, 0x08, 2, flat, img_data, 12);
    make_pair("fe-flat", b, n, NULL, 0);
    expect_first_error("fe-flat", "fe-flat/train-images-idx3-ubyte", 4, 3, CEP_EIDX_SHAPE,
                       "2 dimensions (expected 3: images, rows, columns)");
    make_pair("fe-lab2", NULL, 0, b, n);
    expect_first_error("fe-lab2", "fe-lab2/train-labels-idx1-ubyte", 4, 3, CEP_EIDX_SHAPE,
                       "2 dimensions (expected 1: labels)");
    make_subdir("fe-none");
    expect_first_error("fe-none", "fe-none", 4, 3, CEP_EIDX_NOTFOUND, "train-images-idx3-ubyte");
    make_subdir("fe-nolab");
    write_images("fe-nolab/train-images-idx3-ubyte.gz", 1);
    expect_first_error("fe-nolab", "fe-nolab", 4, 3, CEP_EIDX_NOTFOUND,
                       "none of train-labels-idx1-ubyte");
    make_pair("fe-badlab", NULL, 0, b, 5); /* labels file cut inside the header */
    expect_first_error("fe-badlab", "fe-badlab/train-labels-idx1-ubyte", 4, 3, CEP_EIDX_TRUNC,
                       "truncated header");
}

/* cep_dataset_load (training): every label is checked, not only item 0,
 * and the loaded set keeps the bytes (pixels / 255 happen per batch). */
static void test_dataset_load_checks_every_label(void **state)
{
    (void)state;
    make_pair("ds-ok", NULL, 0, NULL, 0);
    char dir[PATH_LEN], err[ERR_LEN];
    path_of(dir, "ds-ok");
    cep_dataset d;
    assert_int_equal(cep_dataset_load(&d, dir, "train", 4, 3, 0, err, sizeof err), CEP_OK);
    assert_int_equal(d.n, 3);
    assert_memory_equal(d.pixels, img_data, 12);
    assert_memory_equal(d.labels, lab_data, 3);
    cep_dataset_free(&d);
    unsigned char b[64];
    const unsigned char bad[3] = {0, 1, 5};
    size_t n = make_idx(b, 0x08, 1, lab_dims, bad, 3);
    make_pair("ds-lab", NULL, 0, b, n);
    path_of(dir, "ds-lab");
    assert_int_equal(cep_dataset_load(&d, dir, "train", 4, 3, 0, err, sizeof err), CEP_EIDX_LABEL);
    char p[PATH_LEN];
    path_of(p, "ds-lab/train-labels-idx1-ubyte");
    check_message(err, p, "label 5 of item 2 is not below ny = 3");
    assert_null(d.pixels);
    assert_null(d.labels);
}

/* ---- the real data set ------------------------------------------------- */

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* Debian's Fashion-MNIST: 60000 images of 28x28 and 60000 labels.  The
 * expected values were read independently with Python's gzip module:
 * label 0 is 9 (ankle boot), the labels sum to 270000 (6000 per class),
 * image 0 has pixel sum 76247 and pixel (10, 13) = 193, image 59999 has
 * pixel sum 16684. */
static void test_fashion_mnist_real_files(void **state)
{
    (void)state;
    const char *ipath = FASHION_DIR "/train-images-idx3-ubyte.gz";
    const char *lpath = FASHION_DIR "/train-labels-idx1-ubyte.gz";
    if (access(ipath, R_OK) != 0 || access(lpath, R_OK) != 0) {
        printf("note: %s not installed (Debian package dataset-fashion-mnist); skipped\n", ipath);
        skip();
    }
    char err[ERR_LEN], found[PATH_LEN];
    cep_idx r;
    assert_int_equal(cep_idx_find(found, sizeof found, FASHION_DIR, "train-images-idx3-ubyte",
                                  err, sizeof err), CEP_OK);
    assert_string_equal(found, ipath);
    assert_int_equal(cep_idx_load(&r, ipath, 1, err, sizeof err), CEP_OK);
    assert_int_equal(r.n_dims, 3);
    assert_int_equal(r.dims[0], 60000);
    assert_int_equal(r.dims[1], 28);
    assert_int_equal(r.dims[2], 28);
    assert_int_equal(r.item_size, 784);
    assert_int_equal(r.n_items, 1);
    unsigned long sum = 0;
    for (size_t i = 0; i < 784; i++)
        sum += r.data[i];
    assert_int_equal(sum, 76247);
    assert_int_equal(r.data[10 * 28 + 13], 193);
    cep_idx_free(&r);
    /* the whole images file (47 MB unpacked, 0.2 s): the last image has
     * pixel sum 16684, and the end of the file is where the header says */
    assert_int_equal(cep_idx_load(&r, ipath, 0, err, sizeof err), CEP_OK);
    assert_int_equal(r.n_items, 60000);
    sum = 0;
    for (size_t i = 59999 * 784; i < 60000 * 784; i++)
        sum += r.data[i];
    assert_int_equal(sum, 16684);
    cep_idx_free(&r);
    /* the whole labels file: trailing-data and gzip CRC checks included */
    assert_int_equal(cep_idx_load(&r, lpath, 0, err, sizeof err), CEP_OK);
    assert_int_equal(r.n_dims, 1);
    assert_int_equal(r.n_items, 60000);
    assert_int_equal(r.data[0], 9);
    sum = 0;
    for (size_t i = 0; i < r.n_items; i++)
        sum += r.data[i];
    assert_int_equal(sum, 270000);
    cep_idx_free(&r);
    double x[784], y[10];
    assert_int_equal(cep_idx_first_example(x, 784, y, 10, FASHION_DIR, err, sizeof err), CEP_OK);
    assert_true(x[10 * 28 + 13] == 193 / 255.0);
    for (int j = 0; j < 10; j++)
        assert_true(y[j] == (j == 9 ? 1.0 : 0.0));
    assert_int_equal(cep_idx_first_example(x, 784, y, 9, FASHION_DIR, err, sizeof err),
                     CEP_EIDX_LABEL);
    check_message(err, lpath, "label 9 of item 0 is not below ny = 9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_plain_and_gzip_values_exact),
        cmocka_unit_test(test_load_four_dimensions),
        cmocka_unit_test(test_max_items_loads_a_prefix),
        cmocka_unit_test(test_max_items_does_not_read_to_the_end),
        cmocka_unit_test(test_bad_magic_nonzero_first_bytes),
        cmocka_unit_test(test_bad_magic_unsupported_types),
        cmocka_unit_test(test_zero_dimension),
        cmocka_unit_test(test_zero_or_five_dimensions),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_truncated_data),
        cmocka_unit_test(test_trailing_data),
        cmocka_unit_test(test_size_overflow),
        cmocka_unit_test(test_declared_size_is_not_allocated_up_front),
        cmocka_unit_test(test_missing_file_and_directory),
        cmocka_unit_test(test_corrupt_gzip),
        cmocka_unit_test(test_truncated_and_crc_damaged_gzip),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_random_damage_never_crashes),
        cmocka_unit_test(test_error_buffer_and_null_arguments),
        cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_find_tries_the_four_names),
        cmocka_unit_test(test_first_example_scaling_and_one_hot),
        cmocka_unit_test(test_first_example_label_not_below_ny),
        cmocka_unit_test(test_first_example_nx_mismatch),
        cmocka_unit_test(test_first_example_count_mismatch),
        cmocka_unit_test(test_dataset_load_checks_every_label),
        cmocka_unit_test(test_first_example_dimensions_and_missing_files),
        cmocka_unit_test(test_fashion_mnist_real_files),
    };
    return cmocka_run_group_tests_name("idx", tests, setup_tmpdir, teardown_tmpdir);
}
