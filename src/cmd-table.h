/* cmd-table.h - the one table of commands, looked up by name. */
#ifndef RNR_CMD_TABLE_H
#define RNR_CMD_TABLE_H

#include "cmd.h"

/* The command named name or by a unique prefix of it; NULL with err_set()
 * naming the candidates when ambiguous or "unknown command". */
const struct cmd *cmd_lookup(const char *name);

#endif
