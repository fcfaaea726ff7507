/* h5-store.h - saving workspace objects to HDF5 and loading them back.
 *
 * A saved file holds one group per object, /<name>, with three string
 * attributes: rnr_type (the obj_type name), rnr_version (the rnr that wrote
 * it) and note (its provenance), and a fourth, precision ("fp32", "bf16" or
 * "mixed": obj.h), on an object made by training steps.  Inside, the type's save() writes plain
 * datasets and attributes that h5py reads without rnr.  Files are written
 * with the earliest HDF5 format that holds them (readable by HDF5 1.8). */
#ifndef RNR_H5_STORE_H
#define RNR_H5_STORE_H

#include <stddef.h>

#include "obj.h"

/* Save objs[0..n) to path, replacing it atomically: the file is written as
 * path.tmp-rnr-PID-XXXXXX in the same directory (PID: the writing
 * process), synced, and renamed over path, and the directory is synced.
 * On any failure the temporary file is removed and an existing path is
 * left exactly as it was; a process killed mid-save leaves its temporary
 * file, which the next save to path removes once that process is gone.
 * Names must be distinct.  0, or -1 with err_set() naming the object or
 * step that failed. */
int h5_store_save(const char *path, struct obj *const *objs, size_t n);

/* Writes what a file holds besides its objects into the open file f, after
 * the objects (h5_store_save_with); 0 or -1 with err_set(). */
typedef int (*h5_store_write_fn)(hid_t f, void *ctx);

/* h5_store_save() with extra(f, ctx) run before the file is closed: its
 * data lands atomically with the objects.  With extra, n may be 0. */
int h5_store_save_with(const char *path, struct obj *const *objs, size_t n,
		       h5_store_write_fn extra, void *ctx);

/* Does path hold saved rnr objects (a top-level group with an rnr_type
 * attribute)?  1 or 0; -1 with err_set() when path is missing, unreadable
 * or not HDF5 - so a caller choosing between h5_store_load() and
 * h5_cache_load() reports a bad file once. */
int h5_store_is_objects(const char *path);

/* Load every saved object of path (groups without rnr_type are ignored),
 * in the order they were saved, each through obj_type_find(rnr_type)->load
 * with its note restored.  All or nothing: 0 with *objs a malloc'd array
 * of *n new objects (the caller owns both), or -1 with err_set() and
 * nothing allocated. */
int h5_store_load(const char *path, struct obj ***objs, size_t *n);

/* Reads what a file holds besides its objects from the open file f once
 * its objects objs[0..n) are loaded (h5_store_load_with); 0, or -1 with
 * err_set(), which makes the whole load fail. */
typedef int (*h5_store_read_fn)(hid_t f, struct obj *const *objs, size_t n, void *ctx);

/* h5_store_load() with extra(f, ...) run on the loaded objects before the
 * file is closed.  With extra, a file of no objects is not an error. */
int h5_store_load_with(const char *path, struct obj ***objs, size_t *n,
		       h5_store_read_fn extra, void *ctx);

#endif
