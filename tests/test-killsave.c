/* test-killsave.c - saves survive SIGKILL: rnr is killed at many points of
 * a large `save * to FILE` (a workspace of ~25 MB with a stopped job) and
 * after each kill FILE must be either the old file byte for byte or the
 * complete new one, readable by rnr (`restore`) and by h5py when it is
 * here; the killed save's temporary file is never taken for FILE, is named
 * FILE.tmp-rnr-PID-XXXXXX, and the next save removes it.
 *
 * The kill points are found by watching the temporary file grow: point i
 * of KILLS waits until it holds i/(KILLS-1) of the final size (the first
 * as soon as it exists, the last while rnr syncs and closes it), plus two
 * kills before it exists and two right after the rename.  A point the
 * process outruns (it exits first) is reported, not failed.
 *
 * Runs the rnr binary named by $RNR; the data is $top_srcdir/data. */
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILLS 22      /* at sizes 0 .. final */
#define EARLY 2       /* before the temporary file exists */
#define LATE 2        /* after the rename */

static const char *rnr, *srcdir;
static char dir[] = "/tmp/rnr-killsave-XXXXXX";
static char target[256], old_copy[256], src[256], log_path[256];
static const char *python; /* with h5py, or NULL */

/* Run rnr -n -c cmds with output to log_path; returns the child's pid. */
static pid_t spawn_rnr(const char *cmds)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(rnr, rnr, "-n", "-c", cmds, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_rnr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_rnr(const char *fmt, ...)
{
	char cmds[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmds, sizeof cmds, fmt, ap);
	va_end(ap);
	return wait_status(spawn_rnr(cmds));
}

static void show_log(void)
{
	FILE *f = fopen(log_path, "r");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		printf("#   | %s", line);
	if (f)
		fclose(f);
}

/* Does the last rnr run's output have a line starting with prefix? */
static int log_has(const char *prefix)
{
	FILE *f = fopen(log_path, "r");
	char line[512];
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		found |= strncmp(line, prefix, strlen(prefix)) == 0;
	if (f)
		fclose(f);
	return found;
}

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	show_log();
	exit(1);
}

/* The temporary files of saves to target: their count; the size and name
 * of the one written by pid (size -1 when it has none). */
static int temps(pid_t pid, off_t *size, char *name, size_t cap)
{
	char prefix[64], mine[96];
	snprintf(prefix, sizeof prefix, "target.h5.tmp-rnr-");
	snprintf(mine, sizeof mine, "target.h5.tmp-rnr-%ld-", (long)pid);
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;
	if (size)
		*size = -1;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		count++;
		if (size && strncmp(e->d_name, mine, strlen(mine)) == 0) {
			char full[512];
			struct stat st;
			snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
			if (stat(full, &st) == 0)
				*size = st.st_size;
			if (name)
				snprintf(name, cap, "%s", e->d_name);
		}
	}
	if (d)
		closedir(d);
	return count;
}

static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	while (same) {
		int ca = getc(fa), cb = getc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t k;
	int ok = in && out;
	while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, k, out) == k;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* h5py opens the file and reads every dataset: 0 yes, 1 no */
static int h5py_reads(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s -c 'import sys, h5py\n"
		 "f = h5py.File(sys.argv[1], \"r\")\n"
		 "f.visititems(lambda n, o: o[()] if isinstance(o, h5py.Dataset) else None)\n' "
		 "'%s' >/dev/null 2>&1", python, path);
	return system(cmd) == 0 ? 0 : 1;
}

static void find_python(void)
{
	const char *cands[] = { getenv("PYTHON3"), "python3", "/usr/bin/python3" };
	for (size_t i = 0; i < 3; i++) {
		char cmd[512];
		if (!cands[i] || !cands[i][0])
			continue;
		snprintf(cmd, sizeof cmd, "%s -c 'import h5py' >/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0) {
			python = cands[i];
			return;
		}
	}
}

static void pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

enum when { BEFORE_TEMP, AT_SIZE, AFTER_RENAME };

struct outcome {
	int killed;       /* the kill landed before the process exited */
	off_t temp_size;  /* the temporary file's size at the kill, -1: none */
	char temp[300];
};

/* Start `restore src; save * to target` and SIGKILL it at the point asked. */
static struct outcome kill_save(enum when w, off_t at_size, ino_t old_ino)
{
	char cmds[1024];
	snprintf(cmds, sizeof cmds, "restore %s; save * to %s", src, target);
	struct outcome o = { 0, -1, "" };
	pid_t pid = spawn_rnr(cmds);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		off_t size;
		temps(pid, &size, o.temp, sizeof o.temp);
		int fire = 0;
		if (w == BEFORE_TEMP) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			/* a few ms in: rnr is starting or reading the source */
			fire = size < 0 && (t.tv_sec - t0.tv_sec) * 1000000000L +
						   (t.tv_nsec - t0.tv_nsec) > 5000000L;
		} else if (w == AT_SIZE) {
			fire = size >= at_size;
		} else {
			struct stat st;
			fire = stat(target, &st) == 0 && st.st_ino != old_ino;
		}
		if (fire) {
			o.killed = kill(pid, SIGKILL) == 0;
			o.temp_size = size;
			break;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return o; /* outran the kill */
		pause_us(100);
	}
	int st = wait_status(pid);
	o.killed = o.killed && st == 128 + SIGKILL;
	temps(pid, &o.temp_size, o.temp, sizeof o.temp);
	return o;
}

