/* h5-util.h - the small HDF5 helpers the store layer shares.
 *
 * HDF5 prints its error stack to stderr by default and reports failures as
 * negative ids; rnr's library code never prints.  h5u_quiet() turns the
 * printing off (per thread: the thread-safe library keeps one error stack
 * per thread), and h5u_err() folds the stack into the err_set() message.
 *
 * Attributes, one at a time, are in h5-attrio.h. */
#ifndef RNR_H5_UTIL_H
#define RNR_H5_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "err.h"

/* Switch off HDF5's automatic error printing for the calling thread.
 * Cheap; every public entry point of the store layer calls it. */
void h5u_quiet(void);

/* The file name and the path inside it of object g, for messages ("?" and
 * "/" when HDF5 cannot say). */
void h5u_where(hid_t g, char *file, size_t file_cap, char *path, size_t path_cap);

/* err_set() the printf message followed by ": " and the HDF5 error stack
 * of this thread condensed to one line ("outer (innermost cause)").  Call
 * it right after the failing HDF5 call: later calls clear the stack. */
void h5u_err(const char *fmt, ...) RNR_PRINTF(1, 2);

/* Open an existing file for reading.  Checks with stat() first so a missing
 * file, a directory or a non-HDF5 file each get a plain message naming
 * path.  Returns the file id or -1 with err_set(). */
hid_t h5u_open_read(const char *path);

/* Does loc hold a link called name?  1, 0, or -1 with err_set(). */
int h5u_has_link(hid_t loc, const char *name);

/* The names of the links of group g in file order: creation order when
 * the group indexes it (rnr's saves; h5py's track_order=True), else name
 * order (h5py's default).  *names malloc'd, free with h5u_strings_free().
 * 0, or -1 with err_set(). */
int h5u_list_links(hid_t g, char ***names, size_t *n);

/* The object type (H5O_TYPE_GROUP, H5O_TYPE_DATASET, ...) of loc/name,
 * following soft links; H5O_TYPE_UNKNOWN if it cannot be opened (dangling
 * soft or external link) - never an error. */
H5O_type_t h5u_obj_type(hid_t loc, const char *name);

/* "integer", "float", "string", ... for messages. */
const char *h5u_class_name(H5T_class_t c);

/* The extent of space as "100 x 4" ("scalar" for rank 0) into buf. */
void h5u_format_dims(hid_t space, char *buf, size_t cap);

/* Free an array of n malloc'd strings (h5u_list_links, h5u_attr_text). */
void h5u_strings_free(char **v, size_t n);

/* Create dataset loc/name of file type ftype with rank dims and write data
 * (memory type mtype, contiguous).  Contiguous layout, no filters, so any
 * HDF5 reader (h5py without plugins) opens it.  0 or -1 with err_set(). */
int h5u_write_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
		      int rank, const hsize_t *dims, const void *data);

/* The extent of the open dataset d, checked before anything is allocated
 * for it: numeric (integer or float) type, rank dimensions (a file may
 * claim any rank), and dims[0] x ... x elem bytes within size_t and this
 * machine's memory (mat_check_bytes: the message says how many bytes it
 * would need), filters this HDF5 has, and the values stored in the file
 * itself: not in external files or a virtual dataset, and (uncompressed)
 * as many bytes as the shape claims, so a few-KB file cannot make rnr
 * allocate gigabytes of fill values.  HDF5 does not check that the
 * extents' product fits 64 bits; this does.  Extents of 0 are allowed.
 * dims[rank] gets the extent, *bytes (may be NULL) the bytes as elem-byte
 * values.  what names the dataset in messages.  0, or -1 with err_set(). */
int h5u_dataset_dims(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
		     size_t *bytes);

/* h5u_dataset_dims without the memory check, for a dataset that is never
 * held whole (a streamed cache reads it in row chunks). */
int h5u_dataset_shape(hid_t d, const char *what, int rank, size_t elem, size_t *dims,
		      size_t *bytes);

/* Read dataset loc/name, which must hold exactly count values, into out as
 * memory type mtype.  A dataset of another size is refused before anything
 * is read, so a hostile file cannot overrun out.  0, or -1 with err_set(). */
int h5u_read_exact(hid_t loc, const char *name, hid_t mtype, void *out, size_t count);

/* h5u_read_exact() into a new malloc'd buffer *out, allocated only after
 * the dataset is known to hold count values.  0, or -1 with err_set(). */
int h5u_read_alloc(hid_t loc, const char *name, hid_t mtype, size_t count, void **out);

/* Check a dataset's filters (compression) are available in this library;
 * if one is not, -1 with a message naming it and, for h5py's lzf (filter
 * 32000), the Debian package that provides it.  what names the dataset. */
int h5u_check_filters(hid_t dset, const char *what);

#endif
