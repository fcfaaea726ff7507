/* tui-scrollback.h - the full-screen UI's output buffer and the streams
 * that fill it.  Thread-safe: the worker writes through its streams while
 * the UI thread reads lines under the lock. */
#ifndef RNR_TUI_SCROLLBACK_H
#define RNR_TUI_SCROLLBACK_H

#include <stddef.h>
#include <stdio.h>

enum sb_style { SB_OUT, SB_ERR, SB_CMD, SB_INFO };

struct scrollback;

/* At most max_lines lines are kept (the oldest go first).  NULL on OOM. */
struct scrollback *scrollback_new(size_t max_lines);
void scrollback_free(struct scrollback *sb);

/* Append text (may hold several lines; a last partial line is completed). */
void scrollback_add(struct scrollback *sb, enum sb_style style, const char *text);

/* A line-buffered stream appending to sb in style; a partial last line is
 * kept until its newline (or fclose).  NULL on failure. */
FILE *scrollback_stream(struct scrollback *sb, enum sb_style style);

/* Bytes read from a file descriptor (captured stderr) appended as by a
 * stream of style SB_ERR; a partial line waits for the next call. */
void scrollback_feed_fd(struct scrollback *sb, int fd);

/* Reading: lock, then lines 0 (oldest) .. count-1, then unlock. */
void scrollback_lock(struct scrollback *sb);
void scrollback_unlock(struct scrollback *sb);
size_t scrollback_count(const struct scrollback *sb);
const char *scrollback_line(const struct scrollback *sb, size_t i, enum sb_style *style);
/* Changes whenever a line is added (read it under the lock). */
unsigned long scrollback_version(const struct scrollback *sb);

#endif
