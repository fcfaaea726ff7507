/* h5-cache.h - reading feature caches from HDF5 (and their labels back).
 *
 * The layout (DESIGN.md, "The feature cache file"): every group that holds
 * a group features/ with one float dataset [n, d] per model, and optionally
 * an integer dataset labels [n], is a split.  h5py writes this naturally:
 *
 *     /train/features/<model>   float32 [n_train, d]
 *     /train/labels             int64   [n_train]
 *
 * Every message names the file and the dataset it is about. */
#ifndef RNR_H5_CACHE_H
#define RNR_H5_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "mat.h"
#include "obj-cache.h"

/* Labels beyond this many classes are refused: k-NN keeps one vote counter
 * per class, and such a label is a corrupt file, not a dataset. */
#define H5_CACHE_MAX_CLASSES ((int64_t)1 << 24)

/* Load every split of the cache file at path as one cache named
 * PREFIX.SPLIT (the split's group path with '/' turned into '.'; a split at
 * the root is named PREFIX).  prefix NULL: the file's basename without its
 * extension, made a valid name.
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
 * All or nothing: 0 with *caches a malloc'd array of *n_caches new caches
 * (the caller owns both), or -1 with err_set() and nothing allocated. */
int h5_cache_load(const char *path, const char *prefix, struct cache ***caches,
		  size_t *n_caches);

/* Read the split held by the open group g into a new cache called name.
 * normalize 0 keeps rows exactly as stored (objects rnr saved, which are
 * normalised already: reloading them must not change a bit); zero rows are
 * counted either way.  Attributes: the group's own, except rnr_type,
 * rnr_version and note (the object header's).  NULL with err_set(). */
struct cache *h5_cache_read_group(hid_t g, const char *name, int normalize);

/* Read the 2-D numeric dataset loc/dname into m as float32, after checking
 * its type, rank, size and filters, and that every value is finite.  what
 * prefixes messages (e.g. "file.h5: /bank/psi").  0 or -1 with err_set(). */
int h5_cache_read_matrix(hid_t loc, const char *dname, const char *what,
			 struct mat *m);

/* Read the 1-D integer dataset loc/dname of n entries as int64 labels,
 * refusing negatives (naming the row).  *n_classes = max + 1, or the
 * dataset's n_classes attribute when that is larger (a subset may lack the
 * top classes).  *labels is malloc'd.  0 or -1 with err_set(). */
int h5_cache_read_labels(hid_t loc, const char *dname, size_t n, const char *what,
			 int64_t **labels, size_t *n_classes);

/* n_classes of labels y [n]: max + 1, or declared when that is larger;
 * refuses a negative label (naming the row), a label not below a declared
 * count (declared > 0; 0 declares none) and more than
 * H5_CACHE_MAX_CLASSES classes.  0 or -1 with err_set(). */
int h5_cache_count_classes(const int64_t *y, size_t n, int64_t declared, const char *what,
			   size_t *n_classes);

/* The first NaN or Inf of m as an error naming row and column; wide: the
 * source type was wider than float32 (an Inf may be a value beyond
 * float32's range).  0 when all are finite, else -1 with err_set(). */
int h5_cache_check_finite(const struct mat *m, const char *what, int wide);

/* Write labels int64 [n] as dataset g/labels with an int64 attribute
 * n_classes (a subset may lack the top classes; the count must survive a
 * round trip).  0 or -1 with err_set(). */
int h5_cache_write_labels(hid_t g, const int64_t *labels, size_t n, size_t n_classes);

#endif
