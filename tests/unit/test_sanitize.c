/*
 * test_sanitize.c: the sanitizer between untrusted text and the terminal.
 *
 * Widths come from wcwidth(), which follows LC_CTYPE: main() sets "C.UTF-8"
 * (always present on Debian) and fails when it cannot.
 */
#include "compat.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sanitize.h"

/* Byte spellings of the characters the sanitizer writes. */
#define ESC_PIC  "\xe2\x90\x9b"		/* U+241B ␛ */
#define BEL_PIC  "\xe2\x90\x87"		/* U+2407 ␇ */
#define NUL_PIC  "\xe2\x90\x80"		/* U+2400 ␀ */
#define LF_PIC   "\xe2\x90\x8a"		/* U+240A ␊ */
#define CR_PIC   "\xe2\x90\x8d"		/* U+240D ␍ */
#define DEL_PIC  "\xe2\x90\xa1"		/* U+2421 ␡ */
#define FFFD     "\xef\xbf\xbd"		/* U+FFFD � */
#define ELLIPSIS "\xe2\x80\xa6"		/* U+2026 … */
#define CIRCLE   "\xe2\x97\x8c"		/* U+25CC ◌ */
#define ACUTE    "\xcc\x81"		/* U+0301 combining acute */
#define ZHONG    "\xe4\xb8\xad"		/* U+4E2D 中, double width */
#define WEN      "\xe6\x96\x87"		/* U+6587 文 */
#define GRIN     "\xf0\x9f\x98\x80"	/* U+1F600 😀, double width */
#define ZWJ      "\xe2\x80\x8d"		/* U+200D */

/* Sanitize in into a large buffer and compare with want, exactly. */
static void
check_copy(const char *in, size_t len, int flags, const char *want)
{
	static char out[65536];
	size_t n;

	n = sanitize_copy(out, sizeof out, in, len, flags);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}
#define COPY(lit, flags, want) check_copy((lit), sizeof(lit) - 1, (flags), (want))

/* Fit in into cols columns and compare bytes and width. */
static void
check_fit(const char *in, int flags, int cols, const char *want, int want_w)
{
	char out[SANITIZE_FIT_SIZE(40)];
	size_t n;
	int w = -1;

	assert_true(cols <= 40);
	n = sanitize_fit(out, sizeof out, in, strlen(in), flags, cols, &w);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(w, want_w);
	assert_true(w <= (cols < 0 ? 0 : cols));
}

/* Whether len bytes hold a byte a terminal acts on (C0, DEL, C1 as a byte). */
static bool
has_control(const char *s, size_t len, bool allow_lf)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(allow_lf && c == '\n')) || c == 0x7f)
			return true;
		/* A C1 byte only as a continuation byte of valid UTF-8. */
		if (c >= 0x80 && c <= 0x9f && (i == 0 ||
		    (unsigned char)s[i - 1] < 0x80))
			return true;
	}
	return false;
}

/* Plain text passes unchanged in both modes; widths are byte counts. */
static void
test_plain(void **state)
{
	COPY("Tower A lobby door", 0, "Tower A lobby door");
	COPY("Tower A lobby door", SANITIZE_ASCII, "Tower A lobby door");
	COPY("", 0, "");
	COPY("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", 0,
	    "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./");
	assert_int_equal(sanitize_width("Riverside", 9, 0), 9);
	assert_int_equal(sanitize_width("", 0, 0), 0);
	assert_int_equal(sanitize_width(NULL, 0, 0), 0);
	COPY("Caf\xc3\xa9 \xc3\x85se", 0, "Caf\xc3\xa9 \xc3\x85se");
	COPY("Caf\xc3\xa9 \xc3\x85se", SANITIZE_ASCII, "Caf? ?se");
}

