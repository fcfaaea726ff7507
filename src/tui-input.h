/* tui-input.h - GNU readline's callback interface inside the full-screen
 * UI: the loop hands over the keys it read, readline edits the line, and
 * what the UI must do about a key reaches it through the ops it gave. */
#ifndef RNR_TUI_INPUT_H
#define RNR_TUI_INPUT_H

#include <stddef.h>
#include <stdio.h>

#include "session.h"
#include "tui-view.h"

/* The UI's reactions, called on the UI thread with ctx. */
struct tui_input_ops {
	void *ctx;
	void (*line)(void *ctx, char *line);    /* a line was entered (NULL: Ctrl-D) */
	void (*quit)(void *ctx);                /* "leave rnr?" was answered yes */
	void (*message)(void *ctx, const char *msg);
	void (*scroll_by)(void *ctx, long rows); /* PgUp > 0, PgDn < 0 */
	void (*toggle_log)(void *ctx);          /* F2 */
	void (*redraw)(void *ctx);              /* Ctrl-L */
};

struct tui_input {
	struct tui_view *v;             /* its completion list, the quit question, dirty */
	struct session *s;
	FILE *tty_in, *tty_out;
	struct tui_input_ops ops;
	unsigned char q[512];           /* keys the loop read ahead of readline */
	size_t q_head, q_n;
	int ctrl_c_idle;                /* Ctrl-C pressed at an empty idle prompt */
};

/* Take over readline for in (one at a time: its hooks carry no context). */
int tui_input_init(struct tui_input *in);
void tui_input_finish(struct tui_input *in);
/* Feed one byte to readline (or to the quit question). */
void tui_input_byte(struct tui_input *in, int c);
/* Drop the line being typed (Ctrl-C). */
void tui_input_clear_line(struct tui_input *in);
/* Forget a completion list on show. */
void tui_input_clear_matches(struct tui_input *in);

#endif
