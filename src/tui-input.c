/* tui-input.c - GNU readline inside the full-screen UI (see tui-input.h).
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
#include "tui-input.h"
#include "fe-common.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>

/* readline's hooks carry no context */
static struct tui_input *cur;
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
	if (cur && cur->q_n) {
		int c = cur->q[cur->q_head];
		cur->q_head = (cur->q_head + 1) % sizeof cur->q;
		cur->q_n--;
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
	return pending >= 0 || (cur && cur->q_n > 0);
}

static void input_redisplay(void)
{
	if (cur)
		cur->v->dirty = 1;
}

static void no_prep(int meta)
{
	(void)meta;
}

static void no_deprep(void)
{
}

void tui_input_clear_matches(struct tui_input *in)
{
	for (size_t i = 0; i < in->v->n_matches; i++)
		free(in->v->matches[i]);
	free(in->v->matches);
	in->v->matches = NULL;
	in->v->n_matches = 0;
}

/* readline found several completions: list them inside the UI until the
 * next key. */
static void show_matches(char **matches, int n, int max_len)
{
	struct tui_input *in = cur;
	tui_input_clear_matches(in);
	if (n <= 0 || !(in->v->matches = calloc((size_t)n, sizeof *in->v->matches)))
		return;
	for (int i = 0; i < n; i++)
		if ((in->v->matches[in->v->n_matches] = strdup(matches[i + 1])))
			in->v->n_matches++;
	in->v->match_w = max_len;
	in->v->dirty = 1;
}

static void on_line(char *line)
{
	cur->ops.line(cur->ops.ctx, line);
}

static int key_page_up(int count, int key)
{
	(void)count, (void)key;
	cur->ops.scroll_by(cur->ops.ctx, cur->v->lay.sb_h - 1);
	return 0;
}

static int key_page_down(int count, int key)
{
	(void)count, (void)key;
	cur->ops.scroll_by(cur->ops.ctx, -(cur->v->lay.sb_h - 1));
	return 0;
}

static int key_toggle_log(int count, int key)
{
	(void)count, (void)key;
	cur->ops.toggle_log(cur->ops.ctx);
	return 0;
}

static int key_redraw(int count, int key)
{
	(void)count, (void)key;
	cur->ops.redraw(cur->ops.ctx);
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

int tui_input_init(struct tui_input *in)
{
	static const char *const pgup[] = { "\033[5~", NULL };
	static const char *const pgdn[] = { "\033[6~", NULL };
	static const char *const f2[] = { "\033OQ", "\033[12~", "\033l", NULL };
	cur = in;
	rl_null = fopen("/dev/null", "w");
	fe_readline_setup(in->s);
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = no_prep;
	rl_deprep_term_function = no_deprep;
	rl_getc_function = input_getc;
	rl_input_available_hook = input_available;
	rl_redisplay_function = input_redisplay;
	rl_completion_display_matches_hook = show_matches;
	rl_instream = in->tty_in;
	rl_outstream = rl_null ? rl_null : in->tty_out;
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_callback_handler_install("rnr> ", on_line);
	rl_set_screen_size(in->v->lay.rows, in->v->lay.cols);
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

void tui_input_finish(struct tui_input *in)
{
	rl_callback_handler_remove();
	fe_readline_finish();
	tui_input_clear_matches(in);
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

void tui_input_clear_line(struct tui_input *in)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = rl_mark = 0;
	in->v->dirty = 1;
}

void tui_input_byte(struct tui_input *in, int c)
{
	if (in->v->n_matches)
		tui_input_clear_matches(in);
	if (in->v->confirm_quit) {
		in->v->confirm_quit = 0;
		if (c == 'y' || c == 'Y')
			in->ops.quit(in->ops.ctx);
		else
			in->ops.message(in->ops.ctx, "staying");
		in->v->dirty = 1;
		return;
	}
	in->ctrl_c_idle = 0;
	pending = c;
	rl_callback_read_char();
	in->v->dirty = 1;
}