/* CSI "erase display", OSC "set title" with BEL, OSC 52 clipboard with ST. */
static void
test_escape_sequences(void **state)
{
	COPY("\x1b[2J", 0, ESC_PIC "[2J");
	COPY("\x1b[2J", SANITIZE_ASCII, "^[[2J");
	assert_int_equal(sanitize_width("\x1b[2J", 4, 0), 4);
	assert_int_equal(sanitize_width("\x1b[2J", 4, SANITIZE_ASCII), 5);

	COPY("\x1b]0;pwned\x07", 0, ESC_PIC "]0;pwned" BEL_PIC);
	COPY("\x1b]0;pwned\x07", SANITIZE_ASCII, "^[]0;pwned^G");

	COPY("\x1b]52;c;cm0gLXJmIH4=\x1b\\", 0,
	    ESC_PIC "]52;c;cm0gLXJmIH4=" ESC_PIC "\\");
	COPY("\x1b]52;c;cm0gLXJmIH4=\x1b\\", SANITIZE_ASCII,
	    "^[]52;c;cm0gLXJmIH4=^[\\");

	/* Colours, cursor moves, DCS, a terminal status report request. */
	COPY("\x1b[31mred\x1b[0m", 0, ESC_PIC "[31mred" ESC_PIC "[0m");
	COPY("\x1bP+q544e\x1b\\", 0, ESC_PIC "P+q544e" ESC_PIC "\\");
	COPY("\x1b[6n", SANITIZE_ASCII, "^[[6n");
}

/* C1 controls, as raw bytes (invalid UTF-8) and as encoded code points. */
static void
test_c1(void **state)
{
	/* 0x9B is CSI for a terminal that takes 8-bit controls. */
	COPY("\x9b" "31mred", 0, FFFD "31mred");
	COPY("\x9b" "31mred", SANITIZE_ASCII, "?31mred");
	COPY("\x9d" "0;title\x9c", 0, FFFD "0;title" FFFD);
	COPY("\xc2\x9b" "31m", 0, "<U+009B>31m");
	COPY("\xc2\x9b" "31m", SANITIZE_ASCII, "?31m");
	COPY("\xc2\x9d" "0;t\xc2\x9c", 0, "<U+009D>0;t<U+009C>");
	COPY("\xc2\x80\xc2\x85\xc2\x9f", 0, "<U+0080><U+0085><U+009F>");
	assert_int_equal(sanitize_width("\xc2\x9b", 2, 0), 8);
	assert_int_equal(sanitize_width("\xc2\x9b", 2, SANITIZE_ASCII), 1);
}

/* Every C0 control and DEL has one visible, inert form. */
static void
test_c0_all(void **state)
{
	char in[1], want[4], out[16];
	int c;

	for (c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		if (c == '\t') {
			check_copy(in, 1, 0, " ");
			check_copy(in, 1, SANITIZE_ASCII, " ");
			continue;
		}
		want[0] = (char)0xe2;
		want[1] = (char)0x90;
		want[2] = (char)(0x80 + c);
		want[3] = '\0';
		check_copy(in, 1, 0, want);
		assert_int_equal(sanitize_width(in, 1, 0), 1);
		want[0] = '^';
		want[1] = (char)(c + 0x40);
		want[2] = '\0';
		check_copy(in, 1, SANITIZE_ASCII, want);
		assert_int_equal(sanitize_width(in, 1, SANITIZE_ASCII), 2);
		sanitize_copy(out, sizeof out, in, 1, 0);
		assert_false(has_control(out, strlen(out), false));
	}
	COPY("\x7f", 0, DEL_PIC);
	COPY("\x7f", SANITIZE_ASCII, "^?");
}

/* A NUL inside the text is shown, and what follows it is not lost. */
static void
test_nul(void **state)
{
	COPY("a\0b", 0, "a" NUL_PIC "b");
	COPY("a\0b", SANITIZE_ASCII, "a^@b");
	COPY("\0\0", 0, NUL_PIC NUL_PIC);
	assert_int_equal(sanitize_width("a\0b", 3, 0), 3);
}

/* Newlines never break a one-line field; SANITIZE_NEWLINES keeps LF only. */
static void
test_newlines(void **state)
{
	COPY("one\ntwo\r\nx\ry\tz", 0,
	    "one" LF_PIC "two" CR_PIC LF_PIC "x" CR_PIC "y z");
	COPY("one\ntwo\r\nx\ry\tz", SANITIZE_ASCII, "one^Jtwo^M^Jx^My z");
	COPY("one\ntwo\r\nx\ry\tz", SANITIZE_NEWLINES,
	    "one\ntwo\nx" CR_PIC "y z");
	COPY("one\ntwo\r\nx\ry", SANITIZE_NEWLINES | SANITIZE_ASCII,
	    "one\ntwo\nx^My");
	COPY("\r", SANITIZE_NEWLINES, CR_PIC);
	COPY("\r\r\n", SANITIZE_NEWLINES, CR_PIC "\n");
	/* Width of multi-line text is its widest line. */
	assert_int_equal(sanitize_width("ab\nabcd\r\nx", 10, SANITIZE_NEWLINES), 4);
	assert_int_equal(sanitize_width("ab\nabcd", 7, 0), 7);
}

