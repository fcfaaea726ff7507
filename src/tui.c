/* tui.c - the full-screen UI's main loop, layout and terminal (see tui.h;
 * struct tui below says which thread touches what).
 *
 * One loop on the UI thread waits in poll() on the terminal, a self-pipe
 * (written by signal handlers and the worker) and the captured stderr.  It
 * feeds keys to readline, starts command lines on the worker, runs
 * read-only commands itself while the worker is busy, and draws a frame:
 * at once after a key, ten times a second while the worker runs.  Before a
 * frame, tui_update() copies what the panes show from the workspace, but
 * only when it gets the session lock at once; otherwise the last copy
 * stays on screen.  Signal handlers (tui-signal.c) only set flags and
 * write the pipe. */
#include "config.h"

#include "tui.h"
#include "tui-data.h"
#include "tui-exec.h"
#include "tui-input.h"
#include "tui-panes.h"
#include "tui-scrollback.h"
#include "tui-signal.h"
#include "tui-view.h"
#include "err.h"
#include "fe-common.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <readline/readline.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

#define SCROLLBACK_LINES 5000
#define FRAME_SECS 0.1          /* steady redraw while the worker runs */
#define MSG_SECS 4.0

/* The UI's state.  Threads: the UI thread alone touches curses, readline
 * and everything here except where marked.  The worker runs one command
 * line at a time holding the session lock (a job releases it while it
 * steps) and writes output through scrollback streams (their own mutex)
 * and progress through `live` (atomics).  The UI reads the workspace only
 * with the session lock held (tui_update), copying what the panes draw. */
struct tui {
	struct session *s;
	pthread_mutex_t lock;           /* the session lock (s->lock) */
	struct jobrun_live live;        /* s->live */
	struct tui_exec exec;
	struct tui_view view;           /* what the panes draw */
	struct tui_data data;           /* what tui_update copies it from */
	struct tui_input in;            /* readline, fed by read_keys */
	FILE *out, *err;                /* the worker's streams (s->out, s->err) */
	FILE *ui_out, *ui_err;          /* commands run on the UI thread meanwhile */
	FILE *saved_out, *saved_err;
	int wake[2];                    /* self-pipe: signals and the worker wake the loop */
	int err_pipe[2], saved_fd2;     /* fd 2 captured into the scrollback */
	SCREEN *scr;

	char refuse[160];               /* why a command is refused meanwhile */
	char **queue;                   /* lines typed while a command (not a job) runs */
	size_t n_queue;
	int quit;
	int stale;                      /* copy the data again first (tui_update) */
};

static void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tui_request_quit(struct tui *t);

/* for exit() from elsewhere */
static struct tui *active;

/* ---- small helpers ---- */

static int tui_busy(const struct tui *t)
{
	return t->exec.started;
}

static void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->view.msg, sizeof t->view.msg, fmt, ap);
	va_end(ap);
	t->view.msg_until = tui_now() + MSG_SECS;
	t->view.dirty = 1;
}

static void tui_scroll(struct tui *t, long rows)
{
	t->view.scroll += rows;
	if (t->view.scroll < 0)
		t->view.scroll = 0;
	t->view.dirty = 1; /* tui_draw clamps it to the top */
}

static void tui_toggle_log(struct tui *t)
{
	t->data.logy = !t->data.logy;
	t->stale = 1;
	tui_message(t, "y axis %s", t->view.chart_logy ? "linear" : "log");
}

static void tui_redraw_all(struct tui *t)
{
	clearok(curscr, TRUE);
	t->view.dirty = 1;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	return set_nonblock(p[0]) < 0 || set_nonblock(p[1]) < 0 ? -1 : 0;
}

static int lock_enter(void *arg)
{
	return pthread_mutex_trylock(&((struct tui *)arg)->lock);
}

static void lock_leave(void *arg)
{
	pthread_mutex_unlock(&((struct tui *)arg)->lock);
}

/* ---- layout ---- */

