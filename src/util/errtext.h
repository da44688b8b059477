/* errtext.h -- the one-line failure texts of the readers and the tools.
 * A call that can fail on a file or a field writes "<path>: <what is
 * wrong>" into the caller's buffer; a NULL buffer or a size of 0 means the
 * caller only wants the status.  The library still never prints. */
#ifndef CEP_ERRTEXT_H
#define CEP_ERRTEXT_H

#include <stddef.h>

#if defined(__GNUC__)
#define CEP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CEP_PRINTF(f, a)
#endif

void cep_errf(char *err, size_t errlen, const char *fmt, ...) CEP_PRINTF(3, 4);

#endif
