/*
 * sim_record.h: what vigil-sim tells of its run, so that a test can compare
 * what was sent with what the server acknowledged and stored.
 *
 *   --sent FILE    "GATEWAY EVENT_ID TYPE POINT TS" when an event is first sent
 *   --acked FILE   "GATEWAY EVENT_ID STATUS CLASS" when it is acknowledged
 *   stdout         the summary when the run ends (vigil-sim(1), OUTPUT)
 *
 * Both files are appended to and flushed after each batch, whole lines under
 * one lock, so that they can be read while the run goes on.
 */
#ifndef VIGIL_SIM_RECORD_H
#define VIGIL_SIM_RECORD_H

#include <stdbool.h>

#include <jansson.h>

#include "sim_event.h"
#include "sim_site.h"

/* Open the files that are not NULL; -1 with *cause (caller frees). */
int sim_record_open(const char *acked, const char *sent, char **cause);
void sim_record_close(void);
/* Note the n events of a batch sent for the first time. */
void sim_record_sent(const struct sim_gateway *gw, const struct sim_event *ev,
    int n);
/* Note the acknowledgement of a batch: results[i] answers ev[i]. */
void sim_record_acked(const struct sim_gateway *gw, const struct sim_event *ev,
    json_t *results);
/*
 * Print the summary on stdout: a line per gateway that ran, per device when
 * guards walked, the storm's line when there was one, and the total.
 */
void sim_record_summary(const struct sim_world *w, bool guards, bool storm);

#endif
