/* vcheck.c -- `cep check`: compare an implementation's results with a
 * golden-vector suite (spec/vectors.md §7).
 *
 * The manifest is read with jansson; every file it lists is checked against
 * its sha256 first.  Values are then compared in time order: within a case,
 * phase by phase (free, cep, ep, bptt), step by step, quantity by quantity,
 * index by index, so the first failure reported is the first wrong step of
 * the computation, not the first wrong file. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "internal.h"
#include "apps/vectors.h"
#include "util/errtext.h"

/* Paths and names are built with snprintf into buffers far larger than any
 * directory the tools accept (checked on entry); gcc cannot see that bound. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* ---- the tolerance rule (VEC.TOL) -------------------------------------------- */
double cep_vtol_ulp(double e, cep_fmt f)
{
    static const int prec[3] = {53, 24, 8}, emin[3] = {-1022, -126, -126};
    if (!isfinite(e))
        return NAN;
    double a = fabs(e);
    int ex;
    if (a == 0)
        return ldexp(1.0, emin[f] - prec[f] + 1);
    frexp(a, &ex);                 /* a in [2^(ex-1), 2^ex) */
    int q = ex - 1;
    if (q < emin[f])
        q = emin[f];
    return ldexp(1.0, q - prec[f] + 1);
}

int cep_vtol_pass(double a, double e, double atol, double rtol, double ulps, cep_fmt f)
{
    if (isnan(e) || isnan(a))
        return isnan(e) && isnan(a);
    if (isinf(e) || isinf(a))
        return a == e;
    double bound = atol + rtol * fabs(e) + (ulps > 0 ? ulps * cep_vtol_ulp(e, f) : 0.0);
    return fabs(a - e) <= bound;
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int matches(const char *const *pats, size_t n, const char *s)
{
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (fnmatch(pats[i], s, 0) == 0)
            return 1;
    return 0;
}

/* Field access that names the field on failure. */
static json_t *jget(json_t *o, const char *key, int type, const char *where, char *err, size_t errlen)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (v == NULL || (type >= 0 && json_typeof(v) != (json_type)type &&
                      !(type == JSON_REAL && json_is_integer(v)))) {
        cep_errf(err, errlen, "%s: field '%s' is missing or not %s", where, key,
                type == JSON_OBJECT ? "an object" : type == JSON_ARRAY ? "an array"
                : type == JSON_STRING ? "a string" : type == JSON_INTEGER ? "an integer"
                : "a number");
        return NULL;
    }
    return v;
}

static double jnum(json_t *v) { return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v); }

/* ---- the loaded comparison --------------------------------------------------- */
typedef struct {
    int qi;                 /* index in cep_vq_table */
    const vq_info *info;
    size_t rows, width;     /* expected, as stored */
    long first_step;
    double *expected;       /* rows * width */
    double *actual;         /* rows * width, after subset selection */
    double atol, rtol, ulps;
    /* results */
    size_t checked, failed;
    double worst_ratio, worst_err;
    size_t worst_row, worst_col;
    char name[64];
} vq_cmp;

typedef struct {
    const char *id;
    json_t *case_obj;
    cep_shape sh;
    int have_shape;
    size_t T, K;
    size_t *subset;         /* flat theta index of each stored theta column, or NULL */
    size_t n_subset;
    vq_cmp *q;
    size_t nq;
} vc_case;

typedef struct {
    int found;
    size_t case_i, q_i, row, col;
    double a, e, allowed;
    long step;
    char where[96];
    int have_last_pass;
    const char *last_phase;
    long last_step;
} vfirst;

/* Name the element: "s_2[3]", "W_1[4][0]", "b_2[1]", "L". */
static void element_name(char *buf, size_t len, const vc_case *c, const vq_cmp *q, size_t col)
{
    if (q->info->axis == VQ_AXIS_SCALAR || !c->have_shape) {
        snprintf(buf, len, q->info->axis == VQ_AXIS_SCALAR ? "L" : "[%zu]", col);
        return;
    }
    const cep_shape *sh = &c->sh;
    if (q->info->axis == VQ_AXIS_STATE) {
        for (size_t l = sh->n_layers; l >= 1; l--)
            if (col >= sh->s_off[l]) {
                snprintf(buf, len, "s_%zu[%zu] (layer %zu, flat %zu)", l, col - sh->s_off[l], l, col);
                return;
            }
    }
    size_t m = (c->subset && q->width == c->n_subset) ? c->subset[col] : col;
    for (size_t l = sh->n_layers - 1; CEP_MODEL_IS_VF(sh->model) && l >= 1; l--)
        if (m >= sh->B_off[l]) { /* (LAYOUT.3) */
            size_t k = m - sh->B_off[l];
            snprintf(buf, len, "B_%zu[%zu][%zu] (layer %zu, theta %zu)", l, k / sh->size[l + 1],
                     k % sh->size[l + 1], l, m);
            return;
        }
    for (size_t l = sh->n_layers; l >= 1; l--) {
        if (m >= sh->b_off[l]) {
            snprintf(buf, len, "b_%zu[%zu] (layer %zu, theta %zu)", l, m - sh->b_off[l], l, m);
            return;
        }
        if (m >= sh->W_off[l]) {
            size_t k = m - sh->W_off[l];
            snprintf(buf, len, "W_%zu[%zu][%zu] (layer %zu, theta %zu)", l, k / sh->size[l - 1],
                     k % sh->size[l - 1], l, m);
            return;
        }
    }
    snprintf(buf, len, "[%zu]", col);
}

static long row_step(const vq_cmp *q, size_t r) { return q->first_step + (long)r; }

static void vc_free(vc_case *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < cs[i].nq; k++) {
            free(cs[i].q[k].expected);
            free(cs[i].q[k].actual);
        }
        free(cs[i].q);
        free(cs[i].subset);
    }
    free(cs);
}

/* Read an array file (.npy or results text). */
static int read_any(cep_array *a, const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".txt") == 0)
        return cep_text_read(a, path, err, errlen);
    return cep_npy_read(a, path, err, errlen);
}

