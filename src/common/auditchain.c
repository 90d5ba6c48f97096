#include "compat.h"

#include <jansson.h>
#include <sodium.h>

#include "auditchain.h"
#include "auditsig.h"
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

/* Hash of e chained to prev_hex, as lowercase hex into out; -1 on a bad prev_hex. */
int
auditchain_hash(const char *prev_hex, const struct audit_entry *e,
    char out[AUDIT_HASH_HEX_LEN + 1])
{
	unsigned char prev[crypto_hash_sha256_BYTES];
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	char *canonical;

	if (auditsig_unhex(prev_hex, prev, sizeof prev) != 0)
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
