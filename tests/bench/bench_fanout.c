/*
 * bench_fanout: the fan-out benchmark's clients, for vigild's stream and for
 * the mosquitto reference, measured the same way.
 *
 *   bench_fanout ws HOST PORT TOKEN CLIENTS EXPECT WINDOW_MS READY_FILE
 *   bench_fanout mqtt-sub HOST PORT CLIENTS EXPECT WINDOW_MS READY_FILE
 *   bench_fanout mqtt-pub HOST PORT COUNT RATE SIZE
 *   bench_fanout port
 *
 * "ws" opens CLIENTS connections to GET /api/v1/stream (live, no since),
 * "mqtt-sub" CLIENTS MQTT 3.1.1 QoS 0 subscribers of BENCH_FANOUT_TOPIC;
 * each creates READY_FILE once every connection is live, then reads until
 * every connection has EXPECT deliveries or the run is over.  A delivery is
 * a change message ({"seq":N,...}) that carries an event's sensor time in
 * "last_event" (an alarm's, or the padded MQTT payload's); its latency is
 * the receive time on the same clock minus that time.  Other change
 * messages (point.state) only take part in the seq check.  The feed's sensor
 * times span WINDOW_MS from the earliest one seen (T0); deliveries that
 * arrive by T0 + WINDOW_MS + FANOUT_GRACE_MS count towards deliveries per
 * second, which is then (those deliveries) / WINDOW_MS: at an offered load
 * a server that keeps up delivers everything in time.  One line on stdout:
 *
 *   PER_SECOND IN_TIME DELIVERED EXPECTED P50_MS P99_MS MAX_MS AVG_BYTES GAPS
 *   SERVER_P50_MS SERVER_P99_MS
 *
 * GAPS counts change messages whose seq was not the previous one + 1, and
 * resync messages.  SERVER_* are the latencies from the alarm's "updated"
 * (when vigild handled the event) to the client, 0 without it (MQTT).  "mqtt-pub" publishes COUNT QoS 0 messages of SIZE bytes
 * at RATE per second, each stamped with its due time as vigil-sim stamps
 * events with --rate.  "port" prints a free loopback TCP port.
 */
#include "compat.h"

#include <math.h>
#include <time.h>

#define BENCH_NAME "bench_fanout"
#include "bench_ws.h"

#define FANOUT_TOPIC        "vigil/bench"
#define FANOUT_GRACE_MS     1000     /* deliveries this late still count */
#define FANOUT_LATE_MS      5000     /* then wait this long for stragglers */
#define FANOUT_START_MS     30000    /* the feed must start by then */
#define FANOUT_SETUP_MS     10000    /* connecting and subscribing */
#define FANOUT_READ         (256 * 1024)
#define FANOUT_MSG_MAX      (1024 * 1024)
#define FANOUT_MAX_CLIENTS  1000

enum fanout_kind {
	FANOUT_WS,
	FANOUT_MQTT,
};

/* One subscriber connection. */
struct fanout_conn {
	struct bench_conn io;
	bool live;                /* hello and live seen (ws), subscribed (mqtt) */
	bool closed;
	int64_t last_seq;
	int64_t count;
};

/* Latencies in microseconds. */
struct fanout_lat {
	int32_t *v;
	int64_t n, cap;
};

/* The whole run. */
struct fanout {
	enum fanout_kind kind;
	struct fanout_conn *conns;
	int nconns;
	int64_t expect;           /* change messages per connection */
	int64_t window_ms;
	int64_t t0_ms;            /* earliest sensor time seen, 0 before any */
	struct fanout_lat lat;    /* receive time - sensor time, per delivery */
	struct fanout_lat srv;    /* receive time - the alarm's "updated" */
	int64_t in_time, bytes, gaps;
	char cache_prefix[20];    /* "YYYY-MM-DDTHH:MM:SS" parsed last */
	int64_t cache_s;
};

/* Wall-clock time in microseconds. */
static int64_t
fanout_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Print a usage error and exit 64. */
static void NORETURN
fanout_usage(void)
{
	fprintf(stderr, "usage: bench_fanout ws HOST PORT TOKEN CLIENTS EXPECT WINDOW_MS READY_FILE\n"
	    "       bench_fanout mqtt-sub HOST PORT CLIENTS EXPECT WINDOW_MS READY_FILE\n"
	    "       bench_fanout mqtt-pub HOST PORT COUNT RATE SIZE\n"
	    "       bench_fanout port\n");
	exit(64);
}

