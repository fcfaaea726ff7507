/* fuzz-h5.c - libFuzzer target: whole HDF5 files through both loaders,
 * h5_cache_load() (feature caches) and h5_store_load() (saved objects of
 * every type), as `load FILE` runs them.  The input is written to a file
 * of this process's own in $TMPDIR (the loaders take a path, and the path
 * is what users give them).  A load either succeeds, with every object
 * freed again, or fails with a message; nothing else is allowed. */
#include "fuzz-h5load.h"

#include <stdio.h>
#include <unistd.h>

static int write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_h5_path();
	if (write_input(path, data, size) < 0)
		abort();
	fuzz_h5_load(path);
	unlink(path);
	return 0;
}
