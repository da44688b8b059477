/* test_checkpoint.c -- the training checkpoint file (src/apps/checkpoint.h)
 * written and read in a fresh temporary directory.
 *
 * The round trip must be bit for bit (-0.0, subnormals, 1e308); the bytes
 * on disk are checked against the documented layout and against a CRC-32
 * computed here bit by bit, independently of zlib; every damaged file
 * (a flipped byte anywhere, truncations, an appended byte, patched fields
 * with the CRC recomputed) must give its own status, a one-line message
 * naming the file and the field, and an empty *out (run under ASan and
 * valgrind: nothing may stay allocated). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "tmpdir.h"
#include "cep.h"
#include "apps/checkpoint.h"
#include "apps/vfile.h"

static char tmpdir[256];

#define PATH_LEN 512
#define ERR_LEN 512
#define MAX_FILE 4096

/* The layout of checkpoint.h for N = 2, written out here on its own. */
#define N_TEST 2
#define OFF_VERSION 8
#define OFF_HLEN 12
#define OFF_MODEL 16
#define OFF_NLAYERS 28
#define OFF_SIZE 32                                  /* size[0..N], u64 each     */
#define OFF_EPS (OFF_SIZE + 8 * (N_TEST + 1))
#define OFF_EPOCHS (OFF_EPS + 32 + 32)               /* after 4 f64, T K batch seed */
#define OFF_P (OFF_EPOCHS + 8)
#define OFF_NHIST (OFF_P + 8 + 8 * N_TEST + 32)      /* after eta[N] and rng[4]  */
#define OFF_THETA (OFF_NHIST + 8)
#define HLEN_TEST (OFF_THETA - 16)

