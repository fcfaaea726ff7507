/* tui-panes.c - drawing the full-screen UI (see tui-panes.h).
 *
 * Drawing reads the view (tui-view.h) only: the rendered chart cells, the
 * rows of the workspace pane and the job's numbers that tui_update()
 * copied under the session lock, the scrollback (its own lock) and the
 * job's atomic progress.  It never touches a workspace object.  A frame is composed on
 * stdscr and flushed once.
 *
 *   row 0         ─ loss psi.loss ───────────┬─ workspace ──────
 *   1..top_h-1    chart                       │ job, objects
 *   top_h         ─ output ──────────────────┴──────────────────
 *   ..rows-3      scrollback (completion lists over its bottom)
 *   rows-2        status line
 *   rows-1        prompt (readline's line) */
#include "tui-panes.h"

#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Colour pairs: 1..6 the series palette, then the others. */
enum { PAIR_SERIES = 1, N_PALETTE = 6, PAIR_MARK = 7, PAIR_ERR, PAIR_CMD, PAIR_INFO, PAIR_RULE,
       PAIR_BUSY };

void tui_theme_init(struct tui_theme *th, int color)
{
	memset(th, 0, sizeof *th);
	th->color = color;
	if (color) {
		static const short palette[N_PALETTE] = { -1, COLOR_CYAN, COLOR_GREEN,
			COLOR_MAGENTA, COLOR_YELLOW, COLOR_BLUE };
		short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
		short fg = bg == -1 ? -1 : COLOR_WHITE;
		for (int i = 0; i < N_PALETTE; i++)
			init_pair((short)(PAIR_SERIES + i), palette[i] == -1 ? fg : palette[i], bg);
		init_pair(PAIR_MARK, COLOR_YELLOW, bg);
		init_pair(PAIR_ERR, COLOR_RED, bg);
		init_pair(PAIR_CMD, COLOR_CYAN, bg);
		init_pair(PAIR_INFO, COLOR_GREEN, bg);
		init_pair(PAIR_RULE, COLOR_BLUE, bg);
		init_pair(PAIR_BUSY, COLOR_BLACK, COLOR_YELLOW);
		th->series[0] = A_NORMAL;
		for (int k = 1; k <= CHART_MAX_SERIES; k++)
			th->series[k] = COLOR_PAIR(PAIR_SERIES + (k - 1) % N_PALETTE);
		th->series[1] |= A_BOLD;
		th->marker = COLOR_PAIR(PAIR_MARK);
		th->rule = COLOR_PAIR(PAIR_RULE);
		th->title = COLOR_PAIR(PAIR_RULE) | A_BOLD;
		th->error = COLOR_PAIR(PAIR_ERR) | A_BOLD;
		th->command = COLOR_PAIR(PAIR_CMD) | A_BOLD;
		th->info = COLOR_PAIR(PAIR_INFO);
		th->status = A_REVERSE;
		th->status_busy = COLOR_PAIR(PAIR_BUSY);
		th->hint = A_DIM;
		th->popup = A_REVERSE;
		return;
	}
	/* monochrome: the total loss bold, markers dim, errors bold */
	for (int k = 0; k <= CHART_MAX_SERIES; k++)
		th->series[k] = A_NORMAL;
	th->series[1] = A_BOLD;
	th->marker = A_DIM;
	th->rule = A_NORMAL;
	th->title = A_BOLD;
	th->error = A_BOLD;
	th->command = A_BOLD;
	th->info = A_NORMAL;
	th->status = A_REVERSE;
	th->status_busy = A_REVERSE | A_BOLD;
	th->hint = A_REVERSE;
	th->popup = A_REVERSE;
}

/* The next character of s: its byte length and display width (an invalid
 * or unprintable byte is one byte shown as '?', width 1: *bad set). */
static size_t next_char(const char *s, int *width, int *bad)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	*bad = 0;
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		*width = 1;
		*bad = 1;
		return 1;
	}
	int w = wcwidth(wc);
	if (w < 0) {
		*width = 1;
		*bad = 1;
		return len;
	}
	*width = w;
	return len;
}

