/* fixtures.h - read the reference files in tests/fixtures/ (header only).
 *
 * The format, written by tests/fixtures/make-nn-fixtures.py: '#' lines are
 * comments; otherwise records of a line "name count" followed by count
 * whitespace-separated numbers.  Every value is kept as a double (float32
 * inputs are printed with %.9g, so (float) gives them back exactly).
 *
 * The file is looked up as $top_srcdir/tests/fixtures/<file> (make check
 * sets top_srcdir), else RNR_SRCDIR/tests/fixtures/<file> when the test was
 * compiled with -DRNR_SRCDIR, else ./tests/fixtures/<file>.
 *
 * These are test helpers: any problem (no file, a missing record, a count
 * other than expected) prints a TAP "Bail out!" line and exits non-zero, so
 * a broken fixture can never pass as a skipped check. */
#ifndef RNR_TESTS_FIXTURES_H
#define RNR_TESTS_FIXTURES_H

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

struct fixture_rec {
	char name[96];
	size_t n;
	double *v; /* [n] */
};

struct fixture {
	char path[1024];
	size_t n, cap;
	struct fixture_rec *rec; /* [n] */
};

static inline void fixture_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void fixture_bail(const char *fmt, ...)
{
	va_list ap;
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(99);
}

/* Read tests/fixtures/<file> into fx (see the lookup order above). */
static inline void fixture_load(struct fixture *fx, const char *file)
{
	const char *top = getenv("top_srcdir");
#ifdef RNR_SRCDIR
	if (!top || !*top)
		top = RNR_SRCDIR;
#endif
	if (!top || !*top)
		top = ".";
	memset(fx, 0, sizeof *fx);
	snprintf(fx->path, sizeof fx->path, "%s/tests/fixtures/%s", top, file);
	FILE *f = fopen(fx->path, "r");
	if (!f)
		fixture_bail("cannot open fixture %s (set top_srcdir to the source tree)", fx->path);
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		char name[96];
		size_t n;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%95s %zu", name, &n) != 2 || !(isalpha((unsigned char)name[0])))
			fixture_bail("%s: expected \"name count\", got: %.60s", fx->path, line);
		if (fx->n == fx->cap) {
			fx->cap = fx->cap ? 2 * fx->cap : 64;
			fx->rec = realloc(fx->rec, fx->cap * sizeof *fx->rec);
			if (!fx->rec)
				fixture_bail("out of memory reading %s", fx->path);
		}
		struct fixture_rec *r = &fx->rec[fx->n++];
		snprintf(r->name, sizeof r->name, "%s", name);
		r->n = n;
		r->v = malloc((n ? n : 1) * sizeof *r->v);
		if (!r->v)
			fixture_bail("out of memory reading %s", fx->path);
		for (size_t i = 0; i < n; i++)
			if (fscanf(f, "%lf", &r->v[i]) != 1)
				fixture_bail("%s: record %s: value %zu of %zu unreadable", fx->path, name, i, n);
		/* finish the line the last value was on */
		if (n && !fgets(line, sizeof line, f))
			break;
	}
	fclose(f);
}

static inline void fixture_free(struct fixture *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		free(fx->rec[i].v);
	free(fx->rec);
	fx->rec = NULL;
	fx->n = fx->cap = 0;
}

/* The values of record name, which must hold exactly n of them
 * (n = 0: any count, returned in *count when count is not NULL). */
static inline const double *fixture_get(const struct fixture *fx, const char *name, size_t n,
					size_t *count)
{
	for (size_t i = 0; i < fx->n; i++)
		if (!strcmp(fx->rec[i].name, name)) {
			if (n && fx->rec[i].n != n)
				fixture_bail("%s: record %s has %zu values, expected %zu",
					     fx->path, name, fx->rec[i].n, n);
			if (count)
				*count = fx->rec[i].n;
			return fx->rec[i].v;
		}
	fixture_bail("%s: no record %s", fx->path, name);
}

/* A scalar record as a size. */
static inline size_t fixture_size(const struct fixture *fx, const char *name)
{
	double v = fixture_get(fx, name, 1, NULL)[0];
	if (!(v >= 0) || v != floor(v))
		fixture_bail("%s: record %s is not a size: %g", fx->path, name, v);
	return (size_t)v;
}

/* Copy record name (exactly n values) to floats: dst [n]. */
static inline void fixture_floats(float *dst, const struct fixture *fx, const char *name, size_t n)
{
	const double *v = fixture_get(fx, name, n, NULL);
	for (size_t i = 0; i < n; i++)
		dst[i] = (float)v[i];
}

/* A freshly malloc'ed float copy of record name (exactly n values). */
static inline float *fixture_floats_new(const struct fixture *fx, const char *name, size_t n)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	if (!p)
		fixture_bail("out of memory copying %s", name);
	fixture_floats(p, fx, name, n);
	return p;
}

/* max |got - ref| / max |ref| over n values (normwise: elementwise ratios
 * blow up at entries that cancel to near zero, where float rounding is
 * bounded by the terms' size, not the result's).  NaN counts as infinity.
 * *max_abs gets max |got - ref| when not NULL. */
static inline double fixture_normwise(const float *got, const double *ref, size_t n, double *max_abs)
{
	double worst = 0.0, scale = 0.0;
	for (size_t i = 0; i < n; i++) {
		double e = fabs((double)got[i] - ref[i]);
		if (isnan(e))
			e = INFINITY;
		if (e > worst)
			worst = e;
		if (fabs(ref[i]) > scale)
			scale = fabs(ref[i]);
	}
	if (max_abs)
		*max_abs = worst;
	if (scale == 0.0)
		return worst == 0.0 ? 0.0 : INFINITY;
	return worst / scale;
}

/* One TAP check of got [n] against a reference record: normwise relative
 * difference within tol; prints it and the max absolute difference. */
static inline int fixture_check(const float *got, const struct fixture *fx, const char *name,
				size_t n, double tol, const char *what)
{
	double abs_;
	double rel = fixture_normwise(got, fixture_get(fx, name, n, NULL), n, &abs_);
	return tap_ok(rel <= tol, "%s vs %s: normwise rel diff %.3g, max abs diff %.3g (tol %.3g)",
		      what, name, rel, abs_, tol);
}

#endif
