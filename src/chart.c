/* chart.c - charts drawn as text onto a canvas of cells (see chart.h);
 * scales and ticks come from chart-axis.c.
 *
 * A canvas of w x h cells is laid out as
 *
 *   row 0           y label (left), title (centred)
 *   rows 1..ph      y tick labels | y axis | plot area (pw cells wide)
 *   row ph+1        x axis with ticks
 *   row ph+2        x tick labels
 *   row ph+3        x label (when there is one)
 *   last rows       legend: a sample of each series and marker, named
 *
 * Lines are rasterised onto subcells (braille: 2 x 4 dots per cell; ASCII:
 * one per cell, '.' joining the points), histograms are bars of eighths of
 * a cell (ASCII: whole cells).  Series 1 is drawn last, on top: a cell
 * shows the dots of one series only, so its colour says whose they are.
 * Markers are dotted columns, under lines and over bars. */
#include "chart-int.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the canvas ---- */

struct canvas {
	struct chart_cell *cell; /* [h * w] */
	int w, h;
	int utf8;
};

/* Bytes of the UTF-8 sequence starting with lead byte b (1 if invalid). */
static size_t utf8_len(unsigned char b)
{
	return b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : 1;
}

/* Code points in t (one cell each: labels are not wide characters). */
static int text_cells(const char *t)
{
	int n = 0;
	for (; *t; n++)
		for (size_t k = utf8_len((unsigned char)*t++); k > 1 && (*t & 0xc0) == 0x80; k--)
			t++;
	return n;
}

static void put(struct canvas *cv, int row, int col, const char *g, int series)
{
	if (row < 0 || row >= cv->h || col < 0 || col >= cv->w)
		return;
	struct chart_cell *c = &cv->cell[row * cv->w + col];
	snprintf(c->glyph, sizeof c->glyph, "%s", g);
	c->series = (signed char)series;
}

static int is_blank(const struct canvas *cv, int row, int col)
{
	return strcmp(cv->cell[row * cv->w + col].glyph, " ") == 0;
}

/* Write t from col, one code point per cell, cut at max cells and at the
 * canvas edge; in ASCII, other characters show as '?'.  Returns cells used. */
static int put_text(struct canvas *cv, int row, int col, const char *t, int max, int series)
{
	int used = 0;
	while (*t && used < max && col + used < cv->w) {
		size_t len = utf8_len((unsigned char)*t), k = 1;
		char g[5] = { t[0], 0, 0, 0, 0 };
		while (k < len && (t[k] & 0xc0) == 0x80)
			g[k] = t[k], k++;
		if ((unsigned char)t[0] >= 0x80 && (!cv->utf8 || k != len || len == 1))
			snprintf(g, sizeof g, "?");
		put(cv, row, col + used++, g, series);
		t += k;
	}
	return used;
}

