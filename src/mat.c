/* mat.c - allocation and row operations of struct mat (see mat.h). */
#include "mat.h"
#include "err.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAT_ALIGN 64

static double mib(double bytes)
{
	return bytes / (1024.0 * 1024.0);
}

/* `set memory`: the cap on what rnr keeps resident, 0 for none */
static size_t memory_cap;

void mat_set_memory_cap(size_t bytes)
{
	/* under a cap, large blocks are mapped and unmapped on free, always:
	 * glibc's dynamic threshold would otherwise serve them from the heap
	 * once one was freed, and keep them resident after they are freed */
	if (bytes && !memory_cap)
		mallopt(M_MMAP_THRESHOLD, 1 << 20);
	memory_cap = bytes;
}

size_t mat_memory_cap(void)
{
	return memory_cap;
}

/* Bytes the process maps (field 0 of /proc/self/statm), holds resident
 * (field 1) and its data segment plus anonymous maps (field 5), or 0 when
 * unknown. */
static void used_bytes3(double *mapped, double *resident, double *data)
{
	unsigned long size = 0, res = 0, shr, text, lib, dat = 0;
	*mapped = *resident = *data = 0.0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return;
	if (fscanf(f, "%lu %lu %lu %lu %lu %lu", &size, &res, &shr, &text, &lib, &dat) == 6) {
		double page = (double)sysconf(_SC_PAGESIZE);
		*mapped = (double)size * page;
		*resident = (double)res * page;
		*data = (double)dat * page;
	}
	fclose(f);
}

size_t mat_resident_bytes(void)
{
	double mapped, res, data;
	used_bytes3(&mapped, &res, &data);
	return (size_t)res;
}

/* bytes more fit under the memory cap beside what is resident? */
int mat_check_cap(size_t bytes, const char *what)
{
	if (!memory_cap)
		return 0;
	double res = (double)mat_resident_bytes(), cap = (double)memory_cap;
	double left = cap > res ? cap - res : 0.0;
	if ((double)bytes <= left)
		return 0;
	err_set("%s would need %zu bytes (%.1f MiB), more than the %.1f MiB the memory cap "
		"(set memory) of %.1f MiB leaves beside the %.1f MiB resident", what, bytes,
		mib((double)bytes), mib(left), mib(cap), mib(res));
	return -1;
}

/* what the soft limit res leaves beside used; -1 for no limit */
static double left_under(int res, double used, double *limit)
{
	struct rlimit rl;
	if (getrlimit(res, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return -1.0;
	*limit = (double)rl.rlim_cur;
	return *limit > used ? *limit - used : 0.0;
}

int mat_check_bytes(size_t bytes, const char *what)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	double want = (double)bytes;
	if (pages > 0 && psize > 0 && want > (double)pages * (double)psize) {
		double mem = (double)pages * (double)psize;
		err_set("%s would need %zu bytes (%.1f GiB), more than this machine's memory "
			"(%.1f GiB)", what, bytes, want / (1 << 30), mem / (1 << 30));
		return -1;
	}
	/* small requests never hit a limit first: skip reading /proc */
	if (bytes < ((size_t)1 << 20))
		return 0;
	double mapped, res, data, limit = 0.0;
	used_bytes3(&mapped, &res, &data);
	static const struct { int res; const char *name; } lim[] = {
		{ RLIMIT_AS, "address-space limit (ulimit -v)" },
		{ RLIMIT_DATA, "data limit (ulimit -d)" },
	};
	for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
		double left = left_under(lim[i].res, i == 0 ? mapped : data, &limit);
		if (left >= 0.0 && want > left) {
			err_set("%s would need %zu bytes (%.1f MiB), more than the %.1f MiB the "
				"%s of %.1f MiB leaves", what, bytes, mib(want), mib(left),
				lim[i].name, mib(limit));
			return -1;
		}
	}
	return mat_check_cap(bytes, what);
}

