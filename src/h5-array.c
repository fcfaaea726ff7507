/* h5-array.c - validating and reading one dataset: feature matrices and
 * labels (see h5-array.h). */
#include "h5-array.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- checking a dataset before reading it ------------------------------------ */

/* type, rank, emptiness, size and filters of a feature/bank matrix */
int h5_array_probe_matrix(hid_t d, const char *what, size_t dims[2], int whole)
{
	hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	hsize_t hd[H5S_MAX_RANK] = { 0 };
	char shape[128] = "?";
	if (sp >= 0) {
		H5Sget_simple_extent_dims(sp, hd, NULL);
		h5u_format_dims(sp, shape, sizeof shape);
		H5Sclose(sp);
	}
	if (t >= 0)
		H5Tclose(t);
	if (cls == H5T_STRING) {
		err_set("%s: is a string dataset; expected float features [rows, dim]", what);
	} else if (cls == H5T_INTEGER) {
		/* features of a network are floats: integers are most likely
		 * labels or indices written in the wrong place */
		err_set("%s: is an integer dataset; features must be floating point "
			"(float16, float32 or float64)", what);
	} else if (cls != H5T_FLOAT) {
		err_set("%s: is a %s dataset; expected float features [rows, dim]", what,
			h5u_class_name(cls));
	} else if (rank != 2) {
		err_set("%s: features must be 2-D [rows, dim], found %d-D [%s]", what,
			rank < 0 ? 0 : rank, shape);
	} else if (hd[0] == 0 || hd[1] == 0) {
		err_set("%s: is empty [%s]", what, shape);
	} else {
		return (whole ? h5u_dataset_dims : h5u_dataset_shape)(d, what, 2, sizeof(float),
								     dims, NULL);
	}
	return -1;
}

/* labels: a 1-D integer dataset of n entries */
int h5_array_probe_labels(hid_t d, size_t n, const char *what)
{
	hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
	H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
	int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
	hsize_t len = 0;
	char shape[128] = "?";
	if (sp >= 0) {
		if (rank == 1)
			H5Sget_simple_extent_dims(sp, &len, NULL);
		h5u_format_dims(sp, shape, sizeof shape);
		H5Sclose(sp);
	}
	if (t >= 0)
		H5Tclose(t);
	if (cls != H5T_INTEGER || rank != 1) {
		err_set("%s: labels must be 1-D integers [rows], found %s [%s]", what,
			h5u_class_name(cls), shape);
		return -1;
	}
	if (len != n) {
		err_set("%s: has %llu labels but the split has %zu rows", what,
			(unsigned long long)len, n);
		return -1;
	}
	return 0;
}

/* open loc/name as a dataset, naming what when it is not one */
hid_t h5_array_open(hid_t loc, const char *name, const char *what)
{
	int has = h5u_has_link(loc, name);
	if (has <= 0) {
		if (has == 0)
			err_set("%s: is missing", what);
		else
			err_prefix("%s", what);
		return -1;
	}
	H5O_type_t ot = h5u_obj_type(loc, name);
	if (ot != H5O_TYPE_DATASET) {
		err_set("%s: is %s, not a dataset", what,
			ot == H5O_TYPE_GROUP ? "a group" : "a broken link or unknown object");
		return -1;
	}
	hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
	if (d < 0)
		h5u_err("%s: cannot open", what);
	return d;
}

/* ---- reading ----------------------------------------------------------------- */

int h5_array_check_finite(const struct mat *m, const char *what, int wide)
{
	size_t i = mat_find_nonfinite(m);
	if (i == SIZE_MAX)
		return 0;
	float v = m->data[i];
	err_set("%s: row %zu, column %zu (counting from 0) is %s%s; features must be finite",
		what, i / m->cols, i % m->cols, nonfinite_name(v),
		wide && !isnan(v) ? " in float32 (is the stored value beyond float32's "
		"range of 3.4e38?)" : "");
	return -1;
}

