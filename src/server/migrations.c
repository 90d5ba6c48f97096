#include "compat.h"

#include "migrations.h"

/*
 * The schema, one numbered step at a time.  A released step never changes:
 * fix forward with a new one.  Times are milliseconds since the epoch (UTC);
 * enumerations are stored by their wire names (model.h).
 */
static const char migration_1[] =
"CREATE TABLE sites ("
"  id INTEGER PRIMARY KEY,"
"  key TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  address TEXT NOT NULL DEFAULT '',"
"  timezone TEXT NOT NULL DEFAULT 'UTC',"
"  grp TEXT NOT NULL DEFAULT '',"
"  lat_min REAL, lon_min REAL, lat_max REAL, lon_max REAL,"
"  created_ms INTEGER NOT NULL,"
"  updated_ms INTEGER NOT NULL);"
"CREATE TABLE points ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  key TEXT NOT NULL,"
"  label TEXT NOT NULL,"
"  type TEXT NOT NULL,"
"  gateway_id INTEGER REFERENCES gateways(id),"
"  building TEXT NOT NULL DEFAULT '',"
"  floor TEXT NOT NULL DEFAULT '',"
"  zone TEXT NOT NULL DEFAULT '',"
"  controller TEXT NOT NULL DEFAULT '',"
"  lat REAL, lon REAL,"
"  state TEXT NOT NULL DEFAULT 'normal',"
"  state_ms INTEGER,"
"  UNIQUE (site_id, key));"
"CREATE TABLE gateways ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  key TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  secret_hash BLOB NOT NULL,"
"  supervision_s INTEGER NOT NULL DEFAULT 300,"
"  last_seen_ms INTEGER,"
"  line_fault INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE rules ("
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  point_type TEXT NOT NULL,"
"  event_type TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  priority INTEGER,"
"  PRIMARY KEY (site_id, point_type, event_type));"
"CREATE TABLE events ("
"  id INTEGER PRIMARY KEY,"
"  gateway_id INTEGER NOT NULL REFERENCES gateways(id),"
"  gw_event_id TEXT NOT NULL,"
"  site_id INTEGER NOT NULL,"
"  point_id INTEGER,"
"  type TEXT NOT NULL,"
"  value TEXT,"
"  credential TEXT,"
"  sensor_ms INTEGER NOT NULL,"
"  received_ms INTEGER NOT NULL,"
"  class TEXT NOT NULL,"
"  alarm_id INTEGER,"
"  UNIQUE (gateway_id, gw_event_id));"
"CREATE INDEX events_site_time ON events (site_id, received_ms);"
"CREATE INDEX events_alarm ON events (alarm_id) WHERE alarm_id IS NOT NULL;"
"CREATE TABLE alarms ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  point_id INTEGER REFERENCES points(id),"
"  gateway_id INTEGER REFERENCES gateways(id),"
"  type TEXT NOT NULL,"
"  priority INTEGER NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'new',"
"  version INTEGER NOT NULL DEFAULT 1,"
"  count INTEGER NOT NULL DEFAULT 1,"
"  first_event_id INTEGER,"
"  last_event_id INTEGER,"
"  created_ms INTEGER NOT NULL,"
"  updated_ms INTEGER NOT NULL,"
"  last_event_ms INTEGER NOT NULL,"
"  acked_ms INTEGER, acked_by TEXT,"
"  assigned_ms INTEGER, assigned_by TEXT,"
"  guard_id INTEGER REFERENCES guards(id),"
"  closed_ms INTEGER, closed_by TEXT,"
"  resolution TEXT, resolution_note TEXT);"
"CREATE INDEX alarms_open_point ON alarms (point_id, type) WHERE state <> 'closed';"
"CREATE INDEX alarms_open_gateway ON alarms (gateway_id, type) WHERE state <> 'closed';"
"CREATE INDEX alarms_queue ON alarms (state, priority, created_ms);"
"CREATE INDEX alarms_site ON alarms (site_id, created_ms);"
"CREATE TABLE alarm_notes ("
"  id INTEGER PRIMARY KEY,"
"  alarm_id INTEGER NOT NULL REFERENCES alarms(id),"
"  ts_ms INTEGER NOT NULL,"
"  author TEXT NOT NULL,"
"  text TEXT NOT NULL);"
"CREATE INDEX alarm_notes_alarm ON alarm_notes (alarm_id);"
"CREATE TABLE guards ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER REFERENCES sites(id),"
"  callsign TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  status TEXT NOT NULL DEFAULT 'off_duty',"
"  status_ms INTEGER,"
"  user_id INTEGER REFERENCES users(id),"
"  device_secret_hash BLOB,"
"  lat REAL, lon REAL, accuracy REAL, pos_ms INTEGER);"
"CREATE TABLE positions ("
"  id INTEGER PRIMARY KEY,"
"  guard_id INTEGER NOT NULL REFERENCES guards(id),"
"  ts_ms INTEGER NOT NULL,"
"  lat REAL NOT NULL, lon REAL NOT NULL, accuracy REAL,"
"  received_ms INTEGER NOT NULL);"
"CREATE INDEX positions_guard_time ON positions (guard_id, ts_ms);"
"CREATE TABLE users ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE,"
"  role TEXT NOT NULL,"
"  pw_hash TEXT NOT NULL,"
"  disabled INTEGER NOT NULL DEFAULT 0,"
"  created_ms INTEGER NOT NULL);"
"CREATE TABLE user_sites ("
"  user_id INTEGER NOT NULL REFERENCES users(id),"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  PRIMARY KEY (user_id, site_id));"
"CREATE TABLE sessions ("
"  id INTEGER PRIMARY KEY,"
"  user_id INTEGER NOT NULL REFERENCES users(id),"
"  token_hash BLOB NOT NULL UNIQUE,"
"  created_ms INTEGER NOT NULL,"
"  last_used_ms INTEGER NOT NULL,"
"  expires_ms INTEGER NOT NULL,"
"  revoked_ms INTEGER,"
"  source TEXT NOT NULL DEFAULT '');"
"CREATE TABLE audit ("
"  seq INTEGER PRIMARY KEY,"
"  ts_ms INTEGER NOT NULL,"
"  actor_type TEXT NOT NULL,"
"  actor TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  object_type TEXT NOT NULL,"
"  object_id TEXT NOT NULL,"
"  site_id INTEGER,"
"  details TEXT NOT NULL,"
"  source TEXT NOT NULL,"
"  outcome TEXT NOT NULL,"
"  prev_hash TEXT NOT NULL,"
"  hash TEXT NOT NULL);"
"CREATE INDEX audit_object ON audit (object_type, object_id, seq);"
"CREATE INDEX alarms_guard ON alarms (guard_id) WHERE state = 'assigned';"
"CREATE TABLE stream ("
"  seq INTEGER PRIMARY KEY,"
"  ts_ms INTEGER NOT NULL,"
"  type TEXT NOT NULL,"
"  site_id INTEGER,"
"  data TEXT NOT NULL);";

