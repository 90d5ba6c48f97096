#include "compat.h"

#include <ctype.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "audit.h"
#include "auth.h"
#include "log.h"
#include "store.h"
#include "vtime.h"

/* Make sure libsodium is initialised before its first use; it is idempotent. */
static void
auth_sodium_init(void)
{
	if (sodium_init() < 0)
		fatal("libsodium cannot be initialised");
}

/* Hash a password with argon2id into out (crypto_pwhash_STRBYTES); -1 on failure. */
int
auth_password_hash(const char *password, char *out, size_t outlen)
{
	auth_sodium_init();
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	return 0;
}

/* True when password matches the stored argon2id hash. */
bool
auth_password_verify(const char *hash, const char *password)
{
	auth_sodium_init();
	if (hash == NULL || password == NULL)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* Fresh random token as lowercase hex (AUTH_TOKEN_HEX_LEN chars + NUL). */
void
auth_token_new(char out[AUTH_TOKEN_HEX_LEN + 1])
{
	unsigned char raw[SESSION_TOKEN_BYTES];

	auth_sodium_init();
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, AUTH_TOKEN_HEX_LEN + 1, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

/* SHA-256 of a token or secret, as stored. */
void
auth_secret_hash(const char *secret, size_t len, unsigned char out[32])
{
	auth_sodium_init();
	crypto_hash_sha256(out, (const unsigned char *)secret, len);
}

/* The earlier of the idle and the absolute expiry of a session. */
static int64_t
auth_session_expiry(int64_t created_ms, int64_t last_used_ms)
{
	int64_t idle = last_used_ms + (int64_t)SESSION_IDLE_S * 1000;
	int64_t absolute = created_ms + (int64_t)SESSION_ABSOLUTE_S * 1000;

	return idle < absolute ? idle : absolute;
}

/*
 * Create a session for user_id from source; writes the token.  Runs inside
 * the caller's transaction.
 */
int
auth_session_create(struct store *st, int64_t user_id, const char *source,
    int64_t now_ms, char token[AUTH_TOKEN_HEX_LEN + 1], int64_t *expires_ms)
{
	static const char sql[] =
	    "INSERT INTO sessions (user_id, token_hash, created_ms, last_used_ms,"
	    " expires_ms, source) VALUES (?, ?, ?, ?, ?, ?)";
	unsigned char hash[crypto_hash_sha256_BYTES];
	sqlite3_stmt *s;
	int64_t expires = auth_session_expiry(now_ms, now_ms);
	int rc;

	auth_token_new(token);
	auth_secret_hash(token, AUTH_TOKEN_HEX_LEN, hash);
	s = store_stmt(st, sql);
	store_bind_int(s, 1, user_id);
	sqlite3_bind_blob(s, 2, hash, sizeof hash, SQLITE_TRANSIENT);
	store_bind_int(s, 3, now_ms);
	store_bind_int(s, 4, now_ms);
	store_bind_int(s, 5, expires);
	store_bind_text(s, 6, source != NULL ? source : "");
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("auth: cannot create session: %s", store_errmsg(st));
		sodium_memzero(token, AUTH_TOKEN_HEX_LEN + 1);
		return -1;
	}
	if (expires_ms != NULL)
		*expires_ms = expires;
	return 0;
}

/*
 * Skip an HTTP authentication scheme name (case-insensitive) and the spaces
 * after it; the credentials, or NULL when the header is of another scheme.
 */
static const char *
auth_scheme(const char *authorization, const char *scheme)
{
	size_t n = strlen(scheme);

	if (authorization == NULL || strncasecmp(authorization, scheme, n) != 0)
		return NULL;
	authorization += n;
	if (*authorization != ' ')
		return NULL;
	while (*authorization == ' ')
		authorization++;
	return authorization;
}

/* Touch a session's last use and idle expiry; a failure only costs a write. */
static void
auth_session_touch(struct store *st, int64_t id, int64_t now_ms, int64_t expires)
{
	static const char sql[] =
	    "UPDATE sessions SET last_used_ms = ?, expires_ms = ? WHERE id = ?";
	sqlite3_stmt *s = store_stmt(st, sql);

	store_bind_int(s, 1, now_ms);
	store_bind_int(s, 2, expires);
	store_bind_int(s, 3, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		log_warn("auth: cannot touch session %" PRId64 ": %s", id,
		    store_errmsg(st));
	sqlite3_reset(s);
}

/*
 * Resolve "Bearer TOKEN" into a user principal; refreshes idle expiry at most
 * every SESSION_TOUCH_S.
 */
int
auth_session_check(struct store *st, const char *authorization,
    int64_t now_ms, struct principal *who)
{
	static const char sql[] =
	    "SELECT id, user_id, created_ms, last_used_ms, expires_ms,"
	    " revoked_ms IS NOT NULL FROM sessions WHERE token_hash = ?";
	unsigned char hash[crypto_hash_sha256_BYTES];
	char token[AUTH_TOKEN_HEX_LEN + 1];
	const char *p;
	sqlite3_stmt *s;
	int64_t id, user_id, created, last_used, expires;
	bool revoked;
	size_t i;

	memset(who, 0, sizeof *who);
	if ((p = auth_scheme(authorization, "Bearer")) == NULL)
		return -1;
	for (i = 0; i < AUTH_TOKEN_HEX_LEN; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		token[i] = (char)tolower((unsigned char)p[i]);
	}
	token[i] = '\0';
	for (p += i; *p == ' '; p++)
		/* nothing */;
	if (*p != '\0')
		return -1;

	auth_secret_hash(token, AUTH_TOKEN_HEX_LEN, hash);
	s = store_stmt(st, sql);
	sqlite3_bind_blob(s, 1, hash, sizeof hash, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	id = sqlite3_column_int64(s, 0);
	user_id = sqlite3_column_int64(s, 1);
	created = sqlite3_column_int64(s, 2);
	last_used = sqlite3_column_int64(s, 3);
	expires = sqlite3_column_int64(s, 4);
	revoked = sqlite3_column_int(s, 5) != 0;
	sqlite3_reset(s);

	if (revoked || now_ms >= expires ||
	    now_ms >= auth_session_expiry(created, last_used))
		return -1;
	if (auth_user_load(st, user_id, who) != 0)
		return -1;
	who->session_id = id;
	if (now_ms - last_used >= (int64_t)SESSION_TOUCH_S * 1000)
		auth_session_touch(st, id, now_ms, auth_session_expiry(created, now_ms));
	return 0;
}

/* Revoke a session; -1 when it does not exist or is revoked already. */
int
auth_session_revoke(struct store *st, int64_t session_id, int64_t now_ms)
{
	static const char sql[] =
	    "UPDATE sessions SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;

	store_bind_int(s, 1, now_ms);
	store_bind_int(s, 2, session_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("auth: cannot revoke session %" PRId64 ": %s", session_id,
		    store_errmsg(st));
		return -1;
	}
	return sqlite3_changes(store_db(st)) == 1 ? 0 : -1;
}

/*
 * Split "Basic base64(key:secret)" into key (1..LIMIT_KEY_LEN bytes) and
 * secret (1..LIMIT_SECRET_MAX_LEN bytes); 0 or -1.  buf holds both.
 */
static int
auth_basic_parse(const char *authorization, char *buf, size_t buflen,
    const char **key, const char **secret, size_t *secretlen)
{
	const char *p, *end, *b64_end;
	char *colon;
	size_t len, binlen;

	if ((p = auth_scheme(authorization, "Basic")) == NULL)
		return -1;
	len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	if (len == 0)
		return -1;
	end = p + len;
	if (sodium_base642bin((unsigned char *)buf, buflen - 1, p, len, NULL,
	    &binlen, &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    b64_end != end)
		return -1;
	buf[binlen] = '\0';
	if (memchr(buf, '\0', binlen) != NULL)
		return -1;
	if ((colon = strchr(buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	*key = buf;
	*secret = colon + 1;
	*secretlen = binlen - (size_t)(colon + 1 - buf);
	if (colon == buf || (size_t)(colon - buf) > LIMIT_KEY_LEN ||
	    *secretlen == 0 || *secretlen > LIMIT_SECRET_MAX_LEN)
		return -1;
	return 0;
}

/*
 * Check secret against the stored hash in column col of s (a row, or no row
 * when the key is unknown); the hash is computed either way so that unknown
 * keys cost the same as wrong secrets.
 */
static bool
auth_secret_matches(sqlite3_stmt *s, bool row, int col, const char *secret,
    size_t secretlen)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	unsigned char stored[crypto_hash_sha256_BYTES];
	bool valid = false;

	memset(stored, 0, sizeof stored);
	if (row && sqlite3_column_type(s, col) == SQLITE_BLOB &&
	    sqlite3_column_bytes(s, col) == (int)sizeof stored) {
		memcpy(stored, sqlite3_column_blob(s, col), sizeof stored);
		valid = true;
	}
	auth_secret_hash(secret, secretlen, hash);
	return sodium_memcmp(hash, stored, sizeof hash) == 0 && valid;
}

/*
 * Resolve "Basic base64(key:secret)" against sql (selecting id, site_id and
 * the secret's hash for a key) as a principal of kind; 0 or -1.
 */
static int
auth_basic_check(struct store *st, const char *sql, const char *authorization,
    enum principal_kind kind, struct principal *who)
{
	char buf[LIMIT_KEY_LEN + 1 + LIMIT_SECRET_MAX_LEN + 1];
	const char *key, *secret;
	size_t secretlen;
	sqlite3_stmt *s;
	bool row, ok;

	memset(who, 0, sizeof *who);
	if (auth_basic_parse(authorization, buf, sizeof buf, &key, &secret,
	    &secretlen) != 0)
		return -1;
	s = store_stmt(st, sql);
	store_bind_text(s, 1, key);
	row = sqlite3_step(s) == SQLITE_ROW;
	ok = auth_secret_matches(s, row, 2, secret, secretlen);
	if (ok) {
		who->kind = kind;
		who->id = sqlite3_column_int64(s, 0);
		who->site_id = sqlite3_column_int64(s, 1); /* 0 when NULL */
		if (kind == PRINCIPAL_DEVICE)
			who->guard_id = who->id;
		snprintf(who->name, sizeof who->name, "%.*s", (int)sizeof who->name - 1, key);
	}
	sqlite3_reset(s);
	sodium_memzero(buf, sizeof buf);
	return ok ? 0 : -1;
}

/* Resolve "Basic base64(key:secret)" for a gateway; 0 or -1. */
int
auth_gateway_check(struct store *st, const char *authorization,
    struct principal *who)
{
	static const char sql[] =
	    "SELECT id, site_id, secret_hash FROM gateways WHERE key = ?";

	return auth_basic_check(st, sql, authorization, PRINCIPAL_GATEWAY, who);
}

/* Resolve "Basic base64(callsign:secret)" for a guard's device; 0 or -1. */
int
auth_device_check(struct store *st, const char *authorization,
    struct principal *who)
{
	static const char sql[] =
	    "SELECT id, site_id, device_secret_hash FROM guards WHERE callsign = ?";

	return auth_basic_check(st, sql, authorization, PRINCIPAL_DEVICE, who);
}

/* Load a manager's sites into who; 0 or -1. */
static int
auth_user_sites(struct store *st, int64_t user_id, struct principal *who)
{
	static const char sql[] =
	    "SELECT site_id FROM user_sites WHERE user_id = ? ORDER BY site_id";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;

	store_bind_int(s, 1, user_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (who->nsites == AUTH_MAX_SITES) {
			log_warn("auth: user %" PRId64 " has more than %d sites",
			    user_id, AUTH_MAX_SITES);
			break;
		}
		who->sites[who->nsites++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Load a user principal by id (role, scope, guard link); -1 when unknown or disabled. */
int
auth_user_load(struct store *st, int64_t user_id, struct principal *who)
{
	static const char sql_user[] =
	    "SELECT name, role, disabled FROM users WHERE id = ?";
	static const char sql_guard[] =
	    "SELECT id FROM guards WHERE user_id = ?";
	sqlite3_stmt *s;
	int role;
	bool disabled;

	memset(who, 0, sizeof *who);
	s = store_stmt(st, sql_user);
	store_bind_int(s, 1, user_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	snprintf(who->name, sizeof who->name, "%s", store_col_text(s, 0));
	role = role_parse(store_col_text(s, 1));
	disabled = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	if (role < 0) {
		log_error("auth: user %" PRId64 " has an unknown role", user_id);
		return -1;
	}
	if (disabled)
		return -1;

	who->kind = PRINCIPAL_USER;
	who->id = user_id;
	who->role = (enum role)role;
	switch (who->role) {
	case ROLE_MANAGER:
		if (auth_user_sites(st, user_id, who) != 0)
			return -1;
		break;
	case ROLE_GUARD:
		s = store_stmt(st, sql_guard);
		store_bind_int(s, 1, user_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			who->guard_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		break;
	default:
		who->all_sites = true;
		break;
	}
	return 0;
}

/*
 * True when who may see or act on objects of site_id: unscoped users see
 * every site, managers their own, gateways and devices the site they belong
 * to, and guards' own accounts no site as such (they see what they are sent).
 */
bool
principal_sees_site(const struct principal *who, int64_t site_id)
{
	switch (who->kind) {
	case PRINCIPAL_SYSTEM:
		return true;
	case PRINCIPAL_USER:
		if (who->all_sites)
			return true;
		for (int i = 0; i < who->nsites && i < AUTH_MAX_SITES; i++)
			if (who->sites[i] == site_id)
				return true;
		return false;
	case PRINCIPAL_GATEWAY:
	case PRINCIPAL_DEVICE:
		return who->site_id != 0 && who->site_id == site_id;
	default:
		return false;
	}
}

/* True when name is 1..LIMIT_USER_NAME_LEN of [a-z0-9._-]. */
static bool
auth_user_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > LIMIT_USER_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The list of role names, for messages. */
static void
auth_role_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int r = 0; r < ROLE__COUNT && off < len; r++) {
		int n = snprintf(buf + off, len - off, "%s%s", r > 0 ? ", " : "",
		    role_name((enum role)r));
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Check what auth_user_add is given before anything is written; 0 or -1. */
static int
auth_user_validate(const char *name, const char *role, const char *password,
    int nsites, const char *guard_callsign, int *rolep, char **cause)
{
	char roles[128];
	size_t pwlen;

	if (name == NULL || !auth_user_name_valid(name)) {
		*cause = xasprintf("user name: must be 1 to %d characters of a-z, "
		    "0-9, '.', '_' and '-'", LIMIT_USER_NAME_LEN);
		return -1;
	}
	if (role == NULL || (*rolep = role_parse(role)) < 0) {
		auth_role_names(roles, sizeof roles);
		*cause = xasprintf("role: unknown role \"%s\" (one of %s)",
		    role != NULL ? role : "", roles);
		return -1;
	}
	pwlen = password != NULL ? strlen(password) : 0;
	if (pwlen < LIMIT_PASSWORD_MIN || pwlen > LIMIT_PASSWORD_MAX) {
		*cause = xasprintf("password: must be %d to %d characters",
		    LIMIT_PASSWORD_MIN, LIMIT_PASSWORD_MAX);
		return -1;
	}
	if (*rolep == ROLE_MANAGER && nsites < 1) {
		*cause = xasprintf("site: a manager needs at least one --site");
		return -1;
	}
	if (*rolep != ROLE_MANAGER && nsites > 0) {
		*cause = xasprintf("site: only managers are limited to sites; "
		    "a %s sees every site", role);
		return -1;
	}
	if (nsites > AUTH_MAX_SITES) {
		*cause = xasprintf("site: at most %d sites", AUTH_MAX_SITES);
		return -1;
	}
	if (*rolep == ROLE_GUARD && guard_callsign == NULL) {
		*cause = xasprintf("guard: a guard's account needs --guard CALLSIGN");
		return -1;
	}
	if (*rolep != ROLE_GUARD && guard_callsign != NULL) {
		*cause = xasprintf("guard: only a guard's account is linked to a "
		    "guard");
		return -1;
	}
	return 0;
}

/* Write a validated user, its sites and guard link, and the audit entry; 0 or -1. */
static int
auth_user_insert(struct store *st, const char *name, const char *role,
    const char *hash, const char *const *site_keys, int nsites,
    const char *guard_callsign, char **cause)
{
	static const char sql_exists[] = "SELECT 1 FROM users WHERE name = ?";
	static const char sql_site[] = "SELECT id FROM sites WHERE key = ?";
	static const char sql_guard[] =
	    "SELECT guards.id, users.name FROM guards"
	    " LEFT JOIN users ON users.id = guards.user_id WHERE callsign = ?";
	static const char sql_user[] =
	    "INSERT INTO users (name, role, pw_hash, created_ms) VALUES (?, ?, ?, ?)";
	static const char sql_user_site[] =
	    "INSERT OR IGNORE INTO user_sites (user_id, site_id) VALUES (?, ?)";
	static const char sql_link[] = "UPDATE guards SET user_id = ? WHERE id = ?";
	struct audit_actor actor = { "system", "vigild", "command line" };
	int64_t site_ids[AUTH_MAX_SITES], guard_id = 0, user_id, now = vtime_now_ms();
	json_t *details, *sites;
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(st, sql_exists);
	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW) {
		*cause = xasprintf("user \"%s\" already exists", name);
		return -1;
	}
	for (int i = 0; i < nsites; i++) {
		s = store_stmt(st, sql_site);
		store_bind_text(s, 1, site_keys[i]);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			site_ids[i] = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			*cause = xasprintf("site: no site \"%s\"", site_keys[i]);
			return -1;
		}
	}
	if (guard_callsign != NULL) {
		s = store_stmt(st, sql_guard);
		store_bind_text(s, 1, guard_callsign);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			guard_id = sqlite3_column_int64(s, 0);
			if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
				*cause = xasprintf("guard: %s is already the "
				    "account of user \"%s\"", guard_callsign,
				    store_col_text(s, 1));
				sqlite3_reset(s);
				return -1;
			}
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			*cause = xasprintf("guard: no guard \"%s\"", guard_callsign);
			return -1;
		}
	}

	s = store_stmt(st, sql_user);
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, role);
	store_bind_text(s, 3, hash);
	store_bind_int(s, 4, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	user_id = sqlite3_last_insert_rowid(store_db(st));
	for (int i = 0; i < nsites; i++) {
		s = store_stmt(st, sql_user_site);
		store_bind_int(s, 1, user_id);
		store_bind_int(s, 2, site_ids[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (guard_id != 0) {
		s = store_stmt(st, sql_link);
		store_bind_int(s, 1, user_id);
		store_bind_int(s, 2, guard_id);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			goto fail;
	}

	sites = json_array();
	for (int i = 0; i < nsites; i++)
		json_array_append_new(sites, json_string(site_keys[i]));
	details = json_pack("{s:s, s:o, s:o}", "role", role, "sites", sites,
	    "guard", guard_callsign != NULL ? json_string(guard_callsign) :
	    json_null());
	if (details == NULL)
		fatal("auth: cannot build audit details");
	rc = audit_append(st, &actor, "user.add", "user", name, 0, details,
	    "ok", now) < 0 ? -1 : 0;
	json_decref(details);
	if (rc != 0) {
		*cause = xasprintf("cannot write the audit entry");
		return -1;
	}
	return 0;

fail:
	*cause = xasprintf("cannot store user \"%s\": %s", name, store_errmsg(st));
	return -1;
}

/*
 * Add a user (for "vigild user add"): validates name, role, password and
 * site keys (for managers), audits it.  0, or -1 with *cause.
 */
int
auth_user_add(struct store *st, const char *name, const char *role,
    const char *password, const char *const *site_keys, int nsites,
    const char *guard_callsign, char **cause)
{
	char hash[crypto_pwhash_STRBYTES];
	int r;

	if (auth_user_validate(name, role, password, nsites, guard_callsign, &r,
	    cause) != 0)
		return -1;
	if (auth_password_hash(password, hash, sizeof hash) != 0) {
		*cause = xasprintf("cannot hash the password (out of memory?)");
		return -1;
	}
	if (store_begin(st) != 0) {
		*cause = xasprintf("cannot begin a transaction: %s", store_errmsg(st));
		return -1;
	}
	if (auth_user_insert(st, name, role_name((enum role)r), hash, site_keys,
	    nsites, guard_callsign, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) != 0) {
		*cause = xasprintf("cannot commit: %s", store_errmsg(st));
		return -1;
	}
	return 0;
}
