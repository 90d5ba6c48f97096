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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtime.h"

#define CATCHUP_READ        (1024 * 1024)
#define CATCHUP_MSG_MAX     (1024 * 1024)
#define CATCHUP_TIMEOUT_MS  120000

/* The connection and what came over it. */
struct catchup {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	unsigned char *frag;      /* a fragmented message being joined */
	size_t flen;
	int64_t since, last_seq, count, bytes;
	int64_t start_ms, first_ms;
	bool live;
};

/* Print an error and exit 1. */
static void NORETURN PRINTFLIKE(1, 2)
catchup_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_catchup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Parse a whole-number argument (0 allowed). */
static int64_t
catchup_arg(const char *name, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0) {
		fprintf(stderr, "bench_catchup: %s: expected a number, not \"%s\"\n",
		    name, s);
		exit(64);
	}
	return v;
}

/* The first occurrence of needle (m bytes) in hay (n bytes), or NULL. */
static const unsigned char *
catchup_find(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
	const unsigned char *end = hay + n, *p;

	while (m > 0 && (size_t)(end - hay) >= m &&
	    (p = memchr(hay, needle[0], (size_t)(end - hay) - m + 1)) != NULL) {
		if (memcmp(p, needle, m) == 0)
			return p;
		hay = p + 1;
	}
	return NULL;
}

/* Read what arrives within ms into the buffer; -1 on EOF or error. */
static int
catchup_fill(struct catchup *c, int ms)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if (c->cap - c->len < CATCHUP_READ) {
		c->cap = c->len + 2 * CATCHUP_READ;
		c->buf = xrealloc(c->buf, c->cap);
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 1;
}

/* Write all of buf. */
static void
catchup_put(struct catchup *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(c->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			catchup_fail("write: %s", n < 0 ? strerror(errno) : "closed");
		p += n;
		len -= (size_t)n;
	}
}

/* Connect, upgrade to the stream from since, and drop the reply headers. */
static void
catchup_open(struct catchup *c, const char *host, const char *port,
    const char *token)
{
	struct sockaddr_in sa;
	const unsigned char *end;
	char *req;
	int one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)catchup_arg("PORT", port));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		catchup_fail("%s is not an IPv4 address", host);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		catchup_fail("connect to %s:%s: %s", host, port, strerror(errno));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	req = xasprintf("GET /api/v1/stream?since=%" PRId64 " HTTP/1.1\r\n"
	    "Host: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: vigil.v1\r\n"
	    "Authorization: Bearer %s\r\n\r\n", c->since, host, port, token);
	catchup_put(c, req, strlen(req));
	free(req);
	while ((end = catchup_find(c->buf, c->len, "\r\n\r\n", 4)) == NULL) {
		if (catchup_fill(c, 1000) < 0 ||
		    vtime_mono_ms() - c->start_ms > CATCHUP_TIMEOUT_MS)
			catchup_fail("no WebSocket handshake from %s:%s", host, port);
	}
	if (c->len < 12 || memcmp(c->buf, "HTTP/1.1 101", 12) != 0)
		catchup_fail("the upgrade was refused: %.*s", (int)(end - c->buf), c->buf);
	c->len -= (size_t)(end + 4 - c->buf);
	memmove(c->buf, end + 4, c->len);
}

/* Take one message: count a change in order, or note "live". */
static void
catchup_message(struct catchup *c, const unsigned char *p, size_t n)
{
	int64_t seq;

	if (n > 7 && memcmp(p, "{\"seq\":", 7) == 0) {
		seq = strtoll((const char *)p + 7, NULL, 10);
		if (seq != c->last_seq + 1)
			catchup_fail("seq %" PRId64 " after %" PRId64 ": a gap or a repeat",
			    seq, c->last_seq);
		if (c->count++ == 0)
			c->first_ms = vtime_mono_ms();
		c->last_seq = seq;
		c->bytes += (int64_t)n;
		return;
	}
	if (catchup_find(p, n, "\"type\":\"live\"", 13) != NULL)
		c->live = true;
	else if (catchup_find(p, n, "\"type\":\"resync\"", 15) != NULL ||
	    catchup_find(p, n, "\"type\":\"error\"", 14) != NULL)
		catchup_fail("the server said: %.*s", (int)n, (const char *)p);
}

/* Take every whole frame in the buffer (stops after "live"). */
static void
catchup_parse(struct catchup *c)
{
	size_t off = 0;

	while (!c->live) {
		unsigned char *b = c->buf + off;
		size_t avail = c->len - off, hl = 2, len;
		int op, fin;

		if (avail < 2)
			break;
		fin = b[0] & 0x80;
		op = b[0] & 0x0f;
		len = b[1] & 0x7f;
		if (len == 126) {
			if (avail < 4)
				break;
			len = ((size_t)b[2] << 8) | b[3];
			hl = 4;
		} else if (len == 127) {
			if (avail < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | b[2 + i];
			hl = 10;
		}
		if (len > CATCHUP_MSG_MAX)
			catchup_fail("a frame of %zu bytes", len);
		if (avail < hl + len)
			break;
		off += hl + len;
		if (op == 8)
			catchup_fail("the server closed the stream after %" PRId64
			    " messages", c->count);
		if (op != 0 && op != 1)
			continue;
		if (fin && op == 1) {
			catchup_message(c, b + hl, len);
			continue;
		}
		c->frag = xrealloc(c->frag, c->flen + len);
		memcpy(c->frag + c->flen, b + hl, len);
		c->flen += len;
		if (fin) {
			catchup_message(c, c->frag, c->flen);
			c->flen = 0;
		}
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

/* Catch up from SINCE and print how long it took. */
int
main(int argc, char **argv)
{
	struct catchup c;
	int64_t expect, end_ms;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_catchup HOST PORT TOKEN SINCE EXPECT\n");
		return 64;
	}
	memset(&c, 0, sizeof c);
	c.since = c.last_seq = catchup_arg("SINCE", argv[4]);
	expect = catchup_arg("EXPECT", argv[5]);
	c.start_ms = vtime_mono_ms();
	catchup_open(&c, argv[1], argv[2], argv[3]);
	while (!c.live) {
		catchup_parse(&c);
		if (c.live)
			break;
		if (catchup_fill(&c, 1000) < 0)
			catchup_fail("the connection closed after %" PRId64 " messages",
			    c.count);
		if (vtime_mono_ms() - c.start_ms > CATCHUP_TIMEOUT_MS)
			catchup_fail("no \"live\" after %d s (%" PRId64 " messages)",
			    CATCHUP_TIMEOUT_MS / 1000, c.count);
	}
	end_ms = vtime_mono_ms();
	printf("%" PRId64 " %" PRId64 " %.1f %" PRId64 "\n", end_ms - c.start_ms,
	    c.count, (double)c.bytes / 1e6,
	    c.count > 0 ? c.first_ms - c.start_ms : 0);
	close(c.fd);
	free(c.buf);
	free(c.frag);
	if (c.count != expect) {
		fprintf(stderr, "bench_catchup: %" PRId64 " change messages before "
		    "\"live\", expected %" PRId64 "\n", c.count, expect);
		return 1;
	}
	return 0;
}
