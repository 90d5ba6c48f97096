/*
 * sanitize.c: untrusted bytes made safe and measured for a terminal.
 *
 * One walker turns the input into pieces: each piece is what one input
 * character (or one ill-formed byte sequence) becomes on the screen, with its
 * bytes and its width, and is either a base that starts a new cell, a
 * zero-width mark that belongs to the base before it, or a line break.  Every
 * function below is a different way of consuming the same pieces, so what is
 * measured is always what is written.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth() */
#endif
#include "compat.h"

#include <langinfo.h>
#include <limits.h>
#include <wchar.h>

#include "sanitize.h"
#include "utf8.h"

enum sanitize_kind {
	SANITIZE_BASE,		/* starts a new character cell (or several) */
	SANITIZE_MARK,		/* zero-width, joins the base before it */
	SANITIZE_BREAK,		/* a kept line break (SANITIZE_NEWLINES) */
	SANITIZE_DROP		/* nothing shown: a mark beyond the cap */
};

/* What one input character becomes. */
struct sanitize_piece {
	enum sanitize_kind kind;
	const char *p;		/* bytes to write: into the input or tmp */
	size_t len;
	int width;
	size_t start;		/* where the input character starts */
	char tmp[16];		/* "<U+E007F>", a control picture, "◌" + mark */
};

/* The walk over one input string. */
struct sanitize_walk {
	const unsigned char *s;
	size_t len;
	size_t pos;
	int flags;
	int marks;		/* marks after the current base; -1: no base yet */
	bool runs;		/* a run of printable ASCII may be one piece */
};

static const char sanitize_fffd[] = "\xef\xbf\xbd";	/* U+FFFD */
static const char sanitize_circle[] = "\xe2\x97\x8c";	/* U+25CC */
static const char sanitize_ellipsis[] = "\xe2\x80\xa6";	/* U+2026 */

/*
 * Whether a code point is a C1 control, a bidi control or a format character
 * that hides or breaks text, and so is shown as "<U+XXXX>" (see sanitize.h).
 */
static bool
sanitize_hidden(uint32_t cp)
{
	if (cp < 0x80)
		return false;
	if (cp <= 0x9f)
		return true;
	switch (cp) {
	case 0x00ad:	/* soft hyphen */
	case 0x061c:	/* Arabic letter mark */
	case 0x115f:	/* Hangul fillers */
	case 0x1160:
	case 0x180e:	/* Mongolian vowel separator */
	case 0x200b:	/* zero width space */
	case 0x200e:	/* left-to-right and right-to-left marks */
	case 0x200f:
	case 0x3164:
	case 0xfeff:	/* zero width no-break space */
	case 0xffa0:
		return true;
	}
	return (cp >= 0x2028 && cp <= 0x202e) ||	/* separators, embeddings, overrides */
	    (cp >= 0x2060 && cp <= 0x206f) ||		/* invisible operators, isolates */
	    (cp >= 0xfff9 && cp <= 0xfffb) ||		/* interlinear annotation */
	    (cp >= 0x1bca0 && cp <= 0x1bca3) ||		/* shorthand format controls */
	    (cp >= 0x1d173 && cp <= 0x1d17a) ||		/* musical format controls */
	    (cp >= 0xe0000 && cp <= 0xe007f);		/* tags */
}

/* Start a walk over len bytes of src. */
static void
sanitize_start(struct sanitize_walk *w, const char *src, size_t len, int flags)
{
	w->s = (const unsigned char *)src;
	w->len = src == NULL ? 0 : len;
	w->pos = 0;
	w->flags = flags;
	w->marks = -1;
	w->runs = false;
}

/* Make pc a base piece of static or input bytes. */
static void
sanitize_set(struct sanitize_piece *pc, const char *p, size_t len, int width)
{
	pc->kind = SANITIZE_BASE;
	pc->p = p;
	pc->len = len;
	pc->width = width;
}

