/*
 * fuzz_sanitize.c: libFuzzer harness for the terminal sanitizer.
 *
 * The first input byte picks the flags (and with 0x80, token mode: see
 * fuzz_tokens), the second the columns; the rest is the untrusted text.  Every function of sanitize.h runs on it and the
 * harness aborts when an output breaks a promise: invalid UTF-8, a byte below
 * 0x20 (other than a kept LF) or 0x7F, a C1 or bidi control code point, a
 * code point wcwidth() rejects, a zero-width code point that starts a line or
 * follows SANITIZE_MARKS_MAX others, a width that differs from what wcwidth() says
 * of the output or that exceeds the columns asked for, a result that changes
 * when sanitized again, or a CSV field that does not read back to the value.
 * See tests/fuzz/README.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth() */
#endif
#include "compat.h"

#include <locale.h>
#include <wchar.h>

#include "sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_COLS_MAX 100

/* Stop with a message: libFuzzer saves the input that got here. */
static void
fuzz_fail(const char *what, const char *out, size_t len)
{
	size_t i;

	fprintf(stderr, "fuzz_sanitize: %s; output (%zu bytes):", what, len);
	for (i = 0; i < len && i < 200; i++)
		fprintf(stderr, " %02x", (unsigned char)out[i]);
	fputc('\n', stderr);
	abort();
}

/* Decode one well-formed UTF-8 character, or return 0 for ill-formed input. */
static size_t
fuzz_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Shortest form only, no surrogates, nothing past U+10FFFF. */
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Whether a code point reorders text around it. */
static bool
fuzz_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Check that out is safe for a terminal in the mode of flags and return its
 * display width by wcwidth() (widest line when LF may be kept).
 */
static int
fuzz_check(const char *out, size_t len, int flags, bool lf_ok)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t i = 0, n;
	uint32_t cp;
	int line = 0, widest = 0, w, marks = -1;

	if (strlen(out) != len)
		fuzz_fail("NUL inside the output or length wrong", out, len);
	while (i < len) {
		if ((flags & SANITIZE_ASCII) && s[i] >= 0x80)
			fuzz_fail("non-ASCII byte in ASCII mode", out, len);
		n = fuzz_utf8(s + i, len - i, &cp);
		if (n == 0)
			fuzz_fail("invalid UTF-8", out, len);
		i += n;
		if (cp == '\n' && lf_ok) {
			line = 0;
			marks = -1;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f)
			fuzz_fail("C0 control or DEL", out, len);
		if (cp >= 0x80 && cp <= 0x9f)
			fuzz_fail("C1 control", out, len);
		if (fuzz_bidi(cp))
			fuzz_fail("bidi control", out, len);
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			fuzz_fail("code point wcwidth() rejects", out, len);
		if (w > 0)
			marks = 0;
		else if (marks < 0)
			fuzz_fail("zero-width code point starts a line", out, len);
		else if (++marks > SANITIZE_MARKS_MAX)
			fuzz_fail("more than SANITIZE_MARKS_MAX marks", out, len);
		line += w;
		if (line > widest)
			widest = line;
	}
	return widest;
}

/* Sanitized output and what it must equal when sanitized again. */
static void
fuzz_copy(const char *text, size_t len, int flags, size_t small)
{
	char *out, *again, *part;
	size_t n, m;
	int w;

	out = sanitize_dup(text, len, flags);
	n = strlen(out);
	if (n > 4 * len)
		fuzz_fail("output longer than SANITIZE_SIZE", out, n);
	if (sanitize_copy(NULL, 0, text, len, flags) != n)
		fuzz_fail("measured length differs from the output", out, n);
	w = fuzz_check(out, n, flags, (flags & SANITIZE_NEWLINES) != 0);
	if (sanitize_width(text, len, flags) != w)
		fuzz_fail("sanitize_width differs from wcwidth of output", out, n);

	again = sanitize_dup(out, n, flags);
	if (strcmp(again, out) != 0)
		fuzz_fail("sanitizing twice changes the result", again,
		    strlen(again));
	free(again);

	/* A short buffer holds a NUL-terminated prefix of whole characters. */
	part = xmalloc(small + 1);
	memset(part, 'X', small + 1);
	m = sanitize_copy(part, small, text, len, flags);
	if (m != n)
		fuzz_fail("short copy returns another length", part, 0);
	if (small > 0) {
		m = strlen(part);
		if (m >= small || memcmp(part, out, m) != 0)
			fuzz_fail("short copy is not a prefix", part, m);
		fuzz_check(part, m, flags, (flags & SANITIZE_NEWLINES) != 0);
	}
	if (part[small] != 'X')
		fuzz_fail("short copy wrote past its size", part, small);
	free(part);
	free(out);
}