/* Sensor time in ms of "YYYY-MM-DDTHH:MM:SS.mmmZ" at p, or -1. */
static int64_t
fanout_sensor_ms(struct fanout *f, const char *p)
{
	char iso[VTIME_ISO_LEN];
	int64_t ms;

	if (p[19] != '.' || p[23] != 'Z')
		return -1;
	if (memcmp(p, f->cache_prefix, 19) != 0) {
		memcpy(iso, p, 19);
		memcpy(iso + 19, "Z", 2);
		if (vtime_parse(iso, &ms) != 0)
			return -1;
		memcpy(f->cache_prefix, p, 19);
		f->cache_s = ms / 1000;
	}
	return f->cache_s * 1000 + (p[20] - '0') * 100 + (p[21] - '0') * 10 +
	    (p[22] - '0');
}

/* Record a latency of us microseconds. */
static void
fanout_lat_add(struct fanout_lat *l, int64_t us)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1 << 20;
		l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (int32_t)(us > INT32_MAX ? INT32_MAX : us);
}

/* Account one message received on c at now_us. */
static void
fanout_deliver(struct fanout *f, struct fanout_conn *c, const char *p, size_t n,
    int64_t now_us)
{
	static const char lev[] = "\"last_event\":\"", upd[] = "\"updated\":\"";
	const char *t;
	int64_t seq, sensor, stamp;

	if (n < 8 || memcmp(p, "{\"seq\":", 7) != 0) {
		if (bench_find(p, n, "\"type\":\"live\"", 13) != NULL)
			c->live = true;
		else if (bench_find(p, n, "\"type\":\"resync\"", 15) != NULL) {
			fprintf(stderr, "bench_fanout: resync: %.*s\n", (int)n, p);
			f->gaps++;
		} else if (bench_find(p, n, "\"type\":\"error\"", 14) != NULL)
			bench_fail("the server refused: %.*s", (int)n, p);
		return;
	}
	seq = strtoll(p + 7, NULL, 10);
	if (c->last_seq != 0 && seq != c->last_seq + 1)
		f->gaps++;
	c->last_seq = seq;
	if ((t = bench_find(p, n, lev, sizeof lev - 1)) == NULL)
		return;         /* not about an event's alarm (point.state) */
	if ((size_t)(t - p) + sizeof lev - 1 + 24 > n ||
	    (sensor = fanout_sensor_ms(f, t + sizeof lev - 1)) < 0)
		bench_fail("a malformed last_event: %.*s",
		    (int)(n < 300 ? n : 300), p);
	c->count++;
	f->bytes += (int64_t)n;
	if (f->t0_ms == 0 || sensor < f->t0_ms)
		f->t0_ms = sensor;
	if (now_us <= (f->t0_ms + f->window_ms + FANOUT_GRACE_MS) * 1000)
		f->in_time++;
	fanout_lat_add(&f->lat, now_us - sensor * 1000);
	if ((t = bench_find(p, n, upd, sizeof upd - 1)) != NULL &&
	    (size_t)(t - p) + sizeof upd - 1 + 24 <= n &&
	    (stamp = fanout_sensor_ms(f, t + sizeof upd - 1)) >= 0)
		fanout_lat_add(&f->srv, now_us - stamp * 1000);
}

/* A message received on one connection at one time, for fanout_ws_message. */
struct fanout_rx {
	struct fanout *f;
	struct fanout_conn *c;
	int64_t now_us;
};

/* Account one WebSocket text message (never stops the parse). */
static bool
fanout_ws_message(void *arg, const unsigned char *p, size_t n)
{
	struct fanout_rx *rx = arg;

	fanout_deliver(rx->f, rx->c, (const char *)p, n, rx->now_us);
	return false;
}

/* Parse the whole WebSocket frames in c's buffer; -1 when the server closed. */
static int
fanout_ws_parse(struct fanout *f, struct fanout_conn *c, int64_t now_us)
{
	struct fanout_rx rx = { f, c, now_us };

	return bench_ws_parse(&c->io, FANOUT_MSG_MAX, fanout_ws_message, &rx);
}

