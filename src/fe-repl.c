/* fe-repl.c - the plain readline prompt (see fe-repl.h).  Lines go to
 * session_exec_line() like any script's; history and completion are
 * fe-common.c's. */
#include "fe-repl.h"
#include "fe-common.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Ctrl-C at the prompt: drop the line being typed and show a new prompt,
 * like a shell.  The handler only set the flag; this runs in readline. */
static int repl_signal_event(void)
{
	if (session_interrupted) {
		session_interrupted = 0;
		rl_replace_line("", 0);
		fputs("^C\n", rl_outstream ? rl_outstream : stdout);
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
}

/* readline's own rl_getc retries a read that a signal interrupted, so
 * SIGTERM could not end the prompt; this one gives up (EOF) once
 * session_terminated is set and lets readline restore the terminal. */
static int repl_getc(FILE *in)
{
	for (;;) {
		if (session_terminated)
			return EOF;
		unsigned char c;
		ssize_t r = read(fileno(in), &c, 1);
		if (r == 1)
			return c;
		if (r == 0 || errno != EINTR)
			return EOF;
		repl_signal_event();
	}
}

int repl_run(struct session *s)
{
	fe_readline_setup(s);
	rl_catch_signals = 0; /* our SIGINT handler sets a flag, readline redraws */
	rl_signal_event_hook = repl_signal_event;
	rl_getc_function = repl_getc;
	s->interactive = 1;
	while (!s->quit && !session_terminated) {
		char *line = readline("rnr> ");
		if (!line || session_terminated) {
			fputc('\n', stdout);
			free(line);
			break;
		}
		fe_history_add(line);
		session_exec_line(s, line);
		free(line);
	}
	fe_readline_finish();
	return 0;
}
