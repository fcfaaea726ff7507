/* ws.h - the workspace: the user's named objects and settings.
 *
 * Objects are owned by the workspace once added.  Every mutating call either
 * succeeds or leaves the workspace exactly as it was. */
#ifndef RNR_WS_H
#define RNR_WS_H

#include <stddef.h>
#include <stdint.h>

#include "obj.h"

#define WS_NAME_MAX 128

struct ws {
	struct obj **obj; /* [n], in insertion order */
	size_t n, cap;
};

void ws_init(struct ws *w);
void ws_free(struct ws *w);

/* Is name a valid object name?  Letters, digits, '_', '-', '.', starting
 * with a letter or '_', at most WS_NAME_MAX-1 bytes.  -1 with err_set(). */
int ws_check_name(const char *name);

/* Is name valid and free, for an object about to be made?  -1 with
 * err_set() otherwise. */
int ws_check_new_name(const struct ws *w, const char *name);

/* The object called name, or NULL (no error recorded). */
struct obj *ws_find(const struct ws *w, const char *name);

/* The object called name with type t (t NULL: any type), or NULL with
 * "no object NAME" / "NAME is a X, not a Y". */
void *ws_get(const struct ws *w, const char *name, const struct obj_type *t);

/* Add o (takes ownership on success).  Fails if the name is taken, unless
 * replace is set: then the old object is freed (refused if it is busy). */
int ws_add(struct ws *w, struct obj *o, int replace);

/* Add several objects at once: all or nothing. */
int ws_add_all(struct ws *w, struct obj **o, size_t n, int replace);

/* Remove and free.  Refused while the object is busy. */
int ws_drop(struct ws *w, const char *name);

int ws_rename(struct ws *w, const char *old_name, const char *new_name);

/* Take o out of the workspace without freeing it. */
void ws_detach(struct ws *w, struct obj *o);

#endif
