/*
 * vigild: the vigil server.
 *
 *   vigild [--db PATH] [--listen ADDR:PORT] [--cert FILE --key FILE] [--plaintext]
 *   vigild [--db PATH] site import FILE
 *   vigild [--db PATH] user add NAME --role ROLE [--site KEY]... [--guard CALLSIGN]
 *   vigild [--db PATH] audit verify
 *   vigild [--db PATH] [--audit-key FILE] audit key
 */
#include "compat.h"

#include <getopt.h>
#include <signal.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "audit.h"
#include "audit_cli.h"
#include "auth.h"
#include "checkpoint.h"
#include "http.h"
#include "hub.h"
#include "ingest.h"
#include "log.h"
#include "server.h"
#include "site_import.h"
#include "store.h"
#include "streamlog.h"
#include "supervise.h"

#define VIGILD_DEFAULT_DB     "vigil.db"
#define VIGILD_DEFAULT_LISTEN "127.0.0.1:8473"

static struct server vigild;
static const char *vigild_audit_key;   /* --audit-key, or NULL for DB.key */
static uv_signal_t vigild_sigint, vigild_sigterm;

/* Print usage to f. */
static void
vigild_usage(FILE *f)
{
	fprintf(f,
	    "usage: vigild [--db PATH] [--listen ADDR:PORT] [--cert FILE --key FILE]\n"
	    "              [--plaintext] [--port-file FILE] [--log FILE] [--verbose]\n"
	    "              [--audit-key FILE]\n"
	    "       vigild [--db PATH] site import FILE...\n"
	    "       vigild [--db PATH] user add NAME --role ROLE [--site KEY]... [--guard CALLSIGN]\n"
	    "       vigild [--db PATH] audit verify\n"
	    "       vigild [--db PATH] [--audit-key FILE] audit key\n"
	    "       vigild --version\n");
}

/* True when addr is a loopback address. */
static bool
vigild_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strcmp(addr, "localhost") == 0;
}

/* Split "ADDR:PORT" (or "[v6]:PORT") into the config; -1 when malformed. */
static int
vigild_parse_listen(const char *arg, struct server_config *cfg)
{
	static char host[256];
	const char *colon = strrchr(arg, ':');
	char *end;
	long port;
	size_t hlen;

	if (colon == NULL || colon == arg)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 0 || port > 65535)
		return -1;
	hlen = (size_t)(colon - arg);
	if (arg[0] == '[' && hlen >= 2 && arg[hlen - 1] == ']') {
		arg++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof host)
		return -1;
	memcpy(host, arg, hlen);
	host[hlen] = '\0';
	cfg->listen_addr = host;
	cfg->listen_port = (int)port;
	return 0;
}

/* Begin an orderly stop on SIGINT or SIGTERM. */
static void
vigild_on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;

	if (srv->stopping)
		return;
	srv->stopping = true;
	log_info("vigild: signal %d, stopping", signum);
	supervise_stop(srv);
	checkpoint_stop();
	ingest_free(srv);
	http_stop(srv);
	hub_free(srv->hub);
	uv_close((uv_handle_t *)&vigild_sigint, NULL);
	uv_close((uv_handle_t *)&vigild_sigterm, NULL);
}

/* Write the bound port to the port file (atomically, via a rename). */
static int
vigild_write_port(const char *path, int port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (f != NULL) {
		fprintf(f, "%d\n", port);
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
	}
	free(tmp);
	return rc;
}

/* Load (creating on first use) the key that signs audit checkpoints. */
static int
vigild_open_audit_key(struct server *srv)
{
	char *path, *cause = NULL;
	int rc;

	if (vigild_audit_key != NULL)
		path = xstrdup(vigild_audit_key);
	else
		path = xasprintf("%s.key", srv->cfg.db_path);
	rc = checkpoint_key_open(path, true, &cause);
	if (rc != 0) {
		fprintf(stderr, "vigild: %s\n", cause);
		free(cause);
	}
	free(path);
	return rc;
}

/* vigild audit key: print the public key of the audit checkpoints. */
static int
vigild_audit_key_print(struct server *srv)
{
	if (vigild_open_audit_key(srv) != 0)
		return EX_CANTCREAT;
	printf("%s\n", checkpoint_public_key());
	checkpoint_key_close();
	return 0;
}

