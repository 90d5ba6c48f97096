#include "compat.h"

#include <uv.h>

#include "alarm.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "supervise.h"
#include "txn.h"
#include "vtime.h"

static uv_timer_t supervise_timer;
static bool supervise_running;

/* Raise line faults for gateways silent at now_ms; returns how many, or -1. */
int
supervise_check(struct server *srv, int64_t now_ms)
{
	/*
	 * A gateway never seen counts from the start of this process, so a
	 * restart of vigild does not raise every gateway at once.
	 */
	static const char find[] =
	    "SELECT id, site_id, key FROM gateways WHERE line_fault = 0"
	    " AND COALESCE(last_seen_ms, ?) + supervision_s * 1000 < ?";
	static const char mark[] = "UPDATE gateways SET line_fault = 1 WHERE id = ?";
	static int64_t started_ms;
	sqlite3_stmt *s;
	int64_t ids[64], sites[64];
	char keys[64][LIMIT_KEY_LEN + 1];
	int n = 0;

	if (started_ms == 0)
		started_ms = now_ms;
	s = store_stmt(srv->st, find);
	store_bind_int(s, 1, started_ms);
	store_bind_int(s, 2, now_ms);
	while (n < (int)ARRAY_LEN(ids) && sqlite3_step(s) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(s, 0);
		sites[n] = sqlite3_column_int64(s, 1);
		snprintf(keys[n], sizeof keys[n], "%s", store_col_text(s, 2));
		n++;
	}
	sqlite3_reset(s);
	if (n == 0)
		return 0;
	if (txn_begin(srv) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct alarm_cause c = {
			.site_id = sites[i],
			.gateway_id = ids[i],
			.type = "line_fault",
			.priority = SUPERVISE_PRIORITY,
			.event_ms = now_ms,
			.actor_type = "system",
			.actor = "vigild",
			.source = "supervision",
		};
		bool grouped;

		if (alarm_raise(srv, &c, &grouped, now_ms) < 0)
			goto fail;
		s = store_stmt(srv->st, mark);
		store_bind_int(s, 1, ids[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
		log_warn("supervision: gateway %s is silent: line fault raised", keys[i]);
	}
	if (txn_commit(srv) != 0)
		return -1;
	return n;
fail:
	log_error("supervision: %s", store_errmsg(srv->st));
	txn_abort(srv);
	return -1;
}

/* Timer tick: look for silent gateways. */
static void
supervise_on_tick(uv_timer_t *t)
{
	supervise_check(t->data, vtime_now_ms());
}

/* Start checking gateways on the server's loop. */
void
supervise_start(struct server *srv)
{
	uv_timer_init(srv->loop, &supervise_timer);
	supervise_timer.data = srv;
	uv_timer_start(&supervise_timer, supervise_on_tick, SUPERVISE_TICK_MS,
	    SUPERVISE_TICK_MS);
	supervise_running = true;
}

/* Stop checking (at shutdown). */
void
supervise_stop(struct server *srv)
{
	(void)srv;
	if (!supervise_running)
		return;
	uv_timer_stop(&supervise_timer);
	uv_close((uv_handle_t *)&supervise_timer, NULL);
	supervise_running = false;
}
