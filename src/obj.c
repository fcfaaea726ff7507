/* obj.c - the object header and the registry of object types. */
#include "obj.h"
#include "err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int obj_init(struct obj *o, const struct obj_type *type, const char *name)
{
	o->type = type;
	o->name = strdup(name);
	o->note = NULL;
	o->precision = NULL;
	o->busy = 0;
	if (!o->name) {
		err_nomem("object name", strlen(name) + 1);
		return -1;
	}
	return 0;
}

void obj_set_note(struct obj *o, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return; /* keep the old note rather than lose it */
	free(o->note);
	o->note = s;
}

const char *obj_precision_known(const char *s)
{
	static const char *const known[] = { "fp32", "bf16", "mixed" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return NULL;
}

void obj_mark_precision(struct obj *o, const char *p)
{
	p = obj_precision_known(p);
	if (!p || o->precision == p)
		return;
	o->precision = o->precision ? obj_precision_known("mixed") : p;
}

void obj_fini(struct obj *o)
{
	free(o->name);
	free(o->note);
	o->name = o->note = NULL;
}

void obj_free(struct obj *o)
{
	if (o)
		o->type->free(o);
}

void *obj_as(struct obj *o, const struct obj_type *t)
{
	if (o->type != t) {
		err_set("%s is a %s, not a %s", o->name, o->type->name, t->name);
		return NULL;
	}
	return o;
}

const struct obj_type *obj_type_find(const char *name)
{
	for (size_t i = 0; obj_types[i]; i++)
		if (strcmp(obj_types[i]->name, name) == 0)
			return obj_types[i];
	return NULL;
}

double *obj_array_f64(struct obj_array *a, size_t rows, size_t cols)
{
	size_t n = rows * cols;
	double *v = malloc(n ? n * sizeof *v : 1);
	if (!v)
		return err_nomem("array", n * sizeof *v);
	*a = (struct obj_array){ "<f8", cols ? 2 : 1, { rows, cols }, v, v };
	return v;
}
