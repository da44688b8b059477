/* test_vfile.c -- the array files of the golden vectors (src/apps/vfile.h):
 * .npy, $readmemh, TestFloat text, C header, results text, SHA-256, and the
 * number formats' rounding and bit patterns.
 *
 * Fixtures are written at run time into a fresh temporary directory.  Every
 * round trip is compared bit for bit; every malformed file must give its
 * own status and a one-line message naming the file and the problem.  The
 * rounding to bfloat16 and binary32 is checked on hand-computed values and
 * against MPFR (precision 8 or 24, binary32's exponent range, subnormalized)
 * on many random and tie values.  When a python3 with NumPy exists, NumPy
 * reads what we write and writes what we read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <math.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "tmpdir.h"
#include <mpfr.h>
#include "apps/vfile.h"

static char tmpdir[256];

#define PATH_LEN 512
#define ERR_LEN 512

static void path_of(char *buf, const char *name)
{
    int w = snprintf(buf, PATH_LEN, "%s/%s", tmpdir, name);
    assert_true(w > 0 && w < PATH_LEN);
}

static void write_bytes(const char *name, const void *bytes, size_t n)
{
    char p[PATH_LEN];
    path_of(p, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *name, const char *text)
{
    write_bytes(name, text, strlen(text));
}

/* The whole of tmpdir/name into buf (NUL-terminated); returns its length. */
static size_t read_back(const char *name, char *buf, size_t cap)
{
    char p[PATH_LEN];
    path_of(p, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    assert_true(n < cap - 1);
    buf[n] = '\0';
    fclose(f);
    return n;
}

static int exists(const char *name)
{
    char p[PATH_LEN];
    path_of(p, name);
    struct stat sb;
    return stat(p, &sb) == 0;
}

static int setup_tmpdir(void **state)
{
    (void)state;
    return test_tmpdir_make(tmpdir, sizeof tmpdir, "vfile");
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    return test_tree_remove(tmpdir);
}

/* The names in a directory of tmpdir, sorted, joined by spaces. */
static void list_dir(char *buf, size_t cap, const char *sub)
{
    char p[PATH_LEN];
    path_of(p, sub);
    DIR *d = opendir(p);
    assert_non_null(d);
    char names[32][64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_true(n < 32);
        assert_true(strlen(e->d_name) < sizeof names[0]);
        memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[64];
            memcpy(t, names[j], sizeof t);
            memcpy(names[j], names[j - 1], sizeof t);
            memcpy(names[j - 1], t, sizeof t);
        }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(buf, " ", cap - strlen(buf) - 1);
        strncat(buf, names[i], cap - strlen(buf) - 1);
    }
}

static void check_message(const char *err, const char *path, const char *word)
{
    if (strstr(err, path) == NULL || strstr(err, word) == NULL || strchr(err, '\n') != NULL) {
        print_error("message \"%s\" lacks the path \"%s\" or the word \"%s\"\n", err, path, word);
        fail();
    }
}

static uint64_t bits64(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Bit-for-bit equality of two arrays of doubles, with the index on failure. */
static void assert_same_bits(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bits64(a[i]) != bits64(b[i])) {
            print_error("element %zu: %a (0x%016llX) != %a (0x%016llX)\n", i, a[i],
                        (unsigned long long)bits64(a[i]), b[i], (unsigned long long)bits64(b[i]));
            fail();
        }
}

/* ---- the values every round trip carries --------------------------------------------- */

static const double f8_vals[12] = {1.0, -0.0, 0x1p-1074, 0x0.fffffffffffffp-1022, DBL_MAX,
                                   -DBL_MAX, 1.0 / 3.0, INFINITY, -INFINITY, NAN, 0.0,
                                   -0x1.23456789abcdep+300};
static const double f4_vals[10] = {1.0, -0.0, 0x1p-149, 0x1.fffffcp-127, FLT_MAX, -FLT_MAX,
                                   (double)(1.0f / 3.0f), INFINITY, NAN, -0x1.5p-3};
static const double bf_vals[10] = {1.0, -0.0, 0x1p-133, 0x1.fcp-127, 0x1.fep+127, -0x1.fep+127,
                                   0x1.56p-2, INFINITY, NAN, -2.5};

/* ---- number formats ---------------------------------------------------------------------- */

static void test_fmt_names_digits_parse(void **state)
{
    (void)state;
    const cep_fmt all[3] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    const char *names[3] = {"binary64", "binary32", "bfloat16"};
    const int digits[3] = {16, 8, 4};
    for (int i = 0; i < 3; i++) {
        assert_string_equal(cep_fmt_name(all[i]), names[i]);
        assert_int_equal(cep_fmt_hex_digits(all[i]), digits[i]);
        cep_fmt f = CEP_FMT_BINARY64;
        assert_int_equal(cep_fmt_parse(&f, names[i]), CEP_OK);
        assert_int_equal(f, all[i]);
    }
    cep_fmt f;
    assert_int_equal(cep_fmt_parse(&f, "binary16"), CEP_EVF_DTYPE);
    assert_int_equal(cep_fmt_parse(&f, "Binary64"), CEP_EVF_DTYPE);
    assert_int_equal(cep_fmt_parse(&f, NULL), CEP_EARG);
    assert_int_equal(cep_fmt_parse(NULL, "binary64"), CEP_EARG);
}

static void test_fmt_bits_known_patterns(void **state)
{
    (void)state;
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY64, 1.0), 0x3FF0000000000000ull);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY32, 1.0), 0x3F800000u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, 1.0), 0x3F80u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY64, -0.0), 0x8000000000000000ull);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY32, -0.0), 0x80000000u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, -0.0), 0x8000u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY64, -2.0), 0xC000000000000000ull);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY32, 0x1p-149), 0x00000001u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY32, FLT_MAX), 0x7F7FFFFFu);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY32, INFINITY), 0x7F800000u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, 0x1p-133), 0x0001u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, 0x1p-126), 0x0080u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, 3.3895313892515355e38), 0x7F7Fu);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, -INFINITY), 0xFF80u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BFLOAT16, 0.1015625), 0x3DD0u);
    assert_int_equal(cep_fmt_bits(CEP_FMT_BINARY64, DBL_MIN), 0x0010000000000000ull);
    /* NaN is a NaN pattern in every format */
    assert_true((cep_fmt_bits(CEP_FMT_BINARY32, NAN) & 0x7F800000u) == 0x7F800000u &&
                (cep_fmt_bits(CEP_FMT_BINARY32, NAN) & 0x007FFFFFu) != 0);
    assert_true((cep_fmt_bits(CEP_FMT_BFLOAT16, NAN) & 0x7F80u) == 0x7F80u &&
                (cep_fmt_bits(CEP_FMT_BFLOAT16, NAN) & 0x007Fu) != 0);
    assert_true(cep_fmt_bits(CEP_FMT_BFLOAT16, NAN) <= 0xFFFFu);

    /* from_bits inverts bits, and ignores bits above the width */
    assert_true(cep_fmt_from_bits(CEP_FMT_BFLOAT16, 0x3F80u) == 1.0);
    assert_true(cep_fmt_from_bits(CEP_FMT_BFLOAT16, 0xFFFF3F80u) == 1.0);
    assert_true(cep_fmt_from_bits(CEP_FMT_BFLOAT16, 0x7F7Fu) == 3.3895313892515355e38);
    assert_true(cep_fmt_from_bits(CEP_FMT_BFLOAT16, 0x0001u) == 0x1p-133);
    assert_true(cep_fmt_from_bits(CEP_FMT_BINARY32, 0x00000001u) == 0x1p-149);
    assert_true(cep_fmt_from_bits(CEP_FMT_BINARY64, 0x3FF0000000000000ull) == 1.0);
    assert_true(isnan(cep_fmt_from_bits(CEP_FMT_BFLOAT16, 0x7FC0u)));
    assert_true(isinf(cep_fmt_from_bits(CEP_FMT_BINARY32, 0xFF800000u)));
    const double *sets[3] = {f8_vals, f4_vals, bf_vals};
    const size_t counts[3] = {12, 10, 10};
    const cep_fmt fmts[3] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    for (int s = 0; s < 3; s++)
        for (size_t i = 0; i < counts[s]; i++) {
            double v = sets[s][i];
            double back = cep_fmt_from_bits(fmts[s], cep_fmt_bits(fmts[s], v));
            if (isnan(v))
                assert_true(isnan(back));
            else
                assert_int_equal(bits64(back), bits64(v));
        }
}

