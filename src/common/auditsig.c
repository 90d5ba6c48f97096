#include "compat.h"

#include <sodium.h>

#include "auditsig.h"
#include "vtime.h"

/* The signed text of a checkpoint; caller frees. */
char *
auditsig_message(int64_t seq, const char *hash, int64_t ts_ms)
{
	char ts[VTIME_ISO_LEN];

	vtime_format(ts_ms, ts, sizeof ts);
	return xasprintf("vigil-audit-checkpoint v1\nseq=%" PRId64 "\nhash=%s\n"
	    "ts=%s\n", seq, hash, ts);
}

/* Decode exactly 2n hex digits into n bytes; 0 or -1. */
int
auditsig_unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t got = 0;

	if (hex == NULL || strlen(hex) != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

/* Sign a checkpoint with secret key sk into sig_hex; 0 or -1. */
int
auditsig_sign(const unsigned char sk[AUDITSIG_SK_BYTES], int64_t seq,
    const char *hash, int64_t ts_ms, char sig_hex[AUDITSIG_SIG_HEX_LEN + 1])
{
	unsigned char sig[crypto_sign_BYTES];
	char *msg = auditsig_message(seq, hash, ts_ms);
	int rc;

	rc = crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
	    strlen(msg), sk);
	free(msg);
	if (rc != 0)
		return -1;
	sodium_bin2hex(sig_hex, AUDITSIG_SIG_HEX_LEN + 1, sig, sizeof sig);
	return 0;
}

/* 0 when sig_hex is pk_hex's signature of the checkpoint, else -1. */
int
auditsig_verify(const char *pk_hex, int64_t seq, const char *hash,
    int64_t ts_ms, const char *sig_hex)
{
	unsigned char pk[AUDITSIG_PK_BYTES], sig[crypto_sign_BYTES];
	char *msg;
	int rc;

	if (auditsig_unhex(pk_hex, pk, sizeof pk) != 0 ||
	    auditsig_unhex(sig_hex, sig, sizeof sig) != 0)
		return -1;
	msg = auditsig_message(seq, hash, ts_ms);
	rc = crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), pk);
	free(msg);
	return rc == 0 ? 0 : -1;
}
