#include "compat.h"

#include "api.h"
#include "ingest.h"

/* POST /api/v1/ingest: a gateway's batch of events, answered after commit. */
API_HANDLER(api_ingest_events)
{
	return ingest_events(srv, req, resp) == 0 ? ROUTE_DEFERRED : ROUTE_DONE;
}

/* POST /api/v1/ingest/positions: a guard device's positions, answered after commit. */
API_HANDLER(api_ingest_positions)
{
	return ingest_positions(srv, req, resp) == 0 ? ROUTE_DEFERRED : ROUTE_DONE;
}
