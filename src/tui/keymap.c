#include "compat.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "keymap.h"

#define CTRL(c) ((c) & 0x1f)

struct key_binding keymap_table[] = {
	{ KA_UP, "up", NULL, "move up", VIEW_ANY, { KEY_UP, 'k', 0 } },
	{ KA_DOWN, "down", NULL, "move down", VIEW_ANY, { KEY_DOWN, 'j', 0 } },
	{ KA_LEFT, "left", NULL, "pan the map left", VIEW_MAP, { KEY_LEFT, 'h', 0 } },
	{ KA_RIGHT, "right", NULL, "pan the map right", VIEW_MAP, { KEY_RIGHT, 'l', 0 } },
	{ KA_PGUP, "page-up", NULL, "move a page up", VIEW_ANY, { KEY_PPAGE, CTRL('b'), 0 } },
	{ KA_PGDN, "page-down", NULL, "move a page down", VIEW_ANY, { KEY_NPAGE, CTRL('f'), 0 } },
	{ KA_HOME, "first", NULL, "go to the first line", VIEW_ANY, { KEY_HOME, '<', 0 } },
	{ KA_END, "last", NULL, "go to the last line", VIEW_ANY, { KEY_END, '>', 0 } },
	{ KA_OPEN, "open", "Detail", "open the alarm's detail, or choose", VIEW_DASH | VIEW_LIST,
	    { '\n', KEY_ENTER, '\r' } },
	{ KA_BACK, "back", "Back", "close this view", VIEW_DETAIL | VIEW_LIST | VIEW_MAP,
	    { 'q', 27, KEY_LEFT } },
	{ KA_ACK, "ack", "Ack", "acknowledge the alarm", VIEW_DASH | VIEW_DETAIL,
	    { 'a', KEY_F(2), 0 } },
	{ KA_ASSIGN, "assign", "Assign", "assign a guard (nearest first)", VIEW_DASH | VIEW_DETAIL,
	    { 'g', KEY_F(3), 0 } },
	{ KA_RELEASE, "release", "Release", "release the assigned guard", VIEW_DASH | VIEW_DETAIL,
	    { 'r', 0, 0 } },
	{ KA_CLOSE, "close", "Close", "close with a resolution and a note", VIEW_DASH | VIEW_DETAIL,
	    { 'c', KEY_F(4), 0 } },
	{ KA_NOTE, "note", "Note", "add a note", VIEW_DASH | VIEW_DETAIL, { 'n', 0, 0 } },
	{ KA_REOPEN, "reopen", NULL, "reopen a closed alarm (supervisors)", VIEW_DETAIL,
	    { 'O', 0, 0 } },
	{ KA_MAP, "map", "Map", "the site map, centred on the alarm's point", VIEW_DASH | VIEW_DETAIL,
	    { 'm', 0, 0 } },
	{ KA_ZOOM_IN, "zoom-in", "Zoom", "zoom in (closer than 1:1 in braille dots)", VIEW_MAP,
	    { '+', '=', 0 } },
	{ KA_ZOOM_OUT, "zoom-out", NULL, "zoom out", VIEW_MAP, { '-', 0, 0 } },
	{ KA_ZOOM_FIT, "fit", "Fit", "fit the whole map", VIEW_MAP, { 'f', '0', 0 } },
	{ KA_ZOOM_ONE, "one-to-one", NULL, "show the map 1:1, one cell per character", VIEW_MAP,
	    { '1', 0, 0 } },
	{ KA_MAP_NEXT, "next-map", "Next", "the site's next map", VIEW_MAP, { '\t', ']', 0 } },
	{ KA_MAP_PREV, "previous-map", NULL, "the site's previous map", VIEW_MAP,
	    { KEY_BTAB, '[', 0 } },
	{ KA_LEGEND, "legend", "Legend", "show or hide the legend", VIEW_MAP, { 'L', 0, 0 } },
	{ KA_CENTRE, "centre", NULL, "centre on the alarm's point or the guard", VIEW_MAP,
	    { 'c', 0, 0 } },
	{ KA_TRACK, "track", "Track", "play back a guard's route (supervisors)", VIEW_MAP,
	    { 't', 0, 0 } },
	{ KA_PLAY, "play", NULL, "play or pause the route", VIEW_MAP, { ' ', 0, 0 } },
	{ KA_STEP_BACK, "step-back", NULL, "the route's previous position", VIEW_MAP,
	    { ',', 0, 0 } },
	{ KA_STEP_FORWARD, "step-forward", NULL, "the route's next position", VIEW_MAP,
	    { '.', 0, 0 } },
	{ KA_MARK, "mark", NULL, "mark or unmark the alarm for a bulk action", VIEW_DASH,
	    { ' ', 0, 0 } },
	{ KA_ACK_MARKED, "ack-marked", NULL, "acknowledge every marked alarm", VIEW_DASH,
	    { 'A', 0, 0 } },
	{ KA_UNMARK, "unmark", NULL, "clear the marks", VIEW_DASH, { 'u', 0, 0 } },
	{ KA_FILTER, "filter", "Filter", "filter the queue (site:, p:, state:, type:, text)",
	    VIEW_DASH, { '/', 0, 0 } },
	{ KA_COMMAND, "command", "Cmd", "run a command by name (:ack 42)", VIEW_DASH | VIEW_DETAIL,
	    { ':', 0, 0 } },
	{ KA_HELP, "help", "Help", "show the keys", VIEW_DASH | VIEW_DETAIL | VIEW_MAP, { '?', KEY_F(1), 0 } },
	{ KA_REDRAW, "redraw", NULL, "redraw the screen", VIEW_ANY, { CTRL('l'), 0, 0 } },
	{ KA_QUIT, "quit", "Quit", "leave the console", VIEW_DASH, { 'q', KEY_F(10), 0 } },
	{ KA_RESIDENTS, "residents", "Residents", "the residents and their access rights",
	    VIEW_DASH, { 'R', 0, 0 } },
	{ KA_ACCESS, "access", NULL, "the access history, from the latest denied attempts",
	    VIEW_DASH, { 'H', 0, 0 } },
};
const int keymap_count = (int)ARRAY_LEN(keymap_table);

