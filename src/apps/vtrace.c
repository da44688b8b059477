/* vtrace.c -- one golden-vector case computed in one context (binary64 or
 * MPFR): the generator's truth and traces, and `cep compute`'s results.
 * The body is vtrace_source.c, instantiated per precision. */
#include <string.h>
#include "internal.h"
#include "apps/vectors.h"

/* Bit-for-bit equality of two arrays (signed zeros distinguished). */
static int vtrace_same_d(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}
static int vtrace_same_mp(const __mpfr_struct *a, const __mpfr_struct *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mpfr_cmp(&a[i], &b[i]) != 0 || mpfr_signbit(&a[i]) != mpfr_signbit(&b[i]))
            return 0;
    return 1;
}

#define CEP_TEMPLATE_D
#include "scalar/template_on.h"
#include "apps/vtrace_source.c"
#include "scalar/template_off.h"

#define CEP_TEMPLATE_MP
#include "scalar/template_on.h"
#include "apps/vtrace_source.c"
#include "scalar/template_off.h"

/* Rows of each quantity (spec/vectors.md §4): T+1, K+1, K or one. */
void vtrace_lengths(size_t *len, size_t *rows, size_t *width, vq_kind kind, const cep_shape *sh,
                    size_t T, size_t K)
{
    for (size_t i = 0; i < cep_vq_count; i++) {
        const vq_info *qi = &cep_vq_table[i];
        size_t r = qi->rows == VQ_ROWS_T1 ? T + 1 : qi->rows == VQ_ROWS_K1 ? K + 1
                   : qi->rows == VQ_ROWS_K ? K : 1;
        size_t w = qi->axis == VQ_AXIS_STATE ? sh->S : qi->axis == VQ_AXIS_THETA ? sh->P : 1;
        rows[i] = r;
        width[i] = w;
        len[i] = qi->kind == kind ? r * w : 0;
    }
}