/* Hand-computed roundings: ties to even, subnormals, overflow. */
static void test_fmt_round_known_values(void **state)
{
    (void)state;
    const cep_fmt B = CEP_FMT_BFLOAT16, S = CEP_FMT_BINARY32;
    const struct {
        cep_fmt f;
        double in, out;
    } cases[] = {
        {B, 1.0, 1.0},
        {B, 1.0 + 0x1p-8, 1.0},                     /* tie between 1 and 1+2^-7: even is 1 */
        {B, 1.0 + 3 * 0x1p-8, 1.0 + 0x1p-6},        /* tie between 1+2^-7 and 1+2^-6: even up */
        {B, 1.0 + 0x1p-8 + 0x1p-30, 1.0 + 0x1p-7},  /* above the tie: binary32 first would give 1 */
        {B, 1.0 + 0x1p-8 - 0x1p-40, 1.0},
        {B, -(1.0 + 3 * 0x1p-8), -(1.0 + 0x1p-6)},
        {B, 0x1p-133, 0x1p-133},                    /* smallest subnormal */
        {B, 0x1p-134, 0.0},                         /* half of it: tie to even, 0 */
        {B, 0x1p-134 + 0x1p-160, 0x1p-133},
        {B, 3 * 0x1p-134, 0x1p-132},                /* 1.5 * 2^-133: tie to even 2 * 2^-133 */
        {B, 0x1p-126, 0x1p-126},                    /* smallest normal */
        {B, 0x1p-126 * (1.0 + 0x1p-8), 0x1p-126},
        {B, 0x1.fcp-127, 0x1.fcp-127},              /* largest subnormal 0x007F */
        {B, 0x1.fep-127, 0x1p-126},                 /* rounds up into the normal range */
        {B, 0x1p-1074, 0.0},
        {B, 3.3895313892515355e38, 3.3895313892515355e38}, /* 0x7F7F */
        {B, ldexp(255.5, 120) - 0x1p100, 3.3895313892515355e38},
        {B, ldexp(255.5, 120), INFINITY},           /* tie above the largest: to 2^128 */
        {B, FLT_MAX, INFINITY},                     /* binary32's max is above bf16's */
        {B, DBL_MAX, INFINITY},
        {B, -DBL_MAX, -INFINITY},
        {B, INFINITY, INFINITY},
        {B, 0.1, 0.10009765625},                    /* 0x3DCD */
        {B, 1e30, 1.0002555517425873e30},
        {S, 1.0 + 0x1p-24, 1.0},
        {S, 1.0 + 3 * 0x1p-24, 1.0 + 0x1p-22},
        {S, 0x1p-149, 0x1p-149},
        {S, 0x1p-150, 0.0},
        {S, 3 * 0x1p-150, 0x1p-148},
        {S, FLT_MAX, FLT_MAX},
        {S, ldexp(0x1p24 - 0.5, 104), INFINITY},
        {S, ldexp(0x1p24 - 0.5, 104) - 0x1p80, FLT_MAX},
        {S, 0.1, 0x1.99999ap-4},
        {CEP_FMT_BINARY64, 0.1, 0.1},
        {CEP_FMT_BINARY64, 0x1p-1074, 0x1p-1074},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double r = cep_fmt_round(cases[i].f, cases[i].in);
        if (bits64(r) != bits64(cases[i].out)) {
            print_error("case %zu: round(%s, %a) = %a, expected %a\n", i,
                        cep_fmt_name(cases[i].f), cases[i].in, r, cases[i].out);
            fail();
        }
    }
    /* signs of zero survive; NaN stays NaN */
    assert_true(signbit(cep_fmt_round(B, -0x1p-134)) && cep_fmt_round(B, -0x1p-134) == 0.0);
    assert_true(signbit(cep_fmt_round(B, -0.0)));
    assert_true(signbit(cep_fmt_round(S, -0x1p-150)));
    assert_true(isnan(cep_fmt_round(B, NAN)));
    assert_true(isnan(cep_fmt_round(S, NAN)));
}

/* MPFR as the independent oracle: precision p, binary32's exponent range
 * (emin -148 for binary32, -132 for bfloat16; emax 128), subnormalized. */
