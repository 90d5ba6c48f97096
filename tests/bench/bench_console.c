/*
 * bench_console: the console benchmark's terminal.  Runs vigil in an 80x24
 * pseudo-terminal it creates (TERM=xterm-256color, LANG=C.UTF-8), reads
 * everything the console writes, counts it, and keeps a small model of the
 * screen (the part of xterm that ncurses uses) so that a key press is timed
 * until its effect is on the screen, not merely until some bytes arrive.
 *
 *   bench_console live [--server PID] [--storm S] [--presses N] [--warm N]
 *       [--idle S] [--after S] [--sim-out FILE] [--screen FILE] [--raw FILE]
 *       VIGIL -- STORM-COMMAND...
 *	the console on an idle feed (keys, then IDLE seconds untouched), then
 *	while STORM-COMMAND runs (N keys spread over S seconds), then AFTER
 *	seconds once it has finished
 *   bench_console start [--server PID] [--settle MS] [--screen FILE]
 *       [--raw FILE] VIGIL
 *	the console from exec to its first queue row (and the CPU time it and
 *	the server spent on the way), and its memory then
 *   bench_console storm --server PID [--sim-out FILE] -- STORM-COMMAND...
 *	the server's CPU while STORM-COMMAND runs, with no console
 *   bench_console map [--keys KEYS] [--storm S] [--screen FILE] VIGIL --
 *       COMMAND...
 *	the console once loaded gets KEYS (say "m" for the map), settles,
 *	then its output and CPU are counted for S seconds while COMMAND runs
 *	(say, guards moving); COMMAND is stopped after S seconds
 *
 * VIGIL runs with this program's environment (VIGIL_URL, VIGIL_TOKEN, HOME
 * and so on) plus TERM and LANG.  Figures are printed one a line as
 * "NAME VALUE"; the screen is written to FILE at the end with --screen, and
 * everything the console wrote to FILE with --raw (to check the screen
 * model against a real terminal: cat FILE in an 80x24 tmux pane).
 * Exits 0, or 1 when the console could not be driven.
 */
#include "compat.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BCON_ROWS          24
#define BCON_COLS          80
#define BCON_PARAMS        16
#define BCON_READ          65536
#define BCON_BURST_GAP_MS  15.0     /* quiet between two screen updates */
#define BCON_KEY_WAIT_MS   2000.0   /* a key not seen by then counts as lost */
#define BCON_LOAD_WAIT_MS  30000.0
#define BCON_MAX_PRESSES   1000
#define BCON_WARM_GAP_MS   200.0    /* between key presses on an idle feed */
#define BCON_SETTLE_MS     1500.0   /* after keys, before counting idle output */
#define BCON_QUIT_WAIT_MS  3000.0
#define BCON_TAB           8
#define BCON_POLL_MS       20

/* Where the parser is in the byte stream. */
enum bcon_state {
	BCON_GROUND,
	BCON_ESC,
	BCON_CSI,
	BCON_STR,          /* OSC, DCS and the like, up to BEL or ST */
	BCON_STR_ESC,
	BCON_CHARSET,      /* ESC ( X: which set G0 is */
};

/* The screen as a terminal would show it: characters only, no colours. */
struct bcon_term {
	uint32_t cell[BCON_ROWS][BCON_COLS];
	int y, x;
	bool wrap;                   /* the last column was written: wrap next */
	int top, bot;                /* scrolling region */
	int sy, sx;                  /* saved cursor */
	uint32_t last;               /* last character, for REP */
	bool dec;                    /* G0 is the line-drawing set */
	enum bcon_state state;
	int param[BCON_PARAMS];
	int nparam;
	bool priv;                   /* CSI with ? > = ! or an intermediate */
	uint32_t cp;                 /* UTF-8 being decoded */
	int need;
	unsigned bells;
};

/* Bytes and screen updates over one phase, and which rows changed. */
struct bcon_phase {
	uint64_t bytes, reads, updates;
	uint64_t min_update, max_update;
	uint32_t rows;               /* bit y: row y changed */
};

/* Latencies of key presses, in ms. */
struct bcon_keys {
	double ms[BCON_MAX_PRESSES];
	int n, lost;
};

/* The console under test and what has come from it. */
struct bcon {
	int fd;                      /* the pty's master side */
	pid_t pid;
	bool gone;                   /* the console closed the terminal */
	struct bcon_term term;
	struct bcon_phase *phase;
	uint64_t burst;              /* bytes of the update under way */
	double last_read_ms;
	uint64_t total;
	pid_t storm;                 /* the storm command, while it runs */
	int storm_status;
	double storm_end_ms;
	uint32_t counts[BCON_COLS];  /* the counts row as last seen */
	double counts_ms;            /* when it last changed */
	FILE *raw;                   /* a copy of the output, or NULL */
};

/* Print an error and exit 1. */
static void NORETURN PRINTFLIKE(1, 2)
bcon_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_console: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Milliseconds of the monotonic clock. */
static double
bcon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Parse a whole-number argument. */
static long
bcon_arg(const char *name, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = s != NULL ? strtol(s, &end, 10) : -1;
	if (s == NULL || *s == '\0' || *end != '\0' || errno != 0 || v < 0) {
		fprintf(stderr, "bench_console: %s: expected a number, not \"%s\"\n",
		    name, s != NULL ? s : "");
		exit(64);
	}
	return v;
}

