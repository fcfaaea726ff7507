/* main.c - rnr's invocation, in the conventions of gdb, sqlite3 and
 * gnuplot: command files and -c strings run in order, then the prompt when
 * interactive.  Everything else lives below in the session. */
#include "config.h"

#include "err.h"
#include "fe-repl.h"
#include "par-mpi.h"
#include "session.h"
#include "tui.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("usage: rnr [OPTION]... [FILE.rnr]...\n"
	      "Learn rich nearest-neighbour representations from ensembles of\n"
	      "self-supervised models: an interactive workbench.\n\n"
	      "  FILE.rnr, -x FILE  run a command file (repeatable, in order)\n"
	      "  -c 'CMD; CMD'      run commands (repeatable, in order with files)\n"
	      "  -i                 stay interactive after the files and -c commands\n"
	      "  -n                 do not read the startup file ~/.rnrrc\n"
	      "      --bail         stop at the first failed command (exit status 1)\n"
	      "      --plain        the plain readline prompt, no full-screen UI\n"
	      "  -h, --help         show this help and exit\n"
	      "  -V, --version      show the version and exit\n\n"
	      "Without files or -c, rnr reads commands from the terminal (a prompt)\n"
	      "or, when stdin is not a terminal, from stdin as a script.  The exit\n"
	      "status is 1 when a command failed outside the prompt, 2 on bad usage.\n"
	      "Environment: RNR_HISTORY (history file), RNR_THREADS (threads).\n"
	      "See rnr(1) and `help` inside rnr.\n", out);
}

static void on_sigint(int sig)
{
	(void)sig;
	session_interrupted = 1;
}

/* The first SIGTERM/SIGHUP asks for a clean exit at the next step
 * boundary or command; a second one, when rnr is stuck in a long call,
 * ends it at once the default way. */
static void on_sigterm(int sig)
{
	if (session_terminated) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	session_terminated = sig;
}

/* Handlers only set flags (the full-screen UI installs its own while it
 * runs).  SIGPIPE is ignored: a write to a closed pipe fails with EPIPE,
 * which the command loop reports, instead of killing the workspace. */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocking read returns so the prompt can react */
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_sigterm;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* After SIGTERM or SIGHUP: say what is lost, as nothing is saved. */
static void report_termination(const struct session *s, int sig)
{
	fflush(stdout);
	const char *name = sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : strsignal(sig);
	fprintf(stderr, "rnr: %s: leaving without saving: %zu object%s in the workspace "
		"discarded%s\n", name, s->ws.n, s->ws.n == 1 ? "" : "s",
		s->job ? ", the unfinished job abandoned" : "");
}

/* One script source from the command line, run in order. */
struct source {
	int is_file;
	const char *text;
};

static void run_startup(struct session *s)
{
	const char *home = getenv("HOME");
	char *rc = NULL;
	if (!home || asprintf(&rc, "%s/.rnrrc", home) < 0)
		return;
	if (access(rc, R_OK) == 0 && session_exec_file(s, rc) < 0)
		session_error(s, "startup", err_msg());
	free(rc);
}

static void run_source(struct session *s, const struct source *src)
{
	if (!src->is_file) {
		session_exec_line(s, src->text);
		return;
	}
	if (session_exec_file(s, src->text) < 0) {
		session_error(s, NULL, err_msg());
		session_fail(s);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bail", no_argument, NULL, 'b' },
		{ "plain", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct source *src = calloc((size_t)argc + 1, sizeof *src);
	size_t n_src = 0;
	int force_interactive = 0, no_rc = 0, bail = 0, plain = 0, opt;
	if (!src)
		return 2;
	/* "-": a FILE argument comes back as option 1 in its place, so files,
	 * -x and -c run in the order given and options may follow a file */
	while ((opt = getopt_long(argc, argv, "-x:c:inhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 1:
		case 'x': src[n_src++] = (struct source){ 1, optarg }; break;
		case 'c': src[n_src++] = (struct source){ 0, optarg }; break;
		case 'i': force_interactive = 1; break;
		case 'n': no_rc = 1; break;
		case 'b': bail = 1; break;
		case 'p': plain = 1; break;
		case 'h': usage(stdout); free(src); return 0;
		case 'V': printf("rnr %s\n", PACKAGE_VERSION); free(src); return 0;
		default: usage(stderr); free(src); return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		src[n_src++] = (struct source){ 1, argv[i] };

	if (ranks_init(&argc, &argv) < 0) {
		fprintf(stderr, "rnr: %s\n", err_msg());
		free(src);
		return 1;
	}
	/* the ranks run the same commands in step: no prompt under mpirun */
	if (ranks_size() > 1 && (force_interactive || n_src == 0)) {
		if (ranks_rank() == 0)
			fprintf(stderr, "rnr: under MPI (%zu ranks) give command files or -c, "
				"not the prompt or stdin\n", ranks_size());
		ranks_finalize();
		free(src);
		return 2;
	}
	setlocale(LC_CTYPE, ""); /* UTF-8 charts and line drawing when the locale is */
	install_signals();
	struct session s;
	session_init(&s);
	s.set.bail = bail;
	if (!no_rc)
		run_startup(&s);
	for (size_t i = 0; i < n_src && !session_should_stop(&s); i++)
		run_source(&s, &src[i]);
	int tty = isatty(STDIN_FILENO), sig = 0;
	if (!s.quit && (force_interactive || (n_src == 0 && tty))) {
		/* the full-screen UI on a terminal, else (or when curses cannot
		 * start) the plain readline prompt */
		if (plain || !tui_usable() || (sig = tui_run(&s)) < 0) {
			if (sig < 0)
				fprintf(stderr, "rnr: %s; using the plain prompt\n", err_msg());
			sig = 0;
			repl_run(&s);
		}
	} else if (!s.quit && n_src == 0) {
		run_source(&s, &(struct source){ 1, "-" });
	}
	if (!sig && session_terminated)
		sig = session_terminated;
	if (sig)
		report_termination(&s, sig);
	int status = sig ? 128 + sig : s.failures && !s.interactive ? 1 : 0;
	session_free(&s);
	free(src);
	ranks_finalize();
	return status;
}