static double oracle_round(double v, long prec, long emin)
{
    mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
    assert_int_equal(mpfr_set_emin(emin), 0);
    assert_int_equal(mpfr_set_emax(128), 0);
    mpfr_t x;
    mpfr_init2(x, prec);
    int i = mpfr_set_d(x, v, MPFR_RNDN);
    i = mpfr_subnormalize(x, i, MPFR_RNDN);
    (void)i;
    double r = mpfr_get_d(x, MPFR_RNDN);
    mpfr_clear(x);
    mpfr_set_emin(old_min);
    mpfr_set_emax(old_max);
    return r;
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t next_rand(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_fmt_round_against_mpfr(void **state)
{
    (void)state;
    const struct {
        cep_fmt f;
        long prec, emin;
    } fm[2] = {{CEP_FMT_BFLOAT16, 8, -132}, {CEP_FMT_BINARY32, 24, -148}};
    long checked = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 200000; i++) {
            uint64_t r = next_rand();
            double v;
            int exp = (int)(next_rand() % 300) - 160;   /* from far below to above the range */
            if (i % 2 == 0) {
                /* random significand */
                v = ldexp((double)(r >> 11) * 0x1p-53 + 0.5, exp);
            } else {
                /* a tie: p+1 significant bits ending in 1, maybe nudged by one ulp */
                long p = fm[k].prec;
                double m = (double)((r >> (64 - p)) | ((uint64_t)1 << (p - 1))) * 2 + 1;
                v = ldexp(m, exp - (int)p - 1);
                int nudge = (int)(r & 3);
                if (nudge == 1)
                    v = nextafter(v, INFINITY);
                else if (nudge == 2)
                    v = nextafter(v, 0.0);
            }
            if (r & ((uint64_t)1 << 10))
                v = -v;
            double got = cep_fmt_round(fm[k].f, v), want = oracle_round(v, fm[k].prec, fm[k].emin);
            if (bits64(got) != bits64(want)) {
                print_error("%s: round(%a) = %a, MPFR says %a\n", cep_fmt_name(fm[k].f), v, got,
                            want);
                fail();
            }
            checked++;
        }
    assert_int_equal(checked, 400000);
}

/* ---- .npy ------------------------------------------------------------------------------------ */

static void test_npy_round_trip_f8(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "f8.npy");
    const size_t shape[2] = {3, 4};
    assert_int_equal(cep_npy_write(p, f8_vals, 2, shape, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    assert_string_equal(err, "");
    cep_array a;
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 3);
    assert_int_equal(a.shape[1], 4);
    assert_int_equal(a.n, 12);
    assert_int_equal(a.dtype, CEP_FMT_BINARY64);
    assert_same_bits(a.data, f8_vals, 12);
    cep_array_free(&a);
    assert_null(a.data);
    cep_array_free(NULL);

    /* the bytes: version 1.0, header to 128, dict as NumPy writes it */
    char buf[1024];
    size_t n = read_back("f8.npy", buf, sizeof buf);
    assert_int_equal(n, 128 + 12 * 8);
    assert_memory_equal(buf, "\x93NUMPY\x01\x00", 8);
    assert_int_equal((unsigned char)buf[8] | (unsigned char)buf[9] << 8, 118);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
    assert_memory_equal(buf + 10, dict, strlen(dict));
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        assert_int_equal(buf[i], ' ');
    assert_int_equal(buf[127], '\n');
    assert_memory_equal(buf + 128, "\x00\x00\x00\x00\x00\x00\xf0\x3f", 8); /* 1.0 little-endian */

    /* 1-D and scalar shapes */
    const size_t s1[1] = {12};
    assert_int_equal(cep_npy_write(p, f8_vals, 1, s1, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    read_back("f8.npy", buf, sizeof buf);
    assert_non_null(strstr(buf + 10, "'shape': (12,), }"));
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.shape[0], 12);
    assert_same_bits(a.data, f8_vals, 12);
    cep_array_free(&a);
    assert_int_equal(cep_npy_write(p, f8_vals + 11, 0, NULL, CEP_FMT_BINARY64, err, sizeof err),
                     CEP_OK);
    n = read_back("f8.npy", buf, sizeof buf);
    assert_int_equal(n, 128 + 8);
    assert_non_null(strstr(buf + 10, "'shape': (), }"));
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(a.n, 1);
    assert_same_bits(a.data, f8_vals + 11, 1);
    cep_array_free(&a);
    /* four axes, and an empty array */
    const size_t s4[4] = {2, 1, 3, 2};
    assert_int_equal(cep_npy_write(p, f8_vals, 4, s4, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 4);
    assert_int_equal(a.shape[2], 3);
    assert_same_bits(a.data, f8_vals, 12);
    cep_array_free(&a);
    const size_t s0[2] = {0, 5};
    assert_int_equal(cep_npy_write(p, NULL, 2, s0, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.shape[1], 5);
    cep_array_free(&a);
}

static void test_npy_round_trip_f4_and_bfloat16(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "f4.npy");
    const size_t shape[2] = {2, 5};
    const cep_fmt fmts[2] = {CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    const double *vals[2] = {f4_vals, bf_vals};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(cep_npy_write(p, vals[k], 2, shape, fmts[k], err, sizeof err), CEP_OK);
        char buf[256];
        size_t n = read_back("f4.npy", buf, sizeof buf);
        assert_int_equal(n, 128 + 10 * 4);
        assert_non_null(strstr(buf + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5), }"));
        assert_memory_equal(buf + 128, "\x00\x00\x80\x3f", 4);
        cep_array a;
        assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
        assert_int_equal(a.dtype, CEP_FMT_BINARY32);
        assert_int_equal(a.n, 10);
        assert_same_bits(a.data, vals[k], 10);
        cep_array_free(&a);
    }
    /* scalar binary32 */
    const double one_third = (double)(1.0f / 3.0f);
    assert_int_equal(cep_npy_write(p, &one_third, 0, NULL, CEP_FMT_BINARY32, err, sizeof err),
                     CEP_OK);
    cep_array a;
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(a.n, 1);
    assert_true(a.data[0] == one_third);
    cep_array_free(&a);
}

/* Writers refuse values the format does not hold exactly, naming the index,
 * and leave the existing target alone. */
static void test_writers_refuse_inexact_values(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "inexact.npy");
    const double v[3] = {1.0, 0.5, 0.1};
    const size_t shape[1] = {3};
    assert_int_equal(cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    char before[512], after[512];
    size_t nb = read_back("inexact.npy", before, sizeof before);
    assert_int_equal(cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY32, err, sizeof err),
                     CEP_EVF_INEXACT);
    check_message(err, p, "[2]");
    check_message(err, p, "binary32");
    assert_int_equal(read_back("inexact.npy", after, sizeof after), nb);
    assert_memory_equal(before, after, nb);
    const double w[2] = {1.0, 1.0 + 0x1p-20}; /* binary32 yes, bfloat16 no */
    assert_int_equal(cep_npy_write(p, w, 1, shape, CEP_FMT_BFLOAT16, err, sizeof err),
                     CEP_EVF_INEXACT);
    check_message(err, p, "[1]");
    path_of(p, "inexact.hex");
    assert_int_equal(cep_hex_write(p, w, 1, shape, CEP_FMT_BFLOAT16, NULL, err, sizeof err),
                     CEP_EVF_INEXACT);
    check_message(err, p, "bfloat16");
    assert_false(exists("inexact.hex"));
    path_of(p, "inexact.txt");
    const char *names[1] = {"w"};
    const double *data[1] = {w};
    const size_t counts[1] = {2};
    assert_int_equal(cep_tf_write(p, NULL, 1, names, data, counts, CEP_FMT_BFLOAT16, err,
                                  sizeof err), CEP_EVF_INEXACT);
    check_message(err, p, "w[1]");
    path_of(p, "inexact.h");
    const cep_fmt fm[1] = {CEP_FMT_BFLOAT16};
    assert_int_equal(cep_cheader_write(p, "G_H", NULL, 1, names, data, counts, fm, err, sizeof err),
                     CEP_EVF_INEXACT);
    assert_false(exists("inexact.h"));
    assert_false(exists("inexact.txt"));
}

/* A .npy file from parts: magic, version, header text (padded by NumPy's
 * rule unless raw), then data bytes. */
static void make_npy(const char *name, int major, const char *dict, size_t data_bytes,
                     const char *magic)
{
    unsigned char buf[4096];
    size_t k = 0;
    memcpy(buf, magic, 6);
    k = 6;
    buf[k++] = (unsigned char)major;
    buf[k++] = 0;
    size_t lb = major == 2 ? 4 : 2;
    size_t dl = strlen(dict);
    size_t total = (8 + lb + dl + 1 + 63) / 64 * 64;
    size_t hlen = total - 8 - lb;
    for (size_t i = 0; i < lb; i++)
        buf[k++] = (unsigned char)(hlen >> (8 * i));
    memcpy(buf + k, dict, dl);
    memset(buf + k + dl, ' ', hlen - dl - 1);
    buf[k + hlen - 1] = '\n';
    k += hlen;
    assert_true(k + data_bytes < sizeof buf);
    for (size_t i = 0; i < data_bytes; i++)
        buf[k++] = (unsigned char)(i % 8 == 7 ? 0x3f : i % 8 == 6 ? 0xf0 : 0);
    write_bytes(name, buf, k);
}

static void expect_npy_error(const char *name, int code, const char *word)
{
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, name);
    cep_array a;
    memset(&a, 0x5a, sizeof a);
    int st = cep_npy_read(&a, p, err, sizeof err);
    if (st != code) {
        print_error("%s: status %d, expected %d (message \"%s\")\n", name, st, code, err);
        fail();
    }
    check_message(err, p, word);
    assert_null(a.data);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.ndim, 0);
}

