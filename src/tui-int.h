/* tui-int.h - the full-screen UI's state, shared by its files:
 *   tui.c            the main loop, layout, terminal and signals
 *   tui-data.c       copying what the panes show from the session
 *   tui-input.c      GNU readline's callback interface fed by the loop
 *   tui-panes.c      drawing the panes from the state (never the objects)
 *   tui-scrollback.c the output buffer and the streams that fill it
 *   tui-exec.c       the worker thread that runs command lines
 *
 * Threads: the UI thread alone touches curses, readline and everything in
 * struct tui except where marked.  The worker runs one command line at a
 * time holding the session lock (a job releases it while it steps) and
 * writes output through scrollback streams (their own mutex) and progress
 * through struct jobrun_live (atomics).  The UI reads the workspace only
 * with the session lock held (tui_update), copying what the panes draw. */
#ifndef RNR_TUI_INT_H
#define RNR_TUI_INT_H

#include <curses.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "chart.h"
#include "job-run.h"
#include "session.h"
#include "ws.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

/* ---- the scrollback (tui-scrollback.c): thread-safe ---- */

enum sb_style { SB_OUT, SB_ERR, SB_CMD, SB_INFO };

struct scrollback;

/* At most max_lines lines are kept (the oldest go first).  NULL on OOM. */
struct scrollback *scrollback_new(size_t max_lines);
void scrollback_free(struct scrollback *sb);

/* Append text (may hold several lines; a last partial line is completed). */
void scrollback_add(struct scrollback *sb, enum sb_style style, const char *text);

/* A line-buffered stream appending to sb in style; a partial last line is
 * kept until its newline (or fclose).  NULL on failure. */
FILE *scrollback_stream(struct scrollback *sb, enum sb_style style);

/* Bytes read from a file descriptor (captured stderr) appended as by a
 * stream of style SB_ERR; a partial line waits for the next call. */
void scrollback_feed_fd(struct scrollback *sb, int fd);

/* Reading: lock, then lines 0 (oldest) .. count-1, then unlock. */
void scrollback_lock(struct scrollback *sb);
void scrollback_unlock(struct scrollback *sb);
size_t scrollback_count(const struct scrollback *sb);
const char *scrollback_line(const struct scrollback *sb, size_t i, enum sb_style *style);
/* Changes whenever a line is added (read it under the lock). */
unsigned long scrollback_version(const struct scrollback *sb);

/* ---- the worker (tui-exec.c) ---- */

struct tui_exec {
	pthread_t thread;
	int started;            /* UI: a thread runs or awaits its join */
	atomic_int finished;    /* worker: the line is done */
	char *line;
	struct session *s;
	int wake_fd;            /* written once when the line is done */
};

/* Run line with session_exec_line(s) on a new thread that holds s->lock
 * meanwhile; signals are blocked in it.  -1 with err_set(). */
int tui_exec_start(struct tui_exec *x, struct session *s, const char *line, int wake_fd);
/* Join the thread if its line is done; 1 when it was joined now. */
int tui_exec_reap(struct tui_exec *x);
/* Join the thread, waiting at most secs seconds; -1 on a timeout. */
int tui_exec_wait(struct tui_exec *x, double secs);

/* ---- drawing (tui-panes.c) ---- */

struct tui_theme {
	int color;                      /* colours in use (not NO_COLOR, terminal has them) */
	attr_t series[CHART_MAX_SERIES + 1]; /* [0] frame and text, [k] series k */
	attr_t marker, rule, title, error, command, info, status, status_busy, hint, popup;
};

/* Attributes for a colour or a monochrome terminal (after start_color()
 * when color is set). */
void tui_theme_init(struct tui_theme *th, int color);

/* Paint a rendered chart (cells[h * w], chart.h) into win at (y, x), each
 * cell with its series' attribute.  Cells outside win are clipped. */
void tui_paint_chart(WINDOW *win, int y, int x, const struct chart_cell *cells, int w, int h,
		     const struct tui_theme *th);

/* Put text at (y, x) in at most cols display columns (UTF-8 aware; bytes
 * that are not valid text show as '?').  Returns the columns used. */
int tui_put_text(WINDOW *win, int y, int x, const char *text, int cols);

