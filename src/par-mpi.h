/* par-mpi.h - the MPI ranks of a data-parallel run (mpirun -np P rnr ...).
 *
 * One code path for both builds: with ./configure --with-mpi this is
 * par-mpi.c over Open MPI, otherwise par-serial.c, where there is one rank
 * and every call is a no-op.  An MPI build started without a launcher
 * (no mpirun, srun) does not initialise MPI either: it is the serial rnr.
 *
 * The model of a run: every rank runs the same command file on the same
 * inputs, so every rank's workspace holds the same objects; a training job
 * splits the bank rows into contiguous shards, one per rank, and sums the
 * MLP gradients of each step over the ranks (job.c).  Rank 0 alone prints
 * and writes files; the other ranks' stdout and stderr go to /dev/null. */
#ifndef RNR_PAR_MPI_H
#define RNR_PAR_MPI_H

#include <stddef.h>
#include <stdint.h>

/* Start MPI when launched by mpirun (or srun), and send the output of the
 * ranks other than 0 to /dev/null.  0, or -1 with err_set(). */
int ranks_init(int *argc, char ***argv);
/* Leave MPI (collective: every rank at the end of main). */
void ranks_finalize(void);

size_t ranks_rank(void);   /* 0-based; 0 in a serial run */
size_t ranks_size(void);   /* 1 in a serial run */

/* The contiguous shard [*lo, *hi) of n rows that this rank owns: rank r
 * gets rows n*r/P .. n*(r+1)/P, so shard sizes differ by at most one. */
void ranks_shard(size_t n, size_t *lo, size_t *hi);

/* Element-wise sums over the ranks, in place (MPI_Allreduce). */
void ranks_sum_floats(float *buf, size_t n);
void ranks_sum_doubles(double *buf, size_t n);

/* Every rank's shard (ranks_shard(rows)) of the row-major [rows x cols]
 * array data, from its owner to every rank (MPI_Allgatherv). */
void ranks_allgather_rows(float *data, size_t rows, size_t cols);

/* 0 when rc >= 0 on every rank; else -1 on every rank, each with the
 * message (err_msg()) of the lowest failing rank R, prefixed "rank R: "
 * on the other ranks when R > 0.  A step every rank runs (a streamed load, the
 * parallel write of a save) fails everywhere or nowhere. */
int ranks_all_ok(int rc);

/* Element-wise minimum over the ranks, in place (MPI_Allreduce). */
void ranks_min_u64(uint64_t *buf, size_t n);

/* n bytes from rank 0 to every rank (MPI_Bcast). */
void ranks_bcast(void *buf, size_t n);

/* Whether threads other than the main one may make MPI calls (MPI
 * started with MPI_THREAD_MULTIPLE; always 1 serially): a streamed
 * cache's prefetch thread reads through MPI-IO. */
int ranks_threads_ok(void);

/* The largest v of every rank (MPI_Allreduce of one int; v serially).
 * A training loop asks it of its stop flag before each step, so that every
 * rank stops at the same step when a signal reaches some of them. */
int ranks_max(int v);

/* The result rc of a step only rank 0 runs (writing a file), on every
 * rank: rank 0 passes its rc, the others anything.  On the others a
 * failure of rank 0 reads "failed on rank 0" (rank 0 printed why). */
int ranks_root_result(int rc);

/* After each command: every rank passes whether its command failed.
 * When they agree the run goes on (rank 0 reports a common failure).
 * When they differ, the workspaces are no longer the same: each failing
 * rank prints its message on its real stderr, as "rnr: rank R of P: what:
 * msg", and the run is aborted (MPI_Abort, exit status 1). */
void ranks_agree(int failed, const char *what, const char *msg);

#endif