static void test_npy_reader_accepts_variants(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    cep_array a;
    /* version 2.0, keys in another order, double quotes, 1-tuple, no trailing comma */
    make_npy("v2.npy", 2, "{\"shape\": (3,), 'fortran_order': False, \"descr\": '<f8'}", 24,
             "\x93NUMPY");
    path_of(p, "v2.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.n, 3);
    for (int i = 0; i < 3; i++)
        assert_true(a.data[i] == 1.0);
    cep_array_free(&a);
    /* trailing comma inside the tuple, blanks everywhere */
    make_npy("blanks.npy", 1, "{ 'descr' : '<f8' , 'fortran_order' : False , 'shape' : ( 1 , 2 , ) , }",
             16, "\x93NUMPY");
    path_of(p, "blanks.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[1], 2);
    cep_array_free(&a);
}

static void test_npy_reader_refuses_bad_files(void **state)
{
    (void)state;
    const char *good = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    make_npy("magic.npy", 1, good, 24, "\x93NUMPZ");
    expect_npy_error("magic.npy", CEP_EVF_FORMAT, "magic");
    make_npy("short.npy", 1, good, 16, "\x93NUMPY");
    expect_npy_error("short.npy", CEP_EVF_SHAPE, "truncated");
    make_npy("long.npy", 1, good, 32, "\x93NUMPY");
    expect_npy_error("long.npy", CEP_EVF_SHAPE, "extra bytes");
    make_npy("i4.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", 12,
             "\x93NUMPY");
    expect_npy_error("i4.npy", CEP_EVF_DTYPE, "'descr' is '<i4', expected '<f8' or '<f4'");
    make_npy("f2.npy", 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", 6,
             "\x93NUMPY");
    expect_npy_error("f2.npy", CEP_EVF_DTYPE, "'<f2'");
    make_npy("be.npy", 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", 24,
             "\x93NUMPY");
    expect_npy_error("be.npy", CEP_EVF_DTYPE, "'>f8'");
    make_npy("struct.npy", 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }",
             24, "\x93NUMPY");
    expect_npy_error("struct.npy", CEP_EVF_DTYPE, "descr");
    make_npy("fortran.npy", 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3,), }", 24,
             "\x93NUMPY");
    expect_npy_error("fortran.npy", CEP_EVF_FORMAT, "fortran_order");
    make_npy("syntax.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,) ", 24,
             "\x93NUMPY");
    expect_npy_error("syntax.npy", CEP_EVF_FORMAT, "syntax");
    make_npy("syntax2.npy", 1, "{'descr': '<f8' 'fortran_order': False, 'shape': (3,), }", 24,
             "\x93NUMPY");
    expect_npy_error("syntax2.npy", CEP_EVF_FORMAT, "syntax");
    make_npy("syntax3.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3), }", 24,
             "\x93NUMPY");
    expect_npy_error("syntax3.npy", CEP_EVF_FORMAT, "syntax");
    make_npy("bool.npy", 1, "{'descr': '<f8', 'fortran_order': Falsey, 'shape': (3,), }", 24,
             "\x93NUMPY");
    expect_npy_error("bool.npy", CEP_EVF_FORMAT, "True or False");
    make_npy("after.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } x", 24,
             "\x93NUMPY");
    expect_npy_error("after.npy", CEP_EVF_FORMAT, "syntax");
    make_npy("missing.npy", 1, "{'descr': '<f8', 'shape': (3,), }", 24, "\x93NUMPY");
    expect_npy_error("missing.npy", CEP_EVF_FORMAT, "fortran_order");
    make_npy("twice.npy", 1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
             24, "\x93NUMPY");
    expect_npy_error("twice.npy", CEP_EVF_FORMAT, "twice");
    make_npy("unknown.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}",
             24, "\x93NUMPY");
    expect_npy_error("unknown.npy", CEP_EVF_FORMAT, "unknown key 'x'");
    /* 2^32 * 2^32 = 2^64 wraps to 0 in 64 bits: must be refused, not allocated */
    make_npy("overflow.npy", 1,
             "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0,
             "\x93NUMPY");
    expect_npy_error("overflow.npy", CEP_EVF_LIMIT, "2^28");
    make_npy("big.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (268435457,), }", 0,
             "\x93NUMPY");
    expect_npy_error("big.npy", CEP_EVF_LIMIT, "2^28");
    make_npy("huge.npy", 1,
             "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 0,
             "\x93NUMPY");
    expect_npy_error("huge.npy", CEP_EVF_LIMIT, "shape");
    make_npy("axes.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }",
             8, "\x93NUMPY");
    expect_npy_error("axes.npy", CEP_EVF_LIMIT, "axes");
    make_npy("v3.npy", 3, good, 24, "\x93NUMPY");
    expect_npy_error("v3.npy", CEP_EVF_FORMAT, "version 3.0");
    /* header longer than the file; file shorter than the magic; empty file */
    write_bytes("hlen.npy", "\x93NUMPY\x01\x00\xff\x7f{'descr'", 17);
    expect_npy_error("hlen.npy", CEP_EVF_FORMAT, "truncated header");
    write_bytes("tiny.npy", "\x93NUM", 4);
    expect_npy_error("tiny.npy", CEP_EVF_FORMAT, "truncated");
    write_bytes("empty.npy", "", 0);
    expect_npy_error("empty.npy", CEP_EVF_FORMAT, "truncated");
    expect_npy_error("no-such-file.npy", CEP_EVF_OPEN, "cannot open");
    char p[PATH_LEN];
    path_of(p, "adir.npy");
    assert_int_equal(mkdir(p, 0700), 0);
    expect_npy_error("adir.npy", CEP_EVF_OPEN, "directory");
}

/* ---- $readmemh -------------------------------------------------------------------------- */

