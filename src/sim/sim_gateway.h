/*
 * sim_gateway.h: a simulated gateway, one thread each.
 *
 * It gathers what happened on its points (a played site, a load run's mix,
 * its share of a storm), numbers each event once, and sends the events in
 * batches to POST /api/v1/ingest as they fall due, resending a batch, always
 * with the same event ids, until the server answers 200: exponential backoff
 * with jitter after connection errors and timeouts, Retry-After on 503 and
 * 429.  Any other 4xx stops the gateway.  An idle gateway sends heartbeats
 * (empty batches); a silent one (--silent-gateway) sends nothing at all.
 */
#ifndef VIGIL_SIM_GATEWAY_H
#define VIGIL_SIM_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "sim_site.h"

/* The thread body: run gw (a struct sim_gateway *) until done or stopped. */
void *sim_gateway_run(void *gw);
/* Length of the longest event id gw makes with run_id and numbers up to max_n. */
size_t sim_gateway_id_len(const struct sim_gateway *gw, const char *run_id,
    int64_t max_n);

#endif
