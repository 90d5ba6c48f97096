#include "compat.h"

#include "draw.h"
#include "tui.h"
#include "view.h"

/*
 * Close an alarm: choose the resolution (1-4 or arrows, Enter), then type
 * the note; the close is sent with the version the operator saw.
 */
static const struct {
	const char *name;
	const char *label;
} close_resolutions[] = {
	{ "genuine", "genuine: a real incident" },
	{ "false_alarm", "false alarm: nothing happened" },
	{ "test", "test: a planned test" },
	{ "technical_fault", "technical fault: equipment or line" },
};

struct close_form {
	int64_t id;
	int64_t version;
	int sel;
};

/* The note prompt's answer: send the close. */
static void
close_note_done(struct console *c, void *arg, const char *text)
{
	struct close_form *f = arg;

	if (text != NULL && *text == '\0')
		tui_message(c, true, "alarm %" PRId64 " not closed: a note is required", f->id);
	else if (text != NULL)
		action_alarm(c, f->id, "close", json_pack("{s:I, s:s, s:s}", "version",
		    (json_int_t)f->version, "resolution", close_resolutions[f->sel].name,
		    "note", text));
	free(f);
}

/* Draw the choice of resolution as a box. */
static void
close_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct close_form *f = v->data;
	int h = (int)ARRAY_LEN(close_resolutions) + 4, w = 50;
	int y0 = top + (bottom - top - h) / 2, x0 = (c->cols - w) / 2;

	draw_box(c, y0, x0, h, w, "close");
	draw_role(c, ROLE_HEADER);
	draw_textf(c, y0 + 1, x0 + 2, w - 4, "alarm %" PRId64 ": resolution?", f->id);
	for (int i = 0; i < (int)ARRAY_LEN(close_resolutions); i++) {
		draw_role(c, i == f->sel ? ROLE_SELECTED : ROLE_NORMAL);
		draw_textf(c, y0 + 2 + i, x0 + 2, w - 4, "%d  %s", i + 1, close_resolutions[i].label);
	}
}

/* Keys of the resolution choice. */
static int
close_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct close_form *f = v->data, *copy;
	char label[64];

	if (key >= '1' && key < '1' + (int)ARRAY_LEN(close_resolutions)) {
		f->sel = key - '1';
		act = KA_OPEN;
	}
	switch (act) {
	case KA_UP: if (f->sel > 0) f->sel--; return VIEW_HANDLED;
	case KA_DOWN: if (f->sel < (int)ARRAY_LEN(close_resolutions) - 1) f->sel++; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	case KA_OPEN:
		copy = xmalloc(sizeof *copy);
		*copy = *f;
		snprintf(label, sizeof label, "close %" PRId64 " as %s, note: ", f->id,
		    close_resolutions[f->sel].name);
		tui_pop(c);
		tui_push(c, view_prompt_new(c, label, close_note_done, copy));
		return VIEW_HANDLED;
	default:
		return VIEW_HANDLED;
	}
}

/* Free the form. */
static void
close_free(struct view *v)
{
	free(v->data);
	free(v);
}

static const struct view_ops close_ops = {
	.name = "close",
	.kind = VIEW_LIST,
	.opaque = false,
	.draw = close_draw,
	.key = close_key,
	.free = close_free,
};

/* Close alarm id: a resolution and a note. */
struct view *
view_close_new(struct console *c, int64_t id)
{
	struct close_form *f = xcalloc(1, sizeof *f);
	struct alarm_rec *a = replica_alarm(&c->replica, id);

	f->id = id;
	f->version = a != NULL ? a->version : 0;
	return view_new(&close_ops, f);
}
