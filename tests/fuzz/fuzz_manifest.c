/* fuzz_manifest.c -- the golden-vector manifest readers (src/apps/vectors.h):
 * cep_vectors_check (`cep check`) and cep_vectors_compute (`cep compute`).
 *
 * LLVMFuzzerInitialize generates a one-case suite once (cep_vectors_generate,
 * only "step-energy-identity-2-3-2": 2-3-2 network, one step, ~0.2 s) into
 * the temporary directory, and its results (cep_vectors_compute).  Each
 * input is then written as the suite's manifest.json, checked against those
 * results (report to /dev/null) and computed into a scratch directory that
 * is removed afterwards.  The last input byte chooses the checker's options:
 *   bit 0 skip_sha, bits 1-2 format (human, tap, junit, json), bits 3-4
 *   profile (% 3: binary64, binary32, bfloat16), bit 5 exact, bit 6 replay
 *   into the scratch directory, bit 7 --errors 0 instead of 10. */
#include "apps/vectors.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CASE_ID "step-energy-identity-2-3-2"

static char suite[400], manifest[450], results[400], scratch[400];
static FILE *devnull;

static void close_devnull(void)
{
    if (devnull)
        fclose(devnull);
    devnull = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = fuzz_dir_make("manifest");
    char out[300], err[1024] = "";
    snprintf(out, sizeof out, "%s/v1", dir);
    snprintf(suite, sizeof suite, "%s/step", out);
    snprintf(manifest, sizeof manifest, "%s/manifest.json", suite);
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(scratch, sizeof scratch, "%s/scratch", dir);
    cep_vgen_opts g;
    memset(&g, 0, sizeof g);
    g.out_dir = out;
    g.level = 1;
    g.only = CASE_ID;
    g.truth_prec = 256;
    g.source_hash = "fuzz";
    int st = cep_vectors_generate(&g, err, sizeof err);
    cep_vrun_opts r;
    memset(&r, 0, sizeof r);
    r.vectors_dir = suite;
    r.results_dir = results;
    r.ctx = cep_ctx_double();
    if (!st)
        st = cep_vectors_compute(&r, err, sizeof err);
    devnull = fopen("/dev/null", "w");
    if (st || devnull == NULL) {
        fprintf(stderr, "fuzz_manifest: setting up the suite: %s\n", err);
        abort();
    }
    atexit(close_devnull);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned b = data[size - 1];
    fuzz_write_path(manifest, data, size);
    char err[1024];

    cep_vcheck_opts c;
    memset(&c, 0, sizeof c);
    c.vectors_dir = suite;
    c.results_dir = results;
    c.skip_sha = (int)(b & 1u);
    c.format = (vc_format)((b >> 1) & 3u);
    c.profile = (cep_fmt)(((b >> 3) & 3u) % 3u);
    c.exact = (int)((b >> 5) & 1u);
    c.replay_dir = (b & 64u) ? scratch : NULL;
    c.max_errors = (b & 128u) ? 0 : 10;
    cep_vectors_check(&c, devnull, err, sizeof err);
    fflush(devnull);
    cep_tree_remove(scratch);

    cep_vrun_opts r;
    memset(&r, 0, sizeof r);
    r.vectors_dir = suite;
    r.results_dir = scratch;
    r.ctx = cep_ctx_double();
    cep_vectors_compute(&r, err, sizeof err);
    cep_tree_remove(scratch);
    return 0;
}