static void path_of(char *buf, const char *name)
{
    int w = snprintf(buf, PATH_LEN, "%s/%s", tmpdir, name);
    assert_true(w > 0 && w < PATH_LEN);
}

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* A CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) bit by bit. */
static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint64_t get_le(const unsigned char *b, unsigned k)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void put_le(unsigned char *b, uint64_t v, unsigned k)
{
    for (unsigned i = 0; i < k; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the trailing CRC after a patch. */
static void fix_crc(unsigned char *b, size_t n)
{
    put_le(b + n - 4, crc32_bitwise(b, n - 4), 4);
}

static void write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static size_t read_bytes(const char *path, unsigned char *b, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(b, 1, cap, f);
    assert_true(n < cap);
    fclose(f);
    return n;
}

/* A checkpoint of a real shape: prototypical sigmoid4 5-7-3 unless vf,
 * then prototypical-vf identity 4-3-2; theta with the boundary values first
 * (negative zero, the smallest and largest subnormals, huge, -DBL_MAX),
 * then distinct values; `rows` history rows. */
static void make_ck(cep_checkpoint *ck, int vf, uint64_t rows)
{
    static const size_t s_sym[3] = {5, 7, 3}, s_vf[3] = {4, 3, 2};
    const size_t *s = vf ? s_vf : s_sym;
    cep_shape sh;
    assert_int_equal(cep_shape_init(&sh, vf ? CEP_MODEL_PROTOTYPICAL_VF : CEP_MODEL_PROTOTYPICAL,
                                    vf ? CEP_ACT_IDENTITY : CEP_ACT_SIGMOID4, 0.5, 3, s), CEP_OK);
    memset(ck, 0, sizeof *ck);
    ck->model = vf ? CEP_MODEL_PROTOTYPICAL_VF : CEP_MODEL_PROTOTYPICAL;
    ck->activation = vf ? CEP_ACT_IDENTITY : CEP_ACT_SIGMOID4;
    ck->algorithm = 2;
    ck->n_layers = 2;
    for (int l = 0; l < 3; l++)
        ck->size[l] = s[l];
    ck->eps = 0.5;
    ck->beta = -0.125;
    ck->randbeta = 1.0;
    ck->angle_deg = 0x1.5555555555555p+5;
    ck->T = 100;
    ck->K = 10;
    ck->batch = 20;
    ck->seed = 0xFEDCBA9876543210u;
    ck->epochs_done = rows;
    ck->P = sh.P;
    ck->eta[0] = 0.1;
    ck->eta[1] = 0x1p-1074;
    ck->rng[0] = 1;
    ck->rng[1] = UINT64_MAX;
    ck->rng[2] = 0x8000000000000000u;
    ck->rng[3] = 0x0123456789ABCDEFu;
    ck->theta = malloc(sh.P * sizeof(double));
    assert_non_null(ck->theta);
    static const double special[] = {-0.0, 0x1p-1074, 0x0.fffffffffffffp-1022, 1e308, -DBL_MAX};
    for (size_t i = 0; i < sh.P; i++)
        ck->theta[i] = i < 5 ? special[i] : ((double)i - 20.0) / 3.0;
    ck->n_history = rows;
    if (rows > 0) {
        ck->history = malloc(rows * CEP_CKPT_HISTORY_COLS * sizeof(double));
        assert_non_null(ck->history);
        for (size_t i = 0; i < rows * CEP_CKPT_HISTORY_COLS; i++)
            ck->history[i] = i % CEP_CKPT_HISTORY_COLS == 0 ? (double)(i / CEP_CKPT_HISTORY_COLS + 1)
                                                            : 1.0 / (double)(i + 1);
    }
}

static void assert_zeroed(const cep_checkpoint *ck)
{
    static const cep_checkpoint zero;   /* no padding: every member is 4 or 8 bytes */
    assert_memory_equal(ck, &zero, sizeof zero);
}

static void assert_same(const cep_checkpoint *a, const cep_checkpoint *b)
{
    assert_int_equal(a->model, b->model);
    assert_int_equal(a->activation, b->activation);
    assert_int_equal(a->algorithm, b->algorithm);
    assert_int_equal(a->n_layers, b->n_layers);
    assert_memory_equal(a->size, b->size, sizeof a->size);
    assert_int_equal(bits_of(a->eps), bits_of(b->eps));
    assert_int_equal(bits_of(a->beta), bits_of(b->beta));
    assert_int_equal(bits_of(a->randbeta), bits_of(b->randbeta));
    assert_int_equal(bits_of(a->angle_deg), bits_of(b->angle_deg));
    assert_int_equal(a->T, b->T);
    assert_int_equal(a->K, b->K);
    assert_int_equal(a->batch, b->batch);
    assert_int_equal(a->seed, b->seed);
    assert_int_equal(a->epochs_done, b->epochs_done);
    assert_int_equal(a->P, b->P);
    assert_memory_equal(a->eta, b->eta, sizeof a->eta);
    assert_memory_equal(a->rng, b->rng, sizeof a->rng);
    assert_memory_equal(a->theta, b->theta, a->P * sizeof(double));
    assert_int_equal(a->n_history, b->n_history);
    if (a->n_history > 0)
        assert_memory_equal(a->history, b->history,
                            a->n_history * CEP_CKPT_HISTORY_COLS * sizeof(double));
    else
        assert_null(b->history);
}

/* One line, holding the path and the key word. */
static void check_message(const char *err, const char *path, const char *word)
{
    if (strstr(err, path) == NULL || strstr(err, word) == NULL || strchr(err, '\n') != NULL) {
        print_error("message \"%s\" lacks the path \"%s\" or the word \"%s\"\n", err, path, word);
        fail();
    }
}

/* Write b[0..n-1] to tmpdir/name and expect the reader to refuse it. */
static void expect_refused(const char *name, const unsigned char *b, size_t n, int status,
                           const char *word)
{
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, name);
    write_bytes(p, b, n);
    cep_checkpoint r;
    memset(&r, 0x5A, sizeof r);          /* the reader must empty it */
    int st = cep_ckpt_read(&r, p, err, sizeof err);
    if (st != status) {
        print_error("%s: status %d, expected %d (%s)\n", name, st, status, err);
        fail();
    }
    assert_zeroed(&r);
    check_message(err, p, word);
}

/* A good checkpoint file in b; returns its length. */
static size_t good_file(unsigned char *b, const char *name)
{
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, name);
    cep_checkpoint ck;
    make_ck(&ck, 0, 3);
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_OK);
    cep_ckpt_free(&ck);
    return read_bytes(p, b, MAX_FILE);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static int setup_tmpdir(void **state)
{
    (void)state;
    return test_tmpdir_make(tmpdir, sizeof tmpdir, "checkpoint");
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    return test_tree_remove(tmpdir);
}

/* ---- round trip and layout ------------------------------------------------ */

static void test_round_trip_bit_exact(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    /* symmetric with 3 rows, VF with 1 row, symmetric with none (epoch 0) */
    static const struct { int vf; uint64_t rows; } cases[] = {{0, 3}, {1, 1}, {0, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        path_of(p, "round.bin");
        cep_checkpoint ck, r;
        make_ck(&ck, cases[k].vf, cases[k].rows);
        assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_OK);
        assert_string_equal(err, "");
        assert_int_equal(cep_ckpt_read(&r, p, err, sizeof err), CEP_OK);
        assert_string_equal(err, "");
        assert_same(&ck, &r);
        assert_int_equal(bits_of(r.theta[0]), 0x8000000000000000u);   /* -0.0 kept */
        assert_int_equal(bits_of(r.theta[1]), 1u);                     /* 2^-1074   */
        cep_ckpt_free(&r);
        assert_zeroed(&r);
        cep_ckpt_free(&r);             /* twice: harmless */
        cep_ckpt_free(&ck);
    }
    cep_ckpt_free(NULL);
}

