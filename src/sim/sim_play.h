/*
 * sim_play.h: a played site, as one gateway sees it.
 *
 * Each point has habits (a door at Tower A lets people through, now and then
 * is held open or forced; a water sensor rarely sees a leak and later its
 * restore), each a Poisson process in simulated time.  Habits that follow
 * people follow the hour of day in the site's time zone: quiet at night,
 * busy in the morning and the evening.  A habit that fires becomes a short
 * scene of events (access granted with a card, the door opening, closing
 * seconds later), queued until they are due.
 */
#ifndef VIGIL_SIM_PLAY_H
#define VIGIL_SIM_PLAY_H

#include <stdint.h>

#include "sim_event.h"
#include "sim_site.h"

#define SIM_PLAY_BACKLOG 20000       /* events a gateway holds unsent */

struct sim_play;

/* The play of gw's points from simulated time start_ms, seeded with seed. */
struct sim_play *sim_play_new(struct sim_gateway *gw, uint64_t seed,
    int64_t start_ms);
void sim_play_free(struct sim_play *p);
/*
 * Play on to simulated time now_ms and copy up to max events that have
 * happened by then into out (all but their ids), oldest first.  Sets
 * *next_ms to the simulated time anything may happen next.  Returns the
 * number of events copied.
 */
int sim_play_due(struct sim_play *p, int64_t now_ms, struct sim_event *out,
    int max, int64_t *next_ms);

#endif