/* Clear cells [x0, x1) of row y. */
static void
bcon_clear(struct bcon_term *t, int y, int x0, int x1)
{
	if (x0 < 0)
		x0 = 0;
	if (x1 > BCON_COLS)
		x1 = BCON_COLS;
	for (int x = x0; x < x1; x++)
		t->cell[y][x] = ' ';
}

/* Move rows [top, bot] up by n, blank rows coming in at the bottom. */
static void
bcon_scroll_up(struct bcon_term *t, int top, int bot, int n)
{
	if (n > bot - top + 1)
		n = bot - top + 1;
	for (int y = top; y <= bot - n; y++)
		memcpy(t->cell[y], t->cell[y + n], sizeof t->cell[y]);
	for (int y = bot - n + 1; y <= bot; y++)
		bcon_clear(t, y, 0, BCON_COLS);
}

/* Move rows [top, bot] down by n, blank rows coming in at the top. */
static void
bcon_scroll_down(struct bcon_term *t, int top, int bot, int n)
{
	if (n > bot - top + 1)
		n = bot - top + 1;
	for (int y = bot; y >= top + n; y--)
		memcpy(t->cell[y], t->cell[y - n], sizeof t->cell[y]);
	for (int y = top; y < top + n; y++)
		bcon_clear(t, y, 0, BCON_COLS);
}

/* Set the terminal to its state at power-on: blank, cursor home. */
static void
bcon_reset(struct bcon_term *t)
{
	memset(t, 0, sizeof *t);
	for (int y = 0; y < BCON_ROWS; y++)
		bcon_clear(t, y, 0, BCON_COLS);
	t->bot = BCON_ROWS - 1;
	t->last = ' ';
}

/* Line feed: down a row, scrolling the region at its bottom. */
static void
bcon_index(struct bcon_term *t)
{
	if (t->y == t->bot)
		bcon_scroll_up(t, t->top, t->bot, 1);
	else if (t->y < BCON_ROWS - 1)
		t->y++;
}

/* Reverse line feed: up a row, scrolling the region at its top. */
static void
bcon_rindex(struct bcon_term *t)
{
	if (t->y == t->top)
		bcon_scroll_down(t, t->top, t->bot, 1);
	else if (t->y > 0)
		t->y--;
}

/* Put the cursor at (y, x), clamped to the screen. */
static void
bcon_goto(struct bcon_term *t, int y, int x)
{
	t->y = y < 0 ? 0 : y >= BCON_ROWS ? BCON_ROWS - 1 : y;
	t->x = x < 0 ? 0 : x >= BCON_COLS ? BCON_COLS - 1 : x;
	t->wrap = false;
}

/* Write one character at the cursor (xterm's autowrap with a pending wrap). */
static void
bcon_put(struct bcon_term *t, uint32_t cp)
{
	if (t->dec && cp >= 0x60 && cp <= 0x7e)
		cp = cp == 'q' ? '-' : cp == 'x' ? '|' : '+';
	if (t->wrap) {
		t->x = 0;
		bcon_index(t);
		t->wrap = false;
	}
	t->cell[t->y][t->x] = cp;
	t->last = cp;
	if (t->x == BCON_COLS - 1)
		t->wrap = true;
	else
		t->x++;
}

/* Parameter i of the CSI sequence, or def when absent or 0. */
static int
bcon_param(const struct bcon_term *t, int i, int def)
{
	return i < t->nparam && t->param[i] > 0 ? t->param[i] : def;
}

