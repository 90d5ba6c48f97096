#include "compat.h"

#include <wchar.h>

#include "draw.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * A one-line prompt on the message line: the filter ("/"), the command line
 * (":"), notes.  Enter hands the text over, Esc cancels, Tab asks the owner
 * for a completion (command line only).
 */
#define PROMPT_MAX 512   /* characters, not bytes */

struct prompt {
	char label[64];
	wchar_t text[PROMPT_MAX + 1];
	int len, cursor;
	void (*done)(struct console *c, void *arg, const char *text);
	void *arg;
	struct console *c;
	bool answered;          /* done was called */
};

/* Hand the answer (NULL: cancelled) to the owner, once. */
static void
prompt_answer(struct prompt *p, const char *text)
{
	if (p->answered)
		return;
	p->answered = true;
	p->done(p->c, p->arg, text);
}

/* The text as UTF-8 (caller frees). */
static char *
prompt_utf8(const struct prompt *p)
{
	size_t n = (size_t)p->len * MB_LEN_MAX + 1, o = 0;
	char *s = xmalloc(n);
	mbstate_t st;

	memset(&st, 0, sizeof st);
	for (int i = 0; i < p->len; i++) {
		size_t k = wcrtomb(s + o, p->text[i], &st);
		if (k != (size_t)-1)
			o += k;
	}
	s[o] = '\0';
	return s;
}

/* Draw the prompt over the message line (bottom row of the view area). */
static void
prompt_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct prompt *p = v->data;
	char *text = prompt_utf8(p);
	int x;

	(void)top;
	/* The message line is under the prompt: show a fresh message above it. */
	if (c->message[0] != '\0' && vtime_mono_ms() < c->message_until) {
		draw_role(c, c->message_error ? ROLE_ERROR : ROLE_DIM);
		draw_text(c, bottom - 1, 0, c->cols, c->message);
	}
	move(bottom, 0);
	clrtoeol();
	draw_role(c, ROLE_INPUT);
	x = draw_text(c, bottom, 0, (int)strlen(p->label), p->label);
	draw_text(c, bottom, x, c->cols - x - 1, text);
	free(text);
	/* The cursor: after the text (wide characters counted by width). */
	{
		int col = x;
		for (int i = 0; i < p->cursor; i++) {
			int w = wcwidth(p->text[i]);
			col += w > 0 ? w : 1;
		}
		if (col < c->cols) {
			draw_role(c, ROLE_SELECTED);
			mvaddch(bottom, col, ' ');
		}
	}
}

/* Keys of the prompt: editing, Enter, Esc, Tab. */
static int
prompt_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct prompt *p = v->data;
	char *text;

	(void)act;
	switch (key) {
	case 27:
		prompt_answer(p, NULL);
		return VIEW_HANDLED | VIEW_CLOSE;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		void (*done)(struct console *, void *, const char *) = p->done;
		void *arg = p->arg;

		/* The view closes first so that done may push another one. */
		text = prompt_utf8(p);
		p->answered = true;
		tui_pop(c);
		done(c, arg, text);
		free(text);
		return VIEW_HANDLED;
	}
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (p->cursor > 0) {
			memmove(&p->text[p->cursor - 1], &p->text[p->cursor],
			    (size_t)(p->len - p->cursor) * sizeof(wchar_t));
			p->cursor--;
			p->len--;
		} else if (p->len == 0) {
			prompt_answer(p, NULL);
			return VIEW_HANDLED | VIEW_CLOSE;
		}
		return VIEW_HANDLED;
	case KEY_DC:
		if (p->cursor < p->len) {
			memmove(&p->text[p->cursor], &p->text[p->cursor + 1],
			    (size_t)(p->len - p->cursor - 1) * sizeof(wchar_t));
			p->len--;
		}
		return VIEW_HANDLED;
	case KEY_LEFT:
		if (p->cursor > 0)
			p->cursor--;
		return VIEW_HANDLED;
	case KEY_RIGHT:
		if (p->cursor < p->len)
			p->cursor++;
		return VIEW_HANDLED;
	case KEY_HOME:
	case 1:
		p->cursor = 0;
		return VIEW_HANDLED;
	case KEY_END:
	case 5:
		p->cursor = p->len;
		return VIEW_HANDLED;
	case 21: /* ^U */
		p->len = p->cursor = 0;
		return VIEW_HANDLED;
	case '\t':
		if (p->done == cmdline_run) {
			char *now = prompt_utf8(p), *more = cmdline_complete(c, now);

			if (more != NULL) {
				mbstate_t st;
				const char *src = more;
				size_t n;

				memset(&st, 0, sizeof st);
				n = mbsrtowcs(p->text, &src, PROMPT_MAX, &st);
				if (n != (size_t)-1) {
					p->len = (int)n;
					p->cursor = p->len;
				}
				free(more);
			}
			free(now);
		}
		return VIEW_HANDLED;
	default:
		break;
	}
	if (key >= 32 && key != 127 && key < KEY_MIN && p->len < PROMPT_MAX &&
	    wcwidth((wchar_t)key) >= 0) {
		memmove(&p->text[p->cursor + 1], &p->text[p->cursor],
		    (size_t)(p->len - p->cursor) * sizeof(wchar_t));
		p->text[p->cursor++] = (wchar_t)key;
		p->len++;
	}
	return VIEW_HANDLED;
}

/* Free the prompt; an unanswered one counts as cancelled. */
static void
prompt_free(struct view *v)
{
	prompt_answer(v->data, NULL);
	free(v->data);
	free(v);
}

static const struct view_ops prompt_ops = {
	.name = "prompt",
	.kind = 0,
	.opaque = false,
	.draw = prompt_draw,
	.key = prompt_key,
	.free = prompt_free,
};

/* A one-line prompt; done(c, arg, text) gets the line (NULL when cancelled). */
struct view *
view_prompt_new(struct console *c, const char *label,
    void (*done)(struct console *c, void *arg, const char *text), void *arg)
{
	struct prompt *p = xcalloc(1, sizeof *p);

	p->c = c;
	snprintf(p->label, sizeof p->label, "%s", label);
	p->done = done;
	p->arg = arg;
	return view_new(&prompt_ops, p);
}