/* Decode an MQTT remaining length at b (avail bytes); its size in *used, or -1. */
static int64_t
fanout_mqtt_len(const unsigned char *b, size_t avail, size_t *used)
{
	int64_t v = 0;

	for (size_t i = 0; i < 4; i++) {
		if (i >= avail)
			return -1;
		v |= (int64_t)(b[i] & 0x7f) << (7 * i);
		if ((b[i] & 0x80) == 0) {
			*used = i + 1;
			return v;
		}
	}
	bench_fail("a malformed MQTT length");
}

/* Parse the whole MQTT packets in c's buffer; -1 when the broker closed. */
static int
fanout_mqtt_parse(struct fanout *f, struct fanout_conn *c, int64_t now_us)
{
	size_t off = 0, used;
	int64_t len;

	for (;;) {
		unsigned char *b = c->io.buf + off, head;
		size_t avail = c->io.len - off, tl;

		if (avail < 2 || (len = fanout_mqtt_len(b + 1, avail - 1, &used)) < 0)
			break;
		head = b[0];
		if (avail < 1 + used + (size_t)len)
			break;
		off += 1 + used + (size_t)len;
		if ((head >> 4) == 9)
			c->live = true;          /* SUBACK */
		if ((head >> 4) != 3 || len < 2)
			continue;
		b += 1 + used;
		tl = ((size_t)b[0] << 8 | b[1]) + 2;
		if ((head & 0x06) != 0)
			tl += 2;                 /* a packet id (QoS > 0) */
		if (tl <= (size_t)len)
			fanout_deliver(f, c, (char *)b + tl, (size_t)len - tl, now_us);
	}
	bench_consume(&c->io, off);
	return 0;
}

/* Append an MQTT UTF-8 string (length-prefixed) to p; returns the end. */
static unsigned char *
fanout_mqtt_str(unsigned char *p, const char *s)
{
	size_t n = strlen(s);

	*p++ = (unsigned char)(n >> 8);
	*p++ = (unsigned char)n;
	memcpy(p, s, n);
	return p + n;
}

/* Encode an MQTT remaining length at p; returns the end. */
static unsigned char *
fanout_mqtt_putlen(unsigned char *p, size_t len)
{
	do {
		unsigned char b = len & 0x7f;

		len >>= 7;
		*p++ = len > 0 ? (b | 0x80) : b;
	} while (len > 0);
	return p;
}

/* Connect to the broker as client id and wait for CONNACK. */
static int
fanout_mqtt_open(const char *host, const char *port, const char *id)
{
	unsigned char pkt[128], var[96], *v = var, *p = pkt;
	struct bench_conn c;
	int64_t deadline = vtime_mono_ms() + FANOUT_SETUP_MS;

	v = fanout_mqtt_str(v, "MQTT");
	*v++ = 4;            /* protocol level 3.1.1 */
	*v++ = 0x02;         /* clean session */
	*v++ = 0;
	*v++ = 0;            /* no keep-alive */
	v = fanout_mqtt_str(v, id);
	*p++ = 0x10;
	p = fanout_mqtt_putlen(p, (size_t)(v - var));
	memcpy(p, var, (size_t)(v - var));
	p += v - var;
	memset(&c, 0, sizeof c);
	c.chunk = FANOUT_READ;
	c.fd = bench_connect(host, port);
	bench_put(c.fd, pkt, (size_t)(p - pkt));
	while (c.len < 4) {
		if (bench_fill(&c, 100) < 0 || vtime_mono_ms() > deadline)
			bench_fail("no CONNACK from %s:%s", host, port);
	}
	if (c.buf[0] != 0x20 || c.buf[3] != 0)
		bench_fail("the broker refused the connection (%d)", c.buf[3]);
	free(c.buf);
	return c.fd;
}

/* Subscribe c to FANOUT_TOPIC at QoS 0 (the SUBACK is read by the loop). */
static void
fanout_mqtt_subscribe(struct fanout_conn *c)
{
	unsigned char pkt[64], *p = pkt;
	size_t n = 2 + 2 + strlen(FANOUT_TOPIC) + 1;

	*p++ = 0x82;
	p = fanout_mqtt_putlen(p, n);
	*p++ = 0;
	*p++ = 1;            /* packet id */
	p = fanout_mqtt_str(p, FANOUT_TOPIC);
	*p++ = 0;            /* QoS 0 */
	bench_put(c->io.fd, pkt, (size_t)(p - pkt));
}

