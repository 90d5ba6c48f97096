#include "compat.h"

#include "log.h"
#include "rest.h"
#include "tui.h"
#include "vtime.h"

/*
 * Actions on alarms.  The console never changes its replica itself: it
 * sends the action with the version the operator saw, shows the alarm as
 * pending, and drops the pending mark when the stream brings the alarm at a
 * newer version (or the server refuses, which is said on the message line).
 */
struct action_call {
	struct console *c;
	int64_t alarm;
	char verb[16];
};

/* The pending action on alarm id, or NULL. */
const struct tui_pending *
action_pending(struct console *c, int64_t id)
{
	for (int i = 0; i < c->npending; i++)
		if (c->pending[i].alarm == id)
			return &c->pending[i];
	return NULL;
}

/* Forget pending entry i. */
static void
action_forget(struct console *c, int i)
{
	c->pending[i] = c->pending[--c->npending];
	tui_dirty(c);
}

/* Drop pendings the replica has confirmed (after stream messages). */
void
action_settle(struct console *c)
{
	for (int i = 0; i < c->npending; i++) {
		struct alarm_rec *a = replica_alarm(&c->replica, c->pending[i].alarm);
		int64_t v = a != NULL ? a->version : 0;

		/* Confirmed: a newer version arrived, or the alarm left the queue. */
		if (a == NULL || v > c->pending[i].version) {
			action_forget(c, i);
			i--;
		}
	}
}

/* The server answered an action. */
static void
action_done(void *arg, const struct rest_reply *r)
{
	struct action_call *call = arg;
	struct console *c = call->c;

	for (int i = 0; i < c->npending; i++) {
		if (c->pending[i].alarm != call->alarm)
			continue;
		if (r->status == 200) {
			c->pending[i].replied = true;
			/* The stream may already have confirmed it. */
			action_settle(c);
		} else {
			action_forget(c, i);
		}
		break;
	}
	if (r->status == 409)
		tui_message(c, true, "%s", r->error != NULL ? r->error :
		    "the alarm was changed by someone else");
	else if (r->status == 0)
		tui_message(c, true, "alarm %" PRId64 ": not sent: %s", call->alarm,
		    r->error != NULL ? r->error : "no reply");
	else if (r->status != 200)
		tui_message(c, true, "alarm %" PRId64 ": %s refused: %s", call->alarm,
		    call->verb, r->error != NULL ? r->error : "error");
	else if (strcmp(call->verb, "notes") == 0)
		tui_message(c, false, "note added to alarm %" PRId64, call->alarm);
	free(call);
	tui_dirty(c);
}

/* Send an action on an alarm; shows as pending until confirmed. */
void
action_alarm(struct console *c, int64_t id, const char *verb, json_t *extra)
{
	struct alarm_rec *alarm = replica_alarm(&c->replica, id);
	struct action_call *call;
	char path[96], *cause = NULL;
	json_t *body = extra != NULL ? extra : json_object();
	int64_t version = 0;

	if (action_pending(c, id) != NULL) {
		tui_message(c, true, "alarm %" PRId64 ": an action is still pending", id);
		json_decref(body);
		return;
	}
	if (strcmp(verb, "notes") != 0) {
		if (alarm == NULL && strcmp(verb, "reopen") != 0) {
			tui_message(c, true, "alarm %" PRId64 " is not in the queue", id);
			json_decref(body);
			return;
		}
		if (json_object_get(body, "version") == NULL) {
			version = alarm->version;
			json_object_set_new(body, "version", json_integer(version));
		} else {
			version = json_integer_value(json_object_get(body, "version"));
		}
	}
	call = xcalloc(1, sizeof *call);
	call->c = c;
	call->alarm = id;
	snprintf(call->verb, sizeof call->verb, "%s", verb);
	snprintf(path, sizeof path, "/api/v1/alarms/%" PRId64 "/%s", id, verb);
	if (rest_request(c->rest, "POST", path, body, action_done, call, &cause) == NULL) {
		tui_message(c, true, "alarm %" PRId64 ": %s", id, cause);
		free(cause);
		free(call);
		return;
	}
	if (strcmp(verb, "notes") != 0 && alarm != NULL && c->npending < TUI_MAX_PENDING) {
		struct tui_pending *p = &c->pending[c->npending++];

		p->alarm = id;
		p->version = version;
		p->verb = strcmp(verb, "ack") == 0 ? "ack" : strcmp(verb, "assign") == 0 ?
		    "assign" : strcmp(verb, "release") == 0 ? "release" :
		    strcmp(verb, "close") == 0 ? "close" : "reopen";
		p->sent_ms = vtime_mono_ms();
		p->replied = false;
	}
	log_info("action: %s alarm %" PRId64 " at version %" PRId64, verb, id, version);
	tui_dirty(c);
}