int h5_array_read_matrix(hid_t loc, const char *dname, const char *what, struct mat *m)
{
	hid_t d = h5_array_open(loc, dname, what);
	if (d < 0)
		return -1;
	size_t dims[2];
	struct mat t = { 0, 0, NULL };
	int rc = h5_array_probe_matrix(d, what, dims, 1);
	if (rc == 0)
		rc = mat_init(&t, dims[0], dims[1], what);
	/* HDF5 converts float64 and float16 to float32 as it reads */
	if (rc == 0 && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data) < 0) {
		h5u_err("%s: cannot read", what);
		rc = -1;
	}
	hid_t ft = H5Dget_type(d);
	int wide = ft >= 0 && H5Tget_size(ft) > sizeof(float);
	if (ft >= 0)
		H5Tclose(ft);
	H5Dclose(d);
	if (rc == 0)
		rc = h5_array_check_finite(&t, what, wide);
	if (rc < 0) {
		if (t.data)
			mat_free(&t);
		return -1;
	}
	*m = t;
	return 0;
}

static int labels_classes(hid_t d, const int64_t *y, size_t n, const char *what,
			  size_t *n_classes)
{
	int64_t declared = 0;
	int has = h5u_attr_i64(d, "n_classes", &declared);
	if (has < 0) {
		err_prefix("%s", what);
		return -1;
	}
	if (has && declared < 1) {
		err_set("%s: attribute n_classes is %" PRId64 "; it must be 1 or more", what,
			declared);
		return -1;
	}
	return h5_array_count_classes(y, n, has ? declared : 0, what, n_classes);
}

int h5_array_count_classes(const int64_t *y, size_t n, int64_t declared, const char *what,
			   size_t *n_classes)
{
	int64_t max = -1;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (y[i] < 0) {
			err_set("%s: row %zu has label %" PRId64 "; labels must be 0 or more",
				what, i, y[i]);
			return -1;
		}
		if (y[i] > max) {
			max = y[i];
			at = i;
		}
	}
	if (declared > 0 && max >= declared) {
		err_set("%s: row %zu has label %" PRId64 " but attribute n_classes is %" PRId64
			": labels must be below it", what, at, max, declared);
		return -1;
	}
	/* checked before max + 1, which overflows for a label of INT64_MAX */
	if (max >= H5_ARRAY_MAX_CLASSES) {
		err_set("%s: row %zu has label %" PRId64 "; rnr takes at most %" PRId64
			" classes (labels 0 to %" PRId64 ")", what, at, max,
			H5_ARRAY_MAX_CLASSES, H5_ARRAY_MAX_CLASSES - 1);
		return -1;
	}
	int64_t nc = declared > max ? declared : max + 1;
	if (nc > H5_ARRAY_MAX_CLASSES) {
		err_set("%s: attribute n_classes is %" PRId64 "; rnr takes at most %" PRId64
			" classes", what, nc, H5_ARRAY_MAX_CLASSES);
		return -1;
	}
	*n_classes = (size_t)nc;
	return 0;
}

int h5_array_read_labels(hid_t loc, const char *dname, size_t n, const char *what,
			 int64_t **labels, size_t *n_classes)
{
	hid_t d = h5_array_open(loc, dname, what);
	if (d < 0)
		return -1;
	int64_t *y = NULL;
	int rc = h5_array_probe_labels(d, n, what);
	if (rc == 0 && n > SIZE_MAX / sizeof *y) {
		err_set("%s: %zu labels overflow the address space", what, n);
		rc = -1;
	}
	if (rc == 0 && !(y = malloc(n ? n * sizeof *y : 1))) {
		err_nomem(what, n * sizeof *y);
		rc = -1;
	}
	if (rc == 0 && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) < 0) {
		h5u_err("%s: cannot read", what);
		rc = -1;
	}
	if (rc == 0)
		rc = labels_classes(d, y, n, what, n_classes);
	H5Dclose(d);
	if (rc < 0) {
		free(y);
		return -1;
	}
	*labels = y;
	return 0;
}

int h5_array_write_labels(hid_t g, const int64_t *labels, size_t n, size_t n_classes)
{
	hsize_t dim = n;
	if (h5u_write_dataset(g, "labels", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, labels) < 0)
		return -1;
	hid_t d = H5Dopen2(g, "labels", H5P_DEFAULT);
	if (d < 0) {
		h5u_err("cannot reopen dataset 'labels'");
		return -1;
	}
	int rc = h5u_write_i64_attr(d, "n_classes", (int64_t)n_classes);
	if (H5Dclose(d) < 0 && rc == 0) {
		h5u_err("cannot write dataset 'labels'");
		rc = -1;
	}
	return rc;
}
