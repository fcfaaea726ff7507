/* h5-stream.c - reading a split's rows from disk on demand (see
 * h5-stream.h). */
#include "h5-stream.h"
#include "err.h"
#include "h5-mpio.h"
#include "h5-util.h"
#include "mat.h"
#include "par-mpi.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	int fd;              /* the file's descriptor (HDF5's), -1 if unknown */
	int by_name;         /* no descriptor (MPI-IO): stat the file by name */
	struct stat st;      /* its size and times when it was checked */
	/* shared by the MPI ranks (h5-mpio.h): each checks its shard [lo, hi)
	 * of the rows, and h5_stream_join() opens the file through MPI-IO */
	int shared;
	size_t lo, hi;
	/* [m] the shard's rows as stored (not normalised), kept by
	 * h5_stream_join() when they fit; NULL: read from the file */
	float **shard;
};

/* rows [r0, r0 + nr) of model j from the resident shard into out, when
 * it holds them: 1, else 0 */
static int from_shard(const struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out)
{
	if (!s->shard || r0 < s->lo || r0 + nr > s->hi)
		return 0;
	memcpy(out, s->shard[j] + (r0 - s->lo) * s->dim[j], nr * s->dim[j] * sizeof *out);
	return 1;
}

/* A file written over since the load (truncated, rewritten in place)
 * would be read as zeros past its end or as other data: refused. */
static int check_unchanged(const struct h5_stream *s)
{
	struct stat now;
	if (s->by_name ? stat(s->file, &now) < 0 : s->fd < 0 || fstat(s->fd, &now) < 0)
		return 0;
	if (now.st_size == s->st.st_size && now.st_mtim.tv_sec == s->st.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == s->st.st_mtim.tv_nsec)
		return 0;
	err_set("%s: the file changed on disk since it was loaded with `stream` (now %lld "
		"bytes, was %lld); load it again", s->file, (long long)now.st_size,
		(long long)s->st.st_size);
	return -1;
}

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

/* rows [r0, r0 + nr) of model j as stored (converted to float) into out,
 * with transfer list dxpl; nr 0 reads nothing (a collective read's share
 * of a rank that has no rows left) */
static int read_raw_x(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out,
		      hid_t dxpl)
{
	hsize_t start[2] = { r0, 0 }, count[2] = { nr ? nr : 1, s->dim[j] };
	hid_t fs = H5Dget_space(s->dset[j]);
	hid_t ms = H5Screate_simple(2, count, NULL);
	int rc = fs >= 0 && ms >= 0 &&
		 (nr ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL)
		     : H5Sselect_none(fs) >= 0 ? H5Sselect_none(ms) : -1) >= 0 &&
		 H5Dread(s->dset[j], H5T_NATIVE_FLOAT, ms, fs, dxpl, out) >= 0 ? 0 : -1;
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

/* independent reads: any rank, any rows, any time (the prefetch thread) */
static int read_raw(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out)
{
	return read_raw_x(s, j, r0, nr, out, H5P_DEFAULT);
}

