/* test_allocfail.c -- allocation-failure injection over whole commands.
 *
 * Each test runs one representative `cep` command in this process (the
 * CLI's own dispatch, so the library and the command around it are both
 * exercised) first without injection, counting its allocations A, then
 * again for every n = 1..A with the n-th allocation failing (allocfail.h).
 * Every one of those runs must
 *   - return an error exit status (the command's own "failed" code: not 0,
 *     and for `cep check` not its verdict codes 0/1 but 2, unusable),
 *   - free every block it allocated (the live-block table is back to where
 *     it was), and
 *   - leave the output place as it was: no new file, no temporary file, the
 *     previous outputs byte for byte (the directory tree is compared).
 * The count of points tried is printed per command; docs/robustness.md
 * records them.  The sweep is exhaustive, not sampled.
 *
 * gnuplot is kept out of the PATH: the figures are an optional extra of the
 * commands (a missing gnuplot is reported, not an error), and running it
 * thousands of times would only slow the sweep. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>
#include "allocfail.h"
#include "tmpdir.h"
#include "apps/vfile.h"

/* The CLI in this process: main.c's main becomes cli_main. */
int cli_main(int argc, char **argv);
#define main cli_main
#include "cli/main.c"
#undef main

static char root[256];

/* ---- the output place as text: every file's path, size and CRC-32 ---------- */

typedef struct {
    char *buf;
    size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof line);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->len + (size_t)n + 1);
        t->buf = __real_realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
    memcpy(t->buf + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the tree under dir (sorted, recursive) to t.  Uses libc's
 * allocations only through __real_*, so that it never counts as the run's. */
static void tree_text(text *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_true(n < 512);
        size_t l = strlen(e->d_name) + 1;
        names[n] = __real_malloc(l);
        memcpy(names[n++], e->d_name, l);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            text_add(t, "%s/\n", p);
            tree_text(t, p);
        } else {
            uLong crc = crc32(0L, Z_NULL, 0);
            FILE *f = fopen(p, "rb");
            unsigned char b[65536];
            size_t got;
            while (f && (got = fread(b, 1, sizeof b, f)) > 0)
                crc = crc32(crc, b, (uInt)got);
            if (f)
                fclose(f);
            text_add(t, "%s %lld %08lx\n", p, (long long)sb.st_size, (unsigned long)crc);
        }
        __real_free(names[i]);
    }
}

static char *tree_of(const char *dir)
{
    text t = {0};
    text_add(&t, "tree %s\n", dir);
    tree_text(&t, dir);
    return t.buf;
}

/* ---- running a command with the CLI's output silenced ----------------------------- */

static int saved_out = -1, saved_err = -1;

static void quiet(int on)
{
    fflush(stdout);
    fflush(stderr);
    if (on) {
        int fd = open("/dev/null", O_WRONLY);
        assert_true(fd >= 0);
        saved_out = dup(1);
        saved_err = dup(2);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    } else {
        dup2(saved_out, 1);
        dup2(saved_err, 2);
        close(saved_out);
        close(saved_err);
    }
}

/* Runs `cep <args...>` (a NULL-terminated list; "@" is replaced by root)
 * with the n-th allocation failing (0: none).  Returns the exit status. */
static int run_cep(long fail_at, const char *const *args)
{
    char store[32][512];
    char *argv[33];
    int argc = 0;
    argv[argc] = store[argc];
    snprintf(store[argc], sizeof store[argc], "cep");
    argc++;
    for (const char *const *a = args; *a; a++, argc++) {
        assert_true(argc < 32);
        const char *at = strchr(*a, '@');
        if (at)
            snprintf(store[argc], sizeof store[argc], "%.*s%s%s", (int)(at - *a), *a, root, at + 1);
        else
            snprintf(store[argc], sizeof store[argc], "%s", *a);
        argv[argc] = store[argc];
    }
    argv[argc] = NULL;
    quiet(1);
    af_trace_fd = saved_err;
    allocfail_arm(fail_at);
    int rc = dispatch(argc, argv);
    allocfail_disarm();
    quiet(0);
    return rc;
}