float *mat_alloc_floats(size_t n, const char *what)
{
	if (n > SIZE_MAX / sizeof(float) - MAT_ALIGN)
		return err_nomem(what, SIZE_MAX);
	size_t bytes = n * sizeof(float);
	if (mat_check_bytes(bytes, what) < 0)
		return NULL;
	/* aligned_alloc wants a multiple of the alignment */
	size_t rounded = (bytes + MAT_ALIGN - 1) / MAT_ALIGN * MAT_ALIGN;
	if (rounded == 0)
		rounded = MAT_ALIGN;
	float *p = aligned_alloc(MAT_ALIGN, rounded);
	if (!p)
		return err_nomem(what, bytes);
	memset(p, 0, rounded);
	return p;
}

void mat_free_floats(float *p)
{
	free(p);
}

int mat_size_bytes(size_t rows, size_t cols, size_t *bytes)
{
	if (cols && rows > SIZE_MAX / sizeof(float) / cols)
		return -1;
	*bytes = rows * cols * sizeof(float);
	return 0;
}

int mat_init(struct mat *m, size_t rows, size_t cols, const char *what)
{
	size_t bytes;
	if (mat_size_bytes(rows, cols, &bytes) < 0) {
		err_set("%s: %zu x %zu floats overflow the address space", what, rows, cols);
		return -1;
	}
	float *p = mat_alloc_floats(rows * cols, what);
	if (!p)
		return -1;
	m->rows = rows;
	m->cols = cols;
	m->data = p;
	return 0;
}

void mat_free(struct mat *m)
{
	mat_free_floats(m->data);
	m->data = NULL;
	m->rows = m->cols = 0;
}

int mat_copy(struct mat *dst, const struct mat *src, const char *what)
{
	struct mat t;
	if (mat_init(&t, src->rows, src->cols, what) < 0)
		return -1;
	memcpy(t.data, src->data, mat_bytes(src));
	*dst = t;
	return 0;
}

static float row_inv_norm(const float *r, size_t d)
{
	double ss = 0.0;
	for (size_t c = 0; c < d; c++)
		ss += (double)r[c] * r[c];
	return ss == 0.0 ? 0.0f : (float)(1.0 / sqrt(ss));
}

void mat_row_inv_norms(const struct mat *m, float *inv)
{
	for (size_t i = 0; i < m->rows; i++)
		inv[i] = row_inv_norm(mat_row(m, i), m->cols);
}

/* dst [d] = r [d] scaled by inv; a zero row (inv 0) stays as it is */
static void row_scale(float *dst, const float *r, float inv, size_t d)
{
	if (inv == 0.0f) {
		memmove(dst, r, d * sizeof *dst);
		return;
	}
	for (size_t c = 0; c < d; c++)
		dst[c] = r[c] * inv;
}

void mat_rows_normalized(float *dst, const struct mat *m, size_t i0, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		const float *src = mat_row(m, i0 + r);
		row_scale(dst + r * m->cols, src, row_inv_norm(src, m->cols), m->cols);
	}
}

size_t mat_normalize_rows(struct mat *m, size_t *first_zero)
{
	size_t zeros = 0;
	*first_zero = SIZE_MAX;
	for (size_t i = 0; i < m->rows; i++) {
		float *r = mat_row(m, i);
		float inv = row_inv_norm(r, m->cols);
		if (inv == 0.0f && zeros++ == 0)
			*first_zero = i;
		row_scale(r, r, inv, m->cols);
	}
	return zeros;
}

size_t floats_find_nonfinite(const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return i;
	return SIZE_MAX;
}

const char *nonfinite_name(float v)
{
	return isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}

size_t mat_find_nonfinite(const struct mat *m)
{
	return floats_find_nonfinite(m->data, m->rows * m->cols);
}

size_t mat_count_zero_rows(const struct mat *f)
{
	size_t z = 0;
	for (size_t i = 0; i < f->rows; i++) {
		const float *r = mat_row(f, i);
		size_t k = 0;
		while (k < f->cols && r[k] == 0.0f)
			k++;
		z += k == f->cols;
	}
	return z;
}
