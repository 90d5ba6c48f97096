#include "compat.h"

#include <ctype.h>
#include <strings.h>

#include "filter.h"

/* Copy a word's value after its prefix, refusing one that is too long. */
static int
filter_value(char *dst, size_t len, const char *value, const char *word, char **cause)
{
	if (*value == '\0' || strlen(value) >= len) {
		*cause = xasprintf("\"%s\": a value is needed after the colon", word);
		return -1;
	}
	snprintf(dst, len, "%s", value);
	return 0;
}

/* Parse "p:N" or "p:N-M". */
static int
filter_priority(struct tui_filter *f, const char *v, const char *word, char **cause)
{
	char *end;
	long a = strtol(v, &end, 10), b = a;

	if (*end == '-')
		b = strtol(end + 1, &end, 10);
	if (*end != '\0' || a < 1 || b < a || b > 9) {
		*cause = xasprintf("\"%s\": a priority is p:N or p:N-M with 1 <= N <= M <= 9", word);
		return -1;
	}
	f->pmin = (int)a;
	f->pmax = (int)b;
	return 0;
}

/* Parse text into f; -1 with *cause on a malformed word (f unchanged). */
int
filter_parse(struct tui_filter *f, const char *text, char **cause)
{
	struct tui_filter n;
	char buf[FILTER_MAX_LEN], *save = NULL, *w;

	memset(&n, 0, sizeof n);
	if (strlen(text) >= sizeof buf) {
		*cause = xasprintf("the filter is longer than %d characters", FILTER_MAX_LEN - 1);
		return -1;
	}
	snprintf(n.text, sizeof n.text, "%s", text);
	snprintf(buf, sizeof buf, "%s", text);
	for (w = strtok_r(buf, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		int rc = 0;

		if (strncmp(w, "site:", 5) == 0)
			rc = filter_value(n.site, sizeof n.site, w + 5, w, cause);
		else if (strncmp(w, "p:", 2) == 0)
			rc = filter_priority(&n, w + 2, w, cause);
		else if (strncmp(w, "state:", 6) == 0) {
			rc = filter_value(n.state, sizeof n.state, w + 6, w, cause);
			if (rc == 0 && strcmp(n.state, "new") != 0 && strcmp(n.state, "ack") != 0 &&
			    strcmp(n.state, "assigned") != 0 && strcmp(n.state, "open") != 0) {
				*cause = xasprintf("\"%s\": state is new, ack, assigned or open", w);
				rc = -1;
			}
		} else if (strncmp(w, "type:", 5) == 0)
			rc = filter_value(n.type, sizeof n.type, w + 5, w, cause);
		else if (n.nwords == FILTER_MAX_WORDS) {
			*cause = xasprintf("at most %d words of text", FILTER_MAX_WORDS);
			rc = -1;
		} else if (strlen(w) >= sizeof n.words[0]) {
			*cause = xasprintf("\"%.20s...\" is too long", w);
			rc = -1;
		} else
			snprintf(n.words[n.nwords++], sizeof n.words[0], "%s", w);
		if (rc != 0)
			return -1;
	}
	*f = n;
	return 0;
}

/* True when needle occurs in hay, ignoring ASCII case. */
static bool
filter_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* A string or "". */
static const char *
filter_str(const char *s)
{
	return s != NULL ? s : "";
}

/* True when the alarm passes f (f may be NULL: everything passes). */
bool
filter_match(const struct tui_filter *f, const struct alarm_rec *a)
{
	if (f == NULL)
		return true;
	if (f->site[0] != '\0' && strcmp(f->site, filter_str(a->site)) != 0)
		return false;
	if (f->type[0] != '\0' && strcmp(f->type, filter_str(a->type)) != 0)
		return false;
	if (f->pmin > 0 && (a->priority < f->pmin || a->priority > f->pmax))
		return false;
	if (f->state[0] != '\0' && strcmp(f->state, "open") != 0) {
		const char *want = strcmp(f->state, "ack") == 0 ? "acknowledged" : f->state;
		if (strcmp(want, alarm_state_name(a->state)) != 0)
			return false;
	}
	for (int i = 0; i < f->nwords; i++) {
		const char *fields[] = { a->site, a->site_name, a->point, a->point_label,
		    a->type, a->guard };
		bool found = false;

		for (size_t k = 0; k < ARRAY_LEN(fields) && !found; k++)
			found = filter_contains(filter_str(fields[k]), f->words[i]);
		if (!found)
			return false;
	}
	return true;
}
