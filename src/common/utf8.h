/*
 * utf8.h: reading, checking and repairing UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF).
 */
#ifndef VIGIL_UTF8_H
#define VIGIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_INVALID 0xffffffffU	/* not a code point: ill-formed input */

/*
 * Decode the character at s (len > 0 bytes) as Unicode's table of
 * well-formed byte sequences allows: its length (1 to 4) with its code point
 * in *cp, or, for an ill-formed sequence, UTF8_INVALID in *cp and the length
 * of its maximal subpart (at least 1), so that each subpart can become one
 * replacement character.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Write code point cp (at most U+10FFFF) as UTF-8 into out (4 bytes); its length. */
size_t utf8_encode(uint32_t cp, char *out);

/* True when the len bytes at s are valid UTF-8 (NUL bytes allowed). */
bool utf8_valid(const char *s, size_t len);

/*
 * Copy len bytes of s to a new NUL-terminated string with each byte of an
 * ill-formed sequence replaced by U+FFFD (caller frees).
 */
char *utf8_repair(const char *s, size_t len);

#endif
