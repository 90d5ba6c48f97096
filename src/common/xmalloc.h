/* xmalloc.h: allocation that never returns NULL; out of memory is fatal. */
#ifndef VIGIL_XMALLOC_H
#define VIGIL_XMALLOC_H

#include <stddef.h>

/* Allocate size bytes or die. */
void *xmalloc(size_t size);
/* Allocate n zeroed elements of size bytes or die. */
void *xcalloc(size_t n, size_t size);
/* Resize ptr to size bytes or die. */
void *xrealloc(void *ptr, size_t size);
/* Duplicate a NUL-terminated string or die. */
char *xstrdup(const char *s);
/* Duplicate the first n bytes of s as a NUL-terminated string or die. */
char *xstrndup(const char *s, size_t n);
/* Format into a newly allocated string or die. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a message and exit: only for broken invariants and exhausted memory. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Hook run by fatal() before exiting, e.g. to restore the terminal. */
extern void (*fatal_hook)(void);

#endif
