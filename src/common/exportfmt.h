/*
 * exportfmt.h: cells of an exported CSV file.
 *
 * An export file is read by spreadsheets and, sooner or later, printed on a
 * terminal; a value that came from outside (a note, an event's value, a
 * label) must be neither a formula nor a control sequence there.  A text
 * cell is first made inert for a terminal, independently of the locale:
 * C0 controls but TAB and LF, and DEL, become their control pictures
 * (U+2400 + c, U+2421: "␛" for ESC), C1 controls and bidirectional controls
 * become "<U+XXXX>", invalid UTF-8 becomes U+FFFD.  Then it is quoted as
 * RFC 4180 says and neutralised against formulas with sanitize_csv()
 * (a cell starting with = + - @ gains a leading single quote).
 */
#ifndef VIGIL_EXPORTFMT_H
#define VIGIL_EXPORTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* Room that always holds the cell exportfmt_csv makes of len bytes. */
#define EXPORTFMT_CSV_SIZE(len) ((size_t)(len) * 8 + 4)

/*
 * Write len bytes of text as one CSV cell (cleaned, quoted, neutralised)
 * into dst, which holds EXPORTFMT_CSV_SIZE(len) bytes; the bytes written
 * (no NUL).  Text with nothing to do (printable ASCII without " , ; that
 * does not start like a formula) is copied as it is.
 */
size_t exportfmt_csv(char *dst, const char *s, size_t len);
/* Append len bytes of text as one CSV cell (cleaned, quoted, neutralised). */
int exportfmt_csv_text(struct buf *out, const char *s, size_t len);
/*
 * True when a CSV record (without its line end) holds nothing a terminal
 * would act on: no control byte but TAB and LF, no DEL, no C1 control and no
 * bidirectional control in UTF-8.
 */
bool exportfmt_inert(const char *s, size_t len);
/*
 * Append len bytes of s with what a terminal would act on made visible, as
 * above (the first step of exportfmt_csv_text); 0 or -1 when out is full.
 */
int exportfmt_clean(struct buf *out, const char *s, size_t len);

#endif
