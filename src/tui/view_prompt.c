#include "compat.h"

#include <wchar.h>

#include "draw.h"
#include "lineedit.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

/*
 * A one-line prompt on the message line: the filter ("/"), the command line
 * (":"), notes.  Enter hands the text over, Esc cancels, Tab asks the owner
 * for a completion (command line only); the line is edited by lineedit.
 */
struct prompt {
	char label[64];
	struct lineedit ed;
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

/* Draw the prompt over the message line (bottom row of the view area). */
static void
prompt_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct prompt *p = v->data;
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
	lineedit_draw(c, &p->ed, bottom, x, c->cols - x - 1, true);
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
		text = lineedit_utf8(&p->ed);
		p->answered = true;
		tui_pop(c);
		done(c, arg, text);
		free(text);
		return VIEW_HANDLED;
	}
	case '\t':
		if (p->done == cmdline_run) {
			char *now = lineedit_utf8(&p->ed), *more = cmdline_complete(c, now);

			if (more != NULL) {
				lineedit_set(&p->ed, more);
				free(more);
			}
			free(now);
		}
		return VIEW_HANDLED;
	default:
		break;
	}
	/* Backspace on an empty line cancels, as Esc does. */
	if (lineedit_key(&p->ed, key) == LINEEDIT_EMPTY_BACKSPACE) {
		prompt_answer(p, NULL);
		return VIEW_HANDLED | VIEW_CLOSE;
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
