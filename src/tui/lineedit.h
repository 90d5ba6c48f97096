/*
 * lineedit.h: one line of text being typed, in wide characters: the
 * editing keys of the console's prompts and forms (Left, Right, Home ^A,
 * End ^E, Backspace, Delete, ^U, printable characters inserted at the
 * cursor).  The owner draws it with lineedit_draw, which passes the text
 * through draw_text like every other string.
 */
#ifndef VIGIL_LINEEDIT_H
#define VIGIL_LINEEDIT_H

#include <stdbool.h>
#include <wchar.h>

#define LINEEDIT_MAX 512   /* characters, not bytes */

struct console;

struct lineedit {
	wchar_t text[LINEEDIT_MAX + 1];
	int len, cursor;
};

/* What lineedit_key did with a key. */
enum lineedit_result {
	LINEEDIT_IGNORED,       /* not an editing key: the owner's */
	LINEEDIT_MOVED,         /* the cursor moved, the text is the same */
	LINEEDIT_CHANGED,       /* the text changed */
	LINEEDIT_EMPTY_BACKSPACE /* Backspace on an empty line (a prompt cancels) */
};

/* Empty the line. */
void lineedit_clear(struct lineedit *le);
/* Replace the line by the UTF-8 text s (cut at LINEEDIT_MAX); cursor at the end. */
void lineedit_set(struct lineedit *le, const char *s);
/* The line as UTF-8 (caller frees). */
char *lineedit_utf8(const struct lineedit *le);
/* Apply an editing key (a character or a curses key code). */
enum lineedit_result lineedit_key(struct lineedit *le, int key);
/*
 * Draw the line at (y, x) in width columns, scrolled so that the cursor
 * shows; with cursor, the cursor cell is drawn in the selected role.
 */
void lineedit_draw(struct console *c, const struct lineedit *le, int y, int x,
    int width, bool cursor);

#endif
