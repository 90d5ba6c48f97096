/*
 * router.h: the API's table of routes, and the checks every request passes.
 *
 * Deny by default: a route names how its caller authenticates and, for
 * people, which roles may call it; the router resolves the caller before the
 * handler runs.  Site scope is checked by the handler against the object it
 * touches (principal_sees_site), since only it knows the object.
 */
#ifndef VIGIL_ROUTER_H
#define VIGIL_ROUTER_H

#include "http.h"

struct server;

typedef enum route_result (*route_fn)(struct server *srv, struct http_req *req,
    struct http_resp *resp);

enum route_auth {
	ROUTE_AUTH_NONE,      /* anyone (login) */
	ROUTE_AUTH_USER,      /* a session token, role in .roles */
	ROUTE_AUTH_GATEWAY,   /* a gateway's key and secret */
	ROUTE_AUTH_DEVICE,    /* a guard device's callsign and secret */
};

#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL_USERS (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR) | \
    ROLE_BIT(ROLE_DISPATCHER) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_GUARD))
#define ROLES_OPERATORS (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR) | \
    ROLE_BIT(ROLE_DISPATCHER))

struct route {
	enum http_method method;
	const char *pattern;   /* "/api/v1/alarms/:id/ack"; ":x" matches one segment */
	route_fn fn;
	enum route_auth auth;
	unsigned roles;        /* ROLE_BIT set, for ROUTE_AUTH_USER */
};

extern const struct route router_table[];
extern const int router_table_len;

/* The largest request body the route of method and path takes. */
size_t router_body_limit(enum http_method method, const char *path);

/* Resolve the caller, check the route's role rule, and run the handler. */
enum route_result router_dispatch(struct server *srv, struct http_req *req,
    struct http_resp *resp);

#endif