static const char *pf_expected(cep_fmt f, int exact)
{
    if (exact)
        return f == CEP_FMT_BINARY64 ? "b64" : f == CEP_FMT_BINARY32 ? "b32" : "bf16";
    return f == CEP_FMT_BINARY64 ? "truth64" : "truth32";
}

/* Check every file of the manifest's list against its sha256. */
static int verify_files(json_t *files, const char *root, char *err, size_t errlen)
{
    const char *rel;
    json_t *v;
    json_object_foreach(files, rel, v) {
        char path[4200], hex[65];
        if (strstr(rel, "..") != NULL || rel[0] == '/') {
            cep_errf(err, errlen, "%s/manifest.json: files: '%s' leaves the suite directory", root, rel);
            return CEP_EV_MANIFEST;
        }
        snprintf(path, sizeof path, "%s/%s", root, rel);
        if (!file_exists(path)) {
            cep_errf(err, errlen, "%s: listed in the manifest but missing", path);
            return CEP_EV_MISSING;
        }
        int st = cep_sha256_file(hex, path, err, errlen);
        if (st)
            return st;
        if (!json_is_string(v) || strcmp(hex, json_string_value(v)) != 0) {
            cep_errf(err, errlen, "%s: sha256 %s differs from the manifest's %s", path, hex,
                    json_is_string(v) ? json_string_value(v) : "(not a string)");
            return CEP_EV_SHA;
        }
    }
    return CEP_OK;
}

/* Results files of one case that name no quantity are refused. */
static int check_extra(const char *dir, const char *case_id, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return CEP_OK;
    struct dirent *de;
    int st = CEP_OK;
    while ((de = readdir(d)) != NULL && st == CEP_OK) {
        if (de->d_name[0] == '.')
            continue;
        char base[256];
        snprintf(base, sizeof base, "%s", de->d_name);
        char *dot = strrchr(base, '.');
        if (dot && (strcmp(dot, ".npy") == 0 || strcmp(dot, ".txt") == 0)) {
            *dot = 0;
            if (cep_vq_find(base) >= 0)
                continue;
        }
        cep_errf(err, errlen, "%s/%s: no quantity of case %s is called that (expected "
                "<quantity>.npy or <quantity>.txt)", dir, de->d_name, case_id);
        st = CEP_EV_EXTRA;
    }
    closedir(d);
    return st;
}

