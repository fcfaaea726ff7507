/* fuzz-h5.c - libFuzzer target: whole HDF5 files through both loaders,
 * h5_cache_load() (feature caches) and h5_store_load() (saved objects of
 * every type), as `load FILE` runs them.  The input is written to a file
 * of this process's own in $TMPDIR (the loaders take a path, and the path
 * is what users give them).  A load either succeeds, with every object
 * freed again, or fails with a message; nothing else is allowed. */
#include "err.h"
#include "fuzz.h"
#include "h5-cache.h"
#include "h5-store.h"

#include <stdio.h>
#include <unistd.h>

static const char *input_path(void)
{
	static char path[512];
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/rnr-fuzz-h5-%ld.h5", dir && *dir ? dir : "/tmp",
			 (long)getpid());
	}
	return path;
}

static int write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void check_message(void)
{
	if (!err_msg()[0])
		abort(); /* a failure must say why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = input_path();
	if (write_input(path, data, size) < 0)
		abort();
	struct cache **c = NULL;
	size_t n = 0;
	err_clear();
	if (h5_cache_load(path, "f", &c, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			obj_free(&c[i]->base);
		free(c);
	} else {
		check_message();
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
			check_message();
		}
	}
	unlink(path);
	return 0;
}
