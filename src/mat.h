/* mat.h - the float matrix of the numeric core.
 *
 * Row-major, contiguous (row i starts at data + i*cols), 64-byte aligned so
 * BLAS and the vectorised loops get whole cache lines.  A struct mat owns
 * its data unless it was made by mat_view(). */
#ifndef RNR_MAT_H
#define RNR_MAT_H

#include <stddef.h>
#include <stdint.h>

struct mat {
	size_t rows, cols;
	float *data; /* [rows x cols] */
};

/* May rnr allocate bytes more for what?  Checked before any large
 * allocation, so a request that cannot succeed is refused up front with
 * its size: -1 with err_set() naming what, the bytes and the limit they
 * exceed (the machine's memory, or what the address-space or data limit
 * (ulimit -v, ulimit -d) leaves beside what rnr uses already); else 0. */
int mat_check_bytes(size_t bytes, const char *what);

/* The memory cap (`set memory`, 0 for none): mat_check_bytes() also
 * refuses what would take the resident set (VmRSS) past it, and
 * mat_check_cap() is that test alone, for any size. */
void mat_set_memory_cap(size_t bytes);
size_t mat_memory_cap(void);
int mat_check_cap(size_t bytes, const char *what);
/* The process's resident bytes now (/proc/self/statm), 0 when unknown. */
size_t mat_resident_bytes(void);

/* Aligned allocation of n floats, zeroed; NULL + err_set() on failure.
 * what names the purpose for the error message.  Checks with
 * mat_check_bytes() first: the one way rnr allocates large blocks. */
float *mat_alloc_floats(size_t n, const char *what);
void mat_free_floats(float *p);

/* Allocate a zeroed rows x cols matrix.  0 on success, -1 with err_set()
 * (naming what and the bytes it needed) on overflow or out of memory. */
int mat_init(struct mat *m, size_t rows, size_t cols, const char *what);
void mat_free(struct mat *m);

/* Deep copy; -1 on out of memory (dst untouched). */
int mat_copy(struct mat *dst, const struct mat *src, const char *what);

static inline float *mat_row(const struct mat *m, size_t i)
{
	return m->data + i * m->cols;
}

static inline size_t mat_bytes(const struct mat *m)
{
	return m->rows * m->cols * sizeof(float);
}

/* inv [m->rows] = 1 / ||row|| of every row of m as mat_normalize_rows
 * scales by it: the sum of squares in double, the inverse rounded to
 * float; 0 for a zero row.  Multiplying each value of a row by it in float
 * gives the normalised row to the bit. */
void mat_row_inv_norms(const struct mat *m, float *inv);
/* dst [n x m->cols] = rows i0..i0+n-1 of m normalised, to the bits of
 * mat_normalize_rows on a copy. */
void mat_rows_normalized(float *dst, const struct mat *m, size_t i0, size_t n);

/* L2-normalise every row in place.  A zero row stays zero.
 * Returns the number of zero rows; *first_zero gets the index of the
 * first one (or SIZE_MAX).  Norms accumulate in double. */
size_t mat_normalize_rows(struct mat *m, size_t *first_zero);

/* Index of the first non-finite value, or SIZE_MAX if all are finite. */
size_t mat_find_nonfinite(const struct mat *m);
size_t floats_find_nonfinite(const float *x, size_t n);

/* Rows of f that are all zero (a zero row stays zero through
 * normalisation and is reported, never divided by). */
size_t mat_count_zero_rows(const struct mat *f);
/* "NaN", "+Inf" or "-Inf": how messages name a value that is not finite. */
const char *nonfinite_name(float v);

/* rows*cols*sizeof(float) without overflow: 0 on success, -1 if it would. */
int mat_size_bytes(size_t rows, size_t cols, size_t *bytes);

#endif
