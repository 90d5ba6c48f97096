#include "compat.h"

#include "hub.h"
#include "jsonx.h"
#include "server.h"
#include "store.h"
#include "streamlog.h"
#include "vtime.h"

/* Messages written by the open transaction, waiting for its commit. */
struct streamlog {
	struct hub_msg **msgs;
	size_t n, cap;
};

/* The server's pending list, created on first use. */
static struct streamlog *
streamlog_get(struct server *srv)
{
	if (srv->slog == NULL)
		srv->slog = xcalloc(1, sizeof *srv->slog);
	return srv->slog;
}

/* The key of site_id for the message envelope, or NULL. */
static const char *
streamlog_site_key(struct server *srv, int64_t site_id)
{
	static const char sql[] = "SELECT key FROM sites WHERE id = ?";
	static char key[LIMIT_KEY_LEN + 1];
	static int64_t cached_id;
	sqlite3_stmt *s;

	if (site_id <= 0)
		return NULL;
	if (site_id == cached_id)
		return key;
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	key[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(key, sizeof key, "%s", store_col_text(s, 0));
	sqlite3_reset(s);
	cached_id = key[0] != '\0' ? site_id : 0;
	return key;
}

/* Append a message about site_id with data (stolen) in the current transaction. */
int64_t
streamlog_append(struct server *srv, const char *type, int64_t site_id,
    json_t *data, int64_t now_ms)
{
	static const char sql[] =
	    "INSERT INTO stream (ts_ms, type, site_id, data) VALUES (?, ?, ?, ?)";
	struct streamlog *sl = streamlog_get(srv);
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	char *text;
	int64_t seq;

	text = jsonx_dump(data, NULL);
	store_bind_int(s, 1, now_ms);
	store_bind_text(s, 2, type);
	if (site_id > 0)
		store_bind_int(s, 3, site_id);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		free(text);
		json_decref(data);
		return -1;
	}
	seq = sqlite3_last_insert_rowid(store_db(srv->st));
	sqlite3_reset(s);
	if (srv->hub != NULL) {
		if (sl->n == sl->cap) {
			sl->cap = sl->cap ? sl->cap * 2 : 64;
			sl->msgs = xrealloc(sl->msgs, sl->cap * sizeof *sl->msgs);
		}
		sl->msgs[sl->n++] = hub_msg_new(seq, type, site_id,
		    streamlog_site_key(srv, site_id), now_ms, text);
	}
	free(text);
	json_decref(data);
	return seq;
}

/* After a commit: pass this transaction's messages on to the hub. */
void
streamlog_flush(struct server *srv)
{
	struct streamlog *sl = streamlog_get(srv);

	for (size_t i = 0; i < sl->n; i++)
		hub_publish(srv->hub, sl->msgs[i]);
	sl->n = 0;
}

/* After a rollback: forget this transaction's messages. */
void
streamlog_discard(struct server *srv)
{
	struct streamlog *sl = streamlog_get(srv);

	for (size_t i = 0; i < sl->n; i++)
		hub_msg_unref(sl->msgs[i]);
	sl->n = 0;
}

/* Free the pending list itself. */
void
streamlog_free(struct server *srv)
{
	if (srv->slog == NULL)
		return;
	streamlog_discard(srv);
	free(srv->slog->msgs);
	free(srv->slog);
	srv->slog = NULL;
}

/* The newest seq in the log (0 when empty). */
int64_t
streamlog_head(struct server *srv)
{
	static const char sql[] = "SELECT COALESCE(MAX(seq), 0) FROM stream";
	sqlite3_stmt *s = store_stmt(srv->st, sql);
	int64_t seq = 0;

	if (sqlite3_step(s) == SQLITE_ROW)
		seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return seq;
}
