/*
 * buf.h: a growable byte buffer with a cap, always NUL-terminated.
 *
 * buf_init takes the most the buffer may ever hold; appending past it fails
 * (returns -1 and sets b->overflow) instead of growing, so a buffer fed from
 * the network cannot grow without bound.
 */
#ifndef VIGIL_BUF_H
#define VIGIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;       /* allocated */
	size_t max;       /* most len may reach */
	bool overflow;
};

/* Set up an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free what the buffer holds and make it empty again. */
void buf_release(struct buf *b);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Append len bytes; -1 past the cap. */
int buf_add(struct buf *b, const void *data, size_t len);
/* Append a NUL-terminated string; -1 past the cap. */
int buf_adds(struct buf *b, const char *s);
/* Append formatted text; -1 past the cap. */
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand over the data (caller frees) and leave the buffer empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
