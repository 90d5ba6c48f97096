#include "compat.h"

#include <pthread.h>

#include "vtime.h"
#include "sim_ctl.h"
#include "sim_guard.h"
#include "sim_record.h"

static FILE *sim_record_acked_f;
static FILE *sim_record_sent_f;
static pthread_mutex_t sim_record_lock = PTHREAD_MUTEX_INITIALIZER;

/* Open path for appending into *f; -1 with *cause. */
static int
sim_record_file(const char *path, FILE **f, char **cause)
{
	if (path == NULL)
		return 0;
	if ((*f = fopen(path, "a")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Open the files that are not NULL. */
int
sim_record_open(const char *acked, const char *sent, char **cause)
{
	if (sim_record_file(acked, &sim_record_acked_f, cause) != 0)
		return -1;
	if (sim_record_file(sent, &sim_record_sent_f, cause) != 0) {
		sim_record_close();
		return -1;
	}
	return 0;
}

/* Close the files. */
void
sim_record_close(void)
{
	if (sim_record_acked_f != NULL)
		fclose(sim_record_acked_f);
	if (sim_record_sent_f != NULL)
		fclose(sim_record_sent_f);
	sim_record_acked_f = sim_record_sent_f = NULL;
}

/* Flush f, complaining once about a failure. */
static void
sim_record_flush(FILE *f, const char *what)
{
	static bool told;

	if (fflush(f) != 0 && !told) {
		told = true;
		sim_ctl_error("%s file: %s", what, strerror(errno));
	}
}

/* Note the n events of a batch sent for the first time. */
void
sim_record_sent(const struct sim_gateway *gw, const struct sim_event *ev,
    int n)
{
	char ts[VTIME_ISO_LEN];

	if (sim_record_sent_f == NULL || n == 0)
		return;
	pthread_mutex_lock(&sim_record_lock);
	for (int i = 0; i < n; i++) {
		vtime_format(ev[i].ts_ms, ts, sizeof ts);
		fprintf(sim_record_sent_f, "%s %s %s %s %s\n", gw->key,
		    ev[i].id, event_type_name(ev[i].type),
		    ev[i].point != NULL ? ev[i].point->key : "-", ts);
	}
	sim_record_flush(sim_record_sent_f, "sent");
	pthread_mutex_unlock(&sim_record_lock);
}

/* Note the acknowledgement of a batch. */
void
sim_record_acked(const struct sim_gateway *gw, const struct sim_event *ev,
    json_t *results)
{
	json_t *res;
	size_t i;

	if (sim_record_acked_f == NULL)
		return;
	pthread_mutex_lock(&sim_record_lock);
	json_array_foreach(results, i, res) {
		fprintf(sim_record_acked_f, "%s %s %s %s\n", gw->key, ev[i].id,
		    json_string_value(json_object_get(res, "status")),
		    json_string_value(json_object_get(res, "class")));
	}
	sim_record_flush(sim_record_acked_f, "acked");
	pthread_mutex_unlock(&sim_record_lock);
}

/* Print the summary on stdout. */
void
sim_record_summary(const struct sim_world *w, bool guards, bool storm)
{
	int64_t sent = 0, acked = 0, dup = 0, retries = 0;
	int64_t ssent = 0, sacked = 0, salarms = 0;

	for (int i = 0; i < w->ngateways; i++) {
		const struct sim_gateway *gw = w->gateways[i];

		if (!gw->selected)
			continue;
		printf("gateway %s sent %" PRId64 " acked %" PRId64
		    " duplicates %" PRId64 " retries %" PRId64 "\n", gw->key,
		    gw->sent, gw->acked, gw->duplicates, gw->retries);
		if (gw->access_syncs > 0)
			printf("access %s lists %" PRId64 " unchanged %" PRId64
			    " granted %" PRId64 " denied %" PRId64 "\n", gw->key,
			    gw->access_lists, gw->access_unchanged, gw->granted,
			    gw->denied);
		if (gw->lost > 0)
			sim_ctl_error("%s: %" PRId64 " events lost: more than "
			    "its backlog waited to be sent", gw->key, gw->lost);
		sent += gw->sent;
		acked += gw->acked;
		dup += gw->duplicates;
		retries += gw->retries;
		ssent += gw->storm_sent;
		sacked += gw->storm_acked;
		salarms += gw->storm_alarms;
	}
	for (int i = 0; guards && i < w->nguards; i++) {
		const struct sim_guard *g = w->guards[i];

		if (!sim_guard_usable(g))
			continue;
		printf("guard %s positions %" PRId64 " stored %" PRId64
		    " ignored %" PRId64 " retries %" PRId64 "\n", g->callsign,
		    g->posted, g->stored, g->ignored, g->retries);
	}
	if (storm)
		printf("storm sent %" PRId64 " acked %" PRId64 " alarms %" PRId64
		    "\n", ssent, sacked, salarms);
	printf("total sent %" PRId64 " acked %" PRId64 " duplicates %" PRId64
	    " retries %" PRId64 "\n", sent, acked, dup, retries);
	fflush(stdout);
}
