/* par.h - rnr's own threads: a parallel loop for the memory-bound passes
 * (Adam) and for per-model work on shapes too small for BLAS threads.
 *
 * One thread count governs both BLAS and these loops: settings_apply()
 * sets it (`set threads N`).  par_for() splits [0, n) into contiguous
 * chunks, one per thread, chunk i always the same range for the same n and
 * thread count, so every result that is computed per element (or per model,
 * summed afterwards in a fixed order) is bit for bit the same from run to
 * run at a fixed thread count.  The calling thread runs chunk 0; the others
 * run on threads started for the call and joined before it returns (tens
 * of microseconds, against milliseconds of work per call).  If a thread
 * cannot be started, its chunk runs on the caller: same result.  A
 * par_for called from inside a chunk runs inline on that thread. */
#ifndef RNR_PAR_H
#define RNR_PAR_H

#include <stddef.h>

#define PAR_MAX_THREADS 256

/* The thread count of rnr's loops (1..PAR_MAX_THREADS; default 1). */
void par_set_threads(size_t n);
size_t par_threads(void);

/* The chunk index of the outermost par_for chunk the calling thread runs
 * (0 on a thread outside any): per-thread state that must outlive rnr's
 * short-lived threads is kept per chunk index (src/nn-bf16.c). */
size_t par_chunk(void);

/* fn(ctx, lo, hi, chunk) over [lo, hi) for chunks of [0, n): at most
 * par_threads() chunks, fewer so that each has at least grain items
 * (grain >= 1); chunk boundaries are multiples of align (>= 1) except the
 * last.  Returns when every chunk is done. */
typedef void (*par_fn)(void *ctx, size_t lo, size_t hi, size_t chunk);
void par_for(size_t n, size_t grain, size_t align, par_fn fn, void *ctx);

#endif
