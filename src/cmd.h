/* cmd.h - the command descriptor and the one table of commands.
 *
 * A command is data: its name, usage, help, argument counts, the option
 * keys and keywords it accepts and its handler.  Nothing parses argv by
 * hand: args_parse() checks a call against the descriptor before the
 * handler runs, and a wrong count prints the descriptor's own usage. */
#ifndef RNR_CMD_H
#define RNR_CMD_H

#include <stddef.h>

struct session;
struct args;

/* What a command's positional arguments are, for tab completion. */
enum arg_kind {
	ARG_NONE,
	ARG_OBJECT,  /* workspace object names */
	ARG_FILE,    /* file names */
	ARG_COMMAND, /* command names (help) */
	ARG_SETTING, /* setting names (set, get) */
};

/* Allowed while a job runs (full-screen UI): the command only reads
 * objects, adds or changes none, and computes nothing with BLAS or LAPACK
 * (OpenBLAS is not safe from two threads at once).  It may read the objects
 * the job writes: a bank or MLP set mid-step (torn values, for display
 * only) and a loss history through its atomic step count. */
#define CMD_READONLY 1u

struct cmd {
	const char *name;
	const char *usage;    /* "load FILE [as NAME]" */
	const char *summary;  /* one line for `help` */
	const char *help;     /* the long help for `help NAME` */
	unsigned min_args, max_args; /* positional words after keywords are taken out */
	const char *options;  /* space-separated key=value keys it accepts, or NULL */
	const char *keywords; /* space-separated words taking one value: "as to" */
	enum arg_kind complete;
	unsigned flags;
	int (*exec)(struct session *s, const struct args *a);
};

/* Every command, in the order `help` lists them; NULL-terminated. */
extern const struct cmd *const cmd_table[];


#endif
