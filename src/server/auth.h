/*
 * auth.h: who is asking, and may they.
 *
 * People log in with a password (argon2id via libsodium) and get a session
 * token: SESSION_TOKEN_BYTES random bytes, shown once as hex, stored only as
 * its SHA-256.  Gateways and guards' devices authenticate each request with
 * HTTP Basic (key:secret); their secrets are long random strings, stored as
 * SHA-256 and compared in constant time.
 */
#ifndef VIGIL_AUTH_H
#define VIGIL_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "vlimits.h"
#include "model.h"

struct store;

#define AUTH_TOKEN_HEX_LEN (SESSION_TOKEN_BYTES * 2)
#define AUTH_MAX_SITES LIMIT_USER_SITES

enum principal_kind {
	PRINCIPAL_NONE,
	PRINCIPAL_USER,
	PRINCIPAL_GATEWAY,
	PRINCIPAL_DEVICE,   /* a guard's phone or tracker */
	PRINCIPAL_SYSTEM,   /* vigild itself: supervision, the command line */
};

struct principal {
	enum principal_kind kind;
	int64_t id;               /* users.id, gateways.id or guards.id */
	char name[LIMIT_USER_NAME_LEN + 1]; /* user name, gateway key or callsign */
	enum role role;           /* for users */
	int64_t session_id;       /* for users */
	int64_t site_id;          /* gateway's or device's site */
	int64_t guard_id;         /* the guard a user or device is, or 0 */
	bool all_sites;           /* not scoped (every role but manager and guard) */
	int64_t sites[AUTH_MAX_SITES]; /* a manager's sites */
	int nsites;
};

/* Hash a password with argon2id into out (crypto_pwhash_STRBYTES); -1 on failure. */
int auth_password_hash(const char *password, char *out, size_t outlen);
/* True when password matches the stored argon2id hash. */
bool auth_password_verify(const char *hash, const char *password);

/* Fresh random token as lowercase hex (AUTH_TOKEN_HEX_LEN chars + NUL). */
void auth_token_new(char out[AUTH_TOKEN_HEX_LEN + 1]);
/* SHA-256 of a token or secret, as stored. */
void auth_secret_hash(const char *secret, size_t len, unsigned char out[32]);

/*
 * Create a session for user_id from source; writes the token.  Runs inside
 * the caller's transaction.  0 or -1.
 */
int auth_session_create(struct store *st, int64_t user_id, const char *source,
    int64_t now_ms, char token[AUTH_TOKEN_HEX_LEN + 1], int64_t *expires_ms);
/*
 * Resolve "Bearer TOKEN" into a user principal; refreshes idle expiry at most
 * every SESSION_TOUCH_S.  0, or -1 when absent, unknown, revoked or expired.
 */
int auth_session_check(struct store *st, const char *authorization,
    int64_t now_ms, struct principal *who);
/* Revoke a session; 0 or -1. */
int auth_session_revoke(struct store *st, int64_t session_id, int64_t now_ms);

/* Resolve "Basic base64(key:secret)" for a gateway; 0 or -1. */
int auth_gateway_check(struct store *st, const char *authorization,
    struct principal *who);
/* Resolve "Basic base64(callsign:secret)" for a guard's device; 0 or -1. */
int auth_device_check(struct store *st, const char *authorization,
    struct principal *who);

/* Load a user principal by name (role, scope, guard link); 0 or -1. */
int auth_user_load(struct store *st, int64_t user_id, struct principal *who);

/* True when who may see or act on objects of site_id. */
bool principal_sees_site(const struct principal *who, int64_t site_id);

/*
 * Login throttling, in memory: failures are counted per account and per
 * address over LOGIN_FAIL_WINDOW_S.
 */
struct throttle;
struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);
/* Seconds to wait before account/address may try again, or 0. */
int throttle_check(struct throttle *t, const char *account, const char *address,
    int64_t now_ms);
/* Count a failed attempt. */
void throttle_fail(struct throttle *t, const char *account, const char *address,
    int64_t now_ms);
/* Forget the account's failures after a success. */
void throttle_success(struct throttle *t, const char *account);

/*
 * Add a user (for "vigild user add"): validates name, role, password and
 * site keys (for managers), audits it.  0, or -1 with *cause.
 */
int auth_user_add(struct store *st, const char *name, const char *role,
    const char *password, const char *const *site_keys, int nsites,
    const char *guard_callsign, char **cause);

#endif
