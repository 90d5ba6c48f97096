#include "compat.h"

void (*fatal_hook)(void);

/* Print a message and exit: only for broken invariants and exhausted memory. */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

/* Allocate size bytes or die. */
void *
xmalloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* Allocate n zeroed elements of size bytes or die. */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

/* Resize ptr to size bytes or die. */
void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory reallocating %zu bytes", size);
	return p;
}

/* Duplicate a NUL-terminated string or die. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Duplicate the first n bytes of s as a NUL-terminated string or die. */
char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Format into a newly allocated string or die. */
char *
xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
