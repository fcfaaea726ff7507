/* cmd-table.c - the one table of commands and lookup by unique prefix.
 * Adding a command is one line here (plus its cmd-*.c file). */
#include "cmd-table.h"
#include "cmd-list.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

const struct cmd *const cmd_table[] = {
	&cmd_help,
	&cmd_load,
	&cmd_save,
	&cmd_restore,
	&cmd_list,
	&cmd_show,
	&cmd_drop,
	&cmd_rename,
	&cmd_subset,
	&cmd_avg,
	&cmd_concat,
	&cmd_single,
	&cmd_mlp,
	&cmd_train,
	&cmd_infer,
	&cmd_continue,
	&cmd_cancel,
	&cmd_stop,
	&cmd_knn,
	&cmd_compare,
	&cmd_confusion,
	&cmd_explain,
	&cmd_neighbours,
	&cmd_sweep,
	&cmd_svd,
	&cmd_nnhist,
	&cmd_probe,
	&cmd_plot,
	&cmd_export,
	&cmd_set,
	&cmd_get,
	&cmd_source,
	&cmd_echo,
	&cmd_quit,
	NULL,
};

const struct cmd *cmd_lookup(const char *name)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name), hits = 0;
	char cands[512] = "";
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd *c = cmd_table[i];
		if (strcmp(c->name, name) == 0)
			return c; /* an exact name wins over longer ones it prefixes */
		if (strncmp(c->name, name, len) == 0) {
			size_t used = strlen(cands);
			snprintf(cands + used, sizeof cands - used, "%s%s", hits ? ", " : "", c->name);
			found = c;
			hits++;
		}
	}
	if (hits == 1)
		return found;
	if (hits == 0)
		err_set("unknown command '%s' (try `help`)", name);
	else
		err_set("ambiguous command '%s': %s", name, cands);
	return NULL;
}