/* Display columns of text (as tui_put_text counts them). */
int tui_text_width(const char *text);

struct tui;
/* Compose the whole screen from t's state and flush it once. */
void tui_draw(struct tui *t);

/* ---- input (tui-input.c) ---- */

int tui_input_init(struct tui *t);
void tui_input_finish(struct tui *t);
/* Feed one byte to readline (or to the quit question). */
void tui_input_byte(struct tui *t, int c);
/* Drop the line being typed (Ctrl-C). */
void tui_input_clear_line(struct tui *t);
/* Forget a completion list on show. */
void tui_input_clear_matches(struct tui *t);

/* ---- the UI's state ---- */

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

struct tui {
	struct session *s;
	pthread_mutex_t lock;           /* the session lock (s->lock) */
	struct jobrun_live live;        /* s->live */
	struct tui_exec exec;
	struct scrollback *sb;
	FILE *out, *err;                /* the worker's streams (s->out, s->err) */
	FILE *ui_out, *ui_err;          /* commands run on the UI thread meanwhile */
	FILE *saved_out, *saved_err;
	int wake[2];                    /* self-pipe: signals and the worker wake the loop */
	int err_pipe[2], saved_fd2;     /* fd 2 captured into the scrollback */

	/* terminal */
	SCREEN *scr;
	FILE *tty_out, *tty_in;
	int utf8;                       /* UTF-8 line drawing and braille charts */
	struct tui_theme th;
	struct tui_layout lay;

	/* what the panes draw: refreshed by tui_update() under the lock */
	struct ws_row *ws_rows;
	size_t n_ws_rows, cap_ws_rows;
	size_t n_objects;
	int have_job;                   /* a job exists (running or stopped) */
	char job_desc[96];              /* "train psi" */
	size_t job_epochs, job_warmup, job_spe;
	struct chart_cell *cells;       /* rendered chart, chart_w x chart_h */
	int cells_w, cells_h, chart_ok;
	int chart_logy;                 /* the y axis drawn is log */
	char chart_title[128];
	char chart_msg[256];            /* why there is no chart */

	/* where the chart comes from: written under the session lock */
	char target[WS_NAME_MAX];       /* an object drawn live (a loss history) */
	struct chart *plot;             /* or a copy of what `plot` showed */
	char plot_name[WS_NAME_MAX];    /* the object it shows */
	const void *last_job;           /* job whose loss history was taken */
	char last_job_loss[WS_NAME_MAX];
	int logy;                       /* F2: the y axis log (toggle) */

	/* job speed, from samples of the step count */
	double rate_t[32];
	size_t rate_done[32], n_rate, rate_next;
	double rate;                    /* steps/s, 0 when unknown */

	/* input */
	unsigned char inq[512];
	size_t inq_head, inq_n;
	int confirm_quit;               /* the prompt asks "leave rnr? (y/n)" */
	int ctrl_c_idle;                /* Ctrl-C pressed at an empty idle prompt */
	char **matches;                 /* completion list on show */
	size_t n_matches;
	int match_w;
	long scroll;                    /* scrollback rows above the bottom */

	/* status */
	char msg[200];
	double msg_until;
	char busy_line[200];            /* the line the worker runs */
	double busy_since;
	char refuse[160];               /* why a command is refused meanwhile */
	char **queue;                   /* lines typed while a command (not a job) runs */
	size_t n_queue;
	unsigned long sb_seen;          /* scrollback version last drawn */

	int quitting;                   /* leave once the worker is done */
	int quit;
	int dirty;                      /* redraw now */
	int stale;                      /* copy the data again first (tui_update) */
};

/* ---- data (tui-data.c) ---- */

/* Copy what the panes show from the session, if its lock is free now. */
void tui_update(struct tui *t);
/* session->show_chart: `plot` puts its chart in the chart pane. */
int tui_show_chart(struct session *s, const char *name, const struct chart *c);

/* The UI thread's reactions, in tui.c. */
void tui_on_line(struct tui *t, char *line);
void tui_request_quit(struct tui *t);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_scroll(struct tui *t, long rows);
void tui_toggle_log(struct tui *t);
void tui_redraw_all(struct tui *t);
int tui_busy(const struct tui *t);
double tui_now(void);

#endif
