/*
 * ingest.h: events from gateways and positions from guards' devices.
 *
 * A request is validated whole before anything is written (a bad event
 * refuses the batch and stores nothing), then queued.  Once per loop pass the
 * queue is written in ONE transaction (group commit) and only after COMMIT
 * does each request get its answer: nothing a gateway was told is stored can
 * be lost, and many gateways share the cost of one fsync.
 */
#ifndef VIGIL_INGEST_H
#define VIGIL_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct http_req;
struct http_resp;
struct ingest_queue;

/* Create the queue and hook its flush onto the server's loop. */
struct ingest_queue *ingest_new(struct server *srv);
/* Flush what is queued, then stop and free (at shutdown). */
void ingest_free(struct server *srv);
/* Write everything queued now, in one transaction, and answer it. */
void ingest_flush(struct server *srv);

/* Validate and queue an event batch; 0 = queued (deferred), -1 = resp filled. */
int ingest_events(struct server *srv, struct http_req *req, struct http_resp *resp);
/* Validate and queue a position batch; 0 = queued (deferred), -1 = resp filled. */
int ingest_positions(struct server *srv, struct http_req *req, struct http_resp *resp);

/* Counters since start, logged when vigild stops. */
struct ingest_stats {
	uint64_t requests, events, duplicates, alarms, positions, commits;
};

#endif