static int load_case(vc_case *c, json_t *co, const cep_vcheck_opts *o, const char *pdir,
                     const char *profile_name, char *err, size_t errlen)
{
    char where[256], path[4200];
    snprintf(where, sizeof where, "%s/manifest.json: case '%s'", o->vectors_dir, c->id);
    json_t *sizes = jget(co, "sizes", JSON_ARRAY, where, err, errlen);
    json_t *jm = jget(co, "model", JSON_STRING, where, err, errlen);
    json_t *ja = jget(co, "activation", JSON_STRING, where, err, errlen);
    json_t *jT = jget(co, "T", JSON_INTEGER, where, err, errlen);
    json_t *jK = jget(co, "K", JSON_INTEGER, where, err, errlen);
    json_t *jq = jget(co, "quantities", JSON_ARRAY, where, err, errlen);
    json_t *jtol = jget(co, "tolerance", JSON_OBJECT, where, err, errlen);
    if (!sizes || !jm || !ja || !jT || !jK || !jq || !jtol)
        return CEP_EV_MANIFEST;
    c->T = (size_t)json_integer_value(jT);
    c->K = (size_t)json_integer_value(jK);
    size_t ns = json_array_size(sizes), sz[CEP_MAX_LAYERS + 1];
    cep_model m;
    cep_activation act;
    if (ns < 2 || ns > CEP_MAX_LAYERS + 1 || cep_model_parse(&m, json_string_value(jm)) ||
        cep_activation_parse(&act, json_string_value(ja))) {
        cep_errf(err, errlen, "%s: 'sizes', 'model' or 'activation' is invalid", where);
        return CEP_EV_MANIFEST;
    }
    for (size_t i = 0; i < ns; i++) {
        json_t *v = json_array_get(sizes, i);
        sz[i] = json_is_integer(v) && json_integer_value(v) > 0 ? (size_t)json_integer_value(v) : 0;
    }
    if (cep_shape_init(&c->sh, m, act, 0.5, ns, sz) != CEP_OK) {
        cep_errf(err, errlen, "%s: 'sizes' is not a valid network", where);
        return CEP_EV_MANIFEST;
    }
    c->have_shape = 1;
    json_t *sub = json_object_get(co, "theta_subset");
    if (sub) {
        json_t *f = jget(sub, "npy", JSON_STRING, where, err, errlen);
        if (!f)
            return CEP_EV_MANIFEST;
        cep_array ia = {0};
        if (strstr(json_string_value(f), "..") != NULL) {
            cep_errf(err, errlen, "%s: theta_subset.npy leaves the suite directory", where);
            return CEP_EV_MANIFEST;
        }
        snprintf(path, sizeof path, "%s/%s", o->vectors_dir, json_string_value(f));
        int st = cep_npy_read(&ia, path, err, errlen);
        if (st)
            return st;
        c->subset = malloc((ia.n ? ia.n : 1) * sizeof(size_t));
        c->n_subset = ia.n;
        for (size_t j = 0; c->subset && j < ia.n; j++) {
            double v = ia.data[j];
            if (!(v >= 0 && v < (double)c->sh.P && v == floor(v))) {
                cep_array_free(&ia);
                cep_errf(err, errlen, "%s: entry %zu (%g) is not an index of theta", path, j, v);
                return CEP_EV_MANIFEST;
            }
            c->subset[j] = (size_t)v;
        }
        cep_array_free(&ia);
        if (!c->subset)
            return CEP_ENOMEM;
    }
    json_t *ptol = json_object_get(jtol, profile_name);
    size_t nq = json_array_size(jq);
    c->q = calloc(nq ? nq : 1, sizeof(vq_cmp));
    if (!c->q)
        return CEP_ENOMEM;
    char rdir[4200];
    snprintf(rdir, sizeof rdir, "%s/%s", o->results_dir, c->id);
    for (size_t k = 0; k < nq; k++) {
        json_t *qo = json_array_get(jq, k);
        json_t *jn = jget(qo, "name", JSON_STRING, where, err, errlen);
        json_t *jprof = jget(qo, "profiles", JSON_ARRAY, where, err, errlen);
        json_t *jfs = jget(qo, "first_step", JSON_INTEGER, where, err, errlen);
        if (!jn || !jprof || !jfs)
            return CEP_EV_MANIFEST;
        const char *name = json_string_value(jn);
        int qi = cep_vq_find(name);
        if (qi < 0) {
            cep_errf(err, errlen, "%s: unknown quantity '%s'", where, name);
            return CEP_EV_MANIFEST;
        }
        if (!matches(o->quantities, o->n_quantities, name))
            continue;
        int has_profile = 0;
        for (size_t p = 0; p < json_array_size(jprof); p++)
            if (json_is_string(json_array_get(jprof, p)) &&
                strcmp(json_string_value(json_array_get(jprof, p)), pdir) == 0)
                has_profile = 1;
        if (!has_profile)
            continue;
        vq_cmp *q = &c->q[c->nq];
        snprintf(q->name, sizeof q->name, "%s", name);
        q->qi = qi;
        q->info = &cep_vq_table[qi];
        q->first_step = (long)json_integer_value(jfs);
        /* Expected values. */
        cep_array ea = {0}, aa = {0};
        snprintf(path, sizeof path, "%s/%s/%s/%s.npy", o->vectors_dir, c->id, pdir, name);
        int st = cep_npy_read(&ea, path, err, errlen);
        if (st)
            return st;
        /* The generator refuses diverging cases, so no suite holds a NaN or
         * an infinity as an expected value: one is a damaged file. */
        for (size_t j = 0; j < ea.n; j++)
            if (!isfinite(ea.data[j])) {
                size_t w = ea.ndim == 2 ? ea.shape[1] : ea.n;
                cep_errf(err, errlen, "%s: expected value %zu (row %zu, column %zu) is %s; a suite's "
                         "expected values are all finite", path, j, j / w, j % w,
                         isnan(ea.data[j]) ? "NaN" : "infinite");
                cep_array_free(&ea);
                return CEP_ENONFINITE;
            }
        q->rows = ea.ndim == 2 ? ea.shape[0] : 1;
        q->width = ea.ndim == 2 ? ea.shape[1] : ea.n;
        q->expected = ea.data;
        ea.data = NULL;
        c->nq++;   /* from here on vc_free owns q, also on the error returns below */
        /* Tolerance: the manifest's, unless the command line says otherwise. */
        if (o->exact) {
            q->atol = q->rtol = q->ulps = 0;
        } else {
            json_t *t = ptol ? json_object_get(ptol, name) : NULL;
            json_t *ta = t ? json_object_get(t, "atol") : NULL, *tr = t ? json_object_get(t, "rtol") : NULL;
            json_t *tu = t ? json_object_get(t, "ulps") : NULL;
            if (!json_is_number(ta) || !json_is_number(tr) || !json_is_number(tu)) {
                if (!(o->have_atol && o->have_rtol && o->have_ulps)) {
                    cep_errf(err, errlen, "%s: tolerance.%s.%s: atol, rtol or ulps missing", where,
                            profile_name, name);
                    return CEP_EV_MANIFEST;
                }
            } else {
                q->atol = jnum(ta);
                q->rtol = jnum(tr);
                q->ulps = jnum(tu);
            }
            if (o->have_atol) q->atol = o->atol;
            if (o->have_rtol) q->rtol = o->rtol;
            if (o->have_ulps) q->ulps = o->ulps;
        }
        /* Actual values: .npy, else .txt. */
        char rp[4400];
        snprintf(rp, sizeof rp, "%s/%s.npy", rdir, name);
        if (!file_exists(rp))
            snprintf(rp, sizeof rp, "%s/%s.txt", rdir, name);
        if (!file_exists(rp)) {
            cep_errf(err, errlen, "%s/%s.npy (or .txt): missing: case %s needs quantity %s",
                    rdir, name, c->id, name);
            return CEP_EV_MISSING;
        }
        st = read_any(&aa, rp, err, errlen);
        if (st)
            return st;
        /* (VF.RES) decimal text cannot hold a binary32 value exactly: a
         * text result of the binary32 or bfloat16 profile is read as the
         * nearest value of the format (9 significant digits identify it). */
        if (strstr(rp, ".txt") != NULL && o->profile != CEP_FMT_BINARY64)
            for (size_t j = 0; j < aa.n; j++)
                aa.data[j] = cep_fmt_round(o->profile, aa.data[j]);
        size_t full_w = q->info->axis == VQ_AXIS_THETA ? c->sh.P : q->width;
        int is_text = aa.ndim == 1 && strstr(rp, ".txt") != NULL;
        size_t arows = aa.ndim == 2 ? aa.shape[0] : 1;
        size_t aw = aa.ndim == 2 ? aa.shape[1] : aa.n;
        if (is_text && q->rows > 1) {
            arows = q->rows;
            aw = aa.n % q->rows == 0 ? aa.n / q->rows : 0;
        }
        int shape_ok = arows == q->rows && (aw == q->width || (c->subset && aw == full_w &&
                                                                q->width == c->n_subset));
        if (!is_text && aa.ndim != (q->info->rows == VQ_ROWS_ONE ? 1u : 2u))
            shape_ok = 0;
        if (!shape_ok) {
            cep_errf(err, errlen, "%s: shape (%zu, %zu) does not match the vector's (%zu, %zu)%s",
                    rp, arows, aw, q->rows, q->width,
                    c->subset && q->width == c->n_subset ? " (or its full-theta form)" : "");
            cep_array_free(&aa);
            return CEP_EVF_SHAPE;
        }
        if (aw == q->width) {
            q->actual = aa.data;
            aa.data = NULL;
        } else {
            q->actual = malloc(q->rows * q->width * sizeof(double));
            if (!q->actual) {
                cep_array_free(&aa);
                return CEP_ENOMEM;
            }
            for (size_t r = 0; r < q->rows; r++)
                for (size_t j = 0; j < q->width; j++)
                    q->actual[r * q->width + j] = aa.data[r * aw + c->subset[j]];
        }
        cep_array_free(&aa);
    }
    return check_extra(rdir, c->id, err, errlen);
}