/* The glyph of the braille cell with dots mask (bit 0 top left, as U+28xx). */
static void braille(char g[5], unsigned mask)
{
	unsigned cp = 0x2800 + mask;
	g[0] = (char)(0xe0 | (cp >> 12));
	g[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	g[2] = (char)(0x80 | (cp & 0x3f));
	g[3] = '\0';
}

static const char ascii_line[] = "*+ox@%&=$~";
static const char ascii_bar[] = "#=%@+ox&$~";
#define G(cv, u, a) ((cv)->utf8 ? (u) : (a))

/* ---- layout ---- */

struct layout {
	int top, left, ph, pw; /* plot area: first row and column, size in cells */
	int sub_w, sub_h;      /* subcells per cell along x and y */
	int legend_rows;
	int logy;
	struct chart_axis xa, ya;
};

/* The cell column of x (a histogram's columns are intervals of x). */
static int col_of(const struct chart *c, const struct layout *L, double x)
{
	double f = chart_axis_frac(&L->xa, x);
	if (!(f >= -1e-9 && f <= 1 + 1e-9))
		return -1;
	if (c->kind == CHART_HIST)
		return f >= 1.0 ? L->pw - 1 : (int)(f * L->pw);
	return (int)lround(f * (L->pw * L->sub_w - 1)) / L->sub_w;
}

/* The subcell row (0 at the bottom) of y, or -1 outside the axis. */
static int suby_of(const struct layout *L, double y)
{
	double f = chart_axis_frac(&L->ya, y);
	if (!(f >= -1e-9 && f <= 1 + 1e-9))
		return -1;
	return (int)lround(f * (L->ph * L->sub_h - 1));
}

/* Walk the legend: each entry is a sample (2 cells for a series, 1 for a
 * marker), a space and its name, entries 2 apart, wrapped at the width.
 * Draws when draw is set.  Returns the rows it takes (at most 3). */
static int legend(const struct chart *c, struct canvas *cv, int row0, int draw)
{
	int row = 0, col = 0, hist = c->kind == CHART_HIST;
	for (size_t k = 0; k < c->n_series + c->n_marks; k++) {
		char name[96];
		int is_mark = k >= c->n_series, series = is_mark ? -1 : (int)k + 1;
		if (is_mark) {
			const struct chart_mark *m = &c->mark[k - c->n_series];
			snprintf(name, sizeof name, "%s %.4g", m->label ? m->label : "mark", m->x);
		} else if (c->series[k].label) {
			snprintf(name, sizeof name, "%s", c->series[k].label);
		} else {
			snprintf(name, sizeof name, "series %zu", k + 1);
		}
		int sample = is_mark ? 1 : 2, width = sample + 1 + text_cells(name);
		if (col > 0 && col + 2 + width > cv->w) {
			if (row == 2)
				break;
			row++;
			col = 0;
		}
		col += col > 0 ? 2 : 0;
		if (draw) {
			char g[2] = { (hist ? ascii_bar : ascii_line)[k % 10], '\0' };
			for (int i = 0; i < sample; i++)
				put(cv, row0 + row, col + i,
				    is_mark ? G(cv, "\u250a", ":") :
				    hist ? G(cv, "\u2588", g) : G(cv, "\u2824", g), series);
			put_text(cv, row0 + row, col + sample + 1, name, cv->w, 0);
		}
		col += width;
	}
	return row + 1;
}

/* Fit the y axis to about n ticks at least min_gap rows apart; fewer until
 * they are. */
static void fit_y(struct layout *L, double y0, double y1, int loose)
{
	int gap = L->ph >= 5 ? 2 : 1;
	for (int n = L->ph / 2 + 1; n >= 2; n--) {
		double t[CHART_MAX_TICKS];
		chart_axis_fit(&L->ya, y0, y1, L->logy, n, loose);
		size_t nt = chart_axis_ticks(&L->ya, t, CHART_MAX_TICKS);
		int ok = 1, last = -100;
		for (size_t i = 0; i < nt && ok; i++) {
			int r = suby_of(L, t[i]) / L->sub_h;
			ok = r - last >= gap;
			last = r;
		}
		if (ok)
			return;
	}
}

/* Place the x tick labels (or, with draw 0, check that they fit). */
static int x_labels(const struct chart *c, struct canvas *cv, const struct layout *L, int draw)
{
	double t[CHART_MAX_TICKS];
	size_t nt = chart_axis_ticks(&L->xa, t, CHART_MAX_TICKS);
	int end = -2, row = L->top + L->ph;
	for (size_t i = 0; i < nt; i++) {
		char lab[32];
		int col = col_of(c, L, t[i]);
		if (col < 0)
			continue;
		chart_axis_label(&L->xa, t[i], lab, sizeof lab);
		int len = (int)strlen(lab), at = L->left + col - len / 2;
		at = at + len > cv->w ? cv->w - len : at < 0 ? 0 : at;
		if (at < end + (draw ? 1 : 3)) { /* fitting asks for 3 blanks between labels */
			if (!draw)
				return -1;
			continue;
		}
		end = at + len;
		if (draw) {
			put(cv, row, L->left + col, G(cv, "\u252c", "+"), 0);
			put_text(cv, row + 1, at, lab, len, 0);
		}
	}
	return 0;
}

static int lay_out(const struct chart *c, struct canvas *cv, struct layout *L)
{
	double x0, x1, y0, y1;
	if (chart_bounds(c, c->logy, &x0, &x1, &y0, &y1) < 0)
		return -1;
	int hist = c->kind == CHART_HIST;
	L->logy = c->logy;
	L->sub_w = hist || !cv->utf8 ? 1 : 2;
	L->sub_h = !cv->utf8 ? 1 : hist ? 8 : 4;
	L->legend_rows = legend(c, cv, 0, 0);
	L->top = 1;
	L->ph = cv->h - 3 - (c->xlabel && *c->xlabel) - L->legend_rows;
	if (L->ph >= 3)
		fit_y(L, y0, y1, 1);
	int yw = 1;
	double t[CHART_MAX_TICKS];
	size_t nt = L->ph >= 3 ? chart_axis_ticks(&L->ya, t, CHART_MAX_TICKS) : 0;
	for (size_t i = 0; i < nt; i++) {
		char lab[32];
		chart_axis_label(&L->ya, t[i], lab, sizeof lab);
		yw = (int)strlen(lab) > yw ? (int)strlen(lab) : yw;
	}
	L->left = yw + 2;
	L->pw = cv->w - L->left - 1;
	if (L->ph < 3 || L->pw < 10) {
		err_set("a %dx%d canvas is too small for this chart (at least %dx%d)", cv->w,
			cv->h, L->left + 11, cv->h - L->ph + 3);
		return -1;
	}
	for (int n = L->pw / 8 + 1; n >= 2; n--) {
		chart_axis_fit(&L->xa, x0, x1, 0, n, 0);
		if (x_labels(c, cv, L, 0) == 0)
			break;
	}
	return 0;
}

/* ---- drawing ---- */

static void draw_frame(const struct chart *c, struct canvas *cv, const struct layout *L)
{
	int ax = L->left - 1, bottom = L->top + L->ph;
	int ylen = c->ylabel ? put_text(cv, 0, 0, c->ylabel, cv->w, 0) : 0;
	if (c->title && *c->title) {
		int len = text_cells(c->title), at = (cv->w - len) / 2;
		at = at < ylen + 2 && ylen ? ylen + 2 : at < 0 ? 0 : at;
		put_text(cv, 0, at, c->title, cv->w - at, 0);
	}
	for (int r = L->top; r < bottom; r++)
		put(cv, r, ax, G(cv, "\u2502", "|"), 0);
	put(cv, bottom, ax, G(cv, "\u2514", "+"), 0);
	for (int i = 0; i < L->pw; i++)
		put(cv, bottom, L->left + i, G(cv, "\u2500", "-"), 0);
	double t[CHART_MAX_TICKS];
	size_t nt = chart_axis_ticks(&L->ya, t, CHART_MAX_TICKS);
	for (size_t i = 0; i < nt; i++) {
		char lab[32];
		int sy = suby_of(L, t[i]);
		if (sy < 0)
			continue;
		int row = bottom - 1 - sy / L->sub_h, len;
		chart_axis_label(&L->ya, t[i], lab, sizeof lab);
		len = (int)strlen(lab);
		put_text(cv, row, ax - 1 - len, lab, len, 0);
		put(cv, row, ax, G(cv, "\u2524", "+"), 0);
	}
	x_labels(c, cv, L, 1);
	if (c->xlabel && *c->xlabel) {
		int len = text_cells(c->xlabel), at = L->left + (L->pw - len) / 2;
		put_text(cv, bottom + 2, at < 0 ? 0 : at, c->xlabel, cv->w, 0);
	}
	legend(c, cv, cv->h - L->legend_rows, 1);
}

/* Write a marker's label beside its column (right, else left) in the
 * first row of the plot area where it covers nothing. */
static void mark_label(struct canvas *cv, const struct layout *L, int col, const char *lab)
{
	int len = lab ? text_cells(lab) : 0;
	for (int r = L->top; len && r < L->top + L->ph; r++)
		for (int side = 0; side < 2; side++) {
			int at = L->left + (side ? col - len : col + 1), room = 1;
			if (at < L->left || at + len > L->left + L->pw)
				continue;
			for (int i = 0; i < len && room; i++)
				room = is_blank(cv, r, at + i);
			if (room) {
				put_text(cv, r, at, lab, len, -1);
				return;
			}
		}
}

/* The dotted columns of the markers (under the data), or with labels set
 * their labels (over it, where there is room). */
static void draw_marks(const struct chart *c, struct canvas *cv, const struct layout *L,
		       int labels)
{
	for (size_t k = 0; k < c->n_marks; k++) {
		int col = col_of(c, L, c->mark[k].x);
		if (col < 0)
			continue;
		if (labels)
			mark_label(cv, L, col, c->mark[k].label);
		else
			for (int r = L->top; r < L->top + L->ph; r++)
				put(cv, r, L->left + col, G(cv, "\u250a", ":"), -1);
	}
}

/* Cells of the plot area while lines are rasterised: the dots of the one
 * series that owns each cell (the last drawn), and whether a data point
 * (not only a joining segment) falls in it. */
struct raster {
	const struct layout *L;
	unsigned char *mask;  /* [ph * pw] */
	signed char *owner;   /* [ph * pw] */
	unsigned char *point; /* [ph * pw] */
};

static void dot(struct raster *r, int sx, int sy, int series, int is_point)
{
	const struct layout *L = r->L;
	int col = sx / L->sub_w, row = L->ph - 1 - sy / L->sub_h;
	size_t i = (size_t)row * (size_t)L->pw + (size_t)col;
	if (r->owner[i] != series)
		r->owner[i] = (signed char)series, r->mask[i] = 0, r->point[i] = 0;
	static const unsigned char bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 },
						 { 0x04, 0x20 }, { 0x40, 0x80 } };
	r->mask[i] |= L->sub_w == 2 ? bit[3 - sy % 4][sx % 2] : 1;
	r->point[i] |= (unsigned char)is_point;
}

