#include "compat.h"

#include <getopt.h>
#include <sysexits.h>

#include "cli.h"
#include "rest.h"
#include "session.h"

/* One REST call on a private loop, for commands that do nothing else. */
struct login_call {
	uv_loop_t loop;
	struct rest *rest;
};

/* Set up a private loop and calls to url with token; -1 after a message. */
static int
login_call_init(struct login_call *c, const char *cmd, const char *url,
    const char *token)
{
	char *cause = NULL;

	if (uv_loop_init(&c->loop) != 0)
		fatal("cannot start an event loop");
	if ((c->rest = rest_new(&c->loop, url, token, &cause)) == NULL) {
		cli_error(cmd, "%s", cause);
		free(cause);
		uv_loop_close(&c->loop);
		return -1;
	}
	return 0;
}

/* Free the calls and close the loop. */
static void
login_call_release(struct login_call *c)
{
	rest_free(c->rest);
	uv_run(&c->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&c->loop) != 0)
		fatal("event loop handles left open");
}

/* Check a server URL and return it without trailing slashes; NULL after a message. */
static char *
login_url(const char *arg)
{
	char *url;
	size_t n;

	if ((strncmp(arg, "http://", 7) != 0 || arg[7] == '\0') &&
	    (strncmp(arg, "https://", 8) != 0 || arg[8] == '\0')) {
		cli_error("login", "\"%s\" is not a server URL: give "
		    "http://HOST:PORT or https://HOST", arg);
		return NULL;
	}
	if (strlen(arg) > LIMIT_URI_BYTES || strpbrk(arg, " \t\r\n") != NULL) {
		cli_error("login", "\"%.64s\" is not a server URL", arg);
		return NULL;
	}
	url = xstrdup(arg);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

/* Store the session of a successful login reply; an exit status. */
static int
login_store(const char *url, const char *name, json_t *reply)
{
	const char *token = json_string_value(json_object_get(reply, "token"));
	const char *expires = json_string_value(json_object_get(reply, "expires"));
	json_t *user = json_object_get(reply, "user");
	const char *role = json_string_value(json_object_get(user, "role"));
	const char *uname = json_string_value(json_object_get(user, "name"));
	struct session s;
	char *cause = NULL;

	if (token == NULL || !session_token_valid(token)) {
		cli_error("login", "the server's reply has no usable token");
		return EX_PROTOCOL;
	}
	memset(&s, 0, sizeof s);
	s.url = (char *)url;
	s.token = (char *)token;
	s.user = (char *)(uname != NULL ? uname : name);
	s.expires = (char *)expires;
	if (session_save(&s, &cause) != 0) {
		cli_error("login", "cannot store the session: %s", cause);
		free(cause);
		return EX_CANTCREAT;
	}
	if (role != NULL)
		fprintf(stderr, "vigil: logged in to %s as %s (%s)\n", url,
		    s.user, role);
	else
		fprintf(stderr, "vigil: logged in to %s as %s\n", url, s.user);
	if (expires != NULL)
		fprintf(stderr, "vigil: the session expires at %s\n", expires);
	if (getenv("VIGIL_TOKEN") != NULL || getenv("VIGIL_URL") != NULL)
		fprintf(stderr, "vigil: note: VIGIL_URL or VIGIL_TOKEN is set and "
		    "takes precedence over the stored session\n");
	return 0;
}

/* Say why a login failed; an exit status. */
static int
login_failed(const char *url, const struct rest_reply *r)
{
	if (r->status == 0) {
		cli_error("login", "cannot reach %s: %s", url, r->error);
		return EX_UNAVAILABLE;
	}
	if (r->status == 401) {
		cli_error("login", "wrong user name or password");
		return EX_NOPERM;
	}
	if (r->status == 429) {
		if (r->retry_after > 0)
			cli_error("login", "too many failed logins: try again in "
			    "%" PRId64 " s", r->retry_after);
		else
			cli_error("login", "too many failed logins: try again "
			    "later");
		return EX_TEMPFAIL;
	}
	if (r->status >= 500) {
		cli_error("login", "the server cannot log you in now: %s "
		    "(HTTP %ld)", r->error != NULL ? r->error : "", r->status);
		return EX_UNAVAILABLE;
	}
	cli_error("login", "the server refused the login: %s (HTTP %ld)",
	    r->error != NULL ? r->error : "no reason given", r->status);
	return EX_PROTOCOL;
}

/* vigil login URL [--user NAME]: log in and store the session. */
int
cmd_login(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *url = NULL, *name = NULL, *password = NULL, *cause = NULL;
	struct login_call call;
	struct rest_reply reply;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "u:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			free(name);
			name = xstrdup(optarg);
			break;
		case 'h':
			free(name);
			return cli_help("login", "  -u, --user NAME  the user "
			    "name (asked when not given)\n\nThe password is read "
			    "from the terminal without echo, or from standard "
			    "input\nwhen it is not a terminal (the user name "
			    "first, when --user is not given).\n");
		default:
			free(name);
			return cli_usage("login");
		}
	}
	if (argc - optind != 1) {
		free(name);
		return cli_usage("login");
	}
	if ((url = login_url(argv[optind])) == NULL) {
		free(name);
		return EX_USAGE;
	}
	if (name == NULL &&
	    (name = cli_prompt("User: ", false, LIMIT_USER_NAME_LEN, &cause)) == NULL) {
		cli_error("login", "no user name: %s", cause);
		rc = EX_NOINPUT;
		goto out;
	}
	if (name[0] == '\0' || strlen(name) > LIMIT_USER_NAME_LEN) {
		cli_error("login", "the user name must be 1 to %d characters",
		    LIMIT_USER_NAME_LEN);
		rc = EX_USAGE;
		goto out;
	}
	if ((password = cli_prompt("Password: ", true, LIMIT_PASSWORD_MAX,
	    &cause)) == NULL) {
		cli_error("login", "no password: %s", cause);
		rc = EX_NOINPUT;
		goto out;
	}
	if (password[0] == '\0') {
		cli_error("login", "the password is empty");
		rc = EX_USAGE;
		goto out;
	}

	if (login_call_init(&call, "login", url, NULL) != 0) {
		rc = EX_USAGE;
		goto out;
	}
	rest_call(call.rest, "POST", "/api/v1/login", json_pack("{s:s, s:s}",
	    "user", name, "password", password), &reply);
	if (reply.status == 200 && json_is_object(reply.json))
		rc = login_store(url, name, reply.json);
	else if (reply.status == 200) {
		cli_error("login", "the server's reply is not a login reply");
		rc = EX_PROTOCOL;
	} else
		rc = login_failed(url, &reply);
	rest_reply_release(&reply);
	login_call_release(&call);