/*
 * The queue in its display order, open alarms only: a page of the queue is
 * a range of this index, not a sort of every open alarm.
 */
static const char migration_2[] =
"CREATE INDEX alarms_open_order ON alarms (priority, created_ms, id)"
"  WHERE state IN ('new', 'acknowledged', 'assigned');";

/*
 * Site maps (vigil-map(5)), stored as imported: the self-contained text
 * (a GeoJSON file it named read into it) and its ETag, the first 32 hex
 * digits of the text's SHA-256, so GET of an unchanged map costs one row.
 */
static const char migration_3[] =
"CREATE TABLE maps ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  key TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  kind TEXT NOT NULL,"
"  building TEXT NOT NULL DEFAULT '',"
"  floor TEXT NOT NULL DEFAULT '',"
"  file TEXT NOT NULL,"
"  text TEXT NOT NULL,"
"  etag TEXT NOT NULL,"
"  created_ms INTEGER NOT NULL,"
"  updated_ms INTEGER NOT NULL,"
"  UNIQUE (site_id, key));";

/*
 * Residents, their credentials and access rights (issue 6).  sites.
 * access_version is bumped in the same transaction as any change that can
 * change a gateway's access list, so the list's ETag costs one row read.
 * Credentials are unique per site and kind among those not removed; a
 * removed resident keeps its row (and its events' links) for history.
 */