static void segment(struct raster *r, int x0, int y0, int x1, int y1, int series)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
	for (int e = dx + dy;;) {
		dot(r, x0, y0, series, 0);
		if (x0 == x1 && y0 == y1)
			return;
		int e2 = 2 * e;
		if (e2 >= dy)
			e += dy, x0 += sx;
		if (e2 <= dx)
			e += dx, y0 += sy;
	}
}

static int draw_lines(const struct chart *c, struct canvas *cv, const struct layout *L)
{
	size_t cells = (size_t)L->ph * (size_t)L->pw;
	unsigned char *block = calloc(cells, 3);
	if (!block) {
		err_nomem("chart raster", cells * 3);
		return -1;
	}
	struct raster r = { L, block, (signed char *)block + cells, block + 2 * cells };
	int wmax = L->pw * L->sub_w - 1, hmax = L->ph * L->sub_h - 1;
	for (size_t k = c->n_series; k-- > 0;) {
		const struct chart_series *s = &c->series[k];
		int have = 0, px = 0, py = 0;
		for (size_t i = 0; i < s->n; i++) {
			if (!chart_point_ok(c, s, i, L->logy)) {
				have = 0; /* a gap: the line breaks */
				continue;
			}
			double fx = chart_axis_frac(&L->xa, chart_x(s, i));
			double fy = chart_axis_frac(&L->ya, chart_y(s, i));
			int x = (int)lround(fmin(fmax(fx, 0.0), 1.0) * wmax);
			int y = (int)lround(fmin(fmax(fy, 0.0), 1.0) * hmax);
			if (have)
				segment(&r, px, py, x, y, (int)k + 1);
			dot(&r, x, y, (int)k + 1, 1);
			have = 1, px = x, py = y;
		}
	}
	for (size_t i = 0; i < cells; i++) {
		if (!r.mask[i])
			continue;
		char g[5] = { r.point[i] ? ascii_line[(r.owner[i] - 1) % 10] : '.', '\0' };
		if (cv->utf8)
			braille(g, r.mask[i]);
		put(cv, L->top + (int)(i / (size_t)L->pw), L->left + (int)(i % (size_t)L->pw), g,
		    r.owner[i]);
	}
	free(block);
	return 0;
}

