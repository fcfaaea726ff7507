/* h5-cache.h - reading feature caches from HDF5.
 *
 * The layout (DESIGN.md, "The feature cache file"): every group that holds
 * a group features/ with one float dataset [n, d] per model, and optionally
 * an integer dataset labels [n], is a split.  h5py writes this naturally:
 *
 *     /train/features/<model>   float32 [n_train, d]
 *     /train/labels             int64   [n_train]
 *
 * The reader hands each split over as plain arrays (struct cache_split);
 * the object layer wraps them into cache objects (obj-cache.h) without a
 * copy.  Every message names the file and the dataset it is about. */
#ifndef RNR_H5_CACHE_H
#define RNR_H5_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "h5-attr.h"
#include "h5-stream.h"
#include "mat.h"

/* One split as read: what a cache object holds, before it is one. */
struct cache_split {
	char *name;          /* the cache's name: PREFIX.SPLIT */
	char *note;          /* where it came from, or NULL */
	size_t n;            /* rows */
	size_t m;            /* models */
	char **model;        /* [m] model names */
	struct mat *feat;    /* [m] n x d_j */
	size_t *zero_rows;   /* [m] rows that were all zero in the file */
	int64_t *labels;     /* [n] or NULL */
	size_t n_classes;    /* max label + 1, 0 without labels */
	struct attr *attr;   /* [n_attr] */
	size_t n_attr;
	/* features kept on disk (h5_cache_load_ex(stream=1)): feat[j] has
	 * rows and cols but no data; NULL for a split held in memory */
	struct h5_stream *stream;
};

/* Make s an empty split of n rows and m models named name (model, feat
 * and zero_rows allocated and zeroed).  0, or -1 with err_set() and s
 * left empty. */
int h5_cache_split_init(struct cache_split *s, const char *name, size_t n, size_t m);

/* Free what s holds and empty it (an empty s is fine). */
void h5_cache_split_free(struct cache_split *s);

/* Free n splits and the array itself (NULL is fine). */
void h5_cache_splits_free(struct cache_split *s, size_t n);

/* Load every split of the cache file at path, each named PREFIX.SPLIT (the
 * split's group path with '/' turned into '.'; a split at the root is
 * named PREFIX).  prefix NULL: the file's basename without its extension,
 * made a valid name.
 *
 * Features are read as float32 whatever their stored float or integer type,
 * then every row is L2-normalised (all-zero rows stay zero and are counted
 * in zero_rows[j]).  Models come in the order of the root attribute
 * `models` when it names exactly the split's models, else in file order
 * (creation order if the group tracks it, h5py's track_order=True; name
 * order otherwise).  Every split must have the same models.  Attributes:
 * the root's, then the split group's own (which win).
 *
 * Refused with a message naming the file and the dataset: a missing or
 * non-HDF5 file, no split, features not 2-D or not numeric, models of one
 * split disagreeing on rows, labels not 1-D integer or of another length,
 * a negative label, NaN or Inf (naming row and column), a dataset larger
 * than the machine's memory, a compression filter this HDF5 lacks.
 *
 * All or nothing: 0 with *splits a malloc'd array of *n_splits splits
 * (the caller owns both: h5_cache_splits_free), or -1 with err_set() and
 * nothing allocated. */
int h5_cache_load(const char *path, const char *prefix, struct cache_split **splits,
		  size_t *n_splits);

/* h5_cache_load(), or with stream 1 every split left on disk, read in
 * row chunks on demand (h5-stream.h): checked the same way (the values
 * too, in one pass), labels and attributes in memory. */
int h5_cache_load_ex(const char *path, const char *prefix, int stream,
		     struct cache_split **splits, size_t *n_splits);

/* Read the split held by the open group g into *out, called name.
 * normalize 0 keeps rows exactly as stored (objects rnr saved, which are
 * normalised already: reloading them must not change a bit); zero rows are
 * counted either way.  Attributes: the group's own, except rnr_type,
 * rnr_version and note (the object header's).  0, or -1 with err_set()
 * and *out empty. */
int h5_cache_read_group(hid_t g, const char *name, int normalize, struct cache_split *out);

#endif