int h5_stream_block(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out)
{
	if (!from_shard(s, j, r0, nr, out) &&
	    (check_unchanged(s) < 0 || read_raw(s, j, r0, nr, out) < 0))
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
	if (check_unchanged(s) < 0)
		return -1;
	for (size_t r = 0; r < b; r++)
		key[r] = (uint64_t)idx[r] << 24 | r;
	qsort(key, b, sizeof *key, key_cmp);
	for (size_t i = 0; i < b;) {
		size_t row = KEY_ROW(key[i]), r0, r1;
		/* the rank's own rows, in memory: the bits a read gives */
		if (from_shard(s, j, row, 1, out + KEY_POS(key[i]) * d)) {
			i++;
			continue;
		}
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
	for (size_t j = 0; s->shard && j < s->m; j++)
		mat_free_floats(s->shard[j]);
	free(s->shard);
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

/* no non-finite value found */
#define NO_BAD UINT64_MAX

/* Read rows [lo, hi) of model j in blocks of whole chunks into buf (room
 * for CHECK_BYTES and a chunk), with transfer list dxpl: the first
 * non-finite value into *bad as (row d + column) << 2 | kind (0 NaN,
 * 1 +Inf, 2 -Inf), or NO_BAD; all-zero rows counted.  blocks reads are
 * made whatever the rows (a collective read needs every rank at each);
 * stop: return at the first non-finite value.  keep (NULL or room for rows
 * [lo, hi)): the rows are read there instead of buf, and stay. */
static int check_rows(struct h5_stream *s, size_t j, size_t lo, size_t hi, size_t blocks,
		      hid_t dxpl, int stop, float *buf, float *keep, size_t *zero_rows,
		      uint64_t *bad)
{
	size_t d = s->dim[j], rows = h5_stream_block_rows(s, j, CHECK_BYTES);
	*zero_rows = 0;
	*bad = NO_BAD;
	for (size_t b = 0; b < blocks; b++) {
		size_t r0 = lo + b * rows;
		size_t nr = r0 >= hi ? 0 : hi - r0 < rows ? hi - r0 : rows;
		if (keep && nr)
			buf = keep + (r0 - lo) * d;
		if (read_raw_x(s, j, nr ? r0 : 0, nr, buf, dxpl) < 0)
			return -1;
		size_t i = *bad == NO_BAD ? floats_find_nonfinite(buf, nr * d) : SIZE_MAX;
		if (i != SIZE_MAX) {
			float v = buf[i];
			*bad = ((uint64_t)(r0 + i / d) * d + i % d) << 2 |
			       (uint64_t)(isnan(v) ? 0 : v > 0 ? 1 : 2);
			if (stop)
				return 0;
		}
		struct mat v = { nr, d, buf };
		*zero_rows += mat_count_zero_rows(&v);
	}
	return 0;
}

static int bad_value(const struct h5_stream *s, size_t j, uint64_t bad)
{
	uint64_t at = bad >> 2;
	float v = (bad & 3) == 0 ? NAN : (bad & 3) == 1 ? INFINITY : -INFINITY;
	err_set("%s: %s/features/%s: row %zu, column %zu (counting from 0) is %s; "
		"features must be finite", s->file, strcmp(s->path, "/") ? s->path : "",
		s->model[j], (size_t)(at / s->dim[j]), (size_t)(at % s->dim[j]),
		nonfinite_name(v));
	return -1;
}

/* the check pass's buffer: a block of the widest model */
static float *check_buffer(const struct h5_stream *s)
{
	size_t floats = 0;
	for (size_t j = 0; j < s->m; j++)
		if (h5_stream_block_rows(s, j, CHECK_BYTES) * s->dim[j] > floats)
			floats = h5_stream_block_rows(s, j, CHECK_BYTES) * s->dim[j];
	return mat_alloc_floats(floats, "the streamed cache's check buffer");
}

/* every row of every model, on one rank */
static int check_all(struct h5_stream *s, size_t *zero_rows)
{
	float *buf = check_buffer(s);
	int rc = buf ? 0 : -1;
	for (size_t j = 0; rc == 0 && j < s->m; j++) {
		size_t rows = h5_stream_block_rows(s, j, CHECK_BYTES);
		uint64_t bad;
		rc = check_rows(s, j, 0, s->n, (s->n + rows - 1) / rows, H5P_DEFAULT, 1, buf, NULL,
				&zero_rows[j], &bad);
		if (rc == 0 && bad != NO_BAD)
			rc = bad_value(s, j, bad);
	}
	mat_free_floats(buf);
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
	s->fd = -1;
	/* a file id of its own, which outlives the loader's */
	if ((s->f = H5Freopen(f)) < 0) {
		h5u_err("%s: cannot reopen for streaming", file);
		h5_stream_close(s);
		return NULL;
	}
	/* the sec2 driver (HDF5's default) hands out an int descriptor */
	void *handle = NULL;
	hid_t fapl = H5Fget_access_plist(s->f);
	int sec2 = fapl >= 0 && H5Pget_driver(fapl) == H5FD_SEC2;
	if (fapl >= 0)
		H5Pclose(fapl);
	if (sec2 && H5Fget_vfd_handle(s->f, H5P_DEFAULT, &handle) >= 0 && handle &&
	    fstat(*(int *)handle, &s->st) == 0)
		s->fd = *(int *)handle;
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
	/* shared by MPI ranks: each checks its shard in h5_stream_join() (in
	 * a load's rehearsal child, where no join follows, nobody checks) */
	s->shared = h5_mpio_shared();
	ranks_shard(n, &s->lo, &s->hi);
	for (size_t j = 0; ranks_size() > 1 && j < m; j++)
		zero_rows[j] = 0;
	if (rc == 0 && ranks_size() == 1)
		rc = check_all(s, zero_rows);
	if (rc < 0) {
		h5_stream_close(s);
		return NULL;
	}
	s->read = 0;
	return s;
}

/* ---- shared by the MPI ranks -------------------------------------------------- */

void h5_stream_release(struct h5_stream *s)
{
	if (!s || !s->shared || s->f < 0)
		return;
	for (size_t j = 0; j < s->m; j++) {
		if (s->dset[j] >= 0)
			H5Dclose(s->dset[j]);
		s->dset[j] = -1;
	}
	H5Fclose(s->f);
	s->f = -1;
	s->fd = -1;
}

/* The rank's shard of every model in memory, when it fits (the machine,
 * the memory cap): its batches then read no file.  Else it stays on disk:
 * that is no error. */
static void keep_shard(struct h5_stream *s)
{
	size_t floats = 0, rows = s->hi - s->lo;
	for (size_t j = 0; j < s->m; j++)
		floats += rows * s->dim[j];
	if (rows == 0 || mat_check_bytes(floats * sizeof(float), "the shard") < 0 ||
	    !(s->shard = calloc(s->m, sizeof *s->shard)))
		return;
	for (size_t j = 0; j < s->m; j++)
		if (!(s->shard[j] = mat_alloc_floats(rows * s->dim[j], "the shard"))) {
			while (j > 0)
				mat_free_floats(s->shard[--j]);
			free(s->shard);
			s->shard = NULL;
			return;
		}
}

size_t h5_stream_resident_bytes(const struct h5_stream *s)
{
	size_t floats = 0;
	for (size_t j = 0; s->shard && j < s->m; j++)
		floats += (s->hi - s->lo) * s->dim[j];
	return floats * sizeof(float);
}

/* Collective reads in the check pass, or independent ones
 * (RNR_MPIO_CHECK=independent, for measuring: doc/mpi.md). */
static int check_collective(void)
{
	const char *e = getenv("RNR_MPIO_CHECK");
	return !e || strcmp(e, "independent") != 0;
}

int h5_stream_join(struct h5_stream *s, size_t *zero_rows)
{
	if (!s->shared)
		return 0;
	h5_stream_release(s);
	int rc = (s->f = h5_mpio_open(s->file, H5F_ACC_RDONLY)) < 0 ? -1 : 0;
	for (size_t j = 0; rc == 0 && j < s->m; j++)
		rc = open_model(s, j);
	if (rc == 0 && stat(s->file, &s->st) < 0) {
		err_set("%s: %s", s->file, strerror(errno));
		rc = -1;
	}
	s->by_name = 1;
	if (rc == 0)
		keep_shard(s);
	float *buf = rc == 0 ? check_buffer(s) : NULL;
	uint64_t *bad = calloc(s->m, sizeof *bad);
	double *zero = calloc(s->m, sizeof *zero);
	if (rc == 0 && (!buf || !bad || !zero)) {
		if (buf)
			err_nomem("the check's tables", s->m * 16);
		rc = -1;
	}
	/* every rank reads its shard: the same number of reads on each */
	hid_t dxpl = H5P_DEFAULT;
	if (ranks_all_ok(rc) == 0) {
		size_t most = (s->n + ranks_size() - 1) / ranks_size();
		dxpl = h5_mpio_dxpl(check_collective());
		for (size_t j = 0; rc == 0 && j < s->m; j++) {
			size_t rows = h5_stream_block_rows(s, j, CHECK_BYTES), z;
			rc = check_rows(s, j, s->lo, s->hi, (most + rows - 1) / rows, dxpl, 0, buf,
					s->shard ? s->shard[j] : NULL, &z, &bad[j]);
			zero[j] = (double)z;
		}
		rc = ranks_all_ok(rc);
	} else {
		rc = -1;
	}
	h5_mpio_dxpl_close(dxpl);
	if (rc == 0) {
		ranks_sum_doubles(zero, s->m);
		ranks_min_u64(bad, s->m);
		for (size_t j = 0; rc == 0 && j < s->m; j++) {
			zero_rows[j] = (size_t)zero[j];
			if (bad[j] != NO_BAD)
				rc = bad_value(s, j, bad[j]);
		}
	}
	mat_free_floats(buf);
	free(bad);
	free(zero);
	s->read = 0;
	return rc;
}
