#include "compat.h"

#include "draw.h"
#include "keymap.h"
#include "tui.h"
#include "view.h"

/* The help screen: every key of the key table, with where it applies. */
struct help {
	int scroll;
	int page;
};

/* The views a binding applies in, as words ("queue, detail, map"). */
static const char *
help_where(unsigned views, char *buf, size_t len)
{
	static const struct { unsigned view; const char *name; } names[] = {
		{ VIEW_DASH, "queue" }, { VIEW_DETAIL, "detail" }, { VIEW_LIST, "lists" },
		{ VIEW_MAP, "map" },
	};
	size_t used = 0;

	if (views == VIEW_ANY)
		return "everywhere";
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if ((views & names[i].view) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used > 0 ? ", " : "", names[i].name);
	return buf;
}

/* Draw the key table into rows [top, bottom). */
static void
help_draw(struct console *c, struct view *v, int top, int bottom)
{
	struct help *h = v->data;
	int y = top, line = 0;

	for (int r = top; r < bottom; r++) {
		move(r, 0);
		clrtoeol();
	}
	h->page = bottom - top - 2;
	draw_role(c, ROLE_HEADER);
	draw_textf(c, y++, 1, c->cols - 2, "%-16s %-12s %-20s %s", "KEYS", "COMMAND",
	    "WHERE", "WHAT");
	for (int i = 0; i < keymap_count && y < bottom - 1; i++) {
		const struct key_binding *b = &keymap_table[i];
		char keys[64] = "", kb[16], where[64];

		if (line++ < h->scroll)
			continue;
		for (int k = 0; k < KEYMAP_MAX_KEYS && b->keys[k] != 0; k++) {
			const char *name = keymap_key_name(b->keys[k], kb, sizeof kb);

			if (strstr(keys, name) != NULL)
				continue;
			if (keys[0] != '\0')
				strncat(keys, " ", sizeof keys - strlen(keys) - 1);
			strncat(keys, name, sizeof keys - strlen(keys) - 1);
		}
		draw_role(c, ROLE_KEYBAR_KEY);
		draw_text(c, y, 1, 16, keys);
		draw_role(c, ROLE_NORMAL);
		draw_textf(c, y, 18, c->cols - 19, "%-12s %-20s %s", b->name,
		    help_where(b->views, where, sizeof where), b->help);
		y++;
	}
	draw_role(c, ROLE_DIM);
	draw_text(c, bottom - 1, 1, c->cols - 2,
	    ":commands: ack ID, assign ID GUARD, release ID, close ID RESOLUTION NOTE, "
	    "note ID TEXT, reopen ID, theme NAME, filter TEXT, quit");
}

/* Keys of the help screen. */
static int
help_key(struct console *c, struct view *v, int key, enum key_action act)
{
	struct help *h = v->data;

	(void)c;
	(void)key;
	switch (act) {
	case KA_UP: if (h->scroll > 0) h->scroll--; return VIEW_HANDLED;
	case KA_DOWN: if (h->scroll < keymap_count - 1) h->scroll++; return VIEW_HANDLED;
	case KA_HOME: h->scroll = 0; return VIEW_HANDLED;
	case KA_BACK: return VIEW_HANDLED | VIEW_CLOSE;
	default: return key == '?' ? VIEW_HANDLED | VIEW_CLOSE : VIEW_HANDLED;
	}
}

/* Free the help view. */
static void
help_free(struct view *v)
{
	free(v->data);
	free(v);
}

static const struct view_ops help_ops = {
	.name = "help",
	.kind = VIEW_LIST,
	.opaque = true,
	.draw = help_draw,
	.key = help_key,
	.free = help_free,
};

/* The keys, generated from the key table. */
struct view *
view_help_new(struct console *c)
{
	(void)c;
	return view_new(&help_ops, xcalloc(1, sizeof(struct help)));
}
