/* cmd-parse.c - tokenizer of the command language (see cmd-parse.h). */
#include "cmd-parse.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* A growable byte buffer for the word being read. */
struct word {
	char *s;
	size_t n, cap;
};

static int word_put(struct word *w, char c)
{
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		char *s = realloc(w->s, cap);
		if (!s) {
			err_nomem("command word", cap);
			return -1;
		}
		w->s = s;
		w->cap = cap;
	}
	w->s[w->n++] = c;
	w->s[w->n] = '\0';
	return 0;
}

static int call_push(struct cmd_call *c, struct word *w, size_t col, int quoted)
{
	struct token *t = realloc(c->tok, (c->n + 1) * sizeof *t);
	if (!t) {
		err_nomem("command words", (c->n + 1) * sizeof *t);
		return -1;
	}
	c->tok = t;
	if (!w->s && !(w->s = strdup(""))) { /* "" is a word too */
		err_nomem("command word", 1);
		return -1;
	}
	t[c->n].s = w->s;
	t[c->n].col = col;
	t[c->n].quoted = quoted;
	c->n++;
	w->s = NULL;
	w->n = w->cap = 0;
	return 0;
}

static int line_push(struct parsed_line *p, struct cmd_call *c)
{
	if (c->n == 0)
		return 0;
	struct cmd_call *a = realloc(p->call, (p->n + 1) * sizeof *a);
	if (!a) {
		err_nomem("command list", (p->n + 1) * sizeof *a);
		return -1;
	}
	p->call = a;
	p->call[p->n++] = *c;
	c->tok = NULL;
	c->n = 0;
	return 0;
}

static int escape_char(char c, char *out)
{
	switch (c) {
	case '"': case '\\': *out = c; return 0;
	case 'n': *out = '\n'; return 0;
	case 't': *out = '\t'; return 0;
	default: return -1;
	}
}

/* Reads one word starting at line[*i]; leaves *i after it. */
static int read_word(const char *line, size_t *i, struct word *w)
{
	while (line[*i] && !strchr(" \t\r\n;#", line[*i])) {
		char c = line[*i];
		if (c == '\'' || c == '"') {
			size_t open = *i;
			for ((*i)++; line[*i] && line[*i] != c; (*i)++) {
				char e = line[*i];
				if (c == '"' && e == '\\') {
					if (escape_char(line[*i + 1], &e) < 0) {
						err_set("column %zu: unknown escape '\\%c' (use \\\" \\\\ \\n \\t)",
							*i + 1, line[*i + 1] ? line[*i + 1] : ' ');
						return -1;
					}
					(*i)++;
				}
				if (word_put(w, e) < 0)
					return -1;
			}
			if (!line[*i]) {
				err_set("column %zu: unterminated %s quote", open + 1,
					c == '"' ? "double" : "single");
				return -1;
			}
			(*i)++;
			continue;
		}
		if (word_put(w, c) < 0)
			return -1;
		(*i)++;
	}
	return 0;
}

int parse_line(const char *line, struct parsed_line *out)
{
	struct cmd_call cur = { NULL, 0 };
	struct word w = { NULL, 0, 0 };
	size_t i = 0;
	out->call = NULL;
	out->n = 0;
	for (;;) {
		while (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')
			i++;
		if (!line[i])
			break;
		if (line[i] == '#') { /* a comment ends at the end of its line */
			i += strcspn(line + i, "\n");
			continue;
		}
		if (line[i] == ';' || line[i] == '\n') {
			if (line_push(out, &cur) < 0)
				goto fail;
			i++;
			continue;
		}
		size_t start = i;
		int quoted = line[i] == '"' || line[i] == '\'';
		if (read_word(line, &i, &w) < 0 || call_push(&cur, &w, start + 1, quoted) < 0)
			goto fail;
	}
	if (line_push(out, &cur) < 0)
		goto fail;
	return 0;
fail:
	free(w.s);
	for (size_t k = 0; k < cur.n; k++)
		free(cur.tok[k].s);
	free(cur.tok);
	return -1;
}

void parse_free(struct parsed_line *p)
{
	for (size_t c = 0; c < p->n; c++) {
		for (size_t k = 0; k < p->call[c].n; k++)
			free(p->call[c].tok[k].s);
		free(p->call[c].tok);
	}
	free(p->call);
	p->call = NULL;
	p->n = 0;
}
