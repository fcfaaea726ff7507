/* mat.c - allocation and row operations of struct mat (see mat.h). */
#include "mat.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAT_ALIGN 64

float *mat_alloc_floats(size_t n, const char *what)
{
	if (n > SIZE_MAX / sizeof(float) - MAT_ALIGN)
		return err_nomem(what, SIZE_MAX);
	size_t bytes = n * sizeof(float);
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

size_t mat_normalize_rows(struct mat *m, size_t *first_zero)
{
	size_t zeros = 0;
	*first_zero = SIZE_MAX;
	for (size_t i = 0; i < m->rows; i++) {
		float *r = mat_row(m, i);
		double ss = 0.0;
		for (size_t c = 0; c < m->cols; c++)
			ss += (double)r[c] * r[c];
		if (ss == 0.0) {
			if (zeros++ == 0)
				*first_zero = i;
			continue;
		}
		float inv = (float)(1.0 / sqrt(ss));
		for (size_t c = 0; c < m->cols; c++)
			r[c] *= inv;
	}
	return zeros;
}

size_t mat_find_nonfinite(const struct mat *m)
{
	size_t n = m->rows * m->cols;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(m->data[i]))
			return i;
	return SIZE_MAX;
}