/* A whole CSI sequence ending in final. */
static void
bcon_csi(struct bcon_term *t, int final)
{
	int n = bcon_param(t, 0, 1), mode = t->nparam > 0 ? t->param[0] : 0;

	if (t->priv)
		return;
	switch (final) {
	case 'A': bcon_goto(t, t->y - n, t->x); break;
	case 'B': bcon_goto(t, t->y + n, t->x); break;
	case 'C': bcon_goto(t, t->y, t->x + n); break;
	case 'D': bcon_goto(t, t->y, t->x - n); break;
	case 'E': bcon_goto(t, t->y + n, 0); break;
	case 'F': bcon_goto(t, t->y - n, 0); break;
	case 'G': case '`': bcon_goto(t, t->y, n - 1); break;
	case 'd': bcon_goto(t, n - 1, t->x); break;
	case 'H': case 'f':
		bcon_goto(t, n - 1, bcon_param(t, 1, 1) - 1);
		break;
	case 'J':
		if (mode == 0) {
			bcon_clear(t, t->y, t->x, BCON_COLS);
			for (int y = t->y + 1; y < BCON_ROWS; y++)
				bcon_clear(t, y, 0, BCON_COLS);
		} else if (mode == 1) {
			for (int y = 0; y < t->y; y++)
				bcon_clear(t, y, 0, BCON_COLS);
			bcon_clear(t, t->y, 0, t->x + 1);
		} else {
			for (int y = 0; y < BCON_ROWS; y++)
				bcon_clear(t, y, 0, BCON_COLS);
		}
		break;
	case 'K':
		if (mode == 0)
			bcon_clear(t, t->y, t->x, BCON_COLS);
		else if (mode == 1)
			bcon_clear(t, t->y, 0, t->x + 1);
		else
			bcon_clear(t, t->y, 0, BCON_COLS);
		break;
	case 'X':
		bcon_clear(t, t->y, t->x, t->x + n);
		break;
	case 'b':
		for (int i = 0; i < n && i < BCON_COLS * BCON_ROWS; i++)
			bcon_put(t, t->last);
		break;
	case 'L':
		if (t->y >= t->top && t->y <= t->bot)
			bcon_scroll_down(t, t->y, t->bot, n);
		t->wrap = false;
		break;
	case 'M':
		if (t->y >= t->top && t->y <= t->bot)
			bcon_scroll_up(t, t->y, t->bot, n);
		t->wrap = false;
		break;
	case '@':
		if (n > BCON_COLS - t->x)
			n = BCON_COLS - t->x;
		memmove(&t->cell[t->y][t->x + n], &t->cell[t->y][t->x],
		    (size_t)(BCON_COLS - t->x - n) * sizeof t->cell[0][0]);
		bcon_clear(t, t->y, t->x, t->x + n);
		break;
	case 'P':
		if (n > BCON_COLS - t->x)
			n = BCON_COLS - t->x;
		memmove(&t->cell[t->y][t->x], &t->cell[t->y][t->x + n],
		    (size_t)(BCON_COLS - t->x - n) * sizeof t->cell[0][0]);
		bcon_clear(t, t->y, BCON_COLS - n, BCON_COLS);
		break;
	case 'S': bcon_scroll_up(t, t->top, t->bot, n); break;
	case 'T': bcon_scroll_down(t, t->top, t->bot, n); break;
	case 'r':
		t->top = bcon_param(t, 0, 1) - 1;
		t->bot = bcon_param(t, 1, BCON_ROWS) - 1;
		if (t->top < 0 || t->bot >= BCON_ROWS || t->top >= t->bot) {
			t->top = 0;
			t->bot = BCON_ROWS - 1;
		}
		bcon_goto(t, 0, 0);
		break;
	case 's': t->sy = t->y; t->sx = t->x; break;
	case 'u': bcon_goto(t, t->sy, t->sx); break;
	default:
		/* Colours, modes, reports: nothing a screen of text shows. */
		break;
	}
}

/* One byte after ESC. */
static void
bcon_escape(struct bcon_term *t, unsigned char ch)
{
	t->state = BCON_GROUND;
	switch (ch) {
	case '[':
		t->state = BCON_CSI;
		t->nparam = 0;
		t->priv = false;
		memset(t->param, 0, sizeof t->param);
		break;
	case ']': case 'P': case 'X': case '^': case '_':
		t->state = BCON_STR;
		break;
	case '(':
		t->state = BCON_CHARSET;
		break;
	case ')': case '*': case '+':
		t->state = BCON_CHARSET;
		t->priv = true;          /* not G0: read and ignore */
		break;
	case '7': t->sy = t->y; t->sx = t->x; break;
	case '8': bcon_goto(t, t->sy, t->sx); break;
	case 'D': bcon_index(t); break;
	case 'E': t->x = 0; bcon_index(t); break;
	case 'M': bcon_rindex(t); break;
	case 'c': bcon_reset(t); break;
	default: break;
	}
}

/* A C0 control character. */
static void
bcon_control(struct bcon_term *t, unsigned char ch)
{
	switch (ch) {
	case '\r': t->x = 0; t->wrap = false; break;
	case '\n': case '\v': case '\f': bcon_index(t); t->wrap = false; break;
	case '\b': if (t->x > 0) t->x--; t->wrap = false; break;
	case '\t':
		t->x = (t->x / BCON_TAB + 1) * BCON_TAB;
		if (t->x >= BCON_COLS)
			t->x = BCON_COLS - 1;
		break;
	case '\a': t->bells++; break;
	case 0x1b: t->state = BCON_ESC; break;
	default: break;
	}
}

/* Feed n bytes of the console's output to the screen. */
static void
bcon_feed(struct bcon_term *t, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = p[i];

		switch (t->state) {
		case BCON_ESC:
			bcon_escape(t, ch);
			continue;
		case BCON_CHARSET:
			if (!t->priv)
				t->dec = ch == '0';
			t->priv = false;
			t->state = BCON_GROUND;
			continue;
		case BCON_STR:
			if (ch == '\a')
				t->state = BCON_GROUND;
			else if (ch == 0x1b)
				t->state = BCON_STR_ESC;
			continue;
		case BCON_STR_ESC:
			t->state = ch == 0x1b ? BCON_STR_ESC : ch == '\\' ?
			    BCON_GROUND : BCON_STR;
			continue;
		case BCON_CSI:
			if (ch >= '0' && ch <= '9') {
				if (t->nparam == 0)
					t->nparam = 1;
				if (t->param[t->nparam - 1] < 10000)
					t->param[t->nparam - 1] =
					    t->param[t->nparam - 1] * 10 + (ch - '0');
			} else if (ch == ';' || ch == ':') {
				if (t->nparam == 0)
					t->nparam = 1;
				if (t->nparam < BCON_PARAMS)
					t->nparam++;
			} else if (ch >= 0x3c && ch <= 0x3f) {
				t->priv = true;
			} else if (ch >= 0x20 && ch <= 0x2f) {
				t->priv = true;
			} else if (ch >= 0x40 && ch <= 0x7e) {
				bcon_csi(t, ch);
				t->state = BCON_GROUND;
			} else if (ch == 0x1b) {
				t->state = BCON_ESC;
			} else if (ch < 0x20) {
				bcon_control(t, ch);
			}
			continue;
		case BCON_GROUND:
			break;
		}
		if (t->need > 0) {
			if ((ch & 0xc0) == 0x80) {
				t->cp = (t->cp << 6) | (ch & 0x3f);
				if (--t->need == 0)
					bcon_put(t, t->cp);
				continue;
			}
			t->need = 0;
			bcon_put(t, '?');
		}
		if (ch < 0x20)
			bcon_control(t, ch);
		else if (ch < 0x7f)
			bcon_put(t, ch);
		else if ((ch & 0xe0) == 0xc0)
			t->cp = ch & 0x1f, t->need = 1;
		else if ((ch & 0xf0) == 0xe0)
			t->cp = ch & 0x0f, t->need = 2;
		else if ((ch & 0xf8) == 0xf0)
			t->cp = ch & 0x07, t->need = 3;
		else if (ch != 0x7f)
			bcon_put(t, '?');
	}
}

