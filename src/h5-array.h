/* h5-array.h - validating and reading one dataset of a file: feature (or
 * bank) matrices read as float32, integer labels read as int64.  Every
 * check runs before the data is read, so a malformed dataset is refused
 * before a large allocation; every message names the dataset (what). */
#ifndef RNR_H5_ARRAY_H
#define RNR_H5_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "mat.h"

/* Labels beyond this many classes are refused: k-NN keeps one vote counter
 * per class, and such a label is a corrupt file, not a dataset. */
#define H5_ARRAY_MAX_CLASSES ((int64_t)1 << 24)

/* Open loc/name as a dataset, naming what when it is missing or is not a
 * dataset.  The id, or -1 with err_set(). */
hid_t h5_array_open(hid_t loc, const char *name, const char *what);

/* Check the type (float), rank (2), emptiness, size and filters of a
 * feature or bank matrix; dims[] gets its shape.  whole: it will be read
 * whole, so it must also fit in memory (0 for a streamed cache, which
 * reads row chunks).  0 or -1 with err_set(). */
int h5_array_probe_matrix(hid_t d, const char *what, size_t dims[2], int whole);

/* Check that d holds n 1-D integer labels.  0 or -1 with err_set(). */
int h5_array_probe_labels(hid_t d, size_t n, const char *what);

/* Read the 2-D numeric dataset loc/dname into m as float32, after checking
 * its type, rank, size and filters, and that every value is finite.  what
 * prefixes messages (e.g. "file.h5: /bank/psi").  0 or -1 with err_set(). */
int h5_array_read_matrix(hid_t loc, const char *dname, const char *what, struct mat *m);

/* Read the 1-D integer dataset loc/dname of n entries as int64 labels,
 * refusing negatives (naming the row).  *n_classes = max + 1, or the
 * dataset's n_classes attribute when that is larger (a subset may lack the
 * top classes).  *labels is malloc'd.  0 or -1 with err_set(). */
int h5_array_read_labels(hid_t loc, const char *dname, size_t n, const char *what,
			 int64_t **labels, size_t *n_classes);

/* n_classes of labels y [n]: max + 1, or declared when that is larger;
 * refuses a negative label (naming the row), a label not below a declared
 * count (declared > 0; 0 declares none) and more than
 * H5_ARRAY_MAX_CLASSES classes.  0 or -1 with err_set(). */
int h5_array_count_classes(const int64_t *y, size_t n, int64_t declared, const char *what,
			   size_t *n_classes);

/* The first NaN or Inf of m as an error naming row and column; wide: the
 * source type was wider than float32 (an Inf may be a value beyond
 * float32's range).  0 when all are finite, else -1 with err_set(). */
int h5_array_check_finite(const struct mat *m, const char *what, int wide);

/* Write labels int64 [n] as dataset g/labels with an int64 attribute
 * n_classes (a subset may lack the top classes; the count must survive a
 * round trip).  0 or -1 with err_set(). */
int h5_array_write_labels(hid_t g, const int64_t *labels, size_t n, size_t n_classes);

#endif
