/* h5-attr.c - the attributes of a file's groups as text (see h5-attr.h). */
#include "h5-attr.h"
#include "err.h"
#include "h5-attrio.h"
#include "h5-util.h"

#include <stdlib.h>
#include <string.h>

void h5_attr_free(struct attr *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++) {
		free(a[i].key);
		h5u_strings_free(a[i].v, a[i].n);
	}
	free(a);
}

int h5_attr_copy(struct attr **dst, const struct attr *src, size_t n)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	struct attr *a = calloc(n, sizeof *a);
	if (!a) {
		err_nomem("attributes", n * sizeof *a);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		a[i].key = strdup(src[i].key);
		a[i].v = calloc(src[i].n ? src[i].n : 1, sizeof *a[i].v);
		int ok = a[i].key && a[i].v;
		for (size_t k = 0; ok && k < src[i].n; k++) {
			ok = (a[i].v[k] = strdup(src[i].v[k])) != NULL;
			a[i].n = k + ok;
		}
		if (!ok) {
			h5_attr_free(a, i + 1);
			err_nomem("attributes", strlen(src[i].key) + 1);
			return -1;
		}
	}
	*dst = a;
	return 0;
}

static int cmp_attr_key(const void *a, const void *b)
{
	return strcmp(((const struct attr *)a)->key, ((const struct attr *)b)->key);
}


struct attr_scan {
	struct attr *a;
	size_t n;
	int skip_reserved; /* leave out what the object header owns */
	int failed;
};

static int is_reserved_attr(const char *key)
{
	return strcmp(key, "rnr_type") == 0 || strcmp(key, "rnr_version") == 0 ||
	       strcmp(key, "note") == 0;
}

static herr_t attr_cb(hid_t loc, const char *key, const H5A_info_t *info, void *data)
{
	struct attr_scan *s = data;
	(void)info;
	if (s->skip_reserved && is_reserved_attr(key))
		return 0;
	/* a cache saves its own attributes of these names as attr_<name> */
	const char *as = s->skip_reserved && !strncmp(key, "attr_", 5) &&
			 is_reserved_attr(key + 5) ? key + 5 : key;
	struct attr *a = realloc(s->a, (s->n + 1) * sizeof *a);
	if (!a) {
		err_nomem("attributes", (s->n + 1) * sizeof *a);
		s->failed = 1;
		return -1;
	}
	s->a = a;
	struct attr *e = &a[s->n];
	e->key = strdup(as);
	if (!e->key || h5u_attr_text(loc, key, &e->v, &e->n) < 0) {
		if (!e->key)
			err_nomem("attribute name", strlen(as) + 1);
		free(e->key);
		s->failed = 1;
		return -1;
	}
	s->n++;
	return 0;
}

/* All attributes of obj in name order, merged over base[0..n_base) (obj's
 * own win on equal keys).  0 or -1 with err_set(). */
int h5_attr_read(hid_t obj, const struct attr *base, size_t n_base,
		      int skip_reserved, struct attr **out, size_t *n_out)
{
	struct attr_scan s = { .a = NULL, .n = 0, .skip_reserved = skip_reserved };
	if (n_base && h5_attr_copy(&s.a, base, n_base) < 0)
		return -1;
	size_t first_own = s.n = n_base;
	hsize_t idx = 0;
	if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, &s) < 0) {
		if (!s.failed)
			h5u_err("cannot list attributes");
		h5_attr_free(s.a, s.n);
		return -1;
	}
	/* drop base entries that the object's own attributes replace */
	size_t k = 0;
	for (size_t i = 0; i < s.n; i++) {
		int shadowed = 0;
		for (size_t j = first_own; i < first_own && j < s.n && !shadowed; j++)
			shadowed = strcmp(s.a[i].key, s.a[j].key) == 0;
		if (shadowed) {
			h5u_strings_free(s.a[i].v, s.a[i].n);
			free(s.a[i].key);
		} else {
			s.a[k++] = s.a[i];
		}
	}
	/* name order whatever the file's names were: attr_note read back as
	 * note sorts where note does, so a save/load round trip keeps it */
	if (k > 1)
		qsort(s.a, k, sizeof *s.a, cmp_attr_key);
	*out = s.a;
	*n_out = k;
	return 0;
}

const struct attr *h5_attr_find(const struct attr *a, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].key, key) == 0)
			return &a[i];
	return NULL;
}
