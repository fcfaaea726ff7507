/* test-tui.c - the full-screen UI's pieces that need no terminal: a chart
 * rendered by chart.c and painted into a curses window (every cell's glyph
 * and colour read back, clipping at the window's edge, the monochrome
 * theme), text measured and cut by display columns, and the scrollback
 * streams that capture command output from several threads (whole lines
 * only, nothing lost, the oldest lines dropped past the limit).  curses
 * runs on a terminal description with /dev/null as its terminal. */
#include "chart.h"
#include "err.h"
#include "tap.h"
#include "tui-panes.h"
#include "tui-scrollback.h"

#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wchar.h>

static double ys[2][60];

static struct chart two_lines(void)
{
	struct chart c;
	memset(&c, 0, sizeof c);
	c.kind = CHART_LINE;
	c.title = "loss";
	for (int i = 0; i < 60; i++) {
		ys[0][i] = 1.0 / (1.0 + i);
		ys[1][i] = 0.5 / (1.0 + 0.5 * i);
	}
	chart_add_series(&c, "total", NULL, ys[0], 60, 1);
	chart_add_series(&c, "simclr", NULL, ys[1], 60, 1);
	c.mark[c.n_marks++] = (struct chart_mark){ 25.0, "warmup" };
	return c;
}

/* The wide character a cell's glyph shows (' ' for an empty glyph). */
static wchar_t glyph_wc(const char *g)
{
	wchar_t wc = L' ';
	mbstate_t st;
	memset(&st, 0, sizeof st);
	if (g[0] && mbrtowc(&wc, g, strlen(g), &st) > (size_t)-3)
		return L'?';
	return g[0] ? wc : L' ';
}

static attr_t want_attr(const struct tui_theme *th, int series)
{
	if (series > 0)
		return th->series[series];
	return series < 0 ? th->marker : th->series[0];
}

/* Paint at (1, 2) in a pad one cell larger all round; compare every cell
 * and the untouched border.  Returns the cells that differ. */
static size_t paint_and_compare(const struct chart_cell *cells, int w, int h,
				const struct tui_theme *th, size_t *series_cells)
{
	WINDOW *pad = newpad(h + 2, w + 4);
	size_t bad = 0;
	*series_cells = 0;
	tui_paint_chart(pad, 1, 2, cells, w, h, th);
	for (int y = 0; y < h + 2; y++) {
		for (int x = 0; x < w + 4; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			mvwin_wch(pad, y, x, &cc);
			getcchar(&cc, wch, &a, &pair, NULL);
			int inside = y >= 1 && y <= h && x >= 2 && x < w + 2;
			if (!inside) {
				bad += wch[0] != L' ' || pair != 0;
				continue;
			}
			const struct chart_cell *cell = &cells[(y - 1) * w + (x - 2)];
			attr_t want = want_attr(th, cell->series);
			*series_cells += cell->series > 0;
			bad += wch[0] != glyph_wc(cell->glyph) ||
			       (a & ~A_COLOR) != (want & ~A_COLOR) || pair != PAIR_NUMBER(want);
		}
	}
	delwin(pad);
	return bad;
}

static int utf8;

static void check_chart(void)
{
	struct chart c = two_lines();
	int w = 50, h = 14;
	struct chart_cell *cells = calloc((size_t)(w * h), sizeof *cells);
	struct tui_theme th;
	size_t series_cells;
	for (int cs = 0; cs < 1 + utf8; cs++) {
		const char *name = cs ? "UTF-8" : "ASCII";
		if (!tap_ok(chart_render(&c, cells, w, h, cs ? CHART_UTF8 : CHART_ASCII) == 0,
			    "%s: chart_render a 2-series chart into %dx%d", name, w, h))
			continue;
		tui_theme_init(&th, 1);
		size_t bad = paint_and_compare(cells, w, h, &th, &series_cells);
		tap_ok(bad == 0 && series_cells > 0,
		       "%s, colour: every cell's glyph and series colour in the window, the "
		       "border untouched (%zu series cells, %zu differ)", name, series_cells, bad);
		tui_theme_init(&th, 0);
		bad = paint_and_compare(cells, w, h, &th, &series_cells);
		tap_ok(bad == 0 && th.series[1] == A_BOLD && th.series[2] == A_NORMAL &&
		       th.marker == A_DIM, "%s, monochrome: attributes only, total bold "
		       "(%zu differ)", name, bad);
	}
	/* a window smaller than the canvas: painted up to its edge, no further */
	WINDOW *small = newwin(6, 20, 0, 0);
	tui_theme_init(&th, 1);
	tui_paint_chart(small, 1, 1, cells, w, h, &th);
	size_t bad = 0;
	for (int y = 1; y < 6; y++)
		for (int x = 1; x < 20; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			mvwin_wch(small, y, x, &cc);
			getcchar(&cc, wch, &a, &pair, NULL);
			bad += wch[0] != glyph_wc(cells[(y - 1) * w + (x - 1)].glyph);
		}
	tap_ok(bad == 0, "clipped at a 20x6 window's edge: %zu cells differ", bad);
	delwin(small);
	/* too small a canvas is an error, not a crash */
	tap_ok(chart_render(&c, cells, 3, 2, CHART_ASCII) < 0,
	       "a 3x2 canvas is refused: %s", err_msg());
	free(cells);
}

