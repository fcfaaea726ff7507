/* session.h - one rnr session: the workspace, the settings and the one
 * loop that runs command lines, whether they come from the prompt, -c or a
 * command file (nested with `source`). */
#ifndef RNR_SESSION_H
#define RNR_SESSION_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "settings.h"
#include "ws.h"

#define SESSION_MAX_DEPTH 16
/* The longest line rnr runs: commands are short; a longer line is a
 * mistake (a data file given as a command file) and is refused. */
#define SESSION_MAX_LINE 65536

struct job;
struct chart;

/* The progress of the running job (job-run.h runs it), shared between the
 * worker (writes the progress) and the UI thread (writes stop and abort).  Counters are published with relaxed stores:
 * each is a number for display, read on its own. */
struct jobrun_live {
	atomic_int stop;        /* UI: stop the running job at its next step */
	atomic_int abort;       /* UI: stop the rest of the line or script too */
	atomic_int running;     /* worker: a job is stepping */
	atomic_size_t done;     /* worker: steps done of the job (all runs) */
	atomic_size_t total;    /* worker: steps of the whole job */
	atomic_size_t epoch;    /* worker: the epoch being run, 0-based */
};

/* All zero: no job, nothing asked of it. */
void session_live_init(struct jobrun_live *l);

struct session {
	struct ws ws;
	struct settings set;
	FILE *out;              /* command output */
	FILE *err;              /* error messages (session_error); stderr */
	const char *file;       /* command file being run, NULL at the prompt */
	size_t line;            /* its current line */
	int depth;              /* nesting of `source` */
	int failures;           /* commands that failed so far */
	int bailed;             /* a command failed while `bail` was on */
	int quit;               /* set by `quit`: stop reading input */
	int interactive;        /* reading from a person at a terminal */
	struct job *job;        /* the current (running or stopped) job */
	char *ckpt_path;        /* the job writes checkpoints here (malloc'd), */
	size_t ckpt_every;      /* every so many epochs; NULL/0: none */

	/* Set by the full-screen UI only (NULL/0 at the plain prompt and in
	 * scripts, where one thread does everything): */
	pthread_mutex_t *lock;  /* held by the worker thread while it runs a
				 * command line; a job releases it while it steps */
	struct jobrun_live *live; /* progress and stop flag of the running job */
	const char *refuse;     /* commands without CMD_READONLY fail with this */
	/* Show a chart (from `plot`) in the chart pane; the chart's arrays may
	 * be freed after the call, so the front end copies what it keeps.
	 * name is the object drawn.  0, or -1 with err_set(). */
	int (*show_chart)(struct session *s, const char *name, const struct chart *c);
	void *ui;               /* the front end's state, for show_chart */
};

/* Set by SIGINT: stops the running job at its next step boundary. */
extern volatile sig_atomic_t session_interrupted;

/* Set (to the signal number) by SIGTERM or SIGHUP in the plain front ends:
 * the running job stops at its next step boundary, no further command
 * runs, and rnr leaves without saving anything. */
extern volatile sig_atomic_t session_terminated;

void session_init(struct session *s);
void session_free(struct session *s);

/* Free the current job and its checkpoint settings (s->job may be NULL);
 * its objects stay in the workspace, no longer in use. */
void session_end_job(struct session *s);

/* Run one line (one or more commands separated by ';').  0 when every
 * command succeeded, -1 otherwise (each error already printed).  With bail
 * on, stops at the first failure. */
int session_exec_line(struct session *s, const char *line);

/* Run a command file line by line; errors print FILE:LINE.  path "-" reads
 * stdin.  0 on success; 1 when a command failed (already reported; bail
 * stops the file there); -1 with err_set() when the file cannot be read or
 * nesting is too deep. */
int session_exec_file(struct session *s, const char *path);

/* Print an error for command cmd (NULL: none) with the current file:line. */
void session_error(const struct session *s, const char *cmd, const char *msg);

/* Count a failed command; with `bail` on, stop the session. */
void session_fail(struct session *s);

/* Should a script stop now (quit, termination, or bail after a failure)? */
int session_should_stop(const struct session *s);

/* Take and release s->lock (no-ops when it is NULL). */
void session_lock(struct session *s);
void session_unlock(struct session *s);

/* A session for running read-only commands on the UI thread while the
 * worker runs a line of s: it shares s's objects, settings, job and live
 * progress (copied while the caller holds s->lock), writes to out and err,
 * and refuses every command without CMD_READONLY with the message refuse. */
void session_view(struct session *view, const struct session *s, FILE *out, FILE *err,
		  const char *refuse);

#endif