/* Fitting into cols columns, padded or not. */
static void
fuzz_fit(const char *text, size_t len, int flags, int cols)
{
	char out[SANITIZE_FIT_SIZE(FUZZ_COLS_MAX)];
	char bare[SANITIZE_FIT_SIZE(FUZZ_COLS_MAX)];
	char *full;
	size_t n, nb, nf, size = SANITIZE_FIT_SIZE(cols);
	int w, wb, fw, one = flags & ~(SANITIZE_NEWLINES | SANITIZE_PAD);
	const char *ell = (flags & SANITIZE_ASCII) ? "~" : "\xe2\x80\xa6";
	size_t elen = strlen(ell);

	n = sanitize_fit(out, size, text, len, flags, cols, &w);
	if (fuzz_check(out, n, flags, false) != w)
		fuzz_fail("fit width differs from wcwidth of output", out, n);
	if (w > cols)
		fuzz_fail("fit wider than cols", out, n);
	if ((flags & SANITIZE_PAD) && w != cols)
		fuzz_fail("padded fit not exactly cols", out, n);

	nb = sanitize_fit(bare, size, text, len, one, cols, &wb);
	if ((flags & SANITIZE_PAD) && (n != nb + (size_t)(cols - wb) ||
	    memcmp(out, bare, nb) != 0 || strspn(out + nb, " ") != n - nb))
		fuzz_fail("padding is not the bare fit and spaces", out, n);

	full = sanitize_dup(text, len, one);
	nf = strlen(full);
	fw = sanitize_width(text, len, one);
	if (fw <= cols) {
		if (strcmp(bare, full) != 0)
			fuzz_fail("text that fits was changed", bare, nb);
	} else if (cols > 0) {
		if (nb < elen || memcmp(bare + nb - elen, ell, elen) != 0 ||
		    nb - elen > nf || memcmp(bare, full, nb - elen) != 0)
			fuzz_fail("cut text is not a prefix and an ellipsis",
			    bare, nb);
	} else if (nb != 0)
		fuzz_fail("zero columns but output", bare, nb);
	free(full);
}

/* Wrapping into lines of cols columns until the text is used up. */
static void
fuzz_lines(const char *text, size_t len, int flags, int cols)
{
	char out[SANITIZE_FIT_SIZE(FUZZ_COLS_MAX + 1)];
	size_t n, used, lines = 0;
	int w, max = cols < 1 ? 1 : cols;

	while (len > 0) {
		n = sanitize_line(out, SANITIZE_FIT_SIZE(max), text, len,
		    flags, cols, &w, &used);
		if (used == 0 || used > len)
			fuzz_fail("line consumed nothing or too much", out, n);
		if (fuzz_check(out, n, flags, false) != w || w > max)
			fuzz_fail("line width wrong", out, n);
		if ((flags & SANITIZE_PAD) && w != max)
			fuzz_fail("padded line not exactly cols", out, n);
		text += used;
		len -= used;
		lines++;
	}
	(void)lines;
}