/* ---- comparison in time order ---------------------------------------------------- */
typedef struct { int rank; long step; size_t qk; size_t row; } vevent;

static int cmp_event(const void *a, const void *b)
{
    const vevent *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    if (x->qk != y->qk) return x->qk < y->qk ? -1 : 1;
    return 0;
}

typedef struct {
    FILE *out;
    const cep_vcheck_opts *o;
    long shown;
    size_t total, failed;
} vctx;

static void fmt_bits(char *buf, size_t len, double v, cep_fmt f)
{
    double r = cep_fmt_round(f, v);
    if (r == v || isnan(v))
        snprintf(buf, len, "0x%0*llX", cep_fmt_hex_digits(f),
                 (unsigned long long)cep_fmt_bits(f, v));
    else
        snprintf(buf, len, "0x%016llX(binary64)", (unsigned long long)cep_fmt_bits(CEP_FMT_BINARY64, v));
}

static int exact_pass(double a, double e, cep_fmt f)
{
    if (isnan(e) || isnan(a))
        return isnan(a) && isnan(e);
    return cep_fmt_round(f, a) == a && cep_fmt_bits(f, a) == cep_fmt_bits(f, e);
}

/* CEP_OK, or CEP_ENOMEM with nothing compared: a case never passes unseen. */
static int compare_case(vctx *v, vc_case *c, size_t ci, vfirst *first, cep_fmt f)
{
    size_t nev = 0;
    for (size_t k = 0; k < c->nq; k++)
        nev += c->q[k].rows;
    vevent *ev = malloc((nev ? nev : 1) * sizeof *ev);
    if (!ev)
        return CEP_ENOMEM;
    size_t e = 0;
    for (size_t k = 0; k < c->nq; k++)
        for (size_t r = 0; r < c->q[k].rows; r++) {
            ev[e].rank = c->q[k].info->phase_rank;
            ev[e].step = row_step(&c->q[k], r);
            ev[e].qk = k;
            ev[e].row = r;
            e++;
        }
    qsort(ev, nev, sizeof *ev, cmp_event);
    int case_failed_before = first->found;
    /* (phase rank, step) of the group being scanned, and whether it passed. */
    for (size_t g = 0; g < nev;) {
        size_t h = g;
        int group_ok = 1;
        while (h < nev && ev[h].rank == ev[g].rank && ev[h].step == ev[g].step) {
            vq_cmp *q = &c->q[ev[h].qk];
            size_t r = ev[h].row;
            for (size_t j = 0; j < q->width; j++) {
                double a = q->actual[r * q->width + j], x = q->expected[r * q->width + j];
                int ok = v->o->exact ? exact_pass(a, x, f)
                                     : cep_vtol_pass(a, x, q->atol, q->rtol, q->ulps, f);
                q->checked++;
                v->total++;
                if (ok)
                    continue;
                group_ok = 0;
                q->failed++;
                v->failed++;
                double err = (isfinite(a) && isfinite(x)) ? fabs(a - x) : INFINITY;
                double allowed = q->atol + q->rtol * fabs(x) + q->ulps * cep_vtol_ulp(x, f);
                double ratio = allowed > 0 ? err / allowed : INFINITY;
                if (q->failed == 1 || ratio > q->worst_ratio) {
                    q->worst_ratio = ratio;
                    q->worst_err = err;
                    q->worst_row = r;
                    q->worst_col = j;
                }
                if (!first->found) {
                    first->found = 1;
                    first->case_i = ci;
                    first->q_i = ev[h].qk;
                    first->row = r;
                    first->col = j;
                    first->a = a;
                    first->e = x;
                    first->allowed = allowed;
                    first->step = row_step(q, r);
                    element_name(first->where, sizeof first->where, c, q, j);
                }
                if (v->o->format == VC_HUMAN && v->shown < v->o->max_errors) {
                    char nm[96], ba[48], be[48];
                    element_name(nm, sizeof nm, c, q, j);
                    fmt_bits(ba, sizeof ba, a, f);
                    fmt_bits(be, sizeof be, x, f);
                    fprintf(v->out, "  FAIL %s %s step %ld %s %s: expected %s %.17g, actual %s "
                            "%.17g, |a-e| %.3g > %.3g, %.3g ULP\n", c->id, q->info->phase,
                            row_step(q, r), q->name, nm, be, x, ba, a, err, allowed,
                            isfinite(err) ? err / cep_vtol_ulp(x, f) : INFINITY);
                    v->shown++;
                }
            }
            h++;
        }
        if (group_ok && !first->found && !case_failed_before) {
            first->have_last_pass = 1;
            first->last_phase = c->q[ev[g].qk].info->phase;
            first->last_step = ev[g].step;
        }
        g = h;
    }
    free(ev);
    return CEP_OK;
}

/* ---- replay (VEC.REPLAY) -------------------------------------------------------- */
static vq_cmp *find_q(vc_case *c, const char *name)
{
    for (size_t k = 0; k < c->nq; k++)
        if (strcmp(c->q[k].name, name) == 0)
            return &c->q[k];
    return NULL;
}

static int read_input(double **out, size_t *n, const cep_vcheck_opts *o, const char *id,
                      const char *name, char *err, size_t errlen)
{
    char path[4200];
    cep_array a = {0};
    snprintf(path, sizeof path, "%s/%s/inputs/%s.npy", o->vectors_dir, id, name);
    int st = cep_npy_read(&a, path, err, errlen);
    if (st)
        return st;
    *out = a.data;
    *n = a.n;
    return CEP_OK;
}