static void test_hex_round_trip_three_formats(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    const cep_fmt fmts[3] = {CEP_FMT_BINARY64, CEP_FMT_BINARY32, CEP_FMT_BFLOAT16};
    const double *vals[3] = {f8_vals, f4_vals, bf_vals};
    const size_t counts[3] = {12, 10, 10};
    path_of(p, "v.hex");
    for (int k = 0; k < 3; k++) {
        const size_t shape[2] = {2, counts[k] / 2};
        assert_int_equal(cep_hex_write(p, vals[k], 2, shape, fmts[k], "golden\nsecond line\n", err,
                                       sizeof err), CEP_OK);
        cep_array a;
        assert_int_equal(cep_hex_read(&a, p, fmts[k], err, sizeof err), CEP_OK);
        assert_int_equal(a.ndim, 1);
        assert_int_equal(a.shape[0], counts[k]);
        assert_int_equal(a.n, counts[k]);
        assert_int_equal(a.dtype, fmts[k]);
        assert_same_bits(a.data, vals[k], counts[k]);
        cep_array_free(&a);
        /* the same file read with another width fails on the first word */
        assert_int_equal(cep_hex_read(&a, p, fmts[(k + 1) % 3], err, sizeof err), CEP_EVF_FORMAT);
        check_message(err, p, "line 4");
        assert_null(a.data);
    }
}

static void test_hex_exact_text(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN], buf[2048];
    path_of(p, "exact.hex");
    const double v[6] = {1.0, -2.0, 0x1p-133, 0.0, INFINITY, 3.3895313892515355e38};
    const size_t s[2] = {3, 2};
    assert_int_equal(cep_hex_write(p, v, 2, s, CEP_FMT_BFLOAT16, "a\nb", err, sizeof err), CEP_OK);
    read_back("exact.hex", buf, sizeof buf);
    assert_string_equal(buf, "// a\n// b\n// format bfloat16, shape (3, 2), row-major, one word per "
                             "line\n3F80\nC000\n0001\n0000\n7F80\n7F7F\n");
    assert_int_equal(cep_hex_write(p, v, 1, s, CEP_FMT_BINARY64, NULL, err, sizeof err), CEP_OK);
    read_back("exact.hex", buf, sizeof buf);
    assert_string_equal(buf, "// format binary64, shape (3,), row-major, one word per line\n"
                             "3FF0000000000000\nC000000000000000\n37A0000000000000\n");
    /* reading: lower case, blanks, CRLF, comments anywhere */
    write_text("lower.hex", "// c\n\n3f80\r\n  c000  \n// mid\n\t0001\n\n");
    path_of(p, "lower.hex");
    cep_array a;
    assert_int_equal(cep_hex_read(&a, p, CEP_FMT_BFLOAT16, err, sizeof err), CEP_OK);
    assert_int_equal(a.n, 3);
    assert_true(a.data[0] == 1.0 && a.data[1] == -2.0 && a.data[2] == 0x1p-133);
    cep_array_free(&a);
    write_text("empty.hex", "// nothing\n");
    path_of(p, "empty.hex");
    assert_int_equal(cep_hex_read(&a, p, CEP_FMT_BINARY32, err, sizeof err), CEP_OK);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.ndim, 1);
    cep_array_free(&a);
}

static void expect_hex_error(const char *name, const char *text, cep_fmt fmt, const char *word)
{
    char p[PATH_LEN], err[ERR_LEN];
    write_text(name, text);
    path_of(p, name);
    cep_array a;
    int st = cep_hex_read(&a, p, fmt, err, sizeof err);
    if (st != CEP_EVF_FORMAT) {
        print_error("%s: status %d (message \"%s\")\n", name, st, err);
        fail();
    }
    check_message(err, p, word);
    assert_null(a.data);
    assert_int_equal(a.n, 0);
}

static void test_hex_reader_refuses_bad_words(void **state)
{
    (void)state;
    expect_hex_error("w7.hex", "// h\n3F800000\n3F80000\n", CEP_FMT_BINARY32, "line 3");
    expect_hex_error("w9.hex", "3F8000000\n", CEP_FMT_BINARY32, "has 9 digits");
    expect_hex_error("g.hex", "3F800000\n3F80000G\n", CEP_FMT_BINARY32, "line 2");
    expect_hex_error("g2.hex", "3F80000G\n", CEP_FMT_BINARY32, "not a hex word");
    expect_hex_error("two.hex", "3F80 3F80\n", CEP_FMT_BFLOAT16, "line 1");
    expect_hex_error("prefix.hex", "0x3F80\n", CEP_FMT_BFLOAT16, "not a hex word");
    expect_hex_error("inline.hex", "3F80 // one\n", CEP_FMT_BFLOAT16, "line 1");
    expect_hex_error("hash.hex", "# c\n3F80\n", CEP_FMT_BFLOAT16, "line 1");
    char p[PATH_LEN], err[ERR_LEN];
    cep_array a;
    path_of(p, "nothing.hex");
    assert_int_equal(cep_hex_read(&a, p, CEP_FMT_BINARY32, err, sizeof err), CEP_EVF_OPEN);
    check_message(err, p, "cannot open");
    assert_int_equal(cep_hex_read(&a, p, (cep_fmt)7, err, sizeof err), CEP_EARG);
    assert_int_equal(cep_hex_read(NULL, p, CEP_FMT_BINARY32, err, sizeof err), CEP_EARG);
}

/* ---- results text ------------------------------------------------------------------------------ */

static void test_text_reader_values(void **state)
{
    (void)state;
    write_text("res.txt", "# results\n1.5\n\n   -0x1.8p+1  \n0x1p-1074\nnan\n-inf\ninfinity\n-0\n"
                          "1e-310\n0.1\n  # indented comment\n2.2250738585072014e-308\r\n"
                          "1.7976931348623157e308\n-NAN\n");
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "res.txt");
    cep_array a;
    assert_int_equal(cep_text_read(&a, p, err, sizeof err), CEP_OK);
    const double want[13] = {1.5, -3.0, 0x1p-1074, NAN, -INFINITY, INFINITY, -0.0, 1e-310, 0.1,
                             DBL_MIN, DBL_MAX, NAN, 0};
    assert_int_equal(a.n, 12);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.shape[0], 12);
    assert_int_equal(a.dtype, CEP_FMT_BINARY64);
    for (size_t i = 0; i < 12; i++)
        if (isnan(want[i]))
            assert_true(isnan(a.data[i]));
        else
            assert_int_equal(bits64(a.data[i]), bits64(want[i]));
    cep_array_free(&a);
    write_text("res-empty.txt", "# none\n\n");
    path_of(p, "res-empty.txt");
    assert_int_equal(cep_text_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.n, 0);
    cep_array_free(&a);
}

static void expect_text_error(const char *name, const char *text, int code, const char *word)
{
    char p[PATH_LEN], err[ERR_LEN];
    write_text(name, text);
    path_of(p, name);
    cep_array a;
    int st = cep_text_read(&a, p, err, sizeof err);
    if (st != code) {
        print_error("%s: status %d (message \"%s\")\n", name, st, err);
        fail();
    }
    check_message(err, p, word);
    assert_null(a.data);
}