/* Bidi controls and hiding format characters are shown as <U+XXXX>. */
static void
test_bidi_and_format(void **state)
{
	COPY("abc\xe2\x80\xae" "fed", 0, "abc<U+202E>fed");
	COPY("abc\xe2\x80\xae" "fed", SANITIZE_ASCII, "abc?fed");
	assert_int_equal(sanitize_width("abc\xe2\x80\xae" "fed", 9, 0), 14);
	COPY("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
	    "<U+202A><U+202B><U+202C><U+202D>");
	COPY("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0,
	    "<U+2066><U+2067><U+2068><U+2069>");
	COPY("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0,
	    "<U+200E><U+200F><U+061C>");
	/* Zero width space, BOM, soft hyphen, word joiner, line separator. */
	COPY("ad\xe2\x80\x8bmin", 0, "ad<U+200B>min");
	COPY("\xef\xbb\xbfx", 0, "<U+FEFF>x");
	COPY("ad\xc2\xad" "min", 0, "ad<U+00AD>min");
	COPY("a\xe2\x81\xa0" "b", 0, "a<U+2060>b");
	COPY("a\xe2\x80\xa8" "b\xe2\x80\xa9", 0, "a<U+2028>b<U+2029>");
	/* Hangul filler, a blank "name", and tag characters hiding text. */
	COPY("\xe3\x85\xa4", 0, "<U+3164>");
	COPY("ok\xf3\xa0\x81\x81\xf3\xa0\x81\xbf", 0, "ok<U+E0041><U+E007F>");
	/* ZWJ and ZWNJ are kept for scripts and emoji. */
	COPY("a\xe2\x80\x8c" "b", 0, "a\xe2\x80\x8c" "b");
}