/* Turn an ASCII control byte (C0 or DEL) into its visible form. */
static void
sanitize_control(struct sanitize_walk *w, struct sanitize_piece *pc,
    unsigned char c)
{
	if (c == '\t') {
		sanitize_set(pc, " ", 1, 1);
		return;
	}
	if (w->flags & SANITIZE_ASCII) {
		pc->tmp[0] = '^';
		pc->tmp[1] = c == 0x7f ? '?' : (char)(c + 0x40);
		sanitize_set(pc, pc->tmp, 2, 2);
		return;
	}
	/* U+2400 + c, and U+2421 for DEL: E2 90 80+c, E2 90 A1. */
	pc->tmp[0] = (char)0xe2;
	pc->tmp[1] = (char)0x90;
	pc->tmp[2] = (char)(c == 0x7f ? 0xa1 : 0x80 + c);
	sanitize_set(pc, pc->tmp, 3, 1);
}

/* The replacement for what cannot be shown: U+FFFD, or '?' in ASCII mode. */
static void
sanitize_replace(struct sanitize_walk *w, struct sanitize_piece *pc)
{
	if (w->flags & SANITIZE_ASCII)
		sanitize_set(pc, "?", 1, 1);
	else
		sanitize_set(pc, sanitize_fffd, 3, 1);
}

/* Turn the input character at the walk's position into the next piece. */
static void
sanitize_next(struct sanitize_walk *w, struct sanitize_piece *pc)
{
	const unsigned char *s = w->s + w->pos;
	size_t left = w->len - w->pos, n;
	uint32_t cp;
	int cw;

	pc->start = w->pos;
	if (*s >= 0x20 && *s < 0x7f) {
		n = 1;
		if (w->runs)
			while (n < left && s[n] >= 0x20 && s[n] < 0x7f)
				n++;
		sanitize_set(pc, (const char *)s, n, (int)n);
		w->pos += n;
		w->marks = 0;
		return;
	}
	if (*s < 0x80) {
		w->pos++;
		if (w->flags & SANITIZE_NEWLINES) {
			if (*s == '\r' && left > 1 && s[1] == '\n')
				w->pos++;
			if (*s == '\n' || w->pos - pc->start == 2) {
				sanitize_set(pc, "\n", 1, 0);
				pc->kind = SANITIZE_BREAK;
				w->marks = -1;
				return;
			}
		}
		sanitize_control(w, pc, *s);
		w->marks = 0;
		return;
	}

	n = utf8_decode(s, left, &cp);
	w->pos += n;
	if (cp == UTF8_INVALID || (w->flags & SANITIZE_ASCII)) {
		sanitize_replace(w, pc);
		w->marks = 0;
		return;
	}
	if (sanitize_hidden(cp)) {
		n = (size_t)snprintf(pc->tmp, sizeof pc->tmp, "<U+%04" PRIX32 ">",
		    cp);
		sanitize_set(pc, pc->tmp, n, (int)n);
		w->marks = 0;
		return;
	}
	cw = wcwidth((wchar_t)cp);
	if (cw < 0) {
		sanitize_replace(w, pc);
		w->marks = 0;
		return;
	}
	if (cw > 0) {
		sanitize_set(pc, (const char *)s, n, cw);
		w->marks = 0;
		return;
	}

	/* A zero-width mark: on a dotted circle when nothing precedes it. */
	if (w->marks < 0) {
		memcpy(pc->tmp, sanitize_circle, 3);
		memcpy(pc->tmp + 3, s, n);
		sanitize_set(pc, pc->tmp, 3 + n, 1);
		w->marks = 1;
		return;
	}
	pc->p = (const char *)s;
	pc->len = n;
	pc->width = 0;
	if (w->marks >= SANITIZE_MARKS_MAX) {
		pc->kind = SANITIZE_DROP;
		pc->len = 0;
		return;
	}
	pc->kind = SANITIZE_MARK;
	w->marks++;
}

/* The mode for the current LC_CTYPE. */
int
sanitize_locale_flags(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf-8") == 0 ||
	    strcmp(cs, "UTF8") == 0 || strcmp(cs, "utf8") == 0))
		return 0;
	return SANITIZE_ASCII;
}

