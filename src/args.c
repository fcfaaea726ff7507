/* args.c - sorting a call into positionals, options and keywords, and the
 * range-checked value accessors (see args.h). */
#include "args.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Is word in the space-separated list? */
static int in_list(const char *list, const char *word, size_t len)
{
	if (!list)
		return 0;
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n && n == len && strncmp(p, word, len) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* Length of the key of an option word "key=value", or 0 if not one. */
static size_t option_key_len(const struct token *t)
{
	if (t->quoted || !(isalpha((unsigned char)t->s[0]) || t->s[0] == '_'))
		return 0;
	size_t i = 0;
	while (isalnum((unsigned char)t->s[i]) || t->s[i] == '_' || t->s[i] == '-')
		i++;
	return t->s[i] == '=' ? i : 0;
}

static int add_opt(struct opt *list, size_t *n, const char *key, const char *val,
		   const char *what)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i].key, key) == 0) {
			err_set("%s '%s' given twice", what, key);
			return -1;
		}
	if (*n == ARGS_MAX) {
		err_set("too many arguments (at most %d)", ARGS_MAX);
		return -1;
	}
	list[*n].key = key;
	list[*n].val = val;
	(*n)++;
	return 0;
}

int args_parse(struct args *a, const struct cmd *c, const struct cmd_call *call)
{
	memset(a, 0, sizeof *a);
	a->cmd = c;
	for (size_t i = 1; i < call->n; i++) {
		struct token *t = &call->tok[i];
		size_t klen = option_key_len(t);
		if (klen) {
			t->s[klen] = '\0'; /* split "key=value" in place */
			if (!in_list(c->options, t->s, klen)) {
				err_set("unknown option '%s' (options: %s)", t->s,
					c->options ? c->options : "none");
				t->s[klen] = '=';
				return -1;
			}
			if (add_opt(a->opt, &a->n_opt, t->s, t->s + klen + 1, "option") < 0)
				return -1;
		} else if (!t->quoted && in_list(c->keywords, t->s, strlen(t->s))) {
			if (i + 1 >= call->n) {
				err_set("'%s' needs a value; usage: %s", t->s, c->usage);
				return -1;
			}
			if (add_opt(a->kw, &a->n_kw, t->s, call->tok[++i].s, "keyword") < 0)
				return -1;
		} else {
			if (a->n_pos == ARGS_MAX) {
				err_set("too many arguments (at most %d)", ARGS_MAX);
				return -1;
			}
			a->pos[a->n_pos++] = t->s;
		}
	}
	if (a->n_pos < c->min_args || a->n_pos > c->max_args) {
		err_set("%s arguments; usage: %s",
			a->n_pos < c->min_args ? "too few" : "too many", c->usage);
		return -1;
	}
	return 0;
}

static const char *find(const struct opt *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].key, key) == 0)
			return list[i].val;
	return NULL;
}

const char *args_kw(const struct args *a, const char *kw)
{
	return find(a->kw, a->n_kw, kw);
}

const char *args_str(const struct args *a, const char *key, const char *def)
{
	const char *v = find(a->opt, a->n_opt, key);
	return v ? v : def;
}

int args_u64(const struct args *a, const char *key, uint64_t def, uint64_t *out)
{
	const char *v = args_str(a, key, NULL);
	if (!v)
		return *out = def, 0;
	return parse_u64(key, v, out);
}

int args_size(const struct args *a, const char *key, size_t def, size_t lo,
	      size_t hi, size_t *out)
{
	const char *v = args_str(a, key, NULL);
	if (!v)
		return *out = def, 0;
	return parse_size(key, v, lo, hi, out);
}

int args_double(const struct args *a, const char *key, double def, double lo,
		double hi, double *out)
{
	const char *v = args_str(a, key, NULL);
	if (!v)
		return *out = def, 0;
	return parse_double(key, v, lo, hi, out);
}

int args_bool(const struct args *a, const char *key, int def, int *out)
{
	const char *v = args_str(a, key, NULL);
	if (!v)
		return *out = def, 0;
	return parse_bool(key, v, out);
}

int args_choice(const struct args *a, const char *key,
		const char *const *choices, int def, int *out)
{
	const char *v = args_str(a, key, NULL);
	if (!v)
		return *out = def, 0;
	char list[256] = "";
	for (int i = 0; choices[i]; i++) {
		if (strcmp(v, choices[i]) == 0)
			return *out = i, 0;
		size_t used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
	}
	err_set("%s=%s: expected one of %s", key, v, list);
	return -1;
}
