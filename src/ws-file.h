/* ws-file.h - workspace files: a session's objects, its settings and its
 * unfinished job in one HDF5 file (`save * to FILE`, `restore FILE`), and
 * the checkpoints a job writes as it trains (`train ... checkpoint=FILE`).
 *
 * A workspace file is an object file (h5-store.h: `load` reads its objects
 * and ignores the rest) with
 *   root attributes  rnr_workspace int64: the format version (WS_FILE_FORMAT);
 *                    rnr_version: the rnr that wrote it
 *   /.settings       one string attribute per setting, as `get` prints it
 *   /.job            the unfinished job (job-state.h), when there is one,
 *                    with attributes checkpoint (a file) and
 *                    checkpoint_every (epochs) when it writes checkpoints
 * A checkpoint is a workspace file of the job's MLP set, bank and loss
 * history, the settings and the job; it names and checksums the job's
 * cache instead of holding it.  Both are written with h5_store_save_with():
 * aside, synced, renamed. */
#ifndef RNR_WS_FILE_H
#define RNR_WS_FILE_H

#include <stddef.h>

#include "obj.h"
#include "settings.h"
#include "ws.h"

/* The format this rnr writes; it reads this and every earlier one. */
#define WS_FILE_FORMAT 1

struct job;

/* What a workspace file held. */
struct ws_file {
	struct obj **objs;       /* [n] its objects, in the order saved */
	size_t n;
	struct settings set;     /* its settings (the caller's for any it lacks) */
	struct job *job;         /* its unfinished job over objs (and the cache
				  * of the workspace), not busy; NULL if none */
	int job_finished;        /* it held a job that had run all its epochs */
	char *ckpt_path;         /* where the job writes checkpoints, or NULL */
	size_t ckpt_every;       /* every so many epochs */
};

/* Save objs[0..n), the settings and the unfinished job (NULL: none; its
 * objects need not be among objs, but a job whose MLP set, bank or loss
 * history is left out cannot be restored) with its checkpoint settings
 * (ckpt_path NULL: none) to path.  0, or -1 with err_set(). */
int ws_file_save(const char *path, struct obj *const *objs, size_t n,
		 const struct settings *set, const struct job *job,
		 const char *ckpt_path, size_t ckpt_every);

/* Write a checkpoint of job to path (see above).  0, or -1 with err_set(). */
int ws_file_checkpoint(const char *path, const struct settings *set, const struct job *job,
		       size_t every);

/* Read the workspace file path: its objects, its settings over cur, and
 * its job, whose cache may be in ws instead (job-state.h).  All or
 * nothing: 0 with *out filled (free with ws_file_free()), or -1 with
 * err_set() and nothing allocated.  A file without rnr_workspace, or of a
 * newer format, is refused. */
int ws_file_load(const char *path, const struct ws *ws, const struct settings *cur,
		 struct ws_file *out);

/* Free what out still owns: the job, the checkpoint path, and the objects
 * and their array unless the caller took them (set objs to NULL). */
void ws_file_free(struct ws_file *out);

#endif
