/*
 * auditchain.h: the hash chain of the audit log, shared by vigild (which
 * appends and verifies its own log) and vigil (which verifies an export
 * without trusting the server).
 *
 * hash(n) = SHA-256(bytes of hash(n-1) || canonical(n)), with 32 zero bytes
 * before the first entry.  canonical(n) is the entry's fields as a compact JSON
 * object with sorted keys; details is carried as a string (the JSON text as
 * stored), so the canonical form never depends on how numbers are printed.
 */
#ifndef VIGIL_AUDITCHAIN_H
#define VIGIL_AUDITCHAIN_H

#include <stdint.h>

#define AUDIT_HASH_HEX_LEN 64

struct audit_entry {
	int64_t seq;
	int64_t ts_ms;
	const char *actor_type;   /* user, gateway, device, system */
	const char *actor;
	const char *action;       /* e.g. alarm.ack */
	const char *object_type;
	const char *object_id;
	int64_t site_id;          /* 0 when none */
	const char *details;      /* JSON text */
	const char *source;
	const char *outcome;      /* ok, failed, denied */
	char prev_hash[AUDIT_HASH_HEX_LEN + 1];
	char hash[AUDIT_HASH_HEX_LEN + 1];
};

/* The hash of "no previous entry": 64 zeros. */
extern const char auditchain_genesis[AUDIT_HASH_HEX_LEN + 1];

/* Canonical text of e (everything but the hashes); caller frees. */
char *auditchain_canonical(const struct audit_entry *e);
/* Hash of e chained to prev_hex, as lowercase hex into out; -1 on a bad prev_hex. */
int auditchain_hash(const char *prev_hex, const struct audit_entry *e,
    char out[AUDIT_HASH_HEX_LEN + 1]);

#endif
