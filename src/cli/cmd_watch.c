#include "compat.h"

#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <sysexits.h>
#include <unistd.h>

#include "backoff.h"
#include "cli.h"
#include "log.h"
#include "rest.h"
#include "session.h"
#include "stream.h"
#include "vtime.h"

/*
 * vigil watch: every change message of the stream as one JSON line on
 * stdout, flushed per line, through server restarts (the stream resumes
 * after the last seq) and resyncs (the resync line is printed, then the
 * stream continues from a fresh snapshot's seq).
 */

#define WATCH_GLOB_MAX   64      /* one --types pattern */
#define WATCH_GLOBS_MAX  32      /* patterns in --types */

struct watch {
	uv_loop_t loop;
	struct session session;
	struct rest *rest;
	struct stream *stream;
	struct rest_req *snap_req;
	uv_timer_t snap_timer;       /* the next try at a snapshot seq */
	uv_timer_t quit_timer;       /* shuts down outside any callback */
	uv_signal_t sigs[3];
	struct backoff snap_backoff;
	const char *globs[WATCH_GLOBS_MAX];
	int nglobs;
	char *types;                 /* owns the strings in globs */
	const char *site;
	bool ascii;                  /* stdout is a terminal: escape non-ASCII */
	bool lost;                   /* told the user the connection is lost */
	bool stale;                  /* told the user the server is silent */
	bool quitting;
	int status;
};

static void watch_snapshot(struct watch *w);

