/*
 * view.h: one file per view, each a table of functions (htop's panels,
 * tmux's window modes).  The dashboard is always at the bottom of the
 * stack; detail, pickers, forms and help are pushed over it.
 */
#ifndef VIGIL_VIEW_H
#define VIGIL_VIEW_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "keymap.h"

struct console;
struct view;

/* What a key handler did (flags, like htop's HandlerResult). */
#define VIEW_IGNORED  0x0
#define VIEW_HANDLED  0x1
#define VIEW_CLOSE    0x2   /* pop this view */

struct view_ops {
	const char *name;
	unsigned kind;          /* VIEW_DASH, VIEW_DETAIL or VIEW_LIST: which keys apply */
	bool opaque;            /* covers the whole area: views under it are not drawn */
	/* Of kind 0: the key bar's text (NULL: a prompt's, "Enter accept..."). */
	const char *keybar;
	/* Draw into the rows [top, bottom) of stdscr. */
	void (*draw)(struct console *c, struct view *v, int top, int bottom);
	/*
	 * A key: the character or curses key code, and the action the key
	 * table maps it to in this view's kind (KA_NONE if none).
	 */
	int (*key)(struct console *c, struct view *v, int key, enum key_action act);
	/* Free the view's data and the view. */
	void (*free)(struct view *v);
	/* Optional: a stream message or snapshot changed the replica. */
	void (*changed)(struct console *c, struct view *v);
};

struct view {
	const struct view_ops *ops;
	void *data;
};

/* Create a view with ops and data (owned by the view). */
struct view *view_new(const struct view_ops *ops, void *data);

/* The dashboard: the alarm queue, counts and guards. */
struct view *view_dash_new(struct console *c);
/* The detail of alarm id: fetched from the server, then kept in step. */
struct view *view_detail_new(struct console *c, int64_t id);
/* The keys, generated from the key table. */
struct view *view_help_new(struct console *c);
/* Pick a guard for alarm id, nearest first. */
struct view *view_assign_new(struct console *c, int64_t id);
/* Close alarm id: a resolution and a note. */
struct view *view_close_new(struct console *c, int64_t id);
/* A one-line prompt; done(c, text) gets the line (NULL when cancelled). */
struct view *view_prompt_new(struct console *c, const char *label,
    void (*done)(struct console *c, void *arg, const char *text), void *arg);

#endif
