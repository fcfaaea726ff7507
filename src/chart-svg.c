/* chart-svg.c - charts as files (see chart.h): a standalone SVG figure,
 * and the series as a CSV or TSV table.
 *
 * The figure: title on top, the plot area framed with a light grid at the
 * ticks, tick labels and axis labels outside it, the legend to its right.
 * Lines are one polyline per unbroken run of a series (a non-finite value
 * breaks it), histograms one rect per bin, markers dashed verticals with
 * their label.  Colours are a fixed palette (series 1 drawn thickest and
 * last, on top, as in the text charts). */
#include "chart-int.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[CHART_MAX_SERIES] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
	"#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
};

/* Text as XML character data or attribute value: markup characters
 * escaped, control characters and bytes that are not UTF-8 as '?'. */
static void xml_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t len = *p < 0x80 ? 1 : *p < 0xc2 ? 0 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 :
			*p < 0xf5 ? 4 : 0, k = 1;
		while (k < len && (p[k] & 0xc0) == 0x80)
			k++;
		if (len == 0 || k != len || (*p < 0x20 && *p != '\t')) {
			fputc('?', f);
			p += len == 0 ? 1 : k;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fwrite(p, 1, len, f);
		}
		p += len;
	}
}

/* A text element; anchor start|middle|end, extra attributes or "". */
static void svg_text(FILE *f, double x, double y, const char *anchor, const char *extra,
		     const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
	xml_text(f, text);
	fputs("</text>\n", f);
}

/* The plot area in pixels and its axes. */
struct frame {
	double x0, x1, y0, y1; /* left, right, top, bottom */
	struct chart_axis xa, ya;
};

static double px(const struct frame *fr, double x)
{
	return fr->x0 + chart_axis_frac(&fr->xa, x) * (fr->x1 - fr->x0);
}

static double py(const struct frame *fr, double y)
{
	double f = chart_axis_frac(&fr->ya, y);
	return fr->y1 - fmin(fmax(f, -0.01), 1.01) * (fr->y1 - fr->y0);
}

static const char *series_name(const struct chart *c, size_t k, char *buf, size_t cap)
{
	if (c->series[k].label)
		return c->series[k].label;
	snprintf(buf, cap, "series %zu", k + 1);
	return buf;
}

/* Grid, frame, ticks and their labels, axis labels, title. */
static void svg_axes(const struct chart *c, FILE *f, const struct frame *fr, int width,
		     int height)
{
	double t[2 * CHART_MAX_TICKS];
	char lab[32];
	size_t n = chart_axis_ticks(&fr->xa, t, CHART_MAX_TICKS);
	fputs("<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", px(fr, t[i]),
			fr->y0, px(fr, t[i]), fr->y1);
	size_t m = chart_axis_ticks(&fr->ya, t + n, CHART_MAX_TICKS);
	for (size_t i = n; i < n + m; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", fr->x0,
			py(fr, t[i]), fr->x1, py(fr, t[i]));
	fputs("</g>\n<g stroke=\"#333\" stroke-width=\"1\">\n", f);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\"/>\n",
		fr->x0, fr->y0, fr->x1 - fr->x0, fr->y1 - fr->y0);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", px(fr, t[i]),
			fr->y1, px(fr, t[i]), fr->y1 + 5);
	for (size_t i = n; i < n + m; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", fr->x0 - 5,
			py(fr, t[i]), fr->x0, py(fr, t[i]));
	fputs("</g>\n<g fill=\"#222\">\n", f);
	for (size_t i = 0; i < n; i++) {
		chart_axis_label(&fr->xa, t[i], lab, sizeof lab);
		svg_text(f, px(fr, t[i]), fr->y1 + 19, "middle", "", lab);
	}
	for (size_t i = n; i < n + m; i++) {
		chart_axis_label(&fr->ya, t[i], lab, sizeof lab);
		svg_text(f, fr->x0 - 8, py(fr, t[i]) + 4, "end", "", lab);
	}
	if (c->xlabel)
		svg_text(f, (fr->x0 + fr->x1) / 2, height - 10, "middle", "", c->xlabel);
	if (c->ylabel) {
		char rot[96];
		snprintf(rot, sizeof rot, " transform=\"rotate(-90 16 %.1f)\"", (fr->y0 + fr->y1) / 2);
		svg_text(f, 16, (fr->y0 + fr->y1) / 2, "middle", rot, c->ylabel);
	}
	if (c->title)
		svg_text(f, width / 2.0, 22, "middle", " font-size=\"15\" font-weight=\"bold\"",
			 c->title);
	fputs("</g>\n", f);
}

