#include "compat.h"

#include <sodium.h>

#include "auth.h"

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