int tui_text_width(const char *text)
{
	int cols = 0, w, bad;
	for (const char *p = text; *p;) {
		p += next_char(p, &w, &bad);
		cols += w;
	}
	return cols;
}

int tui_put_text(WINDOW *win, int y, int x, const char *text, int cols)
{
	int used = 0, w, bad;
	if (cols <= 0 || wmove(win, y, x) == ERR)
		return 0;
	for (const char *p = text; *p;) {
		size_t len = next_char(p, &w, &bad);
		if (used + w > cols)
			break;
		if (bad)
			waddch(win, '?');
		else
			waddnstr(win, p, (int)len);
		used += w;
		p += len;
	}
	return used;
}

/* Bytes of text that fit in cols columns (at least one character). */
static size_t fit_bytes(const char *text, int cols)
{
	int used = 0, w, bad;
	const char *p = text;
	while (*p) {
		size_t len = next_char(p, &w, &bad);
		if (used + w > cols && p != text)
			break;
		used += w;
		p += len;
	}
	return (size_t)(p - text);
}

void tui_paint_chart(WINDOW *win, int y, int x, const struct chart_cell *cells, int w, int h,
		     const struct tui_theme *th)
{
	int maxy = getmaxy(win), maxx = getmaxx(win);
	for (int r = 0; r < h && y + r < maxy; r++) {
		for (int c = 0; c < w && x + c < maxx; c++) {
			const struct chart_cell *cell = &cells[(size_t)r * (size_t)w + (size_t)c];
			attr_t a = th->series[0];
			if (cell->series > 0)
				a = th->series[cell->series <= CHART_MAX_SERIES ? cell->series
										: CHART_MAX_SERIES];
			else if (cell->series < 0)
				a = th->marker;
			wattrset(win, a);
			/* ERR at the window's last cell is normal (the cursor
			 * cannot advance); the glyph is there */
			mvwaddstr(win, y + r, x + c, cell->glyph[0] ? cell->glyph : " ");
		}
	}
	wattrset(win, A_NORMAL);
}

static const char *glyph(const struct tui_view *v, int which)
{
	static const char *const utf8[] = { "\u2500", "\u2502", "\u252c", "\u2534" };
	static const char *const ascii[] = { "-", "|", "+", "+" };
	return v->utf8 ? utf8[which] : ascii[which];
}

enum { G_H, G_V, G_TDOWN, G_TUP };

static void hline_at(const struct tui_view *v, int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		mvaddstr(y, x + i, glyph(v, G_H));
}

/* " title " on a rule at (y, x), at most cols wide. */
static void rule_title(const struct tui_view *v, int y, int x, const char *title, int cols)
{
	if (cols < 4)
		return;
	attrset(v->th.title);
	mvaddch(y, x, ' ');
	int w = tui_put_text(stdscr, y, x + 1, title, cols - 2);
	mvaddch(y, x + 1 + w, ' ');
	attrset(A_NORMAL);
}

static void draw_rules(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	attrset(v->th.rule);
	hline_at(v, 0, 0, l->cols);
	hline_at(v, l->top_h, 0, l->cols);
	for (int y = 1; y < l->top_h; y++)
		mvaddstr(y, l->chart_w, glyph(v, G_V));
	mvaddstr(0, l->chart_w, glyph(v, G_TDOWN));
	mvaddstr(l->top_h, l->chart_w, glyph(v, G_TUP));
	attrset(A_NORMAL);
	char title[200];
	snprintf(title, sizeof title, "%s%s", v->chart_title[0] ? v->chart_title : "chart",
		 v->chart_ok && v->chart_logy ? " (log y)" : "");
	rule_title(v, 0, 1, title, l->chart_w - 2);
	snprintf(title, sizeof title, "workspace: %zu object%s", v->n_objects,
		 v->n_objects == 1 ? "" : "s");
	rule_title(v, 0, l->ws_x + 1, title, l->ws_w - 2);
	rule_title(v, l->top_h, 1, "output", l->chart_w - 2);
	if (v->scroll > 0) {
		snprintf(title, sizeof title, "scrolled back %ld rows: PgDn", v->scroll);
		rule_title(v, l->top_h, l->ws_x + 1, title, l->ws_w - 2);
	}
}