/* The sweep.  `prepare` (may be NULL) runs before the baseline and every
 * injected run; `place` is the output place compared before and after;
 * ok_rc the baseline's exit status; fail_rc 0 accepts any status other than
 * ok_rc, otherwise exactly fail_rc; `expect_keep` 1 when a failed run may
 * legitimately have left complete files of earlier epochs (cep train):
 * then only the absence of temporary files is required. */
typedef struct {
    const char *name;
    const char *const *args;
    const char *place;
    int ok_rc, fail_rc;
    int keeps_epochs;
    const char *target;      /* the output the command creates (under root), or NULL */
} sweep_case;

/* 1 when the tree text, or the directory that holds `place`, shows a
 * temporary file: cep's writers name them *.tmp* beside their target. */
static int has_temp(const char *tree, const char *place)
{
    if (strstr(tree, ".tmp") != NULL)
        return 1;
    char parent[512];
    snprintf(parent, sizeof parent, "%s", place);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = '\0';
    DIR *d = opendir(parent);
    int found = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        found |= strstr(e->d_name, ".tmp") != NULL;
    if (d)
        closedir(d);
    return found;
}

/* Regular files (and anything not a directory) under path, recursively. */
static long count_files(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    if (!S_ISDIR(sb.st_mode))
        return 1;
    DIR *d = opendir(path);
    if (d == NULL)
        return 1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        n += count_files(p);
    }
    closedir(d);
    return n;
}

/* The second pass of a sweep: no previous output at all.  Every failing run
 * must leave no file at the target (an empty directory made on the way is
 * not a file) and no temporary file beside it. */
static long sweep_fresh(const sweep_case *c, long total, size_t live0)
{
    char target[512], keep[600], place[512];
    snprintf(target, sizeof target, "%s/%s", root, c->target);
    snprintf(keep, sizeof keep, "%s.keep", target);
    snprintf(place, sizeof place, "%s/%s", root, c->place);
    assert_int_equal(rename(target, keep), 0);
    long tried = 0;
    for (long n = 1; n <= total; n++) {
        int rc = run_cep(n, c->args);
        if (!allocfail_happened())
            break;
        tried++;
        long files = count_files(target);
        char *after = tree_of(place);
        int temp = has_temp(after, target);
        __real_free(after);
        if (rc == c->ok_rc || (c->fail_rc && rc != c->fail_rc) || allocfail_live() != live0 ||
            files != 0 || temp)
            fail_msg("%s, no previous output: allocation %ld of %ld failed: exit %d, %zu block(s) "
                     "not freed, %ld file(s) at %s, %s", c->name, n, total, rc,
                     allocfail_live() - live0, files, target,
                     temp ? "a temporary file left" : "no temporary file");
        test_tree_remove(target);
        rmdir(target);
    }
    assert_int_equal(rename(keep, target), 0);
    return tried;
}

static void sweep(const sweep_case *c)
{
    char place[512];
    snprintf(place, sizeof place, "%s/%s", root, c->place);
    size_t live0 = allocfail_live();
    int rc = run_cep(0, c->args);
    if (rc != c->ok_rc)
        fail_msg("%s: the run without injection exited %d, expected %d", c->name, rc, c->ok_rc);
    long total = allocfail_count();
    assert_int_equal(allocfail_live(), live0);
    char *before = tree_of(place);
    assert_false(has_temp(before, place));
    long tried = 0;
    for (long n = 1; n <= total; n++) {
        rc = run_cep(n, c->args);
        if (!allocfail_happened())
            break;             /* fewer allocations this time: every point was tried */
        tried++;
        char why[200] = "";
        size_t leaked = allocfail_live() - live0;
        char *after = tree_of(place);
        if (rc == c->ok_rc || (c->fail_rc && rc != c->fail_rc))
            snprintf(why, sizeof why, "yet the command exited %d", rc);
        else if (leaked != 0)
            snprintf(why, sizeof why, "%zu block(s) not freed", leaked);
        else if (has_temp(after, place))
            snprintf(why, sizeof why, "a temporary file was left");
        else if (!c->keeps_epochs && strcmp(before, after) != 0)
            snprintf(why, sizeof why, "the outputs changed");
        if (why[0]) {
            if (getenv("CEP_ALLOCFAIL_TRACE")) {   /* once more, with the backtrace */
                af_trace = 1;
                run_cep(n, c->args);
                af_trace = 0;
            }
            int trees = strcmp(before, after) != 0;
            fail_msg("%s: allocation %ld of %ld failed: %s%s%s%s%s\n"
                     "(CEP_ALLOCFAIL_TRACE=1 prints where the allocation was asked for)",
                     c->name, n, total, why, trees ? "\nbefore:\n" : "", trees ? before : "",
                     trees ? "\nafter:\n" : "", trees ? after : "");
        }
        __real_free(after);
    }
    __real_free(before);
    long fresh = c->target ? sweep_fresh(c, total, live0) : 0;
    /* a last clean run: the command still works after all that */
    assert_int_equal(run_cep(0, c->args), c->ok_rc);
    printf("alloc-fail %-10s %5ld allocation points, each failed in turn: error exit, all freed, "
           "%s", c->name, tried, c->keeps_epochs ? "no temporary file" : "outputs untouched");
    if (c->target)
        printf("; %ld again with no previous output: no file written", fresh);
    printf("\n");
    assert_true(tried >= 1);
}

