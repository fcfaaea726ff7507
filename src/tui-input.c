/* tui-input.c - GNU readline inside the full-screen UI (see tui-int.h).
 *
 * readline's callback interface: the UI loop reads keys from curses and
 * hands them over one byte at a time (rl_getc_function returns the byte,
 * rl_input_available_hook says whether more are queued, so escape
 * sequences such as PgUp arrive whole).  curses owns the terminal, so
 * readline must not: no signal handlers, no SIGWINCH, no terminal
 * preparation, no LINES/COLUMNS in the environment.  readline edits the
 * line; tui-panes.c draws it (rl_redisplay_function only asks for a frame)
 * and shows completion lists inside the UI.  Keys for the UI itself (PgUp,
 * PgDn, F2, Ctrl-L) are readline bindings, so they work mid-line. */
#include "tui-int.h"
#include "fe-common.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>

/* readline's hooks carry no context */
static struct tui *cur;
static int pending = -1;   /* the byte rl_getc hands over */
static FILE *rl_null;      /* readline's own output, which curses replaces */

static int input_getc(FILE *f)
{
	(void)f;
	if (pending >= 0) {
		int c = pending;
		pending = -1;
		return c;
	}
	/* readline wants more within one call (rare): take a queued byte */
	if (cur && cur->inq_n) {
		int c = cur->inq[cur->inq_head];
		cur->inq_head = (cur->inq_head + 1) % sizeof cur->inq;
		cur->inq_n--;
		return c;
	}
	/* nothing queued: wait a little for the rest of a sequence */
	wtimeout(stdscr, 50);
	int c = wgetch(stdscr);
	nodelay(stdscr, TRUE);
	if (c >= 0 && c < 256)
		return c;
	return 7; /* Ctrl-G: readline's abort of a half-typed sequence */
}

static int input_available(void)
{
	return pending >= 0 || (cur && cur->inq_n > 0);
}

static void input_redisplay(void)
{
	if (cur)
		cur->dirty = 1;
}

static void no_prep(int meta)
{
	(void)meta;
}

static void no_deprep(void)
{
}

void tui_input_clear_matches(struct tui *t)
{
	for (size_t i = 0; i < t->n_matches; i++)
		free(t->matches[i]);
	free(t->matches);
	t->matches = NULL;
	t->n_matches = 0;
}

/* readline found several completions: list them inside the UI until the
 * next key. */
static void show_matches(char **matches, int n, int max_len)
{
	struct tui *t = cur;
	tui_input_clear_matches(t);
	if (n <= 0 || !(t->matches = calloc((size_t)n, sizeof *t->matches)))
		return;
	for (int i = 0; i < n; i++)
		if ((t->matches[t->n_matches] = strdup(matches[i + 1])))
			t->n_matches++;
	t->match_w = max_len;
	t->dirty = 1;
}

static void on_line(char *line)
{
	tui_on_line(cur, line);
}

static int key_page_up(int count, int key)
{
	(void)count, (void)key;
	tui_scroll(cur, cur->lay.sb_h - 1);
	return 0;
}

static int key_page_down(int count, int key)
{
	(void)count, (void)key;
	tui_scroll(cur, -(cur->lay.sb_h - 1));
	return 0;
}

static int key_toggle_log(int count, int key)
{
	(void)count, (void)key;
	tui_toggle_log(cur);
	return 0;
}

static int key_redraw(int count, int key)
{
	(void)count, (void)key;
	tui_redraw_all(cur);
	return 0;
}

/* Bind a terminfo key (its capability name) and the usual xterm sequences. */
static void bind_key(const char *cap, const char *const *seqs, rl_command_func_t *fn)
{
	char *s = tigetstr(cap);
	if (s && s != (char *)-1)
		rl_bind_keyseq(s, fn);
	for (; *seqs; seqs++)
		rl_bind_keyseq(*seqs, fn);
}

int tui_input_init(struct tui *t)
{
	static const char *const pgup[] = { "\033[5~", NULL };
	static const char *const pgdn[] = { "\033[6~", NULL };
	static const char *const f2[] = { "\033OQ", "\033[12~", "\033l", NULL };
	cur = t;
	rl_null = fopen("/dev/null", "w");
	fe_readline_setup(t->s);
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = no_prep;
	rl_deprep_term_function = no_deprep;
	rl_getc_function = input_getc;
	rl_input_available_hook = input_available;
	rl_redisplay_function = input_redisplay;
	rl_completion_display_matches_hook = show_matches;
	rl_instream = t->tty_in;
	rl_outstream = rl_null ? rl_null : t->tty_out;
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_callback_handler_install("rnr> ", on_line);
	rl_set_screen_size(t->lay.rows, t->lay.cols);
	rl_add_defun("rnr-page-up", key_page_up, -1);
	rl_add_defun("rnr-page-down", key_page_down, -1);
	rl_add_defun("rnr-toggle-log", key_toggle_log, -1);
	rl_add_defun("rnr-redraw", key_redraw, -1);
	bind_key("kpp", pgup, key_page_up);
	bind_key("knp", pgdn, key_page_down);
	bind_key("kf2", f2, key_toggle_log);
	rl_bind_key('\f', key_redraw);
	return 0;
}

void tui_input_finish(struct tui *t)
{
	rl_callback_handler_remove();
	fe_readline_finish();
	tui_input_clear_matches(t);
	if (rl_null)
		fclose(rl_null);
	rl_null = NULL;
	rl_outstream = NULL;
	rl_instream = NULL;
	rl_getc_function = rl_getc;
	rl_input_available_hook = NULL;
	rl_redisplay_function = rl_redisplay;
	rl_completion_display_matches_hook = NULL;
	cur = NULL;
}

void tui_input_clear_line(struct tui *t)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = rl_mark = 0;
	t->dirty = 1;
}

void tui_input_byte(struct tui *t, int c)
{
	if (t->n_matches)
		tui_input_clear_matches(t);
	if (t->confirm_quit) {
		t->confirm_quit = 0;
		if (c == 'y' || c == 'Y')
			tui_request_quit(t);
		else
			tui_message(t, "staying");
		t->dirty = 1;
		return;
	}
	t->ctrl_c_idle = 0;
	pending = c;
	rl_callback_read_char();
	t->dirty = 1;
}