/* Kill point i of a save whose file ends final bytes long, then check
 * the target and the temporary files; counts the kills that landed and
 * those while the temporary file was partly written. */
static void kill_point(int i, off_t final, int *landed, int *partial)
{
	struct stat st;
	enum when w = i < EARLY ? BEFORE_TEMP : i < EARLY + KILLS ? AT_SIZE : AFTER_RENAME;
	off_t at = w == AT_SIZE ? final * (i - EARLY) / (KILLS - 1) : 0;
	if (copy_file(old_copy, target) < 0 || stat(target, &st) < 0)
		bail("copying the old file");
	int before = temps(0, NULL, NULL, 0);
	struct outcome o = kill_save(w, at, st.st_ino);
	*landed += o.killed;
	*partial += o.killed && o.temp_size >= 0 && o.temp_size < final;
	char where[160];
	if (!o.killed)
		snprintf(where, sizeof where, "point %d: rnr finished before the kill", i + 1);
	else if (o.temp_size >= 0)
		snprintf(where, sizeof where, "kill %d at %.2f of %.2f MB written",
			 i + 1, (double)o.temp_size / 1e6, (double)final / 1e6);
	else
		snprintf(where, sizeof where, "kill %d %s", i + 1,
			 w == BEFORE_TEMP ? "before the save began" : "after the rename");
	int old = same_file(target, old_copy);
	int reads = run_rnr("restore %s; list", target) == 0;
	int complete = !old && reads && log_has("restored the stopped job on psi");
	if (!tap_ok(reads && (old || complete), "%s: target.h5 is %s; rnr restores it", where,
		    old ? "the old file, byte for byte" :
		    complete ? "the complete new file (with its job)" : "NEITHER old NOR complete"))
		show_log();
	if (python)
		tap_ok(h5py_reads(target) == 0, "%s: h5py reads every dataset of it", where);
	/* the save removed the earlier killed save's file when it made its
	 * own (not before: a kill before then leaves it for the next) */
	int after = temps(0, NULL, NULL, 0), ours = o.temp_size >= 0;
	int want = w == BEFORE_TEMP ? before + ours : ours;
	tap_ok(after == want, "%s: %d temporary file%s beside it, want %d (%d before this "
	       "save)%s%s", where, after, after == 1 ? "" : "s", want, before,
	       ours ? ": this save's, named " : "", ours ? o.temp : "");
}

int main(void)
{
	rnr = getenv("RNR");
	srcdir = getenv("top_srcdir");
	if (!rnr || !srcdir) {
		printf("1..0 # SKIP run by make check (needs $RNR and $top_srcdir)\n");
		return 0;
	}
	if (!mkdtemp(dir))
		bail("mkdtemp");
	snprintf(target, sizeof target, "%s/target.h5", dir);
	snprintf(old_copy, sizeof old_copy, "%s/old.h5", dir);
	snprintf(src, sizeof src, "%s/src.h5", dir);
	snprintf(log_path, sizeof log_path, "%s/log", dir);
	find_python();

	/* the new content: caches, banks, an MLP set and a stopped job (the
	 * checkpoint after epoch 2 of 3) with its optimiser state */
	if (run_rnr("set threads 1; set progress off; load %s/data/fmnist-demo.h5 as fm; "
		    "mlp fm.train seed=1 as dec; train dec fm.train epochs=3 seed=1 "
		    "checkpoint=%s/ck.h5 every=2", srcdir, dir) != 0 ||
	    run_rnr("load %s/data/fmnist-demo.h5 as fm; restore %s/ck.h5; concat fm.train as c1; "
		    "concat fm.train as c2; save * to %s", srcdir, dir, src) != 0)
		bail("making the workspace to save failed");
	/* the old content: a small workspace file */
	if (run_rnr("load %s/data/fmnist-demo.h5 as fm; avg fm.test as old; drop fm.train fm.test; "
		    "save * to %s", srcdir, old_copy) != 0)
		bail("making the old file failed");
	struct stat st;
	if (copy_file(old_copy, target) < 0 || run_rnr("restore %s; save * to %s", src, target) != 0 ||
	    stat(target, &st) < 0)
		bail("an uninterrupted save failed");
	off_t final = st.st_size;
	tap_ok(final > 20 * 1000 * 1000, "the save to interrupt writes %.1f MB (want > 20)",
	       (double)final / 1e6);

	int points = EARLY + KILLS + LATE, landed = 0, partial = 0;
	for (int i = 0; i < points; i++)
		kill_point(i, final, &landed, &partial);
	tap_ok(landed >= 20, "%d of %d kills landed during the run (%d while the temporary file "
	       "was partly written)", landed, points, partial);

	/* a clean save afterwards removes what the last killed save left */
	int rc = run_rnr("restore %s; save * to %s", src, target);
	tap_ok(rc == 0 && temps(0, NULL, NULL, 0) == 0,
	       "the next clean save removes the killed saves' temporary files (%d left)",
	       temps(0, NULL, NULL, 0));
	if (!python)
		tap_ok(1, "h5py reads the file # SKIP no python3 with h5py");

	/* clean up */
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char full[512];
		snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.')
			unlink(full);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return tap_done();
}