static void check_text(void)
{
	if (!utf8) {
		printf("# no UTF-8 locale: the width checks are skipped\n");
		return;
	}
	tap_ok(tui_text_width("rnr> abc") == 8 && tui_text_width("a\u2500b") == 3 &&
	       tui_text_width("\u65e5\u672c") == 4,
	       "display width: ASCII 8, box drawing 3, wide CJK 4");
	WINDOW *win = newwin(1, 30, 0, 0);
	int used = tui_put_text(win, 0, 0, "\u65e5\u672c\u8a9e", 5);
	char buf[64] = "";
	mvwinnstr(win, 0, 0, buf, 63);
	tap_ok(used == 4, "three wide characters cut to 5 columns use 4 (got %d)", used);
	wclear(win);
	used = tui_put_text(win, 0, 0, "ab\xff" "cd", 10);
	mvwinnstr(win, 0, 0, buf, 5);
	tap_ok(used == 5 && strncmp(buf, "ab?cd", 5) == 0,
	       "a byte that is not UTF-8 shows as '?' (\"%.5s\")", buf);
	delwin(win);
}

/* ---- scrollback streams ---- */

#define WRITERS 4
#define LINES_EACH 2000

struct wr {
	struct scrollback *sb;
	int id;
};

static void *writer_main(void *arg)
{
	struct wr *w = arg;
	FILE *f = scrollback_stream(w->sb, SB_OUT);
	for (int i = 0; i < LINES_EACH; i++) {
		/* a line in three pieces, flushed in between */
		fprintf(f, "w%d ", w->id);
		fflush(f);
		fprintf(f, "line %d", i);
		fflush(f);
		fprintf(f, " end\n");
	}
	fclose(f);
	return NULL;
}

static void check_scrollback(void)
{
	struct scrollback *sb = scrollback_new(100000);
	FILE *a = scrollback_stream(sb, SB_OUT), *e = scrollback_stream(sb, SB_ERR);
	fputs("first half ", a);
	fflush(a);
	fputs("oops\n", e);
	fputs("second half\n\tx\n", a);
	fputs("no newline", a);
	fclose(a);
	fclose(e);
	scrollback_lock(sb);
	enum sb_style st0, st1;
	const char *l0 = scrollback_line(sb, 0, &st0), *l1 = scrollback_line(sb, 1, &st1);
	tap_ok(scrollback_count(sb) == 4 && strcmp(l0, "oops") == 0 && st0 == SB_ERR &&
	       strcmp(l1, "first half second half") == 0 && st1 == SB_OUT &&
	       strcmp(scrollback_line(sb, 2, NULL), "        x") == 0 &&
	       strcmp(scrollback_line(sb, 3, NULL), "no newline") == 0,
	       "two streams interleave whole lines; tabs expand; fclose ends a partial line");
	scrollback_unlock(sb);
	scrollback_free(sb);

	sb = scrollback_new(100000);
	pthread_t th[WRITERS];
	struct wr w[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct wr){ sb, i };
		pthread_create(&th[i], NULL, writer_main, &w[i]);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	int next[WRITERS] = { 0 };
	size_t bad = 0;
	scrollback_lock(sb);
	for (size_t i = 0; i < scrollback_count(sb); i++) {
		int id, k, len = 0;
		const char *l = scrollback_line(sb, i, NULL);
		if (sscanf(l, "w%d line %d end%n", &id, &k, &len) != 2 || l[len] || id < 0 ||
		    id >= WRITERS || k != next[id]++)
			bad++;
	}
	size_t n = scrollback_count(sb);
	scrollback_unlock(sb);
	tap_ok(n == WRITERS * LINES_EACH && bad == 0,
	       "%d threads x %d lines: %zu lines, %zu torn or out of order", WRITERS,
	       LINES_EACH, n, bad);
	scrollback_free(sb);

	sb = scrollback_new(10);
	for (int i = 0; i < 25; i++) {
		char line[16];
		snprintf(line, sizeof line, "l%d", i);
		scrollback_add(sb, SB_INFO, line);
	}
	scrollback_lock(sb);
	tap_ok(scrollback_count(sb) == 10 && strcmp(scrollback_line(sb, 0, NULL), "l15") == 0 &&
	       strcmp(scrollback_line(sb, 9, NULL), "l24") == 0 && scrollback_version(sb) == 25,
	       "past its limit the oldest lines go first");
	scrollback_unlock(sb);
	scrollback_free(sb);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = out && in ? newterm("xterm-256color", out, in) : NULL;
	if (!scr)
		scr = newterm("xterm", out, in);
	if (!tap_ok(scr != NULL, "curses on a terminal description (xterm)"))
		return tap_done();
	start_color();
	check_chart();
	check_text();
	endwin();
	delscreen(scr);
	check_scrollback();
	fclose(out);
	fclose(in);
	return tap_done();
}
