/* h5-attr.h - the attributes of a file's groups, read as text: what a
 * cache carries from its file (dataset, class_names, models, ...) and
 * writes back when saved. */
#ifndef RNR_H5_ATTR_H
#define RNR_H5_ATTR_H

#include <stddef.h>

#include <hdf5.h>

/* A string-valued attribute carried from the file (numbers are rendered as
 * text); arrays keep their elements. */
struct attr {
	char *key;
	size_t n;
	char **v; /* [n] */
};

/* Free n attributes and the array itself (NULL is fine). */
void h5_attr_free(struct attr *a, size_t n);

/* Deep copy of src[0..n) into a new array *dst (NULL when n is 0).
 * 0, or -1 with err_set() and *dst NULL. */
int h5_attr_copy(struct attr **dst, const struct attr *src, size_t n);

/* All attributes of obj in name order, merged over base[0..n_base) (obj's
 * own win on equal keys).  skip_reserved leaves out what an rnr object
 * header owns (rnr_type, rnr_version, note) and takes a saved cache's
 * attr_<name> back as <name>.  0 or -1 with err_set(). */
int h5_attr_read(hid_t obj, const struct attr *base, size_t n_base,
		 int skip_reserved, struct attr **out, size_t *n_out);

/* The attribute called key among a[0..n), or NULL. */
const struct attr *h5_attr_find(const struct attr *a, size_t n, const char *key);

#endif