/* The mean of s's bins over [a, b), weighted by overlap; NaN if none. */
static double bin_mean(const struct chart *c, const struct chart_series *s, int logy, double a,
		       double b)
{
	double sum = 0.0, wsum = 0.0;
	for (size_t i = 0; i < s->n; i++) {
		if (!chart_point_ok(c, s, i, logy))
			continue;
		double lo = fmax(a, fmin(chart_x(s, i), chart_x(s, i + 1)));
		double hi = fmin(b, fmax(chart_x(s, i), chart_x(s, i + 1)));
		if (hi > lo)
			sum += chart_y(s, i) * (hi - lo), wsum += hi - lo;
	}
	return wsum > 0.0 ? sum / wsum : NAN;
}

/* Bars per column, tallest first so that shorter ones stay in front. */
static void draw_bars(const struct chart *c, struct canvas *cv, const struct layout *L)
{
	int sub = L->sub_h;
	for (int col = 0; col < L->pw; col++) {
		double a = L->xa.lo + (L->xa.hi - L->xa.lo) * col / L->pw;
		double b = L->xa.lo + (L->xa.hi - L->xa.lo) * (col + 1) / L->pw;
		int height[CHART_MAX_SERIES], order[CHART_MAX_SERIES], n = 0;
		for (size_t k = 0; k < c->n_series; k++) {
			double f = chart_axis_frac(&L->ya, bin_mean(c, &c->series[k], L->logy, a, b));
			height[k] = f > 0 ? (int)lround(fmin(f, 1.0) * L->ph * sub) : 0;
			int j = n++;
			for (; j > 0 && height[order[j - 1]] < height[k]; j--)
				order[j] = order[j - 1];
			order[j] = (int)k;
		}
		for (int j = 0; j < n; j++) {
			int k = order[j], hgt = height[k];
			for (int cell = 0; cell * sub < hgt; cell++) {
				int part = hgt - cell * sub >= sub ? 8 : hgt - cell * sub;
				char g[5] = { ascii_bar[k % 10], '\0' };
				if (cv->utf8)
					snprintf(g, sizeof g, "\xe2\x96%c", (char)(0x80 + part));
				put(cv, L->top + L->ph - 1 - cell, L->left + col, g, k + 1);
			}
		}
	}
}