/* Row y as text (anything not ASCII shown as '~'), into buf of BCON_COLS + 1. */
static char *
bcon_row(const struct bcon_term *t, int y, char *buf)
{
	for (int x = 0; x < BCON_COLS; x++) {
		uint32_t cp = t->cell[y][x];

		buf[x] = cp >= 0x20 && cp < 0x7f ? (char)cp : '~';
	}
	buf[BCON_COLS] = '\0';
	return buf;
}

/* The first row showing text, or -1. */
static int
bcon_find(const struct bcon_term *t, const char *text)
{
	char buf[BCON_COLS + 1];

	for (int y = 0; y < BCON_ROWS; y++)
		if (strstr(bcon_row(t, y, buf), text) != NULL)
			return y;
	return -1;
}

/* Write the screen to path, trailing blanks cut. */
static void
bcon_dump(const struct bcon_term *t, const char *path)
{
	char buf[BCON_COLS + 1];
	FILE *f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	for (int y = 0; y < BCON_ROWS; y++) {
		int n = BCON_COLS;

		bcon_row(t, y, buf);
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		fprintf(f, "%.*s\n", n, buf);
	}
	fclose(f);
}

/* True when the help screen is up (its heading row). */
static bool
bcon_help_shown(const struct bcon *b)
{
	int y = bcon_find(&b->term, "COMMAND");

	return y >= 0 && y == bcon_find(&b->term, "WHERE");
}

/* True when the dashboard is up: its queue heading, and no help. */
static bool
bcon_dash_shown(const struct bcon *b)
{
	char buf[BCON_COLS + 1];

	bcon_row(&b->term, 2, buf);
	return strstr(buf, "AGE") != NULL && strstr(buf, "POINT") != NULL &&
	    !bcon_help_shown(b);
}

/* True when the first queue row is drawn: "P" and a priority on row 3, after the ID. */
static bool
bcon_queue_shown(const struct bcon *b)
{
	const uint32_t *row = b->term.cell[3];

	if (!bcon_dash_shown(b))
		return false;
	for (int x = 1; x + 1 < 16; x++)
		if (row[x - 1] == ' ' && row[x] == 'P' && row[x + 1] >= '1' && row[x + 1] <= '9')
			return true;
	return false;
}

/* True when the title line says the feed is LIVE (the snapshot is whole). */
static bool
bcon_feed_live(const struct bcon *b)
{
	return bcon_find(&b->term, " LIVE ") >= 0;
}

/* True when the dashboard has its snapshot: a queue row, or the empty queue. */
static bool
bcon_loaded(const struct bcon *b)
{
	return bcon_queue_shown(b) ||
	    (bcon_dash_shown(b) && bcon_find(&b->term, "no open alarms") >= 0);
}

/* Start counting a phase into p. */
static void
bcon_phase_start(struct bcon *b, struct bcon_phase *p)
{
	memset(p, 0, sizeof *p);
	p->min_update = UINT64_MAX;
	b->phase = p;
	b->burst = 0;
}

/* Close the update under way (its size counts in the phase it is in). */
static void
bcon_burst_end(struct bcon *b)
{
	struct bcon_phase *p = b->phase;

	if (b->burst == 0 || p == NULL)
		return;
	if (b->burst < p->min_update)
		p->min_update = b->burst;
	if (b->burst > p->max_update)
		p->max_update = b->burst;
	b->burst = 0;
}

/* Stop counting the current phase. */
static void
bcon_phase_stop(struct bcon *b)
{
	bcon_burst_end(b);
	if (b->phase != NULL && b->phase->min_update == UINT64_MAX)
		b->phase->min_update = 0;
	b->phase = NULL;
}

/* Reap the storm command when it has finished. */
static void
bcon_reap(struct bcon *b)
{
	int status;

	if (b->storm > 0 && waitpid(b->storm, &status, WNOHANG) == b->storm) {
		b->storm_status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
		b->storm = 0;
		b->storm_end_ms = bcon_now();
	}
}

