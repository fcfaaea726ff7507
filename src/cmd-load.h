/* cmd-load.h - what `load` and `save` share with other commands. */
#ifndef RNR_CMD_LOAD_H
#define RNR_CMD_LOAD_H

struct session;
struct args;

/* Save the objects named by a's positionals to path (the work of `save`,
 * shared with `export ... format=h5`); refuses objects a running job uses.
 * 0 or -1 with err_set(). */
int cmd_save_objects(struct session *s, const struct args *a, const char *path);

#endif