static const char migration_4[] =
"ALTER TABLE sites ADD COLUMN access_version INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE points ADD COLUMN access INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE events ADD COLUMN resident_id INTEGER;"
"CREATE INDEX events_resident ON events (resident_id, id)"
"  WHERE resident_id IS NOT NULL;"
"CREATE INDEX events_access ON events (site_id, id)"
"  WHERE type IN ('access_granted', 'access_denied');"
"CREATE INDEX events_denials ON events (point_id, received_ms)"
"  WHERE type = 'access_denied';"
"CREATE TABLE buildings ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  name TEXT NOT NULL,"
"  entrances TEXT NOT NULL,"
"  apartments TEXT NOT NULL,"
"  UNIQUE (site_id, name));"
"CREATE TABLE access_groups ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  key TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  UNIQUE (site_id, key));"
"CREATE TABLE access_group_points ("
"  group_id INTEGER NOT NULL REFERENCES access_groups(id),"
"  point_id INTEGER NOT NULL REFERENCES points(id),"
"  PRIMARY KEY (group_id, point_id));"
"CREATE TABLE residents ("
"  id INTEGER PRIMARY KEY,"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  name TEXT NOT NULL,"
"  phone TEXT,"
"  email TEXT,"
"  building TEXT NOT NULL,"
"  entrance TEXT NOT NULL,"
"  apartment TEXT NOT NULL,"
"  role TEXT NOT NULL,"
"  version INTEGER NOT NULL DEFAULT 1,"
"  created_ms INTEGER NOT NULL,"
"  updated_ms INTEGER NOT NULL,"
"  removed_ms INTEGER);"
"CREATE INDEX residents_site ON residents (site_id, id);"
"CREATE TABLE credentials ("
"  id INTEGER PRIMARY KEY,"
"  resident_id INTEGER NOT NULL REFERENCES residents(id),"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  kind TEXT NOT NULL,"
"  value TEXT NOT NULL,"
"  created_ms INTEGER NOT NULL,"
"  removed_ms INTEGER);"
"CREATE UNIQUE INDEX credentials_unique ON credentials (site_id, kind, value)"
"  WHERE removed_ms IS NULL;"
"CREATE INDEX credentials_value ON credentials (site_id, value)"
"  WHERE removed_ms IS NULL;"
"CREATE INDEX credentials_resident ON credentials (resident_id);"
"CREATE TABLE rights ("
"  id INTEGER PRIMARY KEY,"
"  resident_id INTEGER NOT NULL REFERENCES residents(id),"
"  site_id INTEGER NOT NULL REFERENCES sites(id),"
"  point_id INTEGER REFERENCES points(id),"
"  group_id INTEGER REFERENCES access_groups(id),"
"  days INTEGER NOT NULL,"
"  from_min INTEGER NOT NULL,"
"  until_min INTEGER NOT NULL,"
"  valid_from_ms INTEGER,"
"  valid_until_ms INTEGER,"
"  state TEXT NOT NULL DEFAULT 'active',"
"  reason TEXT,"
"  version INTEGER NOT NULL DEFAULT 1,"
"  created_ms INTEGER NOT NULL,"
"  updated_ms INTEGER NOT NULL);"
"CREATE INDEX rights_resident ON rights (resident_id, state);";

/*
 * Signed checkpoints of the audit chain's head (checkpoint.h): the entry's
 * seq and hash, when, the public key and the Ed25519 signature, in hex.
 */
static const char migration_5[] =
"CREATE TABLE audit_checkpoints ("
"  id INTEGER PRIMARY KEY,"
"  seq INTEGER NOT NULL,"
"  hash TEXT NOT NULL,"
"  ts_ms INTEGER NOT NULL,"
"  public_key TEXT NOT NULL,"
"  signature TEXT NOT NULL);"
"CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);";

/*
 * A guard's last fix repeated: since when the device has sent the very
 * same latitude and longitude, and how many times in a row (a frozen GPS
 * looks like a guard standing still).
 */
static const char migration_6[] =
"ALTER TABLE guards ADD COLUMN pos_same_ms INTEGER;"
"ALTER TABLE guards ADD COLUMN pos_same_count INTEGER NOT NULL DEFAULT 0;";

const struct migration migrations[] = {
	{ 1, "initial schema", migration_1 },
	{ 2, "queue order index", migration_2 },
	{ 3, "site maps", migration_3 },
	{ 4, "residents and access rights", migration_4 },
	{ 5, "audit checkpoints", migration_5 },
	{ 6, "repeated fixes", migration_6 },
};
const int migrations_count = (int)ARRAY_LEN(migrations);
