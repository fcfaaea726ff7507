/* h5-source.h - one file of features or labels, whatever its format: an
 * HDF5 file (datasets by path), an .npz archive (arrays by key) or a .npy
 * file (one array, no name).  The layout loader reads through it so that
 * every format gets the same checks and messages. */
#ifndef RNR_H5_SOURCE_H
#define RNR_H5_SOURCE_H

#include <stdint.h>

#include <hdf5.h>

#include "h5-pattern.h"
#include "mat.h"
#include "npz.h"

enum source_kind { SOURCE_H5, SOURCE_NPZ, SOURCE_NPY };

struct source {
	enum source_kind kind;
	const char *path;
	hid_t h5;
	struct npz npz;
	FILE *npy;
	uint64_t npy_len;
};

/* Open path by its extension (.npy, .npz, else HDF5).  0 or -1. */
int source_open(struct source *s, const char *path);
void source_close(struct source *s);

/* The names of the datasets (HDF5, as "/a/b") or arrays (.npz) in s; a
 * .npy file has none.  Added to out.  0 or -1. */
int source_names(struct source *s, struct strset *out);

/* Does s hold dataset/array name?  1, 0, or -1 with err_set().  A .npy
 * file holds its array under any name. */
int source_has(struct source *s, const char *name);

/* Read features [rows, dim] as float32, checked finite.  0 or -1 naming
 * the file and dataset. */
int source_read_matrix(struct source *s, const char *name, struct mat *m);

/* Read integer labels, which must number n.  *labels malloc'd.  0 or -1. */
int source_read_labels(struct source *s, const char *name, size_t n, int64_t **labels,
		       size_t *n_classes);

/* "file: /dataset" (or just the file of a .npy) into buf, for messages. */
void source_what(const struct source *s, const char *name, char *buf, size_t cap);

#endif
