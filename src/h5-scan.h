/* h5-scan.h - reading the layout of a cache file (DESIGN.md, "The feature
 * cache file"): every group holding a group features/ is a split; each
 * split is planned (every dataset opened and checked: types, shapes, row
 * counts, labels, filters, sizes) before anything is read. */
#ifndef RNR_H5_SCAN_H
#define RNR_H5_SCAN_H

#include <stddef.h>

#include <hdf5.h>

#include "h5-attr.h"

/* A growable list of strings. */
struct h5_names {
	char **v; /* [n] */
	size_t n, cap;
};

void h5_scan_names_free(struct h5_names *l);
/* Append a copy of s[0..len); -1 with err_set() on OOM. */
int h5_scan_names_push(struct h5_names *l, const char *s, size_t len);
/* Index of s in l, or -1. */
long h5_scan_names_find(const struct h5_names *l, const char *s);
/* qsort comparison of two char * */
int h5_scan_names_cmp(const void *a, const void *b);

/* What a walk of a file found. */
struct h5_scan {
	struct h5_names splits;    /* groups holding a group features/ */
	struct h5_names labelled;  /* groups holding a dataset labels */
	struct h5_names feat_dset; /* groups holding a DATASET features (a hint) */
	int failed;
};

/* The split groups of f, sorted by path; -1 with err_set() if none (the
 * message says what the file holds instead). */
int h5_scan_find(hid_t f, const char *file, struct h5_scan *s);
void h5_scan_free(struct h5_scan *s);

/* One split, checked but not read. */
struct h5_plan {
	char *path;      /* "/train"; "/" for a split at the root */
	struct h5_names model; /* in load order */
	size_t *dim;     /* [model.n] each model's feature dim */
	size_t rows;
	size_t bytes;    /* of all its feature matrices as float32 */
	int has_labels;
	int streamed;    /* set by the caller: the features stay on disk */
};

/* Check everything but the values of split s (the open group g; s->path
 * set by the caller).  order: the root attribute models, which orders the
 * models when it names exactly the split's, or NULL.  0 or -1. */
int h5_scan_plan_split(hid_t g, const char *file, struct h5_plan *s, const struct attr *order);
void h5_scan_plan_free(struct h5_plan *s);

/* Every split of s[0..n) has the models of the first, with equal dims. */
int h5_scan_plan_same_models(const char *file, const struct h5_plan *s, size_t n);

/* "<path>/<name>" without a double slash at the root. */
void h5_scan_join(char *buf, size_t cap, const char *path, const char *name);

#endif
