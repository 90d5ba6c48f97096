/*
 * access_list.h: a gateway's access list, the effective rights of its
 * access points by credential (vigil-protocol(7), "Access lists").
 */
#ifndef VIGIL_ACCESS_LIST_H
#define VIGIL_ACCESS_LIST_H

#include <stdint.h>

#include "buf.h"

struct server;

/*
 * Build the access list of gateway gw_id (key gw_key) of site site_id into
 * b, in one read transaction the caller holds; 0, or -1 when the store
 * failed or the list outgrew b.
 */
int access_list_build(struct server *srv, int64_t site_id, int64_t gw_id,
    const char *gw_key, const char *site_key, const char *tz, int64_t version,
    struct buf *b);

#endif
