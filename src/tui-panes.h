/* tui-panes.h - drawing the full-screen UI from its view (tui-view.h):
 * rules, the chart, the workspace, the scrollback, the status line and the
 * prompt, composed into one frame. */
#ifndef RNR_TUI_PANES_H
#define RNR_TUI_PANES_H

#include "tui-view.h"

/* Attributes for a colour or a monochrome terminal (after start_color()
 * when color is set). */
void tui_theme_init(struct tui_theme *th, int color);

/* Paint a rendered chart (cells[h * w], chart.h) into win at (y, x), each
 * cell with its series' attribute.  Cells outside win are clipped. */
void tui_paint_chart(WINDOW *win, int y, int x, const struct chart_cell *cells, int w, int h,
		     const struct tui_theme *th);

/* Put text at (y, x) in at most cols display columns (UTF-8 aware; bytes
 * that are not valid text show as '?').  Returns the columns used. */
int tui_put_text(WINDOW *win, int y, int x, const char *text, int cols);

/* Display columns of text (as tui_put_text counts them). */
int tui_text_width(const char *text);

/* Compose the whole screen from v and flush it once. */
void tui_draw(struct tui_view *v);

#endif
