/*
 * sanitize.h: the one gate between untrusted text and a terminal.
 *
 * Everything that came from outside the process (site, point and guard names,
 * labels, notes, event values, credentials, messages from the server) passes
 * through here before the console draws it or a headless command prints it to
 * a terminal.  The output can never make a terminal act: it holds no ESC, CSI,
 * OSC, BEL or other control byte, no C1 control (as a code point or as a raw
 * byte), no bidirectional control that could reorder the text around it, no
 * invalid UTF-8, and its display width is known.
 *
 * Input is any bytes: a pointer and a length, NUL and invalid UTF-8 allowed.
 * Output depends on the mode chosen with the flags:
 *
 *   input                                 UTF-8 mode (default)   SANITIZE_ASCII
 *   printable ASCII 0x20-0x7E             unchanged              unchanged
 *   TAB                                   one space              one space
 *   other C0 control 0x00-0x1F, LF and CR the control picture    caret notation
 *                                         U+2400+c ("␛", "␊")    ("^[", "^J")
 *   DEL 0x7F                              U+2421 "␡"             "^?"
 *   C1 control U+0080-U+009F              "<U+009B>"             "?"
 *   bidi control or hiding format         "<U+202E>"             "?"
 *     character (list below)
 *   invalid UTF-8, one per maximal        U+FFFD "�"             "?"
 *     ill-formed subpart (so a raw C1
 *     byte 0x80-0x9F is U+FFFD too)
 *   code point with wcwidth() < 0         U+FFFD "�"             "?"
 *     (unassigned, noncharacter)
 *   zero-width code point (combining      kept, at most          "?"
 *     mark, ZWJ, variation selector)      SANITIZE_MARKS_MAX
 *                                         after each character,
 *                                         the rest dropped; on
 *                                         U+25CC "◌" when nothing
 *                                         precedes it
 *   any other code point                  unchanged              "?"
 *
 * Bidi controls and hiding format characters are shown as "<U+XXXX>" rather
 * than removed so that a tampered label is seen as tampered: U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069 (reorder text), U+2028, U+2029 (break
 * lines in some renderers), U+00AD, U+115F, U+1160, U+180E, U+200B, U+2060-
 * U+2065, U+206A-U+206F, U+3164, U+FEFF, U+FFA0, U+FFF9-U+FFFB, U+1BCA0-
 * U+1BCA3, U+1D173-U+1D17A and the tag characters U+E0000-U+E007F (invisible,
 * or blank though not spaces).  U+200C and U+200D stay: scripts and emoji
 * need them, and they are zero-width marks under the cap above.
 *
 * Newlines: by default the output is one line; LF and CR are control pictures
 * like any other control, so a one-line field can never break its line.
 * With SANITIZE_NEWLINES an LF (or a CR LF pair) is kept as a single LF for
 * multi-line text; a lone CR is still a control picture.
 *
 * Widths come from wcwidth(3), so UTF-8 mode needs a UTF-8 LC_CTYPE
 * (setlocale(LC_CTYPE, "") in main; tests use "C.UTF-8").  Under a non-UTF-8
 * locale wcwidth() rejects every non-ASCII code point and UTF-8 mode shows
 * them as U+FFFD: still safe, but use sanitize_locale_flags() to pick
 * SANITIZE_ASCII there.  ASCII mode never calls wcwidth() and every output
 * byte is one column wide.
 *
 * Nothing here allocates except sanitize_dup() (one allocation per string);
 * the rest write into the caller's buffer and always NUL-terminate it when
 * its size is not 0.  Sanitize each field on its own, never an assembled
 * line: the caller's own separators and newlines are not untrusted.
 */
#ifndef VIGIL_SANITIZE_H
#define VIGIL_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Output 7-bit printable ASCII only: the terminal's locale is not UTF-8. */
#define SANITIZE_ASCII    0x1
/* Keep LF (and CR LF, as one LF) as a line break; otherwise it is shown. */
#define SANITIZE_NEWLINES 0x2
/* sanitize_fit() and sanitize_line(): pad with spaces to exactly cols. */
#define SANITIZE_PAD      0x4

/*
 * Zero-width code points kept after one character.  Real text needs two or
 * three (Vietnamese tone over a vowel mark, an emoji with ZWJ and a variation
 * selector); dozens stacked on one letter ("zalgo" text) draw over the rows
 * above and below in many terminals and could hide another alarm.
 */
#define SANITIZE_MARKS_MAX 4

/*
 * Buffer sizes (with the NUL) that always hold the whole result: for
 * sanitize_copy() of len input bytes (a 2-byte C1 code point becomes the
 * 8-byte "<U+0085>"), for sanitize_fit() and sanitize_line() into cols columns
 * (one column holds at most a 4-byte character and its marks), and for
 * sanitize_csv() of len input bytes.
 */
