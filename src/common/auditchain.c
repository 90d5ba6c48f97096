#include "compat.h"

#include <jansson.h>
#include <sodium.h>

#include "auditchain.h"
#include "vtime.h"

const char auditchain_genesis[AUDIT_HASH_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Add a string member, "" for NULL; false when s is not valid UTF-8. */
static bool
auditchain_set_str(json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	if (v == NULL)
		return false;
	return json_object_set_new(o, key, v) == 0;
}

/* Canonical text of e (everything but the hashes); caller frees. */
char *
auditchain_canonical(const struct audit_entry *e)
{
	char ts[VTIME_ISO_LEN];
	json_t *o;
	char *text = NULL;
	bool ok;

	vtime_format(e->ts_ms, ts, sizeof ts);
	o = json_object();
	ok = json_object_set_new(o, "seq", json_integer(e->seq)) == 0 &&
	    auditchain_set_str(o, "ts", ts) &&
	    auditchain_set_str(o, "actor_type", e->actor_type) &&
	    auditchain_set_str(o, "actor", e->actor) &&
	    auditchain_set_str(o, "action", e->action) &&
	    auditchain_set_str(o, "object_type", e->object_type) &&
	    auditchain_set_str(o, "object_id", e->object_id) &&
	    json_object_set_new(o, "site_id", e->site_id != 0 ?
	    json_integer(e->site_id) : json_null()) == 0 &&
	    auditchain_set_str(o, "details", e->details != NULL ? e->details : "{}") &&
	    auditchain_set_str(o, "source", e->source) &&
	    auditchain_set_str(o, "outcome", e->outcome);
	if (ok)
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

/* Value of one hex digit, or -1. */
static int
auditchain_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode exactly AUDIT_HASH_HEX_LEN hex digits into 32 bytes; -1 otherwise. */
static int
auditchain_unhex(const char *hex, unsigned char out[crypto_hash_sha256_BYTES])
{
	if (hex == NULL || strlen(hex) != AUDIT_HASH_HEX_LEN)
		return -1;
	for (size_t i = 0; i < AUDIT_HASH_HEX_LEN; i += 2) {
		int hi = auditchain_nibble(hex[i]);
		int lo = auditchain_nibble(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Hash of e chained to prev_hex, as lowercase hex into out; -1 on a bad prev_hex. */
int
auditchain_hash(const char *prev_hex, const struct audit_entry *e,
    char out[AUDIT_HASH_HEX_LEN + 1])
{
	unsigned char prev[crypto_hash_sha256_BYTES];
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	char *canonical;

	if (auditchain_unhex(prev_hex, prev) != 0)
		return -1;
	if ((canonical = auditchain_canonical(e)) == NULL)
		return -1;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, prev, sizeof prev);
	crypto_hash_sha256_update(&h, (const unsigned char *)canonical,
	    strlen(canonical));
	crypto_hash_sha256_final(&h, digest);
	free(canonical);
	sodium_bin2hex(out, AUDIT_HASH_HEX_LEN + 1, digest, sizeof digest);
	return 0;
}
