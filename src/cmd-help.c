/* cmd-help.c - `help` and `help CMD`, both read from the command table. */
#include "args.h"
#include "cmd-list.h"
#include "cmd-table.h"
#include "err.h"
#include "session.h"

#include <string.h>

static void help_settings(FILE *out)
{
	fputs("\nSettings:\n", out);
	for (size_t i = 0; settings_table[i].name; i++)
		fprintf(out, "  %-10s %s\n", settings_table[i].name, settings_table[i].help);
}

static int help_exec(struct session *s, const struct args *a)
{
	if (a->n_pos == 0) {
		fputs("Commands (`help NAME` for details; a unique prefix of a name works):\n", s->out);
		for (size_t i = 0; cmd_table[i]; i++)
			fprintf(s->out, "  %-11s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
		fputs("\nSyntax: one command per line or separated by ';'; # starts a comment;\n"
		      "\"double\" or 'single' quotes keep blanks; options are key=value.\n", s->out);
		return 0;
	}
	const struct cmd *c = cmd_lookup(a->pos[0]);
	if (!c)
		return -1;
	fprintf(s->out, "usage: %s\n\n%s.\n", c->usage, c->summary);
	if (c->help && *c->help)
		fprintf(s->out, "\n%s\n", c->help);
	if (c->options)
		fprintf(s->out, "\nOptions: %s\n", c->options);
	if (strcmp(c->name, "set") == 0 || strcmp(c->name, "get") == 0)
		help_settings(s->out);
	return 0;
}

const struct cmd cmd_help = {
	.name = "help",
	.usage = "help [COMMAND]",
	.summary = "List the commands, or describe one",
	.help = "Without an argument, lists every command with a one-line summary.\n"
		"With one, prints its usage, description and options.",
	.min_args = 0, .max_args = 1,
	.complete = ARG_COMMAND,
	.flags = CMD_READONLY,
	.exec = help_exec,
};
