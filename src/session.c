/* session.c - the command loop shared by the prompt and command files. */
#include "session.h"
#include "args.h"
#include "cmd-parse.h"
#include "cmd-table.h"
#include "err.h"
#include "job.h"
#include "par-mpi.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t session_interrupted;
volatile sig_atomic_t session_terminated;

void session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	ws_init(&s->ws);
	if (settings_defaults(&s->set) < 0)
		fprintf(stderr, "rnr: warning: %s\n", err_msg());
	settings_apply(&s->set);
	s->out = stdout;
	s->err = stderr;
}

void session_free(struct session *s)
{
	session_end_job(s);
	ws_free(&s->ws);
}

void session_end_job(struct session *s)
{
	job_free(s->job);
	s->job = NULL;
	free(s->ckpt_path);
	s->ckpt_path = NULL;
	s->ckpt_every = 0;
}

void session_error(const struct session *s, const char *cmd, const char *msg)
{
	fflush(s->out);
	if (s->file)
		fprintf(s->err, "%s:%zu: ", s->file, s->line);
	else if (!s->interactive)
		fputs("rnr: ", s->err);
	if (cmd)
		fprintf(s->err, "%s: ", cmd);
	fprintf(s->err, "%s\n", msg);
	fflush(s->err);
}

void session_fail(struct session *s)
{
	s->failures++;
	/* bail looks only at failures from when it was on: a script may
	 * tolerate early errors and then turn it on for what must not fail */
	if (s->set.bail)
		s->bailed = 1;
}

void session_live_init(struct jobrun_live *l)
{
	atomic_init(&l->stop, 0);
	atomic_init(&l->abort, 0);
	atomic_init(&l->running, 0);
	atomic_init(&l->done, 0);
	atomic_init(&l->total, 0);
	atomic_init(&l->epoch, 0);
}

int session_should_stop(const struct session *s)
{
	return s->quit || session_terminated || s->bailed ||
	       (s->live && atomic_load_explicit(&s->live->abort, memory_order_relaxed));
}

void session_lock(struct session *s)
{
	if (s->lock)
		pthread_mutex_lock(s->lock);
}

void session_unlock(struct session *s)
{
	if (s->lock)
		pthread_mutex_unlock(s->lock);
}

void session_view(struct session *view, const struct session *s, FILE *out, FILE *err,
		  const char *refuse)
{
	memset(view, 0, sizeof *view);
	view->ws = s->ws;
	view->set = s->set;
	view->out = out;
	view->err = err;
	view->interactive = 1;
	view->job = s->job;
	view->live = s->live;
	view->refuse = refuse;
	view->show_chart = s->show_chart;
	view->ui = s->ui;
}

/* Flush the command's output; when that fails (a closed pipe: SIGPIPE is
 * ignored, so writes fail with EPIPE) the command counts as failed.  At the
 * prompt the session goes on with every object kept; a script stops, as
 * nobody reads what it prints.  1 if the output failed, else 0. */
static int output_failed(struct session *s, const char *cmd)
{
	if (fflush(s->out) == 0 && !ferror(s->out))
		return 0;
	char msg[256];
	snprintf(msg, sizeof msg, "writing its output failed: %s (the command itself "
		 "ran)%s", strerror(errno), s->interactive ? "" : "; stopping");
	clearerr(s->out);
	session_error(s, cmd, msg);
	if (!s->interactive)
		s->quit = 1;
	return 1;
}

static int exec_call(struct session *s, struct cmd_call *call)
{
	const struct cmd *c = cmd_lookup(call->tok[0].s);
	if (!c) {
		session_error(s, NULL, err_msg());
		return -1;
	}
	struct args a;
	if (args_parse(&a, c, call) < 0) {
		session_error(s, c->name, err_msg());
		return -1;
	}
	if (s->refuse && !(c->flags & CMD_READONLY)) {
		session_error(s, c->name, s->refuse);
		return -1;
	}
	err_clear();
	/* only the thread that runs jobs sees SIGINT's flag (the full-screen
	 * UI has its own), so another thread never writes it */
	if (session_interrupted)
		session_interrupted = 0;
	int rc = 0;
	if (c->exec(s, &a) < 0) {
		session_error(s, c->name, err_msg());
		output_failed(s, c->name);
		rc = -1;
	} else if (output_failed(s, c->name)) {
		rc = -1;
	}
	/* under MPI every rank ran the command: go on only if they agree */
	ranks_agree(rc < 0, c->name, rc < 0 ? err_msg() : NULL);
	return rc;
}

/* A line rnr will parse: short enough to be a command and valid UTF-8, so
 * what an error message echoes back is text.  0, or -1 with err_set(). */
static int check_line(const char *line)
{
	size_t len = strlen(line);
	if (len > SESSION_MAX_LINE) {
		err_set("a line of %zu bytes, over rnr's limit of %d: not run", len,
			SESSION_MAX_LINE);
		return -1;
	}
	size_t bad = utf8_invalid_at(line, len);
	if (bad < len) {
		err_set("byte %zu (0x%02x) is not UTF-8: the line is not run", bad + 1,
			(unsigned char)line[bad]);
		return -1;
	}
	return 0;
}

int session_exec_line(struct session *s, const char *line)
{
	struct parsed_line p;
	int rc = 0;
	if (check_line(line) < 0) {
		session_error(s, NULL, err_msg());
		session_fail(s);
		return -1;
	}
	if (parse_line(line, &p) < 0) {
		session_error(s, NULL, err_msg());
		parse_free(&p);
		session_fail(s);
		return -1;
	}
	for (size_t i = 0; i < p.n && !session_should_stop(s); i++) {
		if (s->set.echo && s->file) {
			fputs("+", s->out);
			for (size_t k = 0; k < p.call[i].n; k++)
				fprintf(s->out, " %s", p.call[i].tok[k].s);
			fputc('\n', s->out);
		}
		if (exec_call(s, &p.call[i]) < 0) {
			session_fail(s);
			rc = -1;
		}
	}
	parse_free(&p);
	return rc;
}

int session_exec_file(struct session *s, const char *path)
{
	if (s->depth >= SESSION_MAX_DEPTH) {
		err_set("%s: command files nested more than %d deep", path, SESSION_MAX_DEPTH);
		return -1;
	}
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		err_set("%s: %s", path, strerror(errno));
		return -1;
	}
	const char *saved_file = s->file;
	size_t saved_line = s->line;
	int failures_before = s->failures;
	s->file = strcmp(path, "-") == 0 ? "<stdin>" : path;
	s->line = 0;
	s->depth++;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	while (!session_should_stop(s) && (len = getline(&buf, &cap, f)) >= 0) {
		s->line++;
		/* a NUL would cut the line short and run what precedes it */
		if (memchr(buf, '\0', (size_t)len)) {
			session_error(s, NULL, "a NUL byte: not a text command file; the rest "
				      "of it is not run");
			session_fail(s);
			break;
		}
		session_exec_line(s, buf);
	}
	/* getline's -1 means end of file or a read error (EISDIR for a
	 * directory, EIO): only the first may pass as "the file ran" */
	int read_errno = ferror(f) ? errno : 0;
	free(buf);
	if (f != stdin)
		fclose(f);
	s->depth--;
	s->file = saved_file;
	s->line = saved_line;
	if (read_errno) {
		err_set("%s: %s", path, strerror(read_errno));
		return -1;
	}
	return s->failures > failures_before ? 1 : 0;
}
