/*
 * server.h: the state of one vigild process, shared by its modules.
 */
#ifndef VIGIL_SERVER_H
#define VIGIL_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct throttle;
struct ingest_queue;
struct hub;
struct streamlog;
struct lws_context;
struct uv_loop_s;

struct server_config {
	const char *db_path;
	const char *listen_addr;    /* "127.0.0.1" */
	int listen_port;            /* 0 = any free port */
	const char *cert_path;
	const char *key_path;
	bool plaintext;             /* allowed to listen in the clear off loopback */
	const char *port_file;      /* write the bound port here once listening */
	int supervision_tick_s;     /* how often gateways are checked */
};

struct server {
	struct server_config cfg;
	struct uv_loop_s *loop;
	struct store *st;
	struct lws_context *lws;
	struct throttle *throttle;
	struct ingest_queue *ingest;
	struct hub *hub;            /* stream fan-out; NULL when not serving */
	struct streamlog *slog;     /* messages of the open transaction */
	int bound_port;
	bool stopping;
};

#endif
