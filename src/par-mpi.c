/* par-mpi.c - the ranks of an MPI run over Open MPI (see par-mpi.h).
 *
 * Errors of MPI calls return (MPI_ERRORS_RETURN) so rnr can say which
 * call failed on which rank before it aborts the run; a rank that dies
 * (killed, crashed) is Open MPI's to report: mpirun names it and ends the
 * other ranks (tests/mpi.sh checks that nobody hangs). */
#include "par-mpi.h"
#include "err.h"

#include <mpi.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int active;              /* MPI_Init ran */
static int threads_ok = 1;      /* MPI_THREAD_MULTIPLE provided */
static int my_rank, n_ranks = 1;
static int real_stderr = STDERR_FILENO;  /* before /dev/null (ranks > 0) */

/* Started by a launcher?  Open MPI's mpirun, PMIx (srun, prte) or PMI. */
static int launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

static void say(const char *fmt, ...) RNR_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	dprintf(real_stderr, "rnr: rank %d of %d: %s\n", my_rank, n_ranks, text);
}

static void check(int rc, const char *call)
{
	if (rc == MPI_SUCCESS)
		return;
	char text[MPI_MAX_ERROR_STRING];
	int len = 0;
	if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
		snprintf(text, sizeof text, "error %d", rc);
	say("%s failed: %s; stopping every rank", call, text);
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static int quiet_output(void)
{
	int null = open("/dev/null", O_WRONLY);
	if (null < 0 || (real_stderr = dup(STDERR_FILENO)) < 0 || fflush(stdout) != 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0) {
		err_set("rank %d: cannot send its output to /dev/null", my_rank);
		return -1;
	}
	close(null);
	return 0;
}

int ranks_init(int *argc, char ***argv)
{
	if (!launched())
		return 0;
	/* a streamed cache's prefetch thread reads through MPI-IO while the
	 * main thread sums gradients */
	int provided = MPI_THREAD_SINGLE;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
		err_set("MPI_Init_thread failed");
		return -1;
	}
	active = 1;
	threads_ok = provided >= MPI_THREAD_MULTIPLE;
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	check(MPI_Comm_rank(MPI_COMM_WORLD, &my_rank), "MPI_Comm_rank");
	check(MPI_Comm_size(MPI_COMM_WORLD, &n_ranks), "MPI_Comm_size");
	return my_rank > 0 ? quiet_output() : 0;
}

void ranks_finalize(void)
{
	if (active)
		MPI_Finalize();
	active = 0;
}

size_t ranks_rank(void)
{
	return (size_t)my_rank;
}

size_t ranks_size(void)
{
	return (size_t)n_ranks;
}

void ranks_shard(size_t n, size_t *lo, size_t *hi)
{
	/* n < 2^32 and P < 2^31 (job.c checks n): no overflow in 64 bits */
	*lo = n * (size_t)my_rank / (size_t)n_ranks;
	*hi = n * (size_t)(my_rank + 1) / (size_t)n_ranks;
}

/* MPI counts are int: large arrays go in pieces of 2^30 elements */
#define PIECE ((size_t)1 << 30)

/* an in-place MPI_Allreduce of n elems of elem bytes, in pieces */
static void allreduce_pieces(void *buf, size_t n, size_t elem, MPI_Datatype type, MPI_Op op)
{
	for (size_t o = 0; n_ranks > 1 && o < n; o += PIECE)
		check(MPI_Allreduce(MPI_IN_PLACE, (char *)buf + o * elem,
				    (int)(n - o < PIECE ? n - o : PIECE), type, op, MPI_COMM_WORLD),
		      "MPI_Allreduce");
}

void ranks_sum_floats(float *buf, size_t n)
{
	allreduce_pieces(buf, n, sizeof *buf, MPI_FLOAT, MPI_SUM);
}

void ranks_sum_doubles(double *buf, size_t n)
{
	allreduce_pieces(buf, n, sizeof *buf, MPI_DOUBLE, MPI_SUM);
}

void ranks_allgather_rows(float *data, size_t rows, size_t cols)
{
	if (n_ranks == 1 || rows == 0 || cols == 0)
		return;
	int *count = malloc((size_t)n_ranks * sizeof *count);
	int *displ = malloc((size_t)n_ranks * sizeof *displ);
	if (!count || !displ || cols > INT_MAX || rows > INT_MAX) {
		say("%s: cannot gather the bank rows; stopping every rank",
		    count && displ ? "too many rows or columns" : "out of memory");
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	for (int r = 0; r < n_ranks; r++) {
		size_t lo = rows * (size_t)r / (size_t)n_ranks;
		size_t hi = rows * (size_t)(r + 1) / (size_t)n_ranks;
		displ[r] = (int)lo;
		count[r] = (int)(hi - lo);
	}
	/* one row is the unit, so the counts stay rows, not floats */
	MPI_Datatype row;
	check(MPI_Type_contiguous((int)cols, MPI_FLOAT, &row), "MPI_Type_contiguous");
	check(MPI_Type_commit(&row), "MPI_Type_commit");
	check(MPI_Allgatherv(MPI_IN_PLACE, 0, row, data, count, displ, row, MPI_COMM_WORLD),
	      "MPI_Allgatherv");
	MPI_Type_free(&row);
	free(count);
	free(displ);
}

int ranks_all_ok(int rc)
{
	if (n_ranks == 1)
		return rc < 0 ? -1 : 0;
	int mine = rc < 0 ? my_rank : n_ranks, first = n_ranks;
	check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
	if (first == n_ranks)
		return 0;
	char msg[1024];
	if (my_rank == first)
		snprintf(msg, sizeof msg, "%s", err_msg());
	check(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD), "MPI_Bcast");
	msg[sizeof msg - 1] = '\0';
	if (my_rank != first) {
		if (first > 0)
			err_set("rank %d: %s", first, msg);
		else
			err_set("%s", msg);
	}
	return -1;
}

void ranks_min_u64(uint64_t *buf, size_t n)
{
	allreduce_pieces(buf, n, sizeof *buf, MPI_UINT64_T, MPI_MIN);
}

void ranks_bcast(void *buf, size_t n)
{
	for (size_t o = 0; n_ranks > 1 && o < n; o += PIECE)
		check(MPI_Bcast((char *)buf + o, (int)(n - o < PIECE ? n - o : PIECE), MPI_BYTE, 0,
				MPI_COMM_WORLD), "MPI_Bcast");
}

int ranks_threads_ok(void)
{
	return threads_ok;
}

int ranks_max(int v)
{
	if (n_ranks == 1)
		return v;
	int most = v;
	check(MPI_Allreduce(&v, &most, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
	return most;
}

int ranks_root_result(int rc)
{
	if (n_ranks == 1)
		return rc;
	int v = rc < 0 ? -1 : rc;
	check(MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
	if (my_rank > 0 && v < 0)
		err_set("failed on rank 0");
	return v;
}

void ranks_agree(int failed, const char *what, const char *msg)
{
	if (n_ranks == 1)
		return;
	int mine = failed != 0, all = 0;
	check(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
	if (all == 0 || all == n_ranks)
		return;
	if (failed)
		say("%s: %s", what ? what : "command", msg ? msg : "failed");
	else if (my_rank == 0)
		say("%s: succeeded here but failed on other ranks", what ? what : "command");
	if (my_rank == 0)
		say("the ranks' workspaces differ now: stopping every rank");
	/* let the messages out before the abort takes the processes down */
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Abort(MPI_COMM_WORLD, 1);
}