/* Each maximal ill-formed subpart of invalid UTF-8 becomes one U+FFFD. */
static void
test_invalid_utf8(void **state)
{
	/* Overlong forms of '/' and NUL. */
	COPY("\xc0\xaf", 0, FFFD FFFD);
	COPY("\xc1\xbf", 0, FFFD FFFD);
	COPY("\xe0\x80\xaf", 0, FFFD FFFD FFFD);
	COPY("\xf0\x80\x80\xaf", 0, FFFD FFFD FFFD FFFD);
	COPY("\xc0\x80", 0, FFFD FFFD);
	/* UTF-16 surrogates, alone and as a pair. */
	COPY("\xed\xa0\x80", 0, FFFD FFFD FFFD);
	COPY("\xed\xa0\xbd\xed\xb8\x80", 0, FFFD FFFD FFFD FFFD FFFD FFFD);
	/* Beyond U+10FFFF, and bytes that never occur. */
	COPY("\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);
	COPY("\xf5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD);
	COPY("\xf8\x88\x80\x80\x80", 0, FFFD FFFD FFFD FFFD FFFD);
	COPY("\xfe\xff", 0, FFFD FFFD);
	/* Truncated sequences: at the end, before ASCII, before another. */
	COPY("\xe2\x82", 0, FFFD);
	COPY("\xf0\x9f\x98", 0, FFFD);
	COPY("\xe2\x82" "A", 0, FFFD "A");
	COPY("\xe2\x82\xe2\x82\xac", 0, FFFD "\xe2\x82\xac");
	COPY("\xc3", 0, FFFD);
	/* Lone continuation bytes. */
	COPY("\x80\xbf", 0, FFFD FFFD);
	/* ASCII mode: one '?' per subpart, the same way. */
	COPY("\xe0\x80\xaf" "x\xe2\x82", SANITIZE_ASCII, "???x?");
	/* The edges of the valid ranges pass. */
	COPY("\xdf\xbf\xe0\xa0\x80\xef\xbf\xbd\xf0\x90\x80\x80", 0,
	    "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbd\xf0\x90\x80\x80");
	assert_int_equal(sanitize_width("\xed\xa0\x80", 3, 0), 3);
}

/* Code points wcwidth() calls unprintable become U+FFFD. */
static void
test_unprintable(void **state)
{
	COPY("\xcd\xb8", 0, FFFD);		/* U+0378, unassigned */
	COPY("\xef\xbf\xbe\xef\xbf\xbf", 0, FFFD FFFD);	/* noncharacters */
	COPY("\xf4\x8f\xbf\xbf", 0, FFFD);	/* U+10FFFF */
	COPY("\xef\xb7\x90", 0, FFFD);		/* U+FDD0 */
}

/* Zero-width marks: kept on their base, capped, on ◌ when nothing precedes. */
static void
test_marks(void **state)
{
	char in[64], want[64];
	size_t i, n = 0, m = 0;

	COPY("e" ACUTE, 0, "e" ACUTE);
	assert_int_equal(sanitize_width("e" ACUTE, 3, 0), 1);
	COPY("e" ACUTE, SANITIZE_ASCII, "e?");
	COPY(ACUTE "x", 0, CIRCLE ACUTE "x");
	assert_int_equal(sanitize_width(ACUTE "x", 3, 0), 2);
	COPY("a\n" ACUTE, SANITIZE_NEWLINES, "a\n" CIRCLE ACUTE);
	COPY("a\n" ACUTE, 0, "a" LF_PIC ACUTE);

	/* "Zalgo": twelve marks on one letter keep SANITIZE_MARKS_MAX. */
	in[n++] = 'Z';
	want[m++] = 'Z';
	for (i = 0; i < 12; i++) {
		memcpy(in + n, ACUTE, 2);
		n += 2;
		if (i < SANITIZE_MARKS_MAX) {
			memcpy(want + m, ACUTE, 2);
			m += 2;
		}
	}
	in[n++] = 'a';
	want[m++] = 'a';
	memcpy(in + n, ACUTE, 2);	/* a new base: marks count again */
	n += 2;
	memcpy(want + m, ACUTE, 2);
	m += 2;
	want[m] = '\0';
	check_copy(in, n, 0, want);
	assert_int_equal(sanitize_width(in, n, 0), 2);

	/* An emoji ZWJ sequence (man, woman, girl) and a flag are kept. */
	COPY("\xf0\x9f\x91\xa8" ZWJ "\xf0\x9f\x91\xa9" ZWJ "\xf0\x9f\x91\xa7", 0,
	    "\xf0\x9f\x91\xa8" ZWJ "\xf0\x9f\x91\xa9" ZWJ "\xf0\x9f\x91\xa7");
	COPY("\xe2\x9d\xa4\xef\xb8\x8f", 0, "\xe2\x9d\xa4\xef\xb8\x8f");
}

/* wcwidth(): double-width CJK and emoji count 2, marks 0, ASCII mode 1. */
static void
test_width(void **state)
{
	assert_int_equal(sanitize_width(ZHONG WEN, 6, 0), 4);
	assert_int_equal(sanitize_width(ZHONG WEN, 6, SANITIZE_ASCII), 2);
	assert_int_equal(sanitize_width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" "abc",
	    12, 0), 9);
	assert_int_equal(sanitize_width(GRIN, 4, 0), 2);
	assert_int_equal(sanitize_width(GRIN "x", 5, SANITIZE_ASCII), 2);
	assert_int_equal(sanitize_width("e" ACUTE "e" ACUTE, 6, 0), 2);
	assert_int_equal(sanitize_width("\xef\xbc\xa1", 3, 0), 2);	/* fullwidth A */
	assert_int_equal(sanitize_width("\xef\xbd\xb1", 3, 0), 1);	/* halfwidth katakana */
	COPY(ZHONG WEN, SANITIZE_ASCII, "??");
	COPY(GRIN, SANITIZE_ASCII, "?");
}

/* Fitting into columns: cut before what does not fit, with an ellipsis. */
static void
test_fit(void **state)
{
	check_fit("Tower A lobby door", 0, 10, "Tower A l" ELLIPSIS, 10);
	check_fit("Tower A lobby door", SANITIZE_ASCII, 10, "Tower A l~", 10);
	check_fit("Tower A lobby door", 0, 40, "Tower A lobby door", 18);
	check_fit("abcde", 0, 5, "abcde", 5);
	check_fit("abcde", 0, 4, "abc" ELLIPSIS, 4);
	check_fit("abcde", 0, 1, ELLIPSIS, 1);
	check_fit("abcde", 0, 0, "", 0);
	check_fit("abcde", 0, -3, "", 0);
	check_fit("", 0, 5, "", 0);

	/* Double width: never split; the ellipsis may leave one column. */
	check_fit(ZHONG WEN ZHONG WEN, 0, 8, ZHONG WEN ZHONG WEN, 8);
	check_fit(ZHONG WEN ZHONG WEN, 0, 7, ZHONG WEN ZHONG ELLIPSIS, 7);
	check_fit(ZHONG WEN ZHONG WEN, 0, 6, ZHONG WEN ELLIPSIS, 5);
	check_fit(ZHONG WEN ZHONG WEN, SANITIZE_PAD, 6, ZHONG WEN ELLIPSIS " ", 6);
	check_fit(ZHONG WEN, 0, 2, ELLIPSIS, 1);
	check_fit(ZHONG WEN, 0, 1, ELLIPSIS, 1);
	check_fit("ab" ZHONG WEN, 0, 4, "ab" ELLIPSIS, 3);
	check_fit(GRIN GRIN GRIN, 0, 5, GRIN GRIN ELLIPSIS, 5);
	check_fit(GRIN GRIN GRIN, 0, 4, GRIN ELLIPSIS, 3);
	check_fit(GRIN GRIN GRIN, SANITIZE_PAD, 4, GRIN ELLIPSIS " ", 4);
	check_fit(ZHONG WEN, SANITIZE_ASCII, 1, "~", 1);
	check_fit(ZHONG WEN, SANITIZE_ASCII, 2, "??", 2);
	check_fit(ZHONG WEN "x", SANITIZE_ASCII, 2, "?~", 2);

	/* Combining sequences stay whole, marks included. */
	check_fit("e" ACUTE "e" ACUTE "e" ACUTE, 0, 3,
	    "e" ACUTE "e" ACUTE "e" ACUTE, 3);
	check_fit("e" ACUTE "e" ACUTE "e" ACUTE, 0, 2, "e" ACUTE ELLIPSIS, 2);
	check_fit("e" ACUTE "e" ACUTE "e" ACUTE, SANITIZE_ASCII, 3, "e?~", 3);

	/* Hostile text fitted is still inert; markers are never split. */
	check_fit("\x1b[2J\x1b[H", 0, 3, ESC_PIC "[" ELLIPSIS, 3);
	check_fit("ab\xe2\x80\xae" "cd", 0, 6, "ab" ELLIPSIS, 3);
	check_fit("ab\xe2\x80\xae" "cd", 0, 12, "ab<U+202E>cd", 12);
	check_fit("a\nb", SANITIZE_NEWLINES, 5, "a" LF_PIC "b", 3);

	/* Padding for table cells. */
	check_fit("ab", SANITIZE_PAD, 5, "ab   ", 5);
	check_fit("", SANITIZE_PAD, 3, "   ", 3);
	check_fit(ZHONG, SANITIZE_PAD, 3, ZHONG " ", 3);
	check_fit("abcdef", SANITIZE_PAD | SANITIZE_ASCII, 4, "abc~", 4);
}

/* A buffer smaller than SANITIZE_FIT_SIZE cuts earlier, never overflows. */
static void
test_fit_small_buffer(void **state)
{
	char out[8];
	size_t n;
	int w;

	memset(out, 'X', sizeof out);
	n = sanitize_fit(out, 4, "abcdef", 6, SANITIZE_ASCII, 10, &w);
	assert_string_equal(out, "ab~");
	assert_int_equal(n, 3);
	assert_int_equal(w, 3);
	assert_int_equal(out[4], 'X');

	n = sanitize_fit(out, 4, "abcdef", 6, 0, 10, &w);
	assert_string_equal(out, ELLIPSIS);
	assert_int_equal(w, 1);

	n = sanitize_fit(out, 1, "abc", 3, 0, 10, &w);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(w, 0);

	n = sanitize_fit(out, 0, "abc", 3, 0, 10, NULL);
	assert_int_equal(n, 0);
	assert_int_equal(out[0], '\0');
}

/* Split in into lines of cols columns, joined by '|', to compare. */
static void
check_lines(const char *in, int flags, int cols, const char *want)
{
	char line[SANITIZE_FIT_SIZE(40)], all[1024];
	size_t len = strlen(in), used, n, at = 0;
	int w;

	all[0] = '\0';
	while (len > 0) {
		n = sanitize_line(line, sizeof line, in, len, flags, cols, &w,
		    &used);
		assert_true(used > 0 && used <= len);
		assert_int_equal(n, strlen(line));
		assert_true(w <= (cols < 1 ? 1 : cols));
		assert_int_equal(w, sanitize_width(line, n, 0));
		at += (size_t)snprintf(all + at, sizeof all - at, "%s%s",
		    at > 0 ? "|" : "", line);
		in += used;
		len -= used;
	}
	assert_string_equal(all, want);
}

/* Wrapping multi-line text such as a note. */
static void
test_line(void **state)
{
	check_lines("The quick brown fox jumps", 0, 10, "The quick|brown fox|jumps");
	check_lines("one\ntwo\r\nthree", 0, 10, "one|two|three");
	check_lines("one\n\nthree", 0, 10, "one||three");
	check_lines("abcdefghijkl", 0, 5, "abcde|fghij|kl");
	check_lines("hello world", 0, 5, "hello|world");
	check_lines(ZHONG WEN ZHONG, 0, 3, ZHONG "|" WEN "|" ZHONG);
	check_lines(ZHONG "a", 0, 1, ELLIPSIS "|a");
	check_lines(ZHONG "a", SANITIZE_ASCII, 1, "?|a");
	check_lines("ab" ACUTE "cd", 0, 2, "ab" ACUTE "|cd");
	check_lines("\x1b[2J\x07", 0, 10, ESC_PIC "[2J" BEL_PIC);
	check_lines("x\xe2\x80\xae" "y", 0, 4, "x|" ELLIPSIS "|y");
	check_lines("ab cd", SANITIZE_PAD, 4, "ab  |cd  ");
	check_lines("a\rb", SANITIZE_ASCII, 10, "a^Mb");
	check_lines("abc", 0, 0, "a|b|c");
}

/* CSV: RFC 4180 quoting and OWASP formula neutralisation. */
static void
test_csv(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "=1+1", "'=1+1" },
		{ "+1", "'+1" },
		{ "-1", "'-1" },
		{ "@SUM(A1:A9)", "'@SUM(A1:A9)" },
		{ "\t=1", "\"'\t=1\"" },
		{ "\r=1", "\"'\r=1\"" },
		{ "a,b", "\"a,b\"" },
		{ "a;b", "\"a;b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "line1\nline2", "\"line1\nline2\"" },
		{ "line1\r\nline2", "\"line1\r\nline2\"" },
		{ "x=1", "x=1" },
		{ "a-b", "a-b" },
		{ "'abc", "'abc" },
		{ "'=x", "''=x" },
		{ "''-1", "'''-1" },
		{ "'", "'" },
		{ "\x1b[2J", "\x1b[2J" },
	};
	char out[256];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		n = sanitize_csv(out, sizeof out, cases[i].in,
		    strlen(cases[i].in));
		assert_string_equal(out, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		assert_true(n < SANITIZE_CSV_SIZE(strlen(cases[i].in)));
	}

	/* Bytes are kept, NUL included. */
	n = sanitize_csv(out, sizeof out, "a\0b", 3);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "a\0b", 4);

	/* Too small: nothing but the NUL, and the length needed. */
	memset(out, 'X', sizeof out);
	n = sanitize_csv(out, 5, "a,b", 3);
	assert_int_equal(n, 5);
	assert_string_equal(out, "");
	assert_int_equal(sanitize_csv(NULL, 0, "-1", 2), 3);
}

