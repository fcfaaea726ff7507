/* cmd-ws.h - what the workspace commands share with `save`. */
#ifndef RNR_CMD_WS_H
#define RNR_CMD_WS_H

struct session;
struct args;

/* `save * to FILE`: every object, the settings and the stopped job to path
 * as a workspace file (ws-file.h).  0 or -1 with err_set(). */
int cmd_save_workspace(struct session *s, const struct args *a, const char *path);

#endif