/* Sanitize src into dst, returning the length of the whole result. */
size_t
sanitize_copy(char *dst, size_t size, const char *src, size_t len, int flags)
{
	struct sanitize_walk w;
	struct sanitize_piece pc;
	size_t need = 0, off = 0;
	bool full = false;

	sanitize_start(&w, src, len, flags);
	w.runs = true;
	while (w.pos < w.len) {
		sanitize_next(&w, &pc);
		if (!full && off + pc.len < size) {
			memcpy(dst + off, pc.p, pc.len);
			off += pc.len;
		} else
			full = true;
		need += pc.len;
	}
	if (size > 0)
		dst[off] = '\0';
	return need;
}

/* Sanitize src into a new string. */
char *
sanitize_dup(const char *src, size_t len, int flags)
{
	size_t need;
	char *out;

	need = sanitize_copy(NULL, 0, src, len, flags);
	out = xmalloc(need + 1);
	sanitize_copy(out, need + 1, src, len, flags);
	return out;
}

/* The display width of the sanitized form of src (widest line). */
int
sanitize_width(const char *src, size_t len, int flags)
{
	struct sanitize_walk w;
	struct sanitize_piece pc;
	long long line = 0, widest = 0;

	sanitize_start(&w, src, len, flags);
	w.runs = true;
	while (w.pos < w.len) {
		sanitize_next(&w, &pc);
		if (pc.kind == SANITIZE_BREAK)
			line = 0;
		else
			line += pc.width;
		if (line > widest)
			widest = line;
	}
	return widest > INT_MAX ? INT_MAX : (int)widest;
}

/* Append spaces up to cols columns while the buffer has room, then the NUL. */
static size_t
sanitize_pad(char *dst, size_t size, size_t off, int *wd, int cols,
    bool pad)
{
	if (size == 0)
		return 0;
	while (pad && *wd < cols && off + 1 < size) {
		dst[off++] = ' ';
		(*wd)++;
	}
	dst[off] = '\0';
	return off;
}

/* Sanitize src into at most cols columns of one line, with an ellipsis if cut. */
size_t
sanitize_fit(char *dst, size_t size, const char *src, size_t len, int flags,
    int cols, int *width)
{
	struct sanitize_walk w;
	struct sanitize_piece pc;
	const char *ell;
	size_t off = 0, cut_off = 0, elen, rest;
	int wd = 0, cut_wd = 0;
	bool pad = (flags & SANITIZE_PAD) != 0, can_cut = false, cut = false;

	if (cols < 0)
		cols = 0;
	if (flags & SANITIZE_ASCII) {
		ell = "~";
		elen = 1;
	} else {
		ell = sanitize_ellipsis;
		elen = 3;
	}
	sanitize_start(&w, src, len, flags & ~SANITIZE_NEWLINES);
	while (size > 0 && w.pos < w.len) {
		sanitize_next(&w, &pc);
		if (pc.kind == SANITIZE_DROP)
			continue;
		if (pc.kind == SANITIZE_BASE) {
			/*
			 * What is written so far ends with a whole character
			 * and its marks: the last such place where an ellipsis
			 * (and the padding after it) still fits is where a cut
			 * goes.
			 */
			rest = pad ? (size_t)(cols - wd - 1) : 0;
			if (wd < cols && off + elen + rest < size) {
				cut_off = off;
				cut_wd = wd;
				can_cut = true;
			}
			if (pc.width > cols - wd) {
				cut = true;
				break;
			}
		}
		rest = pad ? (size_t)(cols - wd - pc.width) : 0;
		if (off + pc.len + rest >= size) {
			cut = true;
			break;
		}
		memcpy(dst + off, pc.p, pc.len);
		off += pc.len;
		wd += pc.width;
	}
	if (cut) {
		off = cut_off;
		wd = cut_wd;
		if (can_cut) {
			memcpy(dst + off, ell, elen);
			off += elen;
			wd++;
		}
	}
	off = sanitize_pad(dst, size, off, &wd, cols, pad);
	if (width != NULL)
		*width = wd;
	return off;
}

