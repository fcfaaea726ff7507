/* cmd-set.c - `set` and `get` over the settings table. */
#include "args.h"
#include "cmd-list.h"
#include "err.h"
#include "session.h"

#include <string.h>

static int set_exec(struct session *s, const struct args *a)
{
	if (a->n_pos != 2) {
		err_set("usage: %s", a->cmd->usage);
		return -1;
	}
	struct settings next = s->set;
	if (settings_set(&next, a->pos[0], a->pos[1]) < 0)
		return -1;
	s->set = next;
	settings_apply(&s->set);
	return 0;
}

static int get_exec(struct session *s, const struct args *a)
{
	char buf[64];
	if (a->n_pos == 1) {
		if (settings_get(&s->set, a->pos[0], buf, sizeof buf) < 0)
			return -1;
		fprintf(s->out, "%s\n", buf);
		return 0;
	}
	for (size_t i = 0; settings_table[i].name; i++) {
		settings_get(&s->set, settings_table[i].name, buf, sizeof buf);
		fprintf(s->out, "%-10s %s\n", settings_table[i].name, buf);
	}
	return 0;
}

const struct cmd cmd_set = {
	.name = "set",
	.usage = "set NAME VALUE",
	.summary = "Change a setting",
	.help = "Booleans take on/off.  Settings apply to the commands that follow.",
	.min_args = 2, .max_args = 2,
	.complete = ARG_SETTING,
	.exec = set_exec,
};

const struct cmd cmd_get = {
	.name = "get",
	.usage = "get [NAME]",
	.summary = "Print one setting, or all of them",
	.min_args = 0, .max_args = 1,
	.complete = ARG_SETTING,
	.flags = CMD_READONLY,
	.exec = get_exec,
};
