#include "compat.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"
#include "keymap.h"
#include "log.h"
#include "rest.h"
#include "tui.h"
#include "view.h"
#include "vtime.h"

static struct console *app_console;   /* for the fatal hook only */

/* The terminal hung up or went away (see tui.h). */
bool console_hung_up;

/* Restore the terminal: on every exit path, fatal ones included. */
static void
app_restore(void)
{
	if (!isendwin())
		endwin();
}

/* Create a view with ops and data (owned by the view). */
struct view *
view_new(const struct view_ops *ops, void *data)
{
	struct view *v = xcalloc(1, sizeof *v);

	v->ops = ops;
	v->data = data;
	return v;
}

/* Show a one-line message under the queue for TUI_MESSAGE_S seconds. */
void
tui_message(struct console *c, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	c->message_error = error;
	c->message_until = vtime_mono_ms() + TUI_MESSAGE_S * 1000;
	if (error)
		log_warn("console: %s", c->message);
	tui_dirty(c);
}

/* Push a view over the current one; it now gets the keys. */
void
tui_push(struct console *c, struct view *v)
{
	if (c->nviews == TUI_MAX_VIEWS) {
		v->ops->free(v);
		return;
	}
	c->views[c->nviews++] = v;
	tui_dirty(c);
}

/* Close the top view (not the dashboard). */
void
tui_pop(struct console *c)
{
	struct view *v;

	if (c->nviews <= 1)
		return;
	v = c->views[--c->nviews];
	v->ops->free(v);
	tui_dirty(c);
}

/* Leave the console after this pass. */
void
tui_quit(struct console *c, int status)
{
	c->quit = true;
	c->exit_status = status;
	uv_stop(c->loop);
}

static void app_on_redraw(uv_timer_t *t);

/*
 * How long drawing takes, by the view on top, for the log at exit (and
 * the map benchmark): a histogram of draw passes in APP_DRAW_BUCKET_US
 * steps, from the view stack to doupdate() included.
 */
#define APP_DRAW_KINDS     8
#define APP_DRAW_BUCKETS   5000
#define APP_DRAW_BUCKET_US 20

static struct app_draw_stats {
	const char *view;
	uint32_t hist[APP_DRAW_BUCKETS];
	uint64_t n, total_us, max_us;
} app_draw_stats[APP_DRAW_KINDS];

/* Microseconds from a monotonic clock. */
static uint64_t
app_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Count one draw pass of us microseconds with view on top. */
static void
app_draw_count(const char *view, uint64_t us)
{
	struct app_draw_stats *s = NULL;
	uint64_t b = us / APP_DRAW_BUCKET_US;

	for (int i = 0; i < APP_DRAW_KINDS && s == NULL; i++)
		if (app_draw_stats[i].view == NULL || strcmp(app_draw_stats[i].view, view) == 0)
			s = &app_draw_stats[i];
	if (s == NULL)
		return;
	s->view = view;
	s->hist[b < APP_DRAW_BUCKETS ? b : APP_DRAW_BUCKETS - 1]++;
	s->n++;
	s->total_us += us;
	if (us > s->max_us)
		s->max_us = us;
}

/* The q-th quantile of a histogram, in milliseconds. */
static double
app_draw_quantile(const struct app_draw_stats *s, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)s->n), seen = 0;

	for (int b = 0; b < APP_DRAW_BUCKETS; b++)
		if ((seen += s->hist[b]) >= want && want > 0)
			return (b + 1) * APP_DRAW_BUCKET_US / 1000.0;
	return 0;
}

/* Write the drawing times to the log. */
static void
app_draw_report(void)
{
	for (int i = 0; i < APP_DRAW_KINDS && app_draw_stats[i].view != NULL; i++) {
		const struct app_draw_stats *s = &app_draw_stats[i];

		log_info("draw %s: %" PRIu64 " passes, mean %.2f ms, p50 %.2f ms, "
		    "p99 %.2f ms, max %.2f ms", s->view, s->n,
		    s->n > 0 ? (double)s->total_us / (double)s->n / 1000.0 : 0.0,
		    app_draw_quantile(s, 0.5), app_draw_quantile(s, 0.99),
		    (double)s->max_us / 1000.0);
	}
}

