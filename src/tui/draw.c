#include "compat.h"

#include <time.h>

#include "draw.h"
#include "keymap.h"
#include "log.h"
#include "sanitize.h"
#include "tui.h"
#include "vtime.h"

#define DRAW_CELL_COLS 512    /* widest text drawn in one call */

/* Set up colours from the theme (after initscr). */
void
draw_colors_start(struct console *c)
{
	theme_caps_detect(&c->caps);
	theme_apply(&c->theme, &c->caps);
}

/* Load and apply another theme (":theme NAME"). */
void
draw_theme_switch(struct console *c, const char *name)
{
	struct theme t;
	int rc;

	rc = theme_load(&t, name, NULL);
	for (size_t i = 0; i < t.nwarnings; i++)
		log_warn("theme: %s", t.warnings[i]);
	if (rc != 0) {
		tui_message(c, true, "theme %s: %s", name, t.nwarnings > 0 ?
		    t.warnings[t.nwarnings - 1] : "not found");
		theme_release(&t);
		return;
	}
	theme_release(&c->theme);
	c->theme = t;
	theme_apply(&c->theme, &c->caps);
	clearok(curscr, TRUE);
	tui_message(c, false, "theme %s", name);
}

/* Set the attributes of a role for what is drawn next. */
void
draw_role(struct console *c, enum theme_role role)
{
	(void)c;
	attrset(theme_attr(role));
}

/*
 * Draw untrusted text at (y, x) in exactly width columns (padded with
 * spaces, cut with an ellipsis), sanitized.  Returns the columns used.
 */
int
draw_text(struct console *c, int y, int x, int width, const char *text)
{
	char buf[SANITIZE_FIT_SIZE(DRAW_CELL_COLS)];
	int used = 0;

	if (width <= 0 || y < 0 || y >= c->rows || x >= c->cols)
		return 0;
	if (x + width > c->cols)
		width = c->cols - x;
	if (width > DRAW_CELL_COLS)
		width = DRAW_CELL_COLS;
	if (text == NULL)
		text = "";
	sanitize_fit(buf, sizeof buf, text, strlen(text), c->sanitize_flags | SANITIZE_PAD,
	    width, &used);
	mvaddstr(y, x, buf);
	return width;
}

/* Like draw_text for text the console formats itself (sanitized all the same). */
int
draw_textf(struct console *c, int y, int x, int width, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(c, y, x, width, buf);
}

/* A horizontal line from (y, x) over width columns. */
void
draw_hline(struct console *c, int y, int x, int width)
{
	draw_role(c, ROLE_BORDER);
	mvhline(y, x, c->line_ascii ? '-' : ACS_HLINE, width);
}

/* A box with a title over rows [top, top+h) and columns [left, left+w). */
void
draw_box(struct console *c, int top, int left, int h, int w, const char *title)
{
	if (left < 0)
		left = 0;
	if (w > c->cols)
		w = c->cols;
	for (int y = top; y < top + h; y++) {
		move(y, left);
		draw_role(c, ROLE_NORMAL);
		hline(' ', w);
	}
	draw_role(c, ROLE_BORDER);
	if (c->line_ascii) {
		mvhline(top, left, '-', w);
		mvhline(top + h - 1, left, '-', w);
		mvvline(top, left, '|', h);
		mvvline(top, left + w - 1, '|', h);
		mvaddch(top, left, '+');
		mvaddch(top, left + w - 1, '+');
		mvaddch(top + h - 1, left, '+');
		mvaddch(top + h - 1, left + w - 1, '+');
	} else {
		mvhline(top, left + 1, ACS_HLINE, w - 2);
		mvhline(top + h - 1, left + 1, ACS_HLINE, w - 2);
		mvvline(top + 1, left, ACS_VLINE, h - 2);
		mvvline(top + 1, left + w - 1, ACS_VLINE, h - 2);
		mvaddch(top, left, ACS_ULCORNER);
		mvaddch(top, left + w - 1, ACS_URCORNER);
		mvaddch(top + h - 1, left, ACS_LLCORNER);
		mvaddch(top + h - 1, left + w - 1, ACS_LRCORNER);
	}
	if (title != NULL) {
		draw_role(c, ROLE_TITLE);
		draw_textf(c, top, left + 2, (int)strlen(title) + 2, " %s ", title);
	}
}

