/* tui-signal.c - the full-screen UI's signals (see tui-signal.h).  The
 * handlers only set flags and write the self-pipe; a fatal signal writes
 * the saved restore sequence and termios back with no curses call. */
#include "tui-signal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t sig_int, sig_term;
static volatile int wake_wr = -1;
static struct sigaction old_int, old_term, old_hup, old_winch;
static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define N_FATAL (sizeof fatal_sigs / sizeof fatal_sigs[0])
static struct sigaction old_fatal[N_FATAL];
/* what a fatal signal writes to put the terminal back (no curses calls) */
static struct termios saved_tio;
static int have_tio;
static char restore_seq[256];
static size_t restore_len;

static void wake(void)
{
	int fd = wake_wr;
	if (fd >= 0) {
		ssize_t r = write(fd, "s", 1);
		(void)r;
	}
}

static void on_signal(int sig)
{
	int e = errno;
	if (sig == SIGINT)
		sig_int = 1;
	else
		sig_term = sig;
	wake();
	errno = e;
}

/* curses' own SIGWINCH handler queues KEY_RESIZE; this one also wakes the
 * loop, in whatever thread the signal landed. */
static void on_winch(int sig)
{
	int e = errno;
	if (old_winch.sa_flags & SA_SIGINFO) {
		if (old_winch.sa_sigaction)
			old_winch.sa_sigaction(sig, NULL, NULL);
	} else if (old_winch.sa_handler != SIG_DFL && old_winch.sa_handler != SIG_IGN) {
		old_winch.sa_handler(sig);
	}
	wake();
	errno = e;
}

static void on_fatal(int sig)
{
	ssize_t r = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)r;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

void tui_signals_install(int wake_fd)
{
	wake_wr = wake_fd;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns at once */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, &old_winch);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < N_FATAL; i++)
		sigaction(fatal_sigs[i], &sa, &old_fatal[i]);
}

void tui_signals_restore(void)
{
	wake_wr = -1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);
	for (size_t i = 0; i < N_FATAL; i++)
		sigaction(fatal_sigs[i], &old_fatal[i], NULL);
}

static void add_cap(const char *cap)
{
	char *s = tigetstr(cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

void tui_fatal_save_tty(void)
{
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
}

void tui_fatal_restore_caps(const char *const *caps)
{
	restore_len = 0;
	for (; *caps; caps++)
		add_cap(*caps);
}

int tui_signal_take_int(void)
{
	int was = sig_int;
	sig_int = 0;
	return was;
}

int tui_signal_term(void)
{
	return sig_term;
}