static void test_file_bytes_follow_the_layout(void **state)
{
    (void)state;
    unsigned char b[MAX_FILE];
    size_t n = good_file(b, "layout.bin");
    cep_shape sh;
    static const size_t s[3] = {5, 7, 3};
    assert_int_equal(cep_shape_init(&sh, CEP_MODEL_PROTOTYPICAL, CEP_ACT_SIGMOID4, 0.5, 3, s),
                     CEP_OK);
    assert_int_equal(n, OFF_THETA + 8 * sh.P + 8 * 6 * 3 + 4);
    assert_memory_equal(b, "CEPCKPT1", 8);
    assert_int_equal(get_le(b + OFF_VERSION, 4), 1);
    assert_int_equal(get_le(b + OFF_HLEN, 4), HLEN_TEST);
    assert_int_equal(HLEN_TEST, 144 + 16 * N_TEST);
    assert_int_equal(get_le(b + OFF_MODEL, 4), CEP_MODEL_PROTOTYPICAL);
    assert_int_equal(get_le(b + OFF_NLAYERS, 4), 2);
    assert_int_equal(get_le(b + OFF_SIZE + 8, 8), 7);
    assert_int_equal(get_le(b + OFF_EPS, 8), bits_of(0.5));
    assert_int_equal(get_le(b + OFF_EPOCHS, 8), 3);
    assert_int_equal(get_le(b + OFF_P, 8), sh.P);
    assert_int_equal(get_le(b + OFF_NHIST - 8, 8), 0x0123456789ABCDEFu);   /* rng[3] */
    assert_int_equal(get_le(b + OFF_NHIST, 8), 3);
    assert_int_equal(get_le(b + OFF_THETA, 8), 0x8000000000000000u);
    assert_int_equal(get_le(b + OFF_THETA + 24, 8), bits_of(1e308));
    /* the CRC: the check value of the bitwise CRC, then both CRCs of the file */
    assert_int_equal(crc32_bitwise((const unsigned char *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(get_le(b + n - 4, 4), crc32_bitwise(b, n - 4));
    assert_int_equal(get_le(b + n - 4, 4), crc32(0L, b, (uInt)(n - 4)));
}

/* ---- damaged files ---------------------------------------------------------- */

/* Every byte flipped (low and high bit): CRC in theta, the history and the
 * CRC itself; CRC or FORMAT in the header. */
static void test_flipped_byte_anywhere(void **state)
{
    (void)state;
    unsigned char good[MAX_FILE], b[MAX_FILE];
    size_t n = good_file(good, "flip-src.bin");
    for (size_t off = 0; off < n; off++)
        for (int m = 0; m < 2; m++) {
            memcpy(b, good, n);
            b[off] ^= m ? 0x80 : 0x01;
            char p[PATH_LEN], err[ERR_LEN];
            path_of(p, "flip.bin");
            write_bytes(p, b, n);
            cep_checkpoint r;
            int st = cep_ckpt_read(&r, p, err, sizeof err);
            int ok = off >= OFF_THETA ? st == CEP_ECKPT_CRC
                                      : st == CEP_ECKPT_CRC || st == CEP_ECKPT_FORMAT;
            if (!ok) {
                print_error("byte %zu ^ %d: status %d (%s)\n", off, m ? 0x80 : 1, st, err);
                fail();
            }
            assert_zeroed(&r);
            check_message(err, p, st == CEP_ECKPT_CRC ? "checksum mismatch" : off < 8 ? "magic" : "field");
        }
}

static void test_truncated_and_longer(void **state)
{
    (void)state;
    unsigned char good[MAX_FILE];
    size_t n = good_file(good, "trunc-src.bin");
    const size_t cut[] = {0, 4, 8, 20, OFF_THETA - 1, OFF_THETA, n / 2, n - 4, n - 1};
    for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++)
        expect_refused("trunc.bin", good, cut[k], CEP_ECKPT_TRUNC, "truncated");
    good[n] = 0;
    expect_refused("longer.bin", good, n + 1, CEP_ECKPT_TRUNC, "longer");
}

static void test_patched_fields(void **state)
{
    (void)state;
    unsigned char good[MAX_FILE], b[MAX_FILE];
    size_t n = good_file(good, "patch-src.bin");
    /* field, offset, width, value, status, word */
    static const struct {
        const char *name;
        size_t off;
        unsigned k;
        uint64_t v;
        int status;
        const char *word;
    } cases[] = {
        {"magic", 0, 1, 'X', CEP_ECKPT_FORMAT, "magic"},
        {"version", OFF_VERSION, 4, 2, CEP_ECKPT_FORMAT, "field version = 2"},
        {"hlen", OFF_HLEN, 4, HLEN_TEST + 8, CEP_ECKPT_FORMAT, "field header_length"},
        {"n0", OFF_NLAYERS, 4, 0, CEP_ECKPT_FORMAT, "field n_layers = 0 is outside 1..16"},
        {"n17", OFF_NLAYERS, 4, 17, CEP_ECKPT_FORMAT, "field n_layers = 17 is outside 1..16"},
        {"model", OFF_MODEL, 4, 9, CEP_ECKPT_FORMAT, "field model = 9"},
        {"size0", OFF_SIZE + 8, 8, 0, CEP_ECKPT_FORMAT, "field size[1] = 0"},
        {"size-big", OFF_SIZE, 8, (1u << 20) + 1, CEP_ECKPT_FORMAT, "field size[0]"},
        {"size-P", OFF_SIZE, 8, 6, CEP_ECKPT_FORMAT, "field P = 66"},
        {"eps", OFF_EPS, 8, 0, CEP_ECKPT_FORMAT, "field eps"},
        {"P", OFF_P, 8, 67, CEP_ECKPT_FORMAT, "field P = 67"},
        {"nhist", OFF_NHIST, 8, 2, CEP_ECKPT_FORMAT, "field n_history = 2"},
        {"epochs", OFF_EPOCHS, 8, 4, CEP_ECKPT_FORMAT, "field n_history = 3"},
        {"theta-nan", OFF_THETA + 8 * 17, 8, 0x7FF8000000000000u, CEP_ECKPT_NONFINITE,
         "theta[17] is not finite"},
        {"theta-inf", OFF_THETA, 8, 0xFFF0000000000000u, CEP_ECKPT_NONFINITE, "theta[0]"},
        {"hist-inf", OFF_THETA + 8 * 66 + 8 * (6 + 3), 8, 0x7FF0000000000000u,
         CEP_ECKPT_NONFINITE, "history[1].test_loss is not finite"},
    };
    assert_int_equal(n, OFF_THETA + 8 * 66 + 8 * 18 + 4);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(b, good, n);
        put_le(b + cases[k].off, cases[k].v, cases[k].k);
        fix_crc(b, n);
        expect_refused(cases[k].name, b, n, cases[k].status, cases[k].word);
    }
    /* epochs_done and n_history equal but above 10^6 */
    memcpy(b, good, n);
    put_le(b + OFF_EPOCHS, 1000001, 8);
    put_le(b + OFF_NHIST, 1000001, 8);
    fix_crc(b, n);
    expect_refused("epochs-max", b, n, CEP_ECKPT_FORMAT, "field epochs_done = 1000001");
    /* a CRC that does not match, the rest intact */
    memcpy(b, good, n);
    b[n - 1] ^= 0x10;
    expect_refused("crc", b, n, CEP_ECKPT_CRC, "checksum mismatch (stored 0x");
}

static void test_missing_unreadable_and_huge(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    cep_checkpoint r;
    path_of(p, "no-such-file.bin");
    memset(&r, 0x5A, sizeof r);
    assert_int_equal(cep_ckpt_read(&r, p, err, sizeof err), CEP_ECKPT_OPEN);
    assert_zeroed(&r);
    check_message(err, p, "cannot open");
    path_of(p, "adir");
    assert_int_equal(mkdir(p, 0700), 0);
    memset(&r, 0x5A, sizeof r);
    assert_int_equal(cep_ckpt_read(&r, p, err, sizeof err), CEP_ECKPT_OPEN);
    assert_zeroed(&r);
    check_message(err, p, "regular");
    /* a sparse file of 2^31 + 1 bytes: refused before anything is allocated */
    path_of(p, "huge.bin");
    write_bytes(p, (const unsigned char *)"CEPCKPT1", 8);
    assert_int_equal(truncate(p, (off_t)((1LL << 31) + 1)), 0);
    memset(&r, 0x5A, sizeof r);
    assert_int_equal(cep_ckpt_read(&r, p, err, sizeof err), CEP_ECKPT_TRUNC);
    assert_zeroed(&r);
    check_message(err, p, "2^31");
    assert_int_equal(unlink(p), 0);
}

/* ---- writing ------------------------------------------------------------------ */

static void test_write_leaves_no_temporary(void **state)
{
    (void)state;
    char dir[PATH_LEN], p[PATH_LEN], err[ERR_LEN];
    path_of(dir, "wdir");
    assert_int_equal(mkdir(dir, 0700), 0);
    path_of(p, "wdir/ck.bin");
    cep_checkpoint ck;
    make_ck(&ck, 0, 3);
    for (int k = 0; k < 2; k++) {      /* create, then replace */
        assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_OK);
        assert_int_equal(count_entries(dir), 1);
        assert_true(exists(p));
    }
    /* a refused ck leaves the old file alone and adds nothing */
    ck.n_history = 2;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    ck.n_history = 3;
    assert_int_equal(count_entries(dir), 1);
    cep_checkpoint r;
    assert_int_equal(cep_ckpt_read(&r, p, err, sizeof err), CEP_OK);
    cep_ckpt_free(&r);
    /* into a directory that does not exist */
    path_of(p, "no-such-dir/ck.bin");
    int st = cep_ckpt_write(p, &ck, err, sizeof err);
    assert_true(st < 0);
    check_message(err, p, "temporary");
    assert_false(exists(p));
    assert_string_not_equal(cep_ckpt_strerror(st), "unknown status");
    cep_ckpt_free(&ck);
}