/* A CSV field must read back to the value and never start a formula. */
static void
fuzz_csv(const char *text, size_t len)
{
	char *out, *back;
	size_t n, i, o = 0, start, end;

	out = xmalloc(SANITIZE_CSV_SIZE(len));
	n = sanitize_csv(out, SANITIZE_CSV_SIZE(len), text, len);
	if (n >= SANITIZE_CSV_SIZE(len))
		fuzz_fail("CSV field larger than SANITIZE_CSV_SIZE", out, 0);
	back = xmalloc(n + 1);
	if (n > 0 && out[0] == '"') {
		if (n < 2 || out[n - 1] != '"')
			fuzz_fail("CSV quote not closed", out, n);
		start = 1;
		end = n - 1;
		for (i = start; i < end; i++) {
			if (out[i] == '"') {
				if (i + 1 >= end || out[i + 1] != '"')
					fuzz_fail("lone quote in field", out, n);
				i++;
			}
			back[o++] = out[i];
		}
	} else {
		for (i = 0; i < n; i++) {
			if (strchr(",\";\r\n\t", out[i]) != NULL && out[i] != '\0')
				fuzz_fail("unquoted field needs quotes", out, n);
			back[o++] = out[i];
		}
	}
	if (o > 0 && strchr("=+-@\t\r", back[0]) != NULL && back[0] != '\0')
		fuzz_fail("field starts a formula", out, n);
	if (sanitize_csv_neutralised(back, o)) {
		if (o - 1 != len || memcmp(back + 1, text, len) != 0)
			fuzz_fail("neutralised field does not read back", out, n);
	} else if (o != len || memcmp(back, text, len) != 0)
		fuzz_fail("field does not read back", out, n);
	free(back);
	free(out);
}

/*
 * Fragments a hostile or merely unusual label is made of.  In token mode an
 * input byte from 0xC0 up stands for one of them, so the fuzzer combines
 * whole escape sequences, bidi controls and marks instead of having to guess
 * each multi-byte spelling.
 */
static const char *const fuzz_tokens[] = {
	"\x1b", "\x1b[", "\x1b]52;c;", "\x07", "\x1b\\", "\x9b", "\x9d", "\x9c",
	"\xc2\x9b", "\xc2\x85", "\xc2\x9f", "\xc2\x80",
	"\xe2\x80\xae", "\xe2\x80\xad", "\xe2\x80\xaa", "\xe2\x80\xab",
	"\xe2\x80\xac", "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",
	"\xe2\x81\xa9", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c",
	"\xe2\x80\x8b", "\xef\xbb\xbf", "\xc2\xad", "\xe2\x80\xa8",
	"\xe2\x80\xa9", "\xf3\xa0\x81\x81", "\xe3\x85\xa4", "\xe2\x81\xa0",
	"\xcc\x81", "\xcc\x81\xcc\x82\xcc\x83", "\xe2\x80\x8d", "\xe2\x80\x8c",
	"\xef\xb8\x8f", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xef\xbc\xa1",
	"\xef\xbf\xbd", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf",
	"\xf4\x90\x80\x80", "\xe2\x82", "\xf0\x9f\x98", "\xcd\xb8",
	"\n", "\r\n", "\r", "\t", " ", "", "\x7f", "=", "'", "\"",
	",", ";", "-", "@",
};

/* Expand token mode input into text (see fuzz_tokens); returns its length. */
static size_t
fuzz_expand(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0, n;
	const char *t;

	for (i = 0; i < len; i++) {
		if (in[i] < 0xc0) {
			out[o++] = (char)in[i];
			continue;
		}
		t = fuzz_tokens[(in[i] - 0xc0) % ARRAY_LEN(fuzz_tokens)];
		n = *t == '\0' ? 1 : strlen(t);	/* "" is one NUL */
		memcpy(out + o, t, n);
		o += n;
	}
	return o;
}

/* Set the UTF-8 locale wcwidth() needs. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "fuzz_sanitize: cannot set LC_CTYPE to C.UTF-8\n");
		exit(1);
	}
	return 0;
}

/* Run every sanitizer function on one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;
	size_t len;
	int flags, cols;

	char *expanded = NULL;

	if (size < 2)
		return 0;
	flags = data[0] & (SANITIZE_ASCII | SANITIZE_NEWLINES | SANITIZE_PAD);
	cols = data[1] % (FUZZ_COLS_MAX + 1);
	text = (const char *)data + 2;
	len = size - 2;
	if (data[0] & 0x80) {
		expanded = xmalloc(len * 16 + 1);
		len = fuzz_expand(data + 2, len, expanded);
		text = expanded;
	}

	fuzz_copy(text, len, flags, (size_t)data[1]);
	fuzz_fit(text, len, flags, cols);
	fuzz_lines(text, len, flags, cols);
	fuzz_csv(text, len);
	free(expanded);
	return 0;
}
