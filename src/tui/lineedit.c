#include "compat.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <wchar.h>

#include "draw.h"
#include "lineedit.h"
#include "tui.h"

/* Empty the line. */
void
lineedit_clear(struct lineedit *le)
{
	le->len = le->cursor = 0;
	le->text[0] = L'\0';
}

/* Replace the line by the UTF-8 text s (cut at LINEEDIT_MAX); cursor at the end. */
void
lineedit_set(struct lineedit *le, const char *s)
{
	mbstate_t st;
	const char *src = s != NULL ? s : "";
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbsrtowcs(le->text, &src, LINEEDIT_MAX, &st);
	if (n == (size_t)-1)
		n = 0;
	le->len = le->cursor = (int)n;
	le->text[n] = L'\0';
}

/* The line as UTF-8 (caller frees). */
char *
lineedit_utf8(const struct lineedit *le)
{
	size_t n = (size_t)le->len * MB_LEN_MAX + 1, o = 0;
	char *s = xmalloc(n);
	mbstate_t st;

	memset(&st, 0, sizeof st);
	for (int i = 0; i < le->len; i++) {
		size_t k = wcrtomb(s + o, le->text[i], &st);

		if (k != (size_t)-1)
			o += k;
	}
	s[o] = '\0';
	return s;
}

/* Apply an editing key (a character or a curses key code). */
enum lineedit_result
lineedit_key(struct lineedit *le, int key)
{
	switch (key) {
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (le->cursor == 0)
			return le->len == 0 ? LINEEDIT_EMPTY_BACKSPACE : LINEEDIT_MOVED;
		memmove(&le->text[le->cursor - 1], &le->text[le->cursor],
		    (size_t)(le->len - le->cursor) * sizeof(wchar_t));
		le->cursor--;
		le->len--;
		return LINEEDIT_CHANGED;
	case KEY_DC:
		if (le->cursor == le->len)
			return LINEEDIT_MOVED;
		memmove(&le->text[le->cursor], &le->text[le->cursor + 1],
		    (size_t)(le->len - le->cursor - 1) * sizeof(wchar_t));
		le->len--;
		return LINEEDIT_CHANGED;
	case KEY_LEFT:
		if (le->cursor > 0)
			le->cursor--;
		return LINEEDIT_MOVED;
	case KEY_RIGHT:
		if (le->cursor < le->len)
			le->cursor++;
		return LINEEDIT_MOVED;
	case KEY_HOME:
	case 1:         /* ^A */
		le->cursor = 0;
		return LINEEDIT_MOVED;
	case KEY_END:
	case 5:         /* ^E */
		le->cursor = le->len;
		return LINEEDIT_MOVED;
	case 21:        /* ^U */
		le->len = le->cursor = 0;
		return LINEEDIT_CHANGED;
	default:
		break;
	}
	if (key < 32 || key == 127 || key >= KEY_MIN || wcwidth((wchar_t)key) < 0)
		return LINEEDIT_IGNORED;
	if (le->len >= LINEEDIT_MAX)
		return LINEEDIT_MOVED;
	memmove(&le->text[le->cursor + 1], &le->text[le->cursor],
	    (size_t)(le->len - le->cursor) * sizeof(wchar_t));
	le->text[le->cursor++] = (wchar_t)key;
	le->len++;
	return LINEEDIT_CHANGED;
}

/* The columns of text[from, to). */
static int
lineedit_cols(const struct lineedit *le, int from, int to)
{
	int col = 0;

	for (int i = from; i < to; i++) {
		int w = wcwidth(le->text[i]);

		col += w > 0 ? w : 1;
	}
	return col;
}

/*
 * Draw the line at (y, x) in width columns, scrolled so that the cursor
 * shows; with cursor, the cursor cell is drawn in the selected role.
 */
void
lineedit_draw(struct console *c, const struct lineedit *le, int y, int x,
    int width, bool cursor)
{
	struct lineedit shown;
	int first = 0;
	char *text;

	if (width <= 1)
		return;
	/* Scroll from the left until the cursor fits, with a column to spare. */
	while (first < le->cursor && lineedit_cols(le, first, le->cursor) >= width - 1)
		first++;
	shown.len = le->len - first;
	shown.cursor = 0;
	memcpy(shown.text, le->text + first, (size_t)shown.len * sizeof(wchar_t));
	text = lineedit_utf8(&shown);
	draw_text(c, y, x, width, text);
	free(text);
	if (cursor) {
		int col = x + lineedit_cols(le, first, le->cursor);

		/* The cursor: the cell's attributes change, not its character. */
		if (col < x + width && col < c->cols) {
			attr_t a = (attr_t)theme_attr(ROLE_SELECTED);

			mvchgat(y, col, 1, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
		}
	}
}