int chart_render(const struct chart *c, struct chart_cell *cells, int w, int h,
		 enum chart_charset cs)
{
	struct canvas cv = { cells, w, h, cs == CHART_UTF8 };
	struct layout L;
	if (w < 1 || h < 1) {
		err_set("a %dx%d canvas is too small for a chart", w, h);
		return -1;
	}
	for (int i = 0; i < w * h; i++)
		cells[i] = (struct chart_cell){ " ", 0 };
	memset(&L, 0, sizeof L);
	if (lay_out(c, &cv, &L) < 0)
		return -1;
	draw_frame(c, &cv, &L);
	/* marker columns go under sparse lines but over solid bars */
	if (c->kind == CHART_HIST) {
		draw_bars(c, &cv, &L);
		draw_marks(c, &cv, &L, 0);
	} else {
		draw_marks(c, &cv, &L, 0);
		if (draw_lines(c, &cv, &L) < 0)
			return -1;
	}
	draw_marks(c, &cv, &L, 1);
	return 0;
}

/* ---- chart_print ---- */

/* SGR of a cell when printing in colour to a terminal. */
static const char *sgr(int series)
{
	static const char *const col[] = { "1", "31", "32", "33", "34", "35", "36" };
	return series < 0 ? "2" : series == 0 ? "0" : col[(series - 1) % 7];
}

int chart_print(const struct chart *c, FILE *out, int w, int h, enum chart_charset cs)
{
	struct chart_cell *cells = malloc((size_t)(w > 0 ? w : 1) * (size_t)(h > 0 ? h : 1) *
					  sizeof *cells);
	if (!cells) {
		err_nomem("chart canvas", sizeof *cells);
		return -1;
	}
	if (chart_render(c, cells, w, h, cs) < 0) {
		free(cells);
		return -1;
	}
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	int colour = isatty(fileno(out)) && !(nc && *nc) && term && strcmp(term, "dumb") != 0;
	/* the whole frame in one buffer, written once */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	for (int r = 0; m && r < h; r++) {
		int end = w, cur = 0;
		while (end > 0 && is_blank(&(struct canvas){ cells, w, h, 0 }, r, end - 1))
			end--;
		for (int i = 0; i < end; i++) {
			const struct chart_cell *cell = &cells[r * w + i];
			if (colour && cell->series != cur)
				fprintf(m, "\033[0;%sm", sgr(cell->series)), cur = cell->series;
			fputs(cell->glyph, m);
		}
		fputs(colour && cur ? "\033[0m\n" : "\n", m);
	}
	free(cells);
	if (!m || fclose(m) != 0) {
		free(buf);
		err_set("cannot compose the chart: out of memory");
		return -1;
	}
	int rc = fwrite(buf, 1, len, out) == len && fflush(out) == 0 ? 0 : -1;
	free(buf);
	if (rc < 0)
		err_set("cannot write the chart");
	return rc;
}
