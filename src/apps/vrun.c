/* vrun.c -- `cep compute`: run this library on every case of a vector suite,
 * from the suite's own files (inputs and manifest parameters), and write the
 * results in the layout `cep check` reads (spec/vectors.md §6).  It is how
 * the library checks itself against the committed suite (make verify, make
 * check) and how a replay case is rerun. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "internal.h"
#include "apps/vectors.h"
#include "util/errtext.h"

/* Paths are built with snprintf into buffers far larger than any directory
 * the tools accept; gcc cannot see that bound. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int read_vec(double **out, size_t want, const char *dir, const char *id, const char *name,
                    char *err, size_t errlen)
{
    char path[8192];
    cep_array a = {0};
    snprintf(path, sizeof path, "%s/%s/inputs/%s.npy", dir, id, name);
    int st = cep_npy_read(&a, path, err, errlen);
    if (st)
        return st;
    if (a.n != want) {
        cep_errf(err, errlen, "%s: %zu values, the case's network needs %zu", path, a.n, want);
        cep_array_free(&a);
        return CEP_EVF_SHAPE;
    }
    for (size_t i = 0; i < a.n; i++)
        if (!(a.data[i] - a.data[i] == 0)) {
            cep_errf(err, errlen, "%s: value %zu is not finite", path, i);
            cep_array_free(&a);
            return CEP_ENONFINITE;
        }
    *out = a.data;
    return CEP_OK;
}

static int jsize(json_t *o, const char *k, size_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (size_t)json_integer_value(v);
    return 0;
}

static int jdouble(json_t *o, const char *k, double *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 0;
}

static int run_case(const cep_vrun_opts *o, const char *out_root, json_t *co, const char *id,
                    char *err, size_t errlen)
{
    char where[512];
    snprintf(where, sizeof where, "%s/manifest.json: case '%s'", o->vectors_dir, id);
    const char *kind_s = json_string_value(json_object_get(co, "kind"));
    const char *model_s = json_string_value(json_object_get(co, "model"));
    const char *act_s = json_string_value(json_object_get(co, "activation"));
    json_t *sizes = json_object_get(co, "sizes"), *eta_j = json_object_get(co, "eta");
    vcase_in in;
    memset(&in, 0, sizeof in);
    double eps, eta[CEP_MAX_LAYERS];
    size_t sz[CEP_MAX_LAYERS + 1], ns = json_array_size(sizes);
    cep_model m;
    cep_activation act;
    if (!kind_s || !model_s || !act_s || !json_is_array(sizes) || !json_is_array(eta_j) ||
        jdouble(co, "eps", &eps) || jdouble(co, "beta", &in.beta) || jsize(co, "T", &in.T) ||
        jsize(co, "K", &in.K) || ns < 2 || ns > CEP_MAX_LAYERS + 1 ||
        json_array_size(eta_j) != ns - 1 || cep_model_parse(&m, model_s) ||
        cep_activation_parse(&act, act_s)) {
        cep_errf(err, errlen, "%s: kind, model, activation, sizes, eps, T, K, beta or eta missing "
                "or invalid", where);
        return CEP_EV_MANIFEST;
    }
    for (size_t i = 0; i < ns; i++) {
        json_t *v = json_array_get(sizes, i);
        sz[i] = json_is_integer(v) && json_integer_value(v) > 0 ? (size_t)json_integer_value(v) : 0;
    }
    for (size_t l = 0; l + 1 < ns; l++)
        eta[l] = json_number_value(json_array_get(eta_j, l));
    int st = cep_shape_init(&in.sh, m, act, eps, ns, sz);
    if (st) {
        cep_errf(err, errlen, "%s: %s", where, cep_strerror(st));
        return CEP_EV_MANIFEST;
    }
    in.kind = strcmp(kind_s, "step") == 0 ? VQ_KIND_STEP : VQ_KIND_TRAJ;
    in.eta = eta;
    const cep_shape *sh = &in.sh;
    double *x = NULL, *y = NULL, *th = NULL, *s = NULL, *v = NULL;
    st = read_vec(&x, sh->size[0], o->vectors_dir, id, "x", err, errlen);
    if (!st) st = read_vec(&y, sh->size[sh->n_layers], o->vectors_dir, id, "y", err, errlen);
    if (!st) st = read_vec(&th, sh->P, o->vectors_dir, id, in.kind == VQ_KIND_TRAJ ? "theta0" : "theta",
                           err, errlen);
    if (!st && in.kind == VQ_KIND_STEP) {
        st = read_vec(&s, sh->S, o->vectors_dir, id, "s", err, errlen);
        if (!st) st = read_vec(&v, sh->S, o->vectors_dir, id, "v", err, errlen);
    }
    size_t len[VQ_N], rows[VQ_N], width[VQ_N];
    double *qd[VQ_N] = {0};
    __mpfr_struct *qm[VQ_N] = {0};
    if (!st) {
        in.x = x; in.y = y; in.theta = th; in.s = s; in.v = v;
        vtrace_lengths(len, rows, width, in.kind, sh, in.T, in.K);
        st = o->use_mpfr ? vtrace_run_mp(&o->ctx, qm, len, &in) : vtrace_run_d(&o->ctx, qd, len, &in);
        if (st)
            cep_errf(err, errlen, "case %s: %s", id, cep_vectors_strerror(st));
    }
    char dir[8192];
    snprintf(dir, sizeof dir, "%s/%s", out_root, id);
    if (!st)
        st = cep_mkdir_p(dir, err, errlen);
    for (size_t i = 0; i < VQ_N && !st; i++) {
        if (!len[i])
            continue;
        double *val = qd[i];
        double *tmp = NULL;
        if (o->use_mpfr) {
            tmp = malloc(len[i] * sizeof(double));
            if (!tmp) {
                st = CEP_ENOMEM;
                break;
            }
            cep_vec_to_double_mp(tmp, qm[i], len[i]);
            val = tmp;
        }
        char path[8400];
        size_t shape[2] = {rows[i], width[i]};
        snprintf(path, sizeof path, "%s/%s.npy", dir, cep_vq_table[i].name);
        if (cep_vq_table[i].rows == VQ_ROWS_ONE)
            st = cep_npy_write(path, val, 1, &width[i], CEP_FMT_BINARY64, err, errlen);
        else
            st = cep_npy_write(path, val, 2, shape, CEP_FMT_BINARY64, err, errlen);
        free(tmp);
    }
    vtrace_free_d(qd);
    vtrace_free_mp(qm);
    free(x); free(y); free(th); free(s); free(v);
    return st;
}

/* The staging directory: <stage>/<case>/<file>, two levels of plain files.
 * publish = 1 renames every file into results_dir/<case>/ (each rename
 * atomic) before removing what is left; 0 only removes. */
