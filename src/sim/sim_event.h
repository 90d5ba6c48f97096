/*
 * sim_event.h: one event as a simulated gateway holds it until the server
 * has acknowledged it.  Whatever made it (a load run's mix, a played site,
 * a storm), the gateway numbers it when it goes into a batch and never again.
 */
#ifndef VIGIL_SIM_EVENT_H
#define VIGIL_SIM_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "sim_site.h"

/* "card:004512", "plate:YH21KTV": a kind, a colon and the value */
#define SIM_CREDENTIAL_LEN (16 + LIMIT_CREDENTIAL_LEN + 1)
#define SIM_VALUE_LEN      48        /* "unknown credential", "mains failure" */

struct sim_event {
	char id[LIMIT_EVENT_ID_LEN + 1];
	struct sim_point *point;     /* NULL for a heartbeat */
	enum event_type type;
	int64_t ts_ms;               /* wall time at the sensor */
	char credential[SIM_CREDENTIAL_LEN];  /* "" when none */
	char value[SIM_VALUE_LEN];            /* "" when none */
	bool storm;                  /* made by --storm */
	int order;                   /* rank while a batch is put together */
};

#endif