/* The action bound to key in a view of kind views, or KA_NONE. */
enum key_action
keymap_lookup(unsigned view, int key)
{
	/* Return sends ^M (or ^J): a key bound as "Enter" (KEY_ENTER) takes it too. */
	int enter = key == '\r' || key == '\n' ? KEY_ENTER : key;

	for (int i = 0; i < keymap_count; i++) {
		if ((keymap_table[i].views & view) == 0)
			continue;
		for (int k = 0; k < KEYMAP_MAX_KEYS && keymap_table[i].keys[k] != 0; k++)
			if (keymap_table[i].keys[k] == key || keymap_table[i].keys[k] == enter)
				return keymap_table[i].action;
	}
	return KA_NONE;
}

static const struct {
	int key;
	const char *name;
} keymap_names[] = {
	{ '\n', "Enter" }, { KEY_ENTER, "Enter" }, { '\r', "Enter" }, { 27, "Esc" },
	{ '\t', "Tab" }, { KEY_BTAB, "S-Tab" }, { ' ', "Space" }, { KEY_UP, "Up" }, { KEY_DOWN, "Down" },
	{ KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" },
	{ KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
	{ KEY_BACKSPACE, "Backspace" }, { KEY_DC, "Delete" },
};

/* A key's name as people write it: "a", "Enter", "^L", "F1", "Up". */
const char *
keymap_key_name(int key, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(keymap_names); i++)
		if (keymap_names[i].key == key)
			return keymap_names[i].name;
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F0);
	else if (key > 0 && key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else if (key > 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
	return buf;
}

/* The first key bound to action, by name ("A", "F2"), or the action's name if none is. */
const char *
keymap_action_key(enum key_action action, char *buf, size_t len)
{
	for (int i = 0; i < keymap_count; i++) {
		if (keymap_table[i].action != action)
			continue;
		if (keymap_table[i].keys[0] != 0)
			return keymap_key_name(keymap_table[i].keys[0], buf, len);
		return keymap_table[i].name;
	}
	snprintf(buf, len, "?");
	return buf;
}

/* Bind the action called name to keys[0..n) (config [keys]); -1 with *cause. */
int
keymap_apply(const char *name, const int *keys, int n, char **cause)
{
	struct key_binding *b = NULL;

	for (int i = 0; i < keymap_count; i++)
		if (strcmp(keymap_table[i].name, name) == 0)
			b = &keymap_table[i];
	if (b == NULL) {
		*cause = xasprintf("no action called \"%s\" (see vigil keys)", name);
		return -1;
	}
	memset(b->keys, 0, sizeof b->keys);
	for (int i = 0; i < n && i < KEYMAP_MAX_KEYS; i++)
		b->keys[i] = keys[i];
	return 0;
}
