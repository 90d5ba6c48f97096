#include "compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonx.h"
#include "session.h"
#include "vtime.h"

#define SESSION_DIR_MODE  0700
#define SESSION_FILE_MODE 0600

/* The value of environment variable name when set and not empty, else NULL. */
static const char *
session_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The path of the session file (caller frees), or NULL with *cause. */
char *
session_path(char **cause)
{
	const char *state = session_env("XDG_STATE_HOME");
	const char *home = session_env("HOME");

	/* The XDG rules: a relative XDG_STATE_HOME is ignored. */
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/vigil/session", state);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/state/vigil/session", home);
	*cause = xstrdup("cannot tell where to keep the session: set HOME or "
	    "XDG_STATE_HOME");
	return NULL;
}

/* Free what the session holds. */
void
session_release(struct session *s)
{
	free(s->url);
	free(s->token);
	free(s->user);
	free(s->expires);
	memset(s, 0, sizeof *s);
}

/* True when token can be sent in a header. */
bool
session_token_valid(const char *token)
{
	size_t n = strlen(token);

	if (n == 0 || n > LIMIT_HEADER_BYTES)
		return false;
	return strspn(token, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=") == n;
}

/* Read the session file at path into s; 0 (also when absent) or -1 with *cause. */
static int
session_read(struct session *s, const char *path, char **cause)
{
	char buf[LIMIT_SESSION_FILE_BYTES + 1], err[JSONX_ERR_LEN];
	const char *url, *token, *user, *expires;
	struct jsonx jx;
	ssize_t n;
	size_t len = 0;
	json_t *v;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (len < sizeof buf &&
	    (n = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len > LIMIT_SESSION_FILE_BYTES) {
		*cause = xasprintf("%s: larger than %d bytes", path,
		    LIMIT_SESSION_FILE_BYTES);
		return -1;
	}
	if ((v = jsonx_parse(buf, len, err, sizeof err)) == NULL ||
	    !json_is_object(v)) {
		*cause = xasprintf("%s: not a session file: %s", path,
		    v == NULL ? err : "not a JSON object");
		json_decref(v);
		return -1;
	}
	jsonx_begin(&jx, v, "");
	url = jsonx_str(&jx, "url", true, LIMIT_URI_BYTES);
	token = jsonx_str(&jx, "token", true, LIMIT_HEADER_BYTES);
	user = jsonx_str(&jx, "user", false, LIMIT_USER_NAME_LEN);
	expires = jsonx_str(&jx, "expires", false, VTIME_ISO_LEN);
	if (token != NULL && !session_token_valid(token))
		jsonx_fail(&jx, "token", "must be letters, digits and -._~+/=");
	if (jsonx_done(&jx) != 0) {
		*cause = xasprintf("%s: %s", path, jx.err);
		json_decref(v);
		return -1;
	}
	s->url = xstrdup(url);
	s->token = xstrdup(token);
	s->user = user != NULL ? xstrdup(user) : NULL;
	s->expires = expires != NULL ? xstrdup(expires) : NULL;
	json_decref(v);
	return 0;
}

/* Read the stored session, then apply VIGIL_URL and VIGIL_TOKEN. */
int
session_load(struct session *s, char **cause)
{
	const char *env_url = session_env("VIGIL_URL");
	const char *env_token = session_env("VIGIL_TOKEN");
	char *path;
	int rc;

	memset(s, 0, sizeof *s);
	if ((path = session_path(cause)) == NULL) {
		if (env_url == NULL || env_token == NULL)
			return -1;
		free(*cause);
		*cause = NULL;
	} else {
		rc = session_read(s, path, cause);
		free(path);
		if (rc != 0)
			return -1;
	}
	if (env_url != NULL) {
		/* The stored token belongs to the stored server: never send it elsewhere. */
		if (s->url != NULL && strcmp(s->url, env_url) != 0) {
			free(s->token);
			s->token = NULL;
			free(s->user);
			s->user = NULL;
			free(s->expires);
			s->expires = NULL;
		}
		free(s->url);
		s->url = xstrdup(env_url);
		s->from_env = true;
	}
	if (env_token != NULL) {
		if (!session_token_valid(env_token)) {
			session_release(s);
			*cause = xstrdup("VIGIL_TOKEN: must be letters, digits and "
			    "-._~+/=");
			return -1;
		}
		free(s->token);
		s->token = xstrdup(env_token);
		s->from_env = true;
	}
	return 0;
}

/* Make directory dir and its missing parents, new ones with mode 0700. */
static int
session_mkdirs(const char *dir, char **cause)
{
	char *path = xstrdup(dir), *p, c;
	int rc = 0;

	for (p = path + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, SESSION_DIR_MODE) != 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", path,
			    strerror(errno));
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(path);
	return rc;
}

/* The directory of a path (caller frees). */
static char *
session_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	return xstrndup(path, slash != NULL && slash != path ?
	    (size_t)(slash - path) : 1);
}

/* Write all of buf to fd; 0 or -1 with errno. */
static int
session_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Store the session atomically with mode 0600 in a directory of mode 0700. */
int
session_save(const struct session *s, char **cause)
{
	char *path, *dir = NULL, *tmp = NULL, *text = NULL;
	struct stat sb;
	json_t *v;
	int fd = -1, rc = -1, dfd;

	if ((path = session_path(cause)) == NULL)
		return -1;
	dir = session_dirname(path);
	if (session_mkdirs(dir, cause) != 0)
		goto out;
	/* The vigil directory is ours alone, whatever made it. */
	if (stat(dir, &sb) == 0 && (sb.st_mode & 077) != 0 &&
	    chmod(dir, SESSION_DIR_MODE) != 0) {
		*cause = xasprintf("cannot restrict %s to its owner: %s", dir,
		    strerror(errno));
		goto out;
	}
	v = json_pack("{s:s, s:s, s:s?, s:s?}", "url", s->url, "token", s->token,
	    "user", s->user, "expires", s->expires);
	if (v == NULL || (text = json_dumps(v, JSON_INDENT(2))) == NULL)
		fatal("session: cannot encode the session");
	json_decref(v);
	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		*cause = xasprintf("cannot create a file in %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, SESSION_FILE_MODE) != 0 ||
	    session_write_all(fd, text, strlen(text)) != 0 ||
	    session_write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		*cause = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		*cause = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* Make the rename itself durable. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(text);
	free(dir);
	free(path);
	return rc;
}

/* Remove the stored session; 1 when there was one, 0 when not, -1 with *cause. */
int
session_remove(char **cause)
{
	char *path;
	int rc = 1;

	if ((path = session_path(cause)) == NULL)
		return -1;
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			rc = 0;
		else {
			*cause = xasprintf("cannot remove %s: %s", path,
			    strerror(errno));
			rc = -1;
		}
	}
	free(path);
	return rc;
}