/* Close a handle of the watch, with nothing to free. */
static void
watch_close(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Shut everything down (from outside any stream callback). */
static void
watch_on_quit(uv_timer_t *h)
{
	struct watch *w = h->data;

	if (w->snap_req != NULL)
		rest_cancel(w->snap_req);
	w->snap_req = NULL;
	stream_close(w->stream);
	rest_free(w->rest);
	w->rest = NULL;
	for (size_t i = 0; i < ARRAY_LEN(w->sigs); i++)
		watch_close((uv_handle_t *)&w->sigs[i]);
	watch_close((uv_handle_t *)&w->snap_timer);
	watch_close((uv_handle_t *)&w->quit_timer);
}

/* End the watch with exit status st, once the current callback returns. */
static void
watch_quit(struct watch *w, int st)
{
	if (w->quitting)
		return;
	w->quitting = true;
	w->status = st;
	uv_timer_start(&w->quit_timer, watch_on_quit, 0, 0);
}

/* SIGINT, SIGTERM, SIGHUP: a normal end. */
static void
watch_on_signal(uv_signal_t *h, int sig)
{
	log_info("watch: signal %d, stopping", sig);
	watch_quit(h->data, 0);
}

/* Print one message as a line on stdout; -1 when stdout is gone. */
static int
watch_print(struct watch *w, json_t *msg, const char *text, size_t len)
{
	char *own = NULL;
	int rc = 0;

	/* Re-encode only when needed: a newline inside, or a terminal. */
	if (w->ascii || memchr(text, '\n', len) != NULL ||
	    memchr(text, '\r', len) != NULL) {
		own = json_dumps(msg, JSON_COMPACT |
		    (w->ascii ? JSON_ENSURE_ASCII : 0));
		if (own == NULL)
			fatal("cannot encode a message");
		text = own;
		len = strlen(own);
	}
	if (fwrite(text, 1, len, stdout) != len || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		/* A reader that went away (| head) ends the watch quietly. */
		if (errno != EPIPE)
			cli_error("watch", "cannot write: %s", strerror(errno));
		watch_quit(w, errno == EPIPE ? 0 : EX_IOERR);
		rc = -1;
	}
	free(own);
	return rc;
}

/* True when a message passes the --types and --site filters. */
static bool
watch_wanted(const struct watch *w, json_t *msg)
{
	const char *type = json_string_value(json_object_get(msg, "type"));
	const char *site = json_string_value(json_object_get(msg, "site"));
	int i;

	if (w->site != NULL && (site == NULL || strcmp(site, w->site) != 0))
		return false;
	if (w->nglobs == 0)
		return true;
	for (i = 0; i < w->nglobs; i++)
		if (type != NULL && fnmatch(w->globs[i], type, 0) == 0)
			return true;
	return false;
}

/* A change message: print it when it passes the filters. */
static void
watch_on_message(void *arg, json_t *msg, const char *text, size_t len)
{
	struct watch *w = arg;

	if (!w->quitting && watch_wanted(w, msg))
		watch_print(w, msg, text, len);
}

/* The token was refused: stop with EX_NOPERM. */
static void
watch_refused(struct watch *w, const char *why)
{
	cli_error("watch", "%s refused the stream: %s", w->session.url, why);
	cli_error("watch", "to log in again: vigil login %s", w->session.url);
	watch_quit(w, EX_NOPERM);
}

/* The stream says the token was refused. */
static void
watch_on_refused(void *arg, const char *why)
{
	watch_refused(arg, why);
}

/* Time to ask for a snapshot seq again. */
static void
watch_on_snap_timer(uv_timer_t *h)
{
	watch_snapshot(h->data);
}

/* The snapshot's seq came (or not): continue the stream from it. */
static void
watch_on_snapshot(void *arg, const struct rest_reply *r)
{
	struct watch *w = arg;
	json_t *seq = json_object_get(r->json, "seq");
	uint64_t delay;

	w->snap_req = NULL;
	if (w->quitting)
		return;
	if (r->status == 401) {
		watch_refused(w, r->error != NULL ? r->error : "HTTP 401");
		return;
	}
	if (r->status != 200 || !json_is_integer(seq) ||
	    json_integer_value(seq) < 0) {
		delay = backoff_next(&w->snap_backoff);
		log_info("watch: no snapshot seq (%s); again in %" PRIu64 " ms",
		    r->error != NULL ? r->error : "no seq in the reply", delay);
		uv_timer_start(&w->snap_timer, watch_on_snap_timer, delay, 0);
		return;
	}
	backoff_reset(&w->snap_backoff);
	cli_error("watch", "continuing from seq %" JSON_INTEGER_FORMAT,
	    json_integer_value(seq));
	stream_follow(w->stream, json_integer_value(seq));
}

/* Ask the server for a snapshot seq to continue from after a resync. */
static void
watch_snapshot(struct watch *w)
{
	char *cause = NULL;

	if (w->quitting || w->snap_req != NULL)
		return;
	w->snap_req = rest_request(w->rest, "GET", "/api/v1/alarms?limit=1",
	    NULL, watch_on_snapshot, w, &cause);
	if (w->snap_req == NULL) {
		cli_error("watch", "%s", cause);
		free(cause);
		watch_quit(w, EX_SOFTWARE);
	}
}

/* A resync: print its line, then continue from a fresh snapshot. */
static void
watch_on_resync(void *arg, json_t *msg, const char *text, size_t len)
{
	struct watch *w = arg;
	const char *reason = json_string_value(json_object_get(
	    json_object_get(msg, "data"), "reason"));

	if (w->quitting || watch_print(w, msg, text, len) != 0)
		return;
	cli_error("watch", "resync: %s", reason != NULL ? reason : "asked by "
	    "the server");
	watch_snapshot(w);
}

/* Greeted by the server: say so after an outage. */
static void
watch_on_hello(void *arg, const struct stream_hello *h)
{
	struct watch *w = arg;

	if (w->lost)
		cli_error("watch", "reconnected to %s; resuming after seq %"
		    PRId64, w->session.url, stream_seq(w->stream));
	w->lost = false;
}

/* A connection failed or was lost: say so once per outage. */
static void
watch_on_retrying(void *arg, uint64_t delay_ms, const char *why)
{
	struct watch *w = arg;

	if (w->lost)
		return;
	w->lost = true;
	cli_error("watch", "%s: %s; reconnecting", w->session.url, why);
}

/* Say when the server goes silent and when it is heard again. */
static void
watch_on_state(void *arg, enum stream_state state)
{
	struct watch *w = arg;

	char ts[VTIME_ISO_LEN];

	if (state == STREAM_STALE) {
		w->stale = true;
		vtime_format(stream_last_ms(w->stream), ts, sizeof ts);
		cli_error("watch", "%s: no word from the server since %s",
		    w->session.url, ts);
	} else if (state == STREAM_LIVE && w->stale && !w->lost)
		cli_error("watch", "%s: the server is heard again",
		    w->session.url);
	if (state != STREAM_STALE)
		w->stale = false;
}

static const struct stream_ops watch_stream_ops = {
	.hello = watch_on_hello,
	.message = watch_on_message,
	.resync = watch_on_resync,
	.state = watch_on_state,
	.retrying = watch_on_retrying,
	.refused = watch_on_refused,
};

/* Split --types into patterns; -1 after a message. */
static int
watch_parse_types(struct watch *w, const char *arg)
{
	char *p, *tok, *save = NULL;

	free(w->types);
	w->types = xstrdup(arg);
	w->nglobs = 0;
	for (p = w->types; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		if (w->nglobs == WATCH_GLOBS_MAX) {
			cli_error("watch", "--types: at most %d patterns",
			    WATCH_GLOBS_MAX);
			return -1;
		}
		if (strlen(tok) > WATCH_GLOB_MAX || strspn(tok,
		    "abcdefghijklmnopqrstuvwxyz0123456789_.-*?[]!") != strlen(tok)) {
			cli_error("watch", "--types: \"%s\" is not a pattern of "
			    "message types like alarm.* or guard.updated", tok);
			return -1;
		}
		w->globs[w->nglobs++] = tok;
	}
	if (w->nglobs == 0) {
		cli_error("watch", "--types: expected at least one pattern");
		return -1;
	}
	return 0;
}

/* Check a --site key; -1 after a message. */
static int
watch_parse_site(const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || n > LIMIT_KEY_LEN || !((arg[0] >= 'a' && arg[0] <= 'z') ||
	    (arg[0] >= '0' && arg[0] <= '9')) || strspn(arg,
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
		cli_error("watch", "--site: \"%s\" is not a site key", arg);
		return -1;
	}
	return 0;
}

/* Read --since; -1 after a message. */
static int
watch_parse_since(const char *arg, int64_t *since)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0) {
		cli_error("watch", "--since: expected a seq (a whole number), "
		    "not \"%s\"", arg);
		return -1;
	}
	*since = (int64_t)v;
	return 0;
}

