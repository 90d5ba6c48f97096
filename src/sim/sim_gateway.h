/*
 * sim_gateway.h: a simulated gateway, one thread each.
 *
 * It draws events, sends them in batches to POST /api/v1/ingest and resends
 * a batch, always with the same event ids, until the server answers 200:
 * exponential backoff with jitter after connection errors and timeouts,
 * Retry-After on 503 and 429.  Any other 4xx stops the gateway.
 */
#ifndef VIGIL_SIM_GATEWAY_H
#define VIGIL_SIM_GATEWAY_H

#include <stdio.h>

#include "sim_site.h"

/* Append acknowledgements to f ("GATEWAY EVENT_ID STATUS CLASS" lines). */
void sim_gateway_set_acked(FILE *f);
/* The thread body: run gw (a struct sim_gateway *) until done or stopped. */
void *sim_gateway_run(void *gw);

#endif