typedef struct { const char *dst; const char *src; long row; } replay_out;
static replay_out replay_of(const char *dst, const char *src, long row)
{
    replay_out r = {dst, src, row};
    return r;
}

/* The state just before the first failing step, as a one-case step suite:
 * inputs from the expected values of the step before, expected outputs from
 * the failing step (spec/vectors.md §7.4). */
static int write_replay(const cep_vcheck_opts *o, json_t *man, vc_case *c, const vfirst *fst,
                        const char *pdir, cep_fmt f, char *msg, size_t msglen)
{
    vq_cmp *fq = &c->q[fst->q_i];
    const char *phase = fq->info->phase;
    long k = fst->step;
    replay_out outs[4];
    size_t n_out = 0;
    const char *s_src = NULL, *th_src = NULL, *v_src = NULL;
    long s_row = 0, th_row = 0, v_row = 0;
    int ep = 0;
    if (strcmp(phase, "free") == 0 && fq->qi == cep_vq_find("free_s") && k >= 1) {
        s_src = "free_s"; s_row = k - 1;
        outs[n_out++] = replay_of("step_F", "free_s", k);
    } else if ((strcmp(phase, "cep") == 0 || strcmp(phase, "ep") == 0) && k >= 1 && k <= (long)c->K &&
               fq->info->rows != VQ_ROWS_ONE) {
        ep = strcmp(phase, "ep") == 0;
        s_src = ep ? "ep_s" : "cep_s"; s_row = k - 1;
        if (!ep) { th_src = "cep_theta"; th_row = k - 1; }
        outs[n_out++] = replay_of("nudge_s", s_src, k);
        if (!ep) {
            outs[n_out++] = replay_of("nudge_delta_s", "cep_delta_s", k - 1);
            outs[n_out++] = replay_of("nudge_delta_theta", "cep_delta_theta", k - 1);
            outs[n_out++] = replay_of("nudge_theta", "cep_theta", k);
        }
    } else if (strcmp(phase, "bptt") == 0 && k >= 1 && fq->info->rows != VQ_ROWS_ONE) {
        s_src = "free_s"; s_row = (long)c->T - k;
        v_src = "bptt_grad_s"; v_row = k - 1;
        outs[n_out++] = replay_of("vjp_s", "bptt_grad_s", k);
        outs[n_out++] = replay_of("vjp_theta", "bptt_grad_theta", k - 1);
    } else {
        snprintf(msg, msglen, "no replay: %s at step %ld of phase %s is not one step of the "
                 "algorithm (an initial value or a total)", fq->name, k, phase);
        return 1;
    }
    /* Every source must be loaded in full (the replay needs the whole state). */
    const char *need[3] = {s_src, th_src, v_src};
    for (int i = 0; i < 3; i++)
        if (need[i] && (!find_q(c, need[i]) || (c->subset && find_q(c, need[i])->info->axis == VQ_AXIS_THETA))) {
            snprintf(msg, msglen, "no replay: it needs %s in full, which %s", need[i],
                     c->subset ? "this case stores as a subset" : "the --quantity selection left out");
            return 1;
        }
    for (size_t i = 0; i < n_out; i++)
        if (!find_q(c, outs[i].src)) {
            snprintf(msg, msglen, "no replay: it needs %s, which the --quantity selection left out",
                     outs[i].src);
            return 1;
        }
    char err[512];
    double *x = NULL, *y = NULL, *th0 = NULL;
    size_t nx, ny, nth;
    if (read_input(&x, &nx, o, c->id, "x", err, sizeof err) ||
        read_input(&y, &ny, o, c->id, "y", err, sizeof err) ||
        read_input(&th0, &nth, o, c->id, "theta0", err, sizeof err)) {
        free(x); free(y); free(th0);
        snprintf(msg, msglen, "replay failed: %s", err);
        return 2;             /* asked for and not written: the input is unusable */
    }
    const cep_shape *sh = &c->sh;
    double *s = calloc(sh->S, sizeof(double)), *v = calloc(sh->S, sizeof(double));
    double *th = malloc(sh->P * sizeof(double));
    int st = (!s || !v || !th) ? CEP_ENOMEM : CEP_OK;
    if (st == CEP_OK) {
        vq_cmp *qs = find_q(c, s_src);
        memcpy(s, &qs->expected[(size_t)s_row * qs->width], sh->S * sizeof(double));
        memcpy(th, th0, sh->P * sizeof(double));
        if (th_src) {
            vq_cmp *qt = find_q(c, th_src);
            memcpy(th, &qt->expected[(size_t)th_row * qt->width], sh->P * sizeof(double));
        }
        if (v_src) {
            vq_cmp *qv = find_q(c, v_src);
            memcpy(v, &qv->expected[(size_t)v_row * qv->width], sh->S * sizeof(double));
        }
    }
    /* The replay suite: manifest + inputs + expected arrays, written into a
     * staging directory beside replay_dir that replaces it only when
     * complete (cep_dir_replace): never a partial replay suite. */
    char stage[4200], root[4400], path[4600], cid[200];
    if (st == CEP_OK) {
        snprintf(path, sizeof path, "%s", o->replay_dir);
        char *slash = strrchr(path, '/');
        if (slash != NULL && slash != path) {
            *slash = '\0';
            st = cep_mkdir_p(path, err, sizeof err);
        }
        snprintf(stage, sizeof stage, "%s.tmp-XXXXXX", o->replay_dir);
        if (st == CEP_OK && mkdtemp(stage) == NULL) {
            cep_errf(err, sizeof err, "%s: cannot create: %s", stage, strerror(errno));
            st = CEP_EVF_OPEN;
        }
        if (st != CEP_OK)
            stage[0] = '\0';
    } else {
        stage[0] = '\0';
    }
    snprintf(cid, sizeof cid, "replay-%s-%s-%ld", c->id, phase, k);
    snprintf(root, sizeof root, "%s/%s", stage, cid);
    snprintf(path, sizeof path, "%s/inputs", root);
    if (st == CEP_OK)
        st = cep_mkdir_p(path, err, sizeof err);
    snprintf(path, sizeof path, "%s/%s", root, pdir);
    if (st == CEP_OK)
        st = cep_mkdir_p(path, err, sizeof err);
    cep_json_begin();
    json_t *m = json_object();
    cep_json_set(m, "schema", json_string(CEP_VECTORS_SCHEMA));
    cep_json_set(m, "schema_version", json_string(CEP_VECTORS_SCHEMA_VERSION));
    cep_json_set(m, "suite", json_string("replay"));
    json_t *rof = json_object();
    cep_json_set(rof, "suite", json_string(o->vectors_dir));
    cep_json_set(rof, "case", json_string(c->id));
    cep_json_set(rof, "phase", json_string(phase));
    cep_json_set(rof, "step", json_integer(k));
    cep_json_set(rof, "quantity", json_string(fq->name));
    cep_json_set(rof, "profile", json_string(pdir));
    cep_json_set(m, "replay_of", rof);
    json_t *co = json_deep_copy(c->case_obj);
    cep_json_set(co, "id", json_string(cid));
    cep_json_set(co, "kind", json_string("step"));
    json_object_del(co, "envelope");
    cep_json_set(co, "formats", json_pack("{s:[s],s:[],s:[],s:n}", "npy", pdir, "hex",
                                                 "testfloat", "c_header"));
    json_object_del(co, "theta_subset");
    cep_json_set(co, "T", json_integer(1));
    cep_json_set(co, "K", json_integer(1));
    if (ep) {
        json_t *eta = json_array();
        for (size_t l = 0; l < sh->n_layers; l++)
            cep_json_append(eta, json_real(0.0));
        cep_json_set(co, "eta", eta);
    }
    json_t *ins = json_object(), *qs = json_array(), *tol = json_object();
    struct { const char *name; const double *val; size_t n; } in[5] = {
        {"x", x, nx}, {"y", y, ny}, {"theta", th, sh->P}, {"s", s, sh->S}, {"v", v, sh->S}};
    for (int i = 0; i < 5 && st == CEP_OK; i++) {
        char rel[400];
        snprintf(rel, sizeof rel, "%s/inputs/%s", cid, in[i].name);
        snprintf(path, sizeof path, "%s/%s.npy", stage, rel);
        st = cep_npy_write(path, in[i].val, 1, &in[i].n, CEP_FMT_BINARY64, err, sizeof err);
        json_t *e = json_object();
        cep_json_set(e, "shape", json_pack("[I]", (json_int_t)in[i].n));
        cep_json_set(e, "npy", json_pack("s+", rel, ".npy"));
        cep_json_set(ins, in[i].name, e);
    }
    json_t *otol = json_object_get(json_object_get(c->case_obj, "tolerance"),
                                   f == CEP_FMT_BINARY64 ? "binary64" : f == CEP_FMT_BINARY32 ? "binary32" : "bfloat16");
    json_t *ptol = json_object();
    for (size_t i = 0; i < n_out && st == CEP_OK; i++) {
        vq_cmp *src = find_q(c, outs[i].src);
        snprintf(path, sizeof path, "%s/%s/%s.npy", root, pdir, outs[i].dst);
        size_t w = src->width;
        st = cep_npy_write(path, &src->expected[(size_t)outs[i].row * w], 1, &w,
                           f == CEP_FMT_BINARY64 ? CEP_FMT_BINARY64 : CEP_FMT_BINARY32, err, sizeof err);
        const vq_info *di = &cep_vq_table[cep_vq_find(outs[i].dst)];
        json_t *qj = json_object();
        cep_json_set(qj, "name", json_string(outs[i].dst));
        cep_json_set(qj, "phase", json_string(di->phase));
        cep_json_set(qj, "axis", json_string(di->axis == VQ_AXIS_STATE ? "state" : "theta"));
        cep_json_set(qj, "shape", json_pack("[I]", (json_int_t)w));
        cep_json_set(qj, "first_step", json_integer(1));
        cep_json_set(qj, "subset", json_false());
        cep_json_set(qj, "what", json_string(di->what));
        cep_json_set(qj, "profiles", json_pack("[s]", pdir));
        cep_json_append(qs, qj);
        json_t *t = otol ? json_object_get(otol, outs[i].src) : NULL;
        if (t)
            cep_json_set(ptol, outs[i].dst, json_incref(t));
        else
            cep_json_set(ptol, outs[i].dst, json_pack("{s:f,s:f,s:f}", "atol", src->atol,
                                                             "rtol", src->rtol, "ulps", src->ulps));
    }
    cep_json_set(tol, f == CEP_FMT_BINARY64 ? "binary64" : f == CEP_FMT_BINARY32 ? "binary32" : "bfloat16", ptol);
    cep_json_set(co, "inputs", ins);
    cep_json_set(co, "quantities", qs);
    cep_json_set(co, "tolerance", tol);
    cep_json_set(m, "cases", json_pack("[o]", co));
    cep_json_set(m, "files", json_object());   /* written by this tool, not checksummed */
    (void)man;
    snprintf(path, sizeof path, "%s/manifest.json", stage);
    if (st == CEP_OK)
        st = cep_manifest_write(path, m, err, sizeof err);
    json_decref(m);
    if (st == CEP_OK)
        st = cep_dir_replace(stage, o->replay_dir, err, sizeof err);
    else if (stage[0])
        cep_tree_remove(stage);
    free(x); free(y); free(th0); free(s); free(v); free(th);
    if (st) {
        snprintf(msg, msglen, "replay failed: %s", err);
        return 2;
    }
    snprintf(msg, msglen, "replay: %s/manifest.json, case %s (inputs: the expected state before "
             "step %ld of phase %s)", o->replay_dir, cid, k, phase);
    return 0;
}

