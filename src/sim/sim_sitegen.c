#include "compat.h"

#include <math.h>

#include "buf.h"
#include "sim_rng.h"
#include "sim_sitegen.h"

/* Where the district lies (Leeds), and how its sites are laid out. */
#define SIM_SITEGEN_LAT0        53.80000
#define SIM_SITEGEN_LON0        -1.56000
#define SIM_SITEGEN_PER_ROW     10        /* sites in a row of the district */
#define SIM_SITEGEN_STEP_LAT    0.00400   /* between sites, about 450 m */
#define SIM_SITEGEN_STEP_LON    0.00650   /* about 430 m */
#define SIM_SITEGEN_SIZE_LAT    0.00250   /* a site, about 280 m */
#define SIM_SITEGEN_SIZE_LON    0.00400   /* about 265 m */
#define SIM_SITEGEN_SPREAD      0.30      /* points lie this far into a plot */
#define SIM_SITEGEN_POINTS_PER_GATEWAY 15 /* a building's worth of points */
#define SIM_SITEGEN_SUPERVISION_S 180
#define SIM_SITEGEN_STOREYS     8         /* floors above ground, at most */
#define SIM_SITEGEN_CONTROLLED  0.5       /* chance a further door has a reader */
#define SIM_SITEGEN_GW_SECRET   24        /* random bytes, written in hex */
#define SIM_SITEGEN_DEV_SECRET  20
#define SIM_SITEGEN_PATROL_MIN  4         /* waypoints of a patrol */
#define SIM_SITEGEN_PATROL_MAX  8
#define SIM_SITEGEN_PER_LINE    5         /* waypoints on one line of the file */
#define SIM_SITEGEN_MAX_BYTES   LIMIT_SITE_FILE_BYTES
#define SIM_SITEGEN_LETTERS     26
#define SIM_SITEGEN_BYTE        256       /* values of a byte */

/* The kinds of point a building has, how common each is, and its words. */
static const struct sim_sitegen_kind {
	const char *type;            /* wire name */
	const char *word;            /* in point keys */
	int weight;
} sim_sitegen_kinds[] = {
	{ "door", "door", 30 },
	{ "window", "window", 12 },
	{ "motion", "motion", 14 },
	{ "water", "water", 8 },
	{ "equipment", "equip", 10 },
	{ "gate", "gate", 5 },
	{ "barrier", "barrier", 4 },
	{ "smoke", "smoke", 10 },
	{ "panic", "panic", 3 },
};

/* Labels: what the point is, by kind (equipment varies). */
static const char *const sim_sitegen_labels[] = {
	"door", "window", "motion detector", "water sensor", NULL,
	"pedestrian gate", "car park barrier", "smoke detector", "panic button",
};
static const char *const sim_sitegen_equipment[] = {
	"lift", "booster pump", "boiler", "standby generator", "sump pump",
	"ventilation fan", "fire panel",
};
static const char *const sim_sitegen_estates[] = {
	"Ashby Court", "Beech Gardens", "Canal Wharf", "Dale View",
	"Elm Park", "Foundry Yard", "Granary Quay", "Hollin Mews",
	"Ironworks", "Juniper House", "Kirkgate Rise", "Linen Mill",
	"Maltings", "Northgate", "Orchard Place", "Priory Close",
};
static const char *const sim_sitegen_first[] = {
	"Aisha", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Hamza",
	"Iona", "Jack", "Kasia", "Liam", "Maya", "Niall", "Olu", "Priya",
};
static const char *const sim_sitegen_last[] = {
	"Ahmed", "Brennan", "Clarke", "Dobson", "Evans", "Fraser", "Gill",
	"Hughes", "Iqbal", "Jones", "Kowalski", "Lee", "Mensah", "Nolan",
	"Okafor", "Patel",
};

/* A building of the site: its centre and plot. */
struct sim_sitegen_bldg {
	double lat;
	double lon;
	double half_lat;             /* half the plot */
	double half_lon;
	int counts[ARRAY_LEN(sim_sitegen_kinds)];  /* points of each kind */
};

/* One generation: the text so far and where the site is. */
struct sim_sitegen {
	struct buf b;
	struct sim_rng rng;
	int index;
	double lat_min, lon_min, lat_max, lon_max;
	struct sim_sitegen_bldg *bldgs;
	int nbldgs;
};

/* Append formatted text; the cap is far above what a site can need. */
static void PRINTFLIKE(2, 3)
sim_sitegen_add(struct sim_sitegen *g, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (buf_adds(&g->b, s) != 0)
		fatal("generated site larger than %d bytes",
		    SIM_SITEGEN_MAX_BYTES);
	free(s);
}

/* Append "name = " and n random bytes in hex. */
static void
sim_sitegen_secret(struct sim_sitegen *g, const char *name, int n)
{
	sim_sitegen_add(g, "%s = ", name);
	for (int i = 0; i < n; i++)
		sim_sitegen_add(g, "%02x", (unsigned)sim_rng_below(&g->rng,
		    SIM_SITEGEN_BYTE));
	sim_sitegen_add(g, "\n");
}

