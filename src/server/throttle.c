#include "compat.h"

#include "auth.h"

/*
 * Login throttling.  A fixed table of LOGIN_THROTTLE_SLOTS entries, one per
 * account ("a:name") or address ("i:address"), each remembering the times of
 * its latest failures.  Memory never grows: when the table is full the entry
 * whose last failure is oldest is forgotten.  An attacker who can spread
 * failures over more than LOGIN_THROTTLE_SLOTS addresses could push an
 * account out early; the per-account limit still holds for everyone else.
 */

/* Failures remembered per entry: enough for the larger of the two limits. */
#define THROTTLE_RING (LOGIN_FAIL_MAX_ADDRESS > LOGIN_FAIL_MAX_ACCOUNT ? \
    LOGIN_FAIL_MAX_ADDRESS : LOGIN_FAIL_MAX_ACCOUNT)
#define THROTTLE_KEY_LEN (2 + LIMIT_USER_NAME_LEN)
#define THROTTLE_WINDOW_MS ((int64_t)LOGIN_FAIL_WINDOW_S * 1000)

struct throttle_entry {
	char key[THROTTLE_KEY_LEN + 1];   /* "" when free */
	int64_t times[THROTTLE_RING];     /* ring of failure times */
	int head;                         /* next slot to write */
	int n;                            /* failures held, up to THROTTLE_RING */
	int64_t last_ms;                  /* the latest failure */
};

struct throttle {
	struct throttle_entry e[LOGIN_THROTTLE_SLOTS];
};

/* Create an empty throttle. */
struct throttle *
throttle_new(void)
{
	return xcalloc(1, sizeof(struct throttle));
}

/* Free a throttle. */
void
throttle_free(struct throttle *t)
{
	free(t);
}

/* Build the table key for an account ('a') or an address ('i'). */
static void
throttle_key(char *buf, char kind, const char *what)
{
	snprintf(buf, THROTTLE_KEY_LEN + 1, "%c:%s", kind, what);
}

/* The entry for key, or NULL. */
static struct throttle_entry *
throttle_find(struct throttle *t, const char *key)
{
	for (int i = 0; i < LOGIN_THROTTLE_SLOTS; i++)
		if (t->e[i].key[0] != '\0' && strcmp(t->e[i].key, key) == 0)
			return &t->e[i];
	return NULL;
}

/*
 * A slot for a new key: a free one, else one whose failures have all left
 * the window, else the one whose last failure is oldest.
 */
static struct throttle_entry *
throttle_slot(struct throttle *t, int64_t now_ms)
{
	struct throttle_entry *oldest = &t->e[0];

	for (int i = 0; i < LOGIN_THROTTLE_SLOTS; i++) {
		struct throttle_entry *e = &t->e[i];

		if (e->key[0] == '\0' || e->last_ms <= now_ms - THROTTLE_WINDOW_MS)
			return e;
		if (e->last_ms < oldest->last_ms)
			oldest = e;
	}
	return oldest;
}

/*
 * Milliseconds until e has fewer than limit failures in the window, or 0:
 * the limit-th latest failure is the one whose expiry frees a try.
 */
static int64_t
throttle_wait_ms(const struct throttle_entry *e, int limit, int64_t now_ms)
{
	int idx;
	int64_t free_ms;

	if (e == NULL || e->n < limit)
		return 0;
	idx = ((e->head - limit) % THROTTLE_RING + THROTTLE_RING) % THROTTLE_RING;
	free_ms = e->times[idx] + THROTTLE_WINDOW_MS;
	return free_ms > now_ms ? free_ms - now_ms : 0;
}

/* Seconds to wait before account/address may try again, or 0. */
int
throttle_check(struct throttle *t, const char *account, const char *address,
    int64_t now_ms)
{
	char key[THROTTLE_KEY_LEN + 1];
	int64_t wait = 0, w;

	if (account != NULL) {
		throttle_key(key, 'a', account);
		wait = throttle_wait_ms(throttle_find(t, key),
		    LOGIN_FAIL_MAX_ACCOUNT, now_ms);
	}
	if (address != NULL) {
		throttle_key(key, 'i', address);
		w = throttle_wait_ms(throttle_find(t, key),
		    LOGIN_FAIL_MAX_ADDRESS, now_ms);
		if (w > wait)
			wait = w;
	}
	return (int)((wait + 999) / 1000);
}

/* Record one failure under key. */
static void
throttle_record(struct throttle *t, char kind, const char *what, int64_t now_ms)
{
	char key[THROTTLE_KEY_LEN + 1];
	struct throttle_entry *e;

	throttle_key(key, kind, what);
	if ((e = throttle_find(t, key)) == NULL) {
		e = throttle_slot(t, now_ms);
		memset(e, 0, sizeof *e);
		memcpy(e->key, key, sizeof e->key);
	}
	e->times[e->head] = now_ms;
	e->head = (e->head + 1) % THROTTLE_RING;
	if (e->n < THROTTLE_RING)
		e->n++;
	e->last_ms = now_ms;
}

/* Count a failed attempt. */
void
throttle_fail(struct throttle *t, const char *account, const char *address,
    int64_t now_ms)
{
	if (account != NULL)
		throttle_record(t, 'a', account, now_ms);
	if (address != NULL)
		throttle_record(t, 'i', address, now_ms);
}

/* Forget the account's failures after a success. */
void
throttle_success(struct throttle *t, const char *account)
{
	char key[THROTTLE_KEY_LEN + 1];
	struct throttle_entry *e;

	if (account == NULL)
		return;
	throttle_key(key, 'a', account);
	if ((e = throttle_find(t, key)) != NULL)
		memset(e, 0, sizeof *e);
}