/* Draw the whole screen: title, the view stack, the message and key bar. */
static void
app_draw(struct console *c)
{
	int bottom = c->rows - 2;
	uint64_t started = app_now_us();

	c->last_draw_ms = vtime_mono_ms();
	erase();
	if (c->too_small) {
		draw_too_small(c);
	} else {
		draw_title(c);
		/* The message line first: a prompt view draws over it. */
		draw_message_line(c, bottom);
		int first = 0;

		/* Views under an opaque one would only be drawn over. */
		for (int i = 0; i < c->nviews; i++)
			if (c->views[i]->ops->opaque)
				first = i;
		for (int i = first; i < c->nviews; i++)
			c->views[i]->ops->draw(c, c->views[i], 1, bottom);
		draw_keybar(c, c->views[c->nviews - 1]->ops->kind,
		    c->views[c->nviews - 1]->ops->keybar, c->rows - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
	if (!c->too_small)
		app_draw_count(c->views[c->nviews - 1]->ops->name, app_now_us() - started);
	c->dirty = false;
	/* The queue put off a rebuild: draw again when it is due. */
	if (c->redraw_again_ms > 0) {
		int64_t wait = c->redraw_again_ms;

		c->redraw_again_ms = 0;
		c->dirty = true;
		uv_timer_start(&c->redraw_timer, app_on_redraw, (uint64_t)wait, 0);
	}
}

/* Redraw timer: draw now if anything changed. */
static void
app_on_redraw(uv_timer_t *t)
{
	struct console *c = t->data;

	if (c->dirty && !c->quit)
		app_draw(c);
}

/* Mark the screen for redrawing (at most TUI_FPS times a second). */
void
tui_dirty(struct console *c)
{
	int64_t now, wait;

	if (c->dirty)
		return;
	c->dirty = true;
	now = vtime_mono_ms();
	wait = c->last_draw_ms + 1000 / TUI_FPS - now;
	uv_timer_start(&c->redraw_timer, app_on_redraw, wait > 0 ? (uint64_t)wait : 0, 0);
}

/* Take the terminal's new size. */
static void
app_resize(struct console *c)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	c->rows = LINES;
	c->cols = COLS;
	c->too_small = c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS;
	clearok(curscr, TRUE);
	tui_dirty(c);
}

/* Keys no view took: help, the command line, redraw, quit. */
static void
app_key_global(struct console *c, enum key_action act)
{
	switch (act) {
	case KA_HELP:
		tui_push(c, view_help_new(c));
		break;
	case KA_COMMAND:
		tui_push(c, view_prompt_new(c, ":", cmdline_run, NULL));
		break;
	case KA_REDRAW:
		clearok(curscr, TRUE);
		tui_dirty(c);
		break;
	case KA_QUIT:
		tui_quit(c, 0);
		break;
	default:
		break;
	}
}

/* One key from the terminal: to the top view, then the global keys. */
static void
app_key(struct console *c, int key)
{
	struct view *v;
	enum key_action act;
	int rc;

	if (key == KEY_RESIZE) {
		/* resizeterm() queued this; the size is already taken. */
		c->rows = LINES;
		c->cols = COLS;
		c->too_small = c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS;
		tui_dirty(c);
		return;
	}
	if (c->too_small) {
		if (key == 'q' || key == KEY_F(10))
			tui_quit(c, 0);
		return;
	}
	v = c->views[c->nviews - 1];
	/* Redraw works in every view, even those that take every key. */
	if (keymap_lookup(VIEW_ANY, key) == KA_REDRAW && v->ops->kind != 0) {
		app_key_global(c, KA_REDRAW);
		return;
	}
	act = keymap_lookup(v->ops->kind, key);
	rc = v->ops->key(c, v, key, act);
	if (rc & VIEW_CLOSE)
		tui_pop(c);
	if (!(rc & VIEW_HANDLED))
		app_key_global(c, act);
	tui_dirty(c);
}

/* The terminal has input: read every key waiting. */
static void
app_on_stdin(uv_poll_t *h, int status, int events)
{
	struct console *c = h->data;
	wint_t wch;
	int rc;

	int keys = 0;

	if (status < 0 || (events & UV_DISCONNECT)) {
		console_hung_up = true;
		tui_quit(c, EX_IOERR);
		return;
	}
	while (!c->quit && (rc = get_wch(&wch)) != ERR) {
		app_key(c, (int)wch);
		keys++;
	}
	/*
	 * A terminal that is readable but yields nothing, again and again, has
	 * gone (end of file, EIO after a hangup): leave instead of spinning.
	 */
	c->empty_reads = keys > 0 ? 0 : c->empty_reads + 1;
	if (c->empty_reads >= TUI_EMPTY_READS_MAX) {
		log_warn("console: the terminal has gone");
		console_hung_up = true;
		tui_quit(c, EX_IOERR);
		return;
	}
	/* An operator's key is answered at once, not at the next frame. */
	if (c->dirty && !c->quit) {
		uv_timer_stop(&c->redraw_timer);
		app_draw(c);
	}
}

/* Once a second: the clock, ageing alarms, the feed's age, the bell. */
static void
app_on_tick(uv_timer_t *t)
{
	struct console *c = t->data;

	attention_tick(c);
	livefeed_retry(c);
	tui_dirty(c);
}

/* SIGWINCH, SIGINT, SIGTERM, SIGHUP: resize or leave cleanly. */
static void
app_on_signal(uv_signal_t *h, int signum)
{
	struct console *c = h->data;

	if (signum == SIGWINCH) {
		app_resize(c);
		return;
	}
	if (signum == SIGHUP)
		console_hung_up = true;
	tui_quit(c, signum == SIGINT ? 0 : 128 + signum);
}

/* Start curses: raw keys, no echo, hidden cursor, colours when possible. */
static void
app_curses_start(struct console *c)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	draw_colors_start(c);
	c->rows = LINES;
	c->cols = COLS;
	c->too_small = c->rows < TUI_MIN_ROWS || c->cols < TUI_MIN_COLS;
}