/* ---- reports ------------------------------------------------------------------ */
static void xml_escape(FILE *out, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
}

static void first_text(char *buf, size_t len, vc_case *cs, const vfirst *fst, cep_fmt f)
{
    vc_case *c = &cs[fst->case_i];
    vq_cmp *q = &c->q[fst->q_i];
    char ba[48], be[48];
    fmt_bits(ba, sizeof ba, fst->a, f);
    fmt_bits(be, sizeof be, fst->e, f);
    double err = (isfinite(fst->a) && isfinite(fst->e)) ? fabs(fst->a - fst->e) : INFINITY;
    snprintf(buf, len,
             "first failure: case %s, phase %s, step %ld, quantity %s, %s\n"
             "  expected %s = %.17g\n"
             "  actual   %s = %.17g\n"
             "  |a-e| = %.6g, rel %.6g, %.6g ULP; rule |a-e| <= atol %.6g + rtol %.6g |e| + ulps %.6g ULP(e) = %.6g\n",
             c->id, q->info->phase, fst->step, q->name, fst->where, be, fst->e, ba, fst->a, err,
             fst->e != 0 ? err / fabs(fst->e) : INFINITY,
             isfinite(err) ? err / cep_vtol_ulp(fst->e, f) : INFINITY, q->atol, q->rtol, q->ulps,
             fst->allowed);
}

