/*
 * auditsig.h: signed checkpoints of the audit chain's head.
 *
 * vigild signs, with an Ed25519 key kept outside the database, the statement
 * "entry SEQ of the audit log has hash HASH, at time TS".  The signed bytes
 * are the text
 *
 *	vigil-audit-checkpoint v1\n
 *	seq=SEQ\n
 *	hash=HASH\n
 *	ts=TS\n
 *
 * with SEQ in decimal, HASH the entry's 64 lowercase hex digits and TS the
 * checkpoint's time as vtime_format writes it ("2026-11-21T23:01:02.345Z").
 * Keys and signatures travel as lowercase hex.  vigil verifies them without
 * trusting the server; anyone can with any Ed25519 implementation.
 */
#ifndef VIGIL_AUDITSIG_H
#define VIGIL_AUDITSIG_H

#include <stddef.h>
#include <stdint.h>

#define AUDITSIG_PK_BYTES    32
#define AUDITSIG_SK_BYTES    64
#define AUDITSIG_SEED_BYTES  32
#define AUDITSIG_PK_HEX_LEN  (AUDITSIG_PK_BYTES * 2)
#define AUDITSIG_SIG_HEX_LEN 128

/* The signed text of a checkpoint (see above); caller frees. */
char *auditsig_message(int64_t seq, const char *hash, int64_t ts_ms);
/* Sign a checkpoint with secret key sk into sig_hex; 0 or -1. */
int auditsig_sign(const unsigned char sk[AUDITSIG_SK_BYTES], int64_t seq,
    const char *hash, int64_t ts_ms, char sig_hex[AUDITSIG_SIG_HEX_LEN + 1]);
/* 0 when sig_hex is pk_hex's signature of the checkpoint, else -1. */
int auditsig_verify(const char *pk_hex, int64_t seq, const char *hash,
    int64_t ts_ms, const char *sig_hex);
/* Decode exactly 2n hex digits into n bytes; 0 or -1. */
int auditsig_unhex(const char *hex, unsigned char *out, size_t n);

#endif
