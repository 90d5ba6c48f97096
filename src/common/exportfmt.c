#include "compat.h"

#include "buf.h"
#include "exportfmt.h"
#include "sanitize.h"
#include "utf8.h"

/* True for a code point that reorders text around it (shown, not kept). */
static bool
exportfmt_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

/* Append s with what a terminal would act on made visible; 0 or -1. */
int
exportfmt_clean(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	char pic[16];

	while (i < len) {
		uint32_t cp;
		size_t n;

		for (run = i; run < len && ((p[run] >= 0x20 && p[run] < 0x7f) ||
		    p[run] == '\t' || p[run] == '\n'); run++)
			;
		if (run > i && buf_add(out, s + i, run - i) != 0)
			return -1;
		if ((i = run) >= len)
			break;
		if (p[i] < 0x80) {
			/* U+2400 + c, or U+2421 for DEL. */
			cp = p[i] == 0x7f ? 0x2421 : 0x2400 + p[i];
			if (buf_add(out, pic, utf8_encode(cp, pic)) != 0)
				return -1;
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_INVALID) {
			if (buf_add(out, "\xef\xbf\xbd", 3) != 0)
				return -1;
			i++;
			continue;
		}
		if (cp < 0xa0 || exportfmt_bidi(cp)) {
			snprintf(pic, sizeof pic, "<U+%04X>", (unsigned)cp);
			if (buf_adds(out, pic) != 0)
				return -1;
		} else if (buf_add(out, s + i, n) != 0)
			return -1;
		i += n;
	}
	return 0;
}

/* 1 for the bytes a cell holds as they are: printable ASCII but " , and ;. */
static const unsigned char exportfmt_plain[256] = {
#define EXPORTFMT_16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	EXPORTFMT_16(0), EXPORTFMT_16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* " , */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,   /* ; */
	EXPORTFMT_16(1), EXPORTFMT_16(1), EXPORTFMT_16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,   /* DEL */
	EXPORTFMT_16(0), EXPORTFMT_16(0), EXPORTFMT_16(0), EXPORTFMT_16(0),
	EXPORTFMT_16(0), EXPORTFMT_16(0), EXPORTFMT_16(0), EXPORTFMT_16(0),
#undef EXPORTFMT_16
};

#define EXPORTFMT_ONES 0x0101010101010101ULL

/* Nonzero (high bits set) where a byte of x may equal c. */
static inline uint64_t
exportfmt_has(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (EXPORTFMT_ONES * c);

	return (y - EXPORTFMT_ONES) & ~y;
}

/* Write len bytes of text as one CSV cell into dst; the bytes written. */
size_t
exportfmt_csv(char *dst, const char *s, size_t len)
{
	static struct buf clean;
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	bool formula = len > 0 && (u[0] == '=' || u[0] == '+' || u[0] == '-' ||
	    u[0] == '@' || u[0] == '\'' || u[0] == '\t' || u[0] == '\r');

	/* Eight bytes at a time while they are plain. */
	for (i = 0; len - i >= 8; i += 8) {
		uint64_t x;

		memcpy(&x, u + i, 8);
		if (((x - EXPORTFMT_ONES * 0x20) | exportfmt_has(x, '"') |
		    exportfmt_has(x, ',') | exportfmt_has(x, ';') |
		    exportfmt_has(x, 0x7f) | x) & EXPORTFMT_ONES * 0x80)
			break;
	}
	for (; i < len && exportfmt_plain[u[i]]; i++)
		;
	if (i == len && !formula) {
		memcpy(dst, s, len);
		return len;
	}
	/* Nothing to make visible: only quoting and neutralising to do. */
	for (; i < len && ((u[i] >= 0x20 && u[i] < 0x7f) || u[i] == '\t' ||
	    u[i] == '\n'); i++)
		;
	if (i == len && !formula) {
		/* Quoted, each quote doubled: what sanitize_csv does here. */
		char *d = dst;
		const char *p = s, *end = s + len, *q;

		*d++ = '"';
		while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
			memcpy(d, p, (size_t)(q - p + 1));
			d += q - p + 1;
			*d++ = '"';
			p = q + 1;
		}
		memcpy(d, p, (size_t)(end - p));
		d += end - p;
		*d++ = '"';
		return (size_t)(d - dst);
	}
	if (i == len)
		return sanitize_csv(dst, EXPORTFMT_CSV_SIZE(len), s, len);
	if (clean.max == 0)
		buf_init(&clean, SIZE_MAX / 8);
	buf_reset(&clean);
	if (exportfmt_clean(&clean, s, len) != 0)
		fatal("exportfmt: out of room");
	/* Cleaning at most quadruples; quoting at most doubles, plus 3. */
	return sanitize_csv(dst, EXPORTFMT_CSV_SIZE(len), clean.data != NULL ?
	    clean.data : "", clean.len);
}

/* Append len bytes of text as one CSV cell: cleaned, quoted, neutralised. */
int
exportfmt_csv_text(struct buf *out, const char *s, size_t len)
{
	static char *cell;
	static size_t cell_size;
	size_t n;

	if (cell_size < EXPORTFMT_CSV_SIZE(len)) {
		cell_size = EXPORTFMT_CSV_SIZE(len);
		cell = xrealloc(cell, cell_size);
	}
	n = exportfmt_csv(cell, s, len);
	return buf_add(out, cell, n);
}

/* True when a CSV record holds nothing a terminal would act on. */
bool
exportfmt_inert(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	for (size_t i = 0; i < len; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f)
			continue;
		if (u[i] == '\t' || u[i] == '\n')
			continue;
		if (u[i] < 0x80)
			return false;
		n = utf8_decode(u + i, len - i, &cp);
		if (cp == UTF8_INVALID)
			return false;
		if (cp < 0xa0 || exportfmt_bidi(cp))
			return false;
		i += n - 1;
	}
	return true;
}
