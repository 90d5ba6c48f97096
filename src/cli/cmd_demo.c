#include "compat.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "cli.h"
#include "log.h"
#include "rest.h"
#include "tui.h"

/*
 * vigil demo: a private vigild on a free loopback port with a fresh
 * database in a temporary directory, the demo site imported with a few
 * residents and their access rights, vigil-sim playing it (residents come
 * through the gates), a demo dispatcher logged in, and the console.  Leaving the
 * console stops all of it and removes the directory; the children also die
 * with vigil if it is killed (PR_SET_PDEATHSIG).
 */
#define DEMO_USER        "demo"
#define DEMO_ADMIN       "demo-admin"  /* adds the demo's residents */
#define DEMO_START_S     20     /* vigild must be listening within this */
#define DEMO_STOP_S      10     /* children must exit within this of SIGTERM */
#define DEMO_STORM_RATE  "1"    /* alarms a second in the opening burst */
#define DEMO_STORM_S     "12"   /* ... for this many seconds */

struct demo {
	char dir[64];
	char *vigild, *sim, *site;
	pid_t vigild_pid, sim_pid;
	char url[64];
};

/* The demo's residents: who, where, a card and a plate, and which gates. */
static const struct {
	const char *name, *building, *entrance, *apartment, *card, *plate, *group;
} demo_residents[] = {
	{ "Jo Bloggs", "Tower A", "1", "12", "04A1B2C3", "YK71ABC", "tower-a" },
	{ "Sam Okafor", "Tower A", "2", "31", "04A1B2C4", "LS19XRT", "tower-a" },
	{ "Mei Lin", "Tower A", "1", "7", "04A1B2C5", "BD68KLM", "tower-a" },
	{ "Rhys Evans", "Tower B", "1", "44", "04A1B2C6", "HG20PQR", "all-gates" },
	{ "Ana Ferreira", "Tower B", "1", "3", "04A1B2C7", "WF17STU", "all-gates" },
	{ "Tom Hughes", "Tower B", "1", "58", "04A1B2C8", "LS70VWX", "all-gates" },
};

/*
 * Add the demo's residents and their rights as the demo administrator
 * (r is logged in as it); 0, or -1 with *cause.
 */
static int
demo_residents_add(struct rest *r, char **cause)
{
	for (size_t i = 0; i < ARRAY_LEN(demo_residents); i++) {
		struct rest_reply rep;
		json_int_t id;
		char *path;

		rest_call(r, "POST", "/api/v1/residents", json_pack(
		    "{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:s}, {s:s, s:s}]}",
		    "site", "riverside", "name", demo_residents[i].name, "unit",
		    "building", demo_residents[i].building, "entrance",
		    demo_residents[i].entrance, "apartment", demo_residents[i].apartment,
		    "role", "resident", "credentials", "kind", "card", "value",
		    demo_residents[i].card, "kind", "plate", "value",
		    demo_residents[i].plate), &rep);
		id = json_integer_value(json_object_get(json_object_get(rep.json,
		    "resident"), "id"));
		if (rep.status != 201 || id <= 0) {
			*cause = xasprintf("cannot add the demo's residents: %s",
			    rep.error != NULL ? rep.error : "no reply");
			rest_reply_release(&rep);
			return -1;
		}
		rest_reply_release(&rep);
		path = xasprintf("/api/v1/residents/%" JSON_INTEGER_FORMAT "/rights", id);
		rest_call(r, "POST", path, json_pack("{s:s}", "group",
		    demo_residents[i].group), &rep);
		free(path);
		if (rep.status != 201) {
			*cause = xasprintf("cannot grant the demo's residents: %s",
			    rep.error != NULL ? rep.error : "no reply");
			rest_reply_release(&rep);
			return -1;
		}
		rest_reply_release(&rep);
	}
	return 0;
}

/* Log in as user with password pw: the token (caller frees), or NULL with *cause. */
static char *
demo_login(struct rest *r, const char *user, const char *pw, char **cause)
{
	struct rest_reply rep;
	char *token = NULL;

	rest_call(r, "POST", "/api/v1/login", json_pack("{s:s, s:s}", "user", user,
	    "password", pw), &rep);
	if (rep.status == 200 && json_is_string(json_object_get(rep.json, "token")))
		token = xstrdup(json_string_value(json_object_get(rep.json, "token")));
	else
		*cause = xasprintf("cannot log in to the demo server as %s: %s", user,
		    rep.error != NULL ? rep.error : "no reply");
	rest_reply_release(&rep);
	return token;
}