/* Serve the API until a signal stops it. */
static int
vigild_serve(struct server *srv)
{
	char *cause = NULL;

	if (!vigild_loopback(srv->cfg.listen_addr) && srv->cfg.cert_path == NULL &&
	    !srv->cfg.plaintext) {
		fprintf(stderr, "vigild: refusing to listen on %s without TLS: give "
		    "--cert and --key, or --plaintext if a TLS proxy is in front\n",
		    srv->cfg.listen_addr);
		return EX_USAGE;
	}
	if ((srv->cfg.cert_path == NULL) != (srv->cfg.key_path == NULL)) {
		fprintf(stderr, "vigild: --cert and --key go together\n");
		return EX_USAGE;
	}
	if (vigild_open_audit_key(srv) != 0)
		return EX_CANTCREAT;
	srv->loop = uv_default_loop();
	srv->throttle = throttle_new();
	ingest_new(srv);
	hub_new(srv);
	if (http_start(srv, &cause) != 0) {
		fprintf(stderr, "vigild: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	if (srv->cfg.port_file != NULL &&
	    vigild_write_port(srv->cfg.port_file, srv->bound_port) != 0) {
		fprintf(stderr, "vigild: cannot write %s: %s\n", srv->cfg.port_file,
		    strerror(errno));
		return EX_CANTCREAT;
	}
	uv_signal_init(srv->loop, &vigild_sigint);
	uv_signal_init(srv->loop, &vigild_sigterm);
	vigild_sigint.data = vigild_sigterm.data = srv;
	uv_signal_start(&vigild_sigint, vigild_on_signal, SIGINT);
	uv_signal_start(&vigild_sigterm, vigild_on_signal, SIGTERM);
	supervise_start(srv);
	checkpoint_start(srv);
	log_info("vigild %s listening on %s:%d (%s), database %s (schema %d)",
	    VIGIL_VERSION, srv->cfg.listen_addr, srv->bound_port,
	    srv->cfg.cert_path != NULL ? "TLS" : "plain HTTP", srv->cfg.db_path,
	    store_schema_version(srv->st));
	uv_run(srv->loop, UV_RUN_DEFAULT);
	uv_loop_close(srv->loop);
	checkpoint_key_close();
	throttle_free(srv->throttle);
	log_info("vigild: stopped");
	return 0;
}

#define SITE_TOTAL(c) ((c).created + (c).updated + (c).unchanged)
#define SITE_SUM(s, f) ((s).sites.f + (s).points.f + (s).gateways.f + \
    (s).guards.f + (s).rules.f)

/* vigild site import FILE...: load site files into the database. */
static int
vigild_site_import(struct server *srv, int argc, char **argv)
{
	if (argc < 1) {
		vigild_usage(stderr);
		return EX_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		struct site_import_stats stats;
		char *cause = NULL;

		if (site_import_file(srv, argv[i], &stats, &cause) != 0) {
			fprintf(stderr, "vigild: %s\n", cause);
			free(cause);
			return EX_DATAERR;
		}
		printf("%s: %d points, %d gateways, %d guards, %d rules: "
		    "%d created, %d updated, %d unchanged\n", argv[i],
		    SITE_TOTAL(stats.points), SITE_TOTAL(stats.gateways),
		    SITE_TOTAL(stats.guards), SITE_TOTAL(stats.rules),
		    SITE_SUM(stats, created), SITE_SUM(stats, updated),
		    SITE_SUM(stats, unchanged));
	}
	return 0;
}

/*
 * Read one line (the password) from stdin without its newline; NULL on none.
 * On a terminal the typing is not echoed.
 */
static char *
vigild_read_password(const char *name)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "password for %s: ", name);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}

	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* vigild user add NAME --role ROLE [--site KEY]... [--guard CALLSIGN]. */
