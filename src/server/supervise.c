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
static int64_t supervise_started_ms;   /* gateways never seen count from here */

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
	sqlite3_stmt *s;
	int64_t ids[64], sites[64];
	char keys[64][LIMIT_KEY_LEN + 1];
	int n = 0;

	if (supervise_started_ms == 0)
		supervise_started_ms = now_ms;
	s = store_stmt(srv->st, find);
	store_bind_int(s, 1, supervise_started_ms);
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

/*
 * When the next gateway could fall silent: the earliest deadline of a
 * gateway without a line fault, as a delay from now_ms, at least
 * SUPERVISE_TICK_MS and at most SUPERVISE_IDLE_MS (a gateway imported
 * meanwhile is seen within that).  An idle server wakes that seldom.
 */
static uint64_t
supervise_next_ms(struct server *srv, int64_t now_ms)
{
	static const char sql[] =
	    "SELECT MIN(COALESCE(last_seen_ms, ?) + supervision_s * 1000) FROM gateways"
	    " WHERE line_fault = 0";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t next = now_ms + SUPERVISE_IDLE_MS;

	store_bind_int(s, 1, supervise_started_ms);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(s, 0) + 1;
	sqlite3_reset(s);
	if (next < now_ms + SUPERVISE_TICK_MS)
		next = now_ms + SUPERVISE_TICK_MS;
	if (next > now_ms + SUPERVISE_IDLE_MS)
		next = now_ms + SUPERVISE_IDLE_MS;
	return (uint64_t)(next - now_ms);
}

/* Timer: look for silent gateways, then sleep until the next one could be. */
static void
supervise_on_tick(uv_timer_t *t)
{
	struct server *srv = t->data;
	int64_t now = vtime_now_ms();

	supervise_check(srv, now);
	uv_timer_start(t, supervise_on_tick, supervise_next_ms(srv, now), 0);
}

/* Start checking gateways on the server's loop. */
void
supervise_start(struct server *srv)
{
	uv_timer_init(srv->loop, &supervise_timer);
	supervise_timer.data = srv;
	uv_timer_start(&supervise_timer, supervise_on_tick, SUPERVISE_TICK_MS, 0);
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