/* Series k as polylines (lines) or rects (bins). */
static void svg_series(const struct chart *c, FILE *f, const struct frame *fr, size_t k)
{
	const struct chart_series *s = &c->series[k];
	char buf[32];
	fprintf(f, "<g class=\"series\" data-label=\"");
	xml_text(f, series_name(c, k, buf, sizeof buf));
	if (c->kind == CHART_HIST) {
		fprintf(f, "\" fill=\"%s\" fill-opacity=\"%s\">\n", palette[k],
			c->n_series > 1 ? "0.5" : "0.8");
		for (size_t i = 0; i < s->n; i++) {
			if (!chart_point_ok(c, s, i, c->logy))
				continue;
			double xa = px(fr, chart_x(s, i)), xb = px(fr, chart_x(s, i + 1));
			double top = py(fr, chart_y(s, i));
			fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n",
				fmin(xa, xb), top, fabs(xb - xa), fmax(fr->y1 - top, 0.0));
		}
		fputs("</g>\n", f);
		return;
	}
	fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
		"stroke-linejoin=\"round\">\n", palette[k], k == 0 ? "2" : "1.25");
	int open = 0;
	for (size_t i = 0; i <= s->n; i++) {
		int ok = i < s->n && chart_point_ok(c, s, i, c->logy);
		if (!ok && open)
			fputs("\"/>\n", f);
		if (ok)
			fprintf(f, "%s%.2f,%.2f", open ? " " : "<polyline points=\"",
				px(fr, chart_x(s, i)), py(fr, chart_y(s, i)));
		open = ok;
	}
	fputs("</g>\n", f);
}

static void svg_marks(const struct chart *c, FILE *f, const struct frame *fr)
{
	for (size_t k = 0; k < c->n_marks; k++) {
		double f0 = chart_axis_frac(&fr->xa, c->mark[k].x);
		if (!(f0 >= 0.0 && f0 <= 1.0))
			continue;
		double x = px(fr, c->mark[k].x);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
			"stroke-dasharray=\"5 4\"/>\n", x, fr->y0, x, fr->y1);
		/* the label right of its line, or left of it near the right edge */
		int left = c->mark[k].label && x + 8 + 6.5 * (double)strlen(c->mark[k].label) > fr->x1;
		if (c->mark[k].label)
			svg_text(f, left ? x - 4 : x + 4, fr->y0 + 14 + 14 * (double)k,
				 left ? "end" : "start", " font-size=\"11\" fill=\"#555\"",
				 c->mark[k].label);
	}
}

static void svg_legend(const struct chart *c, FILE *f, double x, double y)
{
	char buf[96];
	for (size_t k = 0; k < c->n_series + c->n_marks; k++, y += 18) {
		if (k >= c->n_series) {
			const struct chart_mark *m = &c->mark[k - c->n_series];
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#555\" stroke-dasharray=\"5 4\"/>\n", x + 10, y - 8, x + 10,
				y + 4);
			snprintf(buf, sizeof buf, "%s %.4g", m->label ? m->label : "mark", m->x);
			svg_text(f, x + 28, y, "start", "", buf);
			continue;
		}
		if (c->kind == CHART_HIST)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"10\" "
				"fill=\"%s\"/>\n", x, y - 9, palette[k]);
		else
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"%s\" stroke-width=\"2\"/>\n", x, y - 4, x + 20, y - 4,
				palette[k]);
		svg_text(f, x + 28, y, "start", "", series_name(c, k, buf, sizeof buf));
	}
}

