/* h5-layout.h - assembling a cache from features kept in other layouts:
 * one file per model, splits in separate files, features under any dataset
 * path, labels in another file or nowhere; HDF5, .npy and .npz alike.
 *
 * The user states the mapping once as patterns in which {model} and
 * {split} stand for a model's and a split's name:
 *
 *     files     'feats/{model}_{split}.h5'   where the features are
 *     features  '/features'                  the dataset (HDF5) or array
 *                                            (.npz) inside each file
 *     labels    '/labels'                    the labels' dataset or array
 *     labelfile 'feats/labels_{split}.npy'   labels in other files
 *
 * Names not given (models=, splits=) are found by matching the pattern
 * against the files present (for {model} or {split} in the file pattern)
 * or the datasets of the first file (in the features pattern).  Each split
 * becomes one cache NAME.SPLIT (NAME without a {split}); its models must
 * agree on rows, and labels read from several files must agree row for
 * row (the message names the file and dataset at fault). */
#ifndef RNR_H5_LAYOUT_H
#define RNR_H5_LAYOUT_H

#include <stddef.h>

#include "h5-cache.h"

struct layout {
	const char *files;      /* file pattern (required) */
	const char *features;   /* dataset/array pattern; NULL: "features" (not for .npy) */
	const char *labels;     /* dataset/array pattern; NULL: "labels" where present;
				 * "none": no labels */
	const char *labelfile;  /* file pattern of the labels; NULL: the feature files */
	const char *models;     /* "a,b" or NULL to find them */
	const char *splits;     /* "train,test" or NULL to find them */
};

/* Does a `load` of path with these options need the layout loader (rather
 * than the native cache reader)?  A pattern, a .npy/.npz file or any
 * layout option does. */
int layout_wanted(const struct layout *l);

/* The default NAME for a layout: the file pattern's basename without its
 * extension and placeholders (e.g. "simclr" for 'simclr_{split}.npy'),
 * else its directory's name, else "cache"; made a valid name. */
void layout_default_name(const char *files, char *buf, size_t cap);

/* Load every split of layout l as splits named name[.SPLIT], rows
 * L2-normalised as h5_cache_load() does.  All or nothing: 0 with *splits a
 * malloc'd array of *n_splits (h5_cache_splits_free), or -1 with
 * err_set(). */
int layout_load(const struct layout *l, const char *name, struct cache_split **splits,
		size_t *n_splits);

#endif
