/* session.h - one rnr session: the workspace, the settings and the one
 * loop that runs command lines, whether they come from the prompt, -c or a
 * command file (nested with `source`). */
#ifndef RNR_SESSION_H
#define RNR_SESSION_H

#include <signal.h>
#include <stdio.h>

#include "settings.h"
#include "ws.h"

#define SESSION_MAX_DEPTH 16

struct job;

struct session {
	struct ws ws;
	struct settings set;
	FILE *out;              /* command output */
	const char *file;       /* command file being run, NULL at the prompt */
	size_t line;            /* its current line */
	int depth;              /* nesting of `source` */
	int failures;           /* commands that failed so far */
	int quit;               /* set by `quit`: stop reading input */
	int interactive;        /* reading from a person at a terminal */
	struct job *job;        /* the current (running or stopped) job */
};

/* Set by SIGINT: stops the running job at its next step boundary. */
extern volatile sig_atomic_t session_interrupted;

void session_init(struct session *s);
void session_free(struct session *s);

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

/* Should a script stop now (quit, or bail after a failure)? */
int session_should_stop(const struct session *s);

#endif
