/*
 * replica.h: the client's copy of what the server knows, kept in step by
 * the stream.
 *
 * It holds the open alarms (by id) as compact records (alarmset.h: a
 * console may hold a hundred thousand), and the guards (by callsign), the
 * sites (by key) and their points (by site key, then point key) as the API
 * shows them (JSON, shared with the messages they came from, so read-only).
 * An update replaces an object or record, never edits it.  It is filled from snapshots (GET
 * /api/v1/alarms, /guards, /sites, /sites/KEY/points), then follows the
 * stream's change messages in seq order.  Nothing else changes it: a
 * console shows an action as pending until the message that confirms it
 * has been applied here.
 *
 * A snapshot is gathered aside (struct replica_snap) and swapped in whole
 * by replica_load, so a failed reload leaves the replica as it was.  Its
 * seq is the lowest seq of the replies it was built from: replies taken at
 * different moments are brought level by replaying the messages after that
 * seq, since every message carries the whole new state of its object.
 *
 *	struct replica r;
 *	struct replica_snap snap;
 *	replica_init(&r);
 *	replica_snap_init(&snap);
 *	replica_snap_alarms(&snap, reply_json, &last, &cause);  (per page)
 *	replica_snap_guards(&snap, reply_json, &cause);
 *	replica_load(&r, &snap);                           (releases snap)
 *	switch (replica_apply(&r, message, &cause)) ...    (per stream message)
 *	replica_release(&r);
 */
#ifndef VIGIL_REPLICA_H
#define VIGIL_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "alarmset.h"

/* What changed since the flags were last cleared (replica.changed). */
#define REPLICA_CHANGED_ALARMS 0x1
#define REPLICA_CHANGED_GUARDS 0x2
#define REPLICA_CHANGED_SITES  0x4
#define REPLICA_CHANGED_POINTS 0x8
#define REPLICA_CHANGED_ALL    0xf

struct replica {
	struct alarmset *alarms; /* open alarms, compact (alarmset.h) */
	json_t *guards;       /* object, key = callsign */
	json_t *sites;        /* object, key = site key */
	json_t *points;       /* object: site key -> object: point key -> point */
	int64_t seq;          /* the last seq applied (or the snapshot's) */
	bool loaded;          /* a snapshot was loaded */
	/*
	 * The stream is filtered by site, so seqs have holes: set it from the
	 * stream's hello (stream_ops.hello), as feed.c does, or every hole is
	 * taken for a gap.
	 */
	bool scoped;
	unsigned changed;     /* REPLICA_CHANGED_* since the owner cleared it */
};

/* A snapshot being gathered. */
struct replica_snap {
	struct alarmset *alarms;
	json_t *guards;
	json_t *sites;
	json_t *points;
	int64_t seq;          /* lowest seq of the replies, -1 before any */
};

/* The outcome of applying one stream message. */
enum replica_result {
	REPLICA_APPLIED,      /* in order: applied (or counted, if not known) */
	REPLICA_OLD,          /* seq at or before the last applied: ignored */
	REPLICA_GAP,          /* a seq is missing: reload a snapshot */
	REPLICA_BAD,          /* a known type with data not as expected: reload */
};

/* Set up an empty replica (nothing loaded, seq 0). */
void replica_init(struct replica *r);
/* Free what the replica holds and leave it empty. */
void replica_release(struct replica *r);

/* Set up an empty snapshot. */
void replica_snap_init(struct replica_snap *s);
/* Free what a snapshot holds. */
void replica_snap_release(struct replica_snap *s);
/*
 * Add a page of GET /api/v1/alarms ({"alarms":[...],"seq":N}); closed alarms
 * are left out.  Returns the number of alarms in the page and sets *last_id
 * to the id of its last one (0 when empty: for the next page's after_id),
 * or -1 with *cause when the reply is not of that shape.
 */
int replica_snap_alarms(struct replica_snap *s, json_t *reply, int64_t *last_id,
    char **cause);
/* Add GET /api/v1/guards ({"guards":[...],"seq":N}); 0 or -1 with *cause. */
int replica_snap_guards(struct replica_snap *s, json_t *reply, char **cause);
/* Add GET /api/v1/sites ({"sites":[...],"seq":N}); 0 or -1 with *cause. */
int replica_snap_sites(struct replica_snap *s, json_t *reply, char **cause);
/*
 * Add GET /api/v1/sites/KEY/points ({"site":KEY,"points":[...]}, no seq);
 * 0 or -1 with *cause.
 */
int replica_snap_points(struct replica_snap *s, json_t *reply, char **cause);

/*
 * Replace the replica's content by the snapshot s (which is released) and
 * set its seq to the snapshot's; marks everything changed.
 */
void replica_load(struct replica *r, struct replica_snap *s);

/*
 * Apply one change message {"seq","type","ts","site","data"}: in seq order
 * (unscoped: exactly the last seq + 1; scoped: any later seq), alarm.created
 * and alarm.updated insert or replace the alarm (and remove it once closed),
 * guard.updated replaces the guard, guard.position moves it, point.state
 * changes the state of a point; other types are not known here but their
 * seq counts.  *cause is set (caller frees)
 * for REPLICA_GAP and REPLICA_BAD.  msg is borrowed; the replica keeps
 * references to the parts it stores.
 */
enum replica_result replica_apply(struct replica *r, json_t *msg, char **cause);

/* The open alarm with this id, or NULL (borrowed). */
struct alarm_rec *replica_alarm(const struct replica *r, int64_t id);
/* The guard with this callsign, or NULL (borrowed). */
json_t *replica_guard(const struct replica *r, const char *callsign);
/* The point key of site, or NULL (borrowed). */
json_t *replica_point(const struct replica *r, const char *site, const char *key);

#endif
