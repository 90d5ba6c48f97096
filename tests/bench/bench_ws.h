/*
 * bench_ws.h: what the stream benchmarks' clients (bench_catchup,
 * bench_fanout) share: whole-number arguments, a TCP connection to
 * 127.0.0.1 with its read buffer, the WebSocket upgrade to vigild's stream
 * and the text messages of the frames that follow.
 *
 * Include it after compat.h with BENCH_NAME defined as the program's name;
 * bench_fail prints "BENCH_NAME: message" and exits 1.
 */
#ifndef VIGIL_BENCH_WS_H
#define VIGIL_BENCH_WS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtime.h"

/* A connection and the bytes read from it, not yet parsed. */
struct bench_conn {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	size_t chunk;             /* read this much at a time */
	unsigned char *frag;      /* a fragmented WebSocket message being joined */
	size_t flen;
};

/* Print an error and exit 1. */
static void NORETURN PRINTFLIKE(1, 2)
bench_fail(const char *fmt, ...)
{
	va_list ap;

	fputs(BENCH_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Parse a whole-number argument of at least min; exits 64 when it is not. */
static int64_t
bench_arg(const char *name, const char *s, int64_t min)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min) {
		fprintf(stderr, BENCH_NAME ": %s: expected a whole number from %"
		    PRId64 ", not \"%s\"\n", name, min, s);
		exit(64);
	}
	return v;
}

/* The first occurrence of needle (m bytes) in hay (n bytes), or NULL. */
static void *
bench_find(const void *hay, size_t n, const char *needle, size_t m)
{
	const unsigned char *h = hay, *end = h + n, *p;

	while (m > 0 && (size_t)(end - h) >= m &&
	    (p = memchr(h, needle[0], (size_t)(end - h) - m + 1)) != NULL) {
		if (memcmp(p, needle, m) == 0)
			return (void *)(uintptr_t)p;
		h = p + 1;
	}
	return NULL;
}

/* Connect a TCP socket to host:port (IPv4) with Nagle off; exits on failure. */
static int
bench_connect(const char *host, const char *port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)bench_arg("PORT", port, 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		bench_fail("%s is not an IPv4 address", host);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		bench_fail("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		bench_fail("connect to %s:%s: %s", host, port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Write all of buf to fd; exits on failure. */
static void
bench_put(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_fail("write: %s", n < 0 ? strerror(errno) : "closed");
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Read what arrives on c within ms (without waiting when ms < 0) into its
 * buffer: 1 when something came, 0 when nothing did, -1 on EOF or error.
 */
static int
bench_fill(struct bench_conn *c, int ms)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t n;

	if (ms >= 0 && poll(&p, 1, ms) <= 0)
		return 0;
	if (c->cap - c->len < c->chunk) {
		c->cap = c->len + 2 * c->chunk;
		c->buf = xrealloc(c->buf, c->cap);
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 1;
}

/* Drop the first n bytes of c's buffer. */
static void
bench_consume(struct bench_conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/*
 * Connect c to host:port, upgrade GET path (the stream, with its query) to
 * a WebSocket with token, and drop the reply's headers; exits when there is
 * no upgrade by deadline_ms (vtime_mono_ms).
 */
static void
bench_ws_open(struct bench_conn *c, const char *host, const char *port,
    const char *path, const char *token, int64_t deadline_ms)
{
	unsigned char *end;
	char *req;

	c->fd = bench_connect(host, port);
	req = xasprintf("GET %s HTTP/1.1\r\nHost: %s:%s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: vigil.v1\r\n"
	    "Authorization: Bearer %s\r\n\r\n", path, host, port, token);
	bench_put(c->fd, req, strlen(req));
	free(req);
	while ((end = bench_find(c->buf, c->len, "\r\n\r\n", 4)) == NULL) {
		if (bench_fill(c, 100) < 0 || vtime_mono_ms() > deadline_ms)
			bench_fail("no WebSocket handshake from %s:%s", host, port);
	}
	if (c->len < 12 || memcmp(c->buf, "HTTP/1.1 101", 12) != 0)
		bench_fail("the upgrade was refused: %.*s", (int)(end - c->buf),
		    c->buf);
	bench_consume(c, (size_t)(end - c->buf) + 4);
}

/*
 * Take the whole WebSocket frames in c's buffer, joining fragments, and
 * hand each text message to msg (exits on a frame over max bytes); stops
 * after a message for which msg returns true.  -1 when the server sent a
 * close frame, else 0.
 */
static int
bench_ws_parse(struct bench_conn *c, size_t max,
    bool (*msg)(void *arg, const unsigned char *p, size_t n), void *arg)
{
	size_t off = 0;
	int rc = 0;

	for (;;) {
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
		if (len > max)
			bench_fail("a frame of %zu bytes", len);
		if (avail < hl + len)
			break;
		off += hl + len;
		if (op == 8) {
			rc = -1;
			break;
		}
		if (op != 0 && op != 1)
			continue;       /* ping, pong, binary: not ours */
		if (fin && op == 1) {
			if (msg(arg, b + hl, len))
				break;
			continue;
		}
		c->frag = xrealloc(c->frag, c->flen + len);
		memcpy(c->frag + c->flen, b + hl, len);
		c->flen += len;
		if (fin) {
			size_t n = c->flen;

			c->flen = 0;
			if (msg(arg, c->frag, n))
				break;
		}
	}
	bench_consume(c, off);
	return rc;
}

#endif