static void test_text_reader_refuses_garbage(void **state)
{
    (void)state;
    expect_text_error("g1.txt", "1.0\n2.0 x\n3.0\n", CEP_EVF_FORMAT, "line 2");
    expect_text_error("g2.txt", "# c\n\n1.0\n2.0\nabc\n", CEP_EVF_FORMAT, "line 5");
    expect_text_error("g3.txt", "1.0 2.0\n", CEP_EVF_FORMAT, "trailing");
    expect_text_error("g4.txt", "1.0,\n", CEP_EVF_FORMAT, "line 1");
    expect_text_error("g5.txt", "1e400\n", CEP_EVF_FORMAT, "overflows");
    expect_text_error("g6.txt", "1.0 # inline comment\n", CEP_EVF_FORMAT, "line 1");
    write_bytes("g8.txt", "1.0\n2.0\0x\n", 9);
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "g8.txt");
    cep_array a;
    assert_int_equal(cep_text_read(&a, p, err, sizeof err), CEP_EVF_FORMAT);
    check_message(err, p, "line 2");
    path_of(p, "none.txt");
    assert_int_equal(cep_text_read(&a, p, err, sizeof err), CEP_EVF_OPEN);
    check_message(err, p, "cannot open");
}

/* ---- TestFloat text and C header ---------------------------------------------------------------- */

static void test_tf_write_exact_text(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN], buf[1024];
    path_of(p, "vec.txt");
    const double x[2] = {1.0, -0.0}, y[1] = {0x1p-149};
    const char *names[2] = {"x", "y_out"};
    const double *data[2] = {x, y};
    const size_t counts[2] = {2, 1};
    assert_int_equal(cep_tf_write(p, "model energy\nseed 1\n", 2, names, data, counts,
                                  CEP_FMT_BINARY32, err, sizeof err), CEP_OK);
    read_back("vec.txt", buf, sizeof buf);
    assert_string_equal(buf, "# model energy\n# seed 1\nx 0 3F800000\nx 1 80000000\ny_out 0 00000001\n");
    assert_int_equal(cep_tf_write(p, NULL, 1, names, data, counts, CEP_FMT_BINARY64, err,
                                  sizeof err), CEP_OK);
    read_back("vec.txt", buf, sizeof buf);
    assert_string_equal(buf, "x 0 3FF0000000000000\nx 1 8000000000000000\n");
    const char *bad[1] = {"two words"};
    assert_int_equal(cep_tf_write(p, NULL, 1, bad, data, counts, CEP_FMT_BINARY64, err,
                                  sizeof err), CEP_EARG);
    check_message(err, p, "two words");
}

static void test_cheader_text(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN], buf[2048];
    path_of(p, "vec.h");
    const double a[5] = {1.0, -2.0, 0.5, 0.0, 3.0}, b[1] = {1.0};
    const char *names[3] = {"w1", "b_1", "e"};
    const double *data[3] = {a, b, NULL};
    const size_t counts[3] = {5, 1, 0};
    const cep_fmt fmts[3] = {CEP_FMT_BINARY64, CEP_FMT_BFLOAT16, CEP_FMT_BINARY32};
    assert_int_equal(cep_cheader_write(p, "CEP_VEC_H", "golden vectors\nseed 1", 3, names, data,
                                       counts, fmts, err, sizeof err), CEP_OK);
    read_back("vec.h", buf, sizeof buf);
    assert_string_equal(buf,
                        "/*\n * golden vectors\n * seed 1\n */\n"
                        "#ifndef CEP_VEC_H\n#define CEP_VEC_H\n\n#include <stdint.h>\n"
                        "\n#define W1_LEN 5\n"
                        "static const uint64_t w1[5] = {\n"
                        "    0x3FF0000000000000u, 0xC000000000000000u, 0x3FE0000000000000u, "
                        "0x0000000000000000u,\n"
                        "    0x4008000000000000u\n};\n"
                        "\n#define B_1_LEN 1\n"
                        "static const uint16_t b_1[1] = {\n    0x3F80u\n};\n"
                        "\n#define E_LEN 0\n"
                        "static const uint32_t e[1] = { 0u /* empty: padding only */ };\n"
                        "\n#endif /* CEP_VEC_H */\n");
    /* refused: bad guard, bad name, names equal up to case, a comment end in the header */
    assert_int_equal(cep_cheader_write(p, "1BAD", NULL, 3, names, data, counts, fmts, err,
                                       sizeof err), CEP_EARG);
    check_message(err, p, "guard");
    const char *bad[2] = {"w-1", "x"};
    assert_int_equal(cep_cheader_write(p, "G", NULL, 1, bad, data, counts, fmts, err, sizeof err),
                     CEP_EARG);
    check_message(err, p, "w-1");
    const char *dup[2] = {"ab", "AB"};
    const size_t c2[2] = {1, 1};
    const double *d2[2] = {b, b};
    assert_int_equal(cep_cheader_write(p, "G", NULL, 2, dup, d2, c2, fmts, err, sizeof err),
                     CEP_EARG);
    check_message(err, p, "AB_LEN");
    assert_int_equal(cep_cheader_write(p, "G", "a */ b", 1, names, data, counts, fmts, err,
                                       sizeof err), CEP_EARG);
    check_message(err, p, "*/");
    /* the file written first is still there, whole */
    char again[2048];
    read_back("vec.h", again, sizeof again);
    assert_string_equal(again, buf);
}

/* The header compiles without a warning and holds the right patterns. */
static void test_cheader_compiles(void **state)
{
    (void)state;
    if (system("cc --version >/dev/null 2>&1") != 0) {
        print_message("note: no cc found, the generated header is not compiled\n");
        skip();
    }
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "cc_vec.h");
    const double a[6] = {1.0, -2.0, 0.5, 0x1p-1074, INFINITY, 3.0};
    const double bf[3] = {1.0, 0x1p-133, -0.0};
    const char *names[3] = {"w", "bf", "none"};
    const double *data[3] = {a, bf, NULL};
    const size_t counts[3] = {6, 3, 0};
    const cep_fmt fmts[3] = {CEP_FMT_BINARY64, CEP_FMT_BFLOAT16, CEP_FMT_BINARY32};
    assert_int_equal(cep_cheader_write(p, "CC_VEC_H", "compiled\ncheck", 3, names, data, counts,
                                       fmts, err, sizeof err), CEP_OK);
    write_text("cc_main.c",
               "#include \"cc_vec.h\"\n#include \"cc_vec.h\"\n"
               "int main(void)\n{\n"
               "    return !(W_LEN == 6 && w[0] == 0x3FF0000000000000u && w[3] == 1u &&\n"
               "             w[4] == 0x7FF0000000000000u && BF_LEN == 3 && bf[1] == 1u &&\n"
               "             bf[2] == 0x8000u && NONE_LEN == 0 && none[0] == 0u && sizeof w == 48);\n}\n");
    char cmd[4 * PATH_LEN];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cc -std=c11 -pedantic -Wall -Wextra -Werror -Wunused-const-variable=2 "
             "-o cc_main cc_main.c && ./cc_main", tmpdir);
    int rc = system(cmd);
    assert_int_equal(rc, 0);
}

/* ---- SHA-256 ------------------------------------------------------------------------------------- */

