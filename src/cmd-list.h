/* cmd-list.h - the descriptors of every command, for the table. */
#ifndef RNR_CMD_LIST_H
#define RNR_CMD_LIST_H

#include "cmd.h"

extern const struct cmd cmd_help, cmd_load, cmd_save, cmd_list, cmd_show,
	cmd_drop, cmd_rename, cmd_subset, cmd_set, cmd_get, cmd_source,
	cmd_echo, cmd_quit, cmd_avg, cmd_concat, cmd_single, cmd_mlp, cmd_train,
	cmd_infer, cmd_continue, cmd_cancel, cmd_stop, cmd_knn, cmd_compare;
extern const struct cmd cmd_restore;
extern const struct cmd cmd_svd, cmd_nnhist, cmd_probe;
extern const struct cmd cmd_plot, cmd_export;
extern const struct cmd cmd_confusion, cmd_explain, cmd_neighbours;
extern const struct cmd cmd_sweep;

#endif
