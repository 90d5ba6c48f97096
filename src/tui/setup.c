#include "compat.h"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "keymap.h"
#include "log.h"
#include "maps.h"
#include "rest.h"
#include "sanitize.h"
#include "session.h"
#include "tui.h"

/*
 * Before the screen is taken: the config file, the session (asking for the
 * password when no valid token is stored), who we are, the log file, the
 * theme.  Everything here may still print to the terminal.
 */
#define SETUP_NAME_MAX 64
#define SETUP_PASSWORD_MAX 1024

/* Open the console's log file: never the screen curses owns. */
static void
setup_log(struct console *c)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *path;

	if (log_to_file())
		return;   /* vigil --log FILE */
	log_close();
	if (c->cfg.log_file != NULL)
		path = xstrdup(c->cfg.log_file);
	else if (state != NULL && *state == '/')
		path = xasprintf("%s/vigil/console.log", state);
	else if (home != NULL && *home == '/')
		path = xasprintf("%s/.local/state/vigil/console.log", home);
	else
		path = xstrdup("/dev/null");
	if (log_open(path, (enum log_level)c->cfg.log_level) != 0) {
		/* Make the directories (mode 0700), then try again. */
		char *dir = xstrdup(path);

		for (char *p = dir + 1; *p != '\0'; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
		free(dir);
		if (log_open(path, (enum log_level)c->cfg.log_level) != 0)
			log_open("/dev/null", LOG_ERROR);
	}
	free(path);
}

/* Ask for a password and log in as name; 0, or an exit status with *cause. */
static int
setup_login(struct console *c, const char *name, char **cause)
{
	struct rest_reply r;
	struct session s;
	char *user = NULL, *pw, *prompt;
	const char *token;

	if (!isatty(STDIN_FILENO)) {
		*cause = xstrdup("no valid session and no terminal to ask for a password: "
		    "run vigil login URL");
		return EX_NOPERM;
	}
	if (name == NULL) {
		user = cli_prompt("user: ", false, SETUP_NAME_MAX, cause);
		if (user == NULL)
			return EX_NOINPUT;
		name = user;
	}
	prompt = xasprintf("password for %s at %s: ", name, c->url);
	pw = cli_prompt(prompt, true, SETUP_PASSWORD_MAX, cause);
	free(prompt);
	if (pw == NULL) {
		free(user);
		return EX_NOINPUT;
	}
	rest_set_token(c->rest, NULL);
	rest_call(c->rest, "POST", "/api/v1/login",
	    json_pack("{s:s, s:s}", "user", name, "password", pw), &r);
	cli_free_secret(pw);
	if (r.status != 200) {
		*cause = xasprintf("login refused: %s", r.error != NULL ? r.error : "no reply");
		rest_reply_release(&r);
		free(user);
		return r.status == 0 ? EX_UNAVAILABLE : EX_NOPERM;
	}
	token = json_string_value(json_object_get(r.json, "token"));
	free(c->token);
	c->token = xstrdup(token != NULL ? token : "");
	rest_set_token(c->rest, c->token);
	memset(&s, 0, sizeof s);
	s.url = c->url;
	s.token = c->token;
	s.user = (char *)name;
	s.expires = (char *)json_string_value(json_object_get(r.json, "expires"));
	if (session_save(&s, cause) != 0) {
		log_warn("setup: cannot store the session: %s", *cause);
		free(*cause);
		*cause = NULL;
	}
	rest_reply_release(&r);
	free(user);
	return 0;
}

/* Ask the server who we are; 0, 1 when the token is refused, or an exit status. */
static int
setup_whoami(struct console *c, char **cause)
{
	struct rest_reply r;
	json_t *u;

	rest_call(c->rest, "GET", "/api/v1/me", NULL, &r);
	if (r.status == 401) {
		rest_reply_release(&r);
		return 1;
	}
	if (r.status != 200) {
		*cause = xasprintf("cannot reach the server at %s: %s", c->url,
		    r.error != NULL ? r.error : "no reply");
		rest_reply_release(&r);
		return EX_UNAVAILABLE;
	}
	u = json_object_get(r.json, "user");
	c->user = xstrdup(json_is_string(json_object_get(u, "name")) ?
	    json_string_value(json_object_get(u, "name")) : "?");
	c->role = xstrdup(json_is_string(json_object_get(u, "role")) ?
	    json_string_value(json_object_get(u, "role")) : "?");
	rest_reply_release(&r);
	if (strcmp(c->role, "guard") == 0) {
		*cause = xstrdup("the guard role has no console");
		return EX_NOPERM;
	}
	return 0;
}