/* Check the stored session: an exit status, 0 when it can be used. */
static int
watch_session(struct watch *w)
{
	char *cause = NULL;

	if (session_load(&w->session, &cause) != 0) {
		cli_error("watch", "%s", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (w->session.url == NULL) {
		cli_error("watch", "no server configured: log in with \"vigil "
		    "login URL\", or set VIGIL_URL and VIGIL_TOKEN");
		return EX_UNAVAILABLE;
	}
	if (w->session.token == NULL) {
		cli_error("watch", "not logged in to %s: log in with \"vigil "
		    "login %s\", or set VIGIL_TOKEN", w->session.url,
		    w->session.url);
		return EX_NOPERM;
	}
	return 0;
}

/* Set up the loop, the calls, the stream and the signals; -1 after a message. */
static int
watch_start(struct watch *w, int64_t since)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char *cause = NULL;

	if (uv_loop_init(&w->loop) != 0)
		fatal("cannot start an event loop");
	w->rest = rest_new(&w->loop, w->session.url, w->session.token, &cause);
	if (w->rest != NULL)
		w->stream = stream_new(&w->loop, w->session.url,
		    w->session.token, &watch_stream_ops, w, &cause);
	if (w->stream == NULL) {
		cli_error("watch", "%s", cause);
		free(cause);
		rest_free(w->rest);
		uv_run(&w->loop, UV_RUN_DEFAULT);
		uv_loop_close(&w->loop);
		return -1;
	}
	uv_timer_init(&w->loop, &w->snap_timer);
	uv_timer_init(&w->loop, &w->quit_timer);
	w->snap_timer.data = w->quit_timer.data = w;
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
		uv_signal_init(&w->loop, &w->sigs[i]);
		w->sigs[i].data = w;
		uv_signal_start(&w->sigs[i], watch_on_signal, sigs[i]);
	}
	backoff_init(&w->snap_backoff);
	stream_follow(w->stream, since);
	return 0;
}

/* vigil watch [--types GLOBS] [--site KEY] [--since SEQ]. */
int
cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "types", required_argument, NULL, 't' },
		{ "site", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct watch w;
	int64_t since = -1;
	int ch, st;

	memset(&w, 0, sizeof w);
	while ((ch = getopt_long(argc, argv, "t:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (watch_parse_types(&w, optarg) != 0)
				goto usage;
			break;
		case 's':
			if (watch_parse_site(optarg) != 0)
				goto usage;
			w.site = optarg;
			break;
		case 'S':
			if (watch_parse_since(optarg, &since) != 0)
				goto usage;
			break;
		case 'h':
			free(w.types);
			return cli_help("watch",
			    "  -t, --types GLOBS  only these message types, "
			    "comma-separated patterns\n"
			    "                     (alarm.*,guard.updated)\n"
			    "  -s, --site KEY     only messages about this site\n"
			    "      --since SEQ    start after this seq (default: "
			    "only new messages)\n");
		default:
			goto usage;
		}
	}
	if (argc != optind)
		goto usage;
	if ((st = watch_session(&w)) != 0) {
		session_release(&w.session);
		free(w.types);
		return st;
	}
	w.ascii = isatty(STDOUT_FILENO);
	/* What can fail here is the URL: a configuration problem. */
	if (watch_start(&w, since) != 0) {
		session_release(&w.session);
		free(w.types);
		return EX_CONFIG;
	}
	uv_run(&w.loop, UV_RUN_DEFAULT);
	stream_free(w.stream);
	if (uv_loop_close(&w.loop) != 0)
		log_warn("watch: event loop handles left open");
	session_release(&w.session);
	free(w.types);
	return w.status;

usage:
	free(w.types);
	cli_usage("watch");
	return EX_USAGE;
}
