/* h5-store.c - save objects to HDF5 atomically and load them back (see
 * h5-store.h). */
#include "config.h"

#include "h5-store.h"
#include "err.h"
#include "h5-rehearse.h"
#include "h5-attrio.h"
#include "h5-mpio.h"
#include "h5-store-par.h"
#include "h5-util.h"
#include "par-mpi.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- saving ------------------------------------------------------------------ */

/* The mode a newly created file gets (0666 less the umask).  The umask is
 * read from /proc: umask(2) can only be read by changing it, which would
 * race with other threads creating files. */
static mode_t new_file_mode(void)
{
	unsigned mask = 022;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mode_t)(0666 & ~mask);
}

static int check_objects(struct obj *const *objs, size_t n, int may_be_empty)
{
	if (n == 0 && !may_be_empty) {
		err_set("nothing to save");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = objs[i]->name;
		if (!name[0] || strchr(name, '/') || !strcmp(name, ".")) {
			err_set("'%s' cannot name an HDF5 group", name);
			return -1;
		}
		if (!objs[i]->type->save) {
			err_set("%s: a %s cannot be saved", name, objs[i]->type->name);
			return -1;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(objs[k]->name, name) == 0) {
				err_set("%s is named twice", name);
				return -1;
			}
	}
	return 0;
}

/* The directory part of path ("." when it has none), malloc'd; *base
 * points at the name part inside path.  NULL on out of memory. */
static char *dir_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!slash)
		return strdup(".");
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	return strndup(path, len);
}

/* The temporary files are named path.tmp-rnr-PID-XXXXXX: PID tells a
 * person which process wrote one, and tells a later save whether that
 * process is gone (killed mid-save), in which case its file is debris. */
#define TEMP_TAG ".tmp-rnr-"

/* Remove the temporary files of earlier saves to path whose writer no
 * longer runs on this machine.  Best effort: a file it cannot judge or
 * remove stays. */
static void remove_stale_temps(const char *path)
{
	const char *base;
	char *dir = dir_of(path, &base);
	DIR *d = dir ? opendir(dir) : NULL;
	size_t blen = strlen(base), tlen = strlen(TEMP_TAG);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *nm = e->d_name;
		if (strncmp(nm, base, blen) != 0 || strncmp(nm + blen, TEMP_TAG, tlen) != 0)
			continue;
		char *end;
		errno = 0;
		long pid = strtol(nm + blen + tlen, &end, 10);
		if (errno || end == nm + blen + tlen || *end != '-' || strlen(end) != 7 ||
		    pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to judge */
		size_t len = strlen(dir) + 1 + strlen(nm) + 1;
		char *full = malloc(len);
		if (full) {
			snprintf(full, len, "%s/%s", dir, nm);
			unlink(full);
		}
		free(full);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* Create the temporary file beside path: *tmp gets its malloc'd name. */
static int make_temp(const char *path, char **tmp)
{
	remove_stale_temps(path);
	size_t len = strlen(path) + sizeof TEMP_TAG + 24 + sizeof "-XXXXXX";
	char *t = malloc(len);
	if (!t) {
		err_nomem("file name", len);
		return -1;
	}
	snprintf(t, len, "%s" TEMP_TAG "%ld-XXXXXX", path, (long)getpid());
	int fd = mkstemp(t);
	if (fd < 0) {
		err_set("cannot write %s: %s", path, strerror(errno));
		free(t);
		return -1;
	}
	/* mkstemp makes it 0600; the saved file should look like any other */
	if (fchmod(fd, new_file_mode()) < 0 || close(fd) < 0) {
		err_set("cannot write %s: %s", t, strerror(errno));
		unlink(t);
		free(t);
		return -1;
	}
	*tmp = t;
	return 0;
}

/* /<name> with the header attributes, filled by the type's save() */
static int save_object(hid_t f, const struct obj *o)
{
	hid_t g = H5Gcreate2(f, o->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (g < 0) {
		h5u_err("cannot create group /%s", o->name);
		return -1;
	}
	int rc = h5u_write_str_attr(g, "rnr_type", o->type->name);
	if (rc == 0)
		rc = h5u_write_str_attr(g, "rnr_version", PACKAGE_VERSION);
	if (rc == 0)
		rc = h5u_write_str_attr(g, "note", o->note ? o->note : "");
	if (rc == 0 && o->precision)
		rc = h5u_write_str_attr(g, "precision", o->precision);
	if (rc == 0)
		rc = o->type->save(o, g);
	if (H5Gclose(g) < 0 && rc == 0) {
		h5u_err("cannot write group /%s", o->name);
		rc = -1;
	}
	if (rc < 0)
		err_prefix("saving %s", o->name);
	return rc;
}

/* Write every object, then extra, into the (existing, empty) file tmp. */
static int write_file(const char *tmp, struct obj *const *objs, size_t n,
		      h5_store_write_fn extra, void *ctx)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), fcpl = H5Pcreate(H5P_FILE_CREATE);
	hid_t f = -1;
	/* earliest format that holds the data: HDF5 1.8 and h5py read it;
	 * STRONG close so nothing keeps the file open after an error;
	 * root creation order so objects load back in the order saved */
	if (fapl >= 0 && fcpl >= 0 &&
	    H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) >= 0 &&
	    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
	    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0)
		f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
	if (f < 0)
		h5u_err("cannot create %s", tmp);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (f < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		h5_store_par_object(i);
		rc = save_object(f, objs[i]);
	}
	if (rc == 0 && extra)
		rc = extra(f, ctx);
	if (H5Fclose(f) < 0 && rc == 0) {
		h5u_err("cannot finish %s", tmp);
		rc = -1;
	}
	return rc;
}

