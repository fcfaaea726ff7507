/* h5-attrio.h - one HDF5 attribute, read as text or a number, or written
 * from one: the h5u_ helpers of h5-util.h for attributes.
 *
 * Strings: h5py writes variable-length UTF-8, older tools and the shared
 * data fixed-length ASCII; the readers here accept both, scalars and 1-D
 * arrays, and render numeric attributes as text.  The writers write what
 * h5py reads back as str: variable-length UTF-8.  Attributes with more
 * than 2^20 elements or 64 MB are summarised, not read: they are
 * metadata, and a hostile file must not make rnr allocate gigabytes. */
#ifndef RNR_H5_ATTRIO_H
#define RNR_H5_ATTRIO_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

/* Read attribute name of obj as text: strings (fixed or variable length,
 * ASCII or UTF-8), integers, floats, enums (h5py's bool); a scalar gives
 * one element, a 1-D or N-D array gives its elements in order.  Types it
 * cannot render (compound, references) give one placeholder string naming
 * the type.  *v is a malloc'd array of *n malloc'd strings, freed with
 * h5u_strings_free().  0, or -1 with err_set() (no attribute, read error,
 * out of memory). */
int h5u_attr_text(hid_t obj, const char *name, char ***v, size_t *n);

/* Read an attribute holding one value (h5u_attr_text) as one malloc'd
 * string.  0, or -1 with err_set() (missing, unreadable, several values). */
int h5u_attr_string(hid_t obj, const char *name, char **out);

/* Read an integer attribute that holds one value.  1 with *out set, 0 if
 * there is no such attribute, -1 with err_set() if it is not one integer. */
int h5u_attr_i64(hid_t obj, const char *name, int64_t *out);

/* Write (replace) a scalar string attribute, variable-length UTF-8. */
int h5u_write_str_attr(hid_t obj, const char *name, const char *value);

/* Write (replace) a 1-D array of n strings, variable-length UTF-8. */
int h5u_write_strs_attr(hid_t obj, const char *name, char *const *v, size_t n);

/* Write (replace) a scalar int64 attribute. */
int h5u_write_i64_attr(hid_t obj, const char *name, int64_t value);

/* Write (replace) a scalar float64 attribute (h5py reads a plain number). */
int h5u_write_f64_attr(hid_t obj, const char *name, double value);

/* Read an attribute holding one number (integer or float) as a double.
 * 0 with *out set; -1 with err_set() if it is missing or not one number. */
int h5u_attr_f64(hid_t obj, const char *name, double *out);

#endif
