/* ws.c - the workspace of named objects (see ws.h). */
#include "ws.h"
#include "err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void ws_init(struct ws *w)
{
	w->obj = NULL;
	w->n = w->cap = 0;
}

void ws_free(struct ws *w)
{
	for (size_t i = 0; i < w->n; i++)
		obj_free(w->obj[i]);
	free(w->obj);
	ws_init(w);
}

int ws_check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len >= WS_NAME_MAX) {
		err_set("bad object name '%s': 1 to %d characters", name, WS_NAME_MAX - 1);
		return -1;
	}
	if (!isalpha((unsigned char)name[0]) && name[0] != '_') {
		err_set("bad object name '%s': must start with a letter or '_'", name);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
			err_set("bad object name '%s': only letters, digits, '_', '-' and '.'", name);
			return -1;
		}
	}
	return 0;
}

static long ws_index(const struct ws *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->obj[i]->name, name) == 0)
			return (long)i;
	return -1;
}

struct obj *ws_find(const struct ws *w, const char *name)
{
	long i = ws_index(w, name);
	return i < 0 ? NULL : w->obj[i];
}

int ws_check_new_name(const struct ws *w, const char *name)
{
	if (ws_check_name(name) < 0)
		return -1;
	if (ws_find(w, name)) {
		err_set("an object named '%s' exists already (drop or rename it first)", name);
		return -1;
	}
	return 0;
}

void *ws_get(const struct ws *w, const char *name, const struct obj_type *t)
{
	struct obj *o = ws_find(w, name);
	if (!o) {
		err_set("no object named '%s' (see `list`)", name);
		return NULL;
	}
	return t ? obj_as(o, t) : o;
}

static int ws_reserve(struct ws *w, size_t extra)
{
	if (w->n + extra <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 16;
	while (cap < w->n + extra)
		cap *= 2;
	struct obj **p = realloc(w->obj, cap * sizeof *p);
	if (!p) {
		err_nomem("workspace table", cap * sizeof *p);
		return -1;
	}
	w->obj = p;
	w->cap = cap;
	return 0;
}

/* Checks that all of o can be added; nothing changes. */
static int ws_check_add(const struct ws *w, struct obj **o, size_t n, int replace)
{
	for (size_t i = 0; i < n; i++) {
		if (ws_check_name(o[i]->name) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(o[i]->name, o[j]->name) == 0) {
				err_set("two new objects are both named '%s'", o[i]->name);
				return -1;
			}
		struct obj *old = ws_find(w, o[i]->name);
		if (!replace && ws_check_new_name(w, o[i]->name) < 0)
			return -1;
		if (old && old->busy) {
			err_set("'%s' is in use by a running job", old->name);
			return -1;
		}
	}
	return 0;
}

int ws_add_all(struct ws *w, struct obj **o, size_t n, int replace)
{
	if (ws_check_add(w, o, n, replace) < 0 || ws_reserve(w, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		long at = ws_index(w, o[i]->name);
		if (at >= 0) {
			obj_free(w->obj[at]);
			w->obj[at] = o[i];
		} else {
			w->obj[w->n++] = o[i];
		}
	}
	return 0;
}

int ws_add(struct ws *w, struct obj *o, int replace)
{
	return ws_add_all(w, &o, 1, replace);
}

void ws_detach(struct ws *w, struct obj *o)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->obj[i] == o) {
			memmove(w->obj + i, w->obj + i + 1, (w->n - i - 1) * sizeof *w->obj);
			w->n--;
			return;
		}
}

int ws_drop(struct ws *w, const char *name)
{
	struct obj *o = ws_get(w, name, NULL);
	if (!o)
		return -1;
	if (o->busy) {
		err_set("'%s' is in use by a running job", name);
		return -1;
	}
	ws_detach(w, o);
	obj_free(o);
	return 0;
}

int ws_rename(struct ws *w, const char *old_name, const char *new_name)
{
	struct obj *o = ws_get(w, old_name, NULL);
	if (!o)
		return -1;
	if (o->busy) {
		err_set("'%s' is in use by a running job", old_name);
		return -1;
	}
	if (ws_check_new_name(w, new_name) < 0)
		return -1;
	char *s = strdup(new_name);
	if (!s) {
		err_nomem("object name", strlen(new_name) + 1);
		return -1;
	}
	free(o->name);
	o->name = s;
	return 0;
}