static void layout(struct tui_layout *l, int rows, int cols)
{
	memset(l, 0, sizeof *l);
	l->rows = rows;
	l->cols = cols;
	l->too_small = rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS;
	l->status_y = rows - 2;
	l->prompt_y = rows - 1;
	if (l->too_small)
		return;
	int body = rows - 2;
	l->top_h = body * 11 / 20;
	l->ws_w = cols * 2 / 5;
	if (l->ws_w > 60)
		l->ws_w = 60;
	l->chart_x = 0;
	l->chart_y = 1;
	l->chart_w = cols - l->ws_w;
	l->chart_h = l->top_h - 1;
	l->ws_x = l->chart_w;
	l->ws_y = 1;
	l->ws_h = l->top_h - 1;
	l->sb_y = l->top_h + 1;
	l->sb_h = body - l->top_h - 1;
}

static void relayout(struct tui *t)
{
	layout(&t->view.lay, LINES, COLS);
	rl_set_screen_size(LINES, COLS);
	t->stale = 1;
}

/* ---- running lines ---- */

/* A line typed while the worker is busy runs here, on the UI thread, as a
 * view of the session that refuses every command that is not read-only. */
static void run_view(struct tui *t, const char *line)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 300 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	if (pthread_mutex_timedlock(&t->lock, &until) != 0) {
		scrollback_add(t->view.sb, SB_ERR, "the workspace is busy: wait for the running "
			       "command to finish");
		return;
	}
	if (atomic_load_explicit(&t->live.running, memory_order_acquire))
		snprintf(t->refuse, sizeof t->refuse, "a job is running: wait, or `stop` it");
	else
		snprintf(t->refuse, sizeof t->refuse, "`%.100s` is running: wait for it",
			 t->view.busy_line);
	struct session v;
	session_view(&v, t->s, t->ui_out, t->ui_err, t->refuse);
	session_exec_line(&v, line);
	fflush(t->ui_out);
	fflush(t->ui_err);
	pthread_mutex_unlock(&t->lock);
	t->stale = 1;
	if (v.quit)
		tui_request_quit(t);
}

/* A line typed while a command that is not a job runs waits for it, like
 * type-ahead at a terminal. */
static void queue_line(struct tui *t, const char *line)
{
	char **q = realloc(t->queue, (t->n_queue + 1) * sizeof *q);
	if (!q || !(q[t->n_queue] = strdup(line))) {
		if (q)
			t->queue = q;
		scrollback_add(t->view.sb, SB_ERR, "out of memory: the line is dropped");
		return;
	}
	t->queue = q;
	t->n_queue++;
	tui_message(t, "queued: runs when `%.60s` is done", t->view.busy_line);
}

static void drop_queue(struct tui *t)
{
	for (size_t i = 0; i < t->n_queue; i++)
		free(t->queue[i]);
	free(t->queue);
	t->queue = NULL;
	t->n_queue = 0;
}

static void run_line(struct tui *t, const char *line)
{
	if (tui_busy(t)) {
		if (atomic_load_explicit(&t->live.running, memory_order_acquire) || t->view.quitting)
			run_view(t, line);
		else
			queue_line(t, line);
		return;
	}
	atomic_store_explicit(&t->live.abort, 0, memory_order_relaxed);
	if (tui_exec_start(&t->exec, t->s, line, t->wake[1]) < 0) {
		scrollback_add(t->view.sb, SB_ERR, err_msg());
		return;
	}
	snprintf(t->view.busy_line, sizeof t->view.busy_line, "%s", line);
	t->view.busy_since = tui_now();
}

static void tui_on_line(struct tui *t, char *line)
{
	t->view.dirty = 1;
	if (!line) { /* Ctrl-D on an empty line */
		tui_request_quit(t);
		return;
	}
	size_t n = strspn(line, " \t");
	char *echo = NULL;
	if (asprintf(&echo, "rnr> %s", line) >= 0) {
		scrollback_add(t->view.sb, SB_CMD, echo);
		free(echo);
	}
	t->view.scroll = 0;
	if (line[n]) {
		fe_history_add(line);
		run_line(t, line);
	}
	free(line);
}

