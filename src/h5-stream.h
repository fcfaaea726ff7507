/* h5-stream.h - a split of a feature cache file read in row chunks while
 * it stays on disk (`load FILE as NAME stream`).
 *
 * Opening checks the split as a full load does (h5-scan.c) and then reads
 * every model once, a block of whole chunks at a time, to refuse NaN or
 * Inf (naming row and column) and to count the all-zero rows: a streamed
 * cache that opened is one that a load would have taken.  Afterwards rows
 * are read on demand through hyperslabs and L2-normalised as they arrive,
 * with the same function as a load, so each row has the bits it would
 * have in memory.
 *
 * Reads: a batch's rows are sorted; in a dataset stored with filters
 * (gzip, shuffle) each touched chunk is read whole, once per batch (HDF5
 * decompresses whole chunks anyway), else consecutive rows are read as one
 * hyperslab.  HDF5's own chunk cache is turned off: what a stream keeps
 * resident is the caller's buffers, sized by h5_stream_chunk_floats().
 *
 * HDF5 here is built thread-safe (one global lock): a stream may be read
 * from one thread while another computes, never by two at once. */
#ifndef RNR_H5_STREAM_H
#define RNR_H5_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

struct h5_stream;

/* Open the split at group path of the open file f (named file in
 * messages) for streaming, its models in the order of model[0..m) with
 * dims dim[].  zero_rows [m] gets each model's all-zero rows.  NULL with
 * err_set() naming the file, dataset, row and column at fault. */
struct h5_stream *h5_stream_open(hid_t f, const char *file, const char *path,
				 char *const *model, const size_t *dim, size_t m, size_t n,
				 size_t *zero_rows);
void h5_stream_close(struct h5_stream *s);

/* Under MPI (h5-mpio.h) a stream opens serially on each rank without the
 * value check; then every rank, once every rank's load got that far:
 * h5_stream_release() on every stream of the load (the serial handles
 * go), then h5_stream_join() on each (collective): the file is opened
 * again through MPI-IO, each rank checks its shard of the rows (the rows
 * it trains on: ranks_shard()) with collective reads, and the ranks sum
 * the all-zero rows into zero_rows [m] and agree on the first non-finite
 * value (the message a serial open gives).  The rank keeps the rows of its
 * shard it read in memory when they fit (mat_check_bytes(): the machine
 * and `set memory`), so its batches read no file; rows of other shards
 * (k-NN, spectra) are read from the file as serially.  0, or -1 on every
 * rank with the same message.  Serially both do nothing. */
void h5_stream_release(struct h5_stream *s);
int h5_stream_join(struct h5_stream *s, size_t *zero_rows);

/* Bytes of the rank's shard held in memory (0: none, or serially). */
size_t h5_stream_resident_bytes(const struct h5_stream *s);

/* The file and split group, for notes and messages. */
const char *h5_stream_file(const struct h5_stream *s);
const char *h5_stream_group(const struct h5_stream *s);
/* Bytes read from the file so far (all models). */
uint64_t h5_stream_bytes_read(const struct h5_stream *s);

/* Floats of the staging buffer h5_stream_rows() needs (a chunk or a run
 * of rows of the widest model). */
size_t h5_stream_chunk_floats(const struct h5_stream *s);

/* Rows idx[0..b) of model j, normalised, into out [b x d_j] in that order.
 * key [b] and stage [h5_stream_chunk_floats()] are the caller's scratch.
 * 0, or -1 with err_set(). */
int h5_stream_rows(struct h5_stream *s, size_t j, const uint32_t *idx, size_t b, float *out,
		   uint64_t *key, float *stage);

/* Rows [r0, r0 + nr) of model j, normalised, into out [nr x d_j]. */
int h5_stream_block(struct h5_stream *s, size_t j, size_t r0, size_t nr, float *out);

/* Rows per block that h5_stream_block() reads well (whole chunks) within
 * about bytes of model j. */
size_t h5_stream_block_rows(const struct h5_stream *s, size_t j, size_t bytes);

#endif
