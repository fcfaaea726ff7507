/* tui-view.h - what the full-screen UI draws, as plain data: the panes
 * (tui-panes.c) read only this, tui-data.c fills its copy of the
 * workspace under the session lock, tui-input.c its completion list, and
 * tui.c the rest.  Nothing here points into the workspace, so drawing
 * never needs the session lock.  UI thread only, except `live` (atomics)
 * and `sb` (its own lock). */
#ifndef RNR_TUI_VIEW_H
#define RNR_TUI_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <time.h>

#include "chart.h"
#include "session.h"
#include "tui-scrollback.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

struct tui_theme {
	int color;                      /* colours in use (not NO_COLOR, terminal has them) */
	attr_t series[CHART_MAX_SERIES + 1]; /* [0] frame and text, [k] series k */
	attr_t marker, rule, title, error, command, info, status, status_busy, hint, popup;
};

struct tui_layout {
	int rows, cols, too_small;
	int top_h;                      /* rule + chart and workspace panes */
	int chart_x, chart_y, chart_w, chart_h;
	int ws_x, ws_y, ws_w, ws_h;
	int sb_y, sb_h;                 /* scrollback rows */
	int status_y, prompt_y;
};

struct ws_row {
	char text[160];
	int busy;                       /* used by the job */
};

struct tui_view {
	/* the terminal (tui.c) */
	int utf8;                       /* UTF-8 line drawing and braille charts */
	struct tui_theme th;
	struct tui_layout lay;
	struct scrollback *sb;
	unsigned long sb_seen;          /* scrollback version last drawn */
	long scroll;                    /* scrollback rows above the bottom */
	const struct jobrun_live *live; /* the job's progress (atomics) */

	/* the workspace and the job, copied by tui_update (tui-data.c) */
	struct ws_row *ws_rows;
	size_t n_ws_rows, cap_ws_rows;
	size_t n_objects;
	int have_job;                   /* a job exists (running or stopped) */
	char job_desc[96];              /* "train psi" */
	size_t job_epochs, job_warmup, job_spe;
	double rate;                    /* steps/s, 0 when unknown */
	struct chart_cell *cells;       /* rendered chart, chart_w x chart_h */
	int cells_w, cells_h, chart_ok;
	int chart_logy;                 /* the y axis drawn is log */
	char chart_title[128];
	char chart_msg[256];            /* why there is no chart */

	/* the completion list on show (tui-input.c) */
	char **matches;
	size_t n_matches;
	int match_w;

	/* the status line (tui.c) */
	int busy;                       /* the worker runs a line */
	char busy_line[200];            /* the line it runs */
	double busy_since;
	char msg[200];
	double msg_until;
	int confirm_quit;               /* the prompt asks "leave rnr? (y/n)" */
	int quitting;                   /* leave once the worker is done */
	int dirty;                      /* redraw now */
};

/* The UI's clock: seconds, monotonic. */
static inline double tui_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
