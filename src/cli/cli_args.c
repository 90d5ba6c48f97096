#include "compat.h"

#include "cli.h"

/*
 * The arguments several headless commands take alike: ids of the server's
 * objects and keys in the server's alphabet.
 */

/* Read an id (a number from 1) of what; -1 after a message by cmd. */
int
cli_parse_id(const char *cmd, const char *what, const char *arg, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (arg[0] < '1' || arg[0] > '9' || *end != '\0' || errno != 0) {
		cli_error(cmd, "\"%s\" is not %s %s id (a number from 1)", arg,
		    strchr("aeiou", what[0]) != NULL ? "an" : "a", what);
		return -1;
	}
	*id = (int64_t)v;
	return 0;
}

/* True when arg is a key of the server's alphabet (site, point, group...). */
bool
cli_is_key(const char *arg)
{
	size_t n = strlen(arg);

	return n > 0 && n <= LIMIT_KEY_LEN && ((arg[0] >= 'a' &&
	    arg[0] <= 'z') || (arg[0] >= '0' && arg[0] <= '9')) && strspn(arg,
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}
