/* h5-stream.c - reading a split's rows from disk on demand (see
 * h5-stream.h). */
#include "h5-stream.h"
#include "err.h"
#include "h5-util.h"
#include "mat.h"

#include <stdlib.h>
#include <string.h>

/* rows of one hyperslab of an unfiltered dataset, at most */
#define RUN_ROWS 256
/* bytes a block of the validating pass reads at once, about */
#define CHECK_BYTES ((size_t)4 << 20)

struct h5_stream {
	char *file, *path;
	hid_t f;
	size_t n, m;
	char **model;        /* [m] dataset names */
	hid_t *dset;         /* [m] */
	size_t *dim;         /* [m] */
	size_t *unit;        /* [m] rows per chunk (filtered), else RUN_ROWS */
	int *whole;          /* [m] 1: read whole chunks (the dataset has filters) */
	uint64_t read;       /* bytes read */
};

const char *h5_stream_file(const struct h5_stream *s)
{
	return s->file;
}

const char *h5_stream_group(const struct h5_stream *s)
{
	return s->path;
}

uint64_t h5_stream_bytes_read(const struct h5_stream *s)
{
	return __atomic_load_n(&s->read, __ATOMIC_RELAXED);
}

size_t h5_stream_chunk_floats(const struct h5_stream *s)
{
	size_t f = 0;
	for (size_t j = 0; j < s->m; j++)
		if (s->unit[j] * s->dim[j] > f)
			f = s->unit[j] * s->dim[j];
	return f;
}

size_t h5_stream_block_rows(const struct h5_stream *s, size_t j, size_t bytes)
{
	size_t rows = bytes / (s->dim[j] * sizeof(float));
	size_t u = s->whole[j] ? s->unit[j] : 1;
	rows = rows / u * u;
	if (rows < u)
		rows = u;
	return rows < s->n ? rows : s->n;
}

/* rows [r0, r0 + nr) of model j as stored (converted to float) into out */
static int read_raw(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out)
{
	hsize_t start[2] = { r0, 0 }, count[2] = { nr, s->dim[j] };
	hid_t fs = H5Dget_space(s->dset[j]);
	hid_t ms = H5Screate_simple(2, count, NULL);
	int rc = fs >= 0 && ms >= 0 &&
		 H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
		 H5Dread(s->dset[j], H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, out) >= 0 ? 0 : -1;
	if (rc < 0)
		h5u_err("%s: %s/features/%s: cannot read rows %zu..%zu", s->file,
			strcmp(s->path, "/") ? s->path : "", s->model[j], r0, r0 + nr - 1);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	__atomic_fetch_add(&s->read, (uint64_t)nr * s->dim[j] * sizeof(float), __ATOMIC_RELAXED);
	return rc;
}

int h5_stream_block(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out)
{
	if (read_raw(s, j, r0, nr, out) < 0)
		return -1;
	struct mat v = { nr, s->dim[j], out };
	size_t first;
	mat_normalize_rows(&v, &first);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#define KEY_ROW(k) ((size_t)((k) >> 24))
#define KEY_POS(k) ((size_t)((k) & 0xffffff))

int h5_stream_rows(struct h5_stream *s, size_t j, const uint32_t *idx, size_t b, float *out,
		   uint64_t *key, float *stage)
{
	size_t d = s->dim[j], u = s->unit[j];
	for (size_t r = 0; r < b; r++)
		key[r] = (uint64_t)idx[r] << 24 | r;
	qsort(key, b, sizeof *key, key_cmp);
	for (size_t i = 0; i < b;) {
		size_t row = KEY_ROW(key[i]), r0, r1;
		if (s->whole[j]) {
			/* the whole chunk: HDF5 decompresses no less */
			r0 = row / u * u;
			r1 = r0 + u < s->n ? r0 + u : s->n;
		} else {
			/* a run of consecutive rows, one hyperslab */
			size_t k = i;
			while (k + 1 < b && KEY_ROW(key[k + 1]) <= KEY_ROW(key[k]) + 1 &&
			       KEY_ROW(key[k + 1]) < row + u)
				k++;
			r0 = row;
			r1 = KEY_ROW(key[k]) + 1;
		}
		if (read_raw(s, j, r0, r1 - r0, stage) < 0)
			return -1;
		for (; i < b && KEY_ROW(key[i]) < r1; i++)
			memcpy(out + KEY_POS(key[i]) * d, stage + (KEY_ROW(key[i]) - r0) * d,
			       d * sizeof *out);
	}
	struct mat v = { b, d, out };
	size_t first;
	mat_normalize_rows(&v, &first);
	return 0;
}

/* ---- opening ---------------------------------------------------------------- */

void h5_stream_close(struct h5_stream *s)
{
	if (!s)
		return;
	for (size_t j = 0; j < s->m; j++) {
		if (s->dset && s->dset[j] >= 0)
			H5Dclose(s->dset[j]);
		if (s->model)
			free(s->model[j]);
	}
	if (s->f >= 0)
		H5Fclose(s->f);
	free(s->model);
	free(s->dset);
	free(s->dim);
	free(s->unit);
	free(s->whole);
	free(s->file);
	free(s->path);
	free(s);
}

/* open model j's dataset without HDF5's chunk cache; note its chunking */
static int open_model(struct h5_stream *s, size_t j)
{
	char p[2048];
	snprintf(p, sizeof p, "%s/features/%s", strcmp(s->path, "/") ? s->path : "", s->model[j]);
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (dapl >= 0)
		H5Pset_chunk_cache(dapl, 0, 0, 1.0);
	s->dset[j] = dapl >= 0 ? H5Dopen2(s->f, p, dapl) : -1;
	if (dapl >= 0)
		H5Pclose(dapl);
	if (s->dset[j] < 0) {
		h5u_err("%s: %s: cannot open", s->file, p);
		return -1;
	}
	hid_t dcpl = H5Dget_create_plist(s->dset[j]);
	hsize_t chunk[2] = { 0, 0 };
	s->unit[j] = RUN_ROWS;
	if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_nfilters(dcpl) > 0 &&
	    H5Pget_chunk(dcpl, 2, chunk) == 2 && chunk[0] > 0) {
		s->whole[j] = 1;
		s->unit[j] = chunk[0] < s->n ? (size_t)chunk[0] : s->n;
	}
	if (dcpl >= 0)
		H5Pclose(dcpl);
	return 0;
}