/* fsync a file by name (a directory too: makes a rename durable) */
static int sync_path(const char *p, int dir)
{
	int fd = open(p, dir ? O_RDONLY | O_DIRECTORY : O_RDWR);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* The file's first phase: the objects written into a new temporary file
 * beside path, *tmp its malloc'd name; on failure nothing is left. */
static int save_begin(const char *path, struct obj *const *objs, size_t n,
		      h5_store_write_fn extra, void *ctx, char **tmp)
{
	h5u_quiet();
	if (check_objects(objs, n, extra != NULL) < 0 || make_temp(path, tmp) < 0)
		return -1;
	if (write_file(*tmp, objs, n, extra, ctx) < 0) {
		err_prefix("%s", path);
		unlink(*tmp);
		free(*tmp);
		return -1;
	}
	return 0;
}

/* The last: tmp (written when rc is 0) synced and renamed to path, or
 * removed; tmp freed. */
static int save_finish(const char *path, char *tmp, int rc)
{
	if (rc == 0 && sync_path(tmp, 0) < 0) {
		err_set("cannot sync %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		err_set("cannot replace %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		err_prefix("%s", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	/* the data is in place; a failed directory sync only weakens the
	 * guarantee across a power cut, so it is not an error */
	const char *base;
	char *dir = dir_of(path, &base);
	if (dir)
		sync_path(dir, 1);
	free(dir);
	return 0;
}

/* Under MPI every rank holds the same objects: rank 0 writes the file but
 * for the banks' rows, which every rank writes its shard of through
 * parallel HDF5 (h5-store-par.h); every rank returns the result. */
int h5_store_save_with(const char *path, struct obj *const *objs, size_t n,
		       h5_store_write_fn extra, void *ctx)
{
	char *tmp = NULL;
	if (!h5_mpio_shared()) {
		if (save_begin(path, objs, n, extra, ctx, &tmp) < 0)
			return -1;
		return save_finish(path, tmp, 0);
	}
	int rc = 0;
	if (ranks_rank() == 0) {
		h5_store_par_begin();
		rc = save_begin(path, objs, n, extra, ctx, &tmp);
		h5_store_par_end();
	}
	if (ranks_root_result(rc) < 0)
		return -1;
	rc = h5_store_par_write(tmp, objs, n);
	if (rc < 0)
		err_prefix("%s", path);
	if (ranks_rank() == 0)
		rc = save_finish(path, tmp, rc) < 0 ? -1 : rc;
	return ranks_root_result(rc);
}

int h5_store_save(const char *path, struct obj *const *objs, size_t n)
{
	return h5_store_save_with(path, objs, n, NULL, NULL);
}

/* ---- loading ------------------------------------------------------------------ */

/* rnr_type of top-level link name: 1 with *type malloc'd, 0 if it is not a
 * saved object, -1 with err_set() */
static int object_type_of(hid_t f, const char *name, char **type)
{
	if (h5u_obj_type(f, name) != H5O_TYPE_GROUP)
		return 0;
	htri_t has = H5Aexists_by_name(f, name, "rnr_type", H5P_DEFAULT);
	if (has <= 0) {
		if (has < 0)
			h5u_err("/%s", name);
		return has < 0 ? -1 : 0;
	}
	hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
	char **v = NULL;
	size_t nv = 0;
	int rc = g < 0 ? -1 : h5u_attr_text(g, "rnr_type", &v, &nv);
	if (g < 0)
		h5u_err("cannot open /%s", name);
	else
		H5Gclose(g);
	if (rc < 0)
		return -1;
	*type = nv == 1 ? v[0] : strdup("");
	if (nv == 1)
		v[0] = NULL;
	h5u_strings_free(v, nv);
	return *type ? 1 : -1;
}

/* the children of h5_rehearse(): they free what they loaded (see
 * h5-cache.c's rehearse_load) */
static void rehearse_is_objects(void *path)
{
	h5_store_is_objects(path);
}

static void rehearse_load(void *path)
{
	struct obj **objs;
	size_t n;
	if (h5_store_load(path, &objs, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		obj_free(objs[i]);
	free(objs);
}

int h5_store_is_objects(const char *path)
{
	h5u_quiet();
	if (h5_rehearse(path, rehearse_is_objects, (void *)path) < 0)
		return -1;
	hid_t f = h5u_open_read(path);
	if (f < 0)
		return -1;
	char **names = NULL;
	size_t n = 0;
	int found = h5u_list_links(f, &names, &n);
	if (found < 0)
		err_prefix("%s", path);
	for (size_t i = 0; found == 0 && i < n; i++) {
		char *type = NULL;
		found = object_type_of(f, names[i], &type);
		free(type);
	}
	if (found < 0)
		err_prefix("%s", path);
	h5u_strings_free(names, n);
	H5Fclose(f);
	return found;
}

/* the note attribute as the object's note ("" means none) */
static void restore_note(hid_t g, struct obj *o)
{
	char **v = NULL;
	size_t nv = 0;
	free(o->note);
	o->note = NULL;
	if (H5Aexists(g, "note") > 0 && h5u_attr_text(g, "note", &v, &nv) == 0 &&
	    nv == 1 && v[0][0]) {
		o->note = v[0];
		v[0] = NULL;
	}
	H5Eclear2(H5E_DEFAULT);
	err_clear();
	h5u_strings_free(v, nv);
}

/* the precision attribute, when there is one (older files have none: the
 * object's precision stays NULL, "not recorded"); an unknown value is an
 * error naming it */
static int restore_precision(hid_t g, const char *path, struct obj *o)
{
	char *v = NULL;
	if (H5Aexists(g, "precision") <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return 0;
	}
	if (h5u_attr_string(g, "precision", &v) < 0) {
		err_prefix("%s: /%s: attribute precision", path, o->name);
		return -1;
	}
	o->precision = obj_precision_known(v);
	if (!o->precision)
		err_set("%s: /%s: attribute precision is '%s', not fp32, bf16 or mixed", path,
			o->name, v);
	free(v);
	return o->precision ? 0 : -1;
}

/* load /<name> saved as type tname */
static struct obj *load_object(hid_t f, const char *path, const char *name,
			       const char *tname)
{
	const struct obj_type *t = obj_type_find(tname);
	if (!t || !t->load) {
		char known[256] = "";
		for (size_t i = 0; obj_types[i]; i++)
			snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
				 i ? ", " : "", obj_types[i]->name);
		err_set("%s: /%s: unknown object type '%s' (this rnr knows %s)", path,
			name, tname, known);
		return NULL;
	}
	hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
	if (g < 0) {
		h5u_err("%s: cannot open /%s", path, name);
		return NULL;
	}
	struct obj *o = t->load(g, name);
	if (o)
		restore_note(g, o);
	if (o && restore_precision(g, path, o) < 0) {
		obj_free(o);
		o = NULL;
	}
	H5Gclose(g);
	if (!o)
		err_prefix("loading %s", name);
	return o;
}

/* all or nothing over the top-level links of f */
static int load_all(hid_t f, const char *path, char **names, size_t n,
		    struct obj **out, size_t *n_out, h5_store_read_fn extra, void *ctx)
{
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *tname = NULL;
		rc = object_type_of(f, names[i], &tname);
		if (rc < 0) {
			err_prefix("%s", path);
		} else if (rc == 1) {
			rc = (out[k] = load_object(f, path, names[i], tname)) ? 0 : -1;
			k += rc == 0;
		}
		free(tname);
	}
	if (rc == 0 && k == 0 && !extra) {
		err_set("%s: holds no saved rnr objects (no group with an rnr_type attribute)",
			path);
		rc = -1;
	}
	if (rc == 0 && extra && (rc = extra(f, out, k, ctx)) < 0)
		err_prefix("%s", path);
	if (rc < 0) {
		while (k > 0)
			obj_free(out[--k]);
		return -1;
	}
	*n_out = k;
	return 0;
}

int h5_store_load_with(const char *path, struct obj ***objs, size_t *n,
		       h5_store_read_fn extra, void *ctx)
{
	h5u_quiet();
	if (h5_rehearse(path, rehearse_load, (void *)path) < 0)
		return -1;
	hid_t f = h5u_open_read(path);
	if (f < 0)
		return -1;
	char **names = NULL;
	size_t nn = 0;
	struct obj **out = NULL;
	int rc = h5u_list_links(f, &names, &nn);
	if (rc < 0)
		err_prefix("%s", path);
	else if (!(out = calloc(nn ? nn : 1, sizeof *out))) {
		err_nomem("objects", nn * sizeof *out);
		rc = -1;
	}
	if (rc == 0)
		rc = load_all(f, path, names, nn, out, n, extra, ctx);
	h5u_strings_free(names, nn);
	H5Fclose(f);
	if (rc < 0) {
		free(out);
		return -1;
	}
	*objs = out;
	return 0;
}

int h5_store_load(const char *path, struct obj ***objs, size_t *n)
{
	return h5_store_load_with(path, objs, n, NULL, NULL);
}