/* The name of building b into buf: "Block A", ..., "Block 27". */
static void
sim_sitegen_bname(int b, char *buf, size_t len)
{
	if (b < SIM_SITEGEN_LETTERS)
		snprintf(buf, len, "Block %c", 'A' + b);
	else
		snprintf(buf, len, "Block %d", b + 1);
}

/* A coordinate pair near building b, up to f of its plot from the centre. */
static void
sim_sitegen_near(struct sim_sitegen *g, int b, double f, double *lat,
    double *lon)
{
	const struct sim_sitegen_bldg *bl = &g->bldgs[b];

	*lat = bl->lat + sim_rng_between(&g->rng, -f, f) * bl->half_lat;
	*lon = bl->lon + sim_rng_between(&g->rng, -f, f) * bl->half_lon;
}

/* Lay the buildings out on a grid of plots over the site. */
static void
sim_sitegen_layout(struct sim_sitegen *g, int points)
{
	int cols, rows;
	double cell_lat, cell_lon;

	g->nbldgs = (points + SIM_SITEGEN_POINTS_PER_GATEWAY - 1) /
	    SIM_SITEGEN_POINTS_PER_GATEWAY;
	g->bldgs = xcalloc((size_t)g->nbldgs, sizeof *g->bldgs);
	cols = (int)ceil(sqrt((double)g->nbldgs));
	rows = (g->nbldgs + cols - 1) / cols;
	cell_lat = (g->lat_max - g->lat_min) / rows;
	cell_lon = (g->lon_max - g->lon_min) / cols;
	for (int b = 0; b < g->nbldgs; b++) {
		g->bldgs[b].lat = g->lat_min + cell_lat * (b / cols + 0.5);
		g->bldgs[b].lon = g->lon_min + cell_lon * (b % cols + 0.5);
		g->bldgs[b].half_lat = cell_lat / 2;
		g->bldgs[b].half_lon = cell_lon / 2;
	}
}

/* Draw a kind of point by weight. */
static size_t
sim_sitegen_kind(struct sim_sitegen *g)
{
	int total = 0, r;

	for (size_t k = 0; k < ARRAY_LEN(sim_sitegen_kinds); k++)
		total += sim_sitegen_kinds[k].weight;
	r = (int)sim_rng_below(&g->rng, (uint32_t)total);
	for (size_t k = 0; k < ARRAY_LEN(sim_sitegen_kinds); k++) {
		if (r < sim_sitegen_kinds[k].weight)
			return k;
		r -= sim_sitegen_kinds[k].weight;
	}
	return 0;
}

/* Write the [site] section. */
static void
sim_sitegen_site(struct sim_sitegen *g, int points, int guards, uint64_t seed)
{
	int i = g->index;
	const char *estate = sim_sitegen_estates[(size_t)(i - 1) %
	    ARRAY_LEN(sim_sitegen_estates)];

	g->lat_min = SIM_SITEGEN_LAT0 + SIM_SITEGEN_STEP_LAT *
	    ((i - 1) / SIM_SITEGEN_PER_ROW);
	g->lon_min = SIM_SITEGEN_LON0 + SIM_SITEGEN_STEP_LON *
	    ((i - 1) % SIM_SITEGEN_PER_ROW);
	g->lat_max = g->lat_min + SIM_SITEGEN_SIZE_LAT;
	g->lon_max = g->lon_min + SIM_SITEGEN_SIZE_LON;
	sim_sitegen_add(g, "# Generated by vigil-sim: site %d, %d points, %d "
	    "guards, seed %" PRIu64 ".\n# Import it with \"vigild site import"
	    " FILE\"; the format is in vigil-site(5).\n\n", i, points, guards,
	    seed);
	sim_sitegen_add(g, "[site]\nkey = gen%d\nname = %s (generated %d)\n"
	    "address = %d %s, Leeds\ntimezone = Europe/London\n"
	    "group = Generated\nbounds = %.5f,%.5f,%.5f,%.5f\n", i, estate, i,
	    i, estate, g->lat_min, g->lon_min, g->lat_max, g->lon_max);
}

/* Write a [gateway] for each building. */
static void
sim_sitegen_gateways(struct sim_sitegen *g)
{
	char name[32];

	for (int b = 0; b < g->nbldgs; b++) {
		sim_sitegen_bname(b, name, sizeof name);
		sim_sitegen_add(g, "\n[gateway gen%d-gw%d]\nname = %s "
		    "gateway\n", g->index, b + 1, name);
		sim_sitegen_secret(g, "secret", SIM_SITEGEN_GW_SECRET);
		sim_sitegen_add(g, "supervision = %d\n",
		    SIM_SITEGEN_SUPERVISION_S);
	}
}