static void draw_chart(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	if (v->chart_ok && v->cells_w == l->chart_w && v->cells_h == l->chart_h) {
		tui_paint_chart(stdscr, l->chart_y, l->chart_x, v->cells, v->cells_w, v->cells_h,
				&v->th);
		return;
	}
	const char *msg = v->chart_msg[0] ? v->chart_msg :
		"no chart yet: `train` draws its loss live; `plot NAME` draws an object";
	/* the message, wrapped, in the middle of the pane */
	int y = l->chart_y + l->chart_h / 2 - 1, w = l->chart_w - 4;
	attrset(v->th.hint);
	for (const char *p = msg; *p && y < l->chart_y + l->chart_h; y++) {
		size_t n = fit_bytes(p, w);
		if (p[n] && n < strlen(p)) {
			/* break at the last blank that fits */
			size_t b = n;
			while (b > 0 && p[b] != ' ')
				b--;
			if (b > 0)
				n = b;
		}
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		tui_put_text(stdscr, y, l->chart_x + 2, line, w);
		p += n;
		while (*p == ' ')
			p++;
	}
	attrset(A_NORMAL);
}

static void format_secs(double s, char *buf, size_t cap)
{
	if (!(s >= 0) || s > 359999)
		snprintf(buf, cap, "?");
	else if (s >= 3600)
		snprintf(buf, cap, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
	else
		snprintf(buf, cap, "%d:%02d", (int)s / 60, (int)s % 60);
}

static void draw_workspace(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	int x = l->ws_x + 1, w = l->ws_w - 1, y = l->ws_y, end = l->ws_y + l->ws_h;
	char line[200];
	if (v->have_job) {
		int running = atomic_load_explicit(&v->live->running, memory_order_acquire);
		size_t done = atomic_load_explicit(&v->live->done, memory_order_relaxed);
		size_t total = atomic_load_explicit(&v->live->total, memory_order_relaxed);
		size_t epoch = atomic_load_explicit(&v->live->epoch, memory_order_relaxed);
		if (epoch >= v->job_epochs && v->job_epochs)
			epoch = v->job_epochs - 1;
		attrset(running ? v->th.info | A_BOLD : v->th.hint);
		snprintf(line, sizeof line, "job %s: %s", v->job_desc, running ? "running" : "stopped");
		tui_put_text(stdscr, y++, x, line, w);
		attrset(A_NORMAL);
		snprintf(line, sizeof line, " epoch %zu/%zu%s", epoch + 1, v->job_epochs,
			 epoch < v->job_warmup ? " (warmup)" : "");
		tui_put_text(stdscr, y++, x, line, w);
		snprintf(line, sizeof line, " step %zu/%zu  %.0f%%", done, total,
			 total ? 100.0 * (double)done / (double)total : 0.0);
		tui_put_text(stdscr, y++, x, line, w);
		if (running && v->rate > 0) {
			char eta[32];
			format_secs((double)(total - done) / v->rate, eta, sizeof eta);
			snprintf(line, sizeof line, " %.1f step/s  ETA %s", v->rate, eta);
		} else {
			snprintf(line, sizeof line, running ? " measuring speed" :
				 " `continue` or `cancel`");
		}
		tui_put_text(stdscr, y++, x, line, w);
		y++;
	}
	if (v->n_ws_rows == 0 && y < end) {
		attrset(v->th.hint);
		tui_put_text(stdscr, y, x, "(no objects: `load FILE`)", w);
		attrset(A_NORMAL);
	}
	for (size_t i = 0; i < v->n_ws_rows && y < end; i++, y++) {
		if (y == end - 1 && i + 1 < v->n_ws_rows) {
			snprintf(line, sizeof line, "... %zu more (`list`)", v->n_ws_rows - i);
			attrset(v->th.hint);
			tui_put_text(stdscr, y, x, line, w);
			attrset(A_NORMAL);
			break;
		}
		attrset(i == 0 ? A_BOLD : v->ws_rows[i].busy ? v->th.info : A_NORMAL);
		tui_put_text(stdscr, y, x, v->ws_rows[i].text, w);
	}
	attrset(A_NORMAL);
}

static attr_t style_attr(const struct tui_view *v, enum sb_style st)
{
	switch (st) {
	case SB_ERR: return v->th.error;
	case SB_CMD: return v->th.command;
	case SB_INFO: return v->th.info;
	default: return A_NORMAL;
	}
}

/* The bytes of a scrollback row of text at width w: a line too long is
 * broken after its last blank that fits (past half the width), else at
 * the width. */
static size_t wrap_bytes(const char *text, int w)
{
	size_t n = fit_bytes(text, w);
	if (!text[n])
		return n;
	for (size_t b = n; b > n / 2; b--)
		if (text[b - 1] == ' ')
			return b;
	return n;
}

/* Display rows a line takes at width w. */
static long line_rows(const char *text, int w)
{
	long rows = 0;
	const char *p = text;
	do {
		p += wrap_bytes(p, w);
		rows++;
	} while (*p);
	return rows;
}

static void draw_scrollback(struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	int w = l->cols, bottom = l->sb_y + l->sb_h - 1;
	scrollback_lock(v->sb);
	size_t n = scrollback_count(v->sb);
	unsigned long version = scrollback_version(v->sb);
	if (v->scroll > 0 && version != v->sb_seen) {
		/* keep the rows on show in place while lines arrive below */
		unsigned long added = version - v->sb_seen;
		for (size_t i = added < n ? n - added : 0; i < n; i++)
			v->scroll += line_rows(scrollback_line(v->sb, i, NULL), w);
	}
	v->sb_seen = version;
	if (v->scroll > 0) {
		/* clamp to the top of the buffer */
		long total = 0;
		for (size_t i = 0; i < n; i++)
			total += line_rows(scrollback_line(v->sb, i, NULL), w);
		long max = total > l->sb_h ? total - l->sb_h : 0;
		if (v->scroll > max)
			v->scroll = max;
	}
	long skip = v->scroll;
	int y = bottom;
	for (size_t i = n; i-- > 0 && y >= l->sb_y;) {
		enum sb_style st;
		const char *text = scrollback_line(v->sb, i, &st);
		/* the line's display rows, split at width w, drawn last first */
		size_t off[256];
		int k = 0;
		const char *p = text;
		do {
			off[k++] = (size_t)(p - text);
			p += wrap_bytes(p, w);
		} while (*p && k < 256);
		attrset(style_attr(v, st));
		for (int r = k - 1; r >= 0 && y >= l->sb_y; r--) {
			if (skip > 0) {
				skip--;
				continue;
			}
			size_t len = (r + 1 < k ? off[r + 1] : strlen(text)) - off[r];
			char buf[1024];
			snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1),
				 text + off[r]);
			tui_put_text(stdscr, y--, 0, buf, w);
		}
	}
	attrset(A_NORMAL);
	scrollback_unlock(v->sb);
}