static void test_write_refuses_inconsistent(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "refused.bin");
    cep_checkpoint ck;
    make_ck(&ck, 0, 3);
    ck.n_history = 2;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "n_history = 2 differs from epochs_done = 3");
    ck.n_history = 3;
    double *theta = ck.theta;
    ck.theta = NULL;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "theta is NULL with P = 66");
    ck.theta = theta;
    double *hist = ck.history;
    ck.history = NULL;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "history is NULL");
    ck.history = hist;
    ck.n_layers = 0;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "n_layers = 0");
    ck.n_layers = 17;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "n_layers = 17");
    ck.n_layers = 2;
    ck.P = 65;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_EARG);
    check_message(err, p, "field P = 65");
    ck.P = 66;
    ck.theta[10] = NAN;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_ENONFINITE);
    check_message(err, p, "theta[10] is not finite");
    ck.theta[10] = 0.0;
    ck.history[17] = -INFINITY;
    assert_int_equal(cep_ckpt_write(p, &ck, err, sizeof err), CEP_ENONFINITE);
    check_message(err, p, "history[2].seconds");
    assert_false(exists(p));
    /* NULL arguments; a NULL err buffer is allowed */
    assert_int_equal(cep_ckpt_write(NULL, &ck, err, sizeof err), CEP_EARG);
    assert_int_equal(cep_ckpt_write(p, NULL, NULL, 0), CEP_EARG);
    assert_int_equal(cep_ckpt_read(NULL, p, NULL, 0), CEP_EARG);
    cep_checkpoint r;
    memset(&r, 0x5A, sizeof r);
    assert_int_equal(cep_ckpt_read(&r, NULL, err, sizeof err), CEP_EARG);
    assert_zeroed(&r);
    assert_false(exists(p));
    cep_ckpt_free(&ck);
}

