/* tmpdir.h -- a private temporary directory per test program: made under
 * $TMPDIR (or /tmp) by mkdtemp, removed with everything the tests put in it. */
#ifndef CEP_TEST_TMPDIR_H
#define CEP_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* buf receives "<TMPDIR>/cep_test_<tag>_XXXXXX", created; 0 or -1. */
static inline int test_tmpdir_make(char *buf, size_t len, const char *tag)
{
    const char *t = getenv("TMPDIR");
    if (t == NULL || *t == '\0' || strlen(t) > 150)
        t = "/tmp";
    int w = snprintf(buf, len, "%s/cep_test_%s_XXXXXX", t, tag);
    if (w < 0 || (size_t)w >= len)
        return -1;
    return mkdtemp(buf) == NULL ? -1 : 0;
}

/* Remove dir and everything below it (symbolic links are removed, not
 * followed); 0 or -1. */
static inline int test_tree_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strlen(dir) + strlen(e->d_name) + 2 > sizeof p)
            continue;   /* cannot be one of ours */
        memcpy(p, dir, strlen(dir));
        p[strlen(dir)] = '/';
        strcpy(p + strlen(dir) + 1, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            test_tree_remove(p);
        else
            unlink(p);
    }
    closedir(d);
    return rmdir(dir);
}

#endif
