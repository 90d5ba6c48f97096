#include "compat.h"

#include "filter.h"
#include "tui.h"
#include "vtime.h"

#define QUEUE_SMALL      2000  /* queues up to this long are rebuilt every frame */
#define QUEUE_REBUILD_MS 250   /* longer ones at most this often */

/* Order of the queue: priority, then oldest first, then id. */
static int
queue_cmp(const void *a, const void *b)
{
	const struct alarm_rec *x = *(struct alarm_rec *const *)a;
	const struct alarm_rec *y = *(struct alarm_rec *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rebuild the queue from the replica's open alarms and the filter. */
static void
queue_rebuild(struct console *c)
{
	struct tui_queue *q = &c->queue;
	size_t total = alarmset_count(c->replica.alarms), it = 0;
	struct alarm_rec *a;

	/* The rows hold references: a row may outlive its alarm's replacement. */
	for (size_t i = 0; i < q->n; i++)
		alarm_rec_unref(q->rows[i]);
	if (q->cap < total) {
		q->cap = total + 64;
		q->rows = xrealloc(q->rows, q->cap * sizeof *q->rows);
	}
	q->n = 0;
	memset(q->counts_p, 0, sizeof q->counts_p);
	memset(q->counts_state, 0, sizeof q->counts_state);
	while ((a = alarmset_next(c->replica.alarms, &it)) != NULL) {
		if (a->priority >= 1 && a->priority <= 9)
			q->counts_p[a->priority]++;
		if (a->state <= ALARM_ASSIGNED)
			q->counts_state[a->state]++;
		if (filter_match(c->filter, a))
			q->rows[q->n++] = alarm_rec_ref(a);
	}
	if (q->n > 1)
		qsort(q->rows, q->n, sizeof *q->rows, queue_cmp);
	c->replica.changed &= ~(unsigned)REPLICA_CHANGED_ALARMS;
	c->queue_stale = false;
	c->queue_built_ms = vtime_mono_ms();
}

/*
 * The open alarms in queue order, rebuilt when the replica changed.  A long
 * queue is rebuilt at most every QUEUE_REBUILD_MS: during a storm the
 * screen then shows the queue as it was a moment ago (rows hold references,
 * so that is safe) instead of sorting every alarm 30 times a second.
 */
struct tui_queue *
tui_queue(struct console *c)
{
	int64_t now, wait;

	if (!c->queue_stale && !(c->replica.changed & REPLICA_CHANGED_ALARMS))
		return &c->queue;
	now = vtime_mono_ms();
	wait = c->queue_built_ms + QUEUE_REBUILD_MS - now;
	if (c->force_rebuild || alarmset_count(c->replica.alarms) <= QUEUE_SMALL || wait <= 0) {
		c->force_rebuild = false;
		queue_rebuild(c);
	} else {
		/* Come back when the interval is over. */
		c->redraw_again_ms = wait;
	}
	return &c->queue;
}

/* Forget the queue's rows (at exit). */
void
tui_queue_release(struct console *c)
{
	for (size_t i = 0; i < c->queue.n; i++)
		alarm_rec_unref(c->queue.rows[i]);
	free(c->queue.rows);
	c->queue.rows = NULL;
	c->queue.n = c->queue.cap = 0;
}

/* The index of the selected alarm in the queue (clamped), or -1 when empty. */
long
tui_selected_index(struct console *c)
{
	struct tui_queue *q = tui_queue(c);

	if (q->n == 0) {
		c->selected = 0;
		return -1;
	}
	/* Most of the time the selection is where it was. */
	if (c->selected_index < q->n && q->rows[c->selected_index]->id == c->selected)
		return (long)c->selected_index;
	for (size_t i = 0; i < q->n; i++)
		if (q->rows[i]->id == c->selected) {
			c->selected_index = i;
			return (long)i;
		}
	/* The selected alarm left: keep the cursor where it was. */
	if (c->selected_index >= q->n)
		c->selected_index = q->n - 1;
	c->selected = q->rows[c->selected_index]->id;
	return (long)c->selected_index;
}

/* Move the selection to queue row i (clamped). */
void
tui_select(struct console *c, long i)
{
	struct tui_queue *q = tui_queue(c);

	if (q->n == 0)
		return;
	if (i < 0)
		i = 0;
	if ((size_t)i >= q->n)
		i = (long)q->n - 1;
	c->selected_index = (size_t)i;
	c->selected = q->rows[i]->id;
	tui_dirty(c);
}

/* The alarm under the cursor, or NULL (borrowed). */
struct alarm_rec *
tui_selected(struct console *c)
{
	long i = tui_selected_index(c);

	return i < 0 ? NULL : c->queue.rows[i];
}

/* Filter the queue by text as typed after "/" ("" clears it). */
void
console_filter_set(struct console *c, const char *text)
{
	struct tui_filter f;
	char *cause = NULL;

	if (*text == '\0') {
		free(c->filter);
		c->filter = NULL;
	} else {
		if (filter_parse(&f, text, &cause) != 0) {
			tui_message(c, true, "filter: %s", cause);
			free(cause);
			return;
		}
		if (c->filter == NULL)
			c->filter = xmalloc(sizeof *c->filter);
		*c->filter = f;
	}
	c->queue_stale = true;
	c->force_rebuild = true;
	tui_select(c, 0);
}