/* read model j once into buf (room for CHECK_BYTES and a chunk): finite
 * values, all-zero rows counted */
static int check_model(struct h5_stream *s, size_t j, float *buf, size_t *zero_rows)
{
	size_t d = s->dim[j], rows = h5_stream_block_rows(s, j, CHECK_BYTES);
	int rc = 0;
	*zero_rows = 0;
	for (size_t r0 = 0; rc == 0 && r0 < s->n; r0 += rows) {
		size_t nr = s->n - r0 < rows ? s->n - r0 : rows;
		if ((rc = read_raw(s, j, r0, nr, buf)) < 0)
			break;
		size_t i = floats_find_nonfinite(buf, nr * d);
		if (i != SIZE_MAX) {
			err_set("%s: %s/features/%s: row %zu, column %zu (counting from 0) is %s; "
				"features must be finite", s->file,
				strcmp(s->path, "/") ? s->path : "", s->model[j], r0 + i / d,
				i % d, nonfinite_name(buf[i]));
			rc = -1;
			break;
		}
		struct mat v = { nr, d, buf };
		*zero_rows += mat_count_zero_rows(&v);
	}
	return rc;
}

struct h5_stream *h5_stream_open(hid_t f, const char *file, const char *path,
				 char *const *model, const size_t *dim, size_t m, size_t n,
				 size_t *zero_rows)
{
	struct h5_stream *s = calloc(1, sizeof *s);
	if (!s)
		return err_nomem("stream", sizeof *s);
	s->f = -1;
	s->m = m;
	s->n = n;
	s->file = strdup(file);
	s->path = strdup(path);
	s->model = calloc(m, sizeof *s->model);
	s->dset = malloc(m * sizeof *s->dset);
	s->dim = malloc(m * sizeof *s->dim);
	s->unit = calloc(m, sizeof *s->unit);
	s->whole = calloc(m, sizeof *s->whole);
	if (!s->file || !s->path || !s->model || !s->dset || !s->dim || !s->unit || !s->whole) {
		s->m = 0;
		h5_stream_close(s);
		return err_nomem("stream", m * 64);
	}
	for (size_t j = 0; j < m; j++)
		s->dset[j] = -1;
	/* a file id of its own, which outlives the loader's */
	if ((s->f = H5Freopen(f)) < 0) {
		h5u_err("%s: cannot reopen for streaming", file);
		h5_stream_close(s);
		return NULL;
	}
	int rc = 0;
	for (size_t j = 0; rc == 0 && j < m; j++) {
		s->dim[j] = dim[j];
		if (!(s->model[j] = strdup(model[j]))) {
			err_nomem("model name", strlen(model[j]) + 1);
			rc = -1;
		} else {
			rc = open_model(s, j);
		}
	}
	/* one buffer for every model's pass */
	size_t floats = 0;
	for (size_t j = 0; rc == 0 && j < m; j++)
		if (h5_stream_block_rows(s, j, CHECK_BYTES) * dim[j] > floats)
			floats = h5_stream_block_rows(s, j, CHECK_BYTES) * dim[j];
	float *buf = rc == 0 ? mat_alloc_floats(floats, "the streamed cache's check buffer")
			     : NULL;
	rc = buf ? 0 : -1;
	for (size_t j = 0; rc == 0 && j < m; j++)
		rc = check_model(s, j, buf, &zero_rows[j]);
	mat_free_floats(buf);
	if (rc < 0) {
		h5_stream_close(s);
		return NULL;
	}
	s->read = 0;
	return s;
}