static void test_sha256_known_digests(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN], hex[65];
    write_text("abc.bin", "abc");
    path_of(p, "abc.bin");
    assert_int_equal(cep_sha256_file(hex, p, err, sizeof err), CEP_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    write_text("empty.bin", "");
    path_of(p, "empty.bin");
    assert_int_equal(cep_sha256_file(hex, p, err, sizeof err), CEP_OK);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* more than one read buffer: 100000 'a' */
    static char big[100001];
    memset(big, 'a', 100000);
    write_text("big.bin", big);
    path_of(p, "big.bin");
    assert_int_equal(cep_sha256_file(hex, p, err, sizeof err), CEP_OK);
    assert_string_equal(hex, "6d1cf22d7cc09b085dfc25ee1a1f3ae0265804c607bc2074ad253bcc82fd81ee");
    path_of(p, "missing.bin");
    assert_int_equal(cep_sha256_file(hex, p, err, sizeof err), CEP_EVF_OPEN);
    check_message(err, p, "cannot open");
    assert_int_equal(cep_sha256_file(NULL, p, err, sizeof err), CEP_EARG);
}

/* ---- atomic writes ------------------------------------------------------------------------------- */

/* Every writer into a missing directory fails with CEP_EVF_OPEN and creates
 * nothing; a target that is a directory fails at the rename and leaves no
 * temporary file; a success leaves exactly the target. */
static void test_writers_atomic(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN], names_buf[1024];
    const double v[2] = {1.0, 2.0};
    const size_t shape[1] = {2};
    const char *names[1] = {"v"};
    const double *data[1] = {v};
    const size_t counts[1] = {2};
    const cep_fmt fmts[1] = {CEP_FMT_BINARY32};
    const char *files[4] = {"nodir/a.npy", "nodir/a.hex", "nodir/a.txt", "nodir/a.h"};
    for (int k = 0; k < 4; k++) {
        path_of(p, files[k]);
        int st = k == 0 ? cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY64, err, sizeof err)
                 : k == 1 ? cep_hex_write(p, v, 1, shape, CEP_FMT_BINARY64, NULL, err, sizeof err)
                 : k == 2 ? cep_tf_write(p, NULL, 1, names, data, counts, CEP_FMT_BINARY64, err,
                                         sizeof err)
                          : cep_cheader_write(p, "G", NULL, 1, names, data, counts, fmts, err,
                                              sizeof err);
        assert_int_equal(st, CEP_EVF_OPEN);
        check_message(err, p, "No such file");
        assert_false(exists("nodir"));
    }
    path_of(p, "out");
    assert_int_equal(mkdir(p, 0700), 0);
    const char *targets[4] = {"out/a.npy", "out/a.hex", "out/a.txt", "out/a.h"};
    for (int k = 0; k < 4; k++) {
        path_of(p, targets[k]);
        int st = k == 0 ? cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY64, err, sizeof err)
                 : k == 1 ? cep_hex_write(p, v, 1, shape, CEP_FMT_BINARY64, NULL, err, sizeof err)
                 : k == 2 ? cep_tf_write(p, NULL, 1, names, data, counts, CEP_FMT_BINARY64, err,
                                         sizeof err)
                          : cep_cheader_write(p, "G", NULL, 1, names, data, counts, fmts, err,
                                              sizeof err);
        assert_int_equal(st, CEP_OK);
        /* a second write replaces the first */
        st = k == 0 ? cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY32, err, sizeof err) : CEP_OK;
        assert_int_equal(st, CEP_OK);
    }
    list_dir(names_buf, sizeof names_buf, "out");
    assert_string_equal(names_buf, "a.h a.hex a.npy a.txt");
    /* permissions as fopen would give, not mkstemp's 0600 */
    struct stat sb;
    path_of(p, "out/a.npy");
    assert_int_equal(stat(p, &sb), 0);
    mode_t mask = umask(022);
    umask(mask);
    assert_int_equal(sb.st_mode & 0777, 0666 & ~mask);
    /* the target is a directory: the rename fails, the temporary goes */
    path_of(p, "out/sub");
    assert_int_equal(mkdir(p, 0700), 0);
    write_bytes("out/sub/x", "x", 1);
    assert_int_equal(cep_npy_write(p, v, 1, shape, CEP_FMT_BINARY64, err, sizeof err), CEP_EVF_IO);
    check_message(err, p, "rename");
    list_dir(names_buf, sizeof names_buf, "out");
    assert_string_equal(names_buf, "a.h a.hex a.npy a.txt sub");
    /* the text writer of the manifests: same guarantees, bytes as given */
    path_of(p, "nodir/m.json");
    assert_int_equal(cep_text_write_atomic(p, "{}\n", err, sizeof err), CEP_EVF_OPEN);
    check_message(err, p, "No such file");
    path_of(p, "out/m.json");
    assert_int_equal(cep_text_write_atomic(p, "{\"a\": 1}\n", err, sizeof err), CEP_OK);
    char got[64];
    assert_int_equal(read_back("out/m.json", got, sizeof got), 9);
    assert_memory_equal(got, "{\"a\": 1}\n", 9);
    path_of(p, "out/sub");
    assert_int_equal(cep_text_write_atomic(p, "x", err, sizeof err), CEP_EVF_IO);
    list_dir(names_buf, sizeof names_buf, "out");
    assert_string_equal(names_buf, "a.h a.hex a.npy a.txt m.json sub");
}

static void test_argument_errors_and_texts(void **state)
{
    (void)state;
    char p[PATH_LEN], err[ERR_LEN];
    path_of(p, "args.npy");
    const double v[1] = {1.0};
    const size_t s5[5] = {1, 1, 1, 1, 1};
    assert_int_equal(cep_npy_write(p, v, 5, s5, CEP_FMT_BINARY64, err, sizeof err), CEP_EVF_LIMIT);
    check_message(err, p, "axes");
    const size_t big[2] = {(size_t)1 << 20, (size_t)1 << 9};
    assert_int_equal(cep_npy_write(p, v, 2, big, CEP_FMT_BINARY64, err, sizeof err), CEP_EVF_LIMIT);
    check_message(err, p, "2^28");
    assert_int_equal(cep_npy_write(p, NULL, 1, s5, CEP_FMT_BINARY64, err, sizeof err), CEP_EARG);
    assert_int_equal(cep_npy_write(NULL, v, 1, s5, CEP_FMT_BINARY64, err, sizeof err), CEP_EARG);
    assert_int_equal(cep_npy_write(p, v, 1, s5, (cep_fmt)9, err, sizeof err), CEP_EARG);
    assert_int_equal(cep_npy_write(p, v, 1, s5, CEP_FMT_BINARY64, NULL, 0), CEP_OK);
    assert_int_equal(cep_npy_read(NULL, p, err, sizeof err), CEP_EARG);
    cep_array a;
    assert_int_equal(cep_npy_read(&a, p, NULL, 0), CEP_OK);
    cep_array_free(&a);
    assert_false(exists("args.npy.tmp"));
    const int codes[7] = {CEP_EVF_OPEN, CEP_EVF_IO, CEP_EVF_FORMAT, CEP_EVF_DTYPE, CEP_EVF_SHAPE,
                          CEP_EVF_INEXACT, CEP_EVF_LIMIT};
    for (int i = 0; i < 7; i++) {
        const char *t = cep_vf_strerror(codes[i]);
        assert_non_null(t);
        assert_string_not_equal(t, cep_strerror(codes[i]));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(t, cep_vf_strerror(codes[j]));
    }
    assert_string_equal(cep_vf_strerror(CEP_ENOMEM), cep_strerror(CEP_ENOMEM));
}

