/* fe-common.c - readline history and completion shared by the front ends
 * (see fe-common.h).  Completion knows nothing of commands beyond the
 * table: it reads the descriptors' completion kinds and option keys. */
#include "fe-common.h"
#include "cmd-list.h"
#include "cmd-table.h"
#include "err.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_MAX 2000

/* Readline's callbacks carry no context: the session and guard live here. */
static struct session *fe_session;
static char *fe_history_file;
static int (*guard_enter)(void *);
static void (*guard_leave)(void *);
static void *guard_arg;

static char *history_path(void)
{
	const char *env = getenv("RNR_HISTORY");
	if (env && *env)
		return strdup(env);
	const char *home = getenv("HOME");
	if (!home)
		return NULL;
	char *p = NULL;
	if (asprintf(&p, "%s/.rnr_history", home) < 0)
		return NULL;
	return p;
}

/* Candidates for the word being completed (owned copies), filled before
 * readline asks the generator for matches. */
static char **cand;
static size_t n_cand, cap_cand;

static void cand_clear(void)
{
	for (size_t i = 0; i < n_cand; i++)
		free(cand[i]);
	n_cand = 0;
}

static void cand_add(const char *s, size_t len, const char *suffix)
{
	if (n_cand == cap_cand) {
		size_t cap = cap_cand ? 2 * cap_cand : 64;
		char **p = realloc(cand, cap * sizeof *p);
		if (!p)
			return;
		cand = p;
		cap_cand = cap;
	}
	char *c = NULL;
	if (asprintf(&c, "%.*s%s", (int)len, s, suffix) >= 0)
		cand[n_cand++] = c;
}

static void cand_add_word(const char *s)
{
	cand_add(s, strlen(s), "");
}

static char *cand_generator(const char *text, int state)
{
	static size_t next;
	if (!state)
		next = 0;
	size_t len = strlen(text);
	while (next < n_cand) {
		const char *c = cand[next++];
		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

/* The option keys of c, offered as "key=". */
static void add_option_keys(const struct cmd *c)
{
	for (const char *p = c->options; p && *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n)
			cand_add(p, n, "=");
		p += n;
	}
}

static void add_object_names(void)
{
	if (!fe_session || (guard_enter && guard_enter(guard_arg) != 0))
		return;
	for (size_t i = 0; i < fe_session->ws.n; i++)
		cand_add_word(fe_session->ws.obj[i]->name);
	if (guard_enter && guard_leave)
		guard_leave(guard_arg);
}

static char **fe_complete(const char *text, int start, int end)
{
	(void)end;
	cand_clear();
	/* the command word is the first word after the last ';' */
	int cmd_start = start;
	while (cmd_start > 0 && rl_line_buffer[cmd_start - 1] != ';')
		cmd_start--;
	while (rl_line_buffer[cmd_start] == ' ' || rl_line_buffer[cmd_start] == '\t')
		cmd_start++;
	rl_completion_append_character = ' ';
	if (cmd_start == start) {
		for (size_t i = 0; cmd_table[i]; i++)
			cand_add_word(cmd_table[i]->name);
		return rl_completion_matches(text, cand_generator);
	}
	char word[64];
	size_t wl = strcspn(rl_line_buffer + cmd_start, " \t;");
	snprintf(word, sizeof word, "%.*s", (int)(wl < 63 ? wl : 63), rl_line_buffer + cmd_start);
	err_clear();
	const struct cmd *c = cmd_lookup(word);
	if (!c)
		return NULL;
	/* the word before: after "to" a file name follows */
	int prev_is_to = start >= 3 && strncmp(rl_line_buffer + start - 3, "to ", 3) == 0;
	/* load FILE <TAB>: the words that may follow the file */
	if (c == &cmd_load && !prev_is_to && start > cmd_start + (int)wl + 1) {
		rl_attempted_completion_over = 1;
		cand_add_word("stream");
		cand_add_word("as");
		add_option_keys(c);
		return rl_completion_matches(text, cand_generator);
	}
	if (c->complete == ARG_FILE || prev_is_to) {
		rl_completion_append_character = '\0';
		return NULL; /* readline's own file-name completion */
	}
	rl_attempted_completion_over = 1;
	switch (c->complete) {
	case ARG_COMMAND:
		for (size_t i = 0; cmd_table[i]; i++)
			cand_add_word(cmd_table[i]->name);
		break;
	case ARG_SETTING:
		for (size_t i = 0; settings_table[i].name; i++)
			cand_add_word(settings_table[i].name);
		break;
	default:
		add_object_names();
		break;
	}
	add_option_keys(c);
	if (strchr(text, '='))
		rl_completion_append_character = '\0';
	return rl_completion_matches(text, cand_generator);
}

void fe_readline_setup(struct session *s)
{
	fe_session = s;
	rl_readline_name = "rnr";
	rl_attempted_completion_function = fe_complete;
	rl_basic_word_break_characters = " \t\n;";
	fe_history_file = history_path();
	using_history();
	stifle_history(HISTORY_MAX);
	if (fe_history_file)
		read_history(fe_history_file);
}

void fe_history_add(const char *line)
{
	if (!*line)
		return;
	HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
	if (!last || strcmp(last->line, line) != 0)
		add_history(line);
}

void fe_readline_finish(void)
{
	if (fe_history_file && write_history(fe_history_file) != 0)
		fprintf(stderr, "rnr: could not write history to %s\n", fe_history_file);
	free(fe_history_file);
	fe_history_file = NULL;
	cand_clear();
	free(cand);
	cand = NULL;
	cap_cand = 0;
	fe_session = NULL;
	guard_enter = NULL;
	guard_leave = NULL;
}

void fe_complete_guard(int (*enter)(void *), void (*leave)(void *), void *arg)
{
	guard_enter = enter;
	guard_leave = leave;
	guard_arg = arg;
}
