#include "compat.h"

#include <unistd.h>

#include "log.h"
#include "sanitize.h"
#include "tui.h"
#include "vtime.h"

/*
 * Attention: a new alarm of a priority that rings (config [bell]) rings
 * the terminal bell, again every bell.repeat seconds while such an alarm is
 * still unacknowledged, and can raise a desktop notification through the
 * terminal (OSC 9 or OSC 777).  Over SSH the bytes travel with the screen,
 * so a supervisor's laptop rings as well.
 */
#define ATTENTION_TEXT_MAX 160

/* True when priority p rings. */
static bool
attention_rings(struct console *c, json_int_t p)
{
	return c->cfg.bell && p >= 1 && p <= 9 && (c->cfg.priorities & (1u << p)) != 0;
}

/* Which notification escape the terminal takes, or CONFIG_NOTIFY_OFF. */
static int
attention_notify_kind(struct console *c)
{
	const char *prog = getenv("TERM_PROGRAM"), *term = getenv("TERM");

	if (c->cfg.notify != CONFIG_NOTIFY_AUTO)
		return c->cfg.notify;
	/* Terminals known to show OSC 9 / OSC 777 notifications. */
	if (prog != NULL && (strcmp(prog, "iTerm.app") == 0 || strcmp(prog, "WezTerm") == 0))
		return CONFIG_NOTIFY_OSC9;
	if (term != NULL && (strstr(term, "foot") != NULL || strstr(term, "kitty") != NULL))
		return CONFIG_NOTIFY_OSC9;
	if (getenv("VTE_VERSION") != NULL)
		return CONFIG_NOTIFY_OSC777;
	return CONFIG_NOTIFY_OFF;
}

/* Send a desktop notification through the terminal; the text is sanitized to ASCII. */
static void
attention_notify(struct console *c, const char *title, const char *body)
{
	char t[ATTENTION_TEXT_MAX], b[ATTENTION_TEXT_MAX], out[2 * ATTENTION_TEXT_MAX + 32];
	int kind = attention_notify_kind(c), n;

	if (kind == CONFIG_NOTIFY_OFF)
		return;
	/* ASCII only, and no ";" which separates OSC 777 fields. */
	sanitize_fit(t, sizeof t, title, strlen(title), SANITIZE_ASCII, 60, NULL);
	sanitize_fit(b, sizeof b, body, strlen(body), SANITIZE_ASCII, 100, NULL);
	for (char *p = t; *p != '\0'; p++)
		if (*p == ';')
			*p = ',';
	for (char *p = b; *p != '\0'; p++)
		if (*p == ';')
			*p = ',';
	if (kind == CONFIG_NOTIFY_OSC777)
		n = snprintf(out, sizeof out, "\033]777;notify;%s;%s\033\\", t, b);
	else
		n = snprintf(out, sizeof out, "\033]9;%s: %s\033\\", t, b);
	if (n > 0 && write(STDOUT_FILENO, out, (size_t)n) < 0)
		log_warn("attention: cannot write the notification");
}

/* A new alarm arrived: ring / notify as configured. */
void
attention_alarm(struct console *c, json_t *alarm)
{
	json_int_t p = json_integer_value(json_object_get(alarm, "priority"));
	char title[64], body[ATTENTION_TEXT_MAX];
	const char *site = json_string_value(json_object_get(alarm, "site_name"));
	const char *point = json_string_value(json_object_get(alarm, "point_label"));

	if (!attention_rings(c, p))
		return;
	beep();
	c->ring_ms = vtime_mono_ms();
	snprintf(title, sizeof title, "vigil P%d %s", (int)p,
	    json_is_string(json_object_get(alarm, "type")) ?
	    json_string_value(json_object_get(alarm, "type")) : "alarm");
	snprintf(body, sizeof body, "%s: %s", site != NULL ? site : "?",
	    point != NULL ? point : "site");
	attention_notify(c, title, body);
}

/* Once a second: repeat the bell while ringing alarms wait unacknowledged. */
void
attention_tick(struct console *c)
{
	struct alarm_rec *a;
	size_t it = 0;

	if (!c->cfg.bell || c->cfg.repeat <= 0 ||
	    vtime_mono_ms() - c->ring_ms < (int64_t)c->cfg.repeat * 1000)
		return;
	while ((a = alarmset_next(c->replica.alarms, &it)) != NULL) {
		if (a->state == ALARM_NEW && attention_rings(c, a->priority)) {
			beep();
			c->ring_ms = vtime_mono_ms();
			return;
		}
	}
}
