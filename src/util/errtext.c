/* errtext.c -- see errtext.h. */
#include <stdarg.h>
#include <stdio.h>
#include "util/errtext.h"

void cep_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
