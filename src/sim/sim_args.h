/*
 * sim_args.h: vigil-sim's command line.
 *
 * One table holds every option with its argument and help text; --help and
 * the parser read it.  What concerns every thread goes into sim_opts, the
 * rest (which files, which gateways, what to print) into struct sim_args.
 * A bad option or value exits 64 with a message naming it.
 */
#ifndef VIGIL_SIM_ARGS_H
#define VIGIL_SIM_ARGS_H

#include <stdbool.h>

#include "sim_ctl.h"

struct sim_args {
	const char **sites;          /* --site files */
	int nsites;
	const char **only;           /* --gateway keys */
	int nonly;
	const char **silent;         /* --silent-gateway keys */
	int nsilent;
	int gen_sites;               /* --sites, 0 for none */
	int gen_points;
	int gen_guards;
	bool print_site;             /* --print-site */
	const char *write_dir;       /* --write-sites */
	bool seeded;                 /* --seed was given */
	const char *acked_path;
	const char *sent_path;
	char run_id[SIM_RUN_ID_MAX + 1];
};

/* Read the command line into sim_opts and a; exits on a bad one or --help. */
void sim_args_parse(int argc, char **argv, struct sim_args *a);
/* Free what a holds. */
void sim_args_release(struct sim_args *a);
/* Print a usage error and exit 64. */
void sim_args_bad(const char *fmt, ...) PRINTFLIKE(1, 2) NORETURN;

#endif
