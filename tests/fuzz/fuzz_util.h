/* fuzz_util.h -- what every harness of tests/fuzz/ shares: a private
 * temporary directory per process (under /dev/shm when it exists, else
 * /tmp), made once and removed at exit with everything in it, and writing
 * the fuzzer's bytes to a file in it (the readers take a path).
 *
 * Header-only (static functions): each harness is one translation unit. */
#ifndef CEP_FUZZ_UTIL_H
#define CEP_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "apps/vfile.h"   /* cep_tree_remove */

static char fuzz_dir[256];

static inline void fuzz_dir_remove(void)
{
    if (fuzz_dir[0])
        cep_tree_remove(fuzz_dir);
    fuzz_dir[0] = '\0';
}

/* Make the directory "<base>/cep-fuzz-<tag>-XXXXXX" once; abort on failure
 * (a harness without its directory tests nothing). */
static inline const char *fuzz_dir_make(const char *tag)
{
    if (fuzz_dir[0])
        return fuzz_dir;
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/cep-fuzz-%s-XXXXXX", base, tag);
    if (mkdtemp(fuzz_dir) == NULL) {
        perror(fuzz_dir);
        abort();
    }
    atexit(fuzz_dir_remove);
    return fuzz_dir;
}

/* Write the bytes to path (truncating).  Aborts on an I/O failure: it is
 * the harness's, not the reader's. */
static inline void fuzz_write_path(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* path receives "<dir>/<name>"; the bytes are written there. */
static inline void fuzz_write(char *path, size_t pathlen, const char *name, const uint8_t *data,
                       size_t size)
{
    snprintf(path, pathlen, "%s/%s", fuzz_dir, name);
    fuzz_write_path(path, data, size);
}

#endif