#define SANITIZE_SIZE(len)      ((size_t)(len) * 4 + 1)
#define SANITIZE_FIT_SIZE(cols) \
	((size_t)(cols) * (4 + 4 * SANITIZE_MARKS_MAX) + 1)
#define SANITIZE_CSV_SIZE(len)  ((size_t)(len) * 2 + 4)

/*
 * The mode for the current LC_CTYPE: 0 (UTF-8) when nl_langinfo(CODESET) is
 * UTF-8, SANITIZE_ASCII otherwise.  Call after setlocale(); OR in other flags.
 */
int sanitize_locale_flags(void);

/*
 * Sanitize len bytes of src into dst, which holds size bytes.  Like
 * snprintf(), returns the length the whole result has (without the NUL)
 * whatever size is; when that is >= size, dst holds the longest prefix made of
 * whole output characters that fits, NUL-terminated.  SANITIZE_PAD is ignored.
 */
size_t sanitize_copy(char *dst, size_t size, const char *src, size_t len,
    int flags);

/*
 * Sanitize len bytes of src into a new NUL-terminated string (one allocation,
 * caller frees).  For printing whole values, e.g. "vigil alarm show".
 */
char *sanitize_dup(const char *src, size_t len, int flags);

/*
 * The display width in columns of the sanitized form of len bytes of src;
 * with SANITIZE_NEWLINES, the width of its widest line.
 */
int sanitize_width(const char *src, size_t len, int flags);

/*
 * Sanitize len bytes of src into at most cols columns of one line, for a
 * label or a table cell.  When the whole text does not fit, it is cut before
 * the first character that does not fit, so that a double-width character or
 * a character and its combining marks are never split, and "…" ("~" in ASCII
 * mode, one column either way) is appended within the cols.  With SANITIZE_PAD, spaces follow to make exactly cols columns, for table
 * cells.  SANITIZE_NEWLINES is ignored: newlines are shown.  dst should hold
 * SANITIZE_FIT_SIZE(cols) bytes; a smaller buffer cuts the text earlier, never
 * past its end.  Sets *width (may be NULL) to the columns written and returns
 * the bytes written, without the NUL.  cols <= 0 gives "".
 */
size_t sanitize_fit(char *dst, size_t size, const char *src, size_t len,
    int flags, int cols, int *width);

/*
 * Sanitize the first display line of len bytes of src, at most cols columns,
 * for wrapping multi-line text such as an alarm note.  The line ends at an LF
 * or CR LF, which is consumed and not copied; or before the first character
 * that does not fit, breaking after the last space when the line has one (the
 * space is consumed, not copied).  A first character wider than cols is
 * consumed and shown as "…" ("~").  No ellipsis otherwise; SANITIZE_PAD pads.
 * Sets *used to the bytes of src consumed, which is at least 1 when len > 0,
 * so the caller loops with src += used, len -= used until len is 0; sets
 * *width (may be NULL) to the columns written; returns the bytes written.
 * dst should hold SANITIZE_FIT_SIZE(cols) bytes; cols < 1 counts as 1.
 */
size_t sanitize_line(char *dst, size_t size, const char *src, size_t len,
    int flags, int cols, int *width, size_t *used);

/*
 * Format len bytes of src as one CSV field for an export file (RFC 4180).
 * Bytes are kept as they are; a field holding a comma, a double quote, CR,
 * LF, TAB or ';' (the separator of spreadsheets in many locales) is enclosed
 * in double quotes with each double quote doubled.
 *
 * A field that a spreadsheet would run as a formula is neutralised as OWASP
 * recommends: when it starts with = + - @ TAB or CR, possibly after single
 * quotes, one single quote is prepended ("=HYPERLINK(..)" becomes
 * "'=HYPERLINK(..)", "-1" becomes "'-1", "'=x" becomes "''=x").  Counting the
 * leading quotes keeps this reversible: see sanitize_csv_neutralised().  Use
 * it for text only; numbers the exporter formats itself (coordinates, ids)
 * are written as they are, or a negative longitude would gain a quote.
 *
 * Like snprintf(), returns the length of the whole field; when that is
 * >= size nothing is written but the NUL (a cut field could leave a quote
 * open).  SANITIZE_CSV_SIZE(len) always suffices.  The field is bytes for a
 * file: when the export goes to a terminal, pass the value through
 * sanitize_copy() with SANITIZE_NEWLINES first.
 */
size_t sanitize_csv(char *dst, size_t size, const char *src, size_t len);

/*
 * Whether a field read back from a CSV file made by sanitize_csv() (after
 * undoing the RFC 4180 quoting) carries a quote added by the neutralisation:
 * when true, the original value is the field without its first byte.
 */
bool sanitize_csv_neutralised(const char *field, size_t len);

#endif