/* ---- the data the commands read ------------------------------------------------------ */

static void write_idx(const char *name, int gz, unsigned nd, const unsigned *dims,
                      const unsigned char *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/idx/%s%s", root, name, gz ? ".gz" : "");
    unsigned char head[4 + 4 * 4] = {0, 0, 8, (unsigned char)nd};
    for (unsigned i = 0; i < nd; i++) {
        head[4 + 4 * i] = (unsigned char)(dims[i] >> 24);
        head[5 + 4 * i] = (unsigned char)(dims[i] >> 16);
        head[6 + 4 * i] = (unsigned char)(dims[i] >> 8);
        head[7 + 4 * i] = (unsigned char)dims[i];
    }
    gzFile f = gzopen(p, gz ? "wb" : "wbT");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, head, 4 + 4 * nd), (int)(4 + 4 * nd));
    assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
}

/* A 2x2-pixel, 3-class data set: 12 training examples (gzip) and 6 test
 * examples (plain), the label a function of the brightest pixel. */
static void make_data(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/idx", root);
    assert_int_equal(mkdir(p, 0777), 0);
    unsigned char pix[12 * 4], lab[12];
    for (unsigned i = 0; i < 12; i++) {
        for (unsigned j = 0; j < 4; j++)
            pix[4 * i + j] = (unsigned char)((37 * i + 91 * j) % 256);
        lab[i] = (unsigned char)(i % 3);
    }
    unsigned d3[3] = {12, 2, 2}, d1[1] = {12}, t3[3] = {6, 2, 2}, t1[1] = {6};
    write_idx("train-images-idx3-ubyte", 1, 3, d3, pix, sizeof pix);
    write_idx("train-labels-idx1-ubyte", 1, 1, d1, lab, sizeof lab);
    write_idx("t10k-images-idx3-ubyte", 0, 3, t3, pix, 6 * 4);
    write_idx("t10k-labels-idx1-ubyte", 0, 1, t1, lab, 6);
}

/* ---- the commands --------------------------------------------------------------------- */

static const char *const args_run_d[] = {"run", "--sizes", "3,4,2", "--T", "30", "--K", "4",
                                         "--precision", "double", NULL};
static const char *const args_run_mp[] = {"run", "--model", "prototypical", "--sizes", "3,4,2",
                                          "--T", "30", "--K", "4", "--precision", "80", NULL};
static const char *const args_theorem[] = {"theorem", "--sizes", "4,3,3", "--K", "3", "--data",
                                           "@/idx", "--out", "@/out/report", NULL};
static const char *const args_theorem_vf[] = {"theorem", "--model", "energy-vf", "--sizes",
                                              "3,4,3,2", "--K", "3", "--beta-sweep", "1e-1:1e-2",
                                              "--angle", "30", "--out", "@/out/report-vf", NULL};
