/* chart.h - charts as data, drawn by one module onto a character canvas
 * (plain text, the TUI's windows) or into SVG.
 *
 * An object that can be drawn fills a struct chart through its type's
 * chart() operation (obj.h); the chart borrows the object's arrays, so it
 * lives no longer than the object.  Drawing never changes the data. */
#ifndef RNR_CHART_H
#define RNR_CHART_H

#include <stddef.h>
#include <stdio.h>

#define CHART_MAX_SERIES 16
#define CHART_MAX_MARKS 4

enum chart_kind {
	CHART_LINE, /* y against x, one polyline per series */
	CHART_HIST, /* y are bin counts over [x[i], x[i+1]) (x has n+1 edges) */
};

struct chart_series {
	const char *label;
	const double *x;  /* [n] (CHART_HIST: [n+1] bin edges); NULL: evenly spaced */
	double x0, dx;    /* when x is NULL: x_i = x0 + i*dx */
	const double *y;  /* [n] */
	size_t n;
	size_t stride;    /* step between y values, 0 or 1: contiguous */
};

struct chart_mark {
	double x;          /* a vertical marker, e.g. the end of warmup */
	const char *label;
};

struct chart {
	enum chart_kind kind;
	const char *title, *xlabel, *ylabel;
	int logy;          /* log10 y axis (values <= 0 are skipped) */
	struct chart_series series[CHART_MAX_SERIES];
	size_t n_series;
	struct chart_mark mark[CHART_MAX_MARKS];
	size_t n_marks;
};

/* Append a series (pointers borrowed) with x_i = 1, 2, ... when x is NULL;
 * returns it for further settings (x0, dx), or NULL when c is full. */
struct chart_series *chart_add_series(struct chart *c, const char *label, const double *x,
				      const double *y, size_t n, size_t stride);

/* One cell of a rendered canvas: a glyph (UTF-8, NUL-terminated) and what
 * it shows, so a front end can colour it: 0 frame/text, 1..n_series a
 * series, -1 a marker. */
struct chart_cell {
	char glyph[5];
	signed char series;
};

enum chart_charset { CHART_ASCII, CHART_UTF8 };

/* Render c onto a canvas of w x h cells (row-major, cells[h*w]) with axes,
 * ticks, labels and a legend; UTF-8 uses braille dots for lines and block
 * elements for bars, ASCII uses '*', '#', '|', '-'.  -1 with err_set() if
 * the canvas is too small or nothing can be drawn (no finite points). */
int chart_render(const struct chart *c, struct chart_cell *cells, int w, int h,
		 enum chart_charset cs);

/* Render and print as text lines (trailing blanks trimmed). */
int chart_print(const struct chart *c, FILE *out, int w, int h, enum chart_charset cs);

/* Write a standalone SVG figure (axes, ticks, legend, log scale) of
 * width x height pixels.  -1 with err_set() on an I/O error. */
int chart_write_svg(const struct chart *c, FILE *out, int width, int height);

/* Write the series as CSV (sep ',') or TSV (sep '\t'): a header line, then
 * one row per x with one column per series (empty where a series has no
 * value).  -1 with err_set() on an I/O error. */
int chart_write_table(const struct chart *c, FILE *out, char sep);

/* One text field of such a table: for CSV quoted (quotes doubled) when it
 * holds a comma, quote or line break; for TSV tabs and line breaks become
 * spaces. */
void chart_table_field(FILE *f, const char *s, char sep);

#endif
