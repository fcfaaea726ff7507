/* par-serial.c - the serial build's ranks (see par-mpi.h): one rank, and
 * every collective is the identity. */
#include "par-mpi.h"

int ranks_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void ranks_finalize(void)
{
}

size_t ranks_rank(void)
{
	return 0;
}

size_t ranks_size(void)
{
	return 1;
}

void ranks_shard(size_t n, size_t *lo, size_t *hi)
{
	*lo = 0;
	*hi = n;
}

void ranks_sum_floats(float *buf, size_t n)
{
	(void)buf;
	(void)n;
}

void ranks_sum_doubles(double *buf, size_t n)
{
	(void)buf;
	(void)n;
}

void ranks_allgather_rows(float *data, size_t rows, size_t cols)
{
	(void)data;
	(void)rows;
	(void)cols;
}

int ranks_all_ok(int rc)
{
	return rc < 0 ? -1 : 0;
}

void ranks_min_u64(uint64_t *buf, size_t n)
{
	(void)buf;
	(void)n;
}

void ranks_bcast(void *buf, size_t n)
{
	(void)buf;
	(void)n;
}

int ranks_threads_ok(void)
{
	return 1;
}

int ranks_max(int v)
{
	return v;
}

int ranks_root_result(int rc)
{
	return rc;
}

void ranks_agree(int failed, const char *what, const char *msg)
{
	(void)failed;
	(void)what;
	(void)msg;
}
