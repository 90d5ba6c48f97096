/*
 * filter.h: the queue filter typed after "/".
 *
 *	site:riverside p:1-2 state:new type:forced lobby
 *
 * Words with a prefix narrow by site key, priority (N or N-M), state (new,
 * ack, assigned, open) and alarm type; other words must all appear, without
 * regard to case, in the alarm's site, point label, point key or type.
 */
#ifndef VIGIL_FILTER_H
#define VIGIL_FILTER_H

#include <stdbool.h>

#include "alarmset.h"

#define FILTER_MAX_WORDS 8
#define FILTER_MAX_LEN   256

struct tui_filter {
	char text[FILTER_MAX_LEN];  /* as typed, for the message line */
	char site[64];
	char state[16];
	char type[32];
	int pmin, pmax;             /* 0 = any */
	char words[FILTER_MAX_WORDS][64];
	int nwords;
};

/* Parse text into f; -1 with *cause on a malformed word (f unchanged). */
int filter_parse(struct tui_filter *f, const char *text, char **cause);
/* True when the alarm passes f (f may be NULL: everything passes). */
bool filter_match(const struct tui_filter *f, const struct alarm_rec *a);

#endif
