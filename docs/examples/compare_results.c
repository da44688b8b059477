/* compare_results.c -- compare two RESULTS trees written for the same suite
 * (e.g. proto_cep's and make_fake_suite's library answers).
 *
 *   compare_results SUITE A B
 *
 * For every prototypical trajectory case of SUITE/manifest.json and every
 * quantity, prints the largest absolute difference and the largest distance
 * in ulps (units in the last place, counted on the binary64 bit patterns)
 * between A/ID/<q>.npy and B/ID/<q>.npy, and for a 2-D array the first
 * row (step) that differs, as "@rowR"; then, per activation and
 * quantity, the maxima over the cases. Exit 0 when everything is
 * identical bit for bit, 1 otherwise, 2 on bad input. Assumes a
 * little-endian host and files in the layout proto_cep writes.
 *
 *   cc -std=c11 -O2 -Wall -Wextra -o build/examples/compare_results \
 *      docs/examples/compare_results.c -ljansson -lm
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const QUANT[] = {"free_s", "cep_s", "cep_theta", "cep_delta_s",
                                    "cep_delta_theta", "cep_total"};
enum { NQ = 6, NACT = 4 };
static const char *const ACTS[NACT] = {"tanh", "sigmoid4", "hardsigmoid", "identity"};

/* The data of a .npy file, or NULL; *cols receives the row length (the
 * second dimension of a 2-D shape, else 0). */
static double *load(const char *path, size_t *n, size_t *cols)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char pre[10];
    double *v = NULL;
    if (fread(pre, 1, 10, f) == 10 && !memcmp(pre, "\x93NUMPY\x01\x00", 8)) {
        long hlen = pre[8] | (pre[9] << 8);
        char hdr[256] = "";
        if (fread(hdr, 1, hlen < 255 ? (size_t)hlen : 255, f) == 0) hdr[0] = '\0';
        const char *sh = strstr(hdr, "'shape': (");
        *cols = 0;
        if (sh && (sh = strchr(sh, ',')) && sh[1] == ' ') *cols = strtoul(sh + 2, NULL, 10);
        fseek(f, 0, SEEK_END);
        long bytes = ftell(f) - 10 - hlen;
        fseek(f, 10 + hlen, SEEK_SET);
        *n = (size_t)bytes / 8;
        v = malloc(bytes > 0 ? (size_t)bytes : 1);
        if (v && fread(v, 8, *n, f) != *n) { free(v); v = NULL; }
    }
    fclose(f);
    return v;
}

/* Distance in ulps: the number of binary64 values between a and b. */
static double ulps(double a, double b)
{
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    if (ia < 0) ia = INT64_MIN - ia;        /* map to a monotonic integer line */
    if (ib < 0) ib = INT64_MIN - ib;
    uint64_t d = ia > ib ? (uint64_t)ia - (uint64_t)ib : (uint64_t)ib - (uint64_t)ia;
    return (double)d;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: compare_results SUITE A B\n");
        return 2;
    }
    char path[4096], pb[4096];
    snprintf(path, sizeof path, "%s/manifest.json", argv[1]);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        fprintf(stderr, "compare_results: %s: %s\n", path, err.text);
        return 2;
    }
    double agg_abs[NACT][NQ] = {{0}}, agg_ulp[NACT][NQ] = {{0}};
    int rc = 0;
    size_t missing = 0;
    const json_t *cases = json_object_get(root, "cases");
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *jc = json_array_get(cases, c);
        const char *id = json_string_value(json_object_get(jc, "id"));
        const char *kind = json_string_value(json_object_get(jc, "kind"));
        const char *model = json_string_value(json_object_get(jc, "model"));
        const char *act = json_string_value(json_object_get(jc, "activation"));
        if (!id || !kind || !model || !act || strcmp(kind, "trajectory") ||
            strcmp(model, "prototypical"))
            continue;
        size_t a = 0;
        while (a < NACT && strcmp(ACTS[a], act)) a++;
        if (a == NACT) continue;
        printf("%-26s", id);
        for (size_t q = 0; q < NQ; q++) {
            size_t na = 0, nb = 0, cols = 0, cb = 0;
            snprintf(path, sizeof path, "%s/%s/%s.npy", argv[2], id, QUANT[q]);
            snprintf(pb, sizeof pb, "%s/%s/%s.npy", argv[3], id, QUANT[q]);
            double *va = load(path, &na, &cols), *vb = load(pb, &nb, &cb);
            if (!va || !vb || na != nb) {
                printf(" %s: MISSING/SIZE", QUANT[q]);
                missing++;
                rc = 2;
            } else {
                double mabs = 0, mulp = 0;
                size_t first = na;              /* first entry that differs */
                for (size_t i = 0; i < na; i++) {
                    double d = fabs(va[i] - vb[i]), u = ulps(va[i], vb[i]);
                    if (!(d <= mabs)) mabs = d;
                    if (u > mulp) mulp = u;
                    if (u > 0 && first == na) first = i;
                }
                printf(" %.1e/%.3g", mabs, mulp);
                if (first < na && cols) printf("@row%zu", first / cols);
                if (mabs > agg_abs[a][q] || isnan(mabs)) agg_abs[a][q] = mabs;
                if (mulp > agg_ulp[a][q]) agg_ulp[a][q] = mulp;
                if (mulp > 0 && rc == 0) rc = 1;
            }
            free(va);
            free(vb);
        }
        printf("\n");
    }
    printf("\nmax abs diff / max ulps, per activation (columns:");
    for (size_t q = 0; q < NQ; q++) printf(" %s", QUANT[q]);
    printf(")\n");
    for (size_t a = 0; a < NACT; a++) {
        printf("%-12s", ACTS[a]);
        for (size_t q = 0; q < NQ; q++) printf("  %.3g/%.3g", agg_abs[a][q], agg_ulp[a][q]);
        printf("\n");
    }
    if (missing) printf("%zu file(s) missing or of different sizes\n", missing);
    json_decref(root);
    return rc;
}