/* The directory holding this program, or NULL. */
static char *
demo_self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(buf);
}

/* The first of the candidate paths that exists (caller frees), or NULL. */
static char *
demo_find(char *const *cands, int n)
{
	for (int i = 0; i < n; i++)
		if (cands[i] != NULL && access(cands[i], R_OK) == 0)
			return xstrdup(cands[i]);
	return NULL;
}

/* Locate vigild, vigil-sim and the demo site; -1 with *cause. */
static int
demo_locate(struct demo *d, char **cause)
{
	char *self = demo_self_dir();
	char *c[4];
	int rc = 0;

	if (self == NULL) {
		*cause = xstrdup("cannot find where vigil is installed");
		return -1;
	}
	c[0] = xasprintf("%s/vigild", self);
	c[1] = xasprintf("%s/../sbin/vigild", self);
	d->vigild = demo_find(c, 2);
	free(c[0]);
	free(c[1]);
	c[0] = xasprintf("%s/vigil-sim", self);
	d->sim = demo_find(c, 1);
	free(c[0]);
	c[0] = xasprintf("%s/../../../contrib/sites/demo/riverside.site", self);
	c[1] = xasprintf("%s/../share/vigil/sites/demo/riverside.site", self);
	c[2] = xstrdup(VIGIL_DATADIR "/sites/demo/riverside.site");
	c[3] = xstrdup("contrib/sites/demo/riverside.site");
	d->site = demo_find(c, 4);
	for (int i = 0; i < 4; i++)
		free(c[i]);
	if (d->vigild == NULL || d->sim == NULL || d->site == NULL) {
		*cause = xasprintf("cannot find %s next to %s", d->vigild == NULL ? "vigild" :
		    d->sim == NULL ? "vigil-sim" : "the demo site (riverside.site)", self);
		rc = -1;
	}
	free(self);
	return rc;
}

/*
 * Run argv with stdin from in (or /dev/null) and output to log; returns the
 * pid.  The child dies with us.
 */
static pid_t
demo_spawn(char *const *argv, const char *in, const char *log)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/*
	 * Its own session: a hangup of the terminal reaches vigil, which then
	 * stops the children itself; and they die with vigil if it is killed.
	 */
	setsid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	int fd = open(in != NULL ? in : "/dev/null", O_RDONLY);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	execv(argv[0], argv);
	_exit(127);
}