static void tui_request_quit(struct tui *t)
{
	if (!tui_busy(t)) {
		t->quit = 1;
		return;
	}
	t->view.quitting = 1;
	atomic_store_explicit(&t->live.abort, 1, memory_order_relaxed);
	atomic_store_explicit(&t->live.stop, 1, memory_order_relaxed);
	tui_message(t, "leaving once `%.80s` stops", t->view.busy_line);
}

static void on_ctrl_c(struct tui *t)
{
	if (t->view.confirm_quit) {
		t->view.confirm_quit = 0;
		tui_message(t, "staying");
		return;
	}
	if (tui_busy(t)) {
		if (t->n_queue) {
			tui_message(t, "dropped %zu queued line%s", t->n_queue,
				    t->n_queue == 1 ? "" : "s");
			drop_queue(t);
		} else if (atomic_load_explicit(&t->live.running, memory_order_acquire)) {
			atomic_store_explicit(&t->live.stop, 1, memory_order_relaxed);
			tui_message(t, "stopping the job at its next step");
		} else {
			tui_message(t, "`%.80s` cannot be interrupted: it ends on its own",
				    t->view.busy_line);
		}
		return;
	}
	if (rl_end > 0)
		tui_input_clear_line(&t->in);
	if (!t->in.ctrl_c_idle) {
		t->in.ctrl_c_idle = 1;
		tui_message(t, "Ctrl-C again to leave rnr (it asks first); `quit` leaves at once");
		return;
	}
	t->in.ctrl_c_idle = 0;
	t->view.confirm_quit = 1;
	t->view.msg_until = 0;
	t->view.dirty = 1;
}

static void on_worker_done(struct tui *t)
{
	t->view.busy_line[0] = '\0';
	t->stale = 1;
	if (t->s->quit || t->view.quitting) {
		t->quit = 1;
		return;
	}
	if (t->n_queue) {
		char *line = t->queue[0];
		memmove(t->queue, t->queue + 1, --t->n_queue * sizeof *t->queue);
		run_line(t, line);
		free(line);
	}
}

/* Keys from curses, queued so readline can see a whole escape sequence. */
static int read_keys(struct tui *t)
{
	int c, any = 0;
	while ((c = wgetch(stdscr)) != ERR) {
		if (c == KEY_RESIZE) {
			relayout(t);
			continue;
		}
		if (c > 255)
			continue;
		if (t->in.q_n == sizeof t->in.q) /* full: hand the oldest over now */
			break;
		t->in.q[(t->in.q_head + t->in.q_n) % sizeof t->in.q] = (unsigned char)c;
		t->in.q_n++;
	}
	while (t->in.q_n && !t->quit) {
		c = t->in.q[t->in.q_head];
		t->in.q_head = (t->in.q_head + 1) % sizeof t->in.q;
		t->in.q_n--;
		tui_input_byte(&t->in, c);
		any = 1;
	}
	return any;
}

/* ---- the terminal ---- */

int tui_usable(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return 0;
	const char *term = getenv("TERM");
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return 0;
	int err = 0;
	if (setupterm(term, STDOUT_FILENO, &err) != OK)
		return 0;
	char *cup = tigetstr("cup");
	int ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	return ok;
}

static void close_terminal(struct tui *t)
{
	if (!t->scr)
		return;
	endwin();
	delscreen(t->scr);
	t->scr = NULL;
	if (t->saved_fd2 >= 0) {
		fflush(stderr);
		dup2(t->saved_fd2, STDERR_FILENO);
		close(t->saved_fd2);
		t->saved_fd2 = -1;
	}
	tui_signals_restore();
}

static void at_exit(void)
{
	if (active)
		close_terminal(active);
}

