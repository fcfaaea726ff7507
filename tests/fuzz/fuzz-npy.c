/* fuzz-npy.c - libFuzzer target: .npy files and .npz archives through the
 * reader `load` uses for them (h5-source.c: source_open, source_names,
 * source_read_matrix, source_read_labels).  The first input byte is the
 * row count the labels must have (as the features' rows would set it);
 * the rest is the file, written to a path of this process's own in
 * $TMPDIR named .npz when it starts like a zip ("PK"), else .npy.  Every
 * array is read as features and as labels.  A read either succeeds with
 * what it promises (finite values, labels numbering n and non-negative)
 * or fails with a message; nothing else is allowed. */
#include "err.h"
#include "fuzz.h"
#include "h5-source.h"
#include "h5-pattern.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

static void check_failed(void)
{
	if (!err_msg()[0])
		abort(); /* a failure must say why */
}

static void read_array(struct source *s, const char *name, size_t n_labels)
{
	struct mat m;
	err_clear();
	if (source_read_matrix(s, name, &m) == 0) {
		for (size_t i = 0; i < m.rows; i++)
			for (size_t c = 0; c < m.cols; c++)
				if (!isfinite(mat_row(&m, i)[c]))
					abort();
		mat_free(&m);
	} else {
		check_failed();
	}
	int64_t *y = NULL;
	size_t classes = 0;
	err_clear();
	if (source_read_labels(s, name, n_labels, &y, &classes) == 0) {
		for (size_t i = 0; i < n_labels; i++)
			if (y[i] < 0 || (size_t)y[i] >= classes)
				abort();
		free(y);
	} else {
		check_failed();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n_labels = data[0];
	data++, size--;
	static char path[2][512];
	int zip = size >= 2 && data[0] == 'P' && data[1] == 'K';
	if (!path[zip][0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path[zip], sizeof path[zip], "%s/rnr-fuzz-npy-%ld.%s",
			 dir && *dir ? dir : "/tmp", (long)getpid(), zip ? "npz" : "npy");
	}
	FILE *f = fopen(path[zip], "wb");
	if (!f)
		abort();
	int written = fwrite(data, 1, size, f) == size;
	if (fclose(f) != 0 || !written)
		abort();

	struct source s;
	err_clear();
	if (source_open(&s, path[zip]) < 0) {
		check_failed();
		unlink(path[zip]);
		return 0;
	}
	struct strset names = { 0 };
	err_clear();
	if (source_names(&s, &names) < 0)
		check_failed();
	if (!zip)
		read_array(&s, "x", n_labels); /* a .npy file's one array */
	for (size_t i = 0; i < names.n; i++)
		read_array(&s, names.v[i], n_labels);
	strset_free(&names);
	source_close(&s);
	unlink(path[zip]);
	return 0;
}