static int stage_finish(const char *stage, const char *results_dir, int publish, char *err,
                        size_t errlen)
{
    int st = CEP_OK;
    DIR *d = opendir(stage);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[8400], dst_dir[8400];
        snprintf(sub, sizeof sub, "%s/%s", stage, e->d_name);
        snprintf(dst_dir, sizeof dst_dir, "%s/%s", results_dir, e->d_name);
        if (publish && st == CEP_OK && cep_mkdir_p(dst_dir, err, errlen) != CEP_OK)
            st = CEP_EVF_OPEN;
        DIR *d2 = opendir(sub);
        struct dirent *f;
        while (d2 != NULL && (f = readdir(d2)) != NULL) {
            if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                continue;
            char src[8800], dst[8800];
            snprintf(src, sizeof src, "%s/%s", sub, f->d_name);
            snprintf(dst, sizeof dst, "%s/%s", dst_dir, f->d_name);
            if (publish && st == CEP_OK && rename(src, dst) != 0) {
                cep_errf(err, errlen, "%s: cannot rename %s to it: %s", dst, src, strerror(errno));
                st = CEP_EVF_IO;
            }
            unlink(src);
        }
        if (d2 != NULL)
            closedir(d2);
        rmdir(sub);
    }
    if (d != NULL)
        closedir(d);
    rmdir(stage);
    return st;
}

int cep_vectors_compute(const cep_vrun_opts *o, char *err, size_t errlen)
{
    if (!o || !o->vectors_dir || !o->results_dir)
        return CEP_EARG;
    char path[8192];
    snprintf(path, sizeof path, "%s/manifest.json", o->vectors_dir);
    json_t *man = cep_manifest_load(path, err, errlen);
    if (!man)
        return CEP_EV_MANIFEST;
    json_t *cases = json_object_get(man, "cases");
    int st = CEP_OK;
    if (!json_is_array(cases)) {
        cep_errf(err, errlen, "%s: field 'cases' is missing or not an array", path);
        st = CEP_EV_MANIFEST;
    }
    if (!st)
        st = cep_mkdir_p(o->results_dir, err, errlen);
    /* Every case is written into a staging directory inside results_dir and
     * moved into place only when all selected cases are done: a failure or a
     * stop request (SIGINT, SIGTERM) leaves the previous results untouched. */
    char stage[8192] = "";
    if (!st) {
        snprintf(stage, sizeof stage, "%s/.compute.tmp-XXXXXX", o->results_dir);
        if (mkdtemp(stage) == NULL) {
            cep_errf(err, errlen, "%s: cannot create a staging directory in it: %s", o->results_dir,
                     strerror(errno));
            stage[0] = '\0';
            st = CEP_EVF_OPEN;
        }
    }
    size_t done = 0;
    for (size_t i = 0; !st && i < json_array_size(cases); i++) {
        json_t *co = json_array_get(cases, i);
        const char *id = json_string_value(json_object_get(co, "id"));
        if (!id || strchr(id, '/') || id[0] == '.') {
            cep_errf(err, errlen, "%s: case %zu: 'id' missing or not a plain name", path, i);
            st = CEP_EV_MANIFEST;
            break;
        }
        int sel = o->n_cases == 0;
        for (size_t k = 0; k < o->n_cases; k++)
            sel |= fnmatch(o->cases[k], id, 0) == 0;
        if (!sel)
            continue;
        if (cep_stop_requested()) {
            cep_errf(err, errlen, "interrupted before case %s: the previous results in %s are kept",
                     id, o->results_dir);
            st = CEP_EINTR;
            break;
        }
        st = run_case(o, stage, co, id, err, errlen);
        done++;
    }
    if (!st && done == 0) {
        cep_errf(err, errlen, "%s: no case selected", path);
        st = CEP_EV_USAGE;
    }
    if (!st && cep_stop_requested()) {
        cep_errf(err, errlen, "interrupted: the previous results in %s are kept", o->results_dir);
        st = CEP_EINTR;
    }
    if (stage[0]) {
        int st2 = stage_finish(stage, o->results_dir, st == CEP_OK, err, errlen);
        if (st == CEP_OK)
            st = st2;
    }
    json_decref(man);
    return st;
}