static const char *const args_vectors[] = {"vectors", "--quiet", "--only",
                                           "traj-energy-identity-2-3-2", "--out", "@/out/vec",
                                           NULL};
static const char *const args_compute[] = {"compute", "@/out/vec/traj", "@/out/res", NULL};
static const char *const args_check[] = {"check", "@/out/vec/traj", "@/out/bad", "--replay",
                                         "@/out/replay", NULL};
static const char *const args_train[] = {"train", "--data", "@/idx", "--sizes", "4,5,3", "--lr",
                                         "0.2,0.1", "--T", "6", "--K", "3", "--batch", "4",
                                         "--epochs", "2", "--threads", "2", "--out",
                                         "@/out/train", NULL};
static const char *const args_train_lit[] = {"train", "--data", "@/idx", "--model", "energy",
                                             "--sizes", "4,3,3", "--lr", "0.2,0.1", "--T", "5",
                                             "--K", "2", "--batch", "5", "--epochs", "1",
                                             "--literal", "--out", "@/out/train-lit", NULL};
static const char *const args_resume[] = {"train", "--data", "@/idx", "--resume",
                                          "@/out/train/checkpoint.bin", "--epochs", "3", "--out",
                                          "@/out/train-resumed", NULL};

static void test_run(void **state)
{
    (void)state;
    sweep_case c1 = {"run-double", args_run_d, "out", 0, 0, 0, NULL};
    sweep(&c1);
    sweep_case c2 = {"run-mpfr", args_run_mp, "out", 0, 0, 0, NULL};
    sweep(&c2);
}

static void test_theorem(void **state)
{
    (void)state;
    sweep_case c = {"theorem", args_theorem, "out/report", 0, 0, 0, "out/report"};
    sweep(&c);
    sweep_case v = {"theorem-vf", args_theorem_vf, "out/report-vf", 0, 0, 0, "out/report-vf"};
    sweep(&v);
}

static void test_vectors(void **state)
{
    (void)state;
    sweep_case c = {"vectors", args_vectors, "out/vec", 0, 0, 0, "out/vec"};
    sweep(&c);
}

/* compute and check read the suite the vectors test wrote. */
static void test_compute_check(void **state)
{
    (void)state;
    assert_int_equal(run_cep(0, args_vectors), 0);
    sweep_case c = {"compute", args_compute, "out/res", 0, 0, 0, "out/res"};
    sweep(&c);
    /* results with one wrong value, so that check finds it and writes a replay case */
    char src[600], dst[600];
    snprintf(src, sizeof src, "/bin/cp -r %s/out/res %s/out/bad", root, root);
    assert_int_equal(system(src), 0);
    snprintf(dst, sizeof dst, "%s/out/bad/traj-energy-identity-2-3-2/free_s.npy", root);
    cep_array a = {0};
    assert_int_equal(cep_npy_read(&a, dst, NULL, 0), 0);
    a.data[a.n - 1] += 1.0;
    assert_int_equal(cep_npy_write(dst, a.data, a.ndim, a.shape, CEP_FMT_BINARY64, NULL, 0), 0);
    cep_array_free(&a);
    sweep_case k = {"check", args_check, "out/replay", 1, 2, 0, "out/replay"};
    sweep(&k);
}

static void test_train(void **state)
{
    (void)state;
    sweep_case c = {"train-fast", args_train, "out/train", 0, 0, 1, NULL};
    sweep(&c);
    sweep_case l = {"train-lit", args_train_lit, "out/train-lit", 0, 0, 1, NULL};
    sweep(&l);
    sweep_case r = {"resume", args_resume, "out/train-resumed", 0, 0, 1, NULL};
    sweep(&r);
}

static int setup(void **state)
{
    (void)state;
    if (test_tmpdir_make(root, sizeof root, "allocfail") != 0)
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/out", root);
    if (mkdir(p, 0777) != 0)
        return -1;
    make_data();
    setenv("PATH", "/nonexistent", 1);   /* no gnuplot: see the top of the file */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    setenv("PATH", "/usr/bin:/bin", 1);
    test_tree_remove(root);
    mpfr_free_cache();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_theorem),
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_compute_check),
        cmocka_unit_test(test_train),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