out:
	free(cause);
	cli_free_secret(password);
	free(name);
	free(url);
	return rc;
}

/* vigil logout: end the session on the server and forget it. */
int
cmd_logout(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct login_call call;
	struct rest_reply reply;
	struct session s;
	char *cause = NULL;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h')
			return cli_help("logout", NULL);
		return cli_usage("logout");
	}
	if (argc != optind)
		return cli_usage("logout");
	if (session_load(&s, &cause) != 0) {
		cli_error("logout", "%s", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (s.url == NULL || s.token == NULL) {
		cli_error("logout", "not logged in");
		session_release(&s);
		return 0;
	}
	if (login_call_init(&call, "logout", s.url, s.token) == 0) {
		rest_call(call.rest, "POST", "/api/v1/logout", NULL, &reply);
		if (reply.status == 0)
			cli_error("logout", "cannot reach %s (%s): the session "
			    "is forgotten here but stays valid on the server "
			    "until it expires", s.url, reply.error);
		else if (reply.status != 200 && reply.status != 401)
			cli_error("logout", "the server answered: %s (HTTP %ld)",
			    reply.error != NULL ? reply.error : "", reply.status);
		rest_reply_release(&reply);
		login_call_release(&call);
	}
	/* A token from the environment is the caller's; the stored one stays. */
	if (getenv("VIGIL_TOKEN") == NULL || *getenv("VIGIL_TOKEN") == '\0') {
		if (session_remove(&cause) < 0) {
			cli_error("logout", "%s", cause);
			free(cause);
			rc = EX_CANTCREAT;
		}
	}
	if (rc == 0)
		fprintf(stderr, "vigil: logged out of %s\n", s.url);
	session_release(&s);
	return rc;
}
