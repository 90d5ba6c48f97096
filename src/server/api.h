/*
 * api.h: the handlers of the REST API, one group per api_*.c file.
 *
 * Path parameters are in req->params in the order of the pattern; the
 * authenticated caller is req->who.  Bodies are read with jsonx (unknown
 * fields refused).  Errors use resp_error with these codes:
 * malformed (400), unauthorized (401), forbidden (403), not_found (404),
 * conflict (409), too_large (413), invalid (422), throttled (429),
 * unavailable (503), internal (500).
 */
#ifndef VIGIL_API_H
#define VIGIL_API_H

#include "router.h"

#define API_HANDLER(name) \
	enum route_result name(struct server *srv, struct http_req *req, \
	    struct http_resp *resp)

/* api_auth.c */
API_HANDLER(api_login);
API_HANDLER(api_logout);
API_HANDLER(api_me);

/* api_ingest.c */
API_HANDLER(api_ingest_events);
API_HANDLER(api_ingest_positions);

/* api_alarms.c */
API_HANDLER(api_alarms_list);
API_HANDLER(api_alarm_get);
API_HANDLER(api_alarm_ack);
API_HANDLER(api_alarm_assign);
API_HANDLER(api_alarm_release);
API_HANDLER(api_alarm_close);
API_HANDLER(api_alarm_note);
API_HANDLER(api_alarm_reopen);

/* api_guards.c */
API_HANDLER(api_guards_list);
API_HANDLER(api_guard_status);

/* api_sites.c */
API_HANDLER(api_sites_list);
API_HANDLER(api_site_get);
API_HANDLER(api_points_list);
API_HANDLER(api_gateways_list);

/* router.c */
API_HANDLER(api_stream_plain);

/* api_audit.c */
API_HANDLER(api_audit_list);

/* api_export.c */
API_HANDLER(api_export);
API_HANDLER(api_audit_key);

/* api_maps.c */
API_HANDLER(api_site_maps_list);
API_HANDLER(api_site_map_get);
API_HANDLER(api_guard_track);

/* api_residents.c */
API_HANDLER(api_residents_list);
API_HANDLER(api_resident_create);
API_HANDLER(api_resident_get);
API_HANDLER(api_resident_patch);
API_HANDLER(api_resident_remove);
API_HANDLER(api_resident_credential_add);
API_HANDLER(api_resident_credential_remove);

/* api_rights.c */
API_HANDLER(api_right_grant);
API_HANDLER(api_right_get);
API_HANDLER(api_right_suspend);
API_HANDLER(api_right_resume);
API_HANDLER(api_right_revoke);
API_HANDLER(api_access_points);

/* api_access.c */
API_HANDLER(api_access_list);
API_HANDLER(api_access_history);
API_HANDLER(api_residents_import);
API_HANDLER(api_residents_export);

#endif