/* Run argv to completion; its exit status, or -1. */
static int
demo_run(char *const *argv, const char *in, const char *log)
{
	int status;
	pid_t pid = demo_spawn(argv, in, log);

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Stop a child: SIGTERM, then SIGKILL if it lingers. */
static void
demo_stop(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < DEMO_STOP_S * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* Remove the demo directory and what is in it (one level: files only). */
static void
demo_cleanup(struct demo *d)
{
	static const char *const files[] = {
		"vigil.db", "vigil.db-wal", "vigil.db-shm", "vigil.db.key", "port", "password",
		"vigild.log", "sim.log", "setup.log",
	};

	demo_stop(d->sim_pid);
	demo_stop(d->vigild_pid);
	if (d->dir[0] == '\0')
		return;
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *p = xasprintf("%s/%s", d->dir, files[i]);
		unlink(p);
		free(p);
	}
	rmdir(d->dir);
}

/* Start vigild and wait for its port; -1 with *cause. */
static int
demo_start_server(struct demo *d, char **cause)
{
	char *db = xasprintf("%s/vigil.db", d->dir), *portf = xasprintf("%s/port", d->dir);
	char *log = xasprintf("%s/vigild.log", d->dir), *pwf = xasprintf("%s/password", d->dir);
	char *setup = xasprintf("%s/setup.log", d->dir);
	char *imp[] = { d->vigild, "--db", db, "site", "import", d->site, NULL };
	char *add[] = { d->vigild, "--db", db, "user", "add", DEMO_USER, "--role", "dispatcher", NULL };
	char *admin[] = { d->vigild, "--db", db, "user", "add", DEMO_ADMIN, "--role", "admin", NULL };
	char *srv[] = { d->vigild, "--db", db, "--listen", "127.0.0.1:0", "--port-file", portf,
	    "--log", log, NULL };
	unsigned char raw[16];
	char pw[40];
	FILE *f;
	int rc = -1;

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
	if ((f = fopen(pwf, "w")) == NULL) {
		*cause = xasprintf("cannot write %s", pwf);
		goto out;
	}
	fprintf(f, "%s\n", pw);
	fclose(f);
	if (demo_run(imp, NULL, setup) != 0 || demo_run(add, pwf, setup) != 0 ||
	    demo_run(admin, pwf, setup) != 0) {
		*cause = xasprintf("cannot set up the demo database (see %s)", setup);
		goto out;
	}
	d->vigild_pid = demo_spawn(srv, NULL, setup);
	for (int i = 0; i < DEMO_START_S * 10; i++) {
		FILE *pf = fopen(portf, "r");
		int port = 0;

		if (pf != NULL) {
			if (fscanf(pf, "%d", &port) != 1)
				port = 0;
			fclose(pf);
		}
		if (port > 0) {
			snprintf(d->url, sizeof d->url, "http://127.0.0.1:%d", port);
			break;
		}
		usleep(100000);
	}
	if (d->url[0] == '\0') {
		*cause = xasprintf("the demo server did not start (see %s)", log);
		goto out;
	}
	/*
	 * The residents, added by the demo administrator; then log in as the
	 * demo dispatcher and hand the console its session.
	 */
	{
		uv_loop_t loop;
		struct rest *r;
		char *token;

		uv_loop_init(&loop);
		if ((r = rest_new(&loop, d->url, NULL, cause)) == NULL)
			goto out;
		if ((token = demo_login(r, DEMO_ADMIN, pw, cause)) != NULL) {
			struct rest_reply rep;

			rest_set_token(r, token);
			if (demo_residents_add(r, cause) == 0) {
				rest_call(r, "POST", "/api/v1/logout", NULL, &rep);
				rest_reply_release(&rep);
				rest_set_token(r, NULL);
				free(token);
				token = demo_login(r, DEMO_USER, pw, cause);
			} else {
				free(token);
				token = NULL;
			}
		}
		if (token != NULL) {
			setenv("VIGIL_URL", d->url, 1);
			setenv("VIGIL_TOKEN", token, 1);
			free(token);
			rc = 0;
		}
		rest_free(r);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
	}
out:
	sodium_memzero(pw, sizeof pw);
	unlink(pwf);
	free(db);
	free(portf);
	free(log);
	free(pwf);
	free(setup);
	return rc;
}

/* vigil demo: a private server, simulated sites and guards, and the console. */
int
cmd_demo(int argc, char **argv)
{
	struct demo d;
	char *cause = NULL, *simlog;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return cli_help("demo", "");
	if (argc > 1)
		return cli_usage("demo");
	memset(&d, 0, sizeof d);
	if (demo_locate(&d, &cause) != 0) {
		cli_error("demo", "%s", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	snprintf(d.dir, sizeof d.dir, "/tmp/vigil-demo.XXXXXX");
	if (mkdtemp(d.dir) == NULL) {
		cli_error("demo", "cannot make a directory in /tmp: %s", strerror(errno));
		d.dir[0] = '\0';
		return EX_CANTCREAT;
	}
	fprintf(stderr, "vigil demo: starting a private server in %s\n", d.dir);
	if (demo_start_server(&d, &cause) != 0) {
		cli_error("demo", "%s", cause);
		free(cause);
		demo_cleanup(&d);
		return EX_UNAVAILABLE;
	}
	simlog = xasprintf("%s/sim.log", d.dir);
	{
		/* The site's own life, and a short burst of alarms to work on. */
		char *sim[] = { d.sim, "--url", d.url, "--site", d.site, "--positions",
		    "--storm", DEMO_STORM_RATE, "--for", DEMO_STORM_S, "--storm-at", "3",
		    "--quiet", NULL };
		d.sim_pid = demo_spawn(sim, NULL, simlog);
	}
	free(simlog);
	rc = console_main(0, NULL);
	/* Whatever ended the console, a second signal must not stop the cleanup. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	demo_cleanup(&d);
	free(d.vigild);
	free(d.sim);
	free(d.site);
	return rc;
}
