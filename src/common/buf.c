#include "compat.h"

#include "buf.h"

/* Set up an empty buffer that may hold at most max bytes. */
void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

/* Free what the buffer holds and make it empty again. */
void
buf_release(struct buf *b)
{
	size_t max = b->max;

	free(b->data);
	buf_init(b, max);
}

/* Empty the buffer, keeping its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for len more bytes and the NUL; -1 past the cap. */
static int
buf_grow(struct buf *b, size_t len)
{
	size_t need;

	if (len > b->max - b->len) {
		b->overflow = true;
		return -1;
	}
	need = b->len + len + 1;
	if (need <= b->cap)
		return 0;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
	return 0;
}

/* Append len bytes; -1 past the cap. */
int
buf_add(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) != 0)
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Append a NUL-terminated string; -1 past the cap. */
int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* Append formatted text; -1 past the cap. */
int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Hand over the data (caller frees) and leave the buffer empty. */
char *
buf_detach(struct buf *b, size_t *len)
{
	char *d = b->data != NULL ? b->data : xstrdup("");

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	b->overflow = false;
	return d;
}