/* Comparison of two latencies for qsort. */
static int
fanout_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of the latencies (sorted), in ms. */
static double
fanout_quantile(const struct fanout_lat *l, double q)
{
	int64_t i;

	if (l->n == 0)
		return 0;
	i = (int64_t)ceil(q * (double)l->n) - 1;
	if (i < 0)
		i = 0;
	return l->v[i] / 1000.0;
}

/* True when every connection has what it expects or is gone. */
static bool
fanout_done(const struct fanout *f)
{
	for (int i = 0; i < f->nconns; i++)
		if (!f->conns[i].closed && f->conns[i].count < f->expect)
			return false;
	return true;
}

/* Read every connection until done or out of time; write ready when all are live. */
static void
fanout_loop(struct fanout *f, const char *ready)
{
	struct pollfd *p = xcalloc((size_t)f->nconns, sizeof *p);
	int64_t start = vtime_now_ms(), now_us, end_ms;
	bool said_ready = false;

	for (;;) {
		int live = 0;

		for (int i = 0; i < f->nconns; i++) {
			p[i].fd = f->conns[i].closed ? -1 : f->conns[i].io.fd;
			p[i].events = POLLIN;
			live += f->conns[i].live;
		}
		if (!said_ready && live == f->nconns) {
			FILE *fp = fopen(ready, "w");

			if (fp == NULL || fclose(fp) != 0)
				bench_fail("%s: %s", ready, strerror(errno));
			said_ready = true;
			start = vtime_now_ms();
		}
		if (said_ready && fanout_done(f))
			break;
		end_ms = f->t0_ms != 0 ? f->t0_ms + f->window_ms + FANOUT_GRACE_MS +
		    FANOUT_LATE_MS : start + (said_ready ? FANOUT_START_MS : FANOUT_SETUP_MS);
		if (vtime_now_ms() > end_ms) {
			if (!said_ready)
				bench_fail("only %d of %d connections became live",
				    live, f->nconns);
			break;
		}
		if (poll(p, (nfds_t)f->nconns, 100) <= 0)
			continue;
		for (int i = 0; i < f->nconns; i++) {
			struct fanout_conn *c = &f->conns[i];
			int rc;

			if (p[i].revents == 0)
				continue;
			rc = bench_fill(&c->io, -1);
			now_us = fanout_now_us();
			if (rc > 0 && (f->kind == FANOUT_WS ? fanout_ws_parse(f, c, now_us) :
			    fanout_mqtt_parse(f, c, now_us)) < 0)
				rc = -1;
			if (rc < 0) {
				fprintf(stderr, "bench_fanout: connection %d closed after %"
				    PRId64 " messages\n", i, c->count);
				c->closed = true;
			}
		}
	}
	free(p);
}

/* Print the one-line summary of a subscriber run. */
static void
fanout_report(struct fanout *f)
{
	if (f->lat.n > 0)
		qsort(f->lat.v, (size_t)f->lat.n, sizeof *f->lat.v, fanout_cmp);
	if (f->srv.n > 0)
		qsort(f->srv.v, (size_t)f->srv.n, sizeof *f->srv.v, fanout_cmp);
	printf("%.0f %" PRId64 " %" PRId64 " %" PRId64 " %.1f %.1f %.1f %.0f %" PRId64
	    " %.1f %.1f\n",
	    (double)f->in_time * 1000.0 / (double)f->window_ms, f->in_time, f->lat.n,
	    f->expect * f->nconns, fanout_quantile(&f->lat, 0.50),
	    fanout_quantile(&f->lat, 0.99), fanout_quantile(&f->lat, 1.0),
	    f->lat.n ? (double)f->bytes / (double)f->lat.n : 0.0, f->gaps,
	    fanout_quantile(&f->srv, 0.50), fanout_quantile(&f->srv, 0.99));
}

