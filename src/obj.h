/* obj.h - the named objects of a workspace.
 *
 * Every object starts with a struct obj header: its type (a table of
 * per-type operations), its name and a provenance note.  Code that needs a
 * particular type asks obj_as() (or ws_get() in ws.h), which reports a wrong
 * type in one call; nothing switches on the type elsewhere. */
#ifndef RNR_OBJ_H
#define RNR_OBJ_H

#include <stddef.h>
#include <stdio.h>

#include <hdf5.h>

struct obj;
struct chart;

/* An object as one numeric array (for `export ... to FILE.npy`): C order,
 * descr a NumPy dtype string ("<f4" float32, "<f8" float64).  data points
 * into the object or to owned, which the caller frees with free(). */
struct obj_array {
	const char *descr;
	size_t ndim;
	size_t shape[2];
	const void *data;
	void *owned;
};

struct obj_type {
	const char *name; /* "cache", "bank", ... as users see it */
	void (*free)(struct obj *o);
	/* multi-line description for `show` */
	void (*describe)(const struct obj *o, FILE *out);
	/* short shape for `list`, e.g. "10000 x 128" */
	void (*shape)(const struct obj *o, char *buf, size_t cap);
	/* bytes of memory the object holds */
	size_t (*bytes)(const struct obj *o);
	/* write into an open HDF5 group (the caller made it and sets the
	 * rnr_type and note attributes); 0 or -1 with err_set() */
	int (*save)(const struct obj *o, hid_t group);
	/* read an object saved by save(); NULL with err_set() */
	struct obj *(*load)(hid_t group, const char *name);
	/* describe the object as a chart (chart.h) for `plot` and `export`;
	 * NULL when the type cannot be drawn.  0 or -1 with err_set(). */
	int (*chart)(const struct obj *o, struct chart *c);
	/* the object's natural array (a bank's rows, a spectrum's values, a
	 * table's numbers); NULL when it has none.  0 or -1 with err_set(). */
	int (*array)(const struct obj *o, struct obj_array *a);
	/* the object as a table for `export ... to FILE.csv` when it has no
	 * chart: a header line, then rows, fields separated by sep; NULL when
	 * it has none.  0 or -1 with err_set(). */
	int (*table)(const struct obj *o, FILE *out, char sep);
};

/* A table of rows x cols float64 values as an owned array; the caller
 * fills the values.  NULL with err_set() on OOM. */
double *obj_array_f64(struct obj_array *a, size_t rows, size_t cols);

struct obj {
	const struct obj_type *type;
	char *name;
	char *note; /* provenance: how it was made (seed, settings, version) */
	/* the MLP GEMM precision of the steps that made it (`set precision`,
	 * nn-bf16.h): "fp32", "bf16", or "mixed" when steps of both changed
	 * it; NULL when not recorded (not made by training, or loaded from a
	 * file written before rnr recorded it).  A static string. */
	const char *precision;
	int busy;   /* > 0 while a running job uses it */
};

/* Initialise the header (copies name; note may be NULL).  -1 on OOM. */
int obj_init(struct obj *o, const struct obj_type *type, const char *name);

/* Replace the provenance note (printf format). */
void obj_set_note(struct obj *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record that a step at precision p ("fp32" or "bf16") changed o: o's
 * precision becomes p, or "mixed" if another one was recorded before. */
void obj_mark_precision(struct obj *o, const char *p);

/* The static string among "fp32", "bf16", "mixed" equal to s, or NULL
 * (for reading the saved attribute back). */
const char *obj_precision_known(const char *s);

/* Free the header's strings (types call it from their free()). */
void obj_fini(struct obj *o);

/* Free an object through its type. */
void obj_free(struct obj *o);

/* o if it has type t, else NULL with "NAME is a X, not a Y". */
void *obj_as(struct obj *o, const struct obj_type *t);

/* Every registered type, for load by rnr_type name; NULL-terminated. */
extern const struct obj_type *const obj_types[];
const struct obj_type *obj_type_find(const char *name);

#endif