/* Read what the console wrote: count it and put it on the screen. */
static void
bcon_read(struct bcon *b)
{
	static uint32_t before[BCON_ROWS][BCON_COLS];
	unsigned char buf[BCON_READ];
	ssize_t n;
	double now;

	n = read(b->fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		b->gone = true;
		return;
	}
	now = bcon_now();
	if (now - b->last_read_ms > BCON_BURST_GAP_MS) {
		bcon_burst_end(b);
		if (b->phase != NULL)
			b->phase->updates++;
	}
	b->last_read_ms = now;
	b->burst += (uint64_t)n;
	b->total += (uint64_t)n;
	if (b->phase != NULL) {
		b->phase->bytes += (uint64_t)n;
		b->phase->reads++;
	}
	memcpy(before, b->term.cell, sizeof before);
	bcon_feed(&b->term, buf, (size_t)n);
	for (int y = 0; b->phase != NULL && y < BCON_ROWS; y++)
		if (memcmp(before[y], b->term.cell[y], sizeof before[y]) != 0)
			b->phase->rows |= 1U << y;
	if (b->raw != NULL)
		fwrite(buf, 1, (size_t)n, b->raw);
	if (memcmp(b->counts, b->term.cell[1], sizeof b->counts) != 0) {
		memcpy(b->counts, b->term.cell[1], sizeof b->counts);
		b->counts_ms = now;
	}
}

/*
 * Run until the time until (ms, monotonic) or until done says so; returns
 * true when done did.  The console's output is read all along.
 */
static bool
bcon_pump(struct bcon *b, double until, bool (*done)(const struct bcon *))
{
	struct pollfd pfd;
	double now;
	int wait;

	for (;;) {
		bcon_reap(b);
		if (done != NULL && done(b))
			return true;
		now = bcon_now();
		if (now >= until || b->gone)
			return false;
		wait = (int)ceil(until - now);
		pfd.fd = b->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait < BCON_POLL_MS ? wait : BCON_POLL_MS) > 0)
			bcon_read(b);
	}
}

/* Start the console in a new 80x24 pty (its output copied to raw when given). */
static void
bcon_spawn(struct bcon *b, const char *vigil, const char *raw)
{
	struct winsize ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = BCON_ROWS;
	ws.ws_col = BCON_COLS;
	bcon_reset(&b->term);
	if (raw != NULL && (b->raw = fopen(raw, "w")) == NULL)
		bcon_fail("%s: %s", raw, strerror(errno));
	b->pid = forkpty(&b->fd, NULL, NULL, &ws);
	if (b->pid < 0)
		bcon_fail("forkpty: %s", strerror(errno));
	if (b->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("LC_ALL");
		unsetenv("LC_CTYPE");
		unsetenv("NO_COLOR");
		execl(vigil, "vigil", (char *)NULL);
		fprintf(stderr, "bench_console: %s: %s\n", vigil, strerror(errno));
		_exit(127);
	}
	fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) | O_NONBLOCK);
}

/* Leave: SIGTERM, read until the console lets go of the terminal, reap it. */
static int
bcon_stop(struct bcon *b)
{
	int status = 0;

	if (b->pid <= 0)
		return -1;
	kill(b->pid, SIGTERM);
	bcon_pump(b, bcon_now() + BCON_QUIT_WAIT_MS, NULL);
	if (waitpid(b->pid, &status, WNOHANG) != b->pid) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, &status, 0);
	}
	close(b->fd);
	if (b->raw != NULL)
		fclose(b->raw);
	b->raw = NULL;
	b->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The console is gone or stuck: say so with its screen, and exit 1. */
static void NORETURN
bcon_broken(struct bcon *b, const char *what)
{
	char buf[BCON_COLS + 1];

	fprintf(stderr, "bench_console: %s; the screen shows:\n", what);
	for (int y = 0; y < BCON_ROWS; y++)
		fprintf(stderr, "  |%s|\n", bcon_row(&b->term, y, buf));
	if (b->pid > 0)
		bcon_stop(b);
	if (b->storm > 0) {
		kill(b->storm, SIGTERM);
		waitpid(b->storm, NULL, 0);
	}
	exit(1);
}

