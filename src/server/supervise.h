/*
 * supervise.h: gateway supervision.
 *
 * A gateway silent for longer than its supervision window raises a
 * "line_fault" alarm (the site is no longer watched); the alarm is closed by
 * the system, and recorded, when the gateway reports again (see ingest.c).
 */
#ifndef VIGIL_SUPERVISE_H
#define VIGIL_SUPERVISE_H

#include <stdint.h>

struct server;

#define SUPERVISE_TICK_MS     1000  /* the soonest silent gateways are looked for again */
#define SUPERVISE_IDLE_MS     10000 /* the longest the server sleeps between looks */
#define SUPERVISE_PRIORITY    5     /* priority of a line-fault alarm */

/* Start checking gateways on the server's loop. */
void supervise_start(struct server *srv);
/* Stop checking (at shutdown). */
void supervise_stop(struct server *srv);
/* Raise line faults for gateways silent at now_ms; returns how many, or -1. */
int supervise_check(struct server *srv, int64_t now_ms);

#endif
