/* test-chart.c - the chart module (chart.h): small charts rendered as text
 * in UTF-8 and ASCII compared byte for byte with tests/chart/NAME.txt (a
 * line chart of two series with a marker, a log-y chart, a histogram), the
 * edge cases (one point, a constant series, NaN gaps, all-NaN, nothing
 * positive on a log axis, a canvas too small, a full chart), the CSV/TSV
 * table and the SVG figure.
 *
 * After a deliberate change to the drawing, regenerate the expected files
 * with RNR_CHART_UPDATE=1 tests/test-chart and read the diff. */
#include "chart.h"
#include "err.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef RNR_SRCDIR
#define RNR_SRCDIR "."
#endif

/* The text chart_print writes; malloc'd, NULL on failure (message in err). */
static char *print_chart(const struct chart *c, int w, int h, enum chart_charset cs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = chart_print(c, f, w, h, cs);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len + 4096 + 1 > cap && !(buf = realloc(buf, cap = 2 * cap + 8192)))
			break;
		got = fread(buf + len, 1, 4096, f);
		len += got;
	} while (got > 0);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Print want and got line by line as TAP comments, marking the lines that
 * differ with - (expected) and + (got). */
static void show_diff(const char *want, const char *got)
{
	while (*want || *got) {
		size_t a = strcspn(want, "\n"), b = strcspn(got, "\n");
		if (a == b && strncmp(want, got, a) == 0) {
			printf("#   |%.*s\n", (int)a, want);
		} else {
			printf("# - |%.*s\n", (int)a, want);
			printf("# + |%.*s\n", (int)b, got);
		}
		want += a + (want[a] == '\n');
		got += b + (got[b] == '\n');
	}
}

/* Compare the rendering of c with tests/chart/name.txt exactly. */
static void golden(const char *name, const struct chart *c, int w, int h, enum chart_charset cs)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/chart/%s.txt", RNR_SRCDIR, name);
	char *got = print_chart(c, w, h, cs);
	if (!tap_ok(got != NULL, "%s: a %dx%d chart renders%s%s", name, w, h, got ? "" : ": ",
		    got ? "" : err_msg()))
		return;
	const char *update = getenv("RNR_CHART_UPDATE");
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
		printf("# wrote %s\n", path);
	}
	char *want = slurp(path);
	int same = want && strcmp(want, got) == 0;
	tap_ok(same, "%s: the text equals %s", name, want ? path : "(missing file)");
	if (!same)
		show_diff(want ? want : "", got);
	free(want);
	free(got);
}

static double ya[20], yb[20], ylog[16], counts[10], edges[11];

static struct chart line_chart(void)
{
	struct chart c;
	memset(&c, 0, sizeof c);
	c.kind = CHART_LINE;
	c.title = "psi.loss";
	c.xlabel = "epoch";
	c.ylabel = "loss";
	for (int i = 0; i < 20; i++) {
		ya[i] = 1.0 / (1.0 + 0.3 * i);
		yb[i] = 0.8 / (1.0 + 0.1 * i);
	}
	struct chart_series *s = chart_add_series(&c, "total", NULL, ya, 20, 1);
	s->x0 = s->dx = 0.25;
	s = chart_add_series(&c, "simclr", NULL, yb, 20, 1);
	s->x0 = s->dx = 0.25;
	c.mark[c.n_marks++] = (struct chart_mark){ 2.0, "warmup" };
	return c;
}

static struct chart log_chart(void)
{
	struct chart c;
	memset(&c, 0, sizeof c);
	c.kind = CHART_LINE;
	c.title = "singular values";
	c.xlabel = "index i";
	c.logy = 1;
	for (int i = 0; i < 16; i++)
		ylog[i] = pow(10.0, -i / 5.0);
	chart_add_series(&c, "bank.svd", NULL, ylog, 16, 1);
	return c;
}

static struct chart hist_chart(void)
{
	static const double n[10] = { 1, 3, 7, 12, 15, 11, 6, 3, 1, 0 };
	struct chart c;
	memset(&c, 0, sizeof c);
	c.kind = CHART_HIST;
	c.title = "nnhist";
	c.ylabel = "rows";
	for (int i = 0; i <= 10; i++)
		edges[i] = i / 10.0;
	memcpy(counts, n, sizeof n);
	chart_add_series(&c, "psi_te.nnhist", edges, counts, 10, 1);
	c.mark[c.n_marks++] = (struct chart_mark){ 0.45, "median" };
	return c;
}

static void check_golden(void)
{
	struct chart line = line_chart(), logy = log_chart(), hist = hist_chart();
	golden("line-utf8", &line, 44, 14, CHART_UTF8);
	golden("line-ascii", &line, 44, 14, CHART_ASCII);
	golden("logy-utf8", &logy, 36, 12, CHART_UTF8);
	golden("logy-ascii", &logy, 36, 12, CHART_ASCII);
	golden("hist-utf8", &hist, 36, 12, CHART_UTF8);
	golden("hist-ascii", &hist, 36, 12, CHART_ASCII);
}

/* The cells of series 1 in a rendering above its last row (the legend),
 * and the rows they are in. */
static int series_cells(const struct chart *c, int w, int h, int *rows)
{
	struct chart_cell *cells = calloc((size_t)(w * h), sizeof *cells);
	int n = 0, last_row = -1;
	*rows = 0;
	if (chart_render(c, cells, w, h, CHART_UTF8) == 0)
		for (int i = 0; i < w * (h - 1); i++)
			if (cells[i].series == 1) {
				n++;
				*rows += i / w != last_row;
				last_row = i / w;
			}
	free(cells);
	return n;
}

