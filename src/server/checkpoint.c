#include "compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "auditchain.h"
#include "auditsig.h"
#include "checkpoint.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "vtime.h"

#define CHECKPOINT_FILE_MAX 256   /* bytes read from a key file */

/* The process's signing key. */
static struct {
	bool loaded;
	unsigned char pk[AUDITSIG_PK_BYTES];
	unsigned char sk[AUDITSIG_SK_BYTES];
	char pk_hex[AUDITSIG_PK_HEX_LEN + 1];
} checkpoint_key;

static uv_timer_t checkpoint_timer;
static bool checkpoint_timer_on;

/* Write a new key (its seed as hex) to path, mode 0600, failing if it exists. */
static int
checkpoint_key_create(const char *path, unsigned char seed[AUDITSIG_SEED_BYTES],
    char **cause)
{
	char hex[AUDITSIG_SEED_BYTES * 2 + 2];
	size_t len;
	int fd;

	randombytes_buf(seed, AUDITSIG_SEED_BYTES);
	sodium_bin2hex(hex, sizeof hex, seed, AUDITSIG_SEED_BYTES);
	len = strlen(hex);
	hex[len++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("cannot create the audit key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (write(fd, hex, len) != (ssize_t)len || fsync(fd) != 0) {
		*cause = xasprintf("cannot write the audit key %s: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	sodium_memzero(hex, sizeof hex);
	log_info("checkpoint: created the audit key %s", path);
	return 0;
}

/* Read the seed from the key file at path; 0, 1 when it does not exist, or -1. */
static int
checkpoint_key_read(const char *path, unsigned char seed[AUDITSIG_SEED_BYTES],
    char **cause)
{
	char text[CHECKPOINT_FILE_MAX + 1];
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		*cause = xasprintf("cannot open the audit key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("checkpoint: the audit key %s is readable by others "
		    "(mode %03o): chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
	n = read(fd, text, CHECKPOINT_FILE_MAX);
	close(fd);
	if (n < 0) {
		*cause = xasprintf("cannot read the audit key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	text[n] = '\0';
	if (auditsig_unhex(text, seed, AUDITSIG_SEED_BYTES) != 0) {
		sodium_memzero(text, sizeof text);
		*cause = xasprintf("the audit key %s is not %d hex digits", path,
		    AUDITSIG_SEED_BYTES * 2);
		return -1;
	}
	sodium_memzero(text, sizeof text);
	return 0;
}

/* Load the signing key from path, creating it when asked; 0 or -1 with *cause. */
int
checkpoint_key_open(const char *path, bool create, char **cause)
{
	unsigned char seed[AUDITSIG_SEED_BYTES];
	int rc;

	checkpoint_key_close();
	rc = checkpoint_key_read(path, seed, cause);
	if (rc == 1 && !create) {
		*cause = xasprintf("no audit key %s", path);
		return -1;
	}
	if (rc == 1)
		rc = checkpoint_key_create(path, seed, cause);
	if (rc != 0)
		return -1;
	if (crypto_sign_seed_keypair(checkpoint_key.pk, checkpoint_key.sk, seed) != 0)
		fatal("cannot derive the audit key");
	sodium_memzero(seed, sizeof seed);
	sodium_bin2hex(checkpoint_key.pk_hex, sizeof checkpoint_key.pk_hex,
	    checkpoint_key.pk, sizeof checkpoint_key.pk);
	checkpoint_key.loaded = true;
	return 0;
}

/* Forget the key. */
void
checkpoint_key_close(void)
{
	sodium_memzero(&checkpoint_key, sizeof checkpoint_key);
}

/* The public key as lowercase hex, or NULL. */
const char *
checkpoint_public_key(void)
{
	return checkpoint_key.loaded ? checkpoint_key.pk_hex : NULL;
}

/* Sign and store a checkpoint of the head when it moved; the head's seq or -1. */
int64_t
checkpoint_record(struct store *st, int64_t now_ms)
{
	static const char sql_head[] =
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
	static const char sql_last[] =
	    "SELECT coalesce(max(seq), 0) FROM audit_checkpoints";
	static const char sql_add[] =
	    "INSERT INTO audit_checkpoints (seq, hash, ts_ms, public_key, "
	    "signature) VALUES (?, ?, ?, ?, ?)";
	char hash[AUDIT_HASH_HEX_LEN + 1], sig[AUDITSIG_SIG_HEX_LEN + 1];
	int64_t head = 0, last = 0;
	sqlite3_stmt *s;
	int rc;

	if (!checkpoint_key.loaded || store_in_tx(st))
		return -1;
	if (store_begin(st) != 0)
		return -1;
	s = store_stmt(st, sql_head);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		head = sqlite3_column_int64(s, 0);
		snprintf(hash, sizeof hash, "%s", store_col_text(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	s = store_stmt(st, sql_last);
	if (sqlite3_step(s) == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (head == 0 || head <= last) {
		store_rollback(st);
		return head;
	}
	if (auditsig_sign(checkpoint_key.sk, head, hash, now_ms, sig) != 0)
		goto fail;
	s = store_stmt(st, sql_add);
	store_bind_int(s, 1, head);
	store_bind_text(s, 2, hash);
	store_bind_int(s, 3, now_ms);
	store_bind_text(s, 4, checkpoint_key.pk_hex);
	store_bind_text(s, 5, sig);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || store_commit(st) != 0)
		goto fail;
	log_debug("checkpoint: signed audit entry %" PRId64, head);
	return head;
fail:
	log_error("checkpoint: cannot record a checkpoint: %s", store_errmsg(st));
	store_rollback(st);
	return -1;
}

/* The periodic timer fired: sign the head if it moved. */
static void
checkpoint_tick(uv_timer_t *t)
{
	struct server *srv = t->data;

	if (!srv->stopping)
		checkpoint_record(srv->st, vtime_now_ms());
}

/* Record checkpoints every AUDIT_CHECKPOINT_INTERVAL_S on srv's loop. */
void
checkpoint_start(struct server *srv)
{
	uint64_t ms = (uint64_t)AUDIT_CHECKPOINT_INTERVAL_S * 1000;

	uv_timer_init(srv->loop, &checkpoint_timer);
	checkpoint_timer.data = srv;
	uv_timer_start(&checkpoint_timer, checkpoint_tick, ms, ms);
	checkpoint_timer_on = true;
	checkpoint_record(srv->st, vtime_now_ms());
}

/* Stop the periodic checkpoints. */
void
checkpoint_stop(void)
{
	if (!checkpoint_timer_on)
		return;
	uv_timer_stop(&checkpoint_timer);
	uv_close((uv_handle_t *)&checkpoint_timer, NULL);
	checkpoint_timer_on = false;
}
