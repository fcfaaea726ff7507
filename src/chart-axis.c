/* chart-axis.c - what every chart renderer shares (chart-int.h): adding
 * series, reading their points, the bounds of what can be drawn, and axes
 * with "nice" ticks: steps of 1, 2 or 5 x 10^k, whole decades on a log
 * axis (with 2 and 5 between when there is room). */
#include "chart-int.h"
#include "err.h"

#include <math.h>
#include <stdio.h>

struct chart_series *chart_add_series(struct chart *c, const char *label, const double *x,
				      const double *y, size_t n, size_t stride)
{
	if (c->n_series >= CHART_MAX_SERIES)
		return NULL;
	struct chart_series *s = &c->series[c->n_series++];
	*s = (struct chart_series){ .label = label, .x = x, .x0 = 1.0, .dx = 1.0, .y = y,
				    .n = n, .stride = stride };
	return s;
}

double chart_x(const struct chart_series *s, size_t i)
{
	return s->x ? s->x[i] : s->x0 + (double)i * s->dx;
}

double chart_y(const struct chart_series *s, size_t i)
{
	return s->y[i * (s->stride ? s->stride : 1)];
}

int chart_point_ok(const struct chart *c, const struct chart_series *s, size_t i, int logy)
{
	double y = chart_y(s, i);
	if (!isfinite(y) || !isfinite(chart_x(s, i)) || (logy && !(y > 0.0)))
		return 0;
	return c->kind != CHART_HIST || isfinite(chart_x(s, i + 1));
}

int chart_bounds(const struct chart *c, int logy, double *x0, double *x1, double *y0,
		 double *y1)
{
	int hist = c->kind == CHART_HIST, any = 0;
	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (size_t k = 0; k < c->n_series; k++) {
		const struct chart_series *s = &c->series[k];
		for (size_t i = 0; i < s->n; i++) {
			if (!chart_point_ok(c, s, i, logy))
				continue;
			double xa = chart_x(s, i), xb = hist ? chart_x(s, i + 1) : xa;
			double y = chart_y(s, i);
			*x0 = fmin(*x0, fmin(xa, xb));
			*x1 = fmax(*x1, fmax(xa, xb));
			*y0 = fmin(*y0, y);
			*y1 = fmax(*y1, y);
			any = 1;
		}
	}
	if (!any) {
		err_set(logy ? "nothing to draw on a log scale: no finite value above 0" :
			c->n_series ? "nothing to draw: no finite values" :
			"nothing to draw: the chart has no series");
		return -1;
	}
	if (hist && !logy)
		*y0 = fmin(*y0, 0.0);
	return 0;
}

static double nice_step(double range, int n)
{
	double raw = range / (n > 2 ? n - 1 : 1);
	double p = pow(10.0, floor(log10(raw)));
	double f = raw / p;
	/* the nearest nice number: a few more ticks than asked at most */
	return (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * p;
}

void chart_axis_fit(struct chart_axis *a, double lo, double hi, int log, int n, int loose)
{
	a->log = log;
	a->minor = 0;
	if (log) {
		double l0 = floor(log10(lo) + 1e-9), l1 = ceil(log10(hi) - 1e-9);
		if (l1 <= l0)
			l1 = l0 + 1.0;
		double decades = l1 - l0;
		a->step = n > 2 ? ceil(decades / (n - 1)) : decades;
		a->minor = a->step == 1.0 && decades * 3 <= n;
		a->lo = pow(10.0, l0);
		a->hi = pow(10.0, l1);
		return;
	}
	if (!(hi > lo)) {
		double d = lo != 0.0 ? fabs(lo) * 0.1 : 1.0;
		lo -= d;
		hi += d;
	}
	a->step = nice_step(hi - lo, n);
	if (loose) {
		lo = floor(lo / a->step + 1e-9) * a->step;
		hi = ceil(hi / a->step - 1e-9) * a->step;
	}
	a->lo = lo;
	a->hi = hi;
}

double chart_axis_frac(const struct chart_axis *a, double v)
{
	if (!a->log)
		return (v - a->lo) / (a->hi - a->lo);
	if (!(v > 0.0))
		return NAN;
	return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
}

size_t chart_axis_ticks(const struct chart_axis *a, double *tick, size_t cap)
{
	size_t n = 0;
	if (a->log) {
		static const double mult[] = { 1.0, 2.0, 5.0 };
		double l0 = round(log10(a->lo)), l1 = round(log10(a->hi));
		for (double e = l0; e <= l1 && n < cap; e += a->step)
			for (int m = 0; m < (a->minor ? 3 : 1) && n < cap; m++) {
				double v = mult[m] * pow(10.0, e);
				if (v <= a->hi * (1 + 1e-9))
					tick[n++] = v;
			}
		return n;
	}
	double first = ceil(a->lo / a->step - 1e-9);
	for (double k = first; n < cap; k += 1.0) {
		double v = k * a->step;
		if (v > a->hi + a->step * 1e-9)
			break;
		tick[n++] = fabs(v) < a->step * 1e-9 ? 0.0 : v;
	}
	return n;
}

void chart_axis_label(const struct chart_axis *a, double v, char *buf, size_t cap)
{
	if (a->log) {
		double e = round(log10(v));
		if (fabs(v / pow(10.0, e) - 1.0) < 1e-9 && (e < -4 || e > 5))
			snprintf(buf, cap, "1e%d", (int)e);
		else
			snprintf(buf, cap, "%g", v);
		return;
	}
	double big = fmax(fabs(a->lo), fabs(a->hi));
	if (big >= 1e7 || a->step < 1e-5) {
		snprintf(buf, cap, "%.3g", v);
		return;
	}
	int dec = a->step >= 1.0 ? 0 : (int)ceil(-log10(a->step) - 1e-9);
	snprintf(buf, cap, "%.*f", dec, v);
}
