/* tui-exec.c - the worker thread of the full-screen UI (see tui-exec.h).
 *
 * A command line runs here, exactly as the prompt would run it, while the
 * UI thread keeps drawing and reading keys.  The thread holds the session
 * lock for the whole line except while a job steps (job-run.c releases
 * it), so the UI reads the workspace only between steps or between lines.
 * Signals are blocked here: the UI thread (or any other) takes them. */
#include "tui-exec.h"
#include "err.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *exec_main(void *arg)
{
	struct tui_exec *x = arg;
	session_lock(x->s);
	session_exec_line(x->s, x->line);
	fflush(x->s->out);
	fflush(x->s->err);
	session_unlock(x->s);
	atomic_store_explicit(&x->finished, 1, memory_order_release);
	ssize_t r = write(x->wake_fd, "w", 1);
	(void)r; /* a full pipe already wakes the loop */
	return NULL;
}

int tui_exec_start(struct tui_exec *x, struct session *s, const char *line, int wake_fd)
{
	if (x->started) {
		err_set("a command is already running");
		return -1;
	}
	if (!(x->line = strdup(line))) {
		err_nomem("command line", strlen(line));
		return -1;
	}
	x->s = s;
	x->wake_fd = wake_fd;
	atomic_store_explicit(&x->finished, 0, memory_order_relaxed);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&x->thread, NULL, exec_main, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set("cannot start a thread: %s", strerror(rc));
		free(x->line);
		x->line = NULL;
		return -1;
	}
	x->started = 1;
	return 0;
}

static void joined(struct tui_exec *x)
{
	pthread_join(x->thread, NULL);
	x->started = 0;
	free(x->line);
	x->line = NULL;
}

int tui_exec_reap(struct tui_exec *x)
{
	if (!x->started || !atomic_load_explicit(&x->finished, memory_order_acquire))
		return 0;
	joined(x);
	return 1;
}

int tui_exec_wait(struct tui_exec *x, double secs)
{
	if (!x->started)
		return 0;
	struct timespec step = { 0, 10 * 1000 * 1000 };
	for (double waited = 0.0; waited < secs; waited += 0.01) {
		if (tui_exec_reap(x))
			return 0;
		nanosleep(&step, NULL);
	}
	return -1;
}
