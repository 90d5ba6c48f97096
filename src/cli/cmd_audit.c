#include "compat.h"

#include <getopt.h>
#include <locale.h>
#include <sysexits.h>

#include <jansson.h>

#include "auditverify.h"
#include "cli.h"
#include "export.h"
#include "sanitize.h"

/*
 * vigil audit verify FILE | --server: check an exported audit log on this
 * side, trusting nothing the server says but the public key of its
 * checkpoints, and that only when it is not pinned (--key or
 * VIGIL_AUDIT_KEY).  Every hash is recomputed here (auditverify.h).
 */

/* Read the key trusted: --key, VIGIL_AUDIT_KEY, or the server's (warned). */
static int
audit_key(const char *given, char key[AUDITSIG_PK_HEX_LEN + 1], bool quiet)
{
	unsigned char pk[AUDITSIG_PK_BYTES];
	struct cli_api *a;
	json_t *reply = NULL;
	const char *k;
	int st;

	if (given == NULL)
		given = getenv("VIGIL_AUDIT_KEY");
	if (given != NULL && given[0] != '\0') {
		if (auditsig_unhex(given, pk, sizeof pk) != 0) {
			cli_error("audit", "--key: not an Ed25519 public key (%d hex "
			    "digits, as \"vigild audit key\" prints)",
			    AUDITSIG_PK_HEX_LEN);
			return EX_USAGE;
		}
		snprintf(key, AUDITSIG_PK_HEX_LEN + 1, "%s", given);
		for (char *p = key; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
		return 0;
	}
	if ((a = cli_api_open("audit", &st)) == NULL) {
		cli_error("audit", "no key to check the checkpoints with: give "
		    "--key (\"vigild audit key\" prints it) or log in");
		return st;
	}
	st = cli_api_call(a, "GET", NULL, &reply, "/api/v1/audit/key");
	cli_api_close(a);
	if (st != 0)
		return st;
	k = json_string_value(json_object_get(reply, "key"));
	if (k == NULL || auditsig_unhex(k, pk, sizeof pk) != 0) {
		json_decref(reply);
		cli_error("audit", "the server's audit key is malformed");
		return EX_PROTOCOL;
	}
	snprintf(key, AUDITSIG_PK_HEX_LEN + 1, "%s", k);
	json_decref(reply);
	if (!quiet)
		cli_error("audit", "warning: the checkpoints' key %s was taken from "
		    "the server, which this trusts; pin it with --key", key);
	return 0;
}

/* Feed one line to the check (an export_line_fn); EX_DATAERR stops it. */
static int
audit_feed(void *arg, const char *line, size_t len)
{
	return auditverify_line(arg, line, len) == 0 ? 0 : EX_DATAERR;
}

/* Check the lines of a JSON lines file; 0, EX_DATAERR, or another status. */
static int
audit_file_lines(struct auditverify *v, FILE *f, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (n > LIMIT_EXPORT_LINE_BYTES) {
			cli_error("audit", "%s: line %" PRId64 " is longer than %d "
			    "bytes", path, v->line + 1, LIMIT_EXPORT_LINE_BYTES);
			rc = EX_DATAERR;
			break;
		}
		if (line[n - 1] == '\n')
			n--;
		if (auditverify_line(v, line, (size_t)n) != 0) {
			rc = EX_DATAERR;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		cli_error("audit", "cannot read %s: %s", path, strerror(errno));
		rc = EX_IOERR;
	}
	free(line);
	return rc;
}

/* Check a JSON file (an array of the lines' objects); 0 or a status. */
static int
audit_file_json(struct auditverify *v, FILE *f, const char *path)
{
	json_error_t err;
	json_t *all = json_loadf(f, JSON_REJECT_DUPLICATES, &err), *e;
	size_t i;
	int rc = 0;

	if (!json_is_array(all)) {
		json_decref(all);
		cli_error("audit", "%s: not a JSON array of audit entries (line %d)",
		    path, err.line);
		return EX_DATAERR;
	}
	json_array_foreach(all, i, e) {
		char *text = json_dumps(e, JSON_COMPACT);

		if (text == NULL)
			fatal("cannot encode an entry");
		rc = auditverify_line(v, text, strlen(text));
		free(text);
		if (rc != 0) {
			rc = EX_DATAERR;
			break;
		}
	}
	json_decref(all);
	return rc;
}

/* Check the file at path; 0 or a status. */
static int
audit_file(struct auditverify *v, const char *path)
{
	FILE *f = fopen(path, "r");
	int c, rc;

	if (f == NULL) {
		cli_error("audit", "cannot open %s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((c = getc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t')
		;
	if (c != '{' && c != '[') {
		fclose(f);
		cli_error("audit", "%s is not a JSON export of the audit (a CSV "
		    "file cannot be checked: export with --format jsonl)", path);
		return EX_DATAERR;
	}
	ungetc(c, f);
	rc = c == '[' ? audit_file_json(v, f, path) : audit_file_lines(v, f, path);
	fclose(f);
	return rc;
}

static const char audit_help[] =
    "  verify FILE        check an audit export (jsonl or json)\n"
    "  verify --server    export the server's audit and check it\n"
    "  --key KEY          the checkpoints' public key (\"vigild audit key\"),\n"
    "                     else VIGIL_AUDIT_KEY, else the server's (trusting it)\n"
    "  --quiet            say nothing when the log verifies\n";

/* vigil audit verify FILE|--server [--key KEY] [--quiet]. */
int
cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", no_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char key[AUDITSIG_PK_HEX_LEN + 1], msg[SANITIZE_SIZE(600)];
	const char *given = NULL, *path = NULL, *what;
	bool server = false, quiet = false;
	struct auditverify v;
	int ch, rc;

	setlocale(LC_CTYPE, "");
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': server = true; break;
		case 'k': given = optarg; break;
		case 'q': quiet = true; break;
		case 'h': return cli_help("audit", audit_help);
		default: return cli_usage("audit");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "verify") != 0)
		return cli_usage("audit");
	if (server == (optind + 2 == argc) || optind + 2 < argc)
		return cli_usage("audit");
	if (!server)
		path = argv[optind + 1];
	if ((rc = audit_key(given, key, quiet)) != 0)
		return rc;

	auditverify_init(&v, key);
	if (server) {
		struct export_fetch f;

		memset(&f, 0, sizeof f);
		f.cmd = "audit";
		f.kind = "audit";
		f.query = "";
		f.line = audit_feed;
		f.arg = &v;
		rc = export_fetch_run(&f);
		what = export_fetch_url();
	} else {
		rc = audit_file(&v, path);
		what = path;
	}
	if (rc == 0 && auditverify_finish(&v) != 0)
		rc = EX_DATAERR;
	if (rc == EX_DATAERR && v.error != NULL) {
		sanitize_copy(msg, sizeof msg, v.error, strlen(v.error),
		    cli_text_flags());
		cli_error("audit", "%s does not verify: %s", what, msg);
	} else if (rc == 0 && !quiet) {
		printf("audit: %" PRId64 " entries verified (%" PRId64 " to %" PRId64
		    "), head %s; %" PRId64 " signed checkpoints, the newest at entry %"
		    PRId64 "\n", v.rows, v.first_seq, v.last_seq, v.last_hash,
		    v.checkpoints, v.signed_seq);
		if (v.first_seq > 1)
			printf("audit: the file starts at entry %" PRId64 ": the chain "
			    "is checked from there\n", v.first_seq);
		if (v.signed_seq < v.last_seq)
			printf("audit: entries %" PRId64 " to %" PRId64 " follow the "
			    "newest checkpoint: chained, not yet signed\n",
			    v.signed_seq + 1, v.last_seq);
		rc = cli_flush();
	}
	auditverify_release(&v);
	return rc;
}
