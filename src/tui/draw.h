/*
 * draw.h: drawing helpers shared by the views.  Every string that came
 * from outside (names, labels, notes, messages) is drawn through draw_text,
 * which passes it through the sanitizer and fits it to its columns.
 */
#ifndef VIGIL_DRAW_H
#define VIGIL_DRAW_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "theme.h"

struct console;

/* Set up colours from the theme (after initscr). */
void draw_colors_start(struct console *c);
/* Load and apply another theme (":theme NAME"). */
void draw_theme_switch(struct console *c, const char *name);
/* Set the attributes of a role for what is drawn next. */
void draw_role(struct console *c, enum theme_role role);
/*
 * Draw untrusted text at (y, x) in exactly width columns (padded with
 * spaces, cut with an ellipsis), sanitized.  Returns the columns used.
 */
int draw_text(struct console *c, int y, int x, int width, const char *text);
/* Like draw_text for text the console wrote itself (still sanitized: cheap). */
int draw_textf(struct console *c, int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A horizontal line from (y, x) over width columns. */
void draw_hline(struct console *c, int y, int x, int width);
/* A box with a title over rows [top, top+h) and columns [left, left+w). */
void draw_box(struct console *c, int top, int left, int h, int w, const char *title);

/* The title line: site group, user and role, clock, feed state. */
void draw_title(struct console *c);
/* The message line at row y: a status message, pendings or marks. */
void draw_message_line(struct console *c, int y);
/*
 * The key bar of a view kind at row y, from the key table; of kind 0, text
 * (NULL: a prompt's).
 */
void draw_keybar(struct console *c, unsigned kind, const char *text, int y);
/* The "enlarge the window" screen. */
void draw_too_small(struct console *c);

/* "12s", "3m05s", "2h10m", "3d04h": an age that fits in 6 columns. */
const char *draw_age(int64_t ms, char *buf, size_t len);

#endif
