#include "compat.h"

#include <sqlite3.h>

#include "accessrule.h"
#include "access_list.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "vtime.h"

/*
 * A gateway's access list (vigil-protocol(7)): one entry per credential of
 * the site, in credential order, with the schedules of its resident's
 * active rights (in right order) to the gateway's access points.
 *
 * The list of a large site is big (100,000 credentials make some 24 MB),
 * so it is built from two plain scans, no join: the site's active rights,
 * sorted by resident in memory, then its credentials, each finding its
 * resident's rights by binary search.  It is written with appends, no
 * printf: the rights of a site repeat a handful of schedules (the same
 * group, days and hours for most residents), so each distinct schedule is
 * encoded once into a small open-addressed table and copied after that.
 */
#define ACCESS_LIST_SLOTS      4096   /* schedule table size, a power of two */
#define ACCESS_LIST_KEEP       2048   /* distinct schedules kept in the table */
#define ACCESS_LIST_CRED_SCHED 64     /* schedules of one credential written at most */

/* One gateway access point. */
struct access_list_point {
	int64_t id;
	char *json;              /* "key", quoted */
	size_t len;
};

/* The access points of one group that belong to the gateway. */
struct access_list_group {
	int64_t id;
	int *idx;                /* into the gateway's points */
	int n;
};

/* A schedule as rights hold it, and its encoding. */
struct access_list_sched {
	bool used;
	int64_t point_id, group_id;   /* one of them, the other 0 */
	unsigned days;
	int from, until;
	int64_t vfrom, vuntil;        /* -1 for none */
	const int *idx;               /* its points */
	int nidx;
	int one;                      /* the point's index, for a right to one point */
	char *json;                   /* {"points":[...],"days":...} */
	size_t len;
};

/* An active right: whose, and its schedule. */
struct access_list_right {
	int64_t resident, id;
	const struct access_list_sched *e;
};

/* Everything one build needs. */
struct access_list {
	struct access_list_point *pts;
	int npts;
	struct access_list_group *groups;
	int ngroups;
	struct access_list_sched *slots;
	int nkept;
	struct access_list_sched **extra;  /* schedules the full table had no room for */
	size_t nextra;
	struct access_list_right *rights;
	size_t nrights;
};

/* Append s as a JSON string (quoted, escaped) to b. */
static void
access_list_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	buf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		buf_add(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			buf_add(b, esc, 2);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

			buf_add(b, esc, 6);
		}
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
	buf_add(b, "\"", 1);
}

/* Append a non-negative integer in decimal. */
static void
access_list_int(struct buf *b, int64_t v)
{
	char tmp[24];
	int i = (int)sizeof tmp;
	uint64_t u = v < 0 ? 0 : (uint64_t)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	buf_add(b, tmp + i, sizeof tmp - (size_t)i);
}

