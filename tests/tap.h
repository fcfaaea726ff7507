/* tap.h - a minimal TAP emitter for rnr's C tests.
 *
 * Each check prints "ok N - what" or "not ok N - what" with the measured
 * numbers; tap_done() prints the plan and returns the exit status, which is
 * non-zero when any check failed.  Tests never print a verdict and exit 0. */
#ifndef RNR_TAP_H
#define RNR_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* max |a-b| / max(|b|, floor) over n values; prints it with the check */
static inline double tap_max_rel(const float *a, const float *b, size_t n, double floor_)
{
	double worst = 0.0;
	for (size_t i = 0; i < n; i++) {
		double den = fabs((double)b[i]);
		if (den < floor_)
			den = floor_;
		double e = fabs((double)a[i] - (double)b[i]) / den;
		if (!(e <= worst)) /* NaN counts as worst */
			worst = isnan(e) ? INFINITY : e;
	}
	return worst;
}

#define tap_close(a, b, n, tol, floor_, what) do { \
	double tap_e_ = tap_max_rel((a), (b), (n), (floor_)); \
	tap_ok(tap_e_ <= (tol), "%s: max rel diff %.3g (tol %.3g)", (what), tap_e_, (double)(tol)); \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
