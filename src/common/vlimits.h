/*
 * limits.h: every limit vigil enforces, in one place.
 *
 * Each value is the largest (or smallest) thing accepted from outside; anything
 * beyond it is refused with a clear error and changes nothing.  The protocol
 * manual (vigil-protocol.7) lists the ones a gateway or client can meet.
 */
#ifndef VIGIL_LIMITS_H
#define VIGIL_LIMITS_H

/* HTTP */
#define LIMIT_BODY_BYTES          (1024 * 1024) /* one request body */
#define LIMIT_URI_BYTES           2048          /* path and query */
#define LIMIT_HEADER_BYTES        4096          /* one header value we read */
#define LIMIT_RESPONSE_BYTES      (64 * 1024 * 1024) /* one buffered reply */

#define LIMIT_HTTP_REQUEST_S      30            /* a request must arrive whole within this */
#define LIMIT_HTTP_KEEPALIVE_S    75            /* an idle keep-alive connection is closed */
#define LIMIT_HTTP_DEFER_S        60            /* a deferred reply must come within this */
#define LIMIT_HTTP_CONNECTIONS    256           /* requests being read or answered at once */
#define LIMIT_QUERY_ARGS          16            /* query arguments read from one URI */

/* The live stream */
#define STREAM_HEARTBEAT_S        5             /* a heartbeat to every console this often */
#define LIMIT_STREAM_RX_BYTES     4096          /* largest message a console may send */
#define LIMIT_STREAM_QUEUE_MSGS   8192          /* messages waiting for one console */
#define LIMIT_STREAM_QUEUE_BYTES  (16 * 1024 * 1024) /* bytes waiting for one console */
#define LIMIT_STREAM_LOG_KEEP     2000000       /* messages kept for resuming */
#define LIMIT_STREAM_CLOSE_S      30            /* a closing console must take its last words by then */

/* Ingest */
#define INGEST_RETRY_AFTER_S      1      /* Retry-After when the server is saving or busy */
#define LIMIT_BATCH_EVENTS        1000   /* events in one ingest request */
#define LIMIT_BATCH_POSITIONS     1000   /* positions in one request */
#define LIMIT_EVENT_ID_LEN        64     /* a gateway's event id */
#define LIMIT_EVENT_VALUE_LEN     256    /* an event's free value */
#define LIMIT_CREDENTIAL_LEN      64     /* a credential shown at a gate */
#define LIMIT_CLOCK_SKEW_PAST_S   (7 * 24 * 3600)  /* sensor time may lag this much */
#define LIMIT_CLOCK_SKEW_FUTURE_S 300            /* and lead this much */
#define LIMIT_POSITION_ACCURACY_M 100000.0       /* larger accuracy is absurd */
#define LIMIT_INGEST_QUEUE_REQS   4096   /* queued ingest requests before 503 */
#define LIMIT_COMMIT_BATCH_REQS   512    /* requests folded into one commit */

/* Identifiers and text given by people */
#define LIMIT_KEY_LEN             64     /* site, point, gateway, guard keys */
#define LIMIT_NAME_LEN            128    /* names and labels */
#define LIMIT_USER_NAME_LEN       64
#define LIMIT_PASSWORD_MIN        8
#define LIMIT_PASSWORD_MAX        1024
#define LIMIT_NOTE_LEN            4000   /* an alarm note or closing note */
#define LIMIT_SECRET_MIN_LEN      24     /* gateway and device secrets */
#define LIMIT_SECRET_MAX_LEN      256
#define LIMIT_SITE_FILE_BYTES     (4 * 1024 * 1024)
#define LIMIT_PRIORITY_MIN        1
#define LIMIT_PRIORITY_MAX        9

/* Sessions and login throttling */
#define SESSION_TOKEN_BYTES       32
#define SESSION_IDLE_S            (8 * 3600)   /* a shift without activity */
#define SESSION_ABSOLUTE_S        (24 * 3600)  /* at most a day, however active */
#define SESSION_TOUCH_S           60           /* last-use written at most this often */
#define LOGIN_FAIL_WINDOW_S       900          /* failures counted over 15 minutes */
#define LOGIN_FAIL_MAX_ACCOUNT    5            /* per account in the window */
#define LOGIN_FAIL_MAX_ADDRESS    20           /* per address in the window */
#define LOGIN_THROTTLE_SLOTS      1024         /* tracked accounts and addresses */
#define LIMIT_USER_SITES          64           /* sites a manager may be scoped to */

/* Queries */
#define LIMIT_LIST_DEFAULT        500    /* rows in a snapshot page by default */
#define LIMIT_LIST_MAX            10000  /* rows in a snapshot page at most */

/* Gateways */
#define GATEWAY_SUPERVISION_DEFAULT_S 300
#define GATEWAY_SUPERVISION_MIN_S     10
#define GATEWAY_SUPERVISION_MAX_S     86400

/* Alarm detail (GET /api/v1/alarms/ID) */
#define LIMIT_ALARM_EVENTS        100    /* newest events of the alarm shown */
#define LIMIT_ALARM_HISTORY       200    /* newest history entries shown */