/* CPU time of process pid (user + system), in clock ticks. */
static long long
bcon_ticks(pid_t pid)
{
	char path[64], buf[2048], *p;
	long long utime = 0, stime = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command's ")": state is field 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld",
	    &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* A "Vm...:" figure of process pid from /proc/PID/status, in kB. */
static long
bcon_vm_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Percent of one core for ticks of CPU over ms of wall time. */
static double
bcon_pct(long long ticks, double ms)
{
	return ms > 0 ? (double)ticks * 100000.0 / (double)sysconf(_SC_CLK_TCK) / ms : 0;
}

/* Start the storm command, its output to path (or /dev/null). */
static void
bcon_storm_start(struct bcon *b, char **argv, const char *path)
{
	int fd;

	b->storm = fork();
	if (b->storm < 0)
		bcon_fail("fork: %s", strerror(errno));
	if (b->storm == 0) {
		fd = open(path != NULL ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "bench_console: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

/* Compare two doubles for qsort. */
static int
bcon_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the key latencies of k as NAME_n, NAME_p50, NAME_p99, NAME_max, NAME_lost. */
static void
bcon_keys_print(const char *name, struct bcon_keys *k)
{
	double p50 = 0, p99 = 0, max = 0;

	qsort(k->ms, (size_t)k->n, sizeof k->ms[0], bcon_cmp);
	if (k->n > 0) {
		p50 = k->ms[(int)ceil(0.50 * k->n) - 1];
		p99 = k->ms[(int)ceil(0.99 * k->n) - 1];
		max = k->ms[k->n - 1];
	}
	printf("%s_n %d\n%s_p50 %.1f\n%s_p99 %.1f\n%s_max %.1f\n%s_lost %d\n",
	    name, k->n, name, p50, name, p99, name, max, name, k->lost);
}

/* Print a phase's bytes, updates and changed rows as NAME_bytes ... over ms of wall time. */
static void
bcon_phase_print(const char *name, const struct bcon_phase *p, double ms)
{
	const char *sep = "";

	printf("%s_rows ", name);
	for (int y = 0; y < BCON_ROWS; y++)
		if (p->rows & (1U << y)) {
			printf("%s%d", sep, y);
			sep = ",";
		}
	printf("%s\n", *sep == '\0' ? "none" : "");
	printf("%s_ms %.0f\n%s_bytes %" PRIu64 "\n%s_updates %" PRIu64 "\n"
	    "%s_update_min %" PRIu64 "\n%s_update_max %" PRIu64 "\n%s_bps %.0f\n",
	    name, ms, name, p->bytes, name, p->updates, name, p->min_update,
	    name, p->max_update, name, ms > 0 ? (double)p->bytes * 1000.0 / ms : 0);
}

/*
 * Press a key and time it until done sees its effect; a lost key (not seen
 * in BCON_KEY_WAIT_MS) counts at that wait.  Returns false when lost.
 */
static bool
bcon_press(struct bcon *b, char key, bool (*done)(const struct bcon *), struct bcon_keys *k)
{
	double t0;
	bool seen;

	if (write(b->fd, &key, 1) != 1)
		bcon_broken(b, "cannot write a key to the console");
	t0 = bcon_now();
	seen = bcon_pump(b, t0 + BCON_KEY_WAIT_MS, done);
	if (b->gone)
		bcon_broken(b, "the console left while a key was timed");
	if (k->n < BCON_MAX_PRESSES)
		k->ms[k->n++] = seen ? bcon_now() - t0 : BCON_KEY_WAIT_MS;
	if (!seen)
		k->lost++;
	return seen;
}

/*
 * One press of the help key pair: "?" until the help is up, or "q" until
 * the dashboard is back; which one follows from the screen.  Returns false
 * when the key was lost (then pressing on could quit the console).
 */
static bool
bcon_toggle_help(struct bcon *b, struct bcon_keys *k)
{
	if (bcon_help_shown(b))
		return bcon_press(b, 'q', bcon_dash_shown, k);
	return bcon_press(b, '?', bcon_help_shown, k);
}

/* Options of the three modes. */
struct bcon_opts {
	pid_t server;
	long storm_s, presses, warm, idle_s, after_s, settle_ms;
	const char *sim_out, *screen, *raw, *vigil, *keys;
	char **storm_argv;
};

/* The map run: keys, settle, then output and CPU while COMMAND runs. */
static int
bcon_map(struct bcon_opts *o)
{
	struct bcon b;
	struct bcon_phase start, run;
	long long c0, c1;
	double t0, t1, ms;

	memset(&b, 0, sizeof b);
	bcon_phase_start(&b, &start);
	t0 = bcon_now();
	bcon_spawn(&b, o->vigil, o->raw);
	if (!bcon_pump(&b, t0 + BCON_LOAD_WAIT_MS, bcon_loaded))
		bcon_broken(&b, "the dashboard never showed its queue");
	bcon_pump(&b, bcon_now() + 1000, NULL);
	for (const char *k = o->keys; k != NULL && *k != '\0'; k++) {
		if (write(b.fd, k, 1) != 1)
			bcon_broken(&b, "a key could not be written");
		bcon_pump(&b, bcon_now() + 300, NULL);
	}
	bcon_pump(&b, bcon_now() + BCON_SETTLE_MS, NULL);
	bcon_phase_stop(&b);
	bcon_phase_start(&b, &run);
	c0 = bcon_ticks(b.pid);
	t1 = bcon_now();
	bcon_storm_start(&b, o->storm_argv, o->sim_out);
	bcon_pump(&b, t1 + (double)o->storm_s * 1000.0, NULL);
	ms = bcon_now() - t1;
	c1 = bcon_ticks(b.pid);
	bcon_phase_stop(&b);
	if (b.storm > 0) {
		kill(b.storm, SIGTERM);
		waitpid(b.storm, NULL, 0);
		b.storm = 0;
	}
	if (b.gone)
		bcon_broken(&b, "the console left during the run");
	bcon_phase_print("map", &run, ms);
	printf("map_cpu_pct %.1f\n", bcon_pct(c1 - c0, ms));
	bcon_dump(&b.term, o->screen);
	printf("exit %d\n", bcon_stop(&b));
	return 0;
}

/* The live run: idle keys, idle output, the storm, after the storm. */
static int
bcon_live(struct bcon_opts *o)
{
	struct bcon b;
	struct bcon_phase start, idle, storm, after;
	struct bcon_keys warm, keys;
	long long c0, c1, s0 = 0, s1 = 0, i0, i1;
	double t0, t1, next, gap, idle_ms, storm_ms, after_ms;
	bool ok = true;
	char row[BCON_COLS + 1];

	memset(&b, 0, sizeof b);
	memset(&warm, 0, sizeof warm);
	memset(&keys, 0, sizeof keys);
	bcon_phase_start(&b, &start);
	t0 = bcon_now();
	bcon_spawn(&b, o->vigil, o->raw);
	if (!bcon_pump(&b, t0 + BCON_LOAD_WAIT_MS, bcon_loaded))
		bcon_broken(&b, "the dashboard never showed its queue");
	printf("load_ms %.0f\n", bcon_now() - t0);
	bcon_pump(&b, bcon_now() + 1000, NULL);
	bcon_phase_stop(&b);
	printf("paint_bytes %" PRIu64 "\n", start.bytes);

	/* Keys on an idle feed: the reference for the storm's. */
	for (long i = 0; i < o->warm && ok; i++) {
		ok = bcon_toggle_help(&b, &warm);
		bcon_pump(&b, bcon_now() + BCON_WARM_GAP_MS, NULL);
	}
	if (bcon_help_shown(&b) && ok)
		ok = bcon_press(&b, 'q', bcon_dash_shown, &warm);
	bcon_keys_print("warm", &warm);

	/* Idle: nothing happens; the console should write only its clock. */
	bcon_pump(&b, bcon_now() + BCON_SETTLE_MS, NULL);
	bcon_phase_start(&b, &idle);
	i0 = bcon_ticks(b.pid);
	t1 = bcon_now();
	bcon_pump(&b, t1 + (double)o->idle_s * 1000.0, NULL);
	idle_ms = bcon_now() - t1;
	i1 = bcon_ticks(b.pid);
	bcon_phase_stop(&b);
	bcon_phase_print("idle", &idle, idle_ms);
	printf("idle_cpu_pct %.1f\n", bcon_pct(i1 - i0, idle_ms));
	if (b.gone)
		bcon_broken(&b, "the console left while idle");

	/* The storm, with keys spread over it. */
	bcon_phase_start(&b, &storm);
	c0 = bcon_ticks(b.pid);
	if (o->server > 0)
		s0 = bcon_ticks(o->server);
	b.term.bells = 0;
	t1 = bcon_now();
	bcon_storm_start(&b, o->storm_argv, o->sim_out);
	gap = o->presses > 0 ? (double)o->storm_s * 1000.0 / (double)o->presses : 0;
	next = t1 + gap / 2;
	for (long i = 0; i < o->presses && ok && !b.gone; i++) {
		bcon_pump(&b, next, NULL);
		ok = bcon_toggle_help(&b, &keys);
		next += gap;
	}
	if (ok && bcon_help_shown(&b))
		ok = bcon_press(&b, 'q', bcon_dash_shown, &keys);
	while (b.storm > 0 && !b.gone)
		bcon_pump(&b, bcon_now() + 1000, NULL);
	storm_ms = b.storm_end_ms - t1;
	c1 = bcon_ticks(b.pid);
	if (o->server > 0)
		s1 = bcon_ticks(o->server);
	bcon_phase_stop(&b);
	if (b.gone)
		bcon_broken(&b, "the console left during the storm");
	bcon_phase_print("storm", &storm, storm_ms);
	printf("storm_cpu_pct %.1f\n", bcon_pct(c1 - c0, storm_ms));
	if (o->server > 0)
		printf("server_cpu_pct %.1f\n", bcon_pct(s1 - s0, storm_ms));
	printf("storm_status %d\nstorm_bells %u\n", b.storm_status, b.term.bells);
	bcon_keys_print("storm", &keys);

	/* After the storm: how long the counts took to settle, then quiet output. */
	bcon_phase_start(&b, &after);
	t1 = bcon_now();
	bcon_pump(&b, t1 + (double)o->after_s * 1000.0, NULL);
	after_ms = bcon_now() - t1;
	bcon_phase_stop(&b);
	bcon_phase_print("after", &after, after_ms);
	printf("settle_ms %.0f\n", b.counts_ms > b.storm_end_ms ? b.counts_ms - b.storm_end_ms : 0);
	printf("hwm_kb %ld\n", bcon_vm_kb(b.pid, "VmHWM"));
	printf("counts %s\n", bcon_row(&b.term, 1, row));
	bcon_dump(&b.term, o->screen);
	printf("exit %d\n", bcon_stop(&b));
	return ok ? 0 : 1;
}

/* The start-up run: exec to the first queue row, then memory. */
static int
bcon_start(struct bcon_opts *o)
{
	struct bcon b;
	struct bcon_phase start;
	double t0, first, tick = 1000.0 / (double)sysconf(_SC_CLK_TCK);
	long long s0 = 0;
	char row[BCON_COLS + 1];

	memset(&b, 0, sizeof b);
	bcon_phase_start(&b, &start);
	if (o->server > 0)
		s0 = bcon_ticks(o->server);
	t0 = bcon_now();
	bcon_spawn(&b, o->vigil, o->raw);
	if (!bcon_pump(&b, t0 + BCON_LOAD_WAIT_MS, bcon_queue_shown))
		bcon_broken(&b, "no queue row came");
	first = bcon_now() - t0;
	printf("first_row_ms %.0f\n", first);
	printf("first_row_cpu_ms %.0f\n", (double)bcon_ticks(b.pid) * tick);
	if (o->server > 0)
		printf("first_row_server_cpu_ms %.0f\n",
		    (double)(bcon_ticks(o->server) - s0) * tick);
	printf("first_row_hwm_kb %ld\n", bcon_vm_kb(b.pid, "VmHWM"));
	/* Memory is read once the whole snapshot is in: the title says LIVE. */
	if (!bcon_pump(&b, bcon_now() + BCON_LOAD_WAIT_MS, bcon_feed_live))
		bcon_broken(&b, "the console never went LIVE");
	printf("live_ms %.0f\n", bcon_now() - t0);
	bcon_pump(&b, bcon_now() + (double)o->settle_ms, NULL);
	bcon_phase_stop(&b);
	if (b.gone)
		bcon_broken(&b, "the console left after starting");
	printf("hwm_kb %ld\nrss_kb %ld\n", bcon_vm_kb(b.pid, "VmHWM"), bcon_vm_kb(b.pid, "VmRSS"));
	printf("bytes %" PRIu64 "\n", start.bytes);
	printf("counts %s\n", bcon_row(&b.term, 1, row));
	printf("first_row %s\n", bcon_row(&b.term, 3, row));
	bcon_dump(&b.term, o->screen);
	printf("exit %d\n", bcon_stop(&b));
	return 0;
}

/* The reference run: the storm with no console, the server's CPU. */
static int
bcon_storm(struct bcon_opts *o)
{
	struct bcon b;
	long long s0, s1;
	double t0;

	memset(&b, 0, sizeof b);
	s0 = bcon_ticks(o->server);
	t0 = bcon_now();
	bcon_storm_start(&b, o->storm_argv, o->sim_out);
	while (b.storm > 0) {
		poll(NULL, 0, BCON_POLL_MS);
		bcon_reap(&b);
	}
	s1 = bcon_ticks(o->server);
	printf("storm_ms %.0f\nserver_cpu_pct %.1f\nstorm_status %d\n",
	    b.storm_end_ms - t0, bcon_pct(s1 - s0, b.storm_end_ms - t0), b.storm_status);
	return 0;
}

/* Print the usage and exit 64. */
static void NORETURN
bcon_usage(void)
{
	fputs("usage: bench_console live [--server PID] [--storm S] [--presses N] "
	    "[--warm N] [--idle S] [--after S] [--sim-out FILE] [--screen FILE] "
	    "[--raw FILE] VIGIL -- COMMAND...\n"
	    "       bench_console start [--server PID] [--settle MS] [--screen FILE] "
	    "[--raw FILE] VIGIL\n"
	    "       bench_console storm --server PID [--sim-out FILE] -- COMMAND...\n"
	    "       bench_console map [--keys KEYS] [--storm S] [--screen FILE] VIGIL -- "
	    "COMMAND...\n",
	    stderr);
	exit(64);
}

/* Parse the mode and options, then run the mode. */
int
main(int argc, char **argv)
{
	struct bcon_opts o;
	const char *mode;
	int i;

	if (argc < 2)
		bcon_usage();
	memset(&o, 0, sizeof o);
	o.storm_s = 20;
	o.presses = 50;
	o.warm = 20;
	o.idle_s = 10;
	o.after_s = 5;
	o.settle_ms = 1000;
	mode = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0) {
			o.storm_argv = &argv[i + 1];
			break;
		}
		if (a[0] != '-' || a[1] != '-') {
			if (o.vigil != NULL)
				bcon_usage();
			o.vigil = a;
			continue;
		}
		if (v == NULL)
			bcon_usage();
		i++;
		if (strcmp(a, "--server") == 0)
			o.server = (pid_t)bcon_arg(a, v);
		else if (strcmp(a, "--storm") == 0)
			o.storm_s = bcon_arg(a, v);
		else if (strcmp(a, "--presses") == 0)
			o.presses = bcon_arg(a, v);
		else if (strcmp(a, "--warm") == 0)
			o.warm = bcon_arg(a, v);
		else if (strcmp(a, "--idle") == 0)
			o.idle_s = bcon_arg(a, v);
		else if (strcmp(a, "--after") == 0)
			o.after_s = bcon_arg(a, v);
		else if (strcmp(a, "--settle") == 0)
			o.settle_ms = bcon_arg(a, v);
		else if (strcmp(a, "--sim-out") == 0)
			o.sim_out = v;
		else if (strcmp(a, "--screen") == 0)
			o.screen = v;
		else if (strcmp(a, "--raw") == 0)
			o.raw = v;
		else if (strcmp(a, "--keys") == 0)
			o.keys = v;
		else
			bcon_usage();
	}
	if (o.presses > BCON_MAX_PRESSES || o.warm > BCON_MAX_PRESSES)
		bcon_fail("at most %d presses", BCON_MAX_PRESSES);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(mode, "live") == 0 && o.vigil != NULL && o.storm_argv != NULL &&
	    o.storm_argv[0] != NULL)
		return bcon_live(&o);
	if (strcmp(mode, "start") == 0 && o.vigil != NULL)
		return bcon_start(&o);
	if (strcmp(mode, "map") == 0 && o.vigil != NULL && o.storm_argv != NULL &&
	    o.storm_argv[0] != NULL)
		return bcon_map(&o);
	if (strcmp(mode, "storm") == 0 && o.server > 0 && o.vigil == NULL &&
	    o.storm_argv != NULL && o.storm_argv[0] != NULL)
		return bcon_storm(&o);
	bcon_usage();
}