/* Write point p of the site: its building's next point of a drawn kind. */
static void
sim_sitegen_point(struct sim_sitegen *g, int p)
{
	int b = p % g->nbldgs, n, floor;
	struct sim_sitegen_bldg *bl = &g->bldgs[b];
	const struct sim_sitegen_kind *k;
	const char *label;
	char name[32];
	double lat, lon;
	bool controlled;

	/* Each building's first point is its main entrance, with a reader. */
	k = &sim_sitegen_kinds[p < g->nbldgs ? 0 : sim_sitegen_kind(g)];
	n = ++bl->counts[k - sim_sitegen_kinds];
	label = sim_sitegen_labels[k - sim_sitegen_kinds];
	if (label == NULL)
		label = sim_sitegen_equipment[sim_rng_below(&g->rng,
		    (uint32_t)ARRAY_LEN(sim_sitegen_equipment))];
	controlled = strcmp(k->type, "gate") == 0 ||
	    strcmp(k->type, "barrier") == 0 || p < g->nbldgs ||
	    (strcmp(k->type, "door") == 0 &&
	    sim_rng_chance(&g->rng, SIM_SITEGEN_CONTROLLED));
	floor = strcmp(k->type, "door") == 0 || strcmp(k->type, "gate") == 0 ||
	    strcmp(k->type, "barrier") == 0 ? 0 :
	    (int)sim_rng_below(&g->rng, SIM_SITEGEN_STOREYS + 2) - 1;
	sim_sitegen_bname(b, name, sizeof name);
	sim_sitegen_near(g, b, SIM_SITEGEN_SPREAD, &lat, &lon);
	sim_sitegen_add(g, "\n[point b%d-%s-%d]\n", b + 1, k->word, n);
	if (p < g->nbldgs)
		sim_sitegen_add(g, "label = %s main entrance\n", name);
	else
		sim_sitegen_add(g, "label = %s %s %d\n", name, label, n);
	sim_sitegen_add(g, "type = %s\ngateway = gen%d-gw%d\nbuilding = %s\n"
	    "floor = %d\nposition = %.5f,%.5f\n", k->type, g->index, b + 1,
	    name, floor, lat, lon);
	if (controlled)
		sim_sitegen_add(g, "controller = SIM:%02X:%02X:%02X\n",
		    (unsigned)g->index % SIM_SITEGEN_BYTE,
		    (unsigned)b % SIM_SITEGEN_BYTE,
		    (unsigned)sim_rng_below(&g->rng, SIM_SITEGEN_BYTE));
}

/* Write guard k with a patrol between the site's buildings. */
static void
sim_sitegen_guard(struct sim_sitegen *g, int k)
{
	int n = SIM_SITEGEN_PATROL_MIN + (int)sim_rng_below(&g->rng,
	    SIM_SITEGEN_PATROL_MAX - SIM_SITEGEN_PATROL_MIN + 1);
	double lat, lon;

	sim_sitegen_add(g, "\n[guard gen%d-G%d]\nname = %s %s\n", g->index,
	    k + 1, sim_sitegen_first[sim_rng_below(&g->rng,
	    (uint32_t)ARRAY_LEN(sim_sitegen_first))],
	    sim_sitegen_last[sim_rng_below(&g->rng,
	    (uint32_t)ARRAY_LEN(sim_sitegen_last))]);
	sim_sitegen_secret(g, "device_secret", SIM_SITEGEN_DEV_SECRET);
	sim_sitegen_add(g, "status = available\npatrol =");
	for (int w = 0; w < n; w++) {
		sim_sitegen_near(g, (int)sim_rng_below(&g->rng,
		    (uint32_t)g->nbldgs), 1.0, &lat, &lon);
		if (w > 0 && w % SIM_SITEGEN_PER_LINE == 0)
			sim_sitegen_add(g, "\n   ");
		sim_sitegen_add(g, " %.5f,%.5f", lat, lon);
	}
	sim_sitegen_add(g, "\n");
}

/* The key of generated site i. */
char *
sim_sitegen_key(int i)
{
	return xasprintf("gen%d", i);
}

/* The site file text of generated site i. */
char *
sim_sitegen_text(int i, int points, int guards, uint64_t seed)
{
	struct sim_sitegen g;
	char name[32];

	memset(&g, 0, sizeof g);
	buf_init(&g.b, SIM_SITEGEN_MAX_BYTES);
	snprintf(name, sizeof name, "site %d", i);
	sim_rng_init(&g.rng, seed, name);
	g.index = i;
	sim_sitegen_site(&g, points, guards, seed);
	sim_sitegen_layout(&g, points);
	sim_sitegen_gateways(&g);
	for (int p = 0; p < points; p++)
		sim_sitegen_point(&g, p);
	for (int k = 0; k < guards; k++)
		sim_sitegen_guard(&g, k);
	free(g.bldgs);
	return buf_detach(&g.b, NULL);
}
