/* fuzz-h5load.h - what the two HDF5 targets share: a file path of this
 * process's own in $TMPDIR, and running both loaders on a file as `load
 * FILE` does: h5_cache_load() (feature caches), then, when the file holds
 * saved objects, h5_store_load() (every object type).  A load either
 * succeeds, with every object freed again, or fails with a message;
 * nothing else is allowed. */
#ifndef RNR_FUZZ_H5LOAD_H
#define RNR_FUZZ_H5LOAD_H

#include "err.h"
#include "fuzz.h"
#include "h5-cache.h"
#include "h5-store.h"

#include <stdio.h>
#include <unistd.h>

static inline const char *fuzz_h5_path(void)
{
	static char path[512];
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/rnr-fuzz-h5-%ld.h5", dir && *dir ? dir : "/tmp",
			 (long)getpid());
	}
	return path;
}

static inline void fuzz_h5_failed(void)
{
	if (!err_msg()[0])
		abort(); /* a failure must say why */
}

static inline void fuzz_h5_load(const char *path)
{
	struct cache_split *c = NULL;
	size_t n = 0;
	err_clear();
	if (h5_cache_load(path, "f", &c, &n) == 0) {
		h5_cache_splits_free(c, n);
	} else {
		fuzz_h5_failed();
	}
	struct obj **o = NULL;
	err_clear();
	if (h5_store_is_objects(path) == 1) {
		err_clear();
		if (h5_store_load(path, &o, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				obj_free(o[i]);
			free(o);
		} else {
			fuzz_h5_failed();
		}
	}
}

#endif
