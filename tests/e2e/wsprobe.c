/*
 * wsprobe: a deliberately plain WebSocket client for the stream tests.  It
 * speaks the protocol by hand so that it can also misbehave: send frames
 * over the limit, in many fragments, with invalid UTF-8, or stop reading.
 *
 *   wsprobe [options] HOST PORT PATH TOKEN
 *     --big N          send one text frame of N bytes after the hello
 *     --fragments N S  send one message as N fragments of S bytes
 *     --bad-utf8       send a text frame that is not UTF-8
 *     --pause-file F   after the hello, stop reading until file F exists
 *     --count N        exit after N change messages (default: until close)
 *     --seconds S      give up after S seconds (default 30)
 *
 * Prints each message it receives on its own line, then "close CODE REASON"
 * when the server closes, or "eof" / "timeout".
 */
#define _GNU_SOURCE 1
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WSPROBE_MAX_MSG (64 * 1024 * 1024)

static int fd = -1;
static unsigned char *rbuf;
static size_t rlen, rcap;

/* Read more bytes into rbuf, waiting up to ms; 0 on data, -1 on EOF or error, 1 on timeout. */
static int
fill(int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 1;
	if (rcap - rlen < 65536) {
		rcap = rcap ? rcap * 2 : 1 << 20;
		rbuf = realloc(rbuf, rcap);
	}
	n = read(fd, rbuf + rlen, rcap - rlen);
	if (n <= 0)
		return -1;
	rlen += (size_t)n;
	return 0;
}

/* Write all of buf. */
static int
put(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send one masked frame with opcode op (fin bit as given). */
static int
frame(int fin, int op, const unsigned char *data, size_t len)
{
	unsigned char h[14], mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	size_t hl = 2;
	unsigned char *m = malloc(len ? len : 1);

	h[0] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (len < 126) {
		h[1] = (unsigned char)(0x80 | len);
	} else if (len < 65536) {
		h[1] = 0x80 | 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	memcpy(h + hl, mask, 4);
	hl += 4;
	for (size_t i = 0; i < len; i++)
		m[i] = data[i] ^ mask[i % 4];
	int rc = put(h, hl) || put(m, len);
	free(m);
	return rc ? -1 : 0;
}

/* Parse one whole frame from rbuf; 1 when one was taken, 0 when more is needed. */
static int
take(int *op, unsigned char **payload, size_t *plen)
{
	size_t hl = 2, len;

	if (rlen < 2)
		return 0;
	*op = rbuf[0] & 0x0f;
	len = rbuf[1] & 0x7f;
	if (len == 126) {
		if (rlen < 4)
			return 0;
		len = ((size_t)rbuf[2] << 8) | rbuf[3];
		hl = 4;
	} else if (len == 127) {
		if (rlen < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | rbuf[2 + i];
		hl = 10;
	}
	if (len > WSPROBE_MAX_MSG)
		exit(3);
	if (rlen < hl + len)
		return 0;
	*payload = malloc(len + 1);
	memcpy(*payload, rbuf + hl, len);
	(*payload)[len] = '\0';
	*plen = len;
	memmove(rbuf, rbuf + hl + len, rlen - hl - len);
	rlen -= hl + len;
	return 1;
}

int
main(int argc, char **argv)
{
	long big = 0, nfrag = 0, fragsz = 0, count = -1, seconds = 30, changes = 0;
	const char *pause_file = NULL;
	int bad_utf8 = 0, i, hello_seen = 0, sent = 0;
	struct sockaddr_in sa;
	char req[2048], *end;
	time_t deadline;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--big") == 0 && i + 1 < argc)
			big = atol(argv[++i]);
		else if (strcmp(argv[i], "--fragments") == 0 && i + 2 < argc) {
			nfrag = atol(argv[++i]);
			fragsz = atol(argv[++i]);
		} else if (strcmp(argv[i], "--bad-utf8") == 0)
			bad_utf8 = 1;
		else if (strcmp(argv[i], "--pause-file") == 0 && i + 1 < argc)
			pause_file = argv[++i];
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = atol(argv[++i]);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atol(argv[++i]);
		else {
			fprintf(stderr, "wsprobe: unknown option %s\n", argv[i]);
			return 64;
		}
	}
	if (argc - i != 4) {
		fprintf(stderr, "usage: wsprobe [options] HOST PORT PATH TOKEN\n");
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[i + 1]));
	inet_pton(AF_INET, argv[i], &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("wsprobe: connect");
		return 69;
	}
	snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: vigil.v1\r\n"
	    "Authorization: Bearer %s\r\n\r\n", argv[i + 2], argv[i], argv[i + 1], argv[i + 3]);
	put(req, strlen(req));
	deadline = time(NULL) + seconds;
	while ((end = memmem(rbuf ? (char *)rbuf : "", rlen, "\r\n\r\n", 4)) == NULL) {
		if (fill(1000) < 0 || time(NULL) > deadline) {
			printf("handshake failed\n");
			return 1;
		}
	}
	if (rlen < 12 || memcmp(rbuf, "HTTP/1.1 101", 12) != 0) {
		printf("handshake refused: %.*s\n", (int)(strchr((char *)rbuf, '\r') - (char *)rbuf),
		    rbuf);
		return 1;
	}
	{
		size_t hl = (size_t)(end - (char *)rbuf) + 4;
		memmove(rbuf, rbuf + hl, rlen - hl);
		rlen -= hl;
	}
	for (;;) {
		unsigned char *payload;
		size_t plen;
		int op, rc;

		while (take(&op, &payload, &plen)) {
			if (op == 8) {
				int code = plen >= 2 ? (payload[0] << 8) | payload[1] : 0;
				printf("close %d %.*s\n", code, plen > 2 ? (int)plen - 2 : 0,
				    plen > 2 ? (char *)payload + 2 : "");
				return 0;
			}
			if (op == 1) {
				printf("%s\n", payload);
				if (strstr((char *)payload, "\"seq\":") == (char *)payload + 1)
					changes++;
				if (!hello_seen && strstr((char *)payload, "\"hello\""))
					hello_seen = 1;
			}
			free(payload);
			if (count >= 0 && changes >= count)
				return 0;
		}
		if (hello_seen && !sent) {
			sent = 1;
			if (big > 0) {
				unsigned char *b = malloc((size_t)big);
				memset(b, 'x', (size_t)big);
				frame(1, 1, b, (size_t)big);
				free(b);
			}
			if (nfrag > 0) {
				unsigned char *b = malloc((size_t)fragsz);
				memset(b, 'y', (size_t)fragsz);
				for (long f = 0; f < nfrag; f++)
					if (frame(f == nfrag - 1, f == 0 ? 1 : 0, b, (size_t)fragsz))
						break;
				free(b);
			}
			if (bad_utf8) {
				static const unsigned char bad[] = { '{', 0xc3, 0x28, 0xff, '}' };
				frame(1, 1, bad, sizeof bad);
			}
			if (pause_file != NULL) {
				while (access(pause_file, F_OK) != 0 && time(NULL) < deadline)
					usleep(50000);
			}
		}
		rc = fill(200);
		if (rc < 0) {
			printf("eof\n");
			return 0;
		}
		if (time(NULL) > deadline) {
			printf("timeout\n");
			return 2;
		}
	}
}