/* ---- NumPy ---------------------------------------------------------------------------------------- */

/* A python3 that imports numpy, or NULL. */
static const char *find_python(void)
{
    static const char *const cands[] = {"python3", "/usr/bin/python3"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1", cands[i]);
        if (system(cmd) == 0)
            return cands[i];
    }
    return NULL;
}

static void test_numpy_reads_and_writes(void **state)
{
    (void)state;
    const char *py = find_python();
    if (py == NULL) {
        print_message("note: no python3 with numpy found, the NumPy cross-check is skipped\n");
        skip();
    }
    char p[PATH_LEN], err[ERR_LEN];
    const size_t s2[2] = {3, 4}, s25[2] = {2, 5};
    path_of(p, "np_f8.npy");
    assert_int_equal(cep_npy_write(p, f8_vals, 2, s2, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    path_of(p, "np_f4.npy");
    assert_int_equal(cep_npy_write(p, f4_vals, 2, s25, CEP_FMT_BINARY32, err, sizeof err), CEP_OK);
    path_of(p, "np_bf.npy");
    assert_int_equal(cep_npy_write(p, bf_vals, 2, s25, CEP_FMT_BFLOAT16, err, sizeof err), CEP_OK);
    const double sc = -0x1.23456789abcdep+300, sc4 = 0x1p-149;
    path_of(p, "np_s8.npy");
    assert_int_equal(cep_npy_write(p, &sc, 0, NULL, CEP_FMT_BINARY64, err, sizeof err), CEP_OK);
    path_of(p, "np_s4.npy");
    assert_int_equal(cep_npy_write(p, &sc4, 0, NULL, CEP_FMT_BINARY32, err, sizeof err), CEP_OK);
    write_text("check.py",
               "import sys, numpy as np\n"
               "inf, nan = float('inf'), float('nan')\n"
               "f8 = [1.0, -0.0, 5e-324, float.fromhex('0x0.fffffffffffffp-1022'),\n"
               "      1.7976931348623157e308, -1.7976931348623157e308, 1.0 / 3.0, inf, -inf, nan,\n"
               "      0.0, float.fromhex('-0x1.23456789abcdep+300')]\n"
               "f4 = [1.0, -0.0, 2.0**-149, float.fromhex('0x1.fffffcp-127'),\n"
               "      float.fromhex('0x1.fffffep+127'), -float.fromhex('0x1.fffffep+127'),\n"
               "      float(np.float32(1) / np.float32(3)), inf, nan, -float.fromhex('0x1.5p-3')]\n"
               "bf = [1.0, -0.0, 2.0**-133, float.fromhex('0x1.fcp-127'),\n"
               "      float.fromhex('0x1.fep+127'), -float.fromhex('0x1.fep+127'),\n"
               "      float.fromhex('0x1.56p-2'), inf, nan, -2.5]\n"
               "def same(a, want, dtype, shape):\n"
               "    assert a.dtype == np.dtype(dtype), a.dtype\n"
               "    assert a.shape == shape, a.shape\n"
               "    w = np.array(want, dtype=dtype).reshape(shape)\n"
               "    assert np.array_equal(a, w, equal_nan=True), (a, w)\n"
               "    assert np.array_equal(np.signbit(a), np.signbit(w))\n"
               "same(np.load('np_f8.npy'), f8, '<f8', (3, 4))\n"
               "same(np.load('np_f4.npy'), f4, '<f4', (2, 5))\n"
               "same(np.load('np_bf.npy'), bf, '<f4', (2, 5))\n"
               "same(np.load('np_s8.npy'), [f8[11]], '<f8', ())\n"
               "same(np.load('np_s4.npy'), [2.0**-149], '<f4', ())\n"
               "np.save('py_f8.npy', np.array(f8).reshape(4, 3))\n"
               "np.save('py_f4.npy', np.array(f4, dtype='<f4'))\n"
               "with open('py_v2.npy', 'wb') as f:\n"
               "    np.lib.format.write_array(f, np.array(f8).reshape(2, 2, 3), version=(2, 0))\n"
               "np.save('py_s.npy', np.float64(-0.0))\n"
               "np.save('py_i4.npy', np.arange(3, dtype='<i4'))\n"
               "np.save('py_fortran.npy', np.asfortranarray(np.ones((2, 3))))\n"
               "print('numpy', np.__version__, 'ok')\n");
    char cmd[4 * PATH_LEN];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s check.py", tmpdir, py);
    assert_int_equal(system(cmd), 0);
    cep_array a;
    path_of(p, "py_f8.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 4);
    assert_int_equal(a.shape[1], 3);
    assert_same_bits(a.data, f8_vals, 12);
    cep_array_free(&a);
    path_of(p, "py_f4.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.dtype, CEP_FMT_BINARY32);
    assert_int_equal(a.n, 10);
    assert_same_bits(a.data, f4_vals, 10);
    cep_array_free(&a);
    path_of(p, "py_v2.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 3);
    assert_same_bits(a.data, f8_vals, 12);
    cep_array_free(&a);
    path_of(p, "py_s.npy");
    assert_int_equal(cep_npy_read(&a, p, err, sizeof err), CEP_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(bits64(a.data[0]), bits64(-0.0));
    cep_array_free(&a);
    expect_npy_error("py_i4.npy", CEP_EVF_DTYPE, "'<i4'");
    expect_npy_error("py_fortran.npy", CEP_EVF_FORMAT, "fortran_order");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_names_digits_parse),
        cmocka_unit_test(test_fmt_bits_known_patterns),
        cmocka_unit_test(test_fmt_round_known_values),
        cmocka_unit_test(test_fmt_round_against_mpfr),
        cmocka_unit_test(test_npy_round_trip_f8),
        cmocka_unit_test(test_npy_round_trip_f4_and_bfloat16),
        cmocka_unit_test(test_writers_refuse_inexact_values),
        cmocka_unit_test(test_npy_reader_accepts_variants),
        cmocka_unit_test(test_npy_reader_refuses_bad_files),
        cmocka_unit_test(test_hex_round_trip_three_formats),
        cmocka_unit_test(test_hex_exact_text),
        cmocka_unit_test(test_hex_reader_refuses_bad_words),
        cmocka_unit_test(test_text_reader_values),
        cmocka_unit_test(test_text_reader_refuses_garbage),
        cmocka_unit_test(test_tf_write_exact_text),
        cmocka_unit_test(test_cheader_text),
        cmocka_unit_test(test_cheader_compiles),
        cmocka_unit_test(test_sha256_known_digests),
        cmocka_unit_test(test_writers_atomic),
        cmocka_unit_test(test_argument_errors_and_texts),
        cmocka_unit_test(test_numpy_reads_and_writes),
    };
    return cmocka_run_group_tests_name("vfile", tests, setup_tmpdir, teardown_tmpdir);
}