/* A completion list over the bottom of the scrollback. */
static void draw_matches(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	if (!v->n_matches)
		return;
	int colw = v->match_w + 2;
	int per_row = l->cols / colw;
	if (per_row < 1)
		per_row = 1;
	int rows = (int)((v->n_matches + (size_t)per_row - 1) / (size_t)per_row);
	int max_rows = l->sb_h - 1;
	int shown_rows = rows > max_rows ? max_rows : rows;
	int y0 = l->sb_y + l->sb_h - shown_rows - 1;
	attrset(v->th.popup);
	char head[96];
	snprintf(head, sizeof head, " %zu completions%s ", v->n_matches,
		 rows > shown_rows ? " (type more to narrow)" : "");
	mvhline(y0, 0, ' ', l->cols);
	tui_put_text(stdscr, y0, 0, head, l->cols);
	attrset(A_NORMAL);
	for (int r = 0; r < shown_rows; r++) {
		move(y0 + 1 + r, 0);
		clrtoeol();
		for (int c = 0; c < per_row; c++) {
			size_t i = (size_t)r * (size_t)per_row + (size_t)c;
			if (i >= v->n_matches)
				break;
			tui_put_text(stdscr, y0 + 1 + r, c * colw, v->matches[i], colw - 1);
		}
	}
}

