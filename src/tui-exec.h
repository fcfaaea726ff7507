/* tui-exec.h - the full-screen UI's worker thread: it runs one command
 * line at a time holding the session lock (a job releases it while it
 * steps), so the UI thread never waits for a command. */
#ifndef RNR_TUI_EXEC_H
#define RNR_TUI_EXEC_H

#include <pthread.h>
#include <stdatomic.h>

#include "session.h"

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

#endif
