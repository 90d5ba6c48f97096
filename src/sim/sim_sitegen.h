/*
 * sim_sitegen.h: generated sites (--sites N --points M --guards K).
 *
 * Site I of a district is the text of a site file (vigil-site.5) that
 * vigil-sim plays exactly as it would play the file, and can print or write
 * so that vigild imports the same site.  Its buildings each have a gateway
 * and a mix of points like a real estate's; its guards patrol between the
 * buildings.  The text depends only on the seed, I, M and K.
 */
#ifndef VIGIL_SIM_SITEGEN_H
#define VIGIL_SIM_SITEGEN_H

#include <stdint.h>

#define SIM_SITEGEN_SITES_MAX   100   /* --sites */
#define SIM_SITEGEN_POINTS_MAX  1000  /* --points, per site */
#define SIM_SITEGEN_GUARDS_MAX  50    /* --guards, per site */
#define SIM_SITEGEN_POINTS_DEFAULT 40
#define SIM_SITEGEN_GUARDS_DEFAULT 4

/* The key of generated site i (from 1): "gen1"; caller frees. */
char *sim_sitegen_key(int i);
/* The site file text of generated site i (from 1); caller frees. */
char *sim_sitegen_text(int i, int points, int guards, uint64_t seed);

#endif
