/*
 * tui.h: the console: one libuv loop owning the terminal, the REST client,
 * the stream and the timers; views that draw from the replica.
 *
 * Callbacks change data and mark the screen dirty; drawing happens at most
 * TUI_FPS times a second, once per pass, with one doupdate().  The replica
 * changes only through the stream: an action the operator takes is shown
 * as pending until the message that confirms it arrives.
 */
#ifndef VIGIL_TUI_H
#define VIGIL_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "config.h"
#include "replica.h"
#include "stream.h"
#include "theme.h"

#define TUI_FPS             30      /* most redraws a second */
#define TUI_MIN_COLS        80
#define TUI_MIN_ROWS        24
#define TUI_MAX_VIEWS       8       /* views stacked over the dashboard */
#define TUI_MAX_PENDING     256     /* actions waiting for confirmation */
#define TUI_MESSAGE_S       8       /* a status message stays this long */
#define TUI_SNAPSHOT_PAGE   5000    /* alarms fetched per snapshot page */
#define TUI_EMPTY_READS_MAX 100     /* readable-but-empty terminal reads before leaving */

struct view;
struct rest;
struct tui_filter;
struct mapset;
struct trail;
struct access_signals;

/* An action sent to the server and not yet confirmed by the stream. */
struct tui_pending {
	int64_t alarm;
	int64_t version;        /* the version the action was sent with */
	const char *verb;       /* "ack", "assign", ... */
	int64_t sent_ms;
	bool replied;           /* the HTTP reply came (200): waiting for the stream */
};

/* The alarm queue as shown: open alarms in order, rebuilt when they change. */
struct tui_queue {
	struct alarm_rec **rows; /* references (alarmset.h) */
	size_t n, cap;
	unsigned counts_p[10];  /* open alarms by priority 1..9 */
	unsigned counts_state[4]; /* by state: new, acknowledged, assigned */
};

struct console {
	uv_loop_t *loop;
	struct rest *rest;
	struct stream *stream;
	struct replica replica;
	struct config cfg;
	struct theme theme;
	struct theme_caps caps;
	int sanitize_flags;     /* SANITIZE_ASCII when the locale is not UTF-8 */
	char *url;
	char *token;
	char *exit_message;     /* printed after the terminal is restored */
	bool reload_pending;    /* a snapshot failed: the tick retries it */
	char *user;             /* who is logged in */
	char *role;
	char *group;            /* site group for the title */

	int rows, cols;
	bool utf8;              /* the locale is UTF-8 */
	bool line_ascii;        /* draw lines with - | + */
	bool map_ascii;         /* draw maps in ASCII: no box characters, no braille */
	bool too_small;
	bool dirty;
	bool quit;
	int exit_status;
	int64_t last_draw_ms;

	struct view *views[TUI_MAX_VIEWS];
	int nviews;

	struct tui_queue queue;
	bool queue_stale;       /* rebuild before drawing */
	bool force_rebuild;     /* now, whatever the queue's length (filter changed) */
	int64_t queue_built_ms; /* monotonic time of the last rebuild */
	int64_t redraw_again_ms; /* a draw wants another pass this much later, or 0 */
	int64_t selected;       /* alarm id under the cursor, 0 = none */
	size_t selected_index;  /* its row, kept when the alarm leaves the queue */
	size_t top;             /* first queue row shown */
	json_t *marked;         /* alarm ids marked for bulk actions: object id -> true */
	struct tui_filter *filter;

	struct tui_pending pending[TUI_MAX_PENDING];
	int npending;

	char message[256];      /* one-line status message (sanitized when drawn) */
	bool message_error;
	int64_t message_until;

	bool loading;           /* a snapshot is being fetched */
	int64_t noted_alarm;    /* the alarm of the alarm.note being applied, or 0 */
	int64_t snapshot_ms;    /* when the replica was last loaded */
	int64_t ring_ms;        /* last bell */

	struct mapset *mapsets; /* the site maps fetched so far (maps.h) */
	struct trail *trails;   /* the guards' recent positions */
	struct access_signals *signals; /* the dashboard's recent denials, or NULL */
	uint64_t access_gen;    /* "access" messages and snapshots seen: views refetch */

	uv_poll_t stdin_poll;
	int empty_reads;        /* readable wake-ups in a row that gave no key */
	uv_timer_t redraw_timer;
	uv_timer_t tick_timer;
	uv_signal_t sig_winch, sig_int, sig_term, sig_hup;
};

/* Run the console: vigil with no subcommand.  Returns an exit status. */
int console_main(int argc, char **argv);

/*
 * True after the console left because its terminal hung up or went away.
 * The process then ends with _exit: there is no one to read a report, and
 * LeakSanitizer's exit check (in the sanitizer builds of the tests) can spin
 * for ever in a process whose terminal is gone.
 */
extern bool console_hung_up;

/* Mark the screen for redrawing (at most TUI_FPS times a second). */
void tui_dirty(struct console *c);
/* Show a one-line message under the queue for TUI_MESSAGE_S seconds. */
void tui_message(struct console *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Push a view over the current one; it now gets the keys. */
void tui_push(struct console *c, struct view *v);
/* Close the top view (not the dashboard). */
void tui_pop(struct console *c);
/* Leave the console after this pass. */
void tui_quit(struct console *c, int status);

/* The open alarms in queue order (rebuilding if the replica changed). */
struct tui_queue *tui_queue(struct console *c);
/* Forget the queue's rows (at exit). */
void tui_queue_release(struct console *c);
/* The alarm under the cursor, or NULL (borrowed). */
struct alarm_rec *tui_selected(struct console *c);
/* The index of the selected alarm in the queue, or -1 when it is empty. */
long tui_selected_index(struct console *c);
/* Move the selection to queue row i (clamped). */
void tui_select(struct console *c, long i);

/* livefeed.c: fetch the snapshots, then follow the stream; again after a resync. */
int livefeed_start(struct console *c, char **cause);
/* livefeed.c: stop following (at exit). */
void livefeed_stop(struct console *c);
/* livefeed.c: free the stream once the loop has run dry. */
void livefeed_free(struct console *c);
/* livefeed.c: retry a snapshot that failed (from the tick). */
void livefeed_retry(struct console *c);

/* setup.c: session, login when needed, config, theme, who we are: 0, or an exit status with *cause. */
int setup_console(struct console *c, int argc, char **argv, char **cause);
/* setup.c: free what setup_console made. */
void teardown_console(struct console *c);

/* cmdline.c: run a ":" command line (NULL: cancelled). */
void cmdline_run(struct console *c, void *arg, const char *text);
/* cmdline.c: the map view's track prompt: "CALLSIGN [SINCE [UNTIL]]" played back. */
void cmdline_track(struct console *c, void *arg, const char *text);
/* cmdline.c: complete the last word of a command line: the new line, or NULL. */
char *cmdline_complete(struct console *c, const char *text);

/* queue.c: filter the queue by text as typed after "/" ("" clears it). */
void console_filter_set(struct console *c, const char *text);

/* attention.c: a new alarm arrived: ring / notify as configured. */
void attention_alarm(struct console *c, json_t *alarm);
/* attention.c: once a second: repeat the bell while ringing alarms wait. */
void attention_tick(struct console *c);

/* actions.c: send an action on an alarm; shows as pending until confirmed. */
void action_alarm(struct console *c, int64_t id, const char *verb, json_t *extra);
/* actions.c: the pending action on alarm id, or NULL. */
const struct tui_pending *action_pending(struct console *c, int64_t id);
/* actions.c: drop pendings the replica has confirmed (after stream messages). */
void action_settle(struct console *c);

#endif