/* The client (vigil): REST calls and the live stream */
#define CLIENT_CONNECT_TIMEOUT_S  10     /* TCP (and TLS) connect to vigild */
#define CLIENT_REQUEST_TIMEOUT_S  60     /* one whole REST call, reply included */
#define LIMIT_STREAM_MESSAGE_BYTES (1024 * 1024) /* one stream message, fragments joined */
#define LIMIT_SESSION_FILE_BYTES  16384  /* the stored login session */
#define STREAM_BACKOFF_MIN_MS     500    /* first reconnection delay */
#define STREAM_BACKOFF_MAX_MS     15000  /* reconnection delay at most */
#define STREAM_BACKOFF_JITTER_PCT 25     /* each delay varies by up to +-this */
#define STREAM_HEARTBEAT_DEFAULT_S 5     /* heartbeat period until "hello" says */
#define STREAM_STALE_HEARTBEATS   2      /* heartbeats unheard before STALE */
#define STREAM_DEAD_HEARTBEATS    4      /* unheard before dropping the connection */

/* The console's config and theme files (vigil.conf.5, vigil-theme.5) */
#define LIMIT_CONFIG_FILE_BYTES   (64 * 1024)  /* a config file */
#define LIMIT_THEME_FILE_BYTES    (64 * 1024)  /* a theme file */
#define LIMIT_THEME_NAME_LEN      64     /* a theme's name, as in "theme = NAME" */
#define LIMIT_THEME_TEXT_LEN      128    /* a theme's name and description text */
#define LIMIT_CONFIG_ERRORS       50     /* messages kept from one file; the rest counted */
#define LIMIT_KEY_BINDINGS        256    /* [keys] entries */
#define LIMIT_KEYS_PER_ACTION     4      /* keys bound to one action */
#define LIMIT_PATH_LEN            4096   /* a file name in the config */
#define CONSOLE_STALE_AFTER_DEFAULT_S   120   /* a guard position older than this is flagged */
#define CONSOLE_WARNING_AFTER_DEFAULT_S 60    /* an unacknowledged alarm turns "warning" */
#define CONSOLE_OVERDUE_AFTER_DEFAULT_S 300   /* ... and "overdue" */
#define CONSOLE_AGE_MIN_S         5      /* the shortest of those thresholds */
#define CONSOLE_AGE_MAX_S         86400  /* the longest */
#define BELL_REPEAT_DEFAULT_S     30     /* seconds between rings until acknowledged */
#define BELL_REPEAT_MAX_S         3600

/* Residents and access rights (issue 6) */
#define LIMIT_IMPORT_BODY_BYTES   (16 * 1024 * 1024) /* a CSV import body (route-specific) */
#define LIMIT_IMPORT_ROWS         50000  /* data rows in one CSV import */
#define LIMIT_IMPORT_ERRORS       100    /* bad rows listed in one import reply */
#define LIMIT_CSV_FIELD_BYTES     4096   /* one CSV cell */
#define LIMIT_RESIDENT_CREDENTIALS 16    /* credentials of one resident */
#define LIMIT_RESIDENT_RIGHTS     64     /* rights of one resident, any state */
#define LIMIT_EMAIL_LEN           254    /* an email address */
#define LIMIT_UNIT_PART_LEN       16     /* an entrance or apartment name */
#define LIMIT_UNIT_SPEC_LEN       256    /* entrances / apartments lists of a building */
#define LIMIT_APARTMENT_MAX       99999  /* highest apartment number */
#define LIMIT_ACCESS_GROUP_POINTS 256    /* points in one access group */
#define LIMIT_RESIDENT_RECENT     20     /* access events on a resident's page */
#define ACCESS_DENIALS_ALARM_COUNT 5     /* denials at one point within ... */
#define ACCESS_DENIALS_WINDOW_S   120    /* ... this many seconds raise an alarm */
#define ACCESS_DENIALS_PRIORITY   5      /* its priority (a door held or forced is 4-5) */

/* Site maps (vigil-map.5) and guard tracks */
#define LIMIT_MAP_FILE_BYTES      (1024 * 1024)  /* a map file, GeoJSON outlines read in */
#define LIMIT_MAP_LINE_BYTES      4096   /* one line of a map file */
#define LIMIT_MAP_ROWS            1000   /* rows of a map's drawing or grid */
#define LIMIT_MAP_COLS            1000   /* columns of a map's drawing or grid */
#define LIMIT_MAP_MARKERS         1024   /* legend entries of one map */
#define LIMIT_MAP_MARKER_LEN      8      /* letters and digits of one marker */
#define LIMIT_MAP_OUTLINES        4096   /* polygons and lines of one map */
#define LIMIT_MAP_OUTLINE_VERTICES 10000 /* vertices of one polygon or line */
#define LIMIT_MAP_VERTICES        100000 /* vertices of all outlines of one map */
#define LIMIT_GEOJSON_BYTES       (4 * 1024 * 1024) /* a GeoJSON file a map names */
#define LIMIT_SITE_MAPS           64     /* maps of one site */
#define TRACK_DEFAULT_SINCE_S     3600   /* a track without since= starts this long ago */
#define LIMIT_TRACK_DEFAULT       1000   /* positions in a track reply without limit= */
#define LIMIT_TRACK_POSITIONS     10000  /* positions in one track reply at most */

/* Exports (vigil export, GET /api/v1/export/KIND) and audit checkpoints */
#define EXPORT_CHUNK_BYTES        (64 * 1024)  /* body produced per write of a streamed reply */
#define LIMIT_EXPORT_LINE_BYTES   (4 * 1024 * 1024) /* one exported row as a JSON line */
#define EXPORT_PROGRESS_MS        250    /* progress on a terminal at most this often */
#define AUDIT_CHECKPOINT_INTERVAL_S 300  /* a signed checkpoint of the audit head this often */
#define LIMIT_EXPORT_CHECKPOINTS  1000000 /* checkpoints a verifier keeps in memory */

#endif
