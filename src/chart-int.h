/* chart-int.h - what the renderers of chart.h (text in chart.c, SVG and
 * tables in chart-svg.c) share, from chart-axis.c: the points of a series,
 * the bounds of what can be drawn, and axes with "nice" ticks (1, 2, 5 x
 * 10^k; decades on a log axis).  Private to chart*.c. */
#ifndef RNR_CHART_INT_H
#define RNR_CHART_INT_H

#include "chart.h"

#define CHART_MAX_TICKS 64

struct chart_axis {
	double lo, hi; /* the range shown, in data units (lo > 0 when log) */
	int log;       /* log10 scale */
	double step;   /* linear: tick spacing; log: decades between ticks */
	int minor;     /* log with step 1: ticks at 2 and 5 of each decade too */
};

/* x_i of s (CHART_HIST: bin edge i, i <= n): s->x[i], or x0 + i*dx. */
double chart_x(const struct chart_series *s, size_t i);

/* y_i of s, honouring its stride. */
double chart_y(const struct chart_series *s, size_t i);

/* Can value i of s be drawn: x (both edges for a histogram) and y finite,
 * and y > 0 on a log axis? */
int chart_point_ok(const struct chart *c, const struct chart_series *s, size_t i, int logy);

/* The bounds of every drawable value (a linear histogram's y range
 * includes 0).  0, or -1 with err_set() when nothing can be drawn. */
int chart_bounds(const struct chart *c, int logy, double *x0, double *x1, double *y0,
		 double *y1);

/* Fit a to [lo, hi] with about n ticks.  A degenerate range is widened;
 * loose widens it to the ticks around it; a log axis spans whole decades. */
void chart_axis_fit(struct chart_axis *a, double lo, double hi, int log, int n, int loose);

/* Where v sits on a: 0 at lo, 1 at hi; NaN when it cannot be drawn. */
double chart_axis_frac(const struct chart_axis *a, double v);

/* The tick values of a inside its range, ascending; their count (<= cap). */
size_t chart_axis_ticks(const struct chart_axis *a, double *tick, size_t cap);

/* The label of tick v: decimals from the step ("0.5", "12"), "1e-5" for
 * far decades. */
void chart_axis_label(const struct chart_axis *a, double v, char *buf, size_t cap);

#endif
