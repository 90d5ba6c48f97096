/*
 * session.h: the server and login token a user's commands talk with.
 *
 * "vigil login URL" stores them in $XDG_STATE_HOME/vigil/session (by default
 * ~/.local/state/vigil/session): a JSON object {"url","token","user",
 * "expires"}, in a directory of mode 0700, the file of mode 0600, written
 * to a temporary file and renamed so that it is never seen half written.
 * The environment overrides it for scripts: VIGIL_URL and VIGIL_TOKEN, each
 * on its own.
 *
 *	struct session s;
 *	if (session_load(&s, &cause) != 0) ... error
 *	if (s.url == NULL) ... no server configured
 *	session_release(&s);
 */
#ifndef VIGIL_SESSION_H
#define VIGIL_SESSION_H

#include <stdbool.h>

struct session {
	char *url;            /* the server, or NULL when none is configured */
	char *token;          /* the bearer token, or NULL */
	char *user;           /* who logged in (from the file), or NULL */
	char *expires;        /* when the token expires (ISO 8601), or NULL */
	bool from_env;        /* url or token came from the environment */
};

/*
 * The path of the session file (caller frees), or NULL with *cause when
 * neither XDG_STATE_HOME nor HOME is usable.
 */
char *session_path(char **cause);
/*
 * Read the stored session, then apply VIGIL_URL and VIGIL_TOKEN.  A missing
 * file is not an error (the fields stay NULL); an unreadable or malformed
 * one is: -1 with *cause.
 */
int session_load(struct session *s, char **cause);
/* Store url, token, user and expires (the last two may be NULL); 0 or -1 with *cause. */
int session_save(const struct session *s, char **cause);
/* Remove the stored session; 1 when there was one, 0 when not, -1 with *cause. */
int session_remove(char **cause);
/* Free what the session holds. */
void session_release(struct session *s);
/*
 * True when token can be sent in a header: 1 to LIMIT_HEADER_BYTES
 * characters of letters, digits and "-._~+/=" (vigild's are 64 hex digits).
 */
bool session_token_valid(const char *token);

#endif