/* The index of point id among the gateway's points (sorted by id), or -1. */
static int
access_list_point_idx(const struct access_list *l, int64_t id)
{
	int lo = 0, hi = l->npts - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (l->pts[mid].id == id)
			return mid;
		if (l->pts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Read the gateway's access points and the site's groups; 0 or -1. */
static int
access_list_load(struct server *srv, int64_t site_id, int64_t gw_id, struct access_list *l)
{
	static const char sql_points[] =
	    "SELECT id, key FROM points WHERE gateway_id = ? AND access = 1"
	    " ORDER BY id";
	static const char sql_groups[] =
	    "SELECT m.group_id, m.point_id FROM access_group_points m"
	    " JOIN access_groups g ON g.id = m.group_id WHERE g.site_id = ?"
	    " ORDER BY m.group_id";
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(srv->st, sql_points);
	store_bind_int(s, 1, gw_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct buf kb;

		l->pts = xrealloc(l->pts, (size_t)(l->npts + 1) * sizeof *l->pts);
		buf_init(&kb, LIMIT_KEY_LEN * 6 + 3);
		access_list_json_str(&kb, store_col_text(s, 1));
		l->pts[l->npts].id = sqlite3_column_int64(s, 0);
		l->pts[l->npts].json = buf_detach(&kb, &l->pts[l->npts].len);
		l->npts++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	s = store_stmt(srv->st, sql_groups);
	store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t gid = sqlite3_column_int64(s, 0);
		int idx = access_list_point_idx(l, sqlite3_column_int64(s, 1));

		if (l->ngroups == 0 || l->groups[l->ngroups - 1].id != gid) {
			l->groups = xrealloc(l->groups, (size_t)(l->ngroups + 1) *
			    sizeof *l->groups);
			l->groups[l->ngroups].id = gid;
			l->groups[l->ngroups].idx = NULL;
			l->groups[l->ngroups].n = 0;
			l->ngroups++;
		}
		if (idx >= 0) {
			struct access_list_group *g = &l->groups[l->ngroups - 1];

			g->idx = xrealloc(g->idx, (size_t)(g->n + 1) * sizeof *g->idx);
			g->idx[g->n++] = idx;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Append a time in ms as a quoted ISO string, or null for -1. */
static void
access_list_time(struct buf *b, int64_t ms)
{
	char ts[VTIME_ISO_LEN];

	if (ms < 0) {
		buf_add(b, "null", 4);
		return;
	}
	vtime_format(ms, ts, sizeof ts);
	buf_add(b, "\"", 1);
	buf_adds(b, ts);
	buf_add(b, "\"", 1);
}

/* Encode a schedule once: its points, days, hours and validity. */
static void
access_list_encode(const struct access_list *l, struct access_list_sched *e)
{
	char days[ACCESSRULE_DAYS_LEN], from[8], until[8];
	struct buf b;

	buf_init(&b, LIMIT_RESPONSE_BYTES);
	buf_adds(&b, "{\"points\":[");
	for (int i = 0; i < e->nidx; i++) {
		if (i > 0)
			buf_add(&b, ",", 1);
		buf_add(&b, l->pts[e->idx[i]].json, l->pts[e->idx[i]].len);
	}
	accessrule_days_format(e->days, days, sizeof days);
	accessrule_time_format(e->from, from, sizeof from);
	accessrule_time_format(e->until, until, sizeof until);
	buf_addf(&b, "],\"days\":\"%s\",\"from\":\"%s\",\"until\":\"%s\",\"valid_from\":",
	    days, from, until);
	access_list_time(&b, e->vfrom);
	buf_adds(&b, ",\"valid_until\":");
	access_list_time(&b, e->vuntil);
	buf_add(&b, "}", 1);
	free(e->json);
	e->json = buf_detach(&b, &e->len);
}

/* Point a schedule at its points and encode it; NULL when none is the gateway's. */
static struct access_list_sched *
access_list_fill(struct access_list *l, struct access_list_sched *e)
{
	e->idx = NULL;
	e->nidx = 0;
	if (e->point_id != 0) {
		if ((e->one = access_list_point_idx(l, e->point_id)) >= 0) {
			e->idx = &e->one;
			e->nidx = 1;
		}
	} else {
		for (int g = 0; g < l->ngroups; g++)
			if (l->groups[g].id == e->group_id) {
				e->idx = l->groups[g].idx;
				e->nidx = l->groups[g].n;
				break;
			}
	}
	if (e->nidx > 0)
		access_list_encode(l, e);
	return e;
}

/*
 * The schedule of the current row of the rights scan: from the table,
 * encoded on first sight; NULL when none of its points is the gateway's.
 */
static const struct access_list_sched *
access_list_sched(struct access_list *l, sqlite3_stmt *s)
{
	struct access_list_sched k, *e;
	uint64_t h = 1469598103934665603ULL, parts[7];
	size_t slot;

	memset(&k, 0, sizeof k);
	if (sqlite3_column_type(s, 2) != SQLITE_NULL)
		k.point_id = sqlite3_column_int64(s, 2);
	else
		k.group_id = sqlite3_column_int64(s, 3);
	k.days = (unsigned)sqlite3_column_int(s, 4);
	k.from = sqlite3_column_int(s, 5);
	k.until = sqlite3_column_int(s, 6);
	k.vfrom = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
	k.vuntil = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 8);
	parts[0] = (uint64_t)k.point_id;
	parts[1] = (uint64_t)k.group_id;
	parts[2] = k.days;
	parts[3] = (uint64_t)k.from;
	parts[4] = (uint64_t)k.until;
	parts[5] = (uint64_t)k.vfrom;
	parts[6] = (uint64_t)k.vuntil;
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		h ^= parts[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	for (slot = h & (ACCESS_LIST_SLOTS - 1); l->slots[slot].used;
	    slot = (slot + 1) & (ACCESS_LIST_SLOTS - 1)) {
		e = &l->slots[slot];
		if (e->point_id == k.point_id && e->group_id == k.group_id &&
		    e->days == k.days && e->from == k.from && e->until == k.until &&
		    e->vfrom == k.vfrom && e->vuntil == k.vuntil)
			return e->nidx > 0 ? e : NULL;
	}
	if (l->nkept < ACCESS_LIST_KEEP) {
		e = &l->slots[slot];
		l->nkept++;
	} else {
		/* A site of very many distinct schedules: each its own. */
		e = xmalloc(sizeof *e);
		l->extra = xrealloc(l->extra, (l->nextra + 1) * sizeof *l->extra);
		l->extra[l->nextra++] = e;
	}
	*e = k;
	e->used = true;
	access_list_fill(l, e);
	return e->nidx > 0 ? e : NULL;
}

/* Order rights by resident, then by id (the order of the list's schedules). */
static int
access_list_right_cmp(const void *a, const void *b)
{
	const struct access_list_right *x = a, *y = b;

	if (x->resident != y->resident)
		return x->resident < y->resident ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Read the site's active rights to the gateway's points, sorted by resident; 0 or -1. */
static int
access_list_rights(struct server *srv, int64_t site_id, struct access_list *l)
{
	static const char sql[] =
	    "SELECT resident_id, id, point_id, group_id, days, from_min, until_min,"
	    " valid_from_ms, valid_until_ms FROM rights"
	    " WHERE site_id = ? AND state = 'active'";
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc;

	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const struct access_list_sched *e = access_list_sched(l, s);

		if (e == NULL)
			continue;
		if (l->nrights == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			l->rights = xrealloc(l->rights, cap * sizeof *l->rights);
		}
		l->rights[l->nrights].resident = sqlite3_column_int64(s, 0);
		l->rights[l->nrights].id = sqlite3_column_int64(s, 1);
		l->rights[l->nrights].e = e;
		l->nrights++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (l->nrights > 0)
		qsort(l->rights, l->nrights, sizeof *l->rights, access_list_right_cmp);
	return 0;
}

/* The index of resident's first right, or nrights when it has none. */
static size_t
access_list_first_right(const struct access_list *l, int64_t resident)
{
	size_t lo = 0, hi = l->nrights;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->rights[mid].resident < resident)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->nrights && l->rights[lo].resident == resident ? lo : l->nrights;
}

/*
 * Write the credential of the current row of the credentials scan: its
 * kind, value and resident, the union of its schedules' points, the
 * schedules.
 */
static void
access_list_credential(struct access_list *l, struct buf *b, sqlite3_stmt *s,
    const struct access_list_sched *const *sch, int n, bool first, unsigned char *mark)
{
	int written = 0;

	buf_adds(b, first ? "{\"kind\":" : ",{\"kind\":");
	access_list_json_str(b, store_col_text(s, 1));
	buf_adds(b, ",\"value\":");
	access_list_json_str(b, store_col_text(s, 2));
	buf_adds(b, ",\"resident\":");
	access_list_int(b, sqlite3_column_int64(s, 3));
	buf_adds(b, ",\"points\":[");
	for (int i = 0; i < n; i++)
		for (int j = 0; j < sch[i]->nidx; j++) {
			int p = sch[i]->idx[j];

			if (mark[p])
				continue;
			mark[p] = 1;
			if (written++ > 0)
				buf_add(b, ",", 1);
			buf_add(b, l->pts[p].json, l->pts[p].len);
		}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < sch[i]->nidx; j++)
			mark[sch[i]->idx[j]] = 0;
	buf_adds(b, "],\"schedules\":[");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		buf_add(b, sch[i]->json, sch[i]->len);
	}
	buf_adds(b, "]}");
}

/* Free what a build holds. */
static void
access_list_free(struct access_list *l)
{
	for (int i = 0; i < l->npts; i++)
		free(l->pts[i].json);
	for (int g = 0; g < l->ngroups; g++)
		free(l->groups[g].idx);
	for (size_t i = 0; l->slots != NULL && i < ACCESS_LIST_SLOTS; i++)
		free(l->slots[i].json);
	for (size_t i = 0; i < l->nextra; i++) {
		free(l->extra[i]->json);
		free(l->extra[i]);
	}
	free(l->extra);
	free(l->rights);
	free(l->pts);
	free(l->groups);
	free(l->slots);
}

/* Build the access list of gateway gw_id into b; 0 or -1. */
int
access_list_build(struct server *srv, int64_t site_id, int64_t gw_id,
    const char *gw_key, const char *site_key, const char *tz, int64_t version,
    struct buf *b)
{
	static const char sql[] =
	    "SELECT id, kind, value, resident_id FROM credentials"
	    " WHERE site_id = ? AND removed_ms IS NULL ORDER BY id";
	struct access_list l;
	const struct access_list_sched *sch[ACCESS_LIST_CRED_SCHED];
	unsigned char *mark = NULL;
	bool first = true;
	sqlite3_stmt *s;
	int rc = SQLITE_ERROR;

	memset(&l, 0, sizeof l);
	l.slots = xcalloc(ACCESS_LIST_SLOTS, sizeof *l.slots);
	if (access_list_load(srv, site_id, gw_id, &l) != 0 ||
	    access_list_rights(srv, site_id, &l) != 0)
		goto out;
	buf_adds(b, "{\"gateway\":");
	access_list_json_str(b, gw_key);
	buf_adds(b, ",\"site\":");
	access_list_json_str(b, site_key);
	buf_adds(b, ",\"version\":");
	access_list_int(b, version);
	buf_adds(b, ",\"timezone\":");
	access_list_json_str(b, tz);
	buf_adds(b, ",\"points\":[");
	for (int i = 0; i < l.npts; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		buf_add(b, l.pts[i].json, l.pts[i].len);
	}
	buf_adds(b, "],\"credentials\":[");
	mark = xcalloc((size_t)l.npts + 1, 1);
	s = store_stmt(srv->st, sql);
	store_bind_int(s, 1, site_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t resident = sqlite3_column_int64(s, 3);
		size_t i = access_list_first_right(&l, resident);
		int n = 0;

		/* A credential with no right to this gateway's points is not in its list. */
		for (; i < l.nrights && l.rights[i].resident == resident &&
		    n < ACCESS_LIST_CRED_SCHED; i++)
			sch[n++] = l.rights[i].e;
		if (n == 0)
			continue;
		access_list_credential(&l, b, s, sch, n, first, mark);
		first = false;
	}
	sqlite3_reset(s);
	buf_adds(b, "]}");
out:
	free(mark);
	access_list_free(&l);
	if (rc != SQLITE_DONE) {
		log_error("access list of %s: %s", gw_key, store_errmsg(srv->st));
		return -1;
	}
	return b->overflow ? -1 : 0;
}