/* "12s", "3m05s", "2h10m", "3d04h": an age that fits in 6 columns. */
const char *
draw_age(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* The title line: site group, user and role, clock, feed state. */
void
draw_title(struct console *c)
{
	enum stream_state st = c->stream != NULL ? stream_state(c->stream) : STREAM_DISCONNECTED;
	int64_t now = vtime_now_ms(), last = c->stream != NULL ? stream_last_ms(c->stream) : 0;
	char clock[32], feed[96], age[16], left[160];
	time_t secs = (time_t)(now / 1000);
	struct tm tm;
	int fw;

	if (c->cfg.clock == CONFIG_CLOCK_LOCAL) {
		localtime_r(&secs, &tm);
		strftime(clock, sizeof clock, "%H:%M:%S %Z", &tm);
	} else {
		gmtime_r(&secs, &tm);
		strftime(clock, sizeof clock, "%H:%M:%S UTC", &tm);
	}
	if (c->loading && st != STREAM_DISCONNECTED)
		snprintf(feed, sizeof feed, " LOADING ");
	else if (st == STREAM_LIVE)
		snprintf(feed, sizeof feed, " LIVE ");
	else if (st == STREAM_STALE)
		snprintf(feed, sizeof feed, " STALE: nothing heard for %s ",
		    draw_age(now - last, age, sizeof age));
	else if (last > 0)
		snprintf(feed, sizeof feed, " DISCONNECTED: last message %s ago ",
		    draw_age(now - last, age, sizeof age));
	else
		snprintf(feed, sizeof feed, " DISCONNECTED ");
	snprintf(left, sizeof left, " vigil  %s  %s (%s)  %s", c->group != NULL ? c->group : "",
	    c->user != NULL ? c->user : "?", c->role != NULL ? c->role : "?", clock);
	fw = (int)strlen(feed);
	draw_role(c, ROLE_TITLE);
	draw_text(c, 0, 0, c->cols - fw, left);
	draw_role(c, st == STREAM_LIVE && !c->loading ? ROLE_STATUS_LIVE :
	    st == STREAM_STALE || c->loading ? ROLE_STATUS_STALE : ROLE_STATUS_DISCONNECTED);
	draw_text(c, 0, c->cols - fw, fw, feed);
}

/* The message line at row y: a status message, pendings or marks. */
void
draw_message_line(struct console *c, int y)
{
	size_t marks = json_object_size(c->marked);
	char pending[48] = "", marked[96] = "", kb[16];

	move(y, 0);
	draw_role(c, ROLE_NORMAL);
	clrtoeol();
	if (c->message[0] != '\0' && vtime_mono_ms() < c->message_until) {
		draw_role(c, c->message_error ? ROLE_ERROR : ROLE_NORMAL);
		draw_text(c, y, 0, c->cols, c->message);
	} else if (c->npending > 0 || marks > 0) {
		if (c->npending > 0)
			snprintf(pending, sizeof pending, "%d action%s pending", c->npending,
			    c->npending == 1 ? "" : "s");
		if (marks > 0)
			snprintf(marked, sizeof marked, "%zu marked (%s acknowledges them)", marks,
			    keymap_action_key(KA_ACK_MARKED, kb, sizeof kb));
		draw_role(c, ROLE_PENDING);
		draw_textf(c, y, 0, c->cols, "%s%s%s", pending,
		    *pending != '\0' && *marked != '\0' ? "   " : "", marked);
	}
}

/* The key bar of a view kind at row y, from the key table. */
void
draw_keybar(struct console *c, unsigned kind, const char *text, int y)
{
	int x = 0;

	move(y, 0);
	draw_role(c, ROLE_KEYBAR_LABEL);
	clrtoeol();
	if (kind == 0) {
		draw_role(c, ROLE_KEYBAR_LABEL);
		draw_text(c, y, 0, c->cols, text != NULL ? text :
		    "Enter accept   Esc cancel   Tab complete");
		return;
	}
	for (int i = 0; i < keymap_count && x < c->cols; i++) {
		const struct key_binding *b = &keymap_table[i];
		char kb[16];
		const char *k;

		if (b->label == NULL || (b->views & kind) == 0 || b->keys[0] == 0)
			continue;
		k = keymap_key_name(b->keys[0], kb, sizeof kb);
		if (x + (int)strlen(k) + (int)strlen(b->label) + 2 > c->cols)
			break;
		draw_role(c, ROLE_KEYBAR_KEY);
		x += draw_text(c, y, x, (int)strlen(k), k);
		draw_role(c, ROLE_KEYBAR_LABEL);
		x += draw_textf(c, y, x, (int)strlen(b->label) + 2, " %s ", b->label);
	}
}

/* The "enlarge the window" screen. */
void
draw_too_small(struct console *c)
{
	char msg[128];
	int y = c->rows / 2 - 1;

	snprintf(msg, sizeof msg, "vigil needs at least %dx%d; this window is %dx%d.",
	    TUI_MIN_COLS, TUI_MIN_ROWS, c->cols, c->rows);
	draw_role(c, ROLE_STATUS_STALE);
	draw_text(c, y < 0 ? 0 : y, 0, c->cols, msg);
	draw_role(c, ROLE_NORMAL);
	draw_text(c, y + 1 < c->rows ? y + 1 : 0, 0, c->cols,
	    "Enlarge the window (q quits).");
}
