/* job-rows.h - where a job's batches take their target rows from: the
 * one place that knows whether the cache is in memory or streamed.
 *
 * In memory the targets are read in place: rowsrc_targets() hands out the
 * cache's matrix and the batch's indices, as job.c always did.  Streamed
 * (obj-cache.h, h5-stream.h), the batch's rows are gathered from the file
 * into one of two buffers of B rows per model and handed out with NULL
 * indices (row r of the buffer is target r).  The cosine loss reads each
 * target row once, in order, either way, so both give the same bits.
 *
 * A prefetch thread reads the next batch into the other buffer while the
 * step runs: rowsrc_prefetch() asks for it, rowsrc_fetch() waits for it
 * (or reads it there and then when it was not asked for).  Resident: the
 * two buffers and one staging chunk (rowsrc_bytes()).  The buffers are
 * allocated once, in rowsrc_new(); HDF5 itself allocates as it reads, so a
 * streamed step is not allocation-free the way an in-memory one is.  The
 * first batch of an epoch is read when the epoch starts (its order is not
 * drawn before), so one batch per epoch waits for its rows. */
#ifndef RNR_JOB_ROWS_H
#define RNR_JOB_ROWS_H

#include <stddef.h>
#include <stdint.h>

struct cache;
struct rowsrc;

/* Targets from cache c for batches of up to B rows of the models
 * model[0..m) (cache indices).  NULL with err_set(). */
struct rowsrc *rowsrc_new(const struct cache *c, const size_t *model, size_t m, size_t B);
void rowsrc_free(struct rowsrc *r);

/* Bytes rowsrc_new() would keep resident for these batches: 0 in memory. */
size_t rowsrc_bytes(const struct cache *c, const size_t *model, size_t m, size_t B);

/* Start reading rows idx[0..b) (which must stay valid and unchanged until
 * the rowsrc_fetch() of them) on the prefetch thread.  In memory: nothing. */
void rowsrc_prefetch(struct rowsrc *r, const uint32_t *idx, size_t b);

/* Wait until no prefetch is being read (its rows stay claimable). */
void rowsrc_settle(struct rowsrc *r);

/* Make rows idx[0..b) the current batch: wait for their prefetch, or
 * read them now.  0, or -1 with err_set() (a read error). */
int rowsrc_fetch(struct rowsrc *r, const uint32_t *idx, size_t b);

/* Model k's targets of the current batch idx: the matrix to read and, in
 * *zidx, the row of each batch row in it (NULL: row r is batch row r). */
const float *rowsrc_targets(const struct rowsrc *r, size_t k, const uint32_t *idx,
			    const uint32_t **zidx);

#endif