/* Undo RFC 4180 quoting of one field in place; returns its length. */
static size_t
csv_unquote(char *s)
{
	size_t i, o = 0, len = strlen(s);

	if (len == 0 || s[0] != '"')
		return len;
	for (i = 1; i + 1 < len; i++) {
		s[o++] = s[i];
		if (s[i] == '"')
			i++;
	}
	s[o] = '\0';
	return o;
}

/* Values read back from CSV, with the added quote dropped, are the originals. */
static void
test_csv_round_trip(void **state)
{
	static const char *values[] = {
		"=HYPERLINK(\"http://x\",\"click\")", "+1", "-1", "@SUM(1)",
		"'", "'=", "''@x", "'abc", "\t", "\r\n", "a,\"b\";c", "",
		"-", "=", "plain text", "\x1b]0;title\x07",
	};
	char out[256];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(values); i++) {
		sanitize_csv(out, sizeof out, values[i], strlen(values[i]));
		assert_false(strchr("=+-@\t\r", out[out[0] == '"']) != NULL &&
		    out[out[0] == '"'] != '\0');
		n = csv_unquote(out);
		if (sanitize_csv_neutralised(out, n))
			assert_string_equal(out + 1, values[i]);
		else
			assert_string_equal(out, values[i]);
	}
	assert_false(sanitize_csv_neutralised("=x", 2));
	assert_false(sanitize_csv_neutralised("'abc", 4));
	assert_false(sanitize_csv_neutralised("'", 1));
	assert_true(sanitize_csv_neutralised("'-1", 3));
	assert_true(sanitize_csv_neutralised("''=x", 4));
}