static void check_edges(void)
{
	struct chart c;
	struct chart_cell cells[40 * 12];
	double one = 0.5, flat[8] = { 2, 2, 2, 2, 2, 2, 2, 2 }, nan8[8], gap[8], neg[3] = { -1, 0, -2 };
	int rows;
	for (int i = 0; i < 8; i++)
		nan8[i] = NAN, gap[i] = i == 3 ? NAN : i == 5 ? INFINITY : (double)i;

	memset(&c, 0, sizeof c);
	chart_add_series(&c, "one", NULL, &one, 1, 1);
	int n = series_cells(&c, 40, 12, &rows);
	tap_ok(n == 1, "one point: drawn as one cell (%d)", n);

	memset(&c, 0, sizeof c);
	chart_add_series(&c, "flat", NULL, flat, 8, 1);
	n = series_cells(&c, 40, 12, &rows);
	tap_ok(n > 8 && rows == 1, "a constant series: a level line, %d cells in %d row", n, rows);

	memset(&c, 0, sizeof c);
	chart_add_series(&c, "gaps", NULL, gap, 8, 1);
	n = series_cells(&c, 40, 12, &rows);
	tap_ok(n > 0, "NaN and Inf values are skipped, the rest drawn (%d cells)", n);

	memset(&c, 0, sizeof c);
	chart_add_series(&c, "nan", NULL, nan8, 8, 1);
	err_clear();
	tap_ok(chart_render(&c, cells, 40, 12, CHART_UTF8) < 0 && *err_msg(),
	       "an all-NaN series is an error: %s", err_msg());

	memset(&c, 0, sizeof c);
	c.logy = 1;
	chart_add_series(&c, "neg", NULL, neg, 3, 1);
	err_clear();
	tap_ok(chart_render(&c, cells, 40, 12, CHART_ASCII) < 0 && *err_msg(),
	       "log y with nothing above 0 is an error: %s", err_msg());

	c = line_chart();
	err_clear();
	int small = chart_render(&c, cells, 12, 5, CHART_UTF8);
	int tiny = chart_render(&c, cells, 3, 2, CHART_ASCII);
	tap_ok(small < 0 && tiny < 0 && *err_msg(), "12x5 and 3x2 canvases are refused: %s",
	       err_msg());

	memset(&c, 0, sizeof c);
	int added = 0;
	while (chart_add_series(&c, "s", NULL, flat, 8, 1))
		added++;
	tap_ok(added == CHART_MAX_SERIES && c.n_series == CHART_MAX_SERIES,
	       "chart_add_series stops at %d series (added %d)", CHART_MAX_SERIES, added);
}

/* What a writer puts in a file, as a string. */
static char *write_to_string(const struct chart *c, int svg, char sep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = svg ? chart_write_svg(c, f, 640, 400) : chart_write_table(c, f, sep);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void check_files(void)
{
	struct chart c;
	double x[3] = { 1, 2, 4 }, y1[3] = { 0.5, NAN, 0.25 }, x2[2] = { 2, 3 }, y2[2] = { 7, 8 };
	memset(&c, 0, sizeof c);
	c.xlabel = "epoch";
	chart_add_series(&c, "total", x, y1, 3, 1);
	chart_add_series(&c, "a,\"b\"", x2, y2, 2, 1);
	char *csv = write_to_string(&c, 0, ',');
	const char *want = "epoch,total,\"a,\"\"b\"\"\"\n1,0.5,\n2,nan,7\n3,,8\n4,0.25,\n";
	tap_ok(csv && strcmp(csv, want) == 0, "CSV: a header, a row per x, empty cells, quoting");
	if (csv && strcmp(csv, want) != 0)
		show_diff(want, csv);
	free(csv);
	char *tsv = write_to_string(&c, 0, '\t');
	tap_ok(tsv && strncmp(tsv, "epoch\ttotal\ta,\"b\"\n1\t0.5\t\n", 25) == 0,
	       "TSV: tab-separated, nothing quoted");
	free(tsv);

	struct chart h = hist_chart();
	char *ht = write_to_string(&h, 0, ',');
	tap_ok(ht && strncmp(ht, "bin_start,bin_end,psi_te.nnhist\n0,0.1,1\n0.1,0.2,3\n", 48) == 0 &&
	       count(ht, "\n") == 11, "CSV of a histogram: bin_start, bin_end, 10 rows");
	free(ht);

	struct chart l = line_chart();
	l.title = "a <b> & \"c\"";
	char *svg = write_to_string(&l, 1, 0);
	tap_ok(svg && strncmp(svg, "<?xml", 5) == 0 && strstr(svg, "</svg>\n") &&
	       count(svg, "<polyline") == 2 && strstr(svg, ">total</text>") &&
	       strstr(svg, ">simclr</text>") && strstr(svg, "stroke-dasharray") &&
	       strstr(svg, "a &lt;b&gt; &amp; &quot;c&quot;") && !strstr(svg, "<b>"),
	       "SVG: two polylines, the legend, a dashed marker, the title escaped");
	free(svg);
	/* a NaN breaks a polyline in two */
	memset(&c, 0, sizeof c);
	double g[5] = { 1, 2, NAN, 3, 4 };
	chart_add_series(&c, "g", NULL, g, 5, 1);
	svg = write_to_string(&c, 1, 0);
	tap_ok(svg && count(svg, "<polyline") == 2, "SVG: a NaN splits the line in two polylines");
	free(svg);
	struct chart lg = log_chart();
	svg = write_to_string(&lg, 1, 0);
	tap_ok(svg && strstr(svg, ">0.001</text>") && strstr(svg, ">1</text>"),
	       "SVG: a log axis is ticked by decades");
	free(svg);
}

int main(void)
{
	check_golden();
	check_edges();
	check_files();
	return tap_done();
}
