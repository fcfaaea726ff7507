/* h5-pattern.c - {model}/{split} patterns and name sets (see h5-pattern.h). */
#include "h5-pattern.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

int strset_add(struct strset *s, const char *str)
{
	size_t i = 0;
	while (i < s->n && strcmp(s->v[i], str) < 0)
		i++;
	if (i < s->n && strcmp(s->v[i], str) == 0)
		return 0;
	char **v = realloc(s->v, (s->n + 1) * sizeof *v);
	char *c = strdup(str);
	if (v)
		s->v = v;
	if (!v || !c) {
		free(c);
		err_nomem("name list", (s->n + 1) * sizeof *v);
		return -1;
	}
	memmove(&v[i + 1], &v[i], (s->n - i) * sizeof *v);
	v[i] = c;
	s->n++;
	return 0;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int strset_parse_list(struct strset *s, const char *list, const char *what)
{
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		if (len == 0) {
			err_set("%s=%s: empty name in the list", what, list);
			return -1;
		}
		char **v = realloc(s->v, (s->n + 1) * sizeof *v);
		if (!v) {
			err_nomem("name list", (s->n + 1) * sizeof *v);
			return -1;
		}
		s->v = v;
		if (!(v[s->n] = strndup(p, len))) {
			err_nomem("name", len + 1);
			return -1;
		}
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(v[i], v[s->n]) == 0) {
				err_set("%s=%s: '%s' is listed twice", what, list, v[i]);
				free(v[s->n]);
				return -1;
			}
		s->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int pat_has(const char *pat, const char *ph)
{
	return strstr(pat, ph) != NULL;
}

static char *subst_with(const char *pat, const char *model, const char *split,
			const char *left)
{
	size_t cap = strlen(pat) + 1, k = 0;
	const char *vals[2] = { model ? model : left, split ? split : left };
	const char *ph[2] = { PAT_MODEL, PAT_SPLIT };
	for (int i = 0; i < 2; i++)
		if (vals[i])
			for (const char *p = strstr(pat, ph[i]); p; p = strstr(p + 1, ph[i]))
				cap += strlen(vals[i]);
	char *out = malloc(cap);
	if (!out)
		return err_nomem("file name", cap);
	for (const char *p = pat; *p;) {
		int hit = -1;
		for (int i = 0; i < 2 && hit < 0; i++)
			if (vals[i] && !strncmp(p, ph[i], strlen(ph[i])))
				hit = i;
		if (hit < 0) {
			out[k++] = *p++;
			continue;
		}
		memcpy(out + k, vals[hit], strlen(vals[hit]));
		k += strlen(vals[hit]);
		p += strlen(ph[hit]);
	}
	out[k] = '\0';
	return out;
}

char *pat_subst(const char *pat, const char *model, const char *split)
{
	return subst_with(pat, model, split, NULL);
}

char *pat_glob(const char *pat)
{
	return subst_with(pat, NULL, NULL, "*");
}

struct matcher {
	const char *val[2]; /* start of each placeholder's value in name */
	size_t len[2];
	const char *first[2];
	size_t first_len[2];
	int ways;
};

/* count the ways pat[...] matches name[...] (stops counting at 2).  Only a
 * placeholder's first use branches (one call per length it tries), so the
 * recursion is at most two deep whatever the lengths of pat and name:
 * names come from files and can be long. */
static void match_from(struct matcher *m, const char *pat, const char *name)
{
	static const char *const ph[2] = { PAT_MODEL, PAT_SPLIT };
	for (;;) {
		if (m->ways >= 2)
			return;
		int i = 0;
		while (i < 2 && strncmp(pat, ph[i], strlen(ph[i])) != 0)
			i++;
		if (i < 2 && m->val[i]) { /* a second use must repeat its value */
			if (strncmp(name, m->val[i], m->len[i]) != 0)
				return;
			pat += strlen(ph[i]);
			name += m->len[i];
			continue;
		}
		if (i < 2) {
			for (size_t n = 1; name[n - 1] && name[n - 1] != '/'; n++) {
				m->val[i] = name;
				m->len[i] = n;
				match_from(m, pat + strlen(ph[i]), name + n);
			}
			m->val[i] = NULL;
			return;
		}
		if (!*pat) {
			if (!*name && m->ways++ == 0)
				for (int k = 0; k < 2; k++) {
					m->first[k] = m->val[k];
					m->first_len[k] = m->len[k];
				}
			return;
		}
		if (*pat != *name)
			return;
		pat++;
		name++;
	}
}

int pat_match(const char *pat, const char *name, char **model, char **split)
{
	struct matcher m = { { NULL, NULL }, { 0, 0 }, { NULL, NULL }, { 0, 0 }, 0 };
	char **out[2] = { model, split };
	match_from(&m, pat, name);
	for (int i = 0; i < 2; i++) {
		if (out[i])
			*out[i] = NULL;
		if (m.ways && out[i] && m.first[i] && !(*out[i] = strndup(m.first[i], m.first_len[i]))) {
			if (i == 1 && out[0])
				free(*out[0]);
			err_nomem("name", m.first_len[i] + 1);
			return -1;
		}
	}
	return m.ways;
}