static void draw_status(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	int busy = v->busy;
	char left[256], right[96];
	double now = tui_now();
	if (v->msg[0] && now < v->msg_until)
		snprintf(left, sizeof left, " %s", v->msg);
	else if (v->quitting)
		snprintf(left, sizeof left, " leaving: waiting for `%s` to stop", v->busy_line);
	else if (busy) {
		char el[32];
		format_secs(now - v->busy_since, el, sizeof el);
		snprintf(left, sizeof left, " running %s: %s", el, v->busy_line);
	} else
		snprintf(left, sizeof left, " ready");
	snprintf(right, sizeof right, " F2 lin/log  PgUp/PgDn  ^C %s  ^D quit ",
		 busy ? "stop" : "clear");
	attrset(busy ? v->th.status_busy : v->th.status);
	mvhline(l->status_y, 0, ' ', l->cols);
	int rw = tui_text_width(right);
	int lw = l->cols - rw - 1;
	if (lw < 20) {
		lw = l->cols;
		rw = 0;
	}
	tui_put_text(stdscr, l->status_y, 0, left, lw);
	if (rw)
		tui_put_text(stdscr, l->status_y, l->cols - rw, right, rw);
	attrset(A_NORMAL);
}

/* The prompt and readline's line, scrolled sideways to keep the cursor on
 * screen; leaves the cursor there. */
static void draw_prompt(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	int y = l->prompt_y;
	move(y, 0);
	clrtoeol();
	if (v->confirm_quit) {
		attrset(A_BOLD);
		int w = tui_put_text(stdscr, y, 0, "Leave rnr? (y/n) ", l->cols);
		attrset(A_NORMAL);
		move(y, w);
		return;
	}
	const char *prompt = rl_display_prompt ? rl_display_prompt : rl_prompt ? rl_prompt : "";
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	int pw = tui_put_text(stdscr, y, 0, prompt, l->cols - 8);
	int avail = l->cols - pw - 1;
	/* the cursor's column within the line */
	size_t point = rl_point > 0 ? (size_t)rl_point : 0;
	if (point > strlen(line))
		point = strlen(line);
	char *head = strndup(line, point);
	int cur = head ? tui_text_width(head) : 0;
	free(head);
	const char *start = line;
	int skipped = 0, w, bad;
	if (cur > avail - 1) {
		/* drop characters from the left until the cursor fits after a '<' */
		while (*start && cur - skipped > avail - 2) {
			start += next_char(start, &w, &bad);
			skipped += w;
		}
		attrset(v->th.hint);
		mvaddch(y, pw, '<');
		attrset(A_NORMAL);
		pw++;
		avail--;
	}
	tui_put_text(stdscr, y, pw, start, avail);
	move(y, pw + cur - skipped);
}

static void draw_too_small(const struct tui_view *v)
{
	const struct tui_layout *l = &v->lay;
	char a[96], b[96];
	snprintf(a, sizeof a, "rnr needs at least %dx%d", TUI_MIN_COLS, TUI_MIN_ROWS);
	snprintf(b, sizeof b, "this terminal is %dx%d: enlarge it", l->cols, l->rows);
	int y = l->rows / 2 - 1;
	attrset(A_BOLD);
	tui_put_text(stdscr, y > 0 ? y : 0, 0, a, l->cols);
	attrset(A_NORMAL);
	tui_put_text(stdscr, y + 1 > 0 ? y + 1 : 0, 0, b, l->cols);
}

void tui_draw(struct tui_view *v)
{
	erase();
	if (v->lay.too_small) {
		draw_too_small(v);
		if (v->lay.rows >= 3)
			draw_prompt(v);
		refresh();
		return;
	}
	draw_rules(v);
	draw_chart(v);
	draw_workspace(v);
	draw_scrollback(v);
	draw_matches(v);
	draw_status(v);
	draw_prompt(v); /* last: it leaves the cursor at readline's point */
	refresh();
}
