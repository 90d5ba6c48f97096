/*
 * utf8.h: checking and repairing UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF).
 */
#ifndef VIGIL_UTF8_H
#define VIGIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the len bytes at s are valid UTF-8 (NUL bytes allowed). */
bool utf8_valid(const char *s, size_t len);
/*
 * Copy len bytes of s to a new NUL-terminated string with every ill-formed
 * sequence replaced by U+FFFD (caller frees).
 */
char *utf8_repair(const char *s, size_t len);

#endif