/* Session, login when needed, config, theme, who we are: 0, or an exit status with *cause. */
int
setup_console(struct console *c, int argc, char **argv, char **cause)
{
	struct session s;
	const char *term;
	int rc;

	(void)argc;
	(void)argv;
	config_init(&c->cfg);
	config_load(&c->cfg, NULL);
	config_apply_env(&c->cfg);
	setup_log(c);
	for (size_t i = 0; i < c->cfg.nerrors; i++)
		log_warn("config: %s", c->cfg.errors[i]);
	for (size_t i = 0; i < c->cfg.nkeys; i++) {
		struct config_binding *b = &c->cfg.keys[i];
		char *why = NULL;

		if (keymap_apply(b->action, b->keys, b->nkeys, &why) != 0) {
			log_warn("config: line %d: %s", b->line, why);
			free(why);
		}
	}
	c->sanitize_flags = sanitize_locale_flags();
	c->line_ascii = c->cfg.lines == CONFIG_LINES_ASCII ||
	    (c->cfg.lines == CONFIG_LINES_AUTO && !c->utf8);
	/*
	 * Maps draw walls in box characters and the rest in braille, which
	 * the Linux console's font and real VT terminals lack: ASCII there
	 * unless lines = utf8 says otherwise.
	 */
	term = getenv("TERM");
	c->map_ascii = c->line_ascii || (c->cfg.lines == CONFIG_LINES_AUTO && term != NULL &&
	    (strncmp(term, "vt", 2) == 0 || strcmp(term, "linux") == 0));
	if (session_load(&s, cause) != 0)
		return EX_CONFIG;
	/* The server: VIGIL_URL, then [server] url, then the stored session's. */
	if (c->cfg.url != NULL)
		c->url = xstrdup(c->cfg.url);
	else if (s.url != NULL)
		c->url = xstrdup(s.url);
	/* The token: VIGIL_TOKEN, else the stored one when it is for this server. */
	if (getenv("VIGIL_TOKEN") != NULL && *getenv("VIGIL_TOKEN") != '\0')
		c->token = xstrdup(getenv("VIGIL_TOKEN"));
	else if (s.token != NULL && c->url != NULL && s.url != NULL &&
	    strcmp(s.url, c->url) == 0)
		c->token = xstrdup(s.token);
	session_release(&s);
	if (c->url == NULL) {
		*cause = xstrdup("no server is configured: run \"vigil login URL\", "
		    "set VIGIL_URL, or set [server] url in the config file");
		return EX_UNAVAILABLE;
	}
	if ((c->rest = rest_new(c->loop, c->url, c->token, cause)) == NULL)
		return EX_USAGE;
	rc = c->token != NULL ? setup_whoami(c, cause) : 1;
	if (rc == 1) {
		if ((rc = setup_login(c, c->cfg.user, cause)) != 0)
			return rc;
		rc = setup_whoami(c, cause);
		if (rc == 1) {
			*cause = xstrdup("the server refused the new session");
			return EX_NOPERM;
		}
	}
	if (rc != 0)
		return rc;
	theme_load(&c->theme, c->cfg.theme, NULL);
	for (size_t i = 0; i < c->theme.nwarnings; i++)
		log_info("theme: %s", c->theme.warnings[i]);
	log_info("console: %s (%s) on %s", c->user, c->role, c->url);
	return 0;
}

/* Free what setup_console made. */
void
teardown_console(struct console *c)
{
	if (c->exit_message != NULL)
		fprintf(stderr, "vigil: %s\n", c->exit_message);
	theme_release(&c->theme);
	config_release(&c->cfg);
	replica_release(&c->replica);
	mapcache_free(c);
	trails_free(c);
	json_decref(c->marked);
	tui_queue_release(c);
	free(c->filter);
	free(c->url);
	free(c->token);
	free(c->user);
	free(c->role);
	free(c->group);
	free(c->exit_message);
}