static int
vigild_user_add(struct server *srv, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "site", required_argument, NULL, 's' },
		{ "guard", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sites[AUTH_MAX_SITES], *role = NULL, *guard = NULL, *name;
	char *password, *cause = NULL;
	int nsites = 0, c, rc;

	optind = 0; /* GNU getopt: start over, including its internal state */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'g': guard = optarg; break;
		case 's':
			if (nsites == AUTH_MAX_SITES) {
				fprintf(stderr, "vigild: at most %d sites\n", AUTH_MAX_SITES);
				return EX_USAGE;
			}
			sites[nsites++] = optarg;
			break;
		default:
			vigild_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc - 1 || role == NULL) {
		vigild_usage(stderr);
		return EX_USAGE;
	}
	name = argv[optind];
	if (role_parse(role) < 0) {
		fprintf(stderr, "vigild: unknown role \"%s\" (admin, supervisor, "
		    "dispatcher, manager or guard)\n", role);
		return EX_USAGE;
	}
	password = vigild_read_password(name);
	if (password == NULL) {
		fprintf(stderr, "vigild: no password on standard input\n");
		return EX_USAGE;
	}
	rc = auth_user_add(srv->st, name, role, password, sites, nsites, guard, &cause);
	sodium_memzero(password, strlen(password));
	free(password);
	if (rc != 0) {
		fprintf(stderr, "vigild: %s\n", cause);
		free(cause);
		return EX_DATAERR;
	}
	printf("user %s added with role %s\n", name, role);
	return 0;
}

/* Run the subcommand in argv[0..argc), or serve when there is none. */
static int
vigild_command(struct server *srv, int argc, char **argv)
{
	if (argc == 0)
		return vigild_serve(srv);
	if (argc >= 2 && strcmp(argv[0], "site") == 0 && strcmp(argv[1], "import") == 0)
		return vigild_site_import(srv, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "add") == 0)
		return vigild_user_add(srv, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[0], "audit") == 0 && strcmp(argv[1], "verify") == 0)
		return audit_cli_verify(srv->st, stdout) == 0 ? 0 : EX_DATAERR;
	if (argc == 2 && strcmp(argv[0], "audit") == 0 && strcmp(argv[1], "key") == 0)
		return vigild_audit_key_print(srv);
	fprintf(stderr, "vigild: unknown command \"%s\"\n", argv[0]);
	vigild_usage(stderr);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "plaintext", no_argument, NULL, 'P' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "audit-key", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server *srv = &vigild;
	const char *log_path = NULL;
	enum log_level level = LOG_INFO;
	char *cause = NULL;
	int c, rc;

	srv->cfg.db_path = getenv("VIGIL_DB") != NULL ? getenv("VIGIL_DB") : VIGILD_DEFAULT_DB;
	vigild_parse_listen(VIGILD_DEFAULT_LISTEN, &srv->cfg);
	/* "+" stops at the first subcommand word; its own options follow it. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': srv->cfg.db_path = optarg; break;
		case 'l':
			if (vigild_parse_listen(optarg, &srv->cfg) != 0) {
				fprintf(stderr, "vigild: --listen wants ADDR:PORT, not \"%s\"\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case 'c': srv->cfg.cert_path = optarg; break;
		case 'k': srv->cfg.key_path = optarg; break;
		case 'P': srv->cfg.plaintext = true; break;
		case 'p': srv->cfg.port_file = optarg; break;
		case 'L': log_path = optarg; break;
		case 'v': level = LOG_DEBUG; break;
		case 'A': vigild_audit_key = optarg; break;
		case 'h': vigild_usage(stdout); return 0;
		case 'V': printf("vigild %s\n", VIGIL_VERSION); return 0;
		default: vigild_usage(stderr); return EX_USAGE;
		}
	}
	if (log_open(log_path, level) != 0) {
		fprintf(stderr, "vigild: cannot open log %s: %s\n", log_path, strerror(errno));
		return EX_CANTCREAT;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "vigild: libsodium failed to start\n");
		return EX_SOFTWARE;
	}
	signal(SIGPIPE, SIG_IGN);
	srv->st = store_open(srv->cfg.db_path, &cause);
	if (srv->st == NULL) {
		fprintf(stderr, "vigild: %s\n", cause);
		free(cause);
		return EX_CANTCREAT;
	}
	rc = vigild_command(srv, argc - optind, argv + optind);
	streamlog_free(srv);
	store_free(srv->st);
	log_close();
	return rc;
}
