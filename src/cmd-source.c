/* cmd-source.c - script control: source, echo, quit. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "session.h"

static int source_exec(struct session *s, const struct args *a)
{
	int rc = session_exec_file(s, a->pos[0]);
	/* 1: commands inside failed; they were reported where they failed */
	return rc < 0 ? -1 : 0;
}

static int echo_exec(struct session *s, const struct args *a)
{
	for (size_t i = 0; i < a->n_pos; i++)
		fprintf(s->out, "%s%s", i ? " " : "", a->pos[i]);
	fputc('\n', s->out);
	return 0;
}

static int quit_exec(struct session *s, const struct args *a)
{
	(void)a;
	s->quit = 1;
	return 0;
}

const struct cmd cmd_source = {
	.name = "source",
	.usage = "source FILE",
	.summary = "Run the commands of a file",
	.help = "Runs FILE line by line as if typed; errors print FILE:LINE.  Files may\n"
		"source others, up to 16 deep.  With `set bail on` the first failure\n"
		"stops every file being run.",
	.min_args = 1, .max_args = 1,
	.complete = ARG_FILE,
	.exec = source_exec,
};

const struct cmd cmd_echo = {
	.name = "echo",
	.usage = "echo [WORD...]",
	.summary = "Print the words (to label the output of scripts)",
	.min_args = 0, .max_args = ARGS_MAX,
	.flags = CMD_READONLY,
	.exec = echo_exec,
};

const struct cmd cmd_quit = {
	.name = "quit",
	.usage = "quit",
	.summary = "Leave rnr (the end of input does too)",
	.min_args = 0, .max_args = 0,
	.flags = CMD_READONLY,
	.exec = quit_exec,
};
