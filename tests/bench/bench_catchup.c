/*
 * bench_catchup: the catch-up benchmark's client.  Connects to vigild's
 * stream with ?since=SINCE, as a console back from a time away, and times
 * from the connect to the "live" message, checking on the way that every
 * change message after SINCE arrives once and in order.
 *
 *   bench_catchup HOST PORT TOKEN SINCE EXPECT
 *
 * Prints one line, "ELAPSED_MS MESSAGES MBYTES FIRST_MS" (FIRST_MS: until
 * the first change message), and exits 0 when exactly EXPECT change
 * messages came before "live", 1 otherwise.
 */
#include "compat.h"

#define BENCH_NAME "bench_catchup"
#include "bench_ws.h"

#define CATCHUP_READ        (1024 * 1024)
#define CATCHUP_MSG_MAX     (1024 * 1024)
#define CATCHUP_TIMEOUT_MS  120000

/* The connection and what came over it. */
struct catchup {
	struct bench_conn io;
	int64_t since, last_seq, count, bytes;
	int64_t start_ms, first_ms;
	bool live;
};

/* Take one message: count a change in order, or note "live" (true: stop). */
static bool
catchup_message(void *arg, const unsigned char *p, size_t n)
{
	struct catchup *c = arg;
	int64_t seq;

	if (n > 7 && memcmp(p, "{\"seq\":", 7) == 0) {
		seq = strtoll((const char *)p + 7, NULL, 10);
		if (seq != c->last_seq + 1)
			bench_fail("seq %" PRId64 " after %" PRId64 ": a gap or a repeat",
			    seq, c->last_seq);
		if (c->count++ == 0)
			c->first_ms = vtime_mono_ms();
		c->last_seq = seq;
		c->bytes += (int64_t)n;
		return false;
	}
	if (bench_find(p, n, "\"type\":\"live\"", 13) != NULL)
		c->live = true;
	else if (bench_find(p, n, "\"type\":\"resync\"", 15) != NULL ||
	    bench_find(p, n, "\"type\":\"error\"", 14) != NULL)
		bench_fail("the server said: %.*s", (int)n, (const char *)p);
	return c->live;
}

/* Catch up from SINCE and print how long it took. */
int
main(int argc, char **argv)
{
	struct catchup c;
	int64_t expect, end_ms;
	char *path;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_catchup HOST PORT TOKEN SINCE EXPECT\n");
		return 64;
	}
	memset(&c, 0, sizeof c);
	c.io.chunk = CATCHUP_READ;
	c.since = c.last_seq = bench_arg("SINCE", argv[4], 0);
	expect = bench_arg("EXPECT", argv[5], 0);
	c.start_ms = vtime_mono_ms();
	path = xasprintf("/api/v1/stream?since=%" PRId64, c.since);
	bench_ws_open(&c.io, argv[1], argv[2], path, argv[3],
	    c.start_ms + CATCHUP_TIMEOUT_MS);
	free(path);
	while (!c.live) {
		if (bench_ws_parse(&c.io, CATCHUP_MSG_MAX, catchup_message, &c) < 0)
			bench_fail("the server closed the stream after %" PRId64
			    " messages", c.count);
		if (c.live)
			break;
		if (bench_fill(&c.io, 1000) < 0)
			bench_fail("the connection closed after %" PRId64 " messages",
			    c.count);
		if (vtime_mono_ms() - c.start_ms > CATCHUP_TIMEOUT_MS)
			bench_fail("no \"live\" after %d s (%" PRId64 " messages)",
			    CATCHUP_TIMEOUT_MS / 1000, c.count);
	}
	end_ms = vtime_mono_ms();
	printf("%" PRId64 " %" PRId64 " %.1f %" PRId64 "\n", end_ms - c.start_ms,
	    c.count, (double)c.bytes / 1e6,
	    c.count > 0 ? c.first_ms - c.start_ms : 0);
	close(c.io.fd);
	free(c.io.buf);
	free(c.io.frag);
	if (c.count != expect) {
		fprintf(stderr, "bench_catchup: %" PRId64 " change messages before "
		    "\"live\", expected %" PRId64 "\n", c.count, expect);
		return 1;
	}
	return 0;
}