static void test_status_texts(void **state)
{
    (void)state;
    for (int a = CEP_ECKPT_NONFINITE; a <= CEP_ECKPT_OPEN; a++) {
        assert_string_not_equal(cep_ckpt_strerror(a), "unknown status");
        for (int b = CEP_ECKPT_NONFINITE; b < a; b++)
            assert_true(strcmp(cep_ckpt_strerror(a), cep_ckpt_strerror(b)) != 0);
        /* no code is shared with the array files' codes the writer passes on */
        assert_string_equal(cep_vf_strerror(a), "unknown status");
    }
    assert_string_equal(cep_ckpt_strerror(CEP_EVF_IO), cep_vf_strerror(CEP_EVF_IO));
    assert_string_equal(cep_ckpt_strerror(CEP_EARG), cep_strerror(CEP_EARG));
    assert_string_equal(cep_ckpt_strerror(-400), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_bit_exact),
        cmocka_unit_test(test_file_bytes_follow_the_layout),
        cmocka_unit_test(test_flipped_byte_anywhere),
        cmocka_unit_test(test_truncated_and_longer),
        cmocka_unit_test(test_patched_fields),
        cmocka_unit_test(test_missing_unreadable_and_huge),
        cmocka_unit_test(test_write_leaves_no_temporary),
        cmocka_unit_test(test_write_refuses_inconsistent),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests_name("checkpoint", tests, setup_tmpdir, teardown_tmpdir);
}