int cep_vectors_check(const cep_vcheck_opts *o, FILE *out, char *err, size_t errlen)
{
    if (!o || !o->vectors_dir || !o->results_dir || !out) {
        cep_errf(err, errlen, "vectors and results directories are required");
        return 2;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", o->vectors_dir);
    if (!file_exists(path)) {
        cep_errf(err, errlen, "%s: missing (is %s a suite directory, e.g. vectors/v1/traj?)", path,
                o->vectors_dir);
        return 2;
    }
    struct stat sb;
    if (stat(o->results_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cep_errf(err, errlen, "%s: not a directory", o->results_dir);
        return 2;
    }
    json_t *man = cep_manifest_load(path, err, errlen);
    if (!man)
        return 2;
    int rc = 2;
    vc_case *cs = NULL;
    size_t ncs = 0;
    json_t *js = jget(man, "schema", JSON_STRING, path, err, errlen);
    json_t *jv = js ? jget(man, "schema_version", JSON_STRING, path, err, errlen) : NULL;
    json_t *jc = jv ? jget(man, "cases", JSON_ARRAY, path, err, errlen) : NULL;
    json_t *jf = jc ? jget(man, "files", JSON_OBJECT, path, err, errlen) : NULL;
    if (!jf)
        goto done;
    if (strcmp(json_string_value(js), CEP_VECTORS_SCHEMA) != 0 ||
        strncmp(json_string_value(jv), "1.", 2) != 0) {
        cep_errf(err, errlen, "%s: schema '%s' version '%s': this checker reads %s 1.x", path,
                json_string_value(js), json_string_value(jv), CEP_VECTORS_SCHEMA);
        goto done;
    }
    if (!o->skip_sha && verify_files(jf, o->vectors_dir, err, errlen) != CEP_OK)
        goto done;
    const char *pdir = pf_expected(o->profile, o->exact);
    const char *pname = cep_fmt_name(o->profile);
    cs = calloc(json_array_size(jc) + 1, sizeof *cs);
    if (!cs) {
        cep_errf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < json_array_size(jc); i++) {
        json_t *co = json_array_get(jc, i);
        json_t *jid = jget(co, "id", JSON_STRING, path, err, errlen);
        if (!jid)
            goto done;
        if (!matches(o->cases, o->n_cases, json_string_value(jid)))
            continue;
        vc_case *c = &cs[ncs++];
        c->id = json_string_value(jid);
        c->case_obj = co;
        int st = load_case(c, co, o, pdir, pname, err, errlen);
        if (st)
            goto done;
    }
    if (ncs == 0) {
        cep_errf(err, errlen, "%s: no case matches the --case selection", path);
        goto done;
    }
    vctx v = {out, o, 0, 0, 0};
    vfirst fst;
    memset(&fst, 0, sizeof fst);
    if (o->format == VC_HUMAN)
        fprintf(out, "cep check: suite %s, %zu case(s), profile %s against %s%s, results %s\n",
                o->vectors_dir, ncs, pname, pdir, o->exact ? " (bit for bit)" : "", o->results_dir);
    for (size_t i = 0; i < ncs; i++)
        if (compare_case(&v, &cs[i], i, &fst, o->profile) != CEP_OK) {
            cep_errf(err, errlen, "case %s: out of memory", cs[i].id);
            rc = 2;
            goto done;
        }
    rc = v.failed ? 1 : 0;
    size_t nq_total = 0, nq_failed = 0;
    for (size_t i = 0; i < ncs; i++)
        for (size_t k = 0; k < cs[i].nq; k++) {
            nq_total++;
            nq_failed += cs[i].q[k].failed != 0;
        }
    char first[1024] = "";
    char replay_msg[600] = "";
    if (fst.found) {
        first_text(first, sizeof first, cs, &fst, o->profile);
        if (o->replay_dir && cep_stop_requested()) {
            /* SIGINT/SIGTERM during the comparison: the replay is not written */
            snprintf(replay_msg, sizeof replay_msg, "no replay: interrupted, %s is unchanged",
                     o->replay_dir);
        } else if (o->replay_dir) {
            int r = write_replay(o, man, &cs[fst.case_i], &fst, pdir, o->profile, replay_msg,
                                 sizeof replay_msg);
            if (r == 2)
                rc = 2;
        }
    }
    switch (o->format) {
    case VC_HUMAN:
        if (v.shown < (long)v.failed && v.shown > 0)
            fprintf(out, "  ... %zu more failing values not shown (--errors N)\n", v.failed - (size_t)v.shown);
        if (fst.found) {
            fprintf(out, "%s", first);
            if (fst.have_last_pass)
                fprintf(out, "  last step that passed: case %s, phase %s, step %ld\n",
                        cs[fst.case_i].id, fst.last_phase, fst.last_step);
            else
                fprintf(out, "  no step of case %s passed before it\n", cs[fst.case_i].id);
            if (replay_msg[0])
                fprintf(out, "  %s\n", replay_msg);
        }
        fprintf(out, "summary by quantity (failed / checked, worst |a-e| and where):\n");
        for (size_t i = 0; i < ncs; i++)
            for (size_t k = 0; k < cs[i].nq; k++) {
                vq_cmp *q = &cs[i].q[k];
                if (q->failed) {
                    char nm[96];
                    element_name(nm, sizeof nm, &cs[i], q, q->worst_col);
                    fprintf(out, "  FAIL %-40s %-16s %7zu / %-7zu (%.2f%%) worst %.3g at step %ld %s\n",
                            cs[i].id, q->name, q->failed, q->checked,
                            100.0 * (double)q->failed / (double)q->checked, q->worst_err,
                            row_step(q, q->worst_row), nm);
                }
            }
        fprintf(out, "%s: %zu of %zu values failed (%.4f%%), in %zu of %zu quantities of %zu case(s)\n",
                v.failed ? "FAIL" : "PASS", v.failed, v.total,
                v.total ? 100.0 * (double)v.failed / (double)v.total : 0.0, nq_failed, nq_total, ncs);
        break;
    case VC_TAP: {
        fprintf(out, "TAP version 13\n1..%zu\n", nq_total);
        size_t n = 0;
        for (size_t i = 0; i < ncs; i++)
            for (size_t k = 0; k < cs[i].nq; k++) {
                vq_cmp *q = &cs[i].q[k];
                fprintf(out, "%sok %zu - %s %s\n", q->failed ? "not " : "", ++n, cs[i].id, q->name);
                if (q->failed) {
                    char nm[96];
                    element_name(nm, sizeof nm, &cs[i], q, q->worst_col);
                    fprintf(out, "  ---\n  failed: %zu\n  checked: %zu\n  worst_abs_error: %.17g\n"
                            "  worst_at: 'step %ld %s'\n  ...\n", q->failed, q->checked,
                            q->worst_err, row_step(q, q->worst_row), nm);
                }
            }
        if (fst.found) {
            for (char *p = strtok(first, "\n"); p; p = strtok(NULL, "\n"))
                fprintf(out, "# %s\n", p);
        }
        break;
    }
    case VC_JUNIT:
        fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cep check\" "
                "tests=\"%zu\" failures=\"%zu\">\n", nq_total, nq_failed);
        for (size_t i = 0; i < ncs; i++) {
            size_t nf = 0;
            for (size_t k = 0; k < cs[i].nq; k++)
                nf += cs[i].q[k].failed != 0;
            fprintf(out, " <testsuite name=\"");
            xml_escape(out, cs[i].id);
            fprintf(out, "\" tests=\"%zu\" failures=\"%zu\">\n", cs[i].nq, nf);
            for (size_t k = 0; k < cs[i].nq; k++) {
                vq_cmp *q = &cs[i].q[k];
                fprintf(out, "  <testcase classname=\"");
                xml_escape(out, cs[i].id);
                fprintf(out, "\" name=\"%s\">", q->name);
                if (q->failed) {
                    char nm[96];
                    element_name(nm, sizeof nm, &cs[i], q, q->worst_col);
                    fprintf(out, "<failure message=\"%zu of %zu values fail; worst |a-e| %.6g at step %ld ",
                            q->failed, q->checked, q->worst_err, row_step(q, q->worst_row));
                    xml_escape(out, nm);
                    fprintf(out, "\"/>");
                }
                fprintf(out, "</testcase>\n");
            }
            fprintf(out, " </testsuite>\n");
        }
        fprintf(out, "</testsuites>\n");
        break;
    case VC_JSON: {
        json_t *r = json_object();
        cep_json_set(r, "result", json_string(v.failed ? "fail" : "pass"));
        cep_json_set(r, "suite", json_string(o->vectors_dir));
        cep_json_set(r, "profile", json_string(pname));
        cep_json_set(r, "expected", json_string(pdir));
        cep_json_set(r, "values_checked", json_integer((json_int_t)v.total));
        cep_json_set(r, "values_failed", json_integer((json_int_t)v.failed));
        if (fst.found) {
            vc_case *c = &cs[fst.case_i];
            vq_cmp *q = &c->q[fst.q_i];
            json_t *ff = json_object();
            cep_json_set(ff, "case", json_string(c->id));
            cep_json_set(ff, "phase", json_string(q->info->phase));
            cep_json_set(ff, "step", json_integer(fst.step));
            cep_json_set(ff, "quantity", json_string(q->name));
            cep_json_set(ff, "element", json_string(fst.where));
            cep_json_set(ff, "index", json_integer((json_int_t)fst.col));
            cep_json_set(ff, "expected", json_real(fst.e));
            cep_json_set(ff, "actual", json_real(fst.a));
            cep_json_set(ff, "allowed", json_real(fst.allowed));
            if (fst.have_last_pass) {
                cep_json_set(ff, "last_pass_phase", json_string(fst.last_phase));
                cep_json_set(ff, "last_pass_step", json_integer(fst.last_step));
            }
            cep_json_set(r, "first_failure", ff);
        }
        json_t *qa = json_array();
        for (size_t i = 0; i < ncs; i++)
            for (size_t k = 0; k < cs[i].nq; k++) {
                vq_cmp *q = &cs[i].q[k];
                json_t *qo = json_object();
                cep_json_set(qo, "case", json_string(cs[i].id));
                cep_json_set(qo, "quantity", json_string(q->name));
                cep_json_set(qo, "checked", json_integer((json_int_t)q->checked));
                cep_json_set(qo, "failed", json_integer((json_int_t)q->failed));
                cep_json_set(qo, "atol", json_real(q->atol));
                cep_json_set(qo, "rtol", json_real(q->rtol));
                cep_json_set(qo, "ulps", json_real(q->ulps));
                if (q->failed)
                    cep_json_set(qo, "worst_abs_error", json_real(isfinite(q->worst_err) ? q->worst_err : -1));
                cep_json_append(qa, qo);
            }
        cep_json_set(r, "quantities", qa);
        char *s = json_dumps(r, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        if (s) {
            fprintf(out, "%s\n", s);
            free(s);
        }
        json_decref(r);
        break;
    }
    }
done:
    vc_free(cs, ncs);
    json_decref(man);
    return rc;
}