/* snprintf-like truncation keeps whole output characters. */
static void
test_copy_truncation(void **state)
{
	char out[8];
	size_t n;

	memset(out, 'X', sizeof out);
	n = sanitize_copy(out, 5, "ab\x1b" "c", 4, 0);
	assert_int_equal(n, 6);
	assert_string_equal(out, "ab");
	assert_int_equal(out[5], 'X');
	n = sanitize_copy(out, 6, "ab\x1b" "c", 4, 0);
	assert_string_equal(out, "ab" ESC_PIC);
	n = sanitize_copy(NULL, 0, "\xc2\x85", 2, 0);
	assert_int_equal(n, 8);
}

/* Long hostile strings: exact size, nothing a terminal acts on. */
static void
test_long(void **state)
{
	size_t reps = 250000, len = reps * 4, i, n;
	char *in, *out, *plain;

	in = xmalloc(len);
	for (i = 0; i < reps; i++)
		memcpy(in + i * 4, "\x1b[2J", 4);
	out = sanitize_dup(in, len, 0);
	n = strlen(out);
	assert_int_equal(n, reps * 6);
	assert_false(has_control(out, n, false));
	assert_memory_equal(out, ESC_PIC "[2J" ESC_PIC "[2J", 12);
	assert_int_equal(sanitize_width(in, len, 0), (int)(reps * 4));
	free(out);

	/* The worst growth: every 2-byte C1 code point becomes 8 bytes. */
	for (i = 0; i < len / 2; i++)
		memcpy(in + i * 2, "\xc2\x9b", 2);
	n = sanitize_copy(NULL, 0, in, len, 0);
	assert_int_equal(n + 1, SANITIZE_SIZE(len));

	plain = xmalloc(len);
	memset(plain, 'a', len);
	out = sanitize_dup(plain, len, SANITIZE_ASCII);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, plain, len);
	free(out);
	free(plain);
	free(in);
}

/* The mode follows the locale's character set. */
static void
test_locale_flags(void **state)
{
	assert_int_equal(sanitize_locale_flags(), 0);
	assert_non_null(setlocale(LC_CTYPE, "C"));
	assert_int_equal(sanitize_locale_flags(), SANITIZE_ASCII);
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	assert_int_equal(sanitize_locale_flags(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_c0_all),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_newlines),
		cmocka_unit_test(test_bidi_and_format),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unprintable),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_round_trip),
		cmocka_unit_test(test_copy_truncation),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_locale_flags),
	};

	/* wcwidth() needs a UTF-8 LC_CTYPE; C.UTF-8 is always there on Debian. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_sanitize: cannot set LC_CTYPE to C.UTF-8\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
