/* dataset.c -- a labelled data set for training (train.h), from a pair of
 * IDX files (idx.h): MNIST, Fashion-MNIST, or any set in their format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "apps/idx.h"
#include "apps/train.h"
#include "util/errtext.h"

int cep_dataset_load(cep_dataset *out, const char *dir, const char *stem, size_t nx, size_t ny,
                     size_t max_items, char *err, size_t errlen)
{
    if (out == NULL || dir == NULL || stem == NULL) {
        cep_errf(err, errlen, "cep_dataset_load: an argument is NULL");
        return CEP_EARG;
    }
    memset(out, 0, sizeof *out);
    char istem[64], lstem[64];
    if (strlen(stem) > 32) {
        cep_errf(err, errlen, "cep_dataset_load: stem '%.40s' too long", stem);
        return CEP_EARG;
    }
    snprintf(istem, sizeof istem, "%s-images-idx3-ubyte", stem);
    snprintf(lstem, sizeof lstem, "%s-labels-idx1-ubyte", stem);
    cep_idx img, lab;
    int st = cep_idx_load_pair(&img, &lab, dir, istem, lstem, nx, ny, max_items, err, errlen);
    if (st != CEP_OK)
        return st;
    out->n = img.n_items;
    out->nx = nx;
    out->ny = ny;
    out->pixels = img.data;
    out->labels = lab.data;
    return CEP_OK;
}

void cep_dataset_free(cep_dataset *d)
{
    if (d == NULL)
        return;
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}
