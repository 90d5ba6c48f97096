/*
 * residents.h: residents, their credentials and units, shared by the
 * residents, rights and access API files, the CSV import and ingest.
 *
 * Validation here is the one place that says what a valid phone, email,
 * unit or credential is; each problem names its field as the API reports it.
 */
#ifndef VIGIL_RESIDENTS_H
#define VIGIL_RESIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vlimits.h"

struct server;
struct store;
struct principal;
struct http_resp;
struct audit_actor;

/* A problem with one field: status 422 (invalid) or 409 (conflict). */
struct residents_err {
	int status;
	char field[80];
	char msg[320];
};

/* A resident as given by a request or a CSV row (strings borrowed). */
struct resident_in {
	const char *name;
	const char *phone;              /* NULL for none */
	const char *email;              /* NULL for none */
	const char *building;
	const char *entrance;
	const char *apartment;
	const char *role;
	int ncreds;
	const char *ckind[LIMIT_RESIDENT_CREDENTIALS];
	const char *cvalue[LIMIT_RESIDENT_CREDENTIALS];
	/* Filled by residents_validate: normalised values. */
	char apt_norm[24];
	char cnorm[LIMIT_RESIDENT_CREDENTIALS][LIMIT_CREDENTIAL_LEN + 1];
};

/* Reply 422 {"error":{"code":"invalid","message","field"}}. */
void residents_invalid(struct http_resp *resp, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reply e as an error (422 invalid or 409 conflict, with its field). */
void residents_reply_err(struct http_resp *resp, const struct residents_err *e);
/* Record a problem in e (the first one wins). */
void residents_fail(struct residents_err *e, int status, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* NULL when s is an E.164 number, else what is wrong. */
const char *residents_phone_problem(const char *s);
/* NULL when s is a plausible email address, else what is wrong. */
const char *residents_email_problem(const char *s);
/* NULL when s is valid text for a name (1..max bytes, printable), else why. */
const char *residents_text_problem(const char *s, size_t max);
/* True for resident, administrator, management. */
bool residents_role_valid(const char *role);
/* True for phone, app, card, plate. */
bool residents_kind_valid(const char *kind);
/*
 * Normalise a credential value of kind into out (cards and plates upper
 * case, plates without spaces and dashes); NULL, or what is wrong.
 */
const char *residents_credential_norm(const char *kind, const char *value,
    char *out, size_t outlen);

/*
 * Check a building's entrances or apartments list ("1-2", "A,B",
 * "1-20,101-120"); numeric requires numbers.  NULL, or what is wrong; the
 * canonical text (no spaces) goes to out.
 */
const char *residents_unit_spec_check(const char *spec, bool numeric,
    char *out, size_t outlen);
/* True when name is listed by spec (numbers compare as numbers). */
bool residents_unit_spec_has(const char *spec, const char *name);

/*
 * Check in against the store: fields, unit at site_id, credentials (also
 * unique among themselves and against the store).  Fields are named as the
 * API names them ("unit.building", "credentials[2].value"), or with csv as
 * CSV columns ("building", "credentials").  0, or -1 with e.
 */
int residents_validate(struct store *st, int64_t site_id, struct resident_in *in,
    bool csv, struct residents_err *e);
/*
 * Insert a validated resident with its credentials and its audit entry
 * (action), in the caller's transaction; the new id, or -1.
 */
int64_t residents_insert(struct server *srv, int64_t site_id,
    const struct resident_in *in, const struct audit_actor *who,
    const char *action, int64_t now_ms);

/* The id and time zone of site key (tz may be NULL); id, 0 when none, -1 on error. */
int64_t residents_site(struct store *st, const char *key, char *tz, size_t tzlen);
/* Bump the site's access list version, in the caller's transaction; 0 or -1. */
int residents_bump(struct store *st, int64_t site_id);
/* True when who may see phones, emails and credential values. */
bool residents_contact_allowed(const struct principal *who);

/*
 * A resident as the API shows it (contact fields null unless contact), or
 * NULL when there is no such resident.  *site_id is set when not NULL.
 */
json_t *residents_json(struct store *st, int64_t id, bool contact,
    int64_t *site_id);
/* The resident as stream messages carry it: no contact fields, no credentials. */
json_t *residents_public_json(const json_t *resident);
/* Publish a "resident" stream message {"action", "resident"}; 0 or -1. */
int residents_publish(struct server *srv, const char *action,
    const json_t *resident, int64_t site_id, int64_t now_ms);

/* Publish a "right" stream message {"action", "right"} (right stolen); 0 or -1. */
int residents_publish_right(struct server *srv, const char *action, json_t *right,
    int64_t site_id, int64_t now_ms);
/* A right as the API shows it, or NULL; *site_id and *resident_id set when not NULL. */
json_t *residents_right_json(struct store *st, int64_t id, int64_t *site_id);

/* An access event ingest stored, as residents_access_event needs it. */
struct residents_access {
	int64_t site_id, point_id, gateway_id, event_id;
	bool denied;              /* access_denied, else access_granted */
	bool count_denials;       /* a denial the rules did not already make an alarm */
	const char *credential;   /* or NULL */
	int64_t sensor_ms;
	const char *gateway_key;
	const char *source;
};

/*
 * After ingest stored an access event (inside its transaction): link it to
 * the resident holding the credential at the site, publish it on the stream
 * ("access", without the credential), and for a denial to count, raise the
 * repeated-denials alarm when ACCESS_DENIALS_ALARM_COUNT denials at the
 * point fall within ACCESS_DENIALS_WINDOW_S.  Returns the alarm id raised
 * or grouped into (0 for none), or -1 on a store error.
 */
int64_t residents_access_event(struct server *srv, const struct residents_access *ev,
    int64_t now_ms);

/* Helper of the API files. */
struct jsonx;
/* Reply a jsonx reader's problem as 422 with its field. */
void residents_jsonx_reply(struct http_resp *resp, const struct jsonx *jx);

#endif
