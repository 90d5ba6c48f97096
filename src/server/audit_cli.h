/*
 * audit_cli.h: "vigild audit verify", the command-line check of the audit
 * log's hash chain.
 */
#ifndef VIGIL_AUDIT_CLI_H
#define VIGIL_AUDIT_CLI_H

#include <stdio.h>

struct store;

/*
 * Verify the whole chain and say so on out: "audit: N entries verified, head
 * HASH" and 0, or "audit: entry N does not verify: CAUSE" and 1.
 */
int audit_cli_verify(struct store *st, FILE *out);

#endif