/* Close one of the console's handles (libuv frees nothing: they are members). */
static void
app_close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Run the console: vigil with no subcommand.  Returns an exit status. */
int
console_main(int argc, char **argv)
{
	struct console con, *c = &con;
	char *cause = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	setlocale(LC_ALL, "");
	c->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	c->loop = uv_default_loop();
	c->marked = json_object();
	replica_init(&c->replica);
	if ((rc = setup_console(c, argc, argv, &cause)) != 0) {
		fprintf(stderr, "vigil: %s\n", cause);
		free(cause);
		return rc;
	}
	app_console = c;
	fatal_hook = app_restore;
	app_curses_start(c);
	uv_timer_init(c->loop, &c->redraw_timer);
	uv_timer_init(c->loop, &c->tick_timer);
	c->redraw_timer.data = c->tick_timer.data = c;
	uv_timer_start(&c->tick_timer, app_on_tick, 1000, 1000);
	uv_poll_init(c->loop, &c->stdin_poll, STDIN_FILENO);
	c->stdin_poll.data = c;
	uv_poll_start(&c->stdin_poll, UV_READABLE | UV_DISCONNECT, app_on_stdin);
	uv_signal_init(c->loop, &c->sig_winch);
	uv_signal_init(c->loop, &c->sig_int);
	uv_signal_init(c->loop, &c->sig_term);
	uv_signal_init(c->loop, &c->sig_hup);
	c->sig_winch.data = c->sig_int.data = c->sig_term.data = c->sig_hup.data = c;
	uv_signal_start(&c->sig_winch, app_on_signal, SIGWINCH);
	uv_signal_start(&c->sig_int, app_on_signal, SIGINT);
	uv_signal_start(&c->sig_term, app_on_signal, SIGTERM);
	uv_signal_start(&c->sig_hup, app_on_signal, SIGHUP);

	tui_push(c, view_dash_new(c));
	if (livefeed_start(c, &cause) != 0) {
		app_restore();
		fprintf(stderr, "vigil: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	app_draw(c);
	uv_run(c->loop, UV_RUN_DEFAULT);

	/* Leaving: stop everything, let libuv close the handles, restore. */
	livefeed_stop(c);
	while (c->nviews > 0) {
		struct view *v = c->views[--c->nviews];
		v->ops->free(v);
	}
	app_close_handle((uv_handle_t *)&c->redraw_timer);
	app_close_handle((uv_handle_t *)&c->tick_timer);
	app_close_handle((uv_handle_t *)&c->stdin_poll);
	app_close_handle((uv_handle_t *)&c->sig_winch);
	app_close_handle((uv_handle_t *)&c->sig_int);
	app_close_handle((uv_handle_t *)&c->sig_term);
	app_close_handle((uv_handle_t *)&c->sig_hup);
	/*
	 * Closing the signal handles restored the default actions: a second
	 * hangup or interrupt must not cut the clean-up short (vigil demo
	 * still has its directory to remove), so they are ignored from here.
	 */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	rest_free(c->rest);
	c->rest = NULL;
	uv_run(c->loop, UV_RUN_DEFAULT);
	livefeed_free(c);
	uv_loop_close(c->loop);
	app_restore();
	app_draw_report();
	teardown_console(c);
	return c->exit_status;
}
