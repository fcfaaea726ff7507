/* cmd-plot.h - what `export` shares with other commands that write files. */
#ifndef RNR_CMD_PLOT_H
#define RNR_CMD_PLOT_H

#include <stdio.h>

/* Write path aside with writer() and rename it over path, as `export`
 * does (an existing path is left as it was on failure).  0 or -1. */
int cmd_write_file(const char *path, int (*writer)(FILE *f, const char *path,
						   const void *ctx), const void *ctx);

#endif