/* Publish count messages of size bytes at rate per second. */
static int
fanout_publish(const char *host, const char *port, int64_t count, int64_t rate,
    int64_t size)
{
	static const char fmt[] = "{\"seq\":%" PRId64 ",\"type\":\"alarm.updated\","
	    "\"ts\":\"%s\",\"site\":\"bench\",\"data\":{\"last_event\":\"%s\",\"pad\":\"";
	int fd = fanout_mqtt_open(host, port, "bench-pub");
	int64_t start_wall = vtime_now_ms(), start = vtime_mono_ms(), sent = 0;
	size_t tlen = strlen(FANOUT_TOPIC), cap = 0, used;
	unsigned char *out = NULL;
	char ts[VTIME_ISO_LEN], *payload = xmalloc((size_t)size + 256);
	struct timespec nap = { 0, 500 * 1000 };

	while (sent < count) {
		int64_t elapsed = vtime_mono_ms() - start;
		int64_t due = (int64_t)floor((double)elapsed * (double)rate / 1000.0) - sent;

		if (due > count - sent)
			due = count - sent;
		if (due <= 0) {
			nanosleep(&nap, NULL);
			continue;
		}
		used = 0;
		for (int64_t i = 0; i < due; i++) {
			int64_t n = sent + 1 + i;
			int len;

			vtime_format(start_wall + (int64_t)((double)n * 1000.0 / (double)rate),
			    ts, sizeof ts);
			len = snprintf(payload, (size_t)size + 256, fmt, n, ts, ts);
			while (len < size - 3)
				payload[len++] = 'x';
			memcpy(payload + len, "\"}}", 3);
			len += 3;
			if (cap - used < (size_t)len + tlen + 16) {
				cap = (cap + (size_t)len + tlen + 16) * 2;
				out = xrealloc(out, cap);
			}
			out[used++] = 0x30;
			used = (size_t)(fanout_mqtt_putlen(out + used, 2 + tlen +
			    (size_t)len) - out);
			used = (size_t)(fanout_mqtt_str(out + used, FANOUT_TOPIC) - out);
			memcpy(out + used, payload, (size_t)len);
			used += (size_t)len;
		}
		bench_put(fd, out, used);
		sent += due;
	}
	bench_put(fd, "\xe0\x00", 2);      /* DISCONNECT */
	close(fd);
	free(out);
	free(payload);
	return 0;
}

/* Print a free loopback TCP port. */
static int
fanout_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		bench_fail("no free port: %s", strerror(errno));
	printf("%d\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

/* Run one mode: ws, mqtt-sub, mqtt-pub or port. */
int
main(int argc, char **argv)
{
	struct fanout f;
	const char *ready;
	char id[32];

	if (argc == 2 && strcmp(argv[1], "port") == 0)
		return fanout_port();
	if (argc == 7 && strcmp(argv[1], "mqtt-pub") == 0)
		return fanout_publish(argv[2], argv[3], bench_arg("COUNT", argv[4], 1),
		    bench_arg("RATE", argv[5], 1), bench_arg("SIZE", argv[6], 1));
	memset(&f, 0, sizeof f);
	if (argc == 9 && strcmp(argv[1], "ws") == 0) {
		f.kind = FANOUT_WS;
		f.nconns = (int)bench_arg("CLIENTS", argv[5], 1);
		f.expect = bench_arg("EXPECT", argv[6], 1);
		f.window_ms = bench_arg("WINDOW_MS", argv[7], 1);
		ready = argv[8];
	} else if (argc == 8 && strcmp(argv[1], "mqtt-sub") == 0) {
		f.kind = FANOUT_MQTT;
		f.nconns = (int)bench_arg("CLIENTS", argv[4], 1);
		f.expect = bench_arg("EXPECT", argv[5], 1);
		f.window_ms = bench_arg("WINDOW_MS", argv[6], 1);
		ready = argv[7];
	} else
		fanout_usage();
	if (f.nconns > FANOUT_MAX_CLIENTS)
		fanout_usage();
	f.conns = xcalloc((size_t)f.nconns, sizeof *f.conns);
	for (int i = 0; i < f.nconns; i++) {
		f.conns[i].io.chunk = FANOUT_READ;
		if (f.kind == FANOUT_WS)
			bench_ws_open(&f.conns[i].io, argv[2], argv[3],
			    "/api/v1/stream", argv[4],
			    vtime_mono_ms() + FANOUT_SETUP_MS);
		else {
			snprintf(id, sizeof id, "bench-sub-%d", i);
			f.conns[i].io.fd = fanout_mqtt_open(argv[2], argv[3], id);
			fanout_mqtt_subscribe(&f.conns[i]);
		}
	}
	fanout_loop(&f, ready);
	fanout_report(&f);
	for (int i = 0; i < f.nconns; i++) {
		close(f.conns[i].io.fd);
		free(f.conns[i].io.buf);
		free(f.conns[i].io.frag);
	}
	free(f.conns);
	free(f.lat.v);
	free(f.srv.v);
	return 0;
}
