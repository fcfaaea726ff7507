/* h5-rehearse.c - load a file in a child process first (see h5-rehearse.h).
 *
 * Why: fuzzing (tests/fuzz/README) found files on which HDF5 1.10 itself
 * crashes (SEGV in H5F__accum_read, H5MM_xfree, H5HG_read, an overlapping
 * memcpy in H5HG_read) or loops for ever (H5HG_read), while rnr walks the
 * groups or reads a variable-length string attribute.  No check in rnr can
 * stop HDF5 from decoding what it is given.  A forked child starts from
 * the parent's exact memory, so it runs the very same load the parent is
 * about to run and meets the same crash; only when it ends normally does
 * the parent load the file for real. */
#include "config.h"

#include "h5-rehearse.h"
#include "h5-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* set in the child: its own loads run directly */
static int in_rehearsal;

/* Seconds a load of path may take in the child before it counts as a
 * hang (fuzzing found files on which HDF5 loops for ever): 5 s plus one
 * per 20 MB, ten times what a load from disk at 200 MB/s needs, so a
 * healthy file on a slow disk still passes. */
static unsigned default_limit(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 5;
	return 5 + (unsigned)((uint64_t)st.st_size / 20000000u);
}

/* The child shares the parent's open file descriptions, their offsets
 * included.  A child that ends through libc's stdio cleanup (exit() in a
 * library, or valgrind's freeres at _exit) seeks each input stream back
 * to the position its buffer has reached, and the parent, reading a
 * command file through the same description, then reads lines again
 * (under valgrind, make check-valgrind re-ran its session for ever).  The
 * load opens its own files: the child closes every descriptor above
 * stderr before it starts. */
static void close_inherited_files(void)
{
#ifdef HAVE_CLOSE_RANGE
	if (close_range(3, ~0u, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

int h5_rehearse(const char *path, void (*load)(void *), void *arg)
{
	const char *env = getenv("RNR_H5_REHEARSAL");
	if (in_rehearsal || (env && strcmp(env, "off") == 0))
		return 0;
	unsigned limit = env ? (unsigned)strtoul(env, NULL, 10) : default_limit(path);
	fflush(NULL); /* the child must not write the parent's buffers again */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return 0; /* cannot fork: load unrehearsed, as before */
	if (pid == 0) {
		/* a child looping in HDF5 must not outlive an rnr that was killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close_inherited_files();
		in_rehearsal = 1;
		/* rnr's handlers only set flags for a step boundary that the
		 * child never reaches: a child stuck in HDF5 must die of the
		 * SIGINT/SIGTERM/SIGHUP sent to rnr's process group */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		alarm(limit);
		/* HDF5's or a sanitizer's report is not for the user */
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		load(arg);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		err_set("%s: corrupt: HDF5 did not finish reading it in %u s; nothing was "
			"loaded (if the file is sound but slow to read, set "
			"RNR_H5_REHEARSAL to more seconds, or off)", path, limit);
	else if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT ||
					  WTERMSIG(status) == SIGTERM ||
					  WTERMSIG(status) == SIGHUP))
		err_set("%s: interrupted while HDF5 read it (%s); nothing was loaded", path,
			strsignal(WTERMSIG(status)));
	else if (WIFSIGNALED(status))
		err_set("%s: corrupt: HDF5 crashed reading it (%s); nothing was loaded", path,
			strsignal(WTERMSIG(status)));
	else
		err_set("%s: corrupt: HDF5 failed reading it (exit status %d); nothing was "
			"loaded", path, WEXITSTATUS(status));
	return -1;
}

int h5_rehearse_in_child(void)
{
	return in_rehearsal;
}
