/* job-state.h - a train or infer job's whole state in an HDF5 group, so
 * that a job saved and loaded back continues exactly as it would have:
 * the same batches in the same order, the same Adam steps, the same bits.
 *
 * The group (/.job of a workspace file, ws-file.h) holds
 *   attributes  kind "train"|"infer"; cache, mlp, bank, loss: the names of
 *               the job's objects; cache_rows and cache_digest (a checksum
 *               of the cache's models, features and labels, 16 hex digits);
 *               the configuration: epochs, warmup, batch, lr, beta1, beta2,
 *               eps, wd, adam "lazy"|"dense", nonneg, seed (decimal text: a
 *               uint64); the progress: epoch, step (within it),
 *               steps_per_epoch, mlp_t, bank_t (Adam step counts)
 *   datasets    shuffle   uint64 [4]      xoshiro256** state of the shuffles
 *               perm      uint32 [n]      row order of the current epoch
 *               mlp_m, mlp_v float32 [P]  MLP Adam moments (train jobs)
 *               bank_m, bank_v float32 [n, d]  bank Adam moments
 *               bank_row_t uint32 [n]     lazy Adam step count of each row
 * The objects themselves are saved as objects beside it (h5-store.h). */
#ifndef RNR_JOB_STATE_H
#define RNR_JOB_STATE_H

#include <hdf5.h>

#include "obj.h"
#include "ws.h"

struct job;

/* Write j's state into the open group g.  A job replaying a fixed batch
 * order (the test fixtures) cannot be saved.  0, or -1 with err_set(). */
int job_state_save(const struct job *j, hid_t g);

/* The job saved in g, over its objects found by name in objs[0..n) (loaded
 * from the same file); the cache alone may instead be in ws, where it must
 * match the saved digest, so checkpoints need not carry it.  Every value
 * is checked against the objects before it is trusted.  The job does not
 * mark its objects busy (job_hold).  NULL with err_set() naming what is
 * missing or wrong. */
struct job *job_state_load(hid_t g, struct obj *const *objs, size_t n,
			   const struct ws *ws);

#endif