/* Sanitize the first display line of src, for wrapping. */
size_t
sanitize_line(char *dst, size_t size, const char *src, size_t len, int flags,
    int cols, int *width, size_t *used)
{
	struct sanitize_walk w;
	struct sanitize_piece pc;
	size_t off = 0, sp_off = 0, sp_used = 0, rest, elen;
	int wd = 0, sp_wd = 0;
	bool pad = (flags & SANITIZE_PAD) != 0, have_sp = false, fits;

	if (cols < 1)
		cols = 1;
	elen = (flags & SANITIZE_ASCII) ? 1 : 3;
	sanitize_start(&w, src, len, flags | SANITIZE_NEWLINES);
	*used = 0;
	while (w.pos < w.len) {
		sanitize_next(&w, &pc);
		if (pc.kind == SANITIZE_BREAK) {
			*used = w.pos;
			goto done;
		}
		if (pc.kind == SANITIZE_DROP) {
			*used = w.pos;
			continue;
		}
		fits = pc.width <= cols - wd;
		if (fits) {
			rest = pad ? (size_t)(cols - wd - pc.width) : 0;
			fits = off + pc.len + rest < size;
		}
		if (!fits) {
			if (pc.kind == SANITIZE_BASE && pc.len == 1 &&
			    *pc.p == ' ') {
				/* The space that would not fit ends the line. */
				*used = w.pos;
			} else if (have_sp) {
				off = sp_off;
				wd = sp_wd;
				*used = sp_used;
			} else if (off == 0) {
				/* Wider than the line: show that it was there. */
				*used = w.pos;
				while (w.pos < w.len) {
					sanitize_next(&w, &pc);
					if (pc.kind != SANITIZE_MARK &&
					    pc.kind != SANITIZE_DROP)
						break;
					*used = w.pos;
				}
				if (elen < size) {
					memcpy(dst, (flags & SANITIZE_ASCII) ?
					    "~" : sanitize_ellipsis, elen);
					off = elen;
					wd = 1;
				}
			}
			goto done;
		}
		if (pc.kind == SANITIZE_BASE && pc.len == 1 && *pc.p == ' ' &&
		    off > 0) {
			sp_off = off;
			sp_wd = wd;
			sp_used = w.pos;
			have_sp = true;
		}
		memcpy(dst + off, pc.p, pc.len);
		off += pc.len;
		wd += pc.width;
		*used = w.pos;
	}
done:
	if (*used == 0 && len > 0)
		*used = 1;	/* no room at all: still make progress */
	off = sanitize_pad(dst, size, off, &wd, cols, pad);
	if (width != NULL)
		*width = wd;
	return off;
}

/* Whether a field starts, after any single quotes, with a formula trigger. */
static bool
sanitize_csv_trigger(const char *s, size_t len, size_t *quotes)
{
	size_t i = 0;

	while (i < len && s[i] == '\'')
		i++;
	*quotes = i;
	return i < len && strchr("=+-@\t\r", s[i]) != NULL && s[i] != '\0';
}

/* Format src as one neutralised, RFC 4180 quoted CSV field. */
size_t
sanitize_csv(char *dst, size_t size, const char *src, size_t len)
{
	size_t need, i, off = 0, quotes;
	bool prefix, quote = false;

	if (src == NULL)
		len = 0;
	prefix = sanitize_csv_trigger(src, len, &quotes);
	need = len + (prefix ? 1 : 0);
	for (i = 0; i < len; i++) {
		switch (src[i]) {
		case '"':
			need++;
			/* FALLTHROUGH */
		case ',':
		case ';':
		case '\r':
		case '\n':
		case '\t':
			quote = true;
			break;
		}
	}
	if (quote)
		need += 2;
	if (size == 0)
		return need;
	if (need >= size) {
		dst[0] = '\0';
		return need;
	}
	if (quote)
		dst[off++] = '"';
	if (prefix)
		dst[off++] = '\'';
	for (i = 0; i < len; i++) {
		if (src[i] == '"')
			dst[off++] = '"';
		dst[off++] = src[i];
	}
	if (quote)
		dst[off++] = '"';
	dst[off] = '\0';
	return need;
}

/* Whether a field read back carries a quote added by the neutralisation. */
bool
sanitize_csv_neutralised(const char *field, size_t len)
{
	size_t quotes;

	return sanitize_csv_trigger(field, len, &quotes) && quotes > 0;
}