static int open_terminal(struct tui *t)
{
	tui_fatal_save_tty();
	t->in.tty_out = stdout;
	t->in.tty_in = stdin;
	fflush(stdout); /* what ~/.rnrrc printed goes out before the screen */
	if (!(t->scr = newterm(NULL, stdout, stdin))) {
		err_set("cannot start curses on TERM=%s", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, FALSE); /* readline decodes escape sequences itself */
	nodelay(stdscr, TRUE);
	const char *nc = getenv("NO_COLOR");
	int color = has_colors() && !(nc && *nc);
	if (color && start_color() != OK)
		color = 0;
	tui_theme_init(&t->view.th, color);
	static const char *const restore[] = { "sgr0", "cnorm", "rmcup", NULL };
	tui_fatal_restore_caps(restore);
	/* stderr into the scrollback: nothing may scribble over the screen */
	fflush(stderr);
	t->saved_fd2 = dup(STDERR_FILENO);
	if (t->saved_fd2 >= 0)
		dup2(t->err_pipe[1], STDERR_FILENO);
	tui_signals_install(t->wake[1]);
	layout(&t->view.lay, LINES, COLS);
	return 0;
}

static void free_state(struct tui *t)
{
	FILE *f[4] = { t->out, t->err, t->ui_out, t->ui_err };
	for (int i = 0; i < 4; i++)
		if (f[i])
			fclose(f[i]);
	scrollback_free(t->view.sb);
	for (int i = 0; i < 2; i++) {
		if (t->wake[i] >= 0)
			close(t->wake[i]);
		if (t->err_pipe[i] >= 0)
			close(t->err_pipe[i]);
	}
	tui_data_free(&t->data, &t->view);
	drop_queue(t);
	pthread_mutex_destroy(&t->lock);
}

/* What a key does to the UI, for tui-input.c. */
static void op_line(void *t, char *line)
{
	tui_on_line(t, line);
}

static void op_quit(void *t)
{
	tui_request_quit(t);
}

static void op_message(void *t, const char *msg)
{
	tui_message(t, "%s", msg);
}

static void op_scroll(void *t, long rows)
{
	tui_scroll(t, rows);
}

static void op_toggle_log(void *t)
{
	tui_toggle_log(t);
}

static void op_redraw(void *t)
{
	tui_redraw_all(t);
}

static int tui_open(struct tui *t, struct session *s)
{
	memset(t, 0, sizeof *t);
	t->s = s;
	t->wake[0] = t->wake[1] = t->err_pipe[0] = t->err_pipe[1] = t->saved_fd2 = -1;
	pthread_mutex_init(&t->lock, NULL);
	session_live_init(&t->live);
	t->view.live = &t->live;
	t->data.s = s;
	t->data.lock = &t->lock;
	t->data.live = &t->live;
	t->in.v = &t->view;
	t->in.s = s;
	t->in.ops = (struct tui_input_ops){ t, op_line, op_quit, op_message, op_scroll,
					    op_toggle_log, op_redraw };
	setlocale(LC_CTYPE, "");
	t->view.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (make_pipe(t->wake) < 0 || make_pipe(t->err_pipe) < 0 ||
	    !(t->view.sb = scrollback_new(SCROLLBACK_LINES)) ||
	    !(t->out = scrollback_stream(t->view.sb, SB_OUT)) ||
	    !(t->err = scrollback_stream(t->view.sb, SB_ERR)) ||
	    !(t->ui_out = scrollback_stream(t->view.sb, SB_OUT)) ||
	    !(t->ui_err = scrollback_stream(t->view.sb, SB_ERR))) {
		err_set("cannot set up the screen's buffers: %s", strerror(errno));
		free_state(t);
		return -1;
	}
	if (open_terminal(t) < 0) {
		free_state(t);
		return -1;
	}
	active = t;
	static int registered;
	if (!registered && atexit(at_exit) == 0)
		registered = 1;
	t->saved_out = s->out;
	t->saved_err = s->err;
	s->out = t->out;
	s->err = t->err;
	s->lock = &t->lock;
	s->live = &t->live;
	s->show_chart = tui_show_chart;
	s->ui = &t->data;
	s->interactive = 1;
	fe_complete_guard(lock_enter, lock_leave, t);
	scrollback_add(t->view.sb, SB_INFO, "rnr " PACKAGE_VERSION ": `help` lists the commands.  "
		       "Tab completes; F2 log/linear y; PgUp/PgDn scroll; Ctrl-C stops a job; "
		       "Ctrl-D or `quit` leaves.");
	return 0;
}

static void tui_close(struct tui *t)
{
	struct session *s = t->s;
	close_terminal(t);
	tui_input_finish(&t->in);
	active = NULL;
	s->out = t->saved_out;
	s->err = t->saved_err;
	s->lock = NULL;
	s->live = NULL;
	s->show_chart = NULL;
	s->ui = NULL;
	free_state(t);
}

/* SIGTERM or SIGHUP: stop the job, give the worker a moment, restore the
 * terminal.  A worker that does not come back is left to the exit. */
static int on_term(struct tui *t)
{
	int sig = tui_signal_term();
	atomic_store_explicit(&t->live.abort, 1, memory_order_relaxed);
	atomic_store_explicit(&t->live.stop, 1, memory_order_relaxed);
	if (tui_exec_wait(&t->exec, 3.0) < 0) {
		close_terminal(t);
		tui_input_finish(&t->in);
		_exit(128 + sig);
	}
	return sig;
}

int tui_run(struct session *s)
{
	struct tui state, *t = &state;
	if (tui_open(t, s) < 0)
		return -1;
	tui_input_init(&t->in);
	int rc = 0;
	double next_frame = 0.0;
	unsigned long seen_version = 0;
	while (!t->quit) {
		double now = tui_now();
		int timeout = 1000;
		if (tui_busy(t))
			timeout = next_frame > now ? (int)((next_frame - now) * 1000) + 1 : 0;
		else if (t->view.msg_until > now)
			timeout = (int)((t->view.msg_until - now) * 1000) + 10;
		struct pollfd pfd[3] = { { STDIN_FILENO, POLLIN, 0 }, { t->wake[0], POLLIN, 0 },
					 { t->err_pipe[0], POLLIN, 0 } };
		poll(pfd, 3, timeout);
		char drain[64];
		while (read(t->wake[0], drain, sizeof drain) > 0)
			;
		scrollback_feed_fd(t->view.sb, t->err_pipe[0]);
		if (tui_signal_term()) {
			rc = on_term(t);
			break;
		}
		if (tui_signal_take_int()) {
			on_ctrl_c(t);
		}
		int keyed = read_keys(t);
		if (tui_exec_reap(&t->exec))
			on_worker_done(t);
		if (t->quit)
			break;
		if (LINES != t->view.lay.rows || COLS != t->view.lay.cols)
			relayout(t);
		scrollback_lock(t->view.sb);
		unsigned long v = scrollback_version(t->view.sb);
		scrollback_unlock(t->view.sb);
		if (v != seen_version) {
			seen_version = v;
			t->view.dirty = 1;
		}
		now = tui_now();
		if (now >= next_frame || t->stale) {
			/* fresh data at a steady rate; keys alone redraw from the
			 * last copy, so typing never waits for the workspace */
			tui_update(&t->data, &t->view);
			next_frame = now + FRAME_SECS;
			t->stale = 0;
			t->view.dirty = 1;
		}
		if (t->view.dirty || keyed || (t->view.msg[0] && now >= t->view.msg_until)) {
			if (now >= t->view.msg_until)
				t->view.msg[0] = '\0';
			t->view.busy = tui_busy(t);
			tui_draw(&t->view);
			t->view.dirty = 0;
		}
	}
	if (tui_busy(t))
		tui_exec_wait(&t->exec, 1e9);
	tui_close(t);
	return rc;
}