int chart_write_svg(const struct chart *c, FILE *out, int width, int height)
{
	double x0, x1, y0, y1;
	if (chart_bounds(c, c->logy, &x0, &x1, &y0, &y1) < 0)
		return -1;
	size_t longest = 0;
	char buf[96];
	for (size_t k = 0; k < c->n_series + c->n_marks; k++) {
		size_t len = k < c->n_series ? strlen(series_name(c, k, buf, sizeof buf)) :
			(c->mark[k - c->n_series].label ? strlen(c->mark[k - c->n_series].label) : 4) + 6;
		longest = len > longest ? len : longest;
	}
	double legend_w = fmin(40.0 + 7.0 * (double)longest, width / 3.0);
	struct frame fr;
	memset(&fr, 0, sizeof fr);
	fr.x0 = 72;
	fr.x1 = width - 16 - legend_w;
	fr.y0 = c->title ? 40 : 16;
	fr.y1 = height - 48;
	if (fr.x1 - fr.x0 < 100 || fr.y1 - fr.y0 < 60) {
		err_set("a %dx%d figure is too small", width, height);
		return -1;
	}
	chart_axis_fit(&fr.xa, x0, x1, 0, (int)((fr.x1 - fr.x0) / 90) + 1, 0);
	chart_axis_fit(&fr.ya, y0, y1, c->logy, (int)((fr.y1 - fr.y0) / 45) + 1, 1);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		"font-size=\"12\">\n", width, height, width, height);
	if (c->title) {
		fputs("<title>", out);
		xml_text(out, c->title);
		fputs("</title>\n", out);
	}
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n"
		"<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\"/></clipPath></defs>\n", width, height, fr.x0, fr.y0,
		fr.x1 - fr.x0, fr.y1 - fr.y0);
	svg_axes(c, out, &fr, width, height);
	fputs("<g clip-path=\"url(#plot)\">\n", out);
	for (size_t k = c->n_series; k-- > 0;)
		svg_series(c, out, &fr, k);
	fputs("</g>\n", out);
	svg_marks(c, out, &fr);
	fputs("<g fill=\"#222\">\n", out);
	svg_legend(c, out, fr.x1 + 14, fr.y0 + 12);
	fputs("</g>\n</svg>\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		err_set("cannot write the SVG: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- CSV / TSV ---- */

struct cell_ref {
	double x;
	size_t k, i; /* series, index */
};

static int cmp_ref(const void *pa, const void *pb)
{
	const struct cell_ref *a = pa, *b = pb;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* A field: CSV quotes it when needed; TSV turns tabs and newlines to spaces. */
void chart_table_field(FILE *f, const char *s, char sep)
{
	if (sep != ',') {
		for (; *s; s++)
			fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
		return;
	}
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void table_row(const struct chart *c, FILE *f, char sep, const struct cell_ref *row,
		      size_t n, double x_end)
{
	fprintf(f, "%.10g", row[0].x);
	if (c->kind == CHART_HIST)
		fprintf(f, "%c%.10g", sep, x_end);
	for (size_t k = 0, j = 0; k < c->n_series; k++) {
		fputc(sep, f);
		if (j < n && row[j].k == k)
			fprintf(f, "%.10g", chart_y(&c->series[k], row[j++].i));
	}
	fputc('\n', f);
}

int chart_write_table(const struct chart *c, FILE *out, char sep)
{
	size_t total = 0, n = 0;
	int hist = c->kind == CHART_HIST;
	for (size_t k = 0; k < c->n_series; k++)
		total += c->series[k].n;
	struct cell_ref *ref = malloc((total ? total : 1) * sizeof *ref);
	if (!ref) {
		err_nomem("chart table", total * sizeof *ref);
		return -1;
	}
	for (size_t k = 0; k < c->n_series; k++)
		for (size_t i = 0; i < c->series[k].n; i++) {
			double x = chart_x(&c->series[k], i);
			if (isfinite(x) && (!hist || isfinite(chart_x(&c->series[k], i + 1))))
				ref[n++] = (struct cell_ref){ x, k, i };
		}
	qsort(ref, n, sizeof *ref, cmp_ref);
	char buf[32];
	chart_table_field(out, hist ? "bin_start" : c->xlabel ? c->xlabel : "x", sep);
	if (hist)
		fprintf(out, "%cbin_end", sep);
	for (size_t k = 0; k < c->n_series; k++) {
		fputc(sep, out);
		chart_table_field(out, series_name(c, k, buf, sizeof buf), sep);
	}
	fputc('\n', out);
	/* a row per distinct x; a series met twice at one x starts a new row */
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && ref[b].x == ref[a].x && ref[b].k > ref[b - 1].k; b++)
			;
		table_row(c, out, sep, ref + a, b - a,
			  hist ? chart_x(&c->series[ref[a].k], ref[a].i + 1) : 0.0);
	}
	free(ref);
	if (fflush(out) != 0 || ferror(out)) {
		err_set("cannot write the table: %s", strerror(errno));
		return -1;
	}
	return 0;
}
