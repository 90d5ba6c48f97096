/*
 * keymap.h: every key of the console, in one table.
 *
 * The key bar, the help screen, the ":" command names, the [keys] section
 * of the config file and the KEYS section of vigil(1) all come from this
 * table (`vigil keys` prints it; a test checks the manual against it).
 */
#ifndef VIGIL_KEYMAP_H
#define VIGIL_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "vlimits.h"

/* Keys are curses key codes; printable characters are their code points. */
#define KEYMAP_MAX_KEYS LIMIT_KEYS_PER_ACTION

/* Where a binding applies. */
#define VIEW_DASH    0x01
#define VIEW_DETAIL  0x02
#define VIEW_LIST    0x04   /* pickers and help: move, choose, back */
#define VIEW_MAP     0x08   /* the site map and track playback */
#define VIEW_ANY     0xff

enum key_action {
	KA_NONE,
	KA_UP, KA_DOWN, KA_LEFT, KA_RIGHT, KA_PGUP, KA_PGDN, KA_HOME, KA_END,
	KA_OPEN, KA_BACK,
	KA_ACK, KA_ASSIGN, KA_RELEASE, KA_CLOSE, KA_NOTE, KA_REOPEN,
	KA_MAP, KA_ZOOM_IN, KA_ZOOM_OUT, KA_ZOOM_FIT, KA_ZOOM_ONE, KA_MAP_NEXT, KA_MAP_PREV,
	KA_LEGEND, KA_CENTRE, KA_TRACK, KA_PLAY, KA_STEP_BACK, KA_STEP_FORWARD,
	KA_MARK, KA_ACK_MARKED, KA_UNMARK,
	KA_FILTER, KA_COMMAND, KA_HELP, KA_REDRAW, KA_QUIT,
	KA_RESIDENTS, KA_ACCESS,
	KA__COUNT
};

struct key_binding {
	enum key_action action;
	const char *name;        /* in the config file and on the command line */
	const char *label;       /* short, for the key bar; NULL = not on it */
	const char *help;        /* one line, for the help screen and the manual */
	unsigned views;          /* VIEW_* where it applies */
	int keys[KEYMAP_MAX_KEYS]; /* 0-terminated */
};

/* The table (KA__COUNT - 1 entries, in help order). */
extern struct key_binding keymap_table[];
extern const int keymap_count;

/* The action bound to key in a view of kind views, or KA_NONE. */
enum key_action keymap_lookup(unsigned view, int key);
/* A key's name as people write it: "a", "Enter", "^L", "F1", "Up". */
const char *keymap_key_name(int key, char *buf, size_t len);
/* The first key bound to action, by name ("A", "F2"), or the action's name if none is. */
const char *keymap_action_key(enum key_action action, char *buf, size_t len);
/* Bind the action called name to keys[0..n) (config [keys]); -1 with *cause. */
int keymap_apply(const char *name, const int *keys, int n, char **cause);

#endif
